// lib.mjs: the integration tests' toolkit: raw HTTP against the stack
// (node:http, so paths go out byte for byte, malformed ones included),
// khubctl, and a tiny sequential test runner.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.KHUB_URL || 'http://127.0.0.1:38080';
export const BUILD = process.env.KHUB_BUILD || 'build';
export const CONFIG = process.env.KHUB_CONFIG_FILE || 'run/check/khub.conf';
export const STACK = process.env.KHUB_STACK_DIR || 'run/check';
export const ASAN = BUILD.includes('asan');

const url = new URL(BASE);

// One request: path is sent exactly as given. Resolves to
// {status, headers, body (string), json (parsed or undefined)}.
export function request(method, path, { headers = {}, body, port } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined :
      Buffer.isBuffer(body) ? body : Buffer.from(
        typeof body === 'string' ? body : JSON.stringify(body));
    const h = { ...headers };
    if (data !== undefined) h['content-length'] = data.length;
    const req = http.request({ host: url.hostname, port: port || url.port,
      method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text,
          json });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export const get = (path, opts) => request('GET', path, opts);
export const bearer = (token) => ({ authorization: `Bearer ${token}` });

// Runs khubctl on the stack's configuration; returns stdout, throws on a
// non-zero exit (with stderr in the message).
export function khubctl(...args) {
  return execFileSync(`${BUILD}/khubctl`, ['-c', CONFIG, ...args],
    { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

// The same, never throwing: {status, stdout, stderr}.
// Runs khubctl gc without waiting: resolves to its output, rejects on a
// non-zero exit.
export function gcAsync(...args) {
  return new Promise((resolve, reject) => {
    const p = spawn(`${BUILD}/khubctl`, ['-c', CONFIG, 'gc', ...args]);
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => code === 0 ? resolve(out) :
      reject(new Error(`gc: ${code} ${err}`)));
  });
}

export function khubctlRaw(args, input) {
  const r = spawnSync(`${BUILD}/khubctl`, ['-c', CONFIG, ...args],
    { encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A setting of the stack's khub.conf (the first "key = value" of that
// key), or undefined.
export function confValue(key) {
  const m = new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(
    readFileSync(CONFIG, 'utf8'));
  return m ? m[1].trim() : undefined;
}

// SQL on the stack's database, as root over its socket (test set-up only).
export function sql(statement) {
  const sock = /^socket\s*=\s*(.*)$/m.exec(
    execFileSync('cat', [CONFIG], { encoding: 'utf8' }))[1].trim();
  return execFileSync('mariadb', ['--no-defaults', `--socket=${sock}`,
    '-uroot', '-N', '-B', 'khub', '-e', statement], { encoding: 'utf8',
    maxBuffer: 1 << 28 });
}

let counter = 0;
// A name no other test (or earlier run) has used.
export function unique(prefix) {
  return `${prefix}-${process.pid}-${++counter}`;
}

// A user with a token of the given role: {name, token}.
export function newUser(role = 'write', extra = []) {
  const name = unique('u');
  khubctl('user', 'add', name, ...extra);
  const token = khubctl('token', 'add', name, '--role', role,
    '--name', 'test').trim();
  return { name, token };
}

export async function waitFor(fn, seconds = 60) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    try { if (await fn()) return true; } catch { /* not yet */ }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const tests = [];
export function test(name, fn) { tests.push({ name, fn }); }

// skip(reason) inside a test: it cannot run here (a tool or a front end is
// missing). It says SKIP; under CI=true a skip is a failure, so a machine
// that lacks what a test needs cannot pass silently.
class Skip extends Error {}
export function skip(reason) { throw new Skip(reason); }

export async function runAll(suite) {
  let passed = 0, failed = 0, skipped = 0;
  const ci = process.env.CI === 'true';
  for (const t of tests) {
    const t0 = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok - ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        skipped++;
        if (ci) failed++;
        console.log(`${ci ? 'not ok' : 'ok'} - ${t.name} # SKIP ${e.message}`
          + (ci ? ' (CI=true: a skip fails)' : ''));
        continue;
      }
      failed++;
      console.log(`not ok - ${t.name}\n  ${String(e && e.stack || e)
        .split('\n').join('\n  ')}`);
    }
  }
  console.log(`${suite}: ${passed} passed, ${failed} failed`
    + (skipped ? `, ${skipped} skipped` : ''));
  return failed === 0;
}

// What an error answer shows: everything but its request id (to compare a
// private repository's answer with a missing one's, byte for byte).
export function shown(res) {
  let body = res.body;
  if (res.json && typeof res.json === 'object') {
    const { requestId, ...rest } = res.json;
    body = JSON.stringify(rest);
  }
  return JSON.stringify({ status: res.status,
    code: res.headers['x-error-code'] ?? null,
    message: res.headers['x-error-message'] ?? null, body });
}

// What huggingface_hub's paginate() does with a list: the first page, then
// every Link rel="next" until there is none (at most maxPages: a loop
// fails). Returns {items, pages}.
export async function paginate(path, headers = {}, maxPages = 50) {
  const items = [];
  let url = path, pages = 0;
  while (url) {
    assert.ok(++pages <= maxPages, `more than ${maxPages} pages: a loop?`);
    const res = await request('GET', url, { headers });
    assert.equal(res.status, 200, `${url}: ${res.status} ${res.body}`);
    assert.ok(Array.isArray(res.json), res.body);
    items.push(...res.json);
    if (!res.headers.link) break;
    const m = /^<([^>]+)>; rel="next"$/.exec(res.headers.link);
    assert.ok(m, `Link header: ${res.headers.link}`);
    assert.ok(m[1].startsWith(BASE + '/'), m[1]);
    url = m[1].slice(BASE.length);
  }
  return { items, pages };
}

// ---- repositories (the write path's own wire format) ----

export const post = (path, body, token, headers = {}) => request('POST', path,
  { body, headers: { 'content-type': 'application/json',
    ...(token ? bearer(token) : {}), ...headers } });

// Creates a repository: {type: 'model'|'dataset'|'space', private}.
// Returns {id: 'ns/name', ns, name, type, url}; throws unless 200.
export async function createRepo(token, { name = unique('r'), organization,
  type = 'model', private: priv = false } = {}) {
  const res = await post('/api/repos/create',
    { name, organization, type, private: priv }, token);
  if (res.status !== 200)
    throw new Error(`create ${name}: ${res.status} ${res.body}`);
  const ns = organization || /\/([^/]+)\/[^/]+$/.exec(res.json.url)[1];
  return { id: `${ns}/${name}`, ns, name, type, url: res.json.url };
}

const plural = (type) => `${type || 'model'}s`;

// Commits files to a branch through the NDJSON commit endpoint.
// files: {path: string|Buffer} (regular, inline); deletes: [path];
// lfs: [{path, oid, size}] (already uploaded); port: another khub's
// (tests/galera). Returns the response.
export async function commit(token, repo, { files = {}, deletes = [],
  lfs = [], branch = 'main', summary = 'test commit', parent,
  description = '', port } = {}) {
  const lines = [{ key: 'header', value: { summary, description,
    ...(parent ? { parentCommit: parent } : {}) } }];
  for (const [path, content] of Object.entries(files))
    lines.push({ key: 'file', value: { path, encoding: 'base64',
      content: Buffer.from(content).toString('base64') } });
  for (const f of lfs)
    lines.push({ key: 'lfsFile', value: { path: f.path, algo: 'sha256',
      oid: f.oid, size: f.size } });
  for (const path of deletes)
    lines.push({ key: path.endsWith('/') ? 'deletedFolder' : 'deletedFile',
      value: { path } });
  return request('POST', `/api/${plural(repo.type)}/${repo.id}/commit/`
    + encodeURIComponent(branch), { body: lines.map((l) =>
    JSON.stringify(l)).join('\n'), port, headers: {
    'content-type': 'application/x-ndjson', ...bearer(token) } });
}

// commit(), and throws unless it landed; returns the new commit id.
// Deletes repository repo ({ ns, name, type }) as its owner; 200 or fails.
export async function deleteRepo(token, repo) {
  const res = await request('DELETE', '/api/repos/delete', { body: {
    name: repo.name, organization: repo.ns, type: repo.type },
  headers: { 'content-type': 'application/json', ...bearer(token) } });
  assert.equal(res.status, 200, res.body);
}

export async function commitOk(token, repo, opts) {
  const res = await commit(token, repo, opts);
  if (res.status !== 200)
    throw new Error(`commit: ${res.status} ${res.body}`);
  return res.json.commitOid;
}

// The URL prefix of a repository in download form.
export function repoPath(repo) {
  return repo.type === 'dataset' ? `/datasets/${repo.id}` :
    repo.type === 'space' ? `/spaces/${repo.id}` : `/${repo.id}`;
}

// GET of a file: 302, then the bytes at the Location.
export async function download(repo, path, { token, form = 'resolve' } = {}) {
  const enc = path.split('/').map(encodeURIComponent).join('/');
  const res = await request('GET', `${repoPath(repo)}/${form}/main/${enc}`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 302, `${path}: ${res.status} ${res.body}`);
  const s3 = await fetch(res.headers.location);
  assert.equal(s3.status, 200, `${path}: S3 ${s3.status}`);
  return Buffer.from(await s3.arrayBuffer());
}

// ---- outages ----

// Stops the stack's S3 gateway (radosgw: the Ceph cluster and its objects
// stay); returns a function that starts it again and waits for health.
export async function stopGateway() {
  const pid = Number(readFileSync(`${STACK}/ceph/run/client.rgw.pid`, 'utf8'));
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    .filter(Boolean);
  process.kill(pid, 'SIGTERM');
  if (!await waitFor(() => {
    try { process.kill(pid, 0); return false; } catch { return true; }
  }, 30))
    throw new Error('the gateway did not stop');
  return async () => {
    execFileSync(argv[0], argv.slice(1), { stdio: 'ignore' });
    if (!await waitFor(async () =>
      (await request('GET', '/api/health')).status === 200, 90))
      throw new Error('health did not come back');
  };
}

// ---- git-lfs ----

// A git work tree with git-lfs set up against gitUrl (".../ns/name.git"),
// credentials of user {name, token} from a credential helper, as a user
// would have it. Returns {dir, wt, git, gitOk, cleanup}.
export function gitLfsWorkTree(gitUrl, user) {
  const dir = mkdtempSync(join(tmpdir(), 'khub-gitlfs-'));
  const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false' };
  const wt = join(dir, 'w');
  const git = (...args) => spawnSync('git', args, { cwd: wt, env,
    encoding: 'utf8' });
  const gitOk = (...args) => {
    const r = git(...args);
    if (r.status !== 0)
      throw new Error(`git ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  execFileSync('git', ['init', '-q', '-b', 'main', wt], { env });
  gitOk('config', 'user.email', 't@example.org');
  gitOk('config', 'user.name', 'T');
  gitOk('lfs', 'install', '--local');
  gitOk('remote', 'add', 'origin', gitUrl);
  gitOk('config', 'lfs.url', `${gitUrl}/info/lfs`);
  gitOk('config', 'lfs.locksverify', 'false');
  gitOk('config', 'credential.helper',
    `!f() { echo username=${user.name}; echo password=${user.token}; }; f`);
  return { dir, wt, git, gitOk,
    cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- LFS: the batch API as the clients speak it ----

export const LFS = 'application/vnd.git-lfs+json';
export const lfsHeaders = (token) => ({ accept: LFS, 'content-type': LFS,
  ...(token ? bearer(token) : {}) });

export const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// A request to an absolute URL (S3's presigned ones) with no header but
// Content-Length, as the clients send their PUTs; extra adds headers (an
// attacker's).
// A body over 1 MiB goes as curl sends it, after "Expect: 100-continue":
// a server that refuses the request (RGW answering 403 to a copy through an
// upload URL) answers before the body, instead of closing the socket under
// it (EPIPE). No 100 within a second, and the body goes anyway, as in curl.
export function raw(method, href, body, extra = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(href);
    const expect = body && body.length > 1048576;
    const headers = { ...(body ? { 'content-length': body.length } : {}),
      ...(expect ? { expect: '100-continue' } : {}), ...extra };
    let answered = false;
    let sent = !expect;
    const req = http.request({ host: u.hostname, port: u.port, method,
      path: u.pathname + u.search, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        clearTimeout(wait);
        resolve({ status: res.statusCode, headers: res.headers,
          body: Buffer.concat(chunks) });
        if (!sent) req.destroy();
      });
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    const send = () => { if (!sent) { sent = true; req.end(body); } };
    const wait = expect ? setTimeout(send, 1000) : undefined;
    req.on('continue', () => { clearTimeout(wait); send(); });
    if (!expect) {
      if (body) req.write(body);
      req.end();
    }
  });
}

// A path of the khub endpoint from an absolute URL in an answer.
export function local(href) {
  assert.ok(href.startsWith(BASE + '/'), `${href} starts with ${BASE}`);
  return href.slice(BASE.length);
}

export function batch(repo, token, operation, objects, extra = {}) {
  return request('POST', `${repoPath(repo)}.git/info/lfs/objects/batch`, {
    body: { operation, transfers: ['basic', 'multipart'], objects,
      hash_algo: 'sha256', ref: { name: 'main' }, ...extra },
    headers: lfsHeaders(token) });
}

export async function batchOk(repo, token, operation, objects, extra) {
  const res = await batch(repo, token, operation, objects, extra);
  assert.equal(res.status, 200, res.body);
  assert.match(res.headers['content-type'], /^application\/vnd\.git-lfs\+json/);
  assert.notEqual(res.json.transfer, 'xet');
  assert.equal(res.json.objects.length, objects.length);
  return res.json;
}

export const verify = (href, token, oid, size) => request('POST', local(href),
  { body: { oid, size }, headers: lfsHeaders(token) });

// Uploads an object the way huggingface_hub does (batch, PUT, verify).
export async function upload(repo, token, data, { doVerify = true } = {}) {
  const oid = sha256(data);
  const b = await batchOk(repo, token, 'upload', [{ oid, size: data.length }]);
  const o = b.objects[0];
  assert.equal(o.oid, oid);
  if (!o.actions) return { oid, size: data.length, stored: true };
  const put = await raw('PUT', o.actions.upload.href, data);
  assert.equal(put.status, 200, put.body.toString());
  if (doVerify) {
    const v = await verify(o.actions.verify.href, token, oid, data.length);
    assert.equal(v.status, 200, v.body);
  }
  return { oid, size: data.length, stored: false };
}

// ---- S3 itself (the stack's, path style: endpoint/bucket/key) ----

export const lfsKey = (oid) =>
  `lfs/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`;
export const blobKey = (data) => {
  const h = createHash('sha1').update(`blob ${data.length}\0`).update(data)
    .digest('hex');
  return `blob/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`;
};
// khub's own keys, which read and write the whole bucket.
export const MAIN = () => ({ access: confValue('access_key'),
  secret: confValue('secret_key') });

// A request to S3 signed with the given keys (curl signs SigV4; it needs
// x-amz-content-sha256 given): {status, body (Buffer)}. key may carry a
// query ("k?uploadId=...").
export function s3(method, key, who = MAIN(), body) {
  const region = confValue('region') || 'us-east-1';
  const out = execFileSync('curl', ['-s', ...(method === 'HEAD' ? ['-I']
    : ['-X', method]), '--aws-sigv4',
    `aws:amz:${region}:s3`, '--user', `${who.access}:${who.secret}`,
    '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD',
    ...(body ? ['--data-binary', '@-'] : []), '-w', '\n%{http_code}',
    `${confValue('endpoint')}/${confValue('bucket')}/${key}`],
  { input: body });
  const nl = out.lastIndexOf(10);
  return { status: parseInt(out.subarray(nl + 1).toString(), 10),
    body: out.subarray(0, nl) };
}

// ---- fixtures ----

// A WordLevel tokenizer.json: whitespace pre-tokenizer, the given vocabulary
// ([UNK] first), no normalizer, no post-processor.
export function tokenizerFiles(words) {
  const vocab = { '[UNK]': 0 };
  words.forEach((w, i) => { vocab[w] = i + 1; });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: '[UNK]', single_word: false,
      lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  const config = { tokenizer_class: 'PreTrainedTokenizerFast',
    unk_token: '[UNK]', model_max_length: 512 };
  return {
    'tokenizer.json': JSON.stringify(tokenizer, null, 2),
    'tokenizer_config.json': JSON.stringify(config, null, 2),
  };
}

// ---- FastCGI ----

// A tiny FastCGI client (FCGI_RESPONDER, one request per connection):
// params as given, then stdin. Resolves to {status, headers, body}.
export function fcgi(port, params, stdin = Buffer.alloc(0)) {
  const rec = (type, content) => {
    const pad = (8 - (content.length % 8)) % 8;
    const h = Buffer.from([1, type, 0, 1, content.length >> 8,
      content.length & 255, pad, 0]);
    return Buffer.concat([h, content, Buffer.alloc(pad)]);
  };
  const len = (n) => n < 128 ? Buffer.from([n]) :
    Buffer.from([(n >>> 24) | 0x80, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  const pairs = Buffer.concat(Object.entries(params).map(([k, v]) => {
    const kb = Buffer.from(k), vb = Buffer.from(v);
    return Buffer.concat([len(kb.length), len(vb.length), kb, vb]);
  }));
  const out = [rec(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]))];
  for (let i = 0; i < pairs.length; i += 60000)
    out.push(rec(4, pairs.subarray(i, i + 60000)));
  out.push(rec(4, Buffer.alloc(0)));
  for (let i = 0; i < stdin.length; i += 60000)
    out.push(rec(5, stdin.subarray(i, i + 60000)));
  out.push(rec(5, Buffer.alloc(0)));
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const got = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const all = Buffer.concat(got);
      const stdout = [];
      for (let i = 0; i + 8 <= all.length;) {
        const type = all[i + 1], n = all.readUInt16BE(i + 4), pad = all[i + 6];
        if (type === 6) stdout.push(all.subarray(i + 8, i + 8 + n));
        i += 8 + n + pad;
      }
      const text = Buffer.concat(stdout).toString();
      const cut = text.indexOf('\r\n\r\n');
      const head = text.slice(0, cut).split('\r\n');
      const headers = Object.fromEntries(head.map((l) => {
        const k = l.indexOf(':');
        return [l.slice(0, k).toLowerCase(), l.slice(k + 1).trim()];
      }));
      resolve({ status: Number((headers.status || '200').split(' ')[0]),
        headers, body: text.slice(cut + 4) });
    });
    s.write(Buffer.concat(out));
  });
}

// ---- the pages for people (ui_*.c) ----

// A user who can log in with a password as well: {name, token}.
export function passwordUser(password) {
  const u = newUser();
  const r = khubctlRaw(['user', 'password', u.name], `${password}\n`);
  assert.equal(r.status, 0, r.stderr);
  return u;
}

// The cookie a browser keeps after name logs in: "session_id=...".
export async function sessionCookie(name, password) {
  const res = await post('/api/auth/login', { username: name, password });
  assert.equal(res.status, 200, res.body);
  return `session_id=${/session_id=([0-9a-f]{64})/.exec(
    res.headers['set-cookie'])[1]}`;
}

// A form POST as a browser on the hub's own pages sends it (headers:
// such as another site's Origin).
export const postForm = (path, fields, cookie, headers = {}) =>
  request('POST', path, { body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded',
      origin: BASE, cookie, ...headers } });

// The CSRF token of a page's first form.
export const csrfOf = (body) =>
  /name="csrf" value="([0-9a-f]{64})"/.exec(body)[1];

// A page as a browser asks for it, with a cookie or none.
export const getPage = (path, cookie) => get(path, { headers: {
  accept: 'text/html', ...(cookie ? { cookie } : {}) } });

// Where browser tests leave their screenshots (look at them).
export const ARTIFACTS = new URL('../../run/artifacts/', import.meta.url)
  .pathname;
const CHROMIUM = '/usr/bin/chromium';

// Debian's chromium, headless, driven by playwright-core (npm); SKIP (a
// failure under CI=true) when it is not installed. Close it in a finally.
export async function launchChromium() {
  if (!existsSync(CHROMIUM))
    skip(`${CHROMIUM} is missing (install-deps installs chromium)`);
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed (${e.message})`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return playwright.chromium.launch({ executablePath: CHROMIUM,
    headless: true, args: ['--no-sandbox'] });
}

// The console errors and uncaught exceptions of a page, as they come.
export function pageErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

// ---- quotas ----

// The bytes namespace ns uses, as khubctl usage says.
export const usedBytes = (ns) => Number(/^used_bytes: (\d+)$/m.exec(
  khubctl('usage', ns))[1]);

// The commit main of repo points at, read with token.
export async function mainHead(repo, token) {
  const res = await get(`/api/models/${repo.id}/revision/main`,
    { headers: bearer(token) });
  assert.equal(res.status, 200, res.body);
  return res.json.sha;
}
