/**
 * The console's only assets, served from its own path (`<mount>/console/assets/…`), so its pages need no
 * inline script or style and run under `default-src 'none'; script-src 'self'; style-src 'self'`. No
 * build step, nothing from another origin: the console works offline. Pages are complete without them —
 * the script only adds live countdowns, local times and a reload when the page's holds change elsewhere.
 */

/** The script: countdowns to expiry, and a poll of the page's state URL that reloads on change. */
export const CONSOLE_JS = `'use strict';
(function () {
  var body = document.body;
  var skew = Number(body.getAttribute('data-now')) - Date.now() || 0;
  function span(ms) {
    var s = Math.ceil(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    if (h > 0) return h + ' h ' + m + ' min';
    if (m > 0) return m + ' min ' + (s % 60) + ' s';
    return s + ' s';
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll('[data-expires]').forEach(function (el) {
      var left = Number(el.getAttribute('data-expires')) - now;
      el.textContent = left > 0 ? 'in ' + span(left) : 'expired';
    });
  }
  document.querySelectorAll('time[datetime]').forEach(function (el) {
    var at = new Date(el.getAttribute('datetime'));
    if (!isNaN(at)) el.title = at.toLocaleString();
  });
  tick();
  setInterval(tick, 1000);
  var url = body.getAttribute('data-state');
  var every = Number(body.getAttribute('data-refresh')) * 1000;
  var seen = body.getAttribute('data-fingerprint');
  if (!url || !(every > 0)) return;
  function busy() {
    var note = document.querySelector('textarea');
    var active = document.activeElement;
    return (note && note.value.trim() !== '') || (active && active.closest && active.closest('form[method="post"]'));
  }
  function check() {
    if (document.hidden) return;
    fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : undefined; })
      .then(function (state) {
        if (!state || state.fingerprint === seen) return;
        seen = state.fingerprint;
        // A GET of the page's own URL, never reload(): the page may be the answer to a decision's POST.
        if (!busy()) return location.replace(location.pathname + location.search);
        var notice = document.getElementById('changed');
        if (notice) notice.hidden = false;
      })
      .catch(function () {});
  }
  setInterval(check, every);
})();
`;

/** The style sheet: plain, readable, high contrast, visible focus. */
export const CONSOLE_CSS = `:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --ok: #116329; --no: #a40e26; --accent: #0550ae; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
header.top { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; justify-content: space-between; padding: 12px 24px; background: var(--ink); color: #fff; }
header.top a { color: #fff; }
header.top h1 { margin: 0; font-size: 18px; }
header.top form { display: inline; margin: 0; }
main { padding: 16px 24px 40px; max-width: 1280px; }
h2 { font-size: 20px; margin: 8px 0 12px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; padding: 12px; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 16px; }
form.filters label, form.sign-in label { display: flex; flex-direction: column; font-weight: 600; font-size: 13px; gap: 4px; }
form.decide label { display: block; font-weight: 600; margin-bottom: 6px; }
input, select, textarea { font: inherit; padding: 5px 8px; border: 1px solid #8c959f; border-radius: 6px; background: #fff; }
textarea { width: 100%; min-height: 4.5em; }
button { font: inherit; font-weight: 600; padding: 6px 14px; border-radius: 6px; border: 1px solid #8c959f; background: #fff; cursor: pointer; }
button.approve { background: var(--ok); border-color: var(--ok); color: #fff; }
button.deny { background: var(--no); border-color: var(--no); color: #fff; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
caption { text-align: left; color: var(--muted); padding-bottom: 6px; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-size: 13px; }
td small, .muted { color: var(--muted); }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
td code, dd code { overflow-wrap: break-word; }
td.request { min-width: 16em; } td.request code { overflow-wrap: anywhere; }
td.when { white-space: nowrap; }
.status { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.status.pending { color: #9a6700; } .status.approved, .status.used { color: var(--ok); } .status.denied, .status.expired { color: var(--no); }
dl.hold { display: grid; grid-template-columns: max-content 1fr; gap: 6px 20px; margin: 0; }
dl.hold dt { font-weight: 600; color: var(--muted); }
dl.hold dd { margin: 0; }
ol.chain { margin: 0; padding-left: 20px; }
p.cut { padding: 8px 12px; border: 1px solid #9a6700; border-left-width: 4px; border-radius: 6px; background: #fff8c5; }
p.cut { margin: 0 0 8px; }
pre.preview { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 12px; max-height: 24em; overflow: auto; white-space: pre-wrap; word-break: break-word; }
pre.preview.form { white-space: pre; word-break: normal; overflow-wrap: normal; }
form.decide { margin-top: 16px; padding: 16px; border: 1px solid var(--line); border-radius: 6px; max-width: 720px; }
.actions { display: flex; gap: 12px; margin-top: 12px; }
.notice { padding: 10px 14px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); margin: 0 0 16px; }
.notice.ok { border-color: var(--ok); } .notice.error { border-color: var(--no); }
form.sign-in { display: grid; gap: 12px; max-width: 360px; }
`;
