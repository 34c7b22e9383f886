/** `/manage/projects`: create, list, show and update projects (policy, credentials, disabling). */
import { POLICY } from "../config/schema_manage.ts";
import { bool, opt } from "../config/schema_helpers.ts";
import type { ProjectPatch } from "../store/types.ts";
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
import { jsonObject, PROJECT_NAME, readBody, text, UPSTREAM_CREDENTIALS } from "./validate.ts";

const EDITABLE = {
  description: opt(text(1_000)),
  metadata: opt(jsonObject(16_384)),
  policy: opt(POLICY),
  upstream_credentials: opt(UPSTREAM_CREDENTIALS),
};

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

/** `GET /manage/projects` */
export async function listProjects(ctx: ManageContext, query: URLSearchParams): Promise<ManageResult> {
  const page = await storeCall(() => ctx.store.listProjects(pageQuery(query)));
  return { status: 200, body: listBody(page.items.map(projectView), page.nextCursor) };
}

/** `GET /manage/projects/{name}` */
export async function getProject(ctx: ManageContext, name: string): Promise<ManageResult> {
  const project = await storeCall(() => ctx.store.getProject(name));
  if (project === null) throw notFound("Project", name);
  return { status: 200, body: projectView(project) };
}

/** `PATCH /manage/projects/{name}`: fields given replace the stored ones (`policy` as a whole). */
export async function updateProject(ctx: ManageContext, name: string, body: unknown): Promise<ManageResult> {
  const b = readBody({ ...EDITABLE, disabled: opt(bool()) }, body);
  const patch: ProjectPatch = {};
  if (b.description !== undefined) patch.description = b.description;
  if (b.metadata !== undefined) patch.metadata = b.metadata;
  if (b.policy !== undefined) patch.policy = b.policy;
  if (b.upstreamCredentials !== undefined) patch.upstreamCredentials = b.upstreamCredentials;
  if (b.disabled !== undefined) patch.disabled = b.disabled;
  const project = await changeCall(
    ctx,
    () => ctx.store.updateProject(name, patch, { actor: ctx.actor, at: ctx.now() }),
  );
  return { status: 200, body: projectView(project) };
}
