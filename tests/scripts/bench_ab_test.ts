import assert from "node:assert/strict";
import { median, parseWrk, wrkMs } from "../../scripts/bench_ab.ts";

Deno.test("bench_ab reads wrk's report: requests, errors and the p50/p99 latencies in milliseconds", () => {
  const out = `Running 4s test @ http://127.0.0.1:1/x
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.73ms    4.10ms  40.01ms   71.20%
  Latency Distribution
     50%  523.00us
     75%   10.10ms
     90%   14.00ms
     99%    1.20s
  18820 requests in 4.00s, 33.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   4704.95
`;
  assert.deepEqual(parseWrk(out), { requests: 18820, errors: 7, p50Ms: 0.523, p99Ms: 1200 });
  assert.equal(wrkMs("2.5ms"), 2.5);
  assert.ok(Number.isNaN(wrkMs("fast")));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
