/**
 * Request body intake: size-capped reading (413 before reading when `content-length` already says too
 * much), a stall deadline (408), and JSON parsing with errors in the API's own terms.
 */
import { GatewayError } from "../core/errors.ts";
import { type BodyBudget, busyError } from "./body_budget.ts";

/**
 * Requests whose connection must close once their response is out: a stalled body was abandoned, and the
 * runtime would otherwise keep waiting for the rest of a chunked one. The listener checks it per response.
 */
export const CLOSE_AFTER_RESPONSE = new WeakSet<Request>();

/** Bytes a declared-length body must deliver per idle timeout (it is read in one op, so gaps are unseen). */
export const BODY_RATE_UNIT = 64 * 1024;

interface Pending {
  since: number;
  budgetMs: number;
  reject: (err: unknown) => void;
}

/**
 * Deadlines of body reads in progress, checked by one timer for all of them: a timer per request costs
 * ~4 µs, an entry in this set well under one. The timer runs only while reads are pending.
 */
export class BodyWatch {
  readonly idleTimeoutMs: number;
  #pending = new Set<Pending>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #clock: () => number;

  /** Watches reads with `idleTimeoutMs` as the longest pause; `clock` is monotonic ms. */
  constructor(idleTimeoutMs: number, options: { clock?: () => number } = {}) {
    this.idleTimeoutMs = idleTimeoutMs;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Resolves like `read`, or rejects with a 408 once it has taken more than `budgetMs`. */
  watch<T>(read: Promise<T>, budgetMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { since: this.#clock(), budgetMs, reject };
      this.#pending.add(entry);
      this.#timer ??= setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.idleTimeoutMs / 4)));
      read.then((v) => {
        this.#pending.delete(entry);
        resolve(v);
      }, (err) => {
        this.#pending.delete(entry);
        reject(err);
      });
    });
  }

  /** Fails every read past its deadline; stops the timer when nothing is pending. */
  sweep(): void {
    const now = this.#clock();
    for (const p of this.#pending) {
      if (now - p.since > p.budgetMs) {
        this.#pending.delete(p);
        p.reject(stalled(this.idleTimeoutMs));
      }
    }
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** Rethrows a failure that leaves the body unread to its end, closing the connection after the response. */
function abandon(req: Request) {
  return (err: unknown): never => {
    if (err instanceof GatewayError) CLOSE_AFTER_RESPONSE.add(req);
    throw err;
  };
}

function stalled(ms: number): GatewayError {
  return new GatewayError(
    408,
    "request_body_timeout",
    `The request body stalled: no progress within ${ms} ms (server.body_idle_timeout_ms)`,
    // The rest of the body may still come; the connection cannot carry another request after it.
    { headers: { connection: "close" } },
  );
}

const EMPTY = new Uint8Array(0) as Uint8Array<ArrayBuffer>;
/** Bodies up to this size are read in one op; larger ones are read, held and sent with care for copies. */
export const LARGE_BODY_BYTES = 256 * 1024;

function tooLarge(max: number): GatewayError {
  return new GatewayError(413, "request_too_large", `Request body is larger than the limit of ${max} bytes`);
}

/**
 * Reads the whole body, refusing more than `max` bytes. With `watch`, a body read chunk by chunk (chunked,
 * or a declared length over 256 KiB) that pauses longer than its idle timeout, or a small declared-length
 * body slower than `BODY_RATE_UNIT` bytes per idle timeout, fails with 408 (the response then closes the
 * connection, as the body was not read to its end). With `budget`, a body over 256 KiB holds room in it
 * from before it is read; the caller gives the room back with `budget.release(req)` once the call has
 * ended (a read that fails gives it back itself).
 */
export async function readBody(
  req: Request,
  max: number,
  watch?: BodyWatch,
  budget?: BodyBudget,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > max) throw tooLarge(max);
  // With a small declared length, read the body in one op without touching `req.body`: creating that
  // stream leaves a 64 KiB read buffer pending in Deno 2.9 for as long as the request lives (a whole
  // stream). A large one is read chunk by chunk below: `arrayBuffer()` holds about three copies of it at
  // its peak (measured: 40 concurrent 9.8 MB bodies took 1.5 GB that way, 0.4 GB chunk by chunk).
  if (declared !== null && Number(declared) <= LARGE_BODY_BYTES) {
    const read = req.arrayBuffer();
    if (watch === undefined) return new Uint8Array(await read);
    read.catch(() => {}); // after a 408 the runtime fails the abandoned read
    const units = Math.max(1, Math.ceil(Number(declared) / BODY_RATE_UNIT));
    return new Uint8Array(await watch.watch(read, watch.idleTimeoutMs * units).catch(abandon(req)));
  }
  if (req.body === null) return EMPTY;
  const body = req.body;
  const size = Number(declared ?? NaN);
  if (Number.isSafeInteger(size)) await budget?.take(req, size).catch(abandon(req));
  try {
    return Number.isSafeInteger(size)
      ? await readInto(req, body, size, watch)
      : await readChunked(req, body, max, watch, budget);
  } catch (err) {
    budget?.release(req);
    throw err;
  }
}

/** The next read of `reader`, failed with 408 (and the stream cancelled) when it stalls under `watch`. */
function watched<T>(req: Request, reader: ReadableStreamGenericReader, next: Promise<T>, watch?: BodyWatch) {
  if (watch === undefined) return next;
  next.catch(() => {});
  return watch.watch(next, watch.idleTimeoutMs).catch((err) => {
    reader.cancel().catch(() => {});
    return abandon(req)(err);
  });
}

/** The most one read of a large body asks for (the runtime allocates that much for the read). */
const READ_BYTES = 64 * 1024;

/**
 * A body of a declared length, read into one buffer of that length: the server's body stream (a byte
 * stream) fills it in place, so no chunk is allocated, kept or joined — with 40 concurrent 9.8 MB bodies,
 * 9.9 MB held per body this way, 11 MB when each chunk was copied in (its garbage waits for the
 * collector), 16 MB when the chunks were joined at the end, 38 MB through `arrayBuffer()`. Another kind of
 * stream has its chunks copied in. The stream is read to its end (a connection is kept alive only after
 * that); a body that ends early is returned as far as it came, one longer than declared gets 400.
 */
async function readInto(
  req: Request,
  body: ReadableStream<Uint8Array>,
  size: number,
  watch?: BodyWatch,
): Promise<Uint8Array<ArrayBuffer>> {
  let buffer = new ArrayBuffer(size);
  let at = 0;
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // not a byte stream: its chunks are copied in below
  }
  const plain = byob === undefined ? body.getReader() : undefined;
  const reader = byob ?? plain!;
  for (;;) {
    // Once the buffer is full, a one-byte read is left to see the end.
    const next = byob === undefined ? plain!.read() : byob.read(
      at < size ? new Uint8Array(buffer, at, Math.min(size - at, READ_BYTES)) : new Uint8Array(1),
    );
    const { done, value } = await watched(req, reader, next, watch);
    if (done) {
      if (byob !== undefined && value !== undefined && at < size) buffer = value.buffer as ArrayBuffer;
      break;
    }
    if (value.byteLength > size - at) {
      reader.cancel().catch(() => {});
      throw new GatewayError(
        400,
        "invalid_request_body",
        `The request body is longer than its content-length of ${size} bytes`,
      );
    }
    // A byte stream hands the same memory back in a new ArrayBuffer; other chunks are copied in.
    if (byob !== undefined) buffer = value.buffer as ArrayBuffer;
    else new Uint8Array(buffer).set(value as Uint8Array, at);
    at += value.byteLength;
  }
  return new Uint8Array(buffer, 0, at);
}

/**
 * A body of unknown length (chunked), read chunk by chunk and joined once it has ended. Past 256 KiB it
 * takes room in `budget` as it grows, and gets 503 at once when there is none.
 */
async function readChunked(
  req: Request,
  body: ReadableStream<Uint8Array>,
  max: number,
  watch?: BodyWatch,
  budget?: BodyBudget,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await watched(req, reader, reader.read(), watch);
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    if (budget !== undefined && size > LARGE_BODY_BYTES) {
      const more = size - value.byteLength > LARGE_BODY_BYTES ? value.byteLength : size;
      if (!budget.tryTake(req, more)) {
        reader.cancel().catch(() => {});
        abandon(req)(busyError());
      }
    }
    chunks.push(value as Uint8Array<ArrayBuffer>);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Parses a JSON object body or throws a 400 that says what is wrong. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) {
    throw new GatewayError(400, "invalid_request_body", "The request body is empty: expected a JSON object");
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new GatewayError(400, "invalid_json", `The request body is not valid JSON: ${jsonReason(err)}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError(400, "invalid_request_body", "The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** V8's JSON error without the excerpt of the input it quotes (the body may hold secrets). */
function jsonReason(err: unknown): string {
  const msg = err instanceof SyntaxError ? err.message : "parse error";
  return msg.replace(/,?\s*"(?:[^"\\]|\\.)*"(?:\.\.\.)?\s*is not valid JSON/, "").replace(/'[^']*'/, "")
    .slice(0, 200);
}

/** Longest model or deployment name a caller may send; longer ones get 400 (no real name comes close). */
export const MAX_MODEL_CHARS = 256;

/** Refuses a model or deployment name over `MAX_MODEL_CHARS` with 400 naming `param`. */
export function checkModelName(name: string, param: "model" | "deployment"): void {
  if (name.length > MAX_MODEL_CHARS) {
    throw new GatewayError(
      400,
      "model_too_long",
      `The ${param} name is ${name.length} characters long; the limit is ${MAX_MODEL_CHARS}`,
      { param },
    );
  }
}

/** What a secret-shaped model name is recorded as. */
export const SECRET_MODEL = "[SECRET]";

const KEY_PREFIX =
  /\b(?:sk-|sk_|azmw_|pk_|rk_|xox[abpr]-|gh[pousr]_|github_pat_|AKIA|AIza|eyJ)[A-Za-z0-9_-]{8,}|bearer\s/i;

/**
 * A caller's model name as plain metadata may keep it (records, metrics, cost reports): capped, and
 * `[SECRET]` when it looks like a credential — a known key prefix, or a run of 28+ letters and digits
 * mixing both (a hex or base64 key; model names are short words and numbers between separators).
 */
export function plainModel(name: string): string {
  if (KEY_PREFIX.test(name)) return SECRET_MODEL;
  for (const run of name.match(/[A-Za-z0-9]{28,}/g) ?? []) {
    if (/\d/.test(run) && /[A-Za-z]/.test(run)) return SECRET_MODEL;
  }
  return name.length > MAX_MODEL_CHARS ? `${name.slice(0, MAX_MODEL_CHARS)}…` : name;
}
