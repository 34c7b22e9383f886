/**
 * Measures how far daily cost caps hold under concurrency: per scenario, 100 calls start at once against
 * a gateway (full pipeline, the shipped price table, a daily cap) whose upstream answers after 300 ms with
 * exactly the usage the scenario says a real provider would bill — the output capped by the maximum the
 * request carries when it reaches the upstream, times its `n`. Prints a Markdown table: cap, settled
 * spend, overshoot, calls admitted and refused, and the smallest output maximum the gateway set.
 *
 *   npx -y deno@2.9.6 run --allow-all scripts/cost_overshoot.ts
 */
import { parseConfigText } from "../src/config/load.ts";
import { costStage, createCostControl } from "../src/cost/mod.ts";
import { resolvePolicy } from "../src/governance/policy.ts";
import { apiKeyAuth } from "../src/providers/azure/auth.ts";
import { testApp } from "../tests/_helpers/app.ts";
import { scriptArgs } from "./_args.ts";

scriptArgs({ options: {} }); // --help, and no unknown options

const CALLS = 100;
const LATENCY_MS = 300;
const MAX_FIELDS = ["max_tokens", "max_completion_tokens", "max_output_tokens"];

interface Scenario {
  name: string;
  cap: number;
  /** Which scope carries the cap. */
  scope: "global" | "key" | "project";
  path: string;
  body: Record<string, unknown>;
  /** Prompt tokens the provider bills for the body. */
  prompt: (body: Record<string, unknown>) => number;
  /** Output tokens per choice the model would write without a maximum. */
  output: number;
}

const CONFIG = `auth: { keys: [{ id: dev, key: env:C, project: demo }] }
upstreams:
  - { name: az, kind: azure, endpoint: "https://res.example", auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o, model: gpt-4o }] }
  - { name: an, kind: anthropic, auth: { type: api_key, key: env:A }, deployments: [claude-opus-4-1] }
models:
  deep: { targets: [{ upstream: an, model: claude-opus-4-1 }] }
logs: { bodies: false }
`;

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o",
  messages: [{ role: "user", content }],
  ...extra,
});
const english = "Summarise the quarterly figures in three short bullet points. ".repeat(7);
/** 4 characters a token plus 7 for the message. */
const plain = (b: Record<string, unknown>) => Math.ceil(JSON.stringify(b.messages).length / 4) + 7;

const SCENARIOS: Scenario[] = [
  ...(["global", "key", "project"] as const).map((scope) => ({
    name: `max_tokens set, estimate ≈ actual (${scope} cap)`,
    cap: 0.06,
    scope,
    path: "/v1/chat/completions",
    body: ask(english, { max_tokens: 100 }),
    prompt: plain,
    output: 100,
  })),
  {
    name: "max_tokens set, streamed (global cap)",
    cap: 0.06,
    scope: "global",
    path: "/v1/chat/completions",
    body: ask(english, { max_tokens: 100, stream: true }),
    prompt: plain,
    output: 100,
  },
  {
    name: "no max_tokens, real output 20,000 tokens",
    cap: 3.48,
    scope: "global",
    path: "/v1/chat/completions",
    body: ask(english),
    prompt: plain,
    output: 20_000,
  },
  {
    name: "public `models:` name routed to claude-opus-4-1",
    cap: 0.386,
    scope: "global",
    path: "/v1/chat/completions",
    body: { ...ask(english, { max_tokens: 1000 }), model: "deep" },
    prompt: plain,
    output: 1000,
  },
  {
    name: "CJK-like prompt (real tokens 2.63 × chars/4)",
    cap: 0.13,
    scope: "global",
    path: "/v1/chat/completions",
    body: ask("漢字".repeat(1000), { max_tokens: 50 }),
    prompt: () => Math.ceil((2000 / 4) * 2.63) + 7,
    output: 50,
  },
  {
    name: "`n: 4`",
    cap: 0.112,
    scope: "global",
    path: "/v1/chat/completions",
    body: ask(english, { max_tokens: 100, n: 4 }),
    prompt: plain,
    output: 100,
  },
  {
    name: "no max_tokens, short answers (50 tokens; all 100 fit in 10% of the cap)",
    cap: 0.5,
    scope: "global",
    path: "/v1/chat/completions",
    body: ask("Say hi."),
    prompt: plain,
    output: 50,
  },
];

function answer(url: string, body: Record<string, unknown>, s: Scenario): Response {
  const max = MAX_FIELDS.map((f) => body[f]).find((v) => typeof v === "number") as number | undefined;
  const n = typeof body.n === "number" ? body.n : 1;
  const completion = Math.min(s.output, max ?? Infinity) * n;
  const prompt = s.prompt(body);
  if (url.includes("anthropic")) {
    return Response.json({
      id: "msg",
      type: "message",
      role: "assistant",
      model: "claude-opus-4-1-20250805",
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      usage: { input_tokens: prompt, output_tokens: completion },
    });
  }
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (body.stream !== true) {
    return Response.json({
      id: "c",
      object: "chat.completion",
      model: "gpt-4o-2024-11-20",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage,
    });
  }
  const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const head = { id: "c", object: "chat.completion.chunk", model: "gpt-4o-2024-11-20" };
  let text = chunk({ ...head, choices: [{ index: 0, delta: { content: "ok" }, finish_reason: "stop" }] });
  const opts = body.stream_options as { include_usage?: boolean } | undefined;
  if (opts?.include_usage) text += chunk({ ...head, choices: [], usage });
  return new Response(text + "data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
}

async function run(s: Scenario) {
  const config = parseConfigText(
    CONFIG + (s.scope === "global" ? `budget: { daily_eur: ${s.cap} }\n` : ""),
    "overshoot.yaml",
    { hostname: () => "bench" },
  );
  const cost = createCostControl(config, { warn: () => {}, tokenizer: false });
  const capOf = (scope: string) => s.scope === scope ? { dailyCostEur: s.cap } : {};
  const caller = {
    keyId: "dev",
    project: "demo",
    tokenId: null,
    kind: "key",
    policy: resolvePolicy({
      project: { name: "demo", policy: capOf("project") },
      subject: { scope: "key:dev", policy: capOf("key") },
    }),
  };
  const setMax: number[] = [];
  const app = testApp({
    config,
    authenticate: () => caller,
    upstreamAuth: new Map(config.upstreams.map((u) => [u.name, apiKeyAuth("up")])),
    fetch: async (url, init) => {
      const raw = typeof init.body === "string"
        ? init.body
        : new TextDecoder().decode(init.body as Uint8Array);
      const body = JSON.parse(raw);
      const asked = MAX_FIELDS.map((f) => body[f]).find((v) => typeof v === "number");
      if (typeof asked === "number") setMax.push(asked);
      await new Promise((r) => setTimeout(r, LATENCY_MS));
      return answer(url, body, s);
    },
    admission: [costStage(cost)],
  });
  const statuses = await Promise.all(Array.from({ length: CALLS }, async () => {
    const res = await app(
      new Request(`http://gw${s.path}`, {
        method: "POST",
        headers: { authorization: "Bearer caller", "content-type": "application/json" },
        body: JSON.stringify(s.body),
      }),
    );
    await res.arrayBuffer();
    return res.status;
  }));
  const scope = s.scope === "global" ? "global" : s.scope === "key" ? "key:dev" : "project:demo";
  const spent = cost.spendToday(scope);
  return {
    spent,
    admitted: statuses.filter((x) => x === 200).length,
    refused: statuses.filter((x) => x === 429).length,
    minMax: setMax.length === 0 ? null : Math.min(...setMax),
  };
}

const rows = [
  "| scenario | cap € | settled spend € | overshoot | admitted | refused | smallest upstream max |",
  "|---|---|---|---|---|---|---|",
];
for (const s of SCENARIOS) {
  const r = await run(s);
  const over = ((r.spent - s.cap) / s.cap) * 100;
  rows.push(
    `| ${s.name} | ${s.cap} | ${r.spent.toFixed(4)} (${((r.spent / s.cap) * 100).toFixed(1)}% of cap) | ` +
      `${over > 0 ? "+" : ""}${over.toFixed(1)}% | ${r.admitted} | ${r.refused} | ${r.minMax ?? "—"} |`,
  );
}
console.log(rows.join("\n"));
