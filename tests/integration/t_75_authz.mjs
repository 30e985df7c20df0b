// t_75_authz.mjs: the authorization matrix. Every repository endpoint,
// called by each kind of caller (anonymous, a stranger, org members with
// read, write and admin roles, the owner, the owner's read-only token, a
// revoked and an expired token), on a public and a private repository of an organization
// and of a user, must give exactly the answer the table below says; and a
// private repository that the caller may not read must answer byte for
// byte like a repository that does not exist (existence never shows).
//
// The rules (src/repo.c rights(), issue 5): public repos are read by
// anyone; private ones only by their owner and the org's members (any
// role); writes need a write token and (the owner, or an org member with
// write/admin); settings, delete and move need admin (the owner or an org
// admin); a bad (revoked, expired) token is 401 everywhere, public reads
// included (as the Hub answers a bad token).
// Branch and tag deletion need write, as branch and tag creation do.
// Taking part (issue 11: opening a pull request or a discussion,
// commenting, LFS uploads for a pull request) needs read access and a
// user's write token, as on the Hub.
// Not here: account, session and organization endpoints, and the LFS
// multipart completion (its URL is the capability, not the caller).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import {
  bearer, commitOk, createRepo, khubctl, newUser, request, shown, sql, test,
  unique,
} from './lib.mjs';

// ---- the expected table ----
//
// Callers, in the order of the table's columns: no token; a user with a
// write token and no relation to the repos; org members with roles read,
// write, admin (write tokens; on the user-owned repos they are strangers);
// the owner: the user who owns the user repos and created the org (its
// first admin); the owner's read-only token; a token of the owner revoked
// in the database; one whose expiry has passed.
const CALLERS = ['anon', 'stranger', 'read', 'write', 'admin', 'owner',
  'readtok', 'revoked', 'expired'];

// Outcomes: ok = the endpoint's success answer; nf = exactly the answer for
// a missing repo (401 RepoNotFound anonymous, 404 RepoNotFound otherwise);
// 401 = 401 Unauthorized (no token for a write, or a bad token: then
// exactly the answer for a missing repo too);
// 403 = 403 Forbidden (readable, but not with these rights);
// in / out = a listing that includes / omits the repository.
const EXPECT = {
  //                anon    strngr  read    write   admin   owner   readtok revoked expired
  read: {
    'org/public':  ['ok',  'ok',   'ok',   'ok',   'ok',   'ok',   'ok',   '401',  '401'],
    'org/private': ['nf',  'nf',   'ok',   'ok',   'ok',   'ok',   'ok',   '401',  '401'],
    'user/public': ['ok',  'ok',   'ok',   'ok',   'ok',   'ok',   'ok',   '401',  '401'],
    'user/private':['nf',  'nf',   'nf',   'nf',   'nf',   'ok',   'ok',   '401',  '401'],
  },
  write: {
    'org/public':  ['401', '403',  '403',  'ok',   'ok',   'ok',   '403',  '401',  '401'],
    'org/private': ['nf',  'nf',   '403',  'ok',   'ok',   'ok',   '403',  '401',  '401'],
    'user/public': ['401', '403',  '403',  '403',  '403',  'ok',   '403',  '401',  '401'],
    'user/private':['nf',  'nf',   'nf',   'nf',   'nf',   'ok',   '403',  '401',  '401'],
  },
  // taking part (issue 11): opening a pull request or a discussion,
  // commenting, uploading LFS objects for a pull request: read access and
  // a user's write token
  pr: {
    'org/public':  ['401', 'ok',   'ok',   'ok',   'ok',   'ok',   '403',  '401',  '401'],
    'org/private': ['nf',  'nf',   'ok',   'ok',   'ok',   'ok',   '403',  '401',  '401'],
    'user/public': ['401', 'ok',   'ok',   'ok',   'ok',   'ok',   '403',  '401',  '401'],
    'user/private':['nf',  'nf',   'nf',   'nf',   'nf',   'ok',   '403',  '401',  '401'],
  },
  admin: {
    'org/public':  ['401', '403',  '403',  '403',  'ok',   'ok',   '403',  '401',  '401'],
    'org/private': ['nf',  'nf',   '403',  '403',  'ok',   'ok',   '403',  '401',  '401'],
    'user/public': ['401', '403',  '403',  '403',  '403',  'ok',   '403',  '401',  '401'],
    'user/private':['nf',  'nf',   'nf',   'nf',   'nf',   'ok',   '403',  '401',  '401'],
  },
  list: {
    'org/public':  ['in',  'in',   'in',   'in',   'in',   'in',   'in',   '401',  '401'],
    'org/private': ['out', 'out',  'in',   'in',   'in',   'in',   'in',   '401',  '401'],
    'user/public': ['in',  'in',   'in',   'in',   'in',   'in',   'in',   '401',  '401'],
    'user/private':['out', 'out',  'out',  'out',  'out',  'in',   'in',   '401',  '401'],
  },
};

const LFS = 'application/vnd.git-lfs+json';
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const api = (repo) => `/api/models/${repo.id}`;
const json = (body) => ({ body, headers: { 'content-type':
  'application/json' } });
const lfsReq = (body) => ({ body, headers: { accept: LFS,
  'content-type': LFS } });

// The endpoints: need (a row group of EXPECT), ok (the success status),
// and the request for a repo {id, ns, name} and a caller name. Those that
// destroy or rename (`throwaway`) get a fresh repository in allowed cells.
const ENDPOINTS = [
  { name: 'info', need: 'read', ok: 200,
    req: (r) => ['GET', api(r)] },
  { name: 'info/revision', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/revision/main`] },
  { name: 'info/revision tag', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/revision/v1`] },
  { name: 'tree', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/tree/main`] },
  { name: 'tree/branch/path', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/tree/dev/sub`] },
  { name: 'paths-info', need: 'read', ok: 200,
    req: (r) => ['POST', `${api(r)}/paths-info/main`, { body:
      'paths=a.txt&paths=w.bin&expand=false', headers: { 'content-type':
      'application/x-www-form-urlencoded' } }] },
  { name: 'refs', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/refs`] },
  { name: 'commits', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/commits/main`] },
  { name: 'resolve GET', need: 'read', ok: 302,
    req: (r) => ['GET', `/${r.id}/resolve/main/a.txt`] },
  { name: 'resolve HEAD', need: 'read', ok: 200,
    req: (r) => ['HEAD', `/${r.id}/resolve/main/a.txt`] },
  { name: 'resolve GET lfs', need: 'read', ok: 302,
    req: (r) => ['GET', `/${r.id}/resolve/main/w.bin`] },
  { name: 'resolve HEAD lfs', need: 'read', ok: 200,
    req: (r) => ['HEAD', `/${r.id}/resolve/main/w.bin`] },
  { name: 'resolve GET tag', need: 'read', ok: 302,
    req: (r) => ['GET', `/${r.id}/resolve/v1/a.txt`] },
  { name: 'resolve GET missing file', need: 'read', ok: 404,
    req: (r) => ['GET', `/${r.id}/resolve/main/nothing.txt`] },
  { name: '/models/ resolve GET', need: 'read', ok: 302,
    req: (r) => ['GET', `/models/${r.id}/resolve/main/a.txt`] },
  { name: '/models/ resolve HEAD', need: 'read', ok: 200,
    req: (r) => ['HEAD', `/models/${r.id}/resolve/main/a.txt`] },
  { name: '/api/ resolve GET', need: 'read', ok: 302,
    req: (r) => ['GET', `${api(r)}/resolve/main/a.txt`] },
  { name: '/api/ resolve HEAD', need: 'read', ok: 200,
    req: (r) => ['HEAD', `${api(r)}/resolve/main/a.txt`] },
  { name: 'raw GET', need: 'read', ok: 302,
    req: (r) => ['GET', `/${r.id}/raw/main/a.txt`] },
  { name: 'raw HEAD', need: 'read', ok: 200,
    req: (r) => ['HEAD', `/${r.id}/raw/main/a.txt`] },
  { name: 'raw GET lfs pointer', need: 'read', ok: 200,
    req: (r) => ['GET', `/${r.id}/raw/main/w.bin`] },
  { name: 'lfs batch download', need: 'read', ok: 200,
    req: (r, c, ctx) => ['POST', `/${r.id}.git/info/lfs/objects/batch`,
      lfsReq({ operation: 'download', transfers: ['basic'],
        objects: [ctx.lfs], hash_algo: 'sha256' })] },
  { name: 'lfs batch download, Basic auth', need: 'read', ok: 200,
    basic: true,
    req: (r, c, ctx) => ['POST', `/${r.id}.git/info/lfs/objects/batch`,
      lfsReq({ operation: 'download', transfers: ['basic'],
        objects: [ctx.lfs], hash_algo: 'sha256' })] },
  { name: 'list ?author=', need: 'list', ok: 200,
    req: (r) => ['GET', `/api/models?author=${r.ns}&limit=100`] },
  { name: 'list ?search=', need: 'list', ok: 200,
    req: (r) => ['GET', `/api/models?search=${r.name}&limit=100`] },
  { name: '/api/users/{ns}/repos', need: 'list', ok: 200,
    req: (r) => ['GET', `/api/users/${r.ns}/repos`] },
  { name: 'preupload', need: 'write', ok: 200,
    req: (r) => ['POST', `${api(r)}/preupload/main`, json({ files: [
      { path: 'p.txt', sample: Buffer.from('p').toString('base64'),
        size: 1 }] })] },
  { name: 'commit', need: 'write', ok: 200,
    req: (r, c) => ['POST', `${api(r)}/commit/main`, { body: [
      { key: 'header', value: { summary: `by ${c}`, description: '' } },
      { key: 'file', value: { path: `by-${c}.txt`, encoding: 'base64',
        content: Buffer.from(c).toString('base64') } }]
      .map((l) => JSON.stringify(l)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' } }] },
  { name: 'git info/refs (upload-pack)', need: 'read', ok: 200,
    req: (r) => ['GET', `/${r.id}.git/info/refs?service=git-upload-pack`] },
  { name: 'git info/refs (receive-pack)', need: 'write', ok: 200,
    req: (r) => ['GET', `/${r.id}.git/info/refs?service=git-receive-pack`] },
  { name: 'git-receive-pack (the probe)', need: 'write', ok: 200,
    basic: true,
    req: (r) => ['POST', `/${r.id}.git/git-receive-pack`, { body: '0000',
      headers: { 'content-type': 'application/x-git-receive-pack-request' } }] },
  { name: 'lfs batch upload', need: 'write', ok: 200,
    req: (r, c, ctx) => ['POST', `/${r.id}.git/info/lfs/objects/batch`,
      lfsReq({ operation: 'upload', transfers: ['basic', 'multipart'],
        objects: [ctx.lfs], hash_algo: 'sha256', ref: { name: 'main' } })] },
  // no ref: a pull request's upload (create_pr), as the clients send it
  { name: 'lfs batch upload, Basic auth', need: 'pr', ok: 200,
    basic: true,
    req: (r, c, ctx) => ['POST', `/${r.id}.git/info/lfs/objects/batch`,
      lfsReq({ operation: 'upload', transfers: ['basic'],
        objects: [ctx.lfs], hash_algo: 'sha256' })] },
  { name: 'lfs batch upload refs/pr/1', need: 'pr', ok: 200,
    req: (r, c, ctx) => ['POST', `/${r.id}.git/info/lfs/objects/batch`,
      lfsReq({ operation: 'upload', transfers: ['basic'],
        objects: [ctx.lfs], hash_algo: 'sha256',
        ref: { name: 'refs/pr/1' } })] },
  { name: 'lfs verify', need: 'pr', ok: 200,
    req: (r, c, ctx) => ['POST', `/${r.id}.git/info/lfs/objects/verify`,
      lfsReq(ctx.lfs)] },
  { name: 'preupload create_pr', need: 'pr', ok: 200,
    req: (r) => ['POST', `${api(r)}/preupload/main?create_pr=1`, json({
      files: [{ path: 'p.txt', sample: Buffer.from('p').toString('base64'),
        size: 1 }] })] },
  { name: 'commit create_pr', need: 'pr', ok: 200,
    req: (r, c) => ['POST', `${api(r)}/commit/main?create_pr=1`, { body: [
      { key: 'header', value: { summary: `pr by ${c}`, description: '' } },
      { key: 'file', value: { path: `pr-by-${c}.txt`, encoding: 'base64',
        content: Buffer.from(c).toString('base64') } }]
      .map((l) => JSON.stringify(l)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' } }] },
  { name: 'refs include_prs', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/refs?include_prs=1`] },
  { name: 'revision refs/pr/1', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/revision/refs%2Fpr%2F1`] },
  { name: 'discussions', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/discussions?type=all&status=all`] },
  { name: 'discussion details', need: 'read', ok: 200,
    req: (r) => ['GET', `${api(r)}/discussions/1?diff=1`] },
  { name: 'discussion create', need: 'pr', ok: 200,
    req: (r, c) => ['POST', `${api(r)}/discussions`, json({
      title: `by ${c}`, description: 'd', pullRequest: false })] },
  { name: 'discussion comment', need: 'pr', ok: 200,
    req: (r, c) => ['POST', `${api(r)}/discussions/1/comment`, json({
      comment: `by ${c}` })] },
  { name: 'branch create', need: 'write', ok: 200,
    req: (r, c) => ['POST', `${api(r)}/branch/new-${c}`, json({})] },
  { name: 'branch delete', need: 'write', ok: 200,
    req: (r, c) => ['DELETE', `${api(r)}/branch/del-${c}`] },
  { name: 'tag create', need: 'write', ok: 200,
    req: (r, c) => ['POST', `${api(r)}/tag/main`, json({ tag: `new-${c}` })] },
  { name: 'tag delete', need: 'write', ok: 200,
    req: (r, c) => ['DELETE', `${api(r)}/tag/del-${c}`] },
  { name: 'settings', need: 'admin', ok: 200,
    req: (r) => ['PUT', `${api(r)}/settings`, json({
      private: r.vis === 'private' })] },
  { name: 'delete', need: 'admin', ok: 200, throwaway: true,
    req: (r) => ['DELETE', '/api/repos/delete', json({ name: r.name,
      organization: r.ns, type: 'model' })] },
  { name: 'move', need: 'admin', ok: 200, throwaway: true,
    req: (r) => ['POST', '/api/repos/move', json({ fromRepo: r.id,
      toRepo: `${r.ns}/${r.name}-moved`, type: 'model' })] },
];

// ---- set-up ----

const ctx = {};	// tokens, repos, the LFS object

// A request to an absolute URL (S3's presigned PUT), no header but length.
function raw(method, href, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(href);
    const req = http.request({ host: u.hostname, port: u.port, method,
      path: u.pathname + u.search, headers: { 'content-length': body.length },
      agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Stores data as an LFS object of repo (batch, PUT, verify) as the
// Python client does.
async function lfsUpload(repo, token, data) {
  const oid = sha256(data);
  const b = await request('POST', `/${repo.id}.git/info/lfs/objects/batch`,
    { body: { operation: 'upload', transfers: ['basic'], objects: [{ oid,
      size: data.length }], hash_algo: 'sha256' }, headers: { accept: LFS,
      'content-type': LFS, ...bearer(token) } });
  assert.equal(b.status, 200, b.body);
  const o = b.json.objects[0];
  if (o.actions) {
    assert.equal(await raw('PUT', o.actions.upload.href, data), 200);
    const v = await request('POST', new URL(o.actions.verify.href).pathname,
      { body: { oid, size: data.length }, headers: { accept: LFS,
        'content-type': LFS, ...bearer(token) } });
    assert.equal(v.status, 200, v.body);
  }
  return { oid, size: data.length };
}

const ok200 = (res, what) => assert.equal(res.status, 200,
  `${what}: ${res.status} ${res.body}`);

// A repository seeded with a regular file, an LFS file, a branch, a tag,
// and a branch and a tag per caller for the deletion cells.
async function seed(ns, vis, { full = true, name } = {}) {
  const token = ctx.ownerToken;
  const repo = await createRepo(token, { name: name || unique('authz'),
    organization: ns === ctx.org ? ns : undefined,
    private: vis === 'private' });
  assert.equal(repo.ns, ns);
  repo.vis = vis;
  ctx.lfs = await lfsUpload(repo, token, ctx.lfsData);
  await commitOk(token, repo, { files: { 'a.txt': 'hello\n',
    'sub/b.txt': 'b\n' }, lfs: [{ path: 'w.bin', ...ctx.lfs }] });
  if (!full)
    return repo;
  const h = { headers: { 'content-type': 'application/json',
    ...bearer(token) } };
  ok200(await request('POST', `${api(repo)}/branch/dev`, { ...h, body: {} }),
    'branch dev');
  ok200(await request('POST', `${api(repo)}/tag/main`,
    { ...h, body: { tag: 'v1' } }), 'tag v1');
  ok200(await request('POST', `${api(repo)}/discussions`, { ...h, body: {
    title: 'seed', description: 'refs/pr/1', pullRequest: true } }),
  'pull request 1');
  for (const c of CALLERS) {
    ok200(await request('POST', `${api(repo)}/branch/del-${c}`,
      { ...h, body: {} }), `branch del-${c}`);
    ok200(await request('POST', `${api(repo)}/tag/main`,
      { ...h, body: { tag: `del-${c}` } }), `tag del-${c}`);
  }
  return repo;
}

test('authz: callers, an organization, four seeded repositories', async () => {
  const owner = newUser('write');
  ctx.owner = owner.name;
  ctx.ownerToken = owner.token;
  ctx.org = unique('authzorg');
  khubctl('org', 'add', ctx.org, '--owner', owner.name);
  ctx.tokens = { anon: null, owner: owner.token };
  ctx.tokens.stranger = newUser('write').token;
  for (const role of ['read', 'write', 'admin']) {
    const u = newUser('write');
    khubctl('org', 'member', ctx.org, u.name, '--role', role);
    ctx.tokens[role] = u.token;
  }
  ctx.tokens.readtok = khubctl('token', 'add', owner.name, '--role', 'read',
    '--name', 'authz-read').trim();
  ctx.tokens.revoked = khubctl('token', 'add', owner.name, '--role',
    'write', '--name', 'authz-revoked').trim();
  ctx.tokens.expired = khubctl('token', 'add', owner.name, '--role',
    'write', '--name', 'authz-expired').trim();
  const uid = `(SELECT id FROM namespace WHERE name = '${owner.name}')`;
  sql(`UPDATE token SET revoked_at = NOW(3) WHERE name = 'authz-revoked'
    AND user_id = ${uid}`);
  sql(`UPDATE token SET expires_at = NOW(3) - INTERVAL 1 SECOND
    WHERE name = 'authz-expired' AND user_id = ${uid}`);
  ctx.lfsData = randomBytes(3000);
  ctx.repos = {};
  for (const ns of ['org', 'user'])
    for (const vis of ['public', 'private'])
      ctx.repos[`${ns}/${vis}`] = await seed(ns === 'org' ? ctx.org :
        owner.name, vis);
  // the missing repos the private ones are compared with
  ctx.missing = { org: { ns: ctx.org, name: 'authz-missing',
    id: `${ctx.org}/authz-missing`, vis: 'private' },
  user: { ns: owner.name, name: 'authz-missing',
    id: `${owner.name}/authz-missing`, vis: 'private' } };
  // The revoked token no longer works, the others do.
  for (const c of ['revoked', 'expired'])
    assert.equal((await request('GET', '/api/whoami-v2',
      { headers: bearer(ctx.tokens[c]) })).status, 401, c);
  assert.equal((await request('GET', '/api/whoami-v2',
    { headers: bearer(ctx.tokens.readtok) })).status, 200);
});

// ---- running a cell ----

async function send(ep, repo, caller) {
  const [method, path, opts = {}] = ep.req(repo, caller, ctx);
  const tok = ctx.tokens[caller];
  // git-lfs sends the token as HTTP Basic user:token
  const auth = !tok ? {} : ep.basic ? { authorization: 'Basic ' +
    Buffer.from(`git:${tok}`).toString('base64') } : bearer(tok);
  return request(method, path, { body: opts.body, headers: {
    ...(opts.headers || {}), ...auth } });
}

function listed(ep, res, repo) {
  const items = ep.name.startsWith('/api/users') ?
    [...res.json.models, ...res.json.datasets, ...res.json.spaces] :
    res.json;
  return items.some((m) => m.id === repo.id);
}

// Checks one cell; returns a description of what is wrong, or null.
async function cell(ep, key, ci) {
  const caller = CALLERS[ci];
  const want = EXPECT[ep.need][key][ci];
  const nsKind = key.split('/')[0];
  let repo = ctx.repos[key];
  if (ep.throwaway && want === 'ok')
    repo = await seed(repo.ns, repo.vis, { full: false });
  const res = await send(ep, repo, caller);
  const got = `${res.status} ${res.headers['x-error-code'] || ''}`.trim();
  const code = res.headers['x-error-code'];
  switch (want) {
  case 'ok':
    if (res.status !== ep.ok)
      return `want ${ep.ok}, got ${got}: ${res.body.slice(0, 200)}`;
    if (ep.throwaway) {
      // it really went: the old name is gone (and the new one is there)
      const gone = await request('GET', api(repo),
        { headers: bearer(ctx.ownerToken) });
      if (gone.status !== 404)
        return `${ep.name} answered 200 but the repo is still there`;
      if (ep.name === 'move') {
        const moved = await request('GET',
          `/api/models/${repo.id}-moved`,
          { headers: bearer(ctx.ownerToken) });
        if (moved.status !== 200)
          return `move answered 200 but the new name gives ${moved.status}`;
      }
    }
    return null;
  case 'in': case 'out':
    if (res.status !== 200)
      return `want 200 (${want}), got ${got}`;
    if (listed(ep, res, repo) !== (want === 'in'))
      return `want the repo ${want === 'in' ? 'listed' : 'absent'}, ` +
        `got it ${want === 'in' ? 'absent' : 'listed'}`;
    return null;
  case '401':
    if (res.status !== 401 || code !== 'Unauthorized')
      return `want 401 Unauthorized, got ${got}`;
    if (caller === 'anon')
      return null;	/* no token on a public repo: it may show */
    break;
  case '403':
    if (res.status !== 403 || code !== 'Forbidden')
      return `want 403 Forbidden, got ${got}`;
    return null;
  case 'nf': {
    const st = caller === 'anon' ? 401 : 404;
    if (res.status !== st || code !== 'RepoNotFound')
      return `want ${st} RepoNotFound, got ${got}`;
    break;
  }
  default:
    throw new Error(`bad table entry ${want}`);
  }
  // nf and a bad token: the answer must be that for a missing repository.
  const miss = await send(ep, ctx.missing[nsKind], caller);
  if (shown(miss) !== shown(res))
    return `differs from a missing repo's answer:\n      this    ${shown(res)}` +
      `\n      missing ${shown(miss)}`;
  return null;
}

test('authz: the matrix', async () => {
  const keys = Object.keys(ctx.repos);
  const failures = [];
  let cells = 0;
  for (const ep of ENDPOINTS)
    for (const key of keys)
      for (let ci = 0; ci < CALLERS.length; ci++) {
        cells++;
        const why = await cell(ep, key, ci);
        if (why)
          failures.push(`  ${ep.name} | ${CALLERS[ci]} | ${key}: ` +
            `expected ${EXPECT[ep.need][key][ci]}: ${why}`);
      }
  console.log(`# authz matrix: ${CALLERS.length} callers x ${keys.length} ` +
    `repos (org/user x public/private) x ${ENDPOINTS.length} endpoints = ` +
    `${cells} cells, ${failures.length ? `${failures.length} NOT as ` +
    'expected' : 'all as expected'}`);
  if (failures.length)
    console.log(failures.join('\n'));
  assert.equal(failures.length, 0, `${failures.length} cells not as expected`);
});

test('authz: refused writes changed nothing, allowed ones landed', async () => {
  for (const [key, repo] of Object.entries(ctx.repos)) {
    const h = { headers: bearer(ctx.ownerToken) };
    const info = await request('GET', api(repo), h);
    assert.equal(info.status, 200, `${key} still there`);
    assert.equal(info.json.private, repo.vis === 'private', key);
    const refs = await request('GET', `${api(repo)}/refs`, h);
    assert.equal(refs.status, 200);
    const branches = new Set(refs.json.branches.map((b) => b.name));
    const tags = new Set(refs.json.tags.map((t) => t.name));
    const tree = await request('GET', `${api(repo)}/tree/main`, h);
    const files = new Set(tree.json.map((e) => e.path));
    CALLERS.forEach((c, ci) => {
      const may = EXPECT.write[key][ci] === 'ok';
      assert.equal(branches.has(`new-${c}`), may, `${key} branch new-${c}`);
      assert.equal(branches.has(`del-${c}`), !may, `${key} branch del-${c}`);
      assert.equal(tags.has(`new-${c}`), may, `${key} tag new-${c}`);
      assert.equal(tags.has(`del-${c}`), !may, `${key} tag del-${c}`);
      assert.equal(files.has(`by-${c}.txt`), may, `${key} by-${c}.txt`);
      assert.ok(!files.has(`pr-by-${c}.txt`), `${key}: a PR is not main`);
    });
    // the pull requests and discussions that were opened, and only those
    const list = await request('GET', `${api(repo)}/discussions`, h);
    assert.equal(list.status, 200);
    const titles = new Set(list.json.discussions.map((d) => d.title));
    CALLERS.forEach((c, ci) => {
      const may = EXPECT.pr[key][ci] === 'ok';
      assert.equal(titles.has(`pr by ${c}`), may, `${key} PR by ${c}`);
      assert.equal(titles.has(`by ${c}`), may, `${key} discussion by ${c}`);
    });
  }
});
