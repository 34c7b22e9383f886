/**
 * The config of the gateway under test: a template whose placeholders the runner fills in. The default
 * points one Azure-style upstream at the mock; `--gateway-config FILE` swaps in another pipeline.
 */

/** Environment variable holding the temporary caller key the benchmark uses. */
export const BENCH_KEY_ENV = "AZMW_BENCH_KEY";

/** Environment variable holding the mock upstream's key. */
export const UPSTREAM_KEY_ENV = "AZMW_BENCH_UPSTREAM_KEY";

/** Environment variable holding a fresh request-log sealing key (32 random bytes, base64). */
export const LOG_KEY_ENV = "AZMW_BENCH_LOG_KEY";

/** Placeholders a template may use. */
export interface TemplateValues {
  /** Base URL of the mock upstream, e.g. `http://127.0.0.1:41234`. */
  MOCK_URL: string;
  /** A fresh temporary directory for the gateway's state and logs. */
  DATA_DIR: string;
}

/**
 * A gateway config template: the full pipeline the targets are stated for — caller auth, a policy with
 * rate limits and a daily cost cap set far above what the benchmark reaches (so the stages run but never
 * refuse), the request log with sealed bodies (or metadata only), one mock upstream.
 */
export function gatewayConfigTemplate(options: { logBodies?: boolean } = {}): string {
  const bodies = options.logBodies ?? true;
  return `# Gateway under test of "azmw bench --overhead".
server:
  host: 127.0.0.1
  data_dir: "{{DATA_DIR}}"
  shutdown_grace_ms: 1000
auth:
  keys:
    - id: bench
      key: env:${BENCH_KEY_ENV}
      project: bench
policy:
  rpm: 1000000000
  tpm: 1000000000000
  daily_cost_eur: 1000000000
logs:
  dir: "{{DATA_DIR}}/logs"
  bodies: ${bodies}
${bodies ? `  keys:\n    - key: env:${LOG_KEY_ENV}\n` : ""}upstreams:
  - name: mock
    kind: azure
    endpoint: {{MOCK_URL}}
    auth:
      type: api_key
      key: env:${UPSTREAM_KEY_ENV}
    deployments:
      - name: gpt-4o-mini
        model: gpt-4o-mini
`;
}

/** The default gateway config: the full pipeline with sealed request bodies. */
export const DEFAULT_GATEWAY_CONFIG: string = gatewayConfigTemplate();

/** Fills `{{MOCK_URL}}` and `{{DATA_DIR}}`; throws `TypeError` on any other `{{NAME}}`. */
export function renderGatewayConfig(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*([A-Za-z_]+)\s*\}\}/g, (_, name: string) => {
    if (name === "MOCK_URL" || name === "DATA_DIR") return values[name];
    throw new TypeError(`Unknown placeholder "{{${name}}}" in the gateway config; known: MOCK_URL, DATA_DIR`);
  });
}
