/**
 * Turns one or more `azmw bench --overhead --json` reports into the gateway-against-relay table of
 * BENCHMARKS.md: each figure as the median over the runs, with every run's value alongside, and the
 * target results of each run.
 *
 *   deno run -A scripts/bench_overhead_table.ts run1.json [run2.json …]
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import { limitText, OVERHEAD_TARGETS } from "../src/bench/overhead/targets.ts";
import { scriptArgs } from "./_args.ts";
import { median } from "./bench_ab.ts";

const { positionals: files } = scriptArgs({ allowPositionals: true, options: {} });
if (files.length === 0) {
  console.error("Usage: bench_overhead_table.ts REPORT.json [REPORT.json …]");
  Deno.exit(2);
}
const runs: any[] = await Promise.all(files.map(async (f) => JSON.parse(await Deno.readTextFile(f))));

type Pick = (lanes: any) => number | null | undefined;
const c50 = (lanes: any) => lanes?.throughput?.points?.find((p: any) => p.concurrency === 50 && !p.stream);
const MIB = 1048576;

function cell(pick: Pick, side: "lanes" | "relay", format: (v: number) => string): string {
  const values = runs.map((r) => pick(r[side])).filter((v): v is number => typeof v === "number");
  if (values.length === 0) return "–";
  const all = values.length > 1 ? ` (${values.map(format).join(", ")})` : "";
  return `${format(median(values))}${all}`;
}

function ratio(g: Pick, r: Pick, kind: "ratio" | "difference"): string {
  const values = runs.map((run) => {
    const a = g(run.lanes), b = r(run.relay);
    if (typeof a !== "number" || typeof b !== "number") return null;
    return kind === "ratio" ? a / b : a - b;
  }).filter((v): v is number => v !== null);
  if (values.length === 0) return "–";
  const f = (v: number) => kind === "ratio" ? `${v.toFixed(2)}×` : `${v >= 0 ? "+" : ""}${v.toFixed(2)} ms`;
  return `${f(median(values))}${values.length > 1 ? ` (${values.map(f).join(", ")})` : ""}`;
}

const rps = (v: number) => `${(v / 1000).toFixed(1)}k`;
const ms = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(2)} ms`;
const abs = (v: number) => `${v.toFixed(2)} ms`;
const us = (v: number) => `${v.toFixed(0)} µs`;
const mib = (v: number) => `${(v / MIB).toFixed(0)} MiB`;

const rows: [string, string, string, string, string][] = [
  [
    "c=50 throughput",
    cell((l) => c50(l)?.direct?.throughput_rps, "lanes", rps),
    cell((l) => c50(l)?.gateway?.throughput_rps, "relay", rps),
    cell((l) => c50(l)?.gateway?.throughput_rps, "lanes", rps),
    ratio((l) => c50(l)?.kept_pct, (l) => c50(l)?.kept_pct, "ratio") + " (kept shares)",
  ],
  [
    "c=1 added p50 over direct",
    "–",
    cell((l) => l?.latency?.added_p50_ms, "relay", ms),
    cell((l) => l?.latency?.added_p50_ms, "lanes", ms),
    ratio((l) => l?.latency?.added_p50_ms, (l) => l?.latency?.added_p50_ms, "difference"),
  ],
  [
    "c=1 added p99 over direct",
    cell((l) => l?.latency?.direct?.latency?.p99_us / 1000, "lanes", abs) + " (p99)",
    cell((l) => l?.latency?.added_p99_ms, "relay", ms),
    cell((l) => l?.latency?.added_p99_ms, "lanes", ms),
    ratio((l) => l?.latency?.added_p99_ms, (l) => l?.latency?.added_p99_ms, "difference"),
  ],
  [
    "CPU per request, c=50 (process, all threads)",
    "–",
    cell((l) => c50(l)?.cost?.cpu_us_per_request, "relay", us),
    cell((l) => c50(l)?.cost?.cpu_us_per_request, "lanes", us),
    ratio((l) => c50(l)?.cost?.cpu_us_per_request, (l) => c50(l)?.cost?.cpu_us_per_request, "ratio"),
  ],
  [
    "CPU per request, c=1",
    "–",
    cell((l) => l?.latency?.cost?.cpu_us_per_request, "relay", us),
    cell((l) => l?.latency?.cost?.cpu_us_per_request, "lanes", us),
    ratio((l) => l?.latency?.cost?.cpu_us_per_request, (l) => l?.latency?.cost?.cpu_us_per_request, "ratio"),
  ],
  [
    "Peak RSS under load (c=50 rounds)",
    "–",
    cell((l) => c50(l)?.cost?.rss_peak, "relay", mib),
    cell((l) => c50(l)?.cost?.rss_peak, "lanes", mib),
    ratio((l) => c50(l)?.cost?.rss_peak, (l) => c50(l)?.cost?.rss_peak, "ratio"),
  ],
  [
    "1,000 open streams, RSS",
    "–",
    cell((l) => l?.memory?.rss_open, "relay", mib),
    cell((l) => l?.memory?.rss_open, "lanes", mib),
    ratio((l) => l?.memory?.rss_open, (l) => l?.memory?.rss_open, "ratio"),
  ],
  [
    "Idle RSS",
    "–",
    cell((l) => l?.memory?.rss_idle, "relay", mib),
    cell((l) => l?.memory?.rss_idle, "lanes", mib),
    ratio((l) => l?.memory?.rss_idle, (l) => l?.memory?.rss_idle, "ratio"),
  ],
  [
    "Streaming first chunk, added (p50)",
    "–",
    cell((l) => l?.stream?.added_ttfb_p50_ms, "relay", ms),
    cell((l) => l?.stream?.added_ttfb_p50_ms, "lanes", ms),
    ratio((l) => l?.stream?.added_ttfb_p50_ms, (l) => l?.stream?.added_ttfb_p50_ms, "difference"),
  ],
  [
    "Streaming chunk gap, added (p50)",
    "–",
    cell((l) => l?.stream?.added_gap_p50_ms, "relay", ms),
    cell((l) => l?.stream?.added_gap_p50_ms, "lanes", ms),
    ratio((l) => l?.stream?.added_gap_p50_ms, (l) => l?.stream?.added_gap_p50_ms, "difference"),
  ],
];

const out = [
  `Medians over ${runs.length} run(s) (each run's value in brackets); runs started ${
    runs.map((r) => r.started_at).join(", ")
  }.`,
  "",
  "| | direct | bare relay | azmw full pipeline | azmw vs relay |",
  "|---|---|---|---|---|",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
  "",
  "| Target | Limit | Result per run |",
  "|---|---|---|",
  ...OVERHEAD_TARGETS.map((t) => {
    const results = runs.map((r) => {
      const c = r.targets.find((x: any) => x.id === t.id);
      return c ? `${c.result}${c.measured === null ? "" : ` (${Number(c.measured).toFixed(2)})`}` : "–";
    });
    return `| ${t.target} | ${limitText(t)} | ${results.join(" / ")} |`;
  }),
];
console.log(out.join("\n"));
