/**
 * A static check for the regex shape that backtracks exponentially: an unbounded quantifier over a group
 * that itself holds an unbounded quantifier, such as `(a+)+`, `(\w*\s?)*` or `(?:x+y?){2,}`. Redaction runs
 * custom rules on bounded pieces under a time budget, but one regex run cannot be interrupted, and on this
 * shape a few dozen characters already take minutes.
 */

/** Whether `source` has an unbounded quantifier (`*`, `+`, `{n,}`) at `i`; returns its length, or 0. */
function unboundedAt(source: string, i: number): number {
  const c = source[i];
  if (c === "*" || c === "+") return 1;
  if (c !== "{") return 0;
  const m = /^\{\d+,\}/.exec(source.slice(i));
  return m ? m[0].length : 0;
}

/** Whether `source` nests an unbounded quantifier inside an unboundedly quantified group. */
export function hasNestedQuantifier(source: string): boolean {
  // One entry per open group: whether it holds an unbounded quantifier so far.
  const open: boolean[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      // Skip the class; `]` right after `[` or `[^` is a literal.
      i++;
      if (source[i] === "^") i++;
      if (source[i] === "]") i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      continue;
    }
    if (c === "(") {
      open.push(false);
      continue;
    }
    if (c === ")") {
      const inner = open.pop() ?? false;
      const q = unboundedAt(source, i + 1);
      if (inner && q > 0) return true;
      // A group that holds an unbounded quantifier, or is one, makes its parent hold one.
      if ((inner || q > 0) && open.length > 0) open[open.length - 1] = true;
      continue;
    }
    if (unboundedAt(source, i) > 0 && open.length > 0) open[open.length - 1] = true;
  }
  return false;
}
