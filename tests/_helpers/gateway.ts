/** A real gateway on port 0 in front of a real mock upstream on port 0, for integration tests. */
import type { Config } from "../../src/config/types.ts";
import type { AdmissionStage } from "../../src/core/admission.ts";
import { serveMock } from "../../src/mock/mod.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { createApp } from "../../src/server/app.ts";
import { CALLER_SHA, testGeneration, UPSTREAM_KEY } from "./app.ts";
import { azureUpstream, testConfig } from "./config.ts";

/** Starts mock + gateway; `close()` stops both. */
export async function startGateway(
  options: {
    chunkDelayMs?: number;
    configure?: (config: Config, mockUrl: string) => void;
    /** Admission stages built from the final config (`azmw serve` adds the budget's this way). */
    admission?: (config: Config) => AdmissionStage[];
    /** Sees each record as the sinks do (a large request body is given back after them). */
    onRecord?: (record: CallRecord) => void;
  } = {},
) {
  const { configure, admission, onRecord, ...mockOptions } = options;
  const mock = serveMock({ apiKey: UPSTREAM_KEY, ...mockOptions });
  const config = testConfig([azureUpstream(mock.url)]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA, project: "demo" }];
  configure?.(config, mock.url);
  const records: CallRecord[] = [];
  const waiters: (() => void)[] = [];
  const generation = await testGeneration(config, {
    env: (n) => n === "TEST_UPSTREAM_KEY" ? UPSTREAM_KEY : undefined,
  }, [(r) => {
    onRecord?.(r);
    records.push(r);
    waiters.splice(0).forEach((w) => w());
  }], admission ?? []);
  const app = createApp({ pipeline: generation.pipeline });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    url,
    mock,
    records,
    /** Resolves once `n` records exist. */
    recordsReached: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => records.length >= n ? resolve() : waiters.push(check);
        check();
      }),
    async close() {
      await server.shutdown();
      generation.close();
      await mock.shutdown();
    },
  };
}
