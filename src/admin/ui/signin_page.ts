/** The sign-in page: a form for the admin or reader token, and a link to the browser's Basic-auth dialog. */
import { document } from "./layout.ts";
import { esc } from "./html.ts";

/** The sign-in page, with an error message after a failed attempt. */
export function signinPage(options: { error?: string; next?: string } = {}): string {
  const error = options.error ? `<div class="flash error" role="alert">${esc(options.error)}</div>` : "";
  return document(
    "Sign in",
    `<main class="signin"><h1>azmw admin</h1>${error}
<form method="post" action="/admin/signin">
<label for="token">Management token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${esc(options.next ?? "/admin/")}">
<button type="submit" class="primary">Sign in</button>
</form>
<p class="muted">Use the admin token (<code>manage.token</code>) to make changes, or the reader token
(<code>manage.reader_token</code>) to look only. You can also
<a href="/admin/basic">sign in with the browser's password dialog</a> (any user name, the token as password).</p>
</main>`,
  );
}
