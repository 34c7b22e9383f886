/**
 * Target order for one call: by priority (lower first), and within a priority by the model's strategy —
 * config order (`priority`), a weighted random shuffle (`weighted`), or fewest calls in flight
 * (`least_inflight`). Targets that cannot serve the operation are left out; health is checked later,
 * per attempt, so an unavailable target is skipped, not reordered.
 */
import type { ModelRoute, Target } from "./target.ts";

/** The targets of `route` in the order they should be tried. */
export function orderTargets(
  route: ModelRoute,
  options: { random: () => number; serves: (t: Target) => boolean },
): Target[] {
  const all = route.targets;
  if (all.length === 1) return options.serves(all[0]!) ? [all[0]!] : [];
  const eligible = all.filter(options.serves);
  const key = new Map<Target, number>();
  for (const t of eligible) {
    switch (route.strategy) {
      case "weighted":
        // Efraimidis–Spirakis: sorting by u^(1/w) descending draws without replacement by weight.
        key.set(t, t.weight > 0 ? -(options.random() ** (1 / t.weight)) : 1);
        break;
      case "least_inflight":
        key.set(t, t.health.inFlight);
        break;
      default:
        key.set(t, 0);
    }
  }
  // Array.prototype.sort is stable, so equal keys keep config order.
  return eligible.sort((a, b) => a.priority - b.priority || key.get(a)! - key.get(b)!);
}
