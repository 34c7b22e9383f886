/** `GET /manage/audit`: the audit trail, newest first, filtered by project or target. */
import type { AuditEntry } from "../store/types.ts";
import { iso } from "../store/views.ts";
import { invalid, listBody, type ManageContext, type ManageResult, pageQuery, storeCall } from "./context.ts";

const TARGET_TYPES = ["project", "key", "token"] as const;

/** Public view of an audit entry. */
export function auditView(e: AuditEntry): Record<string, unknown> {
  return {
    object: "audit_entry",
    id: e.id,
    at: iso(e.at),
    actor: e.actor,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    project: e.project,
    before: e.before,
    after: e.after,
  };
}

/** `GET /manage/audit[?project=&target_type=&target_id=]` */
export async function listAudit(ctx: ManageContext, query: URLSearchParams): Promise<ManageResult> {
  const targetType = query.get("target_type");
  if (targetType !== null && !(TARGET_TYPES as readonly string[]).includes(targetType)) {
    throw invalid(
      "target_type",
      `expected one of "project", "key", "token", got ${JSON.stringify(targetType.slice(0, 20))}`,
    );
  }
  const project = query.get("project");
  const targetId = query.get("target_id");
  const page = await storeCall(() =>
    ctx.store.listAudit({
      ...pageQuery(query),
      ...(project ? { project } : {}),
      ...(targetType ? { targetType: targetType as AuditEntry["targetType"] } : {}),
      ...(targetId ? { targetId } : {}),
    })
  );
  return { status: 200, body: listBody(page.items.map(auditView), page.nextCursor) };
}
