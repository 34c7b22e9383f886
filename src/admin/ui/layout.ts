/** The page shell of the admin UI: navigation, who is signed in, sign-out, and the page's content. */
import { VERSION } from "../../version.ts";
import { csrfField, esc } from "./html.ts";
import type { Principal } from "./session.ts";

/** The pages in the navigation, by path. */
export const NAV = [
  ["/admin/", "Overview"],
  ["/admin/projects", "Projects"],
  ["/admin/usage", "Usage"],
  ["/admin/calls", "Calls"],
  ["/admin/audit", "Audit"],
] as const;

/** A message shown above the content. */
export interface Flash {
  kind: "ok" | "error";
  text: string;
}

/** A whole page for a signed-in user. */
export function layout(
  title: string,
  principal: Principal,
  content: string,
  options: { current?: string; flash?: Flash | null } = {},
): string {
  const links = NAV.map(([href, name]) =>
    `<li><a href="${href}"${options.current === href ? ' aria-current="page"' : ""}>${esc(name)}</a></li>`
  ).join("");
  const signOut = principal.via === "session"
    ? `<form method="post" action="/admin/signout">${
      csrfField(principal.csrf)
    }<button type="submit">Sign out</button></form>`
    : `<p class="muted">Signed in with HTTP Basic auth</p>`;
  const flash = options.flash
    ? `<div class="flash ${options.flash.kind}" role="${
      options.flash.kind === "error" ? "alert" : "status"
    }">${esc(options.flash.text)}</div>`
    : "";
  return document(
    title,
    `<div class="shell"><nav class="side" aria-label="Main"><div class="brand">azmw admin</div><ul>${links}</ul>` +
      `<div class="who">Signed in as <strong>${esc(principal.role)}</strong>${
        principal.role === "reader" ? " (read only)" : ""
      }</div>${signOut}<div class="who">azmw ${esc(VERSION)}</div></nav>` +
      `<main><h1>${esc(title)}</h1>${flash}${content}</main></div>`,
    // Same-origin scripts may read the CSRF token from here (sent as `x-csrf-token`).
    `<meta name="csrf-token" content="${esc(principal.csrf)}">`,
  );
}

/** An HTML document with the UI's style sheet and script; `head` adds elements to the head. */
export function document(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · azmw admin</title>
<link rel="icon" href="/admin/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin/assets/app.css">
<script src="/admin/assets/app.js" defer></script>${head}
</head><body>${body}</body></html>
`;
}
