/** Projects in the SQLite store. */
import type { Db } from "./sqlite_db.ts";
import { projectFromRow, toPage } from "./sqlite_rows.ts";
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

/** The project called `name`, or `null`. */
export function getProject(db: Db, name: string): Project | null {
  const row = db.one("SELECT * FROM projects WHERE name = ?", name);
  return row === undefined ? null : projectFromRow(row);
}

/** The project called `name`; a `not_found` `StoreError` when there is none. */
export function projectOrFail(db: Db, name: string): Project {
  const project = getProject(db, name);
  if (project === null) throw new StoreError("not_found", `Project "${name}" does not exist`);
  return project;
}

/** Adds a project (a `conflict` when the name is taken). */
export function createProject(db: Db, p: NewProject, ctx: ChangeContext): Project {
  return db.change(ctx, () => {
    if (getProject(db, p.name) !== null) {
      throw new StoreError("conflict", `Project "${p.name}" already exists`);
    }
    const project: Project = { ...p, disabled: false, createdAt: ctx.at, updatedAt: ctx.at };
    db.q(
      `INSERT INTO projects (name, description, metadata, policy, upstream_credentials, disabled, created_at,
       updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
    ).run(
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

/** A page of projects, oldest first. */
export function listProjects(db: Db, query: ListQuery): Page<Project> {
  return toPage(db.list("projects", query), query.limit, projectFromRow);
}

/** Changes a project's fields. */
export function updateProject(db: Db, name: string, patch: ProjectPatch, ctx: ChangeContext): Project {
  return db.change(ctx, () => {
    const before = projectOrFail(db, name);
    const after: Project = { ...before, ...patch, name, updatedAt: ctx.at };
    db.q(
      `UPDATE projects SET description = ?, metadata = ?, policy = ?, upstream_credentials = ?, disabled = ?,
       updated_at = ? WHERE name = ?`,
    ).run(
      after.description,
      JSON.stringify(after.metadata),
      JSON.stringify(after.policy),
      JSON.stringify(after.upstreamCredentials),
      after.disabled ? 1 : 0,
      ctx.at,
      name,
    );
    const action = !before.disabled && after.disabled
      ? "project.disable"
      : before.disabled && !after.disabled
      ? "project.enable"
      : "project.update";
    return {
      action,
      targetType: "project",
      targetId: name,
      project: name,
      before: projectView(before),
      after: projectView(after),
      result: after,
    };
  });
}
