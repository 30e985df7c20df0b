// t_33_possession.mjs: no private byte leaves the hub (security.md 1, 3, 4,
// 12). Knowing an object's sha256 is not owning its bytes: a stranger who
// names another user's private LFS object by id gets it neither into a
// repository of his own nor learns that it exists or how large it is; one
// who has the bytes uploads them and they are linked (stored once). A git
// blob id (SHA-1) alone never stands for bytes either. Cookie-authenticated
// writes from other sites are refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BASE, batchOk, bearer, commit, commitOk, createRepo, get, khubctlRaw,
  newUser, post, raw, repoPath, request, sha256, sql, test, upload, verify,
} from './lib.mjs';

// A private repository of a new user A holding one LFS file only A has.
async function privateObject() {
  const a = newUser();
  const repo = await createRepo(a.token, { private: true });
  const data = randomBytes(5000);
  const up = await upload(repo, a.token, data);
  await commitOk(a.token, repo,
    { lfs: [{ path: 'secret.bin', oid: up.oid, size: up.size }] });
  return { a, repo, data, oid: up.oid, size: up.size };
}

const setPrivate = (token, repo) => request('PUT',
  `/api/models/${repo.id}/settings`, { body: { private: true }, headers: {
    'content-type': 'application/json', ...bearer(token) } });

// An answer with the oid in it replaced, for comparing two answers.
const blind = (res, oid) => JSON.stringify({ status: res.status,
  code: res.headers['x-error-code'], body: res.body.split(oid).join('OID')
    .replace(/"request_?[iI]d":"[^"]*"/g, '') });

test('an LFS oid of a stranger\'s private file cannot be committed by '
  + 'reference, and the refusal is the one for an oid nobody has',
async () => {
  const p = await privateObject();
  const b = newUser();
  const mine = await createRepo(b.token);
  const never = sha256(randomBytes(5000));
  const r1 = await commit(b.token, mine,
    { lfs: [{ path: 'x.bin', oid: p.oid, size: p.size }] });
  const r0 = await commit(b.token, mine,
    { lfs: [{ path: 'x.bin', oid: never, size: p.size }] });
  assert.equal(r1.status, 422, r1.body);
  assert.equal(blind(r1, p.oid), blind(r0, never));
  const dl = await request('GET', `${repoPath(mine)}/resolve/main/x.bin`,
    { headers: bearer(b.token) });
  assert.equal(dl.status, 404, 'nothing landed');
  // A wrong size says nothing of the stored one.
  const r2 = await commit(b.token, mine,
    { lfs: [{ path: 'x.bin', oid: p.oid, size: 1 }] });
  assert.equal(r2.status, 422);
  assert.ok(!r2.body.includes(String(p.size)), r2.body);
});

// Issue 9's matrix of object ids: for every kind of caller that cannot
// read the object's repository, naming its oid gets exactly the answer
// for an oid that exists nowhere (commit, batch, verify), and a caller who
// can read it links it. One object is in an organization's private repo
// (its members read it), one in its owner's private repo (only he does).
test('object ids by caller kind: unreadable ones answer as if nowhere, '
  + 'readable ones link', async () => {
  const owner = newUser();
  const org = `o${Date.now().toString(36)}${process.pid}`;
  assert.equal((await post('/org/create', { name: org }, owner.token))
    .status, 200);
  const secret = await createRepo(owner.token, { organization: org,
    private: true });
  const up = await upload(secret, owner.token, randomBytes(4500));
  await commitOk(owner.token, secret,
    { lfs: [{ path: 's.bin', oid: up.oid, size: up.size }] });
  const mineOnly = await createRepo(owner.token, { private: true });
  const up2 = await upload(mineOnly, owner.token, randomBytes(4500));
  await commitOk(owner.token, mineOnly,
    { lfs: [{ path: 'u.bin', oid: up2.oid, size: up2.size }] });
  const never = sha256(randomBytes(4500));
  const member = (role) => {
    const u = newUser();
    khubctlRaw(['org', 'member', org, u.name, '--role', role]);
    return u;
  };
  // [kind, user, reads the org's private repo, reads the owner's]
  const callers = [['stranger', newUser(), false, false],
    ['org reader', member('read'), true, false],
    ['org writer', member('write'), true, false],
    ['org admin', member('admin'), true, false], ['owner', owner, true, true]];
  for (const [kind, u, readsOrg, readsOwner] of callers) {
    const mine = await createRepo(u.token);
    for (const [obj, canRead] of [[up, readsOrg], [up2, readsOwner]]) {
      const answers = [];
      for (const oid of [obj.oid, never]) {
        const what = `${kind}, ${obj === up ? 'org' : 'owner'}'s object: `
          + (oid === never ? 'an oid of nothing' : 'its oid');
        const c = await commit(u.token, mine, { lfs: [{ path:
          `${kind.replace(' ', '-')}-${oid.slice(0, 8)}.bin`, oid,
          size: obj.size }] });
        const bt = await batchOk(mine, u.token, 'upload',
          [{ oid, size: obj.size }]);
        const o = bt.objects[0];
        if (canRead && oid === obj.oid) {
          assert.equal(c.status, 200, `${what}: linked ${c.body}`);
          assert.equal(o.actions, undefined, `${what}: no upload`);
          continue;
        }
        assert.equal(c.status, 422, `${what}: ${c.body}`);
        assert.ok(o.actions && o.actions.upload, `${what}: upload`);
        const v = await verify(o.actions.verify.href, u.token, oid,
          obj.size);
        answers.push([blind(c, oid), v.status, blind(v, oid)]);
      }
      if (!canRead)
        assert.deepEqual(answers[0], answers[1], `${kind}: same answers`);
    }
  }
  // Without a write right there is nothing to ask: anonymous callers and
  // read tokens are refused before any oid is looked at, alike.
  const pub = await createRepo(owner.token);
  const rt = khubctlRaw(['token', 'add', owner.name, '--role', 'read'])
    .stdout.trim();
  for (const [kind, token, status] of [['anonymous', null, 401],
    ['read token', rt, 403]]) {
    const got = [];
    for (const oid of [up.oid, never]) {
      const line = (key, value) => JSON.stringify({ key, value });
      const c = await request('POST', `/api/models/${pub.id}/commit/main`, {
        body: [line('header', { summary: 'x' }), line('lfsFile',
          { path: 'x.bin', algo: 'sha256', oid, size: up.size })].join('\n'),
        headers: { 'content-type': 'application/x-ndjson',
          ...(token ? bearer(token) : {}) } });
      got.push(blind(c, oid));
      assert.equal(c.status, status, `${kind}: ${c.body}`);
    }
    assert.equal(got[0], got[1], kind);
  }
});

test('LFS batch and verify answer a stranger\'s stored oid as a new one',
  async () => {
    const p = await privateObject();
    const b = newUser();
    const mine = await createRepo(b.token);
    const never = sha256(randomBytes(5000));
    const bt = await batchOk(mine, b.token, 'upload', [
      { oid: p.oid, size: p.size }, { oid: p.oid, size: 1 },
      { oid: never, size: p.size }]);
    for (const o of bt.objects) {
      assert.equal(o.error, undefined, JSON.stringify(o));
      assert.ok(o.actions && o.actions.upload && o.actions.verify,
        `upload actions for ${JSON.stringify(o)}`);
    }
    const href = bt.objects[0].actions.verify.href;
    const v1 = await verify(href, b.token, p.oid, p.size);
    const v0 = await verify(href, b.token, never, p.size);
    assert.equal(v1.status, 404, v1.body);
    assert.equal(blind(v1, p.oid), blind(v0, never));
    const vs = await verify(href, b.token, p.oid, 1);
    assert.ok(!vs.body.includes(String(p.size)), vs.body);
    // The download side was already scoped to the repository.
    const d = await batchOk(mine, b.token, 'download',
      [{ oid: p.oid, size: p.size }]);
    assert.equal(d.objects[0].actions, undefined);
  });

test('whoever has the bytes uploads them: checked, linked, stored once',
  async () => {
    const p = await privateObject();
    const b = newUser();
    const mine = await createRepo(b.token, { private: true });
    const up = await upload(mine, b.token, p.data);
    assert.equal(up.stored, false, 'the bytes had to come');
    await commitOk(b.token, mine,
      { lfs: [{ path: 'same.bin', oid: p.oid, size: p.size }] });
    const dl = await request('GET', `${repoPath(mine)}/resolve/main/same.bin`,
      { headers: bearer(b.token) });
    assert.equal(dl.status, 302);
    const got = await raw('GET', dl.headers.location);
    assert.ok(got.body.equals(p.data));
    assert.equal(sql(`SELECT COUNT(*) FROM lfs_object WHERE sha256 = `
      + `UNHEX('${p.oid}')`).trim(), '1');
    // Wrong bytes for that oid prove nothing.
    const c = newUser();
    const hers = await createRepo(c.token);
    const bt = await batchOk(hers, c.token, 'upload',
      [{ oid: p.oid, size: p.size }]);
    const put = await raw('PUT', bt.objects[0].actions.upload.href,
      randomBytes(p.size));
    assert.equal(put.status, 200);
    const v = await verify(bt.objects[0].actions.verify.href, c.token,
      p.oid, p.size);
    assert.equal(v.status, 422, v.body);
    const cm = await commit(c.token, hers,
      { lfs: [{ path: 'x.bin', oid: p.oid, size: p.size }] });
    assert.equal(cm.status, 422, cm.body);
  });

test('a repository uses its own objects again without their bytes',
  async () => {
    const p = await privateObject();
    const bt = await batchOk(p.repo, p.a.token, 'upload',
      [{ oid: p.oid, size: p.size }]);
    assert.equal(bt.objects[0].actions, undefined, 'no upload needed');
    await commitOk(p.a.token, p.repo,
      { lfs: [{ path: 'copy.bin', oid: p.oid, size: p.size }] });
  });

test('an object of a repository the caller can read is linked without '
  + 'its bytes; made private, it no longer is', async () => {
  const a = newUser();
  const pub = await createRepo(a.token);
  const data = randomBytes(4000);
  const up = await upload(pub, a.token, data);
  await commitOk(a.token, pub,
    { lfs: [{ path: 'w.bin', oid: up.oid, size: up.size }] });
  const b = newUser();
  const mine = await createRepo(b.token);
  const bt = await batchOk(mine, b.token, 'upload',
    [{ oid: up.oid, size: up.size }]);
  assert.equal(bt.objects[0].actions, undefined, 'readable: no upload');
  await commitOk(b.token, mine,
    { lfs: [{ path: 'w.bin', oid: up.oid, size: up.size }] });
  const s = await setPrivate(a.token, pub);
  assert.equal(s.status, 200, s.body);
  const other = await createRepo(b.token);
  const r = await commit(b.token, other,
    { lfs: [{ path: 'w.bin', oid: up.oid, size: up.size }] });
  assert.equal(r.status, 200, 'still referenced by a repo B can read: '
    + 'his own');
  const c = newUser();
  const hers = await createRepo(c.token);
  assert.equal((await setPrivate(b.token, mine)).status, 200);
  assert.equal((await setPrivate(b.token, other)).status, 200);
  const rc = await commit(c.token, hers,
    { lfs: [{ path: 'w.bin', oid: up.oid, size: up.size }] });
  assert.equal(rc.status, 422, rc.body);
});

test('bytes staged for one repository prove nothing for another',
  async () => {
    const a = newUser();
    const r1 = await createRepo(a.token);
    const r2 = await createRepo(a.token);
    const data = randomBytes(3000);
    const oid = sha256(data);
    const bt = await batchOk(r1, a.token, 'upload', [{ oid,
      size: data.length }]);
    const put = await raw('PUT', bt.objects[0].actions.upload.href, data);
    assert.equal(put.status, 200);
    const c2 = await commit(a.token, r2,
      { lfs: [{ path: 'x.bin', oid, size: data.length }] });
    assert.equal(c2.status, 422, c2.body);
    await commitOk(a.token, r1,
      { lfs: [{ path: 'x.bin', oid, size: data.length }] });
  });

test('a regular file holding an LFS pointer is refused, whether or not '
  + 'the object exists', async () => {
  const p = await privateObject();
  const b = newUser();
  const mine = await createRepo(b.token);
  const pointer = (oid, size) => 'version https://git-lfs.github.com/spec/v1'
    + `\noid sha256:${oid}\nsize ${size}\n`;
  const never = sha256(randomBytes(5000));
  const r1 = await commit(b.token, mine,
    { files: { 'p.bin': pointer(p.oid, p.size) } });
  const r0 = await commit(b.token, mine,
    { files: { 'p.bin': pointer(never, p.size) } });
  assert.equal(r1.status, 422, r1.body);
  assert.equal(blind(r1, p.oid), blind(r0, never));
  const dl = await request('GET', `${repoPath(mine)}/resolve/main/p.bin`,
    { headers: bearer(b.token) });
  assert.equal(dl.status, 404);
});

test('a git blob id is not proof of identical content (SHA-1 collision)',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const content = `collides ${randomBytes(8).toString('hex')}\n`;
    const { createHash } = await import('node:crypto');
    const oid = createHash('sha1').update(
      `blob ${Buffer.byteLength(content)}\0${content}`).digest('hex');
    // Another blob with that id and other bytes (what a collision makes).
    sql(`INSERT INTO git_blob (oid, size, sha256, lfs) VALUES (UNHEX('${oid}'),`
      + ` ${Buffer.byteLength(content)}, UNHEX('${sha256('other bytes')}'), 0)`);
    const res = await commit(u.token, repo, { files: { 'a.txt': content } });
    assert.equal(res.status, 422, res.body);
    assert.equal(res.headers['x-error-code'], 'BlobCollision');
  });

// A browser session of a new user: its session_id.
async function session() {
  const u = newUser();
  const pw = 'correct horse battery staple';
  const r = khubctlRaw(['user', 'password', u.name], `${pw}\n`);
  assert.equal(r.status, 0, r.stderr);
  const res = await post('/api/auth/login', { username: u.name, password: pw });
  assert.equal(res.status, 200, res.body);
  const sid = /session_id=([0-9a-f]{64})/.exec(
    [].concat(res.headers['set-cookie'])[0])[1];
  return { ...u, sid };
}

test('a write with the session cookie from another site is refused',
  async () => {
    const s = await session();
    const cookie = `session_id=${s.sid}`;
    const name = `csrf-${randomBytes(4).toString('hex')}`;
    const body = JSON.stringify({ name, type: 'model' });
    for (const headers of [
      // a text/plain form or fetch from another origin
      { cookie, origin: 'http://evil.example', 'content-type': 'text/plain' },
      { cookie, origin: 'http://evil.example',
        'content-type': 'application/json' },
      // same-site but another origin (the S3 endpoint's port)
      { cookie, 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1',
        'content-type': 'application/json' },
      // the hub's own Origin, but a body type any site may send
      { cookie, origin: BASE, 'content-type': 'text/plain' },
      // no Origin at all
      { cookie, 'content-type': 'application/json' },
    ]) {
      const res = await request('POST', '/api/repos/create',
        { headers, body });
      assert.equal(res.status, 403, `${JSON.stringify(headers)}: ${res.body}`);
      assert.equal(res.headers['x-error-code'], 'CrossSiteRequest');
    }
    const t = await request('POST', '/api/auth/tokens/create', { headers: {
      cookie, origin: 'http://evil.example', 'content-type': 'text/plain' },
    body: JSON.stringify({ name: 'stolen', role: 'write' }) });
    assert.equal(t.status, 403, t.body);
    // Nothing was created; the hub's own pages still can.
    const info = await get(`/api/models/${s.name}/${name}`,
      { headers: bearer(s.token) });
    assert.equal(info.status, 404);
    const ok = await request('POST', '/api/repos/create', { headers: {
      cookie, origin: BASE, 'sec-fetch-site': 'same-origin',
      'content-type': 'application/json' }, body });
    assert.equal(ok.status, 200, ok.body);
    // Reads with the cookie are not affected; Bearer callers never are.
    const me = await get('/api/whoami-v2', { headers: { cookie } });
    assert.equal(me.status, 200);
    const bt = await post('/api/repos/create',
      { name: `${name}-b`, type: 'model' }, s.token,
      { origin: 'http://evil.example' });
    assert.equal(bt.status, 200, bt.body);
  });

test('Authorization: Bearer <token> followed by junk is refused; answers '
  + 'say nosniff',
  async () => {
    const u = newUser();
    const ok = await get('/api/whoami-v2', { headers: bearer(u.token) });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-content-type-options'], 'nosniff');
    for (const h of [`Bearer ${u.token} junk`, `Bearer ${u.token} x y`]) {
      const res = await get('/api/whoami-v2',
        { headers: { authorization: h } });
      assert.equal(res.status, 401, h);
    }
    const sp = await get('/api/whoami-v2',
      { headers: { authorization: `Bearer ${u.token}  ` } });
    assert.equal(sp.status, 200, 'trailing blanks are only blanks');
  });

test('an lfsFile without a size (CommitOperationCopy) copies a file of the '
  + 'same repository only', async () => {
  const p = await privateObject();
  const line = (path) => [JSON.stringify({ key: 'header',
    value: { summary: 'copy' } }), JSON.stringify({ key: 'lfsFile',
    value: { path, algo: 'sha256', oid: p.oid } })].join('\n');
  const send = (token, repo, path) => request('POST',
    `/api/models/${repo.id}/commit/main`, { body: line(path), headers: {
      'content-type': 'application/x-ndjson', ...bearer(token) } });
  const ok = await send(p.a.token, p.repo, 'copy/secret.bin');
  assert.equal(ok.status, 200, ok.body);
  const h = await request('HEAD',
    `${repoPath(p.repo)}/resolve/main/copy/secret.bin`,
    { headers: bearer(p.a.token) });
  assert.equal(h.status, 200);
  assert.equal(h.headers['x-linked-size'] || h.headers['content-length'],
    String(p.size));
  const b = newUser();
  const mine = await createRepo(b.token);
  const r = await send(b.token, mine, 'x.bin');
  assert.equal(r.status, 422, r.body);
  assert.ok(!r.body.includes(String(p.size)), r.body);
});
