/**
 * The live progress bar on standard error (only drawn when it is a terminal).
 */
import type { LoadProgress } from "./load.ts";

/** One progress line, e.g. `[#########-----------]  45%  4500 req  2250.0 req/s  0 errors`. */
export function progressLine(p: LoadProgress, width = 30): string {
  const fraction = Math.max(0, Math.min(1, p.fraction));
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const rps = p.elapsedMs > 0 ? (p.completed / p.elapsedMs) * 1000 : 0;
  const errors = p.completed - p.ok;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${bar}] ${pct}  ${p.completed} req  ${rps.toFixed(1)} req/s  ${errors} error${
    errors === 1 ? "" : "s"
  }`;
}

/** A progress callback that redraws one line with `\r`, and `done()` that clears it. */
export function progressBar(write: (text: string) => void): {
  update: (p: LoadProgress) => void;
  done: () => void;
} {
  let drawn = false;
  return {
    update(p) {
      drawn = true;
      write(`\r\x1b[2K${progressLine(p)}`);
    },
    done() {
      if (drawn) write("\r\x1b[2K");
    },
  };
}
