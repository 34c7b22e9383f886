/**
 * The file sink: appends each event as one JSON line to `<path>/events-YYYYMMDD.jsonl`, the day of the
 * event's time in the configured zone, so files rotate by day.
 */
import { DayClock } from "../logs/day.ts";
import { DeliveryError, type Sink } from "./sink.ts";

/** Creates a file sink writing under `dir`. */
export function createFileSink(options: { name: string; dir: string; timezone?: string }): Sink {
  const days = new DayClock(options.timezone ?? "UTC");
  let made = false;
  return {
    name: options.name,
    async deliver(batch) {
      const byDay = new Map<string, string>();
      for (const event of batch) {
        const day = days.dayOf(Date.parse(event.time) || Date.now());
        byDay.set(day, (byDay.get(day) ?? "") + JSON.stringify(event) + "\n");
      }
      try {
        if (!made) await Deno.mkdir(options.dir, { recursive: true, mode: 0o700 });
        made = true;
        for (const [day, text] of byDay) {
          await Deno.writeTextFile(`${options.dir}/events-${day}.jsonl`, text, { append: true, mode: 0o600 });
        }
      } catch (err) {
        made = false;
        throw new DeliveryError(`Cannot write events to "${options.dir}": ${(err as Error).message}`, {
          retryable: true,
          cause: err,
        });
      }
    },
  };
}
