// t_54_gated.mjs: gated repositories through lighttpd. The gate through
// the settings call ("auto", "manual", false, round trip exact), in info
// and listings and as a listing filter; downloads refused with the Hub's
// GatedRepo answers (401 anonymous, 403 a user without access; messages in
// X-Error-Message, HEAD without a body) on every path that hands out
// bytes (a commit's page and a pull request's diff too), while metadata
// stays readable; auth-check; access requests end to end, "manual" (ask,
// pending, accept, then the download gives the bytes; reject with a
// reason; cancel; grant) and "auto" (accepted at once), with the Hub's
// errors; who always passes (owner, org members, any token of theirs);
// private repositories invisible through every new endpoint for every
// kind of caller.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BASE, batch, bearer, commitOk, createRepo, get, khubctl, newUser,
  paginate, raw, request, shown, sql, test, unique, upload,
} from './lib.mjs';

const plural = (repo) => `${repo.type || 'model'}s`;
const api = (repo) => `/api/${plural(repo)}/${repo.id}`;
const prefix = (repo) => (repo.type === 'dataset' ? `/datasets/${repo.id}`
  : `/${repo.id}`);
const auth = (token) => (token ? bearer(token) : {});
const json = (token, body) => ({ body, headers: {
  'content-type': 'application/json', ...auth(token) } });
const settings = (repo, token, body) => request('PUT',
  `${api(repo)}/settings`, json(token, body));
const ask = (repo, token, body) => request('POST', `${api(repo)}/ask-access`,
  body === undefined ? { body: '', headers: auth(token) } :
    json(token, body));
const handle = (repo, token, body) => request('POST',
  `${api(repo)}/user-access-request/handle`, json(token, body));
const grant = (repo, token, user) => request('POST',
  `${api(repo)}/user-access-request/grant`, json(token, { user }));
const requests = (repo, token, status) => get(
  `${api(repo)}/user-access-request/${status}`, { headers: auth(token) });

const ctx = {};

// A repository with a regular file and an LFS file, gated g.
async function gatedRepo(token, g, extra = {}) {
  const repo = await createRepo(token, extra);
  const lfs = await upload(repo, token, ctx.lfsData);
  await commitOk(token, repo, { files: { 'a.txt': 'hello gated\n' },
    lfs: [{ path: 'w.bin', oid: lfs.oid, size: lfs.size }] });
  if (g !== false) {
    const res = await settings(repo, token, { gated: g });
    assert.equal(res.status, 200, res.body);
  }
  return repo;
}

// The Hub's messages.
const kindOf = (repo) => (repo.type === 'dataset' ? 'dataset' : 'model');
const msgLogin = (repo) => `Access to ${kindOf(repo)} ${repo.id} is `
  + 'restricted. You must have access to it and be authenticated to access '
  + 'it. Please log in.';
const msgAsk = (repo) => `Access to ${kindOf(repo)} ${repo.id} is restricted `
  + 'and you are not in the authorized list. Visit '
  + `${BASE}${prefix(repo)} to ask for access.`;
const msgPending = (repo) => `Your request to access ${kindOf(repo)} `
  + `${repo.id} is awaiting a review from the repo authors.`;
const msgRejected = (repo) => `Your request to access ${kindOf(repo)} `
  + `${repo.id} has been rejected by the repo's authors.`;

// The download paths the clients use.
const downloads = (repo) => [
  ['GET', `${prefix(repo)}/resolve/main/a.txt`],
  ['HEAD', `${prefix(repo)}/resolve/main/a.txt`],
  ['GET', `${prefix(repo)}/resolve/main/w.bin`],
  ['HEAD', `${prefix(repo)}/resolve/main/w.bin`],
  ['GET', `${prefix(repo)}/resolve/main/.gitattributes`],
  ['GET', `${api(repo)}/resolve/main/a.txt`],
  ['HEAD', `${api(repo)}/resolve/main/a.txt`],
  ['GET', `${prefix(repo)}/raw/main/a.txt`],
  ['GET', `${prefix(repo)}/raw/main/w.bin`],
  ['GET', `${prefix(repo)}/resolve/main/missing.txt`],
];

// Every download path refused with status and message (GatedRepo).
async function refused(repo, token, status, message) {
  for (const [method, path] of downloads(repo)) {
    const res = await request(method, path, { headers: auth(token) });
    const what = `${method} ${path}`;
    assert.equal(res.status, status, `${what}: ${res.status} ${res.body}`);
    assert.equal(res.headers['x-error-code'], 'GatedRepo', what);
    assert.equal(res.headers['x-error-message'], message, what);
    if (method === 'HEAD')
      assert.equal(res.body, '', `${what} has no body`);
    else
      assert.equal(res.json.error, message, what);
    assert.equal(res.headers.location, undefined, what);
  }
  // LFS batch download (git-lfs), git clone, the file's page
  const b = await batch(repo, token, 'download',
    [{ oid: ctx.lfsOid, size: ctx.lfsData.length }]);
  assert.equal(b.status, status, `lfs batch: ${b.body}`);
  assert.equal(b.headers['x-error-code'], 'GatedRepo');
  assert.equal(b.json.message, message);
  const g = await get(`${prefix(repo)}.git/info/refs?service=git-upload-pack`,
    { headers: token ? { authorization: 'Basic ' +
      Buffer.from(`git:${token}`).toString('base64') } : {} });
  assert.equal(g.status, status, `git info/refs: ${g.body}`);
  assert.equal(g.headers['x-error-code'], 'GatedRepo');
  const page = await get(`${prefix(repo)}/blob/main/a.txt`,
    { headers: { accept: 'text/html', ...auth(token) } });
  assert.equal(page.status, status, 'blob page');
  assert.doesNotMatch(page.body, /hello gated/);
  // auth-check says the same
  const ac = await get(`${api(repo)}/auth-check`, { headers: auth(token) });
  assert.equal(ac.status, status, `auth-check: ${ac.body}`);
  assert.equal(ac.headers['x-error-code'], 'GatedRepo');
  assert.equal(ac.headers['x-error-message'], message);
}

// Every download path works, and the bytes are those committed.
async function allowed(repo, token) {
  const res = await get(`${prefix(repo)}/resolve/main/a.txt`,
    { headers: auth(token) });
  assert.equal(res.status, 302, res.body);
  const bytes = await raw('GET', res.headers.location);
  assert.equal(bytes.status, 200);
  assert.equal(bytes.body.toString(), 'hello gated\n');
  const lfs = await get(`${prefix(repo)}/resolve/main/w.bin`,
    { headers: auth(token) });
  assert.equal(lfs.status, 302, lfs.body);
  const lb = await raw('GET', lfs.headers.location);
  assert.ok(lb.body.equals(ctx.lfsData), 'the LFS bytes');
  const head = await request('HEAD', `${prefix(repo)}/resolve/main/a.txt`,
    { headers: auth(token) });
  assert.equal(head.status, 200);
  const b = await batch(repo, token, 'download',
    [{ oid: ctx.lfsOid, size: ctx.lfsData.length }]);
  assert.equal(b.status, 200, b.body);
  assert.ok(b.json.objects[0].actions.download.href);
  const ac = await get(`${api(repo)}/auth-check`, { headers: auth(token) });
  assert.equal(ac.status, 200, ac.body);
}

// Metadata stays readable for whoever may read the repository.
async function metadataReadable(repo, token) {
  const h = { headers: auth(token) };
  for (const path of [api(repo), `${api(repo)}/revision/main`,
    `${api(repo)}/tree/main`, `${api(repo)}/refs`,
    `${api(repo)}/commits/main`, prefix(repo)]) {
    const res = await get(path, h);
    assert.equal(res.status, 200, `${path}: ${res.status} ${res.body}`);
  }
  const pi = await request('POST', `${api(repo)}/paths-info/main`,
    { body: 'paths=a.txt&paths=w.bin&expand=false', headers: {
      'content-type': 'application/x-www-form-urlencoded', ...auth(token) } });
  assert.equal(pi.status, 200, pi.body);
  assert.equal(pi.json.length, 2);
  const info = await get(api(repo), h);
  assert.ok(info.json.siblings.some((s) => s.rfilename === 'w.bin'));
}

test('gated: set-up', async () => {
  ctx.lfsData = randomBytes(5000);
  ctx.owner = newUser();
  ctx.lfsOid = (await import('node:crypto')).createHash('sha256')
    .update(ctx.lfsData).digest('hex');
});

test('gated: settings round trip exact, info, listings, gated= filter',
  async () => {
  const { owner } = ctx;
  const repo = await gatedRepo(owner.token, false);
  const gate = async () => (await get(api(repo))).json.gated;
  assert.equal(await gate(), false);
  for (const g of ['manual', 'auto', false, 'manual']) {
    const res = await settings(repo, owner.token, { gated: g });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.gated, g);
    assert.equal(await gate(), g, `after ${g}`);
    const exp = await get(`${api(repo)}?expand=gated`);
    assert.equal(exp.json.gated, g);
  }
  // refused values change nothing
  for (const bad of ['yes', true, 1, null, 'Manual', ''])
    assert.equal((await settings(repo, owner.token, { gated: bad })).status,
      400, JSON.stringify(bad));
  assert.equal(await gate(), 'manual');
  // with visibility in the same call, as update_repo_settings() sends it
  let res = await settings(repo, owner.token, { gated: 'auto',
    visibility: 'public' });
  assert.equal(res.status, 200, res.body);
  assert.equal(await gate(), 'auto');
  // and a bad member elsewhere in the body: nothing changes
  res = await settings(repo, owner.token, { gated: false, private: 'no' });
  assert.equal(res.status, 400);
  assert.equal(await gate(), 'auto');

  const plain = await createRepo(owner.token);
  const manual = await createRepo(owner.token);
  assert.equal((await settings(manual, owner.token, { gated: 'manual' }))
    .status, 200);
  const list = async (q) => {
    const r = await get(`/api/models?author=${owner.name}&limit=100${q}`);
    assert.equal(r.status, 200, r.body);
    return Object.fromEntries(r.json.map((m) => [m.id, m.gated]));
  };
  const all = await list('');
  assert.equal(all[repo.id], 'auto');
  assert.equal(all[manual.id], 'manual');
  assert.equal(all[plain.id], false);
  for (const t of ['True', 'true', '1']) {
    const g = await list(`&gated=${t}`);
    assert.ok(repo.id in g && manual.id in g, t);
    assert.ok(!(plain.id in g), t);
  }
  for (const f of ['False', 'false', '0']) {
    const g = await list(`&gated=${f}`);
    assert.deepEqual(Object.keys(g).filter((id) => id === plain.id ||
      id === repo.id || id === manual.id), [plain.id], f);
  }
  assert.equal((await get('/api/models?gated=maybe')).status, 400);

  // the JS client reads gated from info and listings
  const h = await import('@huggingface/hub');
  const info = await h.modelInfo({ name: manual.id, hubUrl: BASE });
  assert.equal(info.gated, 'manual');
  const seen = {};
  for await (const m of h.listModels({ search: { owner: owner.name },
    hubUrl: BASE }))
    seen[m.name] = m.gated;
  assert.equal(seen[manual.id], 'manual');
  assert.equal(seen[plain.id], false);
});

test('gated: downloads refused with GatedRepo (anonymous 401, a user 403), '
  + 'metadata readable', async () => {
  const { owner } = ctx;
  const stranger = newUser();
  const reader = newUser('read');
  for (const type of ['model', 'dataset']) {
    const repo = await gatedRepo(owner.token, 'manual', { type });
    await refused(repo, null, 401, msgLogin(repo));
    await refused(repo, stranger.token, 403, msgAsk(repo));
    await refused(repo, reader.token, 403, msgAsk(repo));
    await metadataReadable(repo, null);
    await metadataReadable(repo, stranger.token);
    // the owner passes; the gate off, everyone does
    await allowed(repo, owner.token);
    assert.equal((await settings(repo, owner.token, { gated: false }))
      .status, 200);
    await allowed(repo, null);
    await allowed(repo, stranger.token);
  }
  // auth-check of an ungated repo, and its write form
  const repo = await gatedRepo(owner.token, false);
  assert.equal((await get(`${api(repo)}/auth-check`)).status, 200);
  assert.equal((await get(`${api(repo)}/auth-check/write`,
    { headers: bearer(owner.token) })).status, 200);
  let res = await get(`${api(repo)}/auth-check/write`,
    { headers: bearer(stranger.token) });
  assert.equal(res.status, 403);
  res = await get(`${api(repo)}/auth-check/write`);
  assert.equal(res.status, 401);
  res = await get(`/api/models/${owner.name}/${unique('missing')}/auth-check`,
    { headers: bearer(stranger.token) });
  assert.equal(res.status, 404);
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');

  // the JS client's downloadFile fails on a gated repo, with the message
  const gated = await gatedRepo(owner.token, 'auto');
  const h = await import('@huggingface/hub');
  await assert.rejects(h.downloadFile({ repo: gated.id, path: 'a.txt',
    hubUrl: BASE, accessToken: stranger.token }),
  (e) => String(e.message).includes('not in the authorized list'));
});

test('gated: manual end to end: ask, pending, accept, download; reject, '
  + 'cancel, grant; the Hub\'s errors', async () => {
  const { owner } = ctx;
  const repo = await gatedRepo(owner.token, 'manual');
  const alice = newUser('write', ['--email', `${unique('a')}@example.org`,
    '--fullname', 'Alice Liddell']);
  const bob = newUser();

  // nobody asked yet
  for (const s of ['pending', 'accepted', 'rejected']) {
    const res = await requests(repo, owner.token, s);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, []);
  }
  // asking: a login and a write token; then pending
  assert.equal((await ask(repo, null)).status, 401);
  let res = await ask(repo, alice.token, { company: 'Wonderland',
    purpose: 'tea' });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.status, 'pending');
  res = await ask(repo, alice.token);
  assert.equal(res.status, 409, res.body);
  await refused(repo, alice.token, 403, msgPending(repo));
  res = await requests(repo, owner.token, 'pending');
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.length, 1);
  const r0 = res.json[0];
  assert.equal(r0.user.user, alice.name);
  assert.equal(r0.user.fullname, 'Alice Liddell');
  assert.match(r0.user.email, /@example\.org$/);
  assert.equal(r0.status, 'pending');
  assert.match(r0.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(r0.fields, { company: 'Wonderland', purpose: 'tea' });
  // the answer is byte-stable between calls
  assert.equal((await requests(repo, owner.token, 'pending')).body, res.body);

  // accept: the download works and gives the bytes
  res = await handle(repo, owner.token, { user: alice.name,
    status: 'accepted' });
  assert.equal(res.status, 200, res.body);
  await allowed(repo, alice.token);
  assert.deepEqual((await requests(repo, owner.token, 'pending')).json, []);
  res = await requests(repo, owner.token, 'accepted');
  assert.deepEqual(res.json.map((q) => [q.user.user, q.status]),
    [[alice.name, 'accepted']]);
  // moving to the status it has is refused (404, as the client documents)
  res = await handle(repo, owner.token, { user: alice.name,
    status: 'accepted' });
  assert.equal(res.status, 404, res.body);

  // reject, with a reason: refused again, with the rejection's message
  res = await handle(repo, owner.token, { user: alice.name,
    status: 'rejected', rejectionReason: 'not today' });
  assert.equal(res.status, 200, res.body);
  await refused(repo, alice.token, 403, msgRejected(repo));
  res = await requests(repo, owner.token, 'rejected');
  assert.deepEqual(res.json.map((q) => [q.user.user, q.rejectionReason]),
    [[alice.name, 'not today']]);
  // cancel (back to pending)
  res = await handle(repo, owner.token, { user: alice.name,
    status: 'pending' });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual((await requests(repo, owner.token, 'pending')).json
    .map((q) => q.user.user), [alice.name]);
  await refused(repo, alice.token, 403, msgPending(repo));
  // grant a pending request: accepted; twice: 400
  res = await grant(repo, owner.token, alice.name);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.status, 'accepted');
  await allowed(repo, alice.token);
  res = await grant(repo, owner.token, alice.name);
  assert.equal(res.status, 400, res.body);
  // grant to someone who never asked
  res = await grant(repo, owner.token, bob.name);
  assert.equal(res.status, 200, res.body);
  await allowed(repo, bob.token);
  // then cancel it: refused again
  res = await handle(repo, owner.token, { user: bob.name,
    status: 'pending' });
  assert.equal(res.status, 200, res.body);
  await refused(repo, bob.token, 403, msgPending(repo));

  // the Hub's errors
  const nobody = unique('nobody');
  const carol = newUser();
  for (const [what, call, status] of [
    ['grant unknown user', () => grant(repo, owner.token, nobody), 404],
    ['grant the owner', () => grant(repo, owner.token, owner.name), 400],
    ['grant without user', () => grant(repo, owner.token, undefined), 400],
    ['handle without user', () => handle(repo, owner.token,
      { status: 'accepted' }), 400],
    ['handle unknown user', () => handle(repo, owner.token,
      { user: nobody, status: 'accepted' }), 404],
    ['handle no request', () => handle(repo, owner.token,
      { user: carol.name, status: 'accepted' }), 404],
    ['handle bad status', () => handle(repo, owner.token,
      { user: alice.name, status: 'maybe' }), 400],
    ['handle no status', () => handle(repo, owner.token,
      { user: alice.name }), 400],
    ['reason when accepting', () => handle(repo, owner.token,
      { user: bob.name, status: 'accepted', rejectionReason: 'x' }), 400],
    ['reason too long', () => handle(repo, owner.token, { user: bob.name,
      status: 'rejected', rejectionReason: 'x'.repeat(201) }), 400],
    ['reason not text', () => handle(repo, owner.token, { user: bob.name,
      status: 'rejected', rejectionReason: 5 }), 400],
    ['list bad status', () => requests(repo, owner.token, 'all'), 400],
    ['ask with a number', () => ask(repo, carol.token, { age: 5 }), 400],
    ['owner asks', () => ask(repo, owner.token), 400],
    ['handle by a stranger', () => handle(repo, carol.token,
      { user: bob.name, status: 'accepted' }), 403],
    ['grant by a stranger', () => grant(repo, carol.token, carol.name), 403],
    ['list by a stranger', () => requests(repo, carol.token, 'pending'), 403],
    ['list anonymous', () => requests(repo, null, 'pending'), 401],
    ['handle anonymous', () => handle(repo, null,
      { user: bob.name, status: 'accepted' }), 401],
  ]) {
    res = await call();
    assert.equal(res.status, status, `${what}: ${res.status} ${res.body}`);
  }
  // a 200 of a 200-long reason (characters, not bytes)
  res = await handle(repo, owner.token, { user: bob.name,
    status: 'rejected', rejectionReason: 'é'.repeat(200) });
  assert.equal(res.status, 200, res.body);
  // the owner's read token may not handle requests
  const ro = khubctl('token', 'add', owner.name, '--role', 'read', '--name',
    'gate-read').trim();
  res = await handle(repo, ro, { user: bob.name, status: 'accepted' });
  assert.equal(res.status, 403, res.body);
  // not gated: 400 for every writer call
  const plain = await gatedRepo(owner.token, false);
  for (const [what, call] of [
    ['list', () => requests(plain, owner.token, 'pending')],
    ['handle', () => handle(plain, owner.token, { user: bob.name,
      status: 'accepted' })],
    ['grant', () => grant(plain, owner.token, bob.name)],
    ['ask', () => ask(plain, bob.token)]]) {
    res = await call();
    assert.equal(res.status, 400, `${what}: ${res.body}`);
  }
});

test('gated: a commit\'s page and a pull request\'s diffs show file text '
  + 'only to those the gate lets in', async () => {
  const { owner } = ctx;
  const repo = await gatedRepo(owner.token, 'manual');
  const stranger = newUser();
  const pr = await request('POST', `${api(repo)}/commit/main?create_pr=1`,
    { body: [{ key: 'header', value: { summary: 'secret change',
      description: '' } }, { key: 'file', value: { path: 'a.txt',
      encoding: 'base64', content: Buffer.from('hello secret\n')
        .toString('base64') } }].map((l) => JSON.stringify(l)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson',
      ...bearer(owner.token) } });
  assert.equal(pr.status, 200, pr.body);
  const num = /\/discussions\/(\d+)$/.exec(pr.json.pullRequestUrl)[1];
  const details = (tok) => get(`${api(repo)}/discussions/${num}?diff=1`,
    { headers: auth(tok) });
  // the discussion stays readable, its diff is left out
  for (const tok of [null, stranger.token]) {
    const d = await details(tok);
    assert.equal(d.status, 200, d.body);
    assert.equal(d.json.diff, undefined);
    assert.doesNotMatch(d.body, /hello secret/);
    assert.equal(d.json.title, 'secret change');
  }
  let d = await details(owner.token);
  assert.match(d.json.diff, /\+hello secret/);
  // the commit's page: refused like the files
  const page = (tok) => get(`${prefix(repo)}/commit/${pr.json.commitOid}`,
    { headers: { accept: 'text/html', ...auth(tok) } });
  assert.equal((await page(null)).status, 401);
  const sp = await page(stranger.token);
  assert.equal(sp.status, 403);
  assert.doesNotMatch(sp.body, /hello secret/);
  assert.match((await page(owner.token)).body, /hello secret/);
  // the pull request's page: its events, not its diffs
  const prPage = (tok) => get(`${prefix(repo)}/discussions/${num}`,
    { headers: { accept: 'text/html', ...auth(tok) } });
  for (const tok of [null, stranger.token]) {
    const p = await prPage(tok);
    assert.equal(p.status, 200);
    assert.match(p.body, /secret change/);
    assert.doesNotMatch(p.body, /hello secret/);
  }
  assert.match((await prPage(owner.token)).body, /hello secret/);
  // once granted, all show
  assert.equal((await grant(repo, owner.token, stranger.name)).status, 200);
  d = await details(stranger.token);
  assert.match(d.json.diff, /\+hello secret/);
  assert.match((await page(stranger.token)).body, /hello secret/);
  assert.match((await prPage(stranger.token)).body, /hello secret/);
});

test('gated: auto accepts a request at once', async () => {
  const { owner } = ctx;
  const repo = await gatedRepo(owner.token, 'auto');
  const u = newUser();
  await refused(repo, u.token, 403, msgAsk(repo));
  // answers over 16 KiB, and answers that are not strings, are refused
  // before anything is recorded
  let bad = await ask(repo, u.token, { why: 'x'.repeat(16 << 10) });
  assert.equal(bad.status, 413, bad.body);
  assert.equal(bad.headers['x-error-code'], 'PayloadTooLarge');
  bad = await ask(repo, u.token, { why: 3 });
  assert.equal(bad.status, 400, bad.body);
  assert.deepEqual((await requests(repo, owner.token, 'accepted')).json, []);
  const res = await ask(repo, u.token, { why: 'research' });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.status, 'accepted');
  await allowed(repo, u.token);
  assert.deepEqual((await requests(repo, owner.token, 'accepted')).json
    .map((q) => q.user.user), [u.name]);
  assert.deepEqual((await requests(repo, owner.token, 'pending')).json, []);
  // switching to manual keeps what was accepted
  assert.equal((await settings(repo, owner.token, { gated: 'manual' }))
    .status, 200);
  await allowed(repo, u.token);
});

test('gated: the list of requests pages (Link) until its end', async () => {
  const { owner } = ctx;
  const repo = await gatedRepo(owner.token, 'manual');
  const users = Array.from({ length: 5 }, () => newUser());
  for (const u of users)
    assert.equal((await ask(repo, u.token)).status, 200);
  const { items, pages } = await paginate(
    `${api(repo)}/user-access-request/pending?limit=2`, bearer(owner.token));
  const seen = items.map((q) => q.user.user);
  assert.equal(pages, 3);
  assert.deepEqual(seen, users.map((u) => u.name));
  // without a limit: one page, oldest first
  const all = await requests(repo, owner.token, 'pending');
  assert.deepEqual(all.json.map((q) => q.user.user), seen);
  assert.equal(all.headers.link, undefined);
});

test('gated: the owner, org members (any role, any token of theirs) and '
  + 'writers always pass', async () => {
  const { owner } = ctx;
  const org = unique('gateorg');
  khubctl('org', 'add', org, '--owner', owner.name);
  const members = {};
  for (const role of ['read', 'write', 'admin']) {
    members[role] = newUser();
    khubctl('org', 'member', org, members[role].name, '--role', role);
  }
  const repo = await gatedRepo(owner.token, 'manual', { organization: org });
  for (const [who, tok] of [['owner', owner.token],
    ...Object.entries(members).map(([r, u]) => [`${r} member`, u.token])])
    await allowed(repo, tok);
  const readTok = khubctl('token', 'add', members.read.name, '--role',
    'read', '--name', 'gate-member-read').trim();
  await allowed(repo, readTok);
  // a writer handles requests; a read member may not
  const u = newUser();
  assert.equal((await ask(repo, u.token)).status, 200);
  let res = await handle(repo, members.read.token, { user: u.name,
    status: 'accepted' });
  assert.equal(res.status, 403, res.body);
  res = await handle(repo, members.write.token, { user: u.name,
    status: 'accepted' });
  assert.equal(res.status, 200, res.body);
  await allowed(repo, u.token);
  // members are not granted: they have access already
  res = await grant(repo, owner.token, members.read.name);
  assert.equal(res.status, 400, res.body);
});

test('gated: a private gated repository is invisible through every new '
  + 'endpoint, for every kind of caller', async () => {
  const { owner } = ctx;
  const org = unique('gatepriv');
  khubctl('org', 'add', org, '--owner', owner.name);
  const member = newUser();
  khubctl('org', 'member', org, member.name, '--role', 'read');
  const stranger = newUser();
  const strangerRead = newUser('read');
  const repo = await gatedRepo(owner.token, 'manual', { organization: org,
    private: true });
  const missing = { id: `${org}/${unique('missing')}`, type: 'model' };
  const calls = [
    ['auth-check', (r, t) => get(`${api(r)}/auth-check`,
      { headers: auth(t) })],
    ['auth-check/write', (r, t) => get(`${api(r)}/auth-check/write`,
      { headers: auth(t) })],
    ['ask-access', (r, t) => ask(r, t)],
    ['pending', (r, t) => requests(r, t, 'pending')],
    ['accepted', (r, t) => requests(r, t, 'accepted')],
    ['handle', (r, t) => handle(r, t, { user: member.name,
      status: 'accepted' })],
    ['grant', (r, t) => grant(r, t, stranger.name)],
    ['like', (r, t) => request('POST', `${api(r)}/like`,
      { body: '', headers: auth(t) })],
    ['likers', (r, t) => get(`${api(r)}/likers`, { headers: auth(t) })],
    ['resolve', (r, t) => get(`${prefix(r)}/resolve/main/a.txt`,
      { headers: auth(t) })],
    ['resolve HEAD', (r, t) => request('HEAD',
      `${prefix(r)}/resolve/main/a.txt`, { headers: auth(t) })],
  ];
  for (const [who, tok] of [['anonymous', null],
    ['stranger', stranger.token], ['read token', strangerRead.token]])
    for (const [what, call] of calls) {
      const res = await call(repo, tok);
      const miss = await call(missing, tok);
      assert.equal(res.status, tok ? 404 : 401, `${who} ${what}: ${res.body}`);
      assert.equal(res.headers['x-error-code'], 'RepoNotFound',
        `${who} ${what}`);
      assert.equal(shown(res), shown(miss), `${who} ${what}`);
    }
  // a revoked token: 401, as for a missing repository
  const revoked = newUser();
  sql(`UPDATE token SET revoked_at = NOW(3) WHERE user_id = (SELECT id FROM
    namespace WHERE name = '${revoked.name}')`);
  for (const [what, call] of calls) {
    const res = await call(repo, revoked.token);
    assert.equal(res.status, 401, `revoked ${what}`);
    assert.equal(shown(res), shown(await call(missing, revoked.token)),
      `revoked ${what}`);
  }
  // the org's read member sees it and downloads; writers' calls are 403
  await allowed(repo, member.token);
  assert.equal((await requests(repo, member.token, 'pending')).status, 403);
  assert.equal((await requests(repo, owner.token, 'pending')).status, 200);
  // listings: gated=true never shows it to those who may not read it
  const res = await get(`/api/models?author=${org}&gated=true`,
    { headers: bearer(stranger.token) });
  assert.deepEqual(res.json, []);
  const mine = await get(`/api/models?author=${org}&gated=true`,
    { headers: bearer(member.token) });
  assert.deepEqual(mine.json.map((m) => [m.id, m.gated]),
    [[repo.id, 'manual']]);
});
