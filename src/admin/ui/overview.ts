/**
 * The Overview page: today's spend against every cap (the gateway's first, then the scopes nearest their
 * cap), requests, error rate and latency per model and per project, the last 30 days as charts, and the
 * health of the upstreams (credentials, breakers, calls in flight).
 */
import { GLOBAL_SCOPE, scopeLabel } from "../../cost/scopes.ts";
import { columnChart } from "./chart.ts";
import { count, esc, eur, ms, percent, table, time } from "./html.ts";
import { layout } from "./layout.ts";
import { listAll, type PageContext } from "./page.ts";
import { type GroupStats, percentile } from "./recent_calls.ts";
import { lastDays } from "./report.ts";

interface Cap {
  scope: string;
  spent: number;
  cap: number;
}

function card(label: string, value: string, sub = ""): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div>` +
    `<div class="sub">${esc(sub)}</div></div>`;
}

async function caps(ctx: PageContext): Promise<Cap[]> {
  const out: Cap[] = [];
  const gatewayCap = ctx.deps.config().budget?.dailyEur;
  const scoped: Cap[] = [];
  const add = (scope: string, policy: unknown) => {
    const cap = (policy as Record<string, unknown>).daily_cost_eur;
    if (typeof cap === "number") scoped.push({ scope, spent: ctx.deps.spendToday(scope), cap });
  };
  for (const p of await listAll(ctx, "/projects")) add(`project:${p.name}`, p.policy);
  for (const k of await listAll(ctx, "/keys")) {
    if (k.status === "active" || k.status === "grace") add(`key:${k.id}`, k.policy);
  }
  scoped.sort((a, b) => b.spent / (b.cap || 1) - a.spent / (a.cap || 1) || (a.scope < b.scope ? -1 : 1));
  if (gatewayCap !== undefined) {
    out.push({ scope: GLOBAL_SCOPE, spent: ctx.deps.spendToday(), cap: gatewayCap });
  }
  return [...out, ...scoped];
}

function statsRows(groups: Map<string, GroupStats>): string[][] {
  return [...groups].sort((a, b) => b[1].requests - a[1].requests).map(([name, g]) => [
    esc(name),
    count(g.requests),
    percent(g.requests === 0 ? 0 : g.errors / g.requests),
    ms(percentile(g.latencies, 0.5)),
    ms(percentile(g.latencies, 0.99)),
    count(g.tokens),
    esc(eur(g.costEur)),
  ]);
}

const STATS_HEAD = ["Requests", "Errors", "p50", "p99", "Tokens", "Cost"];
const BREAKER: Record<string, string> = { closed: "ok", half_open: "warn", open: "bad" };

/** Renders the Overview page. */
export async function overviewPage(ctx: PageContext): Promise<string> {
  const { total, models, projects } = ctx.deps.calls.today(ctx.now);
  const spent = ctx.deps.spendToday();
  const gatewayCap = ctx.deps.config().budget?.dailyEur;
  const capRows = (await caps(ctx)).map((c) => [
    esc(scopeLabel(c.scope)),
    esc(eur(c.spent)),
    esc(eur(c.cap)),
    `<meter min="0" max="${c.cap}" low="${c.cap * 0.8}" high="${c.cap * 0.95}" optimum="0" value="${
      Math.min(c.spent, c.cap)
    }" aria-label="${
      esc(`${scopeLabel(c.scope)}: ${percent(c.cap > 0 ? c.spent / c.cap : 1)} of its cap`)
    }"></meter> ` +
    esc(percent(c.cap > 0 ? c.spent / c.cap : 1)),
  ]);
  const days = await ctx.daily.get(ctx, lastDays(ctx, 30));
  const short = (d: string) => `${d.slice(4, 6)}-${d.slice(6)}`;
  const spendChart = columnChart(
    "Spend per day, last 30 days",
    days.map((d) => ({ label: short(d.day), value: d.costEur })),
    { format: eur },
  );
  const requestChart = columnChart(
    "Requests per day, last 30 days",
    days.map((d) => ({ label: short(d.day), value: d.requests })),
    { format: count, alt: true },
  );
  const upstreamRows = ctx.live.upstreams.map((u) => [
    esc(u.name),
    esc(u.kind),
    esc(u.auth),
    u.ready ? `<span class="badge ok">ready</span>` : `<span class="badge bad">not ready</span>`,
    u.tokenExpiresAt ? time(u.tokenExpiresAt) : u.auth === "entra" ? "no token" : "–",
    esc(u.error ?? ""),
  ]);
  const targetRows = ctx.live.targets.map((t) => [
    esc(t.upstream),
    esc(t.deployment),
    `<span class="badge ${BREAKER[t.breaker] ?? "off"}">${esc(t.breaker.replace("_", "-"))}</span>`,
    count(t.inFlight),
  ]);
  const cards = [
    card(
      "Spend today",
      eur(spent),
      gatewayCap === undefined ? "no gateway cap" : `of ${eur(gatewayCap)} cap`,
    ),
    card("Requests today", count(total.requests), "this instance"),
    card(
      "Error rate",
      percent(total.requests === 0 ? 0 : total.errors / total.requests),
      `${count(total.errors)} errors`,
    ),
    card("Latency p50", ms(percentile(total.latencies, 0.5)), "today"),
    card("Latency p99", ms(percentile(total.latencies, 0.99)), "today"),
    card("In flight", count(ctx.live.inFlight), "calls now"),
  ].join("");
  return layout(
    "Overview",
    ctx.principal,
    `<div class="cards">${cards}</div>
<section class="panel">${
      table("Today's spend against caps", ["Scope", "Spent", "Cap", "Used"], capRows, {
        numeric: [1, 2],
        empty: "No daily caps are set (budget.daily_eur, or daily_cost_eur in a policy)",
      })
    }</section>
<div class="grid2"><section class="panel">${spendChart}</section><section class="panel">${requestChart}</section></div>
<div class="grid2"><section class="panel">${
      table("Today per model", ["Model", ...STATS_HEAD], statsRows(models), {
        numeric: [1, 2, 3, 4, 5, 6],
        empty: "No calls today",
        compact: true,
      })
    }</section><section class="panel">${
      table("Today per project", ["Project", ...STATS_HEAD], statsRows(projects), {
        numeric: [1, 2, 3, 4, 5, 6],
        empty: "No calls today",
        compact: true,
      })
    }</section></div>
<div class="grid2"><section class="panel">${
      table("Upstreams", ["Upstream", "Kind", "Auth", "State", "Token expires", "Error"], upstreamRows)
    }</section><section class="panel">${
      table("Deployments", ["Upstream", "Deployment", "Breaker", "In flight"], targetRows, { numeric: [3] })
    }</section></div>`,
    { current: "/admin/" },
  );
}
