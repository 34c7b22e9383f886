/**
 * `/manage/projects`: create, list, show, update (rename included), disable and delete projects. A project is
 * addressed by name or by its id (`project_id`, a UUID). The collection also takes the requests of the
 * seed management API as written: `GET` without paging answers a plain array, `PATCH` and `DELETE` name
 * the project by `project_id` in the body, and a delete answers 204.
 */
import { POLICY } from "../config/schema_manage.ts";
import { bool, opt } from "../config/schema_helpers.ts";
import type { Project, ProjectPatch } from "../store/types.ts";
import { projectView } from "../store/views.ts";
import {
  changeCall,
  listBody,
  type ManageContext,
  type ManageResult,
  notFound,
  pageQuery,
  storeCall,
} from "./context.ts";
import {
  isProjectId,
  jsonObject,
  PROJECT_ID,
  PROJECT_NAME,
  readBody,
  text,
  UPSTREAM_CREDENTIALS,
} from "./validate.ts";

const EDITABLE = {
  description: opt(text(1_000)),
  metadata: opt(jsonObject(16_384)),
  policy: opt(POLICY),
  upstream_credentials: opt(UPSTREAM_CREDENTIALS),
};

/** Most items a list without paging answers (the seed API's plain array). */
export const UNPAGED_MAX = 10_000;

/** `POST /manage/projects` */
export async function createProject(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const b = readBody({ name: PROJECT_NAME, ...EDITABLE }, body);
  const project = await changeCall(ctx, () =>
    ctx.store.createProject({
      name: b.name,
      description: b.description ?? "",
      metadata: b.metadata ?? {},
      policy: b.policy ?? {},
      upstreamCredentials: b.upstreamCredentials ?? {},
    }, { actor: ctx.actor, at: ctx.now() }));
  return { status: 201, body: projectView(project) };
}

/** Whether a list request pages (`limit` or `cursor`): then it answers the list envelope, else an array. */
export function pages(query: URLSearchParams): boolean {
  return query.has("limit") || query.has("cursor");
}

/** Every item of a paged store list, up to `UNPAGED_MAX`. */
export async function everyItem<T>(
  list: (q: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await storeCall(() =>
      list(cursor === null ? { limit: 100 } : { limit: 100, cursor })
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && out.length < UNPAGED_MAX);
  return out.slice(0, UNPAGED_MAX);
}

/** `GET /manage/projects`: a page in the list envelope with `limit`/`cursor`, else an array of all. */
export async function listProjects(ctx: ManageContext, query: URLSearchParams): Promise<ManageResult> {
  if (!pages(query)) {
    const all = await everyItem((q) => ctx.store.listProjects(q));
    return { status: 200, body: all.map(projectView) };
  }
  const page = await storeCall(() => ctx.store.listProjects(pageQuery(query)));
  return { status: 200, body: listBody(page.items.map(projectView), page.nextCursor) };
}

/** The project named by a path segment or body field: a name, or an id (UUID). */
export async function projectOf(ctx: ManageContext, nameOrId: string): Promise<Project> {
  const project = await storeCall(() =>
    isProjectId(nameOrId) ? ctx.store.getProjectById(nameOrId.toLowerCase()) : ctx.store.getProject(nameOrId)
  );
  if (project === null) throw notFound("Project", nameOrId);
  return project;
}

/** `GET /manage/projects/{name or id}` */
export async function getProject(ctx: ManageContext, nameOrId: string): Promise<ManageResult> {
  return { status: 200, body: projectView(await projectOf(ctx, nameOrId)) };
}

const PATCHABLE = { ...EDITABLE, name: opt(PROJECT_NAME), disabled: opt(bool()) };

async function patch(ctx: ManageContext, project: Project, b: ReturnType<typeof readPatch>) {
  const p: ProjectPatch = {};
  if (b.name !== undefined) p.name = b.name;
  if (b.description !== undefined) p.description = b.description;
  if (b.metadata !== undefined) p.metadata = b.metadata;
  if (b.policy !== undefined) p.policy = b.policy;
  if (b.upstreamCredentials !== undefined) p.upstreamCredentials = b.upstreamCredentials;
  if (b.disabled !== undefined) p.disabled = b.disabled;
  const updated = await changeCall(
    ctx,
    () => ctx.store.updateProject(project.name, p, { actor: ctx.actor, at: ctx.now() }),
  );
  return { status: 200, body: projectView(updated) };
}

function readPatch(body: unknown) {
  return readBody(PATCHABLE, body);
}

/**
 * `PATCH /manage/projects/{name or id}`: fields given replace the stored ones (`policy` as a whole); a new
 * `name` renames the project — its keys and tokens follow, its logged calls and costs keep the old name.
 */
export async function updateProject(
  ctx: ManageContext,
  nameOrId: string,
  body: unknown,
): Promise<ManageResult> {
  const b = readPatch(body);
  return await patch(ctx, await projectOf(ctx, nameOrId), b);
}

/** `PATCH /manage/projects` with `project_id` in the body (the seed API's form). */
export async function updateProjectById(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const { projectId, ...rest } = readBody({ project_id: PROJECT_ID, ...PATCHABLE }, body);
  return await patch(ctx, await projectOf(ctx, projectId), rest);
}

/** `DELETE /manage/projects/{name or id}`: revokes its keys and tokens; its records and costs stay. */
export async function deleteProject(ctx: ManageContext, nameOrId: string): Promise<ManageResult> {
  const project = await projectOf(ctx, nameOrId);
  await changeCall(ctx, () => ctx.store.deleteProject(project.name, { actor: ctx.actor, at: ctx.now() }));
  return { status: 204, body: null };
}

/** `DELETE /manage/projects` with `project_id` in the body (the seed API's form). */
export async function deleteProjectById(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const { projectId } = readBody({ project_id: PROJECT_ID }, body);
  return await deleteProject(ctx, projectId);
}
