// t_30_lfs.mjs: the git-lfs batch API through lighttpd against real S3
// (Ceph checks the presigned signatures): basic and multipart uploads with
// no headers, verification of what was uploaded (right and wrong content),
// the completion capability, downloads scoped to the repository, rights.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BASE, LFS, batch, batchOk, bearer, commit, commitOk, createRepo,
  lfsHeaders, local, newUser, raw, repoPath, request, sha256, sql, test,
  upload, verify,
} from './lib.mjs';

function lfsObjectRows(oid) {
  return sql(`SELECT size FROM lfs_object WHERE sha256 = UNHEX('${oid}')`)
    .trim();
}

test('basic upload: presigned PUT with no headers, verify, then stored',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const data = randomBytes(4096);
    const oid = sha256(data);
    const b = await batchOk(repo, u.token, 'upload',
      [{ oid, size: data.length }]);
    assert.equal(b.transfer, 'basic');
    assert.equal(b.hash_algo, 'sha256');
    const o = b.objects[0];
    assert.equal(o.size, data.length);
    assert.ok(!o.authenticated, 'git-lfs must send its credentials');
    assert.ok(o.actions.upload.href.includes('X-Amz-Signature='));
    assert.ok(!o.actions.upload.header, 'no header for a basic PUT');
    assert.ok(o.actions.upload.expires_in > 0);
    assert.equal(o.actions.verify.href,
      `${BASE}/${repo.id}.git/info/lfs/objects/verify`);
    assert.equal(lfsObjectRows(oid), '', 'not usable before the upload');
    const put = await raw('PUT', o.actions.upload.href, data);
    assert.equal(put.status, 200, put.body.toString());
    assert.equal(lfsObjectRows(oid), '', 'not usable before verification');
    const v = await verify(o.actions.verify.href, u.token, oid, data.length);
    assert.equal(v.status, 200, v.body);
    assert.match(v.headers['content-type'], /^application\/vnd\.git-lfs\+json/);
    assert.equal(lfsObjectRows(oid), String(data.length));
    // Verified again: a no-op; and the batch now says "already stored".
    const v2 = await verify(o.actions.verify.href, u.token, oid, data.length);
    assert.equal(v2.status, 200, v2.body);
    const again = await batchOk(repo, u.token, 'upload',
      [{ oid, size: data.length }]);
    assert.equal(again.objects[0].actions, undefined);
    assert.equal(again.objects[0].error, undefined);
    // The same oid with another size: an upload like any other (its
    // check will fail); the answer never states a stored size.
    const wrong = await batchOk(repo, u.token, 'upload',
      [{ oid, size: data.length + 1 }]);
    assert.equal(wrong.objects[0].error, undefined);
    assert.ok(wrong.objects[0].actions.upload);
  });

test('wrong content: verify answers 422, removes the staged bytes, and the '
  + 'batch still offers the upload', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const data = randomBytes(3000);
  const oid = sha256(data);
  for (const bad of [randomBytes(3000), randomBytes(3000)]) {
    const b = await batchOk(repo, u.token, 'upload',
      [{ oid, size: data.length }]);
    const o = b.objects[0];
    // Content-Length is signed: S3 itself refuses another length.
    for (const n of [2999, 3001])
      assert.equal((await raw('PUT', o.actions.upload.href,
        randomBytes(n))).status, 403);
    assert.equal((await raw('PUT', o.actions.upload.href, bad)).status, 200);
    const v = await verify(o.actions.verify.href, u.token, oid, data.length);
    assert.equal(v.status, 422, v.body);
    assert.equal(v.headers['x-error-code'], 'LfsObjectMismatch');
    assert.match(v.json.message, new RegExp(oid));
    assert.equal(lfsObjectRows(oid), '');
    // The staged object is gone: nothing left to verify.
    const v2 = await verify(o.actions.verify.href, u.token, oid, data.length);
    assert.equal(v2.status, 404, v2.body);
    assert.match(v2.json.message, /never uploaded/);
    const again = await batchOk(repo, u.token, 'upload',
      [{ oid, size: data.length }]);
    assert.ok(again.objects[0].actions.upload.href);
  }
  // And the right bytes are accepted after all that.
  await upload(repo, u.token, data);
  assert.equal(lfsObjectRows(oid), String(data.length));
});

test('verify of an object never uploaded: 404; bad bodies: 422', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const href = `${BASE}${repoPath(repo)}.git/info/lfs/objects/verify`;
  const oid = sha256(randomBytes(16));
  const v = await verify(href, u.token, oid, 16);
  assert.equal(v.status, 404, v.body);
  assert.equal(v.json.message.includes(oid), true);
  for (const body of [{ oid: 'abc', size: 1 }, { oid, size: -1 },
    { oid, size: '16' }, { oid: oid.toUpperCase(), size: 16 }]) {
    const res = await request('POST', local(href),
      { body, headers: lfsHeaders(u.token) });
    assert.equal(res.status, 422, JSON.stringify(body) + res.body);
    assert.ok(res.json.message);
  }
  const anon = await verify(href, undefined, oid, 16);
  assert.equal(anon.status, 401);
});

test('per-object validation: oid, size; hash_algo; operation', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const good = sha256(Buffer.from('x'));
  const b = await batchOk(repo, u.token, 'upload', [
    { oid: 'g'.repeat(64), size: 1 },
    { oid: good.toUpperCase(), size: 1 },
    { oid: good.slice(1), size: 1 },
    { oid: good, size: -5 },
    { oid: good, size: 1.5 },
    { oid: good, size: '1' },
    { oid: good },
    { oid: good, size: 1 },
  ]);
  for (const o of b.objects.slice(0, 7))
    assert.equal(o.error?.code, 422, JSON.stringify(o));
  assert.ok(b.objects[7].actions.upload.href);
  // The JS client's spelling of the algorithm, and none at all.
  for (const hash_algo of ['sha_256', undefined]) {
    const res = await batch(repo, u.token, 'upload',
      [{ oid: good, size: 1 }], { hash_algo });
    assert.equal(res.status, 200, res.body);
  }
  const md5 = await batch(repo, u.token, 'upload', [{ oid: good, size: 1 }],
    { hash_algo: 'md5' });
  assert.equal(md5.status, 409, md5.body);
  assert.ok(md5.json.message);
  const op = await batch(repo, u.token, 'delete', [{ oid: good, size: 1 }]);
  assert.equal(op.status, 422);
  assert.match(op.headers['content-type'], /git-lfs\+json/);
  // Clients offering xet alone get basic: never xet.
  const xet = await batch(repo, u.token, 'upload', [{ oid: good, size: 1 }],
    { transfers: ['xet'] });
  assert.equal(xet.json.transfer, 'basic');
});

test('multipart: parts to presigned URLs, completion with no auth, '
  + 'verified', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  sql(`UPDATE repo r JOIN namespace n ON n.id = r.owner_id
    SET r.lfs_multipart_threshold = ${5 * 1048576 + 1}
    WHERE n.name = '${repo.ns}' AND r.name = '${repo.name}'`);
  // Just over the 64 MiB chunk: two parts.
  const data = randomBytes(64 * 1048576 + 1048576 + 123);
  const oid = sha256(data);
  const b = await batchOk(repo, u.token, 'upload',
    [{ oid, size: data.length }]);
  assert.equal(b.transfer, 'multipart');
  const up = b.objects[0].actions.upload;
  const chunk = parseInt(up.header.chunk_size, 10);
  assert.ok(chunk >= 5 * 1048576);
  const keys = Object.keys(up.header).filter((k) => /^\d+$/.test(k)).sort();
  assert.equal(keys.length, Math.ceil(data.length / chunk));
  assert.deepEqual(keys, keys.map((_, i) => String(i + 1).padStart(5, '0')));
  assert.match(up.href, new RegExp(
    `^${BASE}/${repo.id}\\.git/info/lfs/objects/complete/`));
  const parts = [];
  for (const k of keys) {
    const i = parseInt(k, 10) - 1;
    const res = await raw('PUT', up.header[k],
      data.subarray(i * chunk, (i + 1) * chunk));
    assert.equal(res.status, 200, res.body.toString());
    parts.push({ partNumber: i + 1, etag: res.headers.etag });
  }
  assert.equal(lfsObjectRows(oid), '');
  // Forged tokens are refused before anything happens.
  const tok = up.href.slice(up.href.lastIndexOf('/') + 1);
  const flip = (s) => s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') +
    s.at(-1);
  for (const forged of [flip(tok), 'abc', `${tok.split('.')[0]}.`,
    `${Buffer.from('other-upload').toString('base64url')}.${tok.split('.')[1]}`]) {
    const res = await request('POST',
      local(up.href).replace(tok, forged),
      { body: { oid, parts }, headers: lfsHeaders() });
    assert.equal(res.status, 403, `${forged}: ${res.body}`);
  }
  const done = await request('POST', local(up.href),
    { body: { oid, parts }, headers: lfsHeaders() });
  assert.equal(done.status, 200, done.body);
  assert.equal(lfsObjectRows(oid), String(data.length));
  // A retried completion (its answer lost) still succeeds.
  const retry = await request('POST', local(up.href),
    { body: { oid, parts }, headers: lfsHeaders() });
  assert.equal(retry.status, 200, retry.body);
  // The verify action given with it confirms.
  const v = await verify(b.objects[0].actions.verify.href, u.token, oid,
    data.length);
  assert.equal(v.status, 200, v.body);
  const again = await batchOk(repo, u.token, 'upload',
    [{ oid, size: data.length }]);
  assert.equal(again.objects[0].actions, undefined);
});

test('multipart with the wrong bytes or wrong etags is refused', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  sql(`UPDATE repo r JOIN namespace n ON n.id = r.owner_id
    SET r.lfs_multipart_threshold = ${5 * 1048576 + 1}
    WHERE n.name = '${repo.ns}' AND r.name = '${repo.name}'`);
  const data = randomBytes(6 * 1048576);
  const oid = sha256(data);
  const start = async () => {
    const b = await batchOk(repo, u.token, 'upload',
      [{ oid, size: data.length }]);
    assert.equal(b.transfer, 'multipart');
    return b.objects[0].actions.upload;
  };
  // Wrong etag: S3 refuses to complete; the client is told why.
  let up = await start();
  let put = await raw('PUT', up.header['00001'], data);
  assert.equal(put.status, 200);
  const bad = await request('POST', local(up.href), { body: { oid,
    parts: [{ partNumber: 1, etag: '"0123456789abcdef0123456789abcdef"' }] },
  headers: lfsHeaders() });
  assert.equal(bad.status, 400, bad.body);
  assert.ok(bad.json.message);
  // Another oid than the upload's: refused.
  const other = await request('POST', local(up.href), { body: {
    oid: sha256(Buffer.from('other')), parts: [{ partNumber: 1,
      etag: put.headers.etag }] }, headers: lfsHeaders() });
  assert.equal(other.status, 422, other.body);
  // Malformed parts.
  for (const parts of [[], [{ partNumber: 0, etag: 'x' }],
    [{ partNumber: 1 }], 'x']) {
    const res = await request('POST', local(up.href),
      { body: { oid, parts }, headers: lfsHeaders() });
    assert.equal(res.status, 422, JSON.stringify(parts) + res.body);
  }
  // Wrong bytes, of the right length: completed, then found out.
  up = await start();
  put = await raw('PUT', up.header['00001'], randomBytes(data.length));
  assert.equal(put.status, 200);
  const wrong = await request('POST', local(up.href), { body: { oid,
    parts: [{ partNumber: 1, etag: put.headers.etag }] },
  headers: lfsHeaders() });
  assert.equal(wrong.status, 422, wrong.body);
  assert.match(wrong.json.message, /sha256/);
  assert.equal(lfsObjectRows(oid), '');
  const again = await batchOk(repo, u.token, 'upload',
    [{ oid, size: data.length }]);
  assert.ok(again.objects[0].actions.upload.href);
});

test('below the multipart threshold, or multipart not offered: basic',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    sql(`UPDATE repo r JOIN namespace n ON n.id = r.owner_id
      SET r.lfs_multipart_threshold = ${5 * 1048576 + 1}
      WHERE n.name = '${repo.ns}' AND r.name = '${repo.name}'`);
    const big = { oid: sha256(Buffer.from('big')), size: 6 * 1048576 };
    const small = { oid: sha256(Buffer.from('small')), size: 5 * 1048576 };
    const b = await batchOk(repo, u.token, 'upload', [big, small]);
    assert.equal(b.transfer, 'multipart');
    assert.ok(b.objects[0].actions.upload.header.chunk_size);
    assert.equal(b.objects[1].actions.upload.header, undefined);
    const basic = await batchOk(repo, u.token, 'upload', [big],
      { transfers: ['basic'] });
    assert.equal(basic.transfer, 'basic');
    assert.equal(basic.objects[0].actions.upload.header, undefined);
    const huge = await batchOk(repo, u.token, 'upload',
      [{ oid: big.oid, size: 6 * 2 ** 30 }]);
    assert.equal(huge.objects[0].error.code, 413);
  });

test('rights: anonymous 401, read token 403, stranger 403; private repos '
  + 'do not show', async () => {
  const owner = newUser();
  const reader = newUser('read');
  const stranger = newUser();
  const pub = await createRepo(owner.token);
  const priv = await createRepo(owner.token, { private: true });
  const obj = [{ oid: sha256(Buffer.from('r')), size: 1 }];

  let res = await batch(pub, undefined, 'upload', obj);
  assert.equal(res.status, 401, res.body);
  for (const t of [reader.token, stranger.token]) {
    res = await batch(pub, t, 'upload', obj);
    assert.equal(res.status, 403, res.body);
  }
  // Reading a public repository needs no token.
  res = await batch(pub, undefined, 'download', obj);
  assert.equal(res.status, 200, res.body);
  // A private one: RepoNotFound, whatever the operation.
  for (const op of ['download', 'upload']) {
    res = await batch(priv, stranger.token, op, obj);
    assert.equal(res.status, 404, res.body);
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
    res = await batch(priv, undefined, op, obj);
    assert.equal(res.status, 401, res.body);
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  }
  res = await batch(priv, owner.token, 'download', obj);
  assert.equal(res.status, 200, res.body);
  const missing = await batch({ id: `${owner.name}/nope-${Date.now()}` },
    owner.token, 'download', obj);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['x-error-code'], 'RepoNotFound');
  // Verify needs write access too.
  const href = `${BASE}${repoPath(pub)}.git/info/lfs/objects/verify`;
  res = await verify(href, reader.token, obj[0].oid, 1);
  assert.equal(res.status, 403);
});

test('download: only objects this repository references', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const data = randomBytes(2048);
  const { oid } = await upload(repo, u.token, data);
  // Verified, but not referenced by repo: not given out.
  let b = await batchOk(repo, u.token, 'download',
    [{ oid, size: data.length }]);
  assert.equal(b.objects[0].error.code, 404);
  assert.equal(b.objects[0].error.message, 'Object does not exist');
  assert.equal(b.objects[0].actions, undefined);
  // Referenced by repo once committed there: downloadable, bytes match.
  await commitOk(u.token, repo, { lfs: [{ path: 'w.bin', oid,
    size: data.length }] });
  b = await batchOk(repo, u.token, 'download', [{ oid, size: data.length },
    { oid: sha256(Buffer.from('nope')), size: 4 }]);
  assert.equal(b.transfer, 'basic');
  const href = b.objects[0].actions.download.href;
  const got = await raw('GET', href);
  assert.equal(got.status, 200);
  assert.ok(got.body.equals(data));
  assert.equal(b.objects[1].error.code, 404);
  // A wrong size does not name the object.
  b = await batchOk(repo, u.token, 'download', [{ oid, size: 7 }]);
  assert.equal(b.objects[0].error.code, 404);
  // The resolve redirect serves the same bytes.
  const r = await request('GET', `${repoPath(repo)}/resolve/main/w.bin`);
  assert.equal(r.status, 302, r.body);
  assert.ok((await raw('GET', r.headers.location)).body.equals(data));
});

test('a private repository\'s objects go to its readers only', async () => {
  const u = newUser();
  const stranger = newUser();
  const priv = await createRepo(u.token, { private: true });
  const mine = await createRepo(stranger.token);
  const data = randomBytes(1000);
  const { oid } = await upload(priv, u.token, data);
  await commitOk(u.token, priv, { lfs: [{ path: 'secret.bin', oid,
    size: data.length }] });
  const res = await batch(priv, stranger.token, 'download',
    [{ oid, size: data.length }]);
  assert.equal(res.status, 404);
  const b = await batchOk(mine, stranger.token, 'download',
    [{ oid, size: data.length }]);
  assert.equal(b.objects[0].error.code, 404);
  const ok = await batchOk(priv, u.token, 'download',
    [{ oid, size: data.length }]);
  assert.ok(ok.objects[0].actions.download.href);
});

test('datasets and spaces: the same API under their prefix', async () => {
  const u = newUser();
  for (const type of ['dataset', 'space']) {
    const repo = await createRepo(u.token, { type });
    const data = randomBytes(500);
    const b = await batchOk(repo, u.token, 'upload',
      [{ oid: sha256(data), size: data.length }]);
    assert.equal(b.objects[0].actions.verify.href,
      `${BASE}/${type}s/${repo.id}.git/info/lfs/objects/verify`);
    await upload(repo, u.token, data);
    assert.equal(lfsObjectRows(sha256(data)), String(data.length));
  }
});

test('commit of an LFS file uploaded without verify (the JS client): '
  + 'checked at commit', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const data = randomBytes(5000);
  const { oid } = await upload(repo, u.token, data, { doVerify: false });
  assert.equal(lfsObjectRows(oid), '');
  await commitOk(u.token, repo, { lfs: [{ path: 'js.bin', oid,
    size: data.length }] });
  assert.equal(lfsObjectRows(oid), String(data.length));
  const b = await batchOk(repo, u.token, 'download',
    [{ oid, size: data.length }]);
  assert.ok((await raw('GET', b.objects[0].actions.download.href)).body
    .equals(data));

  // Wrong bytes uploaded, no verify: the commit is refused.
  const good = randomBytes(5000);
  const goid = sha256(good);
  const bb = await batchOk(repo, u.token, 'upload',
    [{ oid: goid, size: good.length }]);
  await raw('PUT', bb.objects[0].actions.upload.href, randomBytes(5000));
  let res = await commit(u.token, repo, { lfs: [{ path: 'bad.bin',
    oid: goid, size: good.length }] });
  assert.equal(res.status, 422, res.body);
  assert.equal(lfsObjectRows(goid), '');
  // Never uploaded at all: refused too.
  res = await commit(u.token, repo, { lfs: [{ path: 'none.bin',
    oid: sha256(randomBytes(8)), size: 8 }] });
  assert.equal(res.status, 422, res.body);
});
