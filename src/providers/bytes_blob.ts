/**
 * A `Blob` over bytes the gateway already holds, for large upstream bodies. Deno's own `Blob` copies its
 * bytes into the runtime's blob store, and sending it reads each part whole into one more buffer: with 40
 * concurrent 9.8 MB uploads to a local server, a `Blob` held 19.5 MB per upload over its bytes (11.6 MB
 * in 64 KiB parts), the bytes themselves 28 MB. Deno's `fetch` takes a `Blob` body's length and stream
 * from its `size` and `stream()` (`extractBody`, Deno 2.9), so this one goes out with its exact
 * `content-length`, read from the caller's buffers in views of 64 KiB (0.9 MB per upload in that test),
 * and like any `Blob` body is never re-sent by the HTTP client (`tests/providers/pool_resend_test.ts`).
 * Its other reads (`bytes`, `arrayBuffer`, `text`, `slice`) give the same bytes. A Deno that read a
 * `Blob`'s own parts instead would send it empty: `tests/providers/bytes_blob_test.ts` sends one through
 * a real `fetch` and checks what the server got.
 */

/** Largest view the stream hands out (one socket write's worth). */
const VIEW_BYTES = 64 * 1024;

/** A `Blob` of `parts` in order, without a copy of them; the parts must not change while it lives. */
export class BytesBlob extends Blob {
  readonly #parts: readonly Uint8Array<ArrayBuffer>[];
  readonly #size: number;

  /** A `Blob` of the bytes of `parts`, in order. */
  constructor(parts: readonly Uint8Array<ArrayBuffer>[]) {
    super();
    this.#parts = parts;
    this.#size = parts.reduce((n, p) => n + p.byteLength, 0);
  }

  /** Total bytes of the parts. */
  override get size(): number {
    return this.#size;
  }

  /** The bytes as views into the parts (a plain stream: its chunks are not transferred, so no part is detached). */
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const parts = this.#parts;
    let i = 0;
    let at = 0;
    return new ReadableStream({
      pull(c) {
        while (i < parts.length && at >= parts[i]!.byteLength) {
          i++;
          at = 0;
        }
        if (i === parts.length) return c.close();
        c.enqueue(parts[i]!.subarray(at, at + VIEW_BYTES));
        at += VIEW_BYTES;
      },
    });
  }

  /** The bytes in one new buffer. */
  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return Promise.resolve(out);
  }

  /** The bytes in one new `ArrayBuffer`. */
  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  /** The bytes decoded as UTF-8. */
  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /** Bytes `start` to `end` (negative counts from the end, as `Blob.slice`), as another `BytesBlob`. */
  override slice(start = 0, end = this.#size): BytesBlob {
    const from = start < 0 ? Math.max(this.#size + start, 0) : Math.min(start, this.#size);
    const to = end < 0 ? Math.max(this.#size + end, 0) : Math.min(end, this.#size);
    const out: Uint8Array<ArrayBuffer>[] = [];
    let offset = 0;
    for (const p of this.#parts) {
      const a = Math.max(from - offset, 0);
      const b = Math.min(to - offset, p.byteLength);
      if (a < b) out.push(p.subarray(a, b));
      offset += p.byteLength;
    }
    return new BytesBlob(out);
  }
}
