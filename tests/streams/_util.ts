// Shared helpers for the stream tests: fixtures, chunkings, and running bytes through a stream.

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The bytes of a recorded sample in tests/fixtures/streams. */
export function fixture(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`../fixtures/streams/${name}`, import.meta.url));
}

/** UTF-8 bytes of `s`. */
export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

/** `b` decoded as UTF-8. */
export function text(b: Uint8Array): string {
  return dec.decode(b);
}

/** `b` with every LF line end turned into `eol` (CRLF or CR). */
export function withEol(b: Uint8Array, eol: "\r\n" | "\r"): Uint8Array {
  return bytes(text(b).replaceAll("\n", eol));
}

/** Concatenation of `parts`. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `b` cut at the given ascending offsets. */
export function splitAt(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(b.slice(prev, c));
    prev = c;
  }
  out.push(b.slice(prev));
  return out;
}

/**
 * Chunkings of `b`: one cut at every byte position, one-byte chunks, and seeded random chunkings.
 */
export function* chunkings(b: Uint8Array, random = 20): Generator<Uint8Array[]> {
  for (let i = 0; i <= b.length; i++) yield splitAt(b, [i]);
  yield splitAt(b, Array.from({ length: b.length - 1 }, (_, i) => i + 1));
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let r = 0; r < random; r++) {
    const cuts: number[] = [];
    for (let at = 0;;) {
      at += 1 + Math.floor(next() * 64);
      if (at >= b.length) break;
      cuts.push(at);
    }
    yield splitAt(b, cuts);
  }
}

/** The chunks `stream` writes out when `chunks` are written in. */
export async function run(
  stream: TransformStream<Uint8Array, Uint8Array>,
  chunks: Uint8Array[],
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of ReadableStream.from(chunks).pipeThrough(stream)) out.push(c);
  return out;
}
