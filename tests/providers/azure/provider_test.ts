import assert from "node:assert/strict";
import type { AzureUpstreamConfig } from "../../../src/config/types.ts";
import { providerOf } from "../../../src/providers/registry.ts";
import { azureUpstream } from "../../_helpers/config.ts";
import { planInput, ROUTES } from "../_plan.ts";

const entra: AzureUpstreamConfig = azureUpstream("https://r.example", {
  auth: {
    type: "entra",
    credential: "client_secret",
    tenantId: "t",
    clientId: "c",
    clientSecret: "env:S",
    scope: "https://cognitiveservices.azure.com/.default",
  },
});

Deno.test("azure provider builds Entra auth from the injected credential, once, warmed at start", async () => {
  const asked: (string | undefined)[] = [];
  let tokens = 0;
  const auth = await providerOf(entra).createAuth(entra, {
    path: "upstreams[0].auth",
    secret: (ref, path) => Promise.resolve(`${ref}@${path}`),
    credentialFactory: (_auth, secret) => {
      asked.push(secret);
      return Promise.resolve({
        getToken: () =>
          Promise.resolve({ token: `tok-${++tokens}`, expiresOnTimestamp: Date.now() + 3_600_000 }),
      });
    },
  });
  assert.deepEqual(asked, ["env:S@upstreams[0].auth.client_secret"]);
  const h = new Headers();
  await auth.apply(h);
  assert.equal(h.get("authorization"), "Bearer tok-1");
  await auth.apply(h);
  assert.equal(tokens, 1, "cached");
  assert.equal(auth.status().ok, true);
});

Deno.test("azure provider passes bytes through and serves /v1/messages via chat completions", () => {
  const up = azureUpstream("https://r.example");
  const text = '{"messages":[]}';
  const input = planInput(up, { ...ROUTES.deploymentChat, deployment: "gpt-4o-prod" }, text);
  input.search = "?api-version=2024-10-21";
  const plan = providerOf(up).plan(input);
  assert.equal(plan.body, input.bytes);
  assert.equal(
    plan.url,
    "https://r.example/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
  );
  const m = providerOf(up).plan(
    planInput(up, ROUTES.messages, '{"model":"gpt-4o","max_tokens":7,"messages":[]}'),
  );
  assert.equal(
    m.url,
    "https://r.example/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
  );
  assert.deepEqual(JSON.parse(m.body as string), { model: "gpt-4o", messages: [], max_completion_tokens: 7 });
});
