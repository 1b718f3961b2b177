// GET /api/v1/docs: the API reference with a live "try it" tester. One self-contained page: its
// script loads /api/v1/openapi.json, lists every operation by tag, and sends real requests with
// the key the user types (kept in sessionStorage, sent only to this origin). Everything taken
// from the document or a response is inserted as text, never as HTML; a per-response nonce CSP
// allows only this page's own script and style and connections to this origin.
import { randomBytes } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#14202e;color:#fff;padding:14px 24px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:18px;margin:0 12px 0 0}header input{width:380px;padding:6px;border-radius:4px;border:0;font-family:monospace}
main{max-width:1100px;margin:0 auto;padding:16px 24px}h2{margin:28px 0 8px;text-transform:capitalize}
details{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:6px 0}summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:baseline}
.m{font:700 12px monospace;padding:2px 6px;border-radius:3px;color:#fff;min-width:52px;text-align:center}.GET{background:#2f7d32}.POST{background:#1565c0}.PATCH{background:#8e6a00}.DELETE{background:#b3261e}.PUT{background:#6a1b9a}
.p{font-family:monospace}.s{color:#555}.body{padding:4px 14px 14px}label{display:block;margin:8px 0 2px;font-weight:600}
input.f,textarea{width:100%;box-sizing:border-box;font-family:monospace;padding:5px;border:1px solid #c4c9d0;border-radius:4px}textarea{min-height:120px}
button{margin-top:10px;padding:6px 16px;background:#1565c0;color:#fff;border:0;border-radius:4px;cursor:pointer}
pre{background:#0f1720;color:#d8e1ea;padding:10px;border-radius:4px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-word}
.st{font-weight:700}.ok{color:#2f7d32}.bad{color:#b3261e}#err{color:#b3261e}small{color:#667}`;

const SCRIPT = `
const $ = (tag, props = {}, kids = []) => { const el = document.createElement(tag); for (const [k, v] of Object.entries(props)) { if (k === 'text') el.textContent = v; else if (k === 'cls') el.className = v; else el.setAttribute(k, v); } for (const c of [].concat(kids)) if (c) el.append(c); return el; };
const keyInput = document.getElementById('key');
keyInput.value = sessionStorage.getItem('clawnex.key') || '';
keyInput.addEventListener('input', () => sessionStorage.setItem('clawnex.key', keyInput.value.trim()));
let spec;
function resolve(schema) { let s = schema || {}; for (let i = 0; s.$ref && i < 20; i++) s = s.$ref.split('/').slice(1).reduce((o, k) => (o || {})[k], spec) || {}; return s; }
function example(schema, depth = 0) {
  const s = resolve(schema);
  if (depth > 6) return null;
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const alt = s.anyOf || s.oneOf; if (alt) return example(alt.find((a) => resolve(a).type !== 'null') || alt[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'object' || s.properties) { const out = {}; for (const [k, v] of Object.entries(s.properties || {})) if ((s.required || []).includes(k)) out[k] = example(v, depth + 1); return out; }
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return s.minimum ?? 1;
  if (type === 'boolean') return false;
  if (type === 'string') return s.format === 'binary' ? '' : 'string';
  return null;
}
function operationView(path, method, op) {
  const M = method.toUpperCase();
  const params = (op.parameters || []).filter((p) => p.in === 'path' || p.in === 'query');
  const inputs = {};
  const body = $('div', { cls: 'body' });
  if (op.description) body.append($('p', { text: op.description }));
  for (const p of params) {
    const s = resolve(p.schema);
    body.append($('label', { text: p.name + ' (' + p.in + (p.required ? ', required' : '') + ')' }));
    inputs[p.name] = $('input', { cls: 'f', placeholder: (s.enum ? 'one of: ' + s.enum.join(' | ') + '. ' : '') + (p.description || s.description || s.type || '') });
    body.append(inputs[p.name]);
  }
  const content = op.requestBody && op.requestBody.content || {};
  const multipart = content['multipart/form-data'];
  const json = content['application/json'];
  let bodyInput, fileInput;
  if (multipart) { body.append($('label', { text: 'file (multipart part "file")' })); fileInput = $('input', { type: 'file' }); body.append(fileInput); }
  else if (json) { body.append($('label', { text: 'JSON body' })); bodyInput = $('textarea', {}); bodyInput.value = JSON.stringify(example(json.schema), null, 2); body.append(bodyInput); }
  let idem;
  if (M !== 'GET') { body.append($('label', { text: 'Idempotency-Key (optional; a replay returns the stored response)' })); idem = $('input', { cls: 'f' }); idem.value = crypto.randomUUID(); body.append(idem); }
  const out = $('div'); const send = $('button', { text: 'Send request' }); body.append(send, out);
  send.addEventListener('click', async () => {
    out.replaceChildren($('p', { text: 'Sending...' }));
    let url = path.replace(/\\{(\\w+)\\}/g, (_, n) => encodeURIComponent((inputs[n] && inputs[n].value) || ''));
    const q = new URLSearchParams(); for (const p of params) if (p.in === 'query' && inputs[p.name].value) q.set(p.name, inputs[p.name].value);
    if ([...q].length) url += '?' + q;
    const headers = {}; const key = keyInput.value.trim(); if (key) headers['X-ClawNex-Key'] = key;
    if (idem && idem.value) headers['Idempotency-Key'] = idem.value;
    let payload;
    if (fileInput) { payload = new FormData(); if (fileInput.files[0]) payload.append('file', fileInput.files[0]); }
    else if (bodyInput && bodyInput.value.trim()) { headers['Content-Type'] = 'application/json'; payload = bodyInput.value; }
    const started = performance.now();
    try {
      const res = await fetch(url, { method: M, headers, body: payload, credentials: 'omit' });
      const text = await res.text(); let shown = text; try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
      const hdrs = ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'idempotent-replayed', 'content-type'].filter((h) => res.headers.has(h)).map((h) => h + ': ' + res.headers.get(h)).join('\\n');
      out.replaceChildren($('p', {}, [$('span', { cls: 'st ' + (res.ok ? 'ok' : 'bad'), text: res.status + ' ' + res.statusText }), $('small', { text: '  ' + M + ' ' + url + ' in ' + Math.round(performance.now() - started) + ' ms' })]), $('pre', { text: hdrs }), $('pre', { text: shown.length > 200000 ? shown.slice(0, 200000) + '\\n[truncated]' : shown }));
    } catch (e) { out.replaceChildren($('p', { cls: 'bad', text: 'Request failed: ' + e.message })); }
  });
  return $('details', {}, [$('summary', {}, [$('span', { cls: 'm ' + M, text: M }), $('span', { cls: 'p', text: path }), $('span', { cls: 's', text: op.summary || '' })]), body]);
}
fetch('/api/v1/openapi.json').then((r) => r.json()).then((doc) => {
  spec = doc;
  document.getElementById('title').textContent = (doc.info && doc.info.title || 'API') + ' ' + (doc.info && doc.info.version || '');
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) for (const [method, op] of Object.entries(item)) {
    if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
    const tag = (op.tags && op.tags[0]) || 'other'; if (!groups.has(tag)) groups.set(tag, []); groups.get(tag).push([path, method, op]);
  }
  const main = document.getElementById('ops'); main.replaceChildren();
  for (const [tag, ops] of [...groups].sort((a, b) => (a[0] === 'sandbox') - (b[0] === 'sandbox') || a[0].localeCompare(b[0]))) {
    main.append($('h2', { text: tag + ' (' + ops.length + ')' }));
    for (const [path, method, op] of ops) main.append(operationView(path, method, op));
  }
}).catch((e) => { document.getElementById('err').textContent = 'Could not load /api/v1/openapi.json: ' + e.message; });
`;

function page(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClawNex API reference</title><style nonce="${nonce}">${STYLE}</style></head>
<body><header><h1 id="title">ClawNex API</h1><label for="key">API key</label>
<input id="key" type="password" autocomplete="off" placeholder="cnx_... (kept in this tab only)">
<small>Requests go to this server with the key in X-ClawNex-Key. Sandbox routes (/api/v1/sandbox/...) touch no production data.</small></header>
<main><p>Every operation of <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Open one, fill it in, send it.</p><p id="err"></p><div id="ops">Loading...</div></main>
<script nonce="${nonce}">${SCRIPT}</script></body></html>`;
}

export function docsRoutes(): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/api/v1/docs", { schema: { hide: true } }, async (_request, reply) => {
      const nonce = randomBytes(16).toString("base64");
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header(
          "content-security-policy",
          `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        )
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-store")
        .send(page(nonce));
    });
  };
}
