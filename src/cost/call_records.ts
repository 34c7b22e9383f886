/**
 * The `call_records` table: every replica's request records (plain metadata in columns for queries and as
 * JSON, the sealed bodies — still sealed — as JSON of their own, so reading metadata never loads them), written in batches by the record shipper and read
 * by the cost report and the spend rebuild. Each batch commits with the shipped offset of its file, and
 * records are keyed by id, so a batch sent twice changes nothing.
 */
import type { Sql } from "postgres";
import { type LogMeta, unclosedMeta } from "./scan.ts";
import type { StartedEntry } from "../logs/record.ts";
import type { ShipBatch, ShipTarget } from "../logs/ship.ts";

/** What a read from the table saw. */
export interface TableScan {
  /** Distinct replica-days read (what the file readers count as files). */
  files: number;
  records: number;
  skipped: number;
  bytes: number;
  /** Started entries no record closed, counted at their reservation. */
  unclosed: number;
}

/** The shipped records of every replica in PostgreSQL. */
export class CallRecordTable implements ShipTarget {
  /** Over a pool on a migrated database. */
  constructor(readonly sql: Sql) {}

  /** Shipped bytes per file of `instance`. */
  async offsets(instance: string): Promise<Map<string, number>> {
    const rows = await this.sql.unsafe(
      "SELECT file, shipped_bytes FROM call_record_files WHERE instance = $1",
      [instance],
    );
    return new Map(rows.map((r) => [String(r.file), Number(r.shipped_bytes)]));
  }

  /** Inserts the batch's records (those not there yet) and moves the file's offset, in one transaction. */
  async ship(batch: ShipBatch, now: number): Promise<void> {
    const { instance, records: r } = batch;
    await this.sql.begin(async (tx) => {
      if (r.length > 0) {
        await tx.unsafe(
          `INSERT INTO call_records (id, day, ts, instance, key_id, project, token_id, model, upstream, status,
             cost_eur, meta, request, response)
           SELECT u.id, $2, u.ts::timestamptz, u.instance, u.key_id, u.project, u.token_id, u.model, u.upstream,
             u.status, u.cost_eur, u.meta::jsonb, u.request::jsonb, u.response::jsonb
           FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
             $9::text[], $10::text[], $11::float8[], $12::text[], $13::text[], $14::text[])
             AS u(id, ts, instance, key_id, project, token_id, model, upstream, status, cost_eur, meta, request,
               response)
           ON CONFLICT (id) DO NOTHING`,
          [
            r.map((x) => x.id),
            batch.day,
            r.map((x) => validTime(x.ts, now)),
            r.map((x) => x.instance ?? instance),
            r.map((x) => x.caller?.key_id ?? null),
            r.map((x) => x.caller?.project ?? null),
            r.map((x) => x.caller?.token_id ?? null),
            r.map((x) => x.model ?? null),
            r.map((x) => x.upstream ?? null),
            r.map((x) => x.status ?? null),
            r.map((x) => x.cost_eur ?? null),
            r.map(({ request: _, response: __, ...meta }) => JSON.stringify(meta, noNul)),
            r.map((x) => x.request == null ? null : JSON.stringify(x.request, noNul)),
            r.map((x) => x.response == null ? null : JSON.stringify(x.response, noNul)),
          ] as never,
        );
      }
      const st = batch.started;
      if (st.length > 0) {
        await tx.unsafe(
          `INSERT INTO call_starts (id, day, instance, key_id, project, token_id, reserved_eur, entry)
           SELECT u.id, $2, u.instance, u.key_id, u.project, u.token_id, u.reserved_eur, u.entry::jsonb
           FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[])
             AS u(id, instance, key_id, project, token_id, reserved_eur, entry)
           ON CONFLICT (id) DO NOTHING`,
          [
            st.map((x) => x.id),
            batch.day,
            st.map((x) => x.instance ?? instance),
            st.map((x) => x.caller?.key_id ?? null),
            st.map((x) => x.caller?.project ?? null),
            st.map((x) => x.caller?.token_id ?? null),
            st.map((x) => x.reserved_eur ?? null),
            st.map((x) => JSON.stringify(x, noNul)),
          ] as never,
        );
      }
      await tx.unsafe(
        `INSERT INTO call_record_files (instance, file, shipped_bytes, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance, file) DO UPDATE SET shipped_bytes = GREATEST(call_record_files.shipped_bytes,
           EXCLUDED.shipped_bytes), updated_at = EXCLUDED.updated_at`,
        [instance, batch.file, batch.offset, now],
      );
    });
  }

  /**
   * The spend rebuild's read of `day`: every replica's logged costs summed per replica and caller in the
   * database (the columns only, never the JSON), plus the metadata of each record logged without a cost
   * (priced by the caller). `onRecord` gets the caller as JSON text, like the file scanner's fast path.
   */
  async spendOfDay(
    day: string,
    onRecord: (caller: string, cost: number | LogMeta) => void,
    options: { exceptInstance?: string } = {},
  ): Promise<TableScan> {
    // A replica reads its own records from its files (its latest may not be shipped yet): "" excludes none.
    const except = options.exceptInstance ?? "";
    const stats: TableScan = { files: 0, records: 0, skipped: 0, bytes: 0, unclosed: 0 };
    const instances = new Set<string>();
    const groups = await this.sql.unsafe(
      `SELECT instance, key_id, project, token_id, count(*)::int AS n, sum(cost_eur) AS eur FROM call_records
       WHERE day = $1 AND instance <> $2 AND cost_eur IS NOT NULL GROUP BY instance, key_id, project, token_id`,
      [day, except],
    );
    for (const g of groups) {
      instances.add(String(g.instance));
      stats.records += Number(g.n);
      const caller = { key_id: g.key_id ?? null, project: g.project ?? null, token_id: g.token_id ?? null };
      onRecord(JSON.stringify(caller), Number(g.eur));
    }
    const unpriced = await this.sql.unsafe(
      `SELECT instance, meta FROM call_records WHERE day = $1 AND instance <> $2 AND cost_eur IS NULL`,
      [day, except],
    );
    for (const row of unpriced) {
      instances.add(String(row.instance));
      stats.records++;
      const meta = (typeof row.meta === "string" ? JSON.parse(row.meta) : row.meta) as LogMeta;
      onRecord(JSON.stringify(meta.caller ?? null), meta);
    }
    for (const row of await this.#unclosed(day, except)) {
      instances.add(String(row.instance));
      stats.records++;
      stats.unclosed++;
      const entry = row.entry as StartedEntry;
      onRecord(JSON.stringify(entry.caller ?? null), entry.reserved_eur ?? 0);
    }
    stats.files = instances.size;
    return stats;
  }

  /** Started entries of `day` that no shipped record closed. */
  async #unclosed(day: string, except = ""): Promise<{ instance: unknown; entry: unknown }[]> {
    const rows = await this.sql.unsafe(
      `SELECT s.instance, s.entry FROM call_starts s WHERE s.day = $1 AND s.instance <> $2
       AND NOT EXISTS (SELECT 1 FROM call_records r WHERE r.id = s.id)`,
      [day, except],
    );
    return rows.map((r) => ({
      instance: r.instance,
      entry: typeof r.entry === "string" ? JSON.parse(r.entry) : r.entry,
    }));
  }

  /** Calls `onRecord` with the metadata of every record of `day`, every replica's (in no set order). */
  async scanDay(day: string, onRecord: (meta: LogMeta) => void): Promise<TableScan> {
    const stats: TableScan = { files: 0, records: 0, skipped: 0, bytes: 0, unclosed: 0 };
    // Metadata only: the sealed bodies stay in the database.
    const cursor = this.sql.unsafe(
      `SELECT instance, meta FROM call_records WHERE day = $1`,
      [day],
    ).cursor(1_000);
    const instances = new Set<string>();
    for await (const rows of cursor) {
      for (const row of rows) {
        instances.add(String(row.instance));
        const meta = typeof row.meta === "string" ? JSON.parse(row.meta) : row.meta;
        stats.records++;
        onRecord(meta as LogMeta);
      }
    }
    for (const row of await this.#unclosed(day)) {
      instances.add(String(row.instance));
      stats.records++;
      stats.unclosed++;
      onRecord(unclosedMeta(row.entry as StartedEntry));
    }
    stats.files = instances.size;
    return stats;
  }
}

/** A record's time as PostgreSQL takes it; a line with a broken time keeps the shipping time. */
function validTime(ts: unknown, now: number): string {
  const ms = typeof ts === "string" ? Date.parse(ts) : NaN;
  return new Date(Number.isNaN(ms) ? now : ms).toISOString();
}

/** `jsonb` refuses NUL characters: one in a free-text field must not stop the shipping for good. */
function noNul(_key: string, value: unknown): unknown {
  return typeof value === "string" && value.includes("\0") ? value.replaceAll("\0", "\uFFFD") : value;
}
