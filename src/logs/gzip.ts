/**
 * gzip for the log's many small bodies. `gzipSync()` of `node:zlib` builds a stream object and a fresh zlib
 * state for every call, which costs more than compressing a few hundred bytes; `gzipBody()` keeps one zlib
 * handle per window size and resets it between bodies. The handle is the binding `node:zlib`'s own streams
 * drive (`_handle`, in Node and Deno alike); the output is what `gzipSync()` gives for the same options (a
 * test holds them to that), and without such a handle `gzipSync()` does the work.
 */
import { Buffer } from "node:buffer";
import { constants, createGzip, gzipSync } from "node:zlib";

/** The part of a zlib binding handle used here. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    out: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
}

interface Deflater {
  handle: ZlibHandle;
  /** Output and input bytes left after the last `writeSync`. */
  state: Uint32Array;
}

/**
 * gzip options for `size` bytes: the window and hash table sized to it (zlib's defaults, a 32 KiB window and
 * 64 KiB of hash table, cost more to set up and reset than a small body takes to compress). Any window
 * makes a valid gzip stream; one at least as large as the body loses nothing.
 */
export function gzipOptions(size: number): { windowBits: number; memLevel: number } {
  let windowBits = 9;
  while (windowBits < 15 && 1 << windowBits < size) windowBits++;
  return { windowBits, memLevel: windowBits - 7 };
}

/** Deflaters by window size; `null` when this runtime's `Gzip` has no usable handle. */
const deflaters = new Map<number, Deflater | null>();

function deflater(windowBits: number, memLevel: number): Deflater | null {
  let d = deflaters.get(windowBits);
  if (d === undefined) {
    const z = createGzip({ windowBits, memLevel }) as unknown as {
      _handle?: ZlibHandle;
      _writeState?: Uint32Array;
    };
    const usable = typeof z._handle?.writeSync === "function" && typeof z._handle.reset === "function" &&
      z._writeState instanceof Uint32Array;
    d = usable ? { handle: z._handle!, state: z._writeState! } : null;
    deflaters.set(windowBits, d);
  }
  return d;
}

/** zlib's bound on the deflated size of `n` bytes with non-default settings, plus the gzip header and trailer. */
const bound = (n: number) => n + ((n + 7) >> 3) + ((n + 63) >> 6) + 5 + 18;

/** `plain` gzip-compressed, as `gzipSync(plain, gzipOptions(plain.length))` would give it. */
export function gzipBody(plain: Uint8Array): Uint8Array {
  const options = gzipOptions(plain.length);
  const d = deflater(options.windowBits, options.memLevel);
  if (d !== null) {
    const out = Buffer.allocUnsafe(bound(plain.length));
    d.handle.writeSync(constants.Z_FINISH, plain, 0, plain.length, out, 0, out.length);
    const [outLeft, inLeft] = d.state;
    d.handle.reset();
    // Within the bound all of it is compressed in one call; anything else is left to gzipSync.
    if (inLeft === 0 && outLeft! > 0) return out.subarray(0, out.length - outLeft!);
  }
  return gzipSync(plain, { ...options, chunkSize: Math.max(64, plain.length + 64) });
}
