/**
 * The admin UI's only static assets, embedded as strings so the executable needs no files: one style
 * sheet and one script, served same-origin under `/admin/assets/` (the Content-Security-Policy allows
 * nothing else — no inline script or style, no other origin).
 */

/** `/admin/assets/app.css` */
export const APP_CSS = `
*{box-sizing:border-box}
html{color-scheme:light}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f8fa}
a{color:#0969da}
.shell{display:grid;grid-template-columns:200px 1fr;min-height:100vh}
nav.side{background:#1b1f24;color:#e6edf3;padding:1rem .75rem}
nav.side .brand{font-weight:700;font-size:1.1rem;margin:0 .5rem 1rem}
nav.side ul{list-style:none;margin:0;padding:0}
nav.side a{display:block;color:#e6edf3;text-decoration:none;padding:.4rem .5rem;border-radius:6px}
nav.side a:hover{background:#30363d}
nav.side a[aria-current=page]{background:#2f81f7;color:#fff}
nav.side .who{margin:1.5rem .5rem .5rem;font-size:.85rem;color:#8b949e}
nav.side form button{width:100%}
main{padding:1.25rem 1.75rem;min-width:0}
h1{font-size:1.4rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem;margin-bottom:1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.7rem .9rem}
.card .label{color:#57606a;font-size:.8rem}
.card .value{font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.card .sub{color:#57606a;font-size:.8rem}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.panel{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem;overflow-x:auto}
.panel h2{margin-top:0}
table{border-collapse:collapse;width:100%;background:#fff}
caption{text-align:left;font-weight:600;padding:.25rem 0 .4rem}
th,td{padding:.3rem .55rem;border-bottom:1px solid #d8dee4;text-align:left;vertical-align:middle}
th{background:#f6f8fa;font-weight:600;font-size:.85rem}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.compact{font-size:.8rem}
table.compact td{white-space:nowrap}
table.compact td,table.compact th{padding:.25rem .35rem}
td.empty{color:#57606a;font-style:italic}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
form.inline{display:inline}
form.stack{display:grid;grid-template-columns:max-content 1fr;gap:.45rem .75rem;align-items:center;max-width:640px}
form.stack .actions{grid-column:2}
form.row{display:flex;flex-wrap:wrap;gap:.5rem .9rem;align-items:end;margin-bottom:.75rem}
form.row.create{margin:.75rem 0 0}
form.row label{display:flex;flex-direction:column;font-size:.8rem;color:#57606a;gap:.15rem}
fieldset{border:1px solid #d0d7de;border-radius:6px;margin:0;padding:.4rem .7rem}
fieldset label{margin-right:.7rem;white-space:nowrap}
input,select,button{font:inherit}
input[type=text],input[type=password],input[type=number],input[type=date],select{padding:.3rem .45rem;border:1px solid #d0d7de;border-radius:6px;background:#fff;min-width:0}
button{padding:.3rem .75rem;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer;color:#1b1f24}
button:hover{background:#eaeef2}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}
button.danger{color:#cf222e}
button.danger:hover{background:#cf222e;color:#fff}
.flash{padding:.6rem .9rem;border-radius:6px;margin-bottom:1rem;border:1px solid}
.flash.error{background:#ffebe9;border-color:#ff8182;color:#82071e}
.flash.ok{background:#dafbe1;border-color:#4ac26b;color:#116329}
.secret{display:flex;gap:.5rem;align-items:center;margin:.5rem 0 1rem}
.secret input{flex:1;font-family:ui-monospace,monospace;padding:.45rem;border:2px solid #1f883d;border-radius:6px}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.75rem;font-weight:600;border:1px solid}
.badge.ok{color:#116329;border-color:#4ac26b;background:#dafbe1}
.badge.warn{color:#7d4e00;border-color:#d4a72c;background:#fff8c5}
.badge.bad{color:#82071e;border-color:#ff8182;background:#ffebe9}
.badge.off{color:#57606a;border-color:#d0d7de;background:#f6f8fa}
meter{width:140px;height:1rem;vertical-align:middle}
.muted{color:#57606a}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{color:#57606a}
dl.facts dd{margin:0}
.signin{max-width:420px;margin:10vh auto;background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:1.5rem 1.75rem}
.signin form{display:grid;gap:.6rem}
.signin input{width:100%}
svg.chart{display:block;width:100%;height:auto}
svg.chart text{font:11px system-ui,sans-serif;fill:#57606a}
svg.chart text.t{font-size:13px;font-weight:600;fill:#1b1f24}
svg.chart rect.bar{fill:#2f81f7}
svg.chart rect.bar.alt{fill:#8250df}
svg.chart text.v{fill:#1b1f24}
svg.chart line{stroke:#d8dee4}
.live{font-size:.8rem;color:#57606a;margin-left:.5rem}
tr.err td{background:#fff5f5}
`;

/** `/admin/assets/favicon.svg` (served so browsers do not ask the gateway for `/favicon.ico`). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
  `<rect width="32" height="32" rx="7" fill="#2f81f7"/><path d="M8 23 16 8l8 15h-4l-4-8-4 8z" fill="#fff"/></svg>`;

/** `/admin/assets/app.js`: copy buttons, confirmations and the live call list; no inline handlers. */
export const APP_JS = `"use strict";
(() => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copy);
      if (!input) return;
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select();
        document.execCommand("copy");
      }
      button.textContent = "Copied";
    });
  }
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  const body = document.querySelector("tbody[data-live]");
  const toggle = document.getElementById("live-toggle");
  const status = document.getElementById("live-status");
  if (!body || !toggle) return;
  const render = (rows) => {
    const out = document.createDocumentFragment();
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = body.closest("table").tHead.rows[0].cells.length;
      td.className = "empty";
      td.textContent = "No calls match";
      tr.append(td);
      out.append(tr);
    }
    for (const row of rows) {
      const tr = document.createElement("tr");
      if (row.error) tr.className = "err";
      row.cells.forEach((text, i) => {
        const td = document.createElement("td");
        if (row.numeric.includes(i)) td.className = "n";
        td.textContent = text;
        tr.append(td);
      });
      out.append(tr);
    }
    body.replaceChildren(out);
  };
  const tick = async () => {
    if (!toggle.checked) return;
    try {
      const res = await fetch(body.dataset.live, { headers: { accept: "application/json" } });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const data = await res.json();
      render(data.rows);
      if (status) status.textContent = "Updated " + new Date().toLocaleTimeString();
    } catch (err) {
      if (status) status.textContent = "Update failed: " + err.message;
    }
  };
  setInterval(tick, Number(body.dataset.interval || "3000"));
})();
`;
