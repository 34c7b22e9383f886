/**
 * Yielding to the event loop from a long run of synchronous work (redaction, gzip of small bodies) so
 * requests keep being served while the writer seals a batch. Timers are clamped after a few nested calls
 * (about 2 ms each here), a message port is not (about 10 µs).
 */

/** Hands the event loop back every `sliceMs` of work; `close()` releases the port. */
export class Yielder {
  readonly #sliceMs: number;
  #channel: MessageChannel | null = null;
  #pending: (() => void) | null = null;
  #since = performance.now();

  /** Creates a yielder that lets other tasks run after `sliceMs` of work. */
  constructor(sliceMs = 1) {
    this.#sliceMs = sliceMs;
  }

  /** Yields to the event loop if the current slice is used up; otherwise returns at once. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < this.#sliceMs) return;
    if (this.#channel === null) {
      this.#channel = new MessageChannel();
      this.#channel.port1.onmessage = () => {
        const resolve = this.#pending;
        this.#pending = null;
        resolve?.();
      };
    }
    const channel = this.#channel;
    await new Promise<void>((resolve) => {
      this.#pending = resolve;
      channel.port2.postMessage(null);
    });
    this.#since = performance.now();
  }

  /** Starts a new slice (after the task was idle). */
  reset(): void {
    this.#since = performance.now();
  }

  /** Closes the port, which would otherwise keep the process alive. */
  close(): void {
    this.#channel?.port1.close();
    this.#channel?.port2.close();
    this.#channel = null;
  }
}
