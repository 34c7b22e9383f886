/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (0.0.4). Written by hand because it sits on the hot path: recording is a map lookup
 * and an addition, with label values joined into one key.
 */

type Labels = Record<string, string>;

const SEP = "\u0001";

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (n === Infinity) return "+Inf";
  if (Number.isNaN(n)) return "NaN";
  return String(n);
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Creates a metric; names follow Prometheus conventions (snake_case, unit suffix). */
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new TypeError(`Invalid metric name "${name}"`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }
  protected key(labels: Labels | undefined): string {
    if (this.labelNames.length === 0) return "";
    return this.labelNames.map((l) => labels?.[l] ?? "").join(SEP);
  }
  protected labelText(key: string, extra?: string): string {
    const parts: string[] = [];
    if (this.labelNames.length > 0) {
      const values = key.split(SEP);
      this.labelNames.forEach((l, i) => parts.push(`${l}="${escapeLabel(values[i] ?? "")}"`));
    }
    if (extra) parts.push(extra);
    return parts.length ? `{${parts.join(",")}}` : "";
  }
  /** The metric's lines in the exposition format. */
  abstract render(): string;
}

/** A monotonically increasing counter. */
export class Counter extends Metric {
  readonly #values = new Map<string, number>();
  /** Adds `n` (default 1) to the series with these labels. */
  inc(labels?: Labels, n = 1): void {
    const k = this.key(labels);
    this.#values.set(k, (this.#values.get(k) ?? 0) + n);
  }
  /** Current value of a series (tests). */
  get(labels?: Labels): number {
    return this.#values.get(this.key(labels)) ?? 0;
  }
  /** @inheritdoc */
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const [k, v] of this.#values) out += `${this.name}${this.labelText(k)} ${fmt(v)}\n`;
    return out;
  }
}

/** A gauge: set directly, or read from a callback at render time. */
export class Gauge extends Metric {
  readonly #values = new Map<string, number>();
  #collect: (() => [Labels | undefined, number][]) | undefined;
  #type: "gauge" | "counter" = "gauge";
  /** Declares the collected values monotonic (exposed as a counter kept by another component). */
  asCounter(): this {
    this.#type = "counter";
    return this;
  }
  /** Sets the series with these labels. */
  set(labels: Labels | undefined, value: number): void {
    this.#values.set(this.key(labels), value);
  }
  /** Reads values from `fn` at each render instead of stored ones. */
  collect(fn: () => [Labels | undefined, number][]): this {
    this.#collect = fn;
    return this;
  }
  /** @inheritdoc */
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.#type}\n`;
    const entries: [string, number][] = this.#collect
      ? this.#collect().map(([l, v]) => [this.key(l), v])
      : [...this.#values];
    for (const [k, v] of entries) out += `${this.name}${this.labelText(k)} ${fmt(v)}\n`;
    return out;
  }
}

/** A histogram with fixed upper bounds (seconds, bytes, …). */
export class Histogram extends Metric {
  readonly buckets: readonly number[];
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  /** Creates a histogram with ascending bucket bounds (+Inf is implied). */
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = buckets;
  }
  /** Records one observation. */
  observe(labels: Labels | undefined, value: number): void {
    const k = this.key(labels);
    let s = this.#series.get(k);
    if (!s) {
      s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#series.set(k, s);
    }
    // Per-bucket counts; cumulated at render time so observing stays O(log n) at worst.
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    if (i < this.buckets.length) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  /** Observation count of a series (tests). */
  count(labels?: Labels): number {
    return this.#series.get(this.key(labels))?.count ?? 0;
  }
  /** @inheritdoc */
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const [k, s] of this.#series) {
      let cum = 0;
      this.buckets.forEach((b, i) => {
        cum += s.counts[i]!;
        out += `${this.name}_bucket${this.labelText(k, `le="${fmt(b)}"`)} ${cum}\n`;
      });
      out += `${this.name}_bucket${this.labelText(k, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${this.labelText(k)} ${fmt(s.sum)}\n`;
      out += `${this.name}_count${this.labelText(k)} ${s.count}\n`;
    }
    return out;
  }
}

/** A set of metrics rendered together. */
export class Registry {
  readonly #metrics: Metric[] = [];
  /** Registers and returns a metric. */
  add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) {
      throw new TypeError(`Duplicate metric "${metric.name}"`);
    }
    this.#metrics.push(metric);
    return metric;
  }
  /** The whole exposition. */
  render(): string {
    return this.#metrics.map((m) => m.render()).join("");
  }
}
