// t_80_frontends.mjs: one end-to-end scenario through each front end a
// user may put before khub.fcgi (issue 6): the stack's lighttpd, Apache 2.4
// + mod_fcgid (a vhost, and a shared-hosting .htaccess), nginx + spawn-fcgi
// -F 2, nginx + khub's own prefork pool (--listen --workers 2), set up by
// contrib/dev/frontends the way contrib/apache and contrib/spawn-fcgi
// document, on the stack's MariaDB and Ceph gateway. A missing server is installed (install-deps), never
// skipped. Then the real git-lfs client through Apache and nginx, git push
// of over 1 MiB (a probe, then a chunked body) through each, and what
// a front end may send differently (chunked bodies, no REQUEST_URI, no
// CONTENT_LENGTH, SCRIPT_NAME/PATH_INFO split, no Authorization) straight
// to khub over FastCGI.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import {
  BASE, BUILD, STACK, bearer, fcgi, gitLfsWorkTree, newUser, request, test,
  unique,
} from './lib.mjs';

const stackPort = Number(new URL(BASE).port);
// The stack leaves its port +3..+10 free: contrib/dev/frontends takes them.
const FE = stackPort + 3;
const FRONTENDS = [
  { name: 'lighttpd', port: stackPort },
  { name: 'Apache mod_fcgid', port: FE },
  { name: 'nginx + spawn-fcgi (supervisord)', port: FE + 1 },
  { name: 'nginx + khub prefork', port: FE + 3 },
  // contrib/apache/htaccess in a document root; the host keeps mod_fcgid's
  // 128 KiB body limit, the user's khub.conf says lfs_threshold = 64KiB.
  { name: 'Apache .htaccess (shared hosting)', port: FE + 6, shared: true },
];
const SPAWN_FCGI = FE + 2;  // khub.fcgi's FastCGI socket under spawn-fcgi
const script = new URL('../../contrib/dev/frontends', import.meta.url)
  .pathname;

let started = false;
function stopFrontends() {
  if (!started) return;
  started = false;
  spawnSync('sh', [script, 'stop', STACK], { stdio: 'inherit' });
}
// Stopped at the end, whatever happened (run.mjs ends with process.exit).
process.on('exit', stopFrontends);

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const LFS = 'application/vnd.git-lfs+json';

// A request to an absolute URL (S3's presigned ones, the verify action).
function raw(method, href, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(href);
    const h = { ...headers };
    if (body) h['content-length'] = body.length;
    const req = http.request({ host: u.hostname, port: u.port, method,
      path: u.pathname + u.search, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        let json;
        try { json = JSON.parse(b.toString()); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: b,
          json });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// The client's side of one front end: requests on its port.
function client(port) {
  const req = (method, path, { token, body, headers = {} } = {}) =>
    request(method, path, { port, body, headers: {
      ...(body !== undefined && !headers['content-type'] ?
        { 'content-type': 'application/json' } : {}),
      ...(token ? bearer(token) : {}), ...headers } });
  return {
    req,
    async createRepo(token, priv = false) {
      const name = unique('fe');
      const res = await req('POST', '/api/repos/create',
        { token, body: { name, type: 'model', private: priv } });
      assert.equal(res.status, 200, res.body);
      const ns = /\/([^/]+)\/[^/]+$/.exec(res.json.url)[1];
      return { id: `${ns}/${name}`, ns, name };
    },
    async commit(token, repo, files, lfs, branch = 'main') {
      const lines = [{ key: 'header', value: { summary: 'via front end',
        description: '' } }];
      for (const [path, content] of Object.entries(files))
        lines.push({ key: 'file', value: { path, encoding: 'base64',
          content: Buffer.from(content).toString('base64') } });
      for (const f of lfs)
        lines.push({ key: 'lfsFile', value: { path: f.path,
          algo: 'sha256', oid: f.oid, size: f.size } });
      const res = await req('POST', `/api/models/${repo.id}/commit/`
        + encodeURIComponent(branch), { token, body: lines.map((l) =>
        JSON.stringify(l)).join('\n'), headers: {
        'content-type': 'application/x-ndjson' } });
      assert.equal(res.status, 200, res.body);
      return res.json.commitOid;
    },
    // resolve -> 302 -> S3: the bytes.
    async download(repo, rev, path, token) {
      const res = await req('GET', `/${repo.id}/resolve/${rev}/${path}`,
        { token });
      assert.equal(res.status, 302, `${path}@${rev}: ${res.status} ${res.body}`);
      const s3 = await raw('GET', res.headers.location);
      assert.equal(s3.status, 200, `S3 GET of ${path}`);
      return s3.body;
    },
  };
}

test('front ends: contrib/dev/frontends starts Apache, nginx, spawn-fcgi, '
  + 'prefork', async () => {
  started = true;
  const t0 = Date.now();
  execFileSync('sh', [script, 'start', STACK, String(FE)], {
    env: { ...process.env, KHUB_BUILD: BUILD }, stdio: ['ignore', 'ignore',
      'inherit'] });
  assert.ok(Date.now() - t0 < 30000, 'a quick start');
  for (const fe of FRONTENDS) {
    const res = await request('GET', '/api/health', { port: fe.port });
    assert.equal(res.status, 200, `${fe.name}: ${res.body}`);
  }
});

for (const fe of FRONTENDS) {
  test(`scenario through ${fe.name}: preupload, LFS batch, commit, `
    + 'resolve, %2F revision, private repo', async () => {
    const c = client(fe.port);
    const owner = newUser();
    const stranger = newUser();
    const repo = await c.createRepo(owner.token);
    const regular = Buffer.from(`hello through ${fe.name}\n`);
    // Over 128 KiB inline: mod_fcgid's default FcgidMaxRequestLen would
    // refuse this commit.
    const config = Buffer.from(JSON.stringify({ pad: 'x'.repeat(200000) }));
    const weights = randomBytes(300000);

    const files = { 'README.md': regular, 'config.json': config,
      'model.safetensors': weights };
    const pre = await c.req('POST', `/api/models/${repo.id}/preupload/main`,
      { token: owner.token, body: { files: Object.entries(files).map(
        ([path, data]) => ({ path, size: data.length,
          sample: data.subarray(0, 512).toString('base64') })) } });
    assert.equal(pre.status, 200, pre.body);
    const modes = Object.fromEntries(pre.json.files.map((f) =>
      [f.path, f.uploadMode]));
    assert.deepEqual(modes, { 'README.md': 'regular',
      'config.json': fe.shared ? 'lfs' : 'regular',
      'model.safetensors': 'lfs' });

    // LFS batch through the front end, PUT straight to S3, verify.
    const lfs = Object.keys(files).filter((p) => modes[p] === 'lfs')
      .map((path) => ({ path, oid: sha256(files[path]),
        size: files[path].length }));
    const b = await c.req('POST', `/${repo.id}.git/info/lfs/objects/batch`, {
      token: owner.token, headers: { accept: LFS, 'content-type': LFS },
      body: { operation: 'upload', transfers: ['basic'], hash_algo: 'sha256',
        objects: lfs.map(({ oid, size }) => ({ oid, size })) } });
    assert.equal(b.status, 200, b.body);
    for (const o of b.json.objects) {
      const f = lfs.find((x) => x.oid === o.oid);
      // Stored already (the same content in an earlier run): no actions.
      if (!o.actions && f.path === 'config.json') continue;
      assert.ok(o.actions && o.actions.upload, JSON.stringify(o));
      const put = await raw('PUT', o.actions.upload.href,
        { body: files[f.path] });
      assert.equal(put.status, 200, put.body.toString());
      if (!o.actions.verify) continue;
      const v = await raw('POST', o.actions.verify.href, {
        body: Buffer.from(JSON.stringify({ oid: f.oid, size: f.size })),
        headers: { accept: LFS, 'content-type': LFS,
          ...(o.actions.verify.header || {}), ...bearer(owner.token) } });
      assert.equal(v.status, 200, v.body.toString());
      // URLs in answers name the front end the client used.
      if (fe.port !== stackPort)
        assert.equal(new URL(o.actions.verify.href).port, String(fe.port));
    }

    await c.commit(owner.token, repo, Object.fromEntries(Object.entries(
      files).filter(([p]) => modes[p] === 'regular')), lfs);
    assert.ok((await c.download(repo, 'main', 'README.md')).equals(regular));
    assert.ok((await c.download(repo, 'main', 'config.json')).equals(config));
    assert.ok((await c.download(repo, 'main', 'model.safetensors'))
      .equals(weights));

    // A revision with an escaped slash reaches khub intact.
    const br = await c.req('POST', `/api/models/${repo.id}/branch/feat%2Fx`,
      { token: owner.token });
    assert.equal(br.status, 200, br.body);
    const more = Buffer.from('on feat/x\n');
    await c.commit(owner.token, repo, { 'x.txt': more }, [], 'feat/x');
    assert.ok((await c.download(repo, 'feat%2Fx', 'x.txt')).equals(more));
    assert.ok((await c.download(repo, 'feat%2Fx', 'model.safetensors'))
      .equals(weights));
    const info = await c.req('GET', `/api/models/${repo.id}/revision/feat%2Fx`);
    assert.equal(info.status, 200, info.body);

    // A private repository: the owner's token reaches khub (Apache's
    // CGIPassAuth), a stranger gets "not found", anonymous 401.
    const priv = await c.createRepo(owner.token, true);
    const secret = Buffer.from('secret\n');
    await c.commit(owner.token, priv, { 'secret.txt': secret }, []);
    assert.ok((await c.download(priv, 'main', 'secret.txt', owner.token))
      .equals(secret));
    for (const path of [`/api/models/${priv.id}`,
      `/${priv.id}/resolve/main/secret.txt`]) {
      const s = await c.req('GET', path, { token: stranger.token });
      assert.equal(s.status, 404, `stranger ${path}: ${s.body}`);
      assert.equal(s.headers['x-error-code'], 'RepoNotFound');
      const a = await c.req('GET', path);
      assert.equal(a.status, 401, `anonymous ${path}: ${a.body}`);
    }
  });
}

// ---- the real git-lfs client through the other front ends ----

const haveGitLfs = spawnSync('git', ['lfs', 'version']).status === 0;

for (const fe of FRONTENDS.filter((f) => f.port !== stackPort && !f.shared)
  .slice(0, 2)) {
  test(`git lfs push and fetch through ${fe.name}`, async () => {
    assert.ok(haveGitLfs, 'git-lfs is installed (contrib/dev/install-deps)');
    const c = client(fe.port);
    const u = newUser();
    const repo = await c.createRepo(u.token);
    const w = gitLfsWorkTree(
      `http://127.0.0.1:${fe.port}/${repo.id}.git`, u);
    const { wt, git, gitOk } = w;
    try {
      const data = randomBytes(200000);
      gitOk('lfs', 'track', '*.bin');
      writeFileSync(join(wt, 'a.bin'), data);
      gitOk('add', '.');
      gitOk('commit', '-qm', 'lfs');
      const push = git('lfs', 'push', 'origin', 'main');
      assert.equal(push.status, 0, push.stdout + push.stderr);
      const oid = sha256(data);
      await c.commit(u.token, repo, {}, [{ path: 'a.bin', oid,
        size: data.length }]);
      rmSync(join(wt, '.git', 'lfs', 'objects'), { recursive: true });
      const fetch = git('lfs', 'fetch', 'origin', 'main');
      assert.equal(fetch.status, 0, fetch.stdout + fetch.stderr);
      assert.ok(readFileSync(join(wt, '.git', 'lfs', 'objects',
        oid.slice(0, 2), oid.slice(2, 4), oid)).equals(data));
    } finally {
      w.cleanup();
    }
  });
}

// ---- git push through every front end ----

// Over http.postBuffer (1 MiB) git first POSTs a probe (a body of "0000"),
// then the push with Transfer-Encoding: chunked: each server must pass
// both to khub (the shared host's mod_fcgid takes 128 KiB bodies at most,
// so not there).
for (const fe of FRONTENDS.filter((f) => !f.shared)) {
  test(`git push over 1 MiB through ${fe.name}`, async () => {
    const c = client(fe.port);
    const u = newUser();
    const repo = await c.createRepo(u.token);
    const w = gitLfsWorkTree(
      `http://127.0.0.1:${fe.port}/${repo.id}.git`, u);
    const { wt, git, gitOk } = w;
    try {
      gitOk('fetch', '-q', 'origin', 'main');
      gitOk('reset', '-q', '--hard', 'origin/main');
      writeFileSync(join(wt, 'big.bin'), randomBytes(3 << 20));
      writeFileSync(join(wt, 'small.txt'), 'small\n');
      gitOk('add', 'big.bin', 'small.txt');
      gitOk('commit', '-qm', 'a push over 1 MiB');
      const head = gitOk('rev-parse', 'HEAD').trim();
      const push = git('-c', 'lfs.locksverify=false', 'push', 'origin',
        'main');
      assert.equal(push.status, 0, push.stdout + push.stderr);
      const res = await c.req('GET', `/api/models/${repo.id}/refs`,
        { token: u.token });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json.branches.find((b) => b.name === 'main')
        .targetCommit, head);
      const back = await c.download(repo, 'main', 'big.bin', u.token);
      assert.ok(back.equals(readFileSync(join(wt, 'big.bin'))));
    } finally {
      w.cleanup();
    }
  });
}

// ---- what a front end may send differently ----

// A chunked request body (no Content-Length from the client): each server
// must hand khub the whole body with its length, or refuse it (411).
for (const fe of FRONTENDS) {
  test(`chunked request body through ${fe.name}`, async () => {
    const u = newUser();
    const name = unique('chunk');
    const res = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: fe.port,
        method: 'POST', path: '/api/repos/create', agent: false, headers: {
          'content-type': 'application/json', 'transfer-encoding': 'chunked',
          ...bearer(u.token) } }, (r) => {
        const chunks = [];
        r.on('data', (d) => chunks.push(d));
        r.on('end', () => resolve({ status: r.statusCode,
          body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      const body = JSON.stringify({ name, type: 'model' });
      req.write(body.slice(0, 5));
      req.write(body.slice(5));
      req.end();
    });
    // Each buffers the body and passes its CONTENT_LENGTH on.
    assert.equal(res.status, 200, res.body);
  });
}


const cgi = (extra) => ({ REQUEST_METHOD: 'GET', SERVER_NAME: '127.0.0.1',
  SERVER_PORT: String(SPAWN_FCGI), SERVER_PROTOCOL: 'HTTP/1.1',
  GATEWAY_INTERFACE: 'CGI/1.1', HTTP_HOST: `127.0.0.1:${SPAWN_FCGI}`,
  ...extra });

test('FastCGI: REQUEST_URI drives routing, whatever SCRIPT_NAME/PATH_INFO',
  async () => {
    // Apache's ScriptAlias split (SCRIPT_NAME empty, PATH_INFO decoded) and
    // a lighttpd-style one: khub routes by the raw REQUEST_URI alone.
    for (const split of [{ SCRIPT_NAME: '', PATH_INFO: '/api/health' },
      { SCRIPT_NAME: '/khub.fcgi', PATH_INFO: '/wrong' },
      { SCRIPT_NAME: '/api/health', PATH_INFO: '' }]) {
      const r = await fcgi(SPAWN_FCGI, cgi({ REQUEST_URI: '/api/health',
        ...split }));
      assert.equal(r.status, 200, JSON.stringify(split) + r.body);
    }
  });

test('FastCGI: no REQUEST_URI is a clear 400, not a wrong route',
  async () => {
    const r = await fcgi(SPAWN_FCGI, cgi({ SCRIPT_NAME: '',
      PATH_INFO: '/api/health' }));
    assert.equal(r.status, 400, r.body);
    assert.equal(r.headers['x-error-code'], 'BadRequest');
    assert.match(r.headers['x-error-message'] || r.body, /REQUEST_URI/);
  });

test('FastCGI: a body without CONTENT_LENGTH is read to its end, not taken '
  + 'as empty', async () => {
    const u = newUser();
    const name = unique('nocl');
    const body = Buffer.from(JSON.stringify({ name, type: 'model' }));
    const r = await fcgi(SPAWN_FCGI, cgi({ REQUEST_METHOD: 'POST',
      REQUEST_URI: '/api/repos/create', CONTENT_TYPE: 'application/json',
      HTTP_AUTHORIZATION: `Bearer ${u.token}` }), body);
    // FastCGI ends the body itself: khub reads it to that end (and logs
    // once that the web server should pass CONTENT_LENGTH).
    assert.equal(r.status, 200, r.body);
    assert.ok(r.body.includes(`/${u.name}/${name}`), r.body);
  });

test('FastCGI: no HTTP_AUTHORIZATION (stripped by the server) is 401 on a '
  + 'write', async () => {
    const r = await fcgi(SPAWN_FCGI, cgi({ REQUEST_METHOD: 'POST',
      REQUEST_URI: '/api/repos/create', CONTENT_TYPE: 'application/json',
      CONTENT_LENGTH: '2' }), Buffer.from('{}'));
    assert.equal(r.status, 401, r.body);
  });

// GET /api/health on one TCP connection, once at once and again after each
// pause (ms): resolves to what each request got ('closed' when the server
// had hung up during the pause).
function idleConnection(port, pauses) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const got = [];
    let buf = Buffer.alloc(0);
    let closed = false;
    let waiting = null;
    const ask = () => new Promise((res) => {
      if (closed) { res('closed'); return; }
      waiting = res;
      sock.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 || !waiting) return;
      const head = buf.subarray(0, end).toString();
      const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] || 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.subarray(end + 4 + len);
      const w = waiting;
      waiting = null;
      w(Number(head.split(' ')[1]));
    });
    const gone = () => { closed = true; if (waiting) { waiting('closed'); waiting = null; } };
    sock.on('end', gone);
    sock.on('close', gone);
    sock.on('error', reject);
    (async () => {
      got.push(await ask());
      for (const ms of pauses) {
        await new Promise((r) => setTimeout(r, ms));
        got.push(await ask());
      }
      sock.destroy();
      resolve(got);
    })();
  });
}

test('every front end keeps an idle connection past a client\'s pause '
  + '(5.5 s, then 30 s)', async () => {
  // huggingface_hub pauses about 5 s between calls; a server idle limit of
  // 5 s (lighttpd's and Apache's default) drops the connection under it.
  const all = await Promise.all(FRONTENDS.map((fe) =>
    idleConnection(fe.port, [5500, 30000]).then((got) => [fe.name, got])));
  for (const [name, got] of all)
    assert.deepEqual(got, [200, 200, 200], `${name}: ${got.join(', ')}`);
});

test('FastCGI: /metrics refuses a stranger\'s address; takes the metrics '
  + 'token', async () => {
  const token = /^metrics_token *= *(\S+)/m.exec(readFileSync(
    `${STACK}/khub.conf`, 'utf8'))[1];
  const from = (extra) => fcgi(SPAWN_FCGI, cgi({ REQUEST_URI: '/metrics',
    REMOTE_ADDR: '203.0.113.9', ...extra }));
  let r = await from({});
  assert.equal(r.status, 403, r.body);
  r = await from({ HTTP_AUTHORIZATION: `Bearer ${token}x` });
  assert.equal(r.status, 403, r.body);
  r = await from({ HTTP_AUTHORIZATION: `Bearer ${token}` });
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /^khub_requests_total\{route="\/api\/health",code="2xx"\} \d+$/m);
});

test('front ends: stop', async () => {
  stopFrontends();
  for (const fe of FRONTENDS.filter((f) => f.port !== stackPort)) {
    const gone = await request('GET', '/api/health', { port: fe.port })
      .then(() => false, () => true);
    assert.ok(gone, `${fe.name} stopped`);
  }
});
