/** Projects in the SQLite store. */
import type { Db } from "./sqlite_db.ts";
import { decodeCursor, projectFromRow, toPage } from "./sqlite_rows.ts";
import {
  type ChangeContext,
  type ListQuery,
  type NewProject,
  type Page,
  type Project,
  type ProjectPatch,
  StoreError,
} from "./types.ts";
import { projectView } from "./views.ts";

/** The project called `name` (deleted ones excluded), or `null`. */
export function getProject(db: Db, name: string): Project | null {
  const row = db.one("SELECT * FROM projects WHERE name = ? AND deleted_at IS NULL", name);
  return row === undefined ? null : projectFromRow(row);
}

/** The project with this id (deleted ones excluded), or `null`. */
export function getProjectById(db: Db, id: string): Project | null {
  const row = db.one("SELECT * FROM projects WHERE id = ? AND deleted_at IS NULL", id);
  return row === undefined ? null : projectFromRow(row);
}

/** The project called `name`; a `not_found` `StoreError` when there is none. */
export function projectOrFail(db: Db, name: string): Project {
  const project = getProject(db, name);
  if (project === null) throw new StoreError("not_found", `Project "${name}" does not exist`);
  return project;
}

function nameTaken(db: Db, name: string): StoreError | null {
  const row = db.one("SELECT deleted_at FROM projects WHERE name = ?", name);
  if (row === undefined) return null;
  return new StoreError(
    "conflict",
    row.deleted_at === null
      ? `Project "${name}" already exists`
      : `Project name "${name}" belonged to a deleted project (its records keep it); choose another name`,
  );
}

/** Adds a project (a `conflict` when the name is taken). */
export function createProject(db: Db, p: NewProject, ctx: ChangeContext): Project {
  return db.change(ctx, () => {
    const taken = nameTaken(db, p.name);
    if (taken !== null) throw taken;
    const project: Project = {
      ...p,
      id: p.id ?? crypto.randomUUID(),
      disabled: false,
      createdAt: ctx.at,
      updatedAt: ctx.at,
    };
    db.q(
      `INSERT INTO projects (id, name, description, metadata, policy, upstream_credentials, disabled, created_at,
       updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    ).run(
      project.id,
      p.name,
      p.description,
      JSON.stringify(p.metadata),
      JSON.stringify(p.policy),
      JSON.stringify(p.upstreamCredentials),
      ctx.at,
      ctx.at,
    );
    return {
      action: "project.create",
      targetType: "project",
      targetId: p.name,
      project: p.name,
      before: null,
      after: projectView(project),
      result: project,
    };
  });
}

/** A page of projects, oldest first (deleted ones excluded). */
export function listProjects(db: Db, query: ListQuery): Page<Project> {
  const after = decodeCursor(query.cursor) ?? 0;
  const rows = db.all(
    "SELECT * FROM projects WHERE seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?",
    after,
    query.limit + 1,
  );
  return toPage(rows, query.limit, projectFromRow);
}

/** Changes a project's fields; a new name renames it (its keys and tokens follow). */
export function updateProject(db: Db, name: string, patch: ProjectPatch, ctx: ChangeContext): Project {
  return db.change(ctx, () => {
    const before = projectOrFail(db, name);
    const rename = patch.name !== undefined && patch.name !== name ? patch.name : null;
    if (rename !== null) {
      const taken = nameTaken(db, rename);
      if (taken !== null) throw taken;
    }
    const after: Project = { ...before, ...patch, id: before.id, name: rename ?? name, updatedAt: ctx.at };
    // Keys and tokens reference the name: check those references at commit, once they all follow.
    if (rename !== null) db.q("PRAGMA defer_foreign_keys = ON").run();
    db.q(
      `UPDATE projects SET name = ?, description = ?, metadata = ?, policy = ?, upstream_credentials = ?,
       disabled = ?, updated_at = ? WHERE id = ?`,
    ).run(
      after.name,
      after.description,
      JSON.stringify(after.metadata),
      JSON.stringify(after.policy),
      JSON.stringify(after.upstreamCredentials),
      after.disabled ? 1 : 0,
      ctx.at,
      before.id,
    );
    if (rename !== null) {
      db.q("UPDATE api_keys SET project = ? WHERE project = ?").run(rename, name);
      db.q("UPDATE tokens SET project = ? WHERE project = ?").run(rename, name);
    }
    const action = rename !== null
      ? "project.rename"
      : !before.disabled && after.disabled
      ? "project.disable"
      : before.disabled && !after.disabled
      ? "project.enable"
      : "project.update";
    return {
      action,
      targetType: "project",
      targetId: after.name,
      project: after.name,
      before: projectView(before),
      after: projectView(after),
      result: after,
    };
  });
}

/** Deletes a project: its keys and tokens stop working at `ctx.at`; it leaves lookups and lists. */
export function deleteProject(db: Db, name: string, ctx: ChangeContext): Project {
  return db.change(ctx, () => {
    const before = projectOrFail(db, name);
    db.q("UPDATE api_keys SET disabled_at = ?, updated_at = ? WHERE project = ? AND disabled_at IS NULL")
      .run(ctx.at, ctx.at, name);
    db.q("UPDATE tokens SET revoked_at = ?, updated_at = ? WHERE project = ? AND revoked_at IS NULL")
      .run(ctx.at, ctx.at, name);
    db.q("UPDATE projects SET deleted_at = ?, disabled = 1, updated_at = ? WHERE id = ?")
      .run(ctx.at, ctx.at, before.id);
    return {
      action: "project.delete",
      targetType: "project",
      targetId: name,
      project: name,
      before: projectView(before),
      after: null,
      result: { ...before, disabled: true, updatedAt: ctx.at },
    };
  });
}
