import assert from "node:assert/strict";
import {
  injectUsage,
  optionalApiVersion,
  planAzureRequest,
  requireApiVersion,
  upstreamQuery,
} from "../../../src/providers/azure/request.ts";
import type { GatewayError } from "../../../src/server/errors.ts";
import type { InferenceRoute } from "../../../src/server/routes.ts";
import { azureUpstream } from "../../_helpers/config.ts";

const upstream = azureUpstream("https://res.openai.azure.com");
const target = { upstream, deployment: upstream.deployments[0]! };
const route = (
  style: InferenceRoute["style"],
  operation: InferenceRoute["operation"] = "chat",
): InferenceRoute => ({
  kind: "inference",
  dialect: style === "openai" ? "openai" : "azure",
  style,
  operation,
  ...(style === "deployment" ? { deployment: "gpt-4o-prod" } : {}),
});

Deno.test("planAzureRequest() keeps the caller's path and api-version, and drops the rest of the query", () => {
  const body = { messages: [] };
  const plan = planAzureRequest(route("deployment"), target, {
    body,
    search: "?api-version=2024-10-21&x=1",
    apiVersion: "2024-10-21",
  });
  assert.equal(
    plan.url,
    "https://res.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
  );
  assert.equal(plan.rewrite, false);
});

Deno.test("planAzureRequest() maps OpenAI-style calls to the deployment route with the upstream api-version", () => {
  const body = { model: "gpt-4o", input: "x" };
  const plan = planAzureRequest(route("openai", "embeddings"), target, {
    body,
    search: "",
    apiVersion: null,
  });
  assert.equal(
    plan.url,
    "https://res.openai.azure.com/openai/deployments/gpt-4o-prod/embeddings?api-version=2024-10-21",
  );
  assert.equal(plan.rewrite, false);
  assert.equal(body.model, "gpt-4o");
});

Deno.test("planAzureRequest() names the deployment as model on v1 and Responses routes", () => {
  for (
    const [r, url] of [
      [route("azure_v1"), "https://res.openai.azure.com/openai/v1/chat/completions"],
      [route("openai", "responses"), "https://res.openai.azure.com/openai/v1/responses"],
      [
        route("azure_responses", "responses"),
        "https://res.openai.azure.com/openai/responses?api-version=2025-03-01-preview",
      ],
    ] as const
  ) {
    const body: Record<string, unknown> = { model: "gpt-4o" };
    const search = r.style === "azure_responses" ? "?api-version=2025-03-01-preview" : "";
    const plan = planAzureRequest(r, target, { body, search, apiVersion: null });
    assert.equal(plan.url, url);
    assert.equal(plan.rewrite, true);
    assert.equal(body.model, "gpt-4o-prod");
  }
  const same: Record<string, unknown> = { model: "gpt-4o-prod" };
  assert.equal(
    planAzureRequest(route("azure_v1"), target, { body: same, search: "", apiVersion: null }).rewrite,
    false,
  );
});

Deno.test("planAzureRequest() asks for usage on streams only where the api-version allows it", () => {
  const body: Record<string, unknown> = { stream: true };
  const plan = planAzureRequest(route("deployment"), target, {
    body,
    search: "?api-version=2024-10-21",
    apiVersion: "2024-10-21",
  });
  assert.equal(plan.injectedUsage, true);
  assert.equal(plan.rewrite, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  const old: Record<string, unknown> = { stream: true };
  const p2 = planAzureRequest(route("deployment"), target, {
    body: old,
    search: "?api-version=2024-02-01",
    apiVersion: "2024-02-01",
  });
  assert.equal(p2.injectedUsage, false);
  assert.equal(old.stream_options, undefined);
});

Deno.test("injectUsage() leaves requests that already ask for usage alone", () => {
  assert.equal(injectUsage("chat", { stream: true, stream_options: { include_usage: true } }), false);
  assert.equal(injectUsage("chat", { stream: false }), false);
  assert.equal(injectUsage("embeddings", { stream: true }), false);
  assert.equal(injectUsage("chat", { stream: true, stream_options: "bad" }), false);
  const b: Record<string, unknown> = { stream: true, stream_options: { include_usage: false } };
  assert.equal(injectUsage("completions", b), true);
  assert.deepEqual(b.stream_options, { include_usage: true });
});

Deno.test("requireApiVersion() requires a well-formed api-version", () => {
  assert.equal(
    requireApiVersion(new URLSearchParams("api-version=2025-04-01-preview")),
    "2025-04-01-preview",
  );
  assert.throws(
    () => requireApiVersion(new URLSearchParams("")),
    (e: GatewayError) => e.code === "missing_api_version" && e.status === 400,
  );
  assert.throws(
    () => requireApiVersion(new URLSearchParams("api-version=latest")),
    (e: GatewayError) => e.code === "invalid_api_version",
  );
});

Deno.test("upstreamQuery() never forwards caller credentials in the query", () => {
  assert.equal(upstreamQuery(""), "");
  assert.equal(upstreamQuery("?api-version=2024-10-21"), "?api-version=2024-10-21");
  for (
    const name of [
      "api-key",
      "key",
      "subscription-key",
      "code",
      "sig",
      "access_token",
      "Ocp-Apim-Subscription-Key",
    ]
  ) {
    assert.equal(
      upstreamQuery(`?api-version=2024-10-21&${name}=caller-secret`),
      "?api-version=2024-10-21",
      name,
    );
    assert.equal(
      upstreamQuery(`?${name}=caller-secret&api-version=2024-10-21`),
      "?api-version=2024-10-21",
      name,
    );
    assert.equal(upstreamQuery(`?${name}=caller-secret`), "", name);
  }
  assert.equal(upstreamQuery("?api-version=preview&x=1"), "?api-version=preview");
});

Deno.test("requireApiVersion() refuses impossible dates and repeated api-version with 400", () => {
  for (const v of ["2024-13-45", "2024-02-30", "2023-02-29-preview", "2024-00-10"]) {
    assert.throws(() => requireApiVersion(new URLSearchParams({ "api-version": v })), (e: GatewayError) => {
      assert.equal(e.status, 400, v);
      assert.equal(e.code, "invalid_api_version");
      assert.match(e.message, /real date/);
      return true;
    });
  }
  assert.equal(requireApiVersion(new URLSearchParams({ "api-version": "2024-02-29" })), "2024-02-29");
  assert.throws(
    () => requireApiVersion(new URLSearchParams("api-version=2024-10-21&api-version=2024-10-21")),
    (e: GatewayError) => e.status === 400 && e.code === "duplicate_api_version" && e.param === "api-version",
  );
});

Deno.test("optionalApiVersion() takes preview, latest or a real date once", () => {
  assert.equal(optionalApiVersion(new URLSearchParams("")), null);
  assert.equal(optionalApiVersion(new URLSearchParams("api-version=preview")), "preview");
  assert.equal(
    optionalApiVersion(new URLSearchParams("api-version=2025-04-01-preview")),
    "2025-04-01-preview",
  );
  assert.throws(() => optionalApiVersion(new URLSearchParams("api-version=2024-13-45")), /real date/);
  assert.throws(
    () => optionalApiVersion(new URLSearchParams("api-version=preview&api-version=latest")),
    /more than once/,
  );
});
