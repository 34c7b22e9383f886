/**
 * Lane "memory": the gateway's resident memory with many streams open at once (1,000 by default). Every
 * stream is paced slowly so all are open together; RSS is sampled once each has delivered its first
 * chunk, then the client walks away from all of them (exercising the client-disconnect path).
 */
import { createBenchClient } from "../../measure.ts";
import { NETWORK_ERROR } from "../../recorder.ts";
import type { OverheadPlan } from "../plan.ts";
import { readRss, sampleRss } from "../rss.ts";
import type { LaneContext } from "../sides.ts";

/** Result of the memory lane (bytes; null where /proc is unavailable). */
export interface MemoryLane {
  streams: number;
  /** Streams open (first chunk received, not yet ended) during the whole RSS sampling. */
  opened: number;
  /** Failed streams by status. */
  failed: Record<string, number>;
  rssIdle: number | null;
  /** Peak RSS while the streams were open. */
  rssOpen: number | null;
  /** RSS after every stream was abandoned and a second had passed. */
  rssAfter: number | null;
  /** Time until every stream was open, in milliseconds. */
  openMs: number;
}

/** Runs the memory lane. */
export async function memoryLane(ctx: LaneContext, plan: OverheadPlan["memory"]): Promise<MemoryLane> {
  const n = plan.streams;
  ctx.log(
    `memory: ${n} concurrent streams (${plan.chunks} chunks ${plan.chunkDelayMs} ms apart) through the gateway`,
  );
  const headers = {
    "x-mock-chunks": String(plan.chunks),
    "x-mock-chunk-delay-ms": String(plan.chunkDelayMs),
  };
  const req = ctx.request("gateway", { stream: true, headers });
  const client = createBenchClient();
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  const failed: Record<string, number> = {};
  let settled = 0;
  let openNow = 0;
  const allOpen = Promise.withResolvers<void>();
  const fail = (key: string) => {
    failed[key] = (failed[key] ?? 0) + 1;
  };
  const settle = () => {
    if (++settled === n) allOpen.resolve();
  };
  try {
    const rssIdle = await readRss(ctx.gatewayPid);
    const start = performance.now();
    const tasks = Array.from({ length: n }, async () => {
      let counted = false;
      try {
        const res = await client.fetch(req.url, { method: "POST", headers: req.headers, body: req.body });
        if (!res.ok || res.body === null) {
          fail(String(res.status));
          await res.arrayBuffer().catch(() => {});
          return;
        }
        const reader = res.body.getReader();
        const first = await reader.read();
        readers.push(reader);
        counted = true;
        settle();
        if (first.done) return;
        openNow++;
        try {
          while (!(await reader.read()).done) { /* keep the stream open and drained */ }
        } finally {
          openNow--;
        }
      } catch {
        if (!counted) fail(NETWORK_ERROR);
      } finally {
        if (!counted) settle();
      }
    });
    const holdMs = plan.chunks * plan.chunkDelayMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([allOpen.promise, new Promise((r) => timer = setTimeout(r, holdMs))]);
    clearTimeout(timer);
    const openMs = Math.round(performance.now() - start);
    const openAtStart = openNow;
    const sampler = sampleRss(ctx.gatewayPid, 50);
    await new Promise((r) => setTimeout(r, 1000));
    const rssOpen = await sampler.stop();
    const opened = Math.min(openAtStart, openNow);
    await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
    await Promise.all(tasks);
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfter = await readRss(ctx.gatewayPid);
    return { streams: n, opened, failed, rssIdle, rssOpen, rssAfter, openMs };
  } finally {
    client.close();
  }
}
