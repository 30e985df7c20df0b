// t_55_mirror.mjs: the pull-through mirror (issue 13) against a real
// upstream hub: a second khub (contrib/dev/upstream: its own database and
// bucket, its own lighttpd) at the stack's [mirror] upstream1. tests/run
// starts it; a dev run without it gets it started here and stopped at the
// end. Through the mirror: a snapshot_download-like walk compared byte for
// byte and header for header with upstream, read-only, fallback=false, a
// branch that moved upstream, two concurrent first downloads, a corrupted
// upstream byte, a private upstream repo, and upstream stopped.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  BASE, BUILD, CONFIG, STACK, bearer, confValue, khubctl, khubctlRaw, newUser, raw, request,
  sha256, skip, sql, test, unique, waitFor,
} from './lib.mjs';

const UPSTREAM = confValue('upstream1');
const UP_PORT = UPSTREAM ? Number(new URL(UPSTREAM).port) : 0;
const UP_CONF = `${STACK}/upstream/khub.conf`;
let started = false;

const up = (method, path, opts = {}) => request(method, path,
  { ...opts, port: UP_PORT });
const upctl = (...args) => execFileSync(`${BUILD}/khubctl`,
  ['-c', UP_CONF, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe',
    'pipe'] });
const upstreamSh = (...args) => execFileSync('sh',
  ['contrib/dev/upstream', ...args, ...(args[0] === 'start' ? [] : [])],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const upSql = (statement) => sql(statement.replace(/\bkhub\./g,
  'khub_up.'));

async function upstreamUp() {
  try {
    return (await up('GET', '/api/health')).status === 200;
  } catch { return false; }
}

function needUpstream() {
  if (!UPSTREAM)
    skip('the stack has no [mirror] upstream1 (tests/run sets '
      + 'KHUB_MIRROR_UPSTREAM)');
}

// ---- the upstream's content, written through its own API ----

function upUser() {
  const name = unique('up');
  upctl('user', 'add', name);
  const token = upctl('token', 'add', name, '--role', 'write', '--name',
    't').trim();
  return { name, token };
}

async function upCreate(user, { name = unique('m'), priv = false } = {}) {
  const res = await up('POST', '/api/repos/create', { body: { name,
    private: priv }, headers: { 'content-type': 'application/json',
    ...bearer(user.token) } });
  assert.equal(res.status, 200, res.body);
  return `${user.name}/${name}`;
}

const LFS_TYPE = 'application/vnd.git-lfs+json';

// An LFS object onto upstream (batch, PUT, verify), as the clients do.
async function upLfs(repo, token, data) {
  const oid = sha256(data);
  const res = await up('POST', `/${repo}.git/info/lfs/objects/batch`, {
    body: { operation: 'upload', transfers: ['basic'], objects: [{ oid,
      size: data.length }], hash_algo: 'sha256' },
    headers: { accept: LFS_TYPE, 'content-type': LFS_TYPE,
      ...bearer(token) } });
  assert.equal(res.status, 200, res.body);
  const o = res.json.objects[0];
  if (o.actions) {
    const put = await raw('PUT', o.actions.upload.href, data);
    assert.equal(put.status, 200, put.body.toString());
    const v = new URL(o.actions.verify.href);
    const vr = await up('POST', v.pathname + v.search, { body: { oid,
      size: data.length }, headers: { accept: LFS_TYPE,
      'content-type': LFS_TYPE, ...bearer(token) } });
    assert.equal(vr.status, 200, vr.body);
  }
  return { oid, size: data.length };
}

async function upCommit(repo, token, { files = {}, lfs = {},
  summary = 'up' } = {}) {
  const lines = [{ key: 'header', value: { summary, description: 'body' } }];
  for (const [path, content] of Object.entries(files))
    lines.push({ key: 'file', value: { path, encoding: 'base64',
      content: Buffer.from(content).toString('base64') } });
  for (const [path, data] of Object.entries(lfs)) {
    const o = await upLfs(repo, token, data);
    lines.push({ key: 'lfsFile', value: { path, algo: 'sha256', oid: o.oid,
      size: o.size } });
  }
  const res = await up('POST', `/api/models/${repo}/commit/main`, {
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson', ...bearer(token) } });
  assert.equal(res.status, 200, res.body);
  return res.json.commitOid;
}

// ---- reading from both ----

// GET of a download URL, following its redirect: {status, headers (of
// the first answer), body (Buffer), location}.
async function download(get, path) {
  const res = await get('GET', path);
  if (res.status !== 302) return { ...res, body: Buffer.from(res.body) };
  const bytes = await raw('GET', res.headers.location);
  assert.equal(bytes.status, 200, `${path} -> ${res.headers.location}`);
  return { status: 302, headers: res.headers, body: bytes.body,
    location: res.headers.location };
}

const FACTS = ['x-repo-commit', 'etag', 'x-linked-etag', 'x-linked-size',
  'x-error-code'];
const facts = (h) => Object.fromEntries(FACTS.map((k) => [k, h[k]]));

// What a client reads of a repository info (volatile counters left out).
function infoFields(j) {
  const { _id, downloads, likes, lastModified, createdAt, mirror,
    usedStorage, ...rest } = j;
  return rest;
}

const FILES = {
  'config.json': '{"model_type": "bert", "hidden_size": 8}\n',
  'README.md': '---\nlicense: mit\ntags:\n- mirror-test\n---\n# A model\n',
  'big.txt': 'x'.repeat(20000) + '\n',
  'sub/dir/nested.txt': 'nested\n',
};
const WEIGHTS = randomBytes(100000);
const NEVER = randomBytes(5000);	// never fetched until upstream stops

let user, repo, head;

test('mirror: the upstream hub runs', async () => {
  needUpstream();
  if (!await upstreamUp()) {
    upstreamSh('start', STACK, String(UP_PORT));
    started = true;
  }
  assert.ok(await upstreamUp(), 'upstream health');
  user = upUser();
  repo = await upCreate(user);
  head = await upCommit(repo, user.token, { files: FILES,
    lfs: { 'model.safetensors': WEIGHTS, 'never.bin': NEVER } });
});

test('mirror: a snapshot walk answers exactly what upstream answers',
  async () => {
    needUpstream();
    const both = async (path, opts) => [await up('GET', path, opts),
      await request('GET', path, opts)];
    let [u, m] = await both(`/api/models/${repo}`);
    assert.equal(u.status, 200, u.body);
    assert.equal(m.status, 200, m.body);
    assert.equal(m.json.sha, head);
    assert.deepEqual(infoFields(m.json), infoFields(u.json));
    assert.equal(m.json.mirror?.upstream, UPSTREAM);
    [u, m] = await both(`/api/models/${repo}/revision/main?blobs=true`);
    assert.deepEqual(infoFields(m.json), infoFields(u.json));
    for (const path of [`/api/models/${repo}/tree/main?recursive=true`,
      `/api/models/${repo}/tree/main/sub`, `/api/models/${repo}/refs`,
      `/api/models/${repo}/commits/main`,
      `/api/models/${repo}/tree/${head}?recursive=1&expand=false`]) {
      [u, m] = await both(path);
      assert.equal(m.status, u.status, path);
      assert.deepEqual(m.json, u.json, path);
    }
    const pi = (get) => get('POST', `/api/models/${repo}/paths-info/main`, {
      body: 'paths=config.json&paths=model.safetensors&paths=sub&expand=false',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    [u, m] = [await pi(up), await pi(request)];
    assert.equal(m.status, 200, m.body);
    assert.deepEqual(m.json, u.json);

    // every file: HEAD facts, then the bytes
    const tree = u.json;
    const paths = [...Object.keys(FILES), 'model.safetensors',
      '.gitattributes'];
    for (const path of paths) {
      const url = `/${repo}/resolve/main/${path}`;
      [u, m] = [await up('HEAD', url), await request('HEAD', url)];
      assert.equal(m.status, 200, `${path}: ${m.status}`);
      assert.deepEqual(facts(m.headers), facts(u.headers), path);
      const ub = await download(up, url);
      const mb = await download(request, url);
      assert.deepEqual(facts(mb.headers), facts(ub.headers), path);
      assert.ok(mb.body.equals(ub.body), `${path}: the same bytes`);
      // from khub's own bucket, not upstream's
      assert.ok(!mb.location.includes('/khub-up/'), mb.location);
    }
    assert.ok(tree.length >= 2);
    // a missing file: EntryNotFound with the commit, as upstream says it
    const miss = `/${repo}/resolve/main/nope.txt`;
    [u, m] = [await up('HEAD', miss), await request('HEAD', miss)];
    assert.equal(m.status, 404);
    assert.deepEqual(facts(m.headers), facts(u.headers));
    // a revision upstream does not have
    [u, m] = await both(`/api/models/${repo}/revision/nobranch`);
    assert.equal(m.status, 404);
    assert.equal(m.headers['x-error-code'], 'RevisionNotFound');
    // no Xet, ever
    m = await request('HEAD', `/${repo}/resolve/main/model.safetensors`);
    assert.ok(!Object.keys(m.headers).some((k) => k.startsWith('x-xet')));
  });

// Every entry under dir: path -> "dir", "link -> target" or the sha256 of
// the file's bytes.
async function cacheTree(dir, at = '') {
  const out = {};
  for (const e of await readdir(join(dir, at), { withFileTypes: true })) {
    const p = join(at, e.name);
    if (e.isDirectory()) {
      out[p] = 'dir';
      Object.assign(out, await cacheTree(dir, p));
    } else if (e.isSymbolicLink())
      out[p] = `link -> ${await readlink(join(dir, p))}`;
    else
      out[p] = sha256(await readFile(join(dir, p)));
  }
  return out;
}

test('mirror: the JS client\'s cache is the same from upstream and from '
  + 'the mirror', async () => {
  needUpstream();
  let h;
  try {
    h = await import('@huggingface/hub');
  } catch (e) {
    throw new Error(`@huggingface/hub is not installed: ${e.message}`);
  }
  const r6 = await upCreate(user);
  const weights = randomBytes(20000);
  const c6 = await upCommit(r6, user.token, { files: FILES,
    lfs: { 'w/model.safetensors': weights } });
  const dirs = [];
  const debug = console.debug;
  console.debug = () => {};	// the client logs each download there
  try {
    for (const hubUrl of [UPSTREAM, BASE]) {
      const dir = await mkdtemp(join(tmpdir(), 'khub-mirror-cache-'));
      dirs.push(dir);
      const snap = await h.snapshotDownload({ repo: r6, revision: 'main',
        cacheDir: dir, hubUrl });
      assert.ok(snap.endsWith(join('snapshots', c6)), snap);
    }
    const [a, b] = [await cacheTree(dirs[0]), await cacheTree(dirs[1])];
    assert.ok(Object.keys(a).some((p) => p.includes(join('blobs',
      sha256(weights)))), JSON.stringify(a));
    assert.deepEqual(b, a);
  } finally {
    console.debug = debug;
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test('mirror: read-only for everyone', async () => {
  needUpstream();
  const me = newUser();
  let res = await request('POST', `/api/models/${repo}/commit/main`, {
    body: JSON.stringify({ key: 'header', value: { summary: 'x' } }),
    headers: { 'content-type': 'application/x-ndjson',
      ...bearer(me.token) } });
  assert.equal(res.status, 403, res.body);
  assert.match(res.headers['x-error-message'] || res.body, /mirror/);
  // nor a pull request, which anyone may open on a repository of here
  res = await request('POST', `/api/models/${repo}/commit/main?create_pr=1`, {
    body: JSON.stringify({ key: 'header', value: { summary: 'x' } }),
    headers: { 'content-type': 'application/x-ndjson',
      ...bearer(me.token) } });
  assert.equal(res.status, 403, res.body);
  assert.match(res.headers['x-error-message'] || res.body, /mirror/);
  res = await request('DELETE', '/api/repos/delete', {
    body: JSON.stringify({ name: repo.split('/')[1],
      organization: repo.split('/')[0] }),
    headers: { 'content-type': 'application/json', ...bearer(me.token) } });
  assert.equal(res.status, 403, res.body);
  res = await request('POST', `/${repo}.git/info/lfs/objects/batch`, {
    body: { operation: 'upload', objects: [{ oid: sha256('x'), size: 1 }] },
    headers: { accept: LFS_TYPE, 'content-type': LFS_TYPE,
      ...bearer(me.token) } });
  assert.equal(res.status, 403, res.body);
  // marked as a mirror in listings, in the API and on the pages
  res = await request('GET', `/api/models?author=${user.name}`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.find((x) => x.id === repo)?.mirror?.upstream,
    UPSTREAM);
  res = await request('GET', `/models?search=${repo.split('/')[1]}`);
  assert.match(res.body, /mirror of http:\/\/127\.0\.0\.1/);
  // git: not a clone with objects that do not match upstream's ids
  res = await request('GET', `/${repo}.git/info/refs?service=git-upload-pack`);
  assert.equal(res.status, 501, res.body);
  assert.match(res.headers['x-error-message'] || res.body, /mirror of/);
});

test('mirror: fallback=false answers RepoNotFound; a private upstream '
  + 'repo never appears', async () => {
  needUpstream();
  const other = await upCreate(user);
  let res = await request('GET', `/api/models/${other}?fallback=false`);
  assert.equal(res.status, 401);
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  res = await request('GET', `/api/models/${other}`);
  assert.equal(res.status, 200, res.body);

  const priv = await upCreate(user, { priv: true });
  const me = newUser();
  for (const h of [{}, bearer(me.token)]) {
    res = await request('GET', `/api/models/${priv}`, { headers: h });
    assert.equal(res.headers['x-error-code'], 'RepoNotFound', res.body);
    res = await request('HEAD', `/${priv}/resolve/main/.gitattributes`,
      { headers: h });
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  }
  assert.equal(sql(`SELECT COUNT(*) FROM repo WHERE name = '${
    priv.split('/')[1]}'`).trim(), '0');
});

test('mirror: a branch that moved upstream is seen after fresh seconds',
  async () => {
    needUpstream();
    const next = await upCommit(repo, user.token,
      { files: { 'added.txt': 'new\n' }, summary: 'moved' });
    const fresh = Number(confValue('fresh') || 60);
    assert.ok(fresh <= 5, 'tests run with a short [mirror] fresh');
    await new Promise((r) => setTimeout(r, fresh * 1000 + 500));
    const res = await request('GET', `/api/models/${repo}/revision/main`);
    assert.equal(res.json.sha, next);
    const refs = [await up('GET', `/api/models/${repo}/refs`),
      await request('GET', `/api/models/${repo}/refs`)];
    assert.deepEqual(refs[1].json, refs[0].json);
    const c = [await up('GET', `/api/models/${repo}/commits/main`),
      await request('GET', `/api/models/${repo}/commits/main`)];
    assert.deepEqual(c[1].json, c[0].json);
    // the old commit still answers, by its id
    const old = await request('HEAD', `/${repo}/resolve/${head}/config.json`);
    assert.equal(old.status, 200);
    assert.equal(old.headers['x-repo-commit'], head);
    head = next;
  });

test('mirror: two concurrent first downloads make one fill', async () => {
  needUpstream();
  const data = randomBytes(300000);
  head = await upCommit(repo, user.token, { lfs: { 'twice.bin': data } });
  await new Promise((r) => setTimeout(r, 3000));
  const url = `/${repo}/resolve/${head}/twice.bin`;
  const [a, b] = await Promise.all([download(request, url),
    download(request, url)]);
  assert.ok(a.body.equals(data) && b.body.equals(data));
  const oid = sha256(data);
  assert.equal(sql(`SELECT state, attempts FROM mirror_fill WHERE sha256 = `
    + `UNHEX('${oid}')`).trim(), 'done\t1');
  assert.equal(sql(`SELECT COUNT(*) FROM lfs_object WHERE sha256 = `
    + `UNHEX('${oid}')`).trim(), '1');
});

test('mirror: a big first download gets upstream\'s bytes at once, then '
  + 'ours', async () => {
  needUpstream();
  const max = confValue('wait_max');
  assert.equal(max, '1MiB', 'tests run with [mirror] wait_max = 1MiB');
  const data = randomBytes(1536 * 1024);
  head = await upCommit(repo, user.token, { lfs: { 'big.bin': data } });
  const url = `/${repo}/resolve/${head}/big.bin`;
  const u = await up('HEAD', url);
  const first = await download(request, url);
  assert.ok(first.body.equals(data));
  assert.deepEqual(facts(first.headers), facts(u.headers));
  // upstream's own (its bucket), this once
  assert.ok(first.location.includes('/khub-up/'), first.location);
  const oid = sha256(data);
  assert.ok(await waitFor(() => sql(`SELECT state FROM mirror_fill WHERE `
    + `sha256 = UNHEX('${oid}')`).trim() === 'done', 60), 'the fill ran');
  const second = await download(request, url);
  assert.ok(second.body.equals(data));
  assert.ok(!second.location.includes('/khub-up/'), second.location);
});

// S3 of the stack, signed as the gateway's owner (tests only).
function s3put(key, data) {
  const secrets = Object.fromEntries(execFileSync('cat',
    [`${STACK}/secrets`], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.split('=')));
  const endpoint = confValue('endpoint');
  execFileSync('curl', ['-sf', '--aws-sigv4', 'aws:amz:us-east-1:s3',
    '--user', `${secrets.s3_access}:${secrets.s3_secret}`, '-H',
    'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-X', 'PUT', '--data-binary',
    '@-', `${endpoint}/${key}`], { input: data });
}

test('mirror: a corrupted upstream byte is never served', async () => {
  needUpstream();
  const data = randomBytes(50000);
  head = await upCommit(repo, user.token, { lfs: { 'bad.bin': data } });
  const oid = sha256(data);
  const bad = Buffer.from(data);
  bad[1234] ^= 1;
  s3put(`khub-up/lfs/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`, bad);
  const url = `/${repo}/resolve/${head}/bad.bin`;
  const res = await request('GET', url);
  assert.equal(res.status, 502, res.body);
  assert.equal(res.headers['x-error-code'], 'UpstreamBadBytes');
  assert.equal(sql(`SELECT COUNT(*) FROM lfs_object WHERE sha256 = `
    + `UNHEX('${oid}')`).trim(), '0');
  const again = await request('GET', url);
  assert.equal(again.status, 502);
});

test('mirror: upstream stopped, what was copied still answers', async () => {
  needUpstream();
  const before = await request('GET',
    `/api/models/${repo}/tree/main?recursive=true`);
  const unmirrored = await upCreate(user);
  upstreamSh('stop', STACK);
  try {
    const fresh = Number(confValue('fresh') || 60);
    await new Promise((r) => setTimeout(r, fresh * 1000 + 500));
    let res = await request('GET', `/api/models/${repo}`);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.sha, head);
    res = await request('GET', `/api/models/${repo}/tree/main?recursive=true`);
    assert.deepEqual(res.json, before.json);
    const got = await download(request, `/${repo}/resolve/main/config.json`);
    assert.equal(got.body.toString(), FILES['config.json']);
    const w = await download(request,
      `/${repo}/resolve/main/model.safetensors`);
    assert.ok(w.body.equals(WEIGHTS));
    // never fetched: HEAD knows its facts, GET says why not
    res = await request('HEAD', `/${repo}/resolve/main/never.bin`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-linked-etag'], `"${sha256(NEVER)}"`);
    res = await request('GET', `/${repo}/resolve/main/never.bin`);
    assert.equal(res.status, 502, res.body);
    assert.equal(res.headers['x-error-code'], 'UpstreamError');
    // a repository never read through
    res = await request('GET', `/api/models/${unmirrored}`);
    assert.equal(res.status, 502, res.body);
    assert.equal(res.headers['x-error-code'], 'UpstreamError');
    const log = execFileSync('cat', [`${STACK}/khub.log`],
      { encoding: 'utf8' });
    assert.match(log, new RegExp(`upstream ${UPSTREAM} failed`));
  } finally {
    upstreamSh('start', STACK, String(UP_PORT));
  }
  const res = await download(request, `/${repo}/resolve/main/never.bin`);
  assert.ok(res.body.equals(NEVER));
});

test('mirror: khubctl mirror pin, list, refresh, drop; a dead worker\'s '
  + 'fill is taken up again', async () => {
  needUpstream();
  const r2 = await upCreate(user);
  const a = randomBytes(7000);
  const b = randomBytes(9000);
  const c2 = await upCommit(r2, user.token, { lfs: { 'a.bin': a,
    'd/b.bin': b } });
  const out = khubctl('mirror', 'pin', `${r2}@main`);
  assert.match(out, /\[1\/2\] /);
  assert.match(out, /\[2\/2\] /);
  assert.match(out, new RegExp(`${c2}, every file here`));
  const list = khubctl('mirror', 'list');
  assert.match(list, new RegExp(`model\t${r2}\t${UPSTREAM}\t1 revisions\t`
    + '0 LFS objects not copied'));
  for (const [path, data] of [['a.bin', a], ['d/b.bin', b]]) {
    const got = await download(request, `/${r2}/resolve/main/${path}`);
    assert.ok(got.body.equals(data));
    assert.ok(!got.location.includes('/khub-up/'));
  }
  assert.match(khubctl('mirror', 'refresh', r2), /asked again/);
  assert.equal(khubctlRaw(['mirror', 'drop', 'nobody/nothing']).status, 1);

  // a fill claimed by a worker that died: queued, its lease run out
  const r3 = await upCreate(user);
  const lost = randomBytes(4000);
  const c3 = await upCommit(r3, user.token, { lfs: { 'lost.bin': lost } });
  assert.equal((await request('HEAD', `/${r3}/resolve/main/lost.bin`))
    .status, 200);
  const oid = sha256(lost);
  sql(`INSERT INTO mirror_fill (sha256, size, url, upstream, attempts, `
    + `lease_until) VALUES (UNHEX('${oid}'), ${lost.length}, `
    + `'${UPSTREAM}/${r3}/resolve/${c3}/lost.bin', '${UPSTREAM}', 1, `
    + 'NOW(3) - INTERVAL 1 SECOND)');
  assert.match(khubctl('mirror', 'work'), /^1 fills ran, 0 failed/);
  assert.equal(sql(`SELECT state, attempts FROM mirror_fill WHERE sha256 = `
    + `UNHEX('${oid}')`).trim(), 'done\t2');
  const got = await download(request, `/${r3}/resolve/main/lost.bin`);
  assert.ok(got.body.equals(lost));
  assert.ok(!got.location.includes('/khub-up/'));

  // dropped: gone here, read through again at the next read
  assert.match(khubctl('mirror', 'drop', r2), /dropped/);
  assert.equal(sql(`SELECT COUNT(*) FROM repo WHERE name = '${
    r2.split('/')[1]}'`).trim(), '0');
  const again = await request('GET', `/api/models/${r2}`);
  assert.equal(again.status, 200);
  assert.equal(again.json.sha, c2);
});

test('mirror: a tree of more than a page, read by two at once: one copy, '
  + 'pages as upstream\'s', async () => {
  needUpstream();
  const r4 = await upCreate(user);
  const files = { 'one.txt': 'one\n' };
  for (let i = 0; i < 1100; i++)
    files[`many/f${String(i).padStart(4, '0')}.txt`] = 'the same bytes\n';
  await upCommit(r4, user.token, { files });
  const page = `/api/models/${r4}/tree/main/many`;
  const [a, b] = await Promise.all([request('GET', page),
    request('GET', page)]);
  const u = await up('GET', page);
  assert.equal(u.json.length, 1000);
  for (const m of [a, b]) {
    assert.equal(m.status, 200, m.body);
    assert.deepEqual(m.json, u.json);
  }
  const next = (res) => {
    const l = /<([^>]+)>; rel="next"/.exec(res.headers.link || '');
    assert.ok(l, 'a next page');
    const n = new URL(l[1]);
    return n.pathname + n.search;
  };
  const [u2, m2] = [await up('GET', next(u)), await request('GET', next(a))];
  assert.equal(m2.json.length, 100);
  assert.deepEqual(m2.json, u2.json);
  const log = execFileSync('cat', [`${STACK}/khub.log`], { encoding: 'utf8' });
  assert.equal(log.split('\n').filter((l) => l.includes(`copied ${r4}@`))
    .length, 1, 'one copy');
});

test('mirror: with a token, a private upstream repo is mirrored private: '
  + 'its namespace\'s members read it, no one else', async () => {
  needUpstream();
  const priv = await upCreate(user, { priv: true });
  const c = await upCommit(priv, user.token, { files: { 'p.txt': 'secret\n' },
    lfs: { 'p.bin': randomBytes(3000) } });
  // khubctl with this upstream's token (the server itself has none)
  const conf = join(mkdtempSync(join(tmpdir(), 'khub-mirror-')), 'k.conf');
  writeFileSync(conf, readFileSync(CONFIG, 'utf8').replace(
    /^(upstream1 = .*)$/m, `$1\ntoken1 = ${user.token}`), { mode: 0o600 });
  execFileSync(`${BUILD}/khubctl`, ['-c', conf, 'mirror', 'pin', priv],
    { encoding: 'utf8' });
  rmSync(dirname(conf), { recursive: true });
  const stranger = newUser();
  const member = newUser('read');
  let res = await request('GET', `/api/models/${priv}`);
  assert.equal(res.status, 401);
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  res = await request('GET', `/api/models/${priv}`,
    { headers: bearer(stranger.token) });
  assert.equal(res.status, 404);
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  res = await request('HEAD', `/${priv}/resolve/main/p.txt`,
    { headers: bearer(stranger.token) });
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  res = await request('GET', `/api/models?author=${user.name}`,
    { headers: bearer(stranger.token) });
  assert.ok(!res.json.some((x) => x.id === priv));
  khubctl('org', 'member', user.name, member.name, '--role', 'read');
  res = await request('GET', `/api/models/${priv}`,
    { headers: bearer(member.token) });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.sha, c);
  assert.equal(res.json.private, true);
  const got = await download((m, p) => request(m, p,
    { headers: bearer(member.token) }), `/${priv}/resolve/main/p.txt`);
  assert.equal(got.body.toString(), 'secret\n');
});

test('mirror: a repository upstream makes private is no longer served',
  async () => {
    needUpstream();
    const r5 = await upCreate(user);
    await upCommit(r5, user.token, { files: { 'x.txt': 'x\n' } });
    let res = await request('HEAD', `/${r5}/resolve/main/x.txt`);
    assert.equal(res.status, 200);
    res = await up('PUT', `/api/models/${r5}/settings`, { body: { private:
      true }, headers: { 'content-type': 'application/json',
      ...bearer(user.token) } });
    assert.equal(res.status, 200, res.body);
    await new Promise((r) => setTimeout(r,
      Number(confValue('fresh')) * 1000 + 500));
    res = await request('HEAD', `/${r5}/resolve/main/x.txt`);
    assert.equal(res.status, 401);
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
    res = await request('GET', `/api/models/${r5}/tree/main`);
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  });

// gc against a mirror's first reads: a copy that finds a file's content
// stored (a deleted local repository's, unreferenced for longer than the
// grace) adds its reference without fetching it again; gc deleting that
// content at the same instant must either see the reference or have the
// copy fail cleanly (503) and be read again (gc.h's hold).
test('mirror: gc racing first reads that find their files stored as '
  + 'garbage: every mirrored file keeps its bytes', async () => {
  needUpstream();
  const N = 8, PER = 4;
  const local = newUser();
  const contents = [...Array(N * PER)].map((_, i) => randomBytes(5000 + i));
  // old garbage here: a deleted repository's files, marked 2 h ago
  const old = await request('POST', '/api/repos/create', { body: {
    name: unique('old') }, headers: { 'content-type': 'application/json',
    ...bearer(local.token) } });
  assert.equal(old.status, 200, old.body);
  const oldId = `${local.name}/${old.json.url.split('/').pop()}`;
  const files = Object.fromEntries(contents.map((c, i) => [`c${i}.bin`, c]));
  const lines = [{ key: 'header', value: { summary: 'old' } },
    ...Object.entries(files).map(([path, c]) => ({ key: 'file', value: {
      path, encoding: 'base64', content: c.toString('base64') } }))];
  let res = await request('POST', `/api/models/${oldId}/commit/main`, {
    body: lines.map((l) => JSON.stringify(l)).join('\n'), headers: {
      'content-type': 'application/x-ndjson', ...bearer(local.token) } });
  assert.equal(res.status, 200, res.body);
  res = await request('DELETE', '/api/repos/delete', { body: { name:
    oldId.split('/')[1], type: 'model' }, headers: {
    'content-type': 'application/json', ...bearer(local.token) } });
  assert.equal(res.status, 200, res.body);
  khubctl('gc', '--grace', '1h');
  sql('UPDATE gc_mark SET since = since - INTERVAL 2 HOUR');
  // upstream: the same contents, PER a repository, each with a new file
  // the copy must fetch (the time between finding the others and landing)
  const repos = [];
  for (let r = 0; r < N; r++) {
    const id = await upCreate(user);
    const f = { 'new.bin': randomBytes(400000) };
    for (let k = 0; k < PER; k++)
      f[`c${r * PER + k}.bin`] = contents[r * PER + k];
    await upCommit(id, user.token, { files: f });
    repos.push({ id, files: f });
  }
  const sweeping = new Promise((resolve, reject) => {
    setTimeout(() => {
      try { resolve(khubctlRaw(['gc', '--grace', '1h'])); } catch (e) {
        reject(e);
      }
    }, 30);
  });
  const first = await Promise.all(repos.map(async ({ id }, r) => {
    await new Promise((ok) => setTimeout(ok, r * 8));
    return request('GET', `/api/models/${id}/revision/main`);
  }));
  const g = await sweeping;
  assert.equal(g.status, 0, g.stderr);
  let retried = 0;
  for (let r = 0; r < N; r++) {
    if (first[r].status === 200) continue;
    assert.equal(first[r].status, 503, first[r].body);
    assert.ok(first[r].headers['x-error-code']);
    retried++;
    res = await request('GET', `/api/models/${repos[r].id}/revision/main`);
    assert.equal(res.status, 200, res.body);
  }
  assert.equal(sql(`SELECT COUNT(*) FROM repo_blob rb
    LEFT JOIN git_blob b ON b.oid = rb.oid WHERE b.oid IS NULL`).trim(), '0',
  'a mirror references a blob gc deleted');
  for (const { id, files: f } of repos)
    for (const [path, c] of Object.entries(f)) {
      const got = await download(request, `/${id}/resolve/main/${path}`);
      assert.equal(got.status, 302, `${id} ${path}: ${got.status}`);
      assert.ok(got.body.equals(c), `${id} ${path}: other bytes`);
    }
  console.log(`# mirror gc race: ${retried} of ${N} first reads met `
    + 'collected content and were read again');
});

// A worker remembers the blobs it has read (gitstore.c's cache); gc, in
// another process, deletes the rows of collected ones without telling it.
// A mirror's copy deciding which files it must fetch asks the database:
// trusting that memory, every read of the revision answered 503 on the
// workers that had read the file before.
test('mirror: a copy after gc collected what the workers remember fetches '
  + 'it again', async () => {
  needUpstream();
  const local = newUser();
  const user = upUser();
  const c = randomBytes(6000);
  const blobId = createHash('sha1').update(`blob ${c.length}\0`).update(c)
    .digest('hex');
  const made = await request('POST', '/api/repos/create', { body: {
    name: unique('mem') }, headers: { 'content-type': 'application/json',
    ...bearer(local.token) } });
  assert.equal(made.status, 200, made.body);
  const localId = `${local.name}/${made.json.url.split('/').pop()}`;
  let res = await request('POST', `/api/models/${localId}/commit/main`, {
    body: [{ key: 'header', value: { summary: 'x' } }, { key: 'file',
      value: { path: 'x.bin', encoding: 'base64',
        content: c.toString('base64') } }].map((l) => JSON.stringify(l))
      .join('\n'), headers: { 'content-type': 'application/x-ndjson',
      ...bearer(local.token) } });
  assert.equal(res.status, 200, res.body);
  // every worker reads the file's blob (tree with expand: its metadata)
  await Promise.all([...Array(24)].map(() => request('GET',
    `/api/models/${localId}/tree/main?expand=true`)));
  res = await request('DELETE', '/api/repos/delete', { body: { name:
    localId.split('/')[1], type: 'model' }, headers: {
    'content-type': 'application/json', ...bearer(local.token) } });
  assert.equal(res.status, 200, res.body);
  khubctl('gc', '--grace', '1h');
  sql('UPDATE gc_mark SET since = since - INTERVAL 2 HOUR');
  khubctl('gc', '--grace', '1h');
  assert.equal(sql(`SELECT COUNT(*) FROM git_blob WHERE oid =
    UNHEX('${blobId}')`).trim(), '0', 'gc did not collect the blob');
  const id = await upCreate(user);
  await upCommit(id, user.token, { files: { 'x.bin': c } });
  for (let i = 0; i < 6; i++) {
    res = await request('GET', `/api/models/${id}/revision/main`);
    assert.equal(res.status, 200, `read ${i}: ${res.body}`);
  }
  const got = await download(request, `/${id}/resolve/main/x.bin`);
  assert.equal(got.status, 302);
  assert.ok(got.body.equals(c), 'other bytes');
});

test('mirror: the upstream we started stops', async () => {
  needUpstream();
  if (started) upstreamSh('stop', STACK);
  assert.ok(existsSync(UP_CONF));
});
