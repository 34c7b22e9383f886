/** Counts the `setTimeout` calls made through the global while installed (on top of fake timers too). */
export function countTimeouts(): { count(): number; restore(): void } {
  const set = globalThis.setTimeout;
  let n = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    n++;
    return set(...args);
  }) as typeof setTimeout;
  return {
    count: () => n,
    restore: () => void (globalThis.setTimeout = set),
  };
}
