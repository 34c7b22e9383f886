/**
 * Resident memory of a process, read from `/proc/<pid>/status` (Linux), and a sampler that tracks the peak.
 */

/** Parses `VmRSS:  12345 kB` out of a `/proc/<pid>/status` text; bytes, or null when absent. */
export function parseVmRss(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** Resident set size of `pid` in bytes; null where `/proc` is not available or the process is gone. */
export async function readRss(pid: number): Promise<number | null> {
  try {
    return parseVmRss(await Deno.readTextFile(`/proc/${pid}/status`));
  } catch {
    return null;
  }
}

/** Samples the RSS of `pid` every `intervalMs` until stopped; `stop()` resolves to the peak in bytes. */
export function sampleRss(pid: number, intervalMs = 100): { stop: () => Promise<number | null> } {
  let peak: number | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rss = await readRss(pid);
      if (rss !== null && (peak === null || rss > peak)) peak = rss;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const last = await readRss(pid);
      if (last !== null && (peak === null || last > peak)) peak = last;
      return peak;
    },
  };
}
