/**
 * What a replica adds when its store is PostgreSQL: the record shipper (its log files → `call_records`),
 * the spend rebuild's source (every replica's records of today), and the health and metrics of both.
 * With the embedded SQLite store there is nothing to add and `openReplica()` returns `null`.
 */
import type { RecordSource } from "../cost/rebuild.ts";
import { scanCosts } from "../cost/scan.ts";
import { dayFiles } from "../logs/reader.ts";
import { RecordShipper, type ShipperOptions } from "../logs/ship.ts";
import { withTimeout } from "../store/postgres_db.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { CallRecordTable } from "../cost/call_records.ts";
import { SharedStore } from "../store/postgres_shared.ts";
import type { Store } from "../store/types.ts";

/** The shared-record parts of a replica. */
export interface Replica {
  shipper: RecordShipper;
  table: CallRecordTable;
  /**
   * The rebuild's source: the other replicas' records from PostgreSQL, this one's from its own files (the
   * last rate window's calls from those alone); `undefined` (rebuild from the files) when PostgreSQL
   * cannot be reached.
   */
  rebuildSource(): Promise<RecordSource | undefined>;
  /** Whether callers from the store can be served: the credential snapshot has loaded once. */
  ready(): boolean;
  /** `/health` fields: `store` and `record_shipping`. */
  health(): Record<string, unknown>;
  /** Adds the store and shipping gauges. */
  register(metrics: Pick<GatewayMetrics, "gauge">): void;
  /** Ships what it can one last time and stops. */
  close(): Promise<void>;
}

/** Starts shipping records when `store` is the PostgreSQL store; `null` otherwise. */
export function openReplica(
  store: Store,
  options: Omit<ShipperOptions, "warn"> & { warn?: (message: string) => void },
): Replica | null {
  if (!(store instanceof SharedStore)) return null;
  const table = new CallRecordTable(store.direct.sql);
  const shipper = new RecordShipper(table, options);
  shipper.start();
  const warn = options.warn ?? (() => {});
  return {
    shipper,
    table,
    async rebuildSource() {
      try {
        await withTimeout(table.offsets(options.instance), { ms: 5_000, what: "Reaching PostgreSQL" });
      } catch {
        warn("PostgreSQL is unreachable: today's spend is rebuilt from the log files of this machine only");
        return undefined;
      }
      // The other replicas' records from PostgreSQL, this one's from its own files: start-up never waits
      // for a shipping backlog.
      return async (day, onRecord, recent) => {
        const others = await table.spendOfDay(day, onRecord, { exceptInstance: options.instance });
        let files: string[] = [];
        try {
          files = await dayFiles(options.dir, day, { instance: options.instance });
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
        const own = await scanCosts(files, onRecord, { warn, ...(recent ? { recent } : {}) });
        return {
          files: others.files + own.files,
          records: others.records + own.records,
          skipped: own.skipped,
          bytes: own.bytes,
          unclosed: others.unclosed + own.unclosed,
        };
      };
    },
    ready: () => store.health().snapshotAgeMs !== null,
    health() {
      const s = store.health();
      const r = shipper.stats();
      return {
        store: {
          backend: s.backend,
          up: s.up,
          error: s.error,
          snapshot_age_ms: s.snapshotAgeMs,
        },
        record_shipping: {
          up: r.up,
          error: r.error,
          shipped: r.shipped,
          pending_bytes: r.pendingBytes,
        },
      };
    },
    register(metrics) {
      const one = (v: number) => () => [[undefined, v]] as [undefined, number][];
      const of = (pick: () => number) => () => one(pick())();
      metrics.gauge(
        "azmw_store_up",
        "1 while the PostgreSQL store answers, else 0",
        [],
        of(() => +store.health().up),
      );
      metrics.gauge(
        "azmw_store_snapshot_age_seconds",
        "Age of the credential snapshot the request path reads",
        [],
        of(() => (store.health().snapshotAgeMs ?? -1000) / 1000),
      );
      metrics.gauge(
        "azmw_store_queries_total",
        "Queries sent to PostgreSQL",
        [],
        of(() => store.health().queries),
        {
          counter: true,
        },
      );
      metrics.gauge(
        "azmw_records_ship_up",
        "1 while request records reach PostgreSQL, else 0",
        [],
        of(() => +shipper.stats().up),
      );
      metrics.gauge(
        "azmw_records_shipped_total",
        "Request records shipped to PostgreSQL",
        [],
        of(() => shipper.stats().shipped),
        { counter: true },
      );
      metrics.gauge(
        "azmw_records_ship_pending_bytes",
        "Bytes of this replica's log files not yet shipped to PostgreSQL",
        [],
        of(() => shipper.stats().pendingBytes),
      );
      metrics.gauge(
        "azmw_records_ship_failures_total",
        "Failed shipping passes (retried)",
        [],
        of(() => shipper.stats().failures),
        { counter: true },
      );
    },
    close: () => shipper.close(),
  };
}
