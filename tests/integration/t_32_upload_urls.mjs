// t_32_upload_urls.mjs: an upload URL cannot read anything (security.md 2).
// Ceph RGW honours headers a presigned PUT did not sign (x-amz-copy-source,
// x-amz-acl, x-amz-grant-*): so the keys that sign upload URLs may only put
// objects under lfs-staging/, and a copy through one (which needs a read of
// its source) or an ACL on one is refused by S3 itself. Honest uploads,
// basic and multipart, go on working.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  MAIN, batchOk, bearer, blobKey, commit, commitOk, confValue, createRepo,
  lfsHeaders, lfsKey, local, newUser, raw, repoPath, request, s3, sha256,
  sql, test, upload, verify,
} from './lib.mjs';

const BUCKET = confValue('bucket');
const keyOf = (href) => decodeURIComponent(new URL(href).pathname)
  .slice(BUCKET.length + 2);

function uploader() {
  const access = confValue('upload_access_key');
  assert.ok(access, 'khub.conf names the upload keys ([s3] upload_access_key)');
  return { access, secret: confValue('upload_secret_key') };
}

// A private repository of a new user A with an LFS file and a regular
// file that only A may read. The regular file is small, so its bytes are
// in the database until first downloaded (blobstore.h); A downloads it,
// which puts it in S3 under blob/, unless downloaded is false.
async function victim({ downloaded = true } = {}) {
  const a = newUser();
  const repo = await createRepo(a.token, { private: true });
  const lfs = randomBytes(3000);
  const up = await upload(repo, a.token, lfs);
  const regular = randomBytes(2000);
  await commitOk(a.token, repo, { files: { 'config.bin': regular },
    lfs: [{ path: 'weights.bin', oid: up.oid, size: up.size }] });
  assert.equal(s3('HEAD', blobKey(regular), MAIN()).status, 404,
    'a small file is not in S3 before its first download');
  if (downloaded) {
    const dl = await request('GET', `${repoPath(repo)}/resolve/main/config.bin`,
      { headers: bearer(a.token) });
    assert.equal(dl.status, 302, dl.body);
    const got = await raw('GET', dl.headers.location);
    assert.equal(got.body.toString('hex'), regular.toString('hex'));
    // The sources exist: a refusal below is S3's, not a missing key.
    assert.equal(s3('HEAD', blobKey(regular), MAIN()).status, 200);
  }
  assert.equal(s3('HEAD', lfsKey(up.oid), MAIN()).status, 200);
  return { a, repo, lfs, regular };
}

// Stranger B asks to upload bytes with the victim's sha256 and size into
// B's own repository (he gets upload actions: he does not own them), tries
// to fill the staging key by copying the victim's object, then to verify
// and commit it.
async function stealByCopy(data, sourceKey) {
  const b = newUser();
  const mine = await createRepo(b.token);
  const oid = sha256(data);
  const bt = await batchOk(mine, b.token, 'upload',
    [{ oid, size: data.length }]);
  const acts = bt.objects[0].actions;
  assert.ok(acts, 'a stranger must upload the bytes');
  // With as many bytes as the URL signs in Content-Length: the signature
  // holds, the bucket policy is what refuses.
  const put = await raw('PUT', acts.upload.href, Buffer.alloc(data.length),
    { 'x-amz-copy-source': `/${BUCKET}/${sourceKey}` });
  assert.equal(put.status, 403, `the copy is refused: ${put.status} `
    + put.body.toString());
  assert.match(put.body.toString(), /AccessDenied/);
  assert.notEqual(s3('GET', keyOf(acts.upload.href), MAIN()).body
    .toString('hex'), data.toString('hex'), 'no private byte was staged');
  const v = await verify(acts.verify.href, b.token, oid, data.length);
  assert.notEqual(v.status, 200, v.body);
  const c = await commit(b.token, mine,
    { lfs: [{ path: 'stolen.bin', oid, size: data.length }] });
  assert.equal(c.status, 422, c.body);
  const dl = await request('GET', `${repoPath(mine)}/resolve/main/stolen.bin`,
    { headers: bearer(b.token) });
  assert.equal(dl.status, 404);
}

test('an upload URL cannot copy a private LFS object to its staging key',
  async () => {
    const p = await victim();
    await stealByCopy(p.lfs, lfsKey(sha256(p.lfs)));
  });

test('an upload URL cannot copy a private regular file to its staging key',
  async () => {
    const p = await victim();
    await stealByCopy(p.regular, blobKey(p.regular));
  });

test('a private small file not yet downloaded (bytes only in the database) '
  + 'cannot be copied or read through S3 either', async () => {
  const p = await victim({ downloaded: false });
  const key = blobKey(p.regular);
  assert.notEqual(s3('GET', key, uploader()).status, 200);
  const b = newUser();
  const mine = await createRepo(b.token);
  const oid = sha256(p.regular);
  const bt = await batchOk(mine, b.token, 'upload',
    [{ oid, size: p.regular.length }]);
  const acts = bt.objects[0].actions;
  const put = await raw('PUT', acts.upload.href,
    Buffer.alloc(p.regular.length),
    { 'x-amz-copy-source': `/${BUCKET}/${key}` });
  assert.notEqual(put.status, 200, put.body.toString());
  assert.notEqual(s3('GET', keyOf(acts.upload.href), MAIN()).body
    .toString('hex'), p.regular.toString('hex'), 'no private byte was staged');
  const v = await verify(acts.verify.href, b.token, oid, p.regular.length);
  assert.notEqual(v.status, 200, v.body);
  // Still not in S3: nothing above made khub put it there.
  assert.equal(s3('HEAD', key, MAIN()).status, 404);
  // A stranger's download of it is refused before any S3 work.
  const dl = await request('GET',
    `${repoPath(p.repo)}/resolve/main/config.bin`,
    { headers: bearer(b.token) });
  assert.notEqual(dl.status, 302);
  assert.equal(s3('HEAD', key, MAIN()).status, 404);
});

test('an upload URL makes nothing public: x-amz-acl and x-amz-grant-read '
  + 'refused or without effect; then a plain PUT works', async () => {
  const b = newUser();
  const mine = await createRepo(b.token);
  const data = Buffer.from(`<html><script>alert(1)</script>${
    randomBytes(16).toString('hex')}</html>`);
  const oid = sha256(data);
  const bt = await batchOk(mine, b.token, 'upload',
    [{ oid, size: data.length }]);
  const acts = bt.objects[0].actions;
  const anon = `${new URL(acts.upload.href).origin}${
    new URL(acts.upload.href).pathname}`;
  for (const h of [{ 'x-amz-acl': 'public-read' },
    { 'x-amz-acl': 'public-read-write' },
    { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' },
    { 'x-amz-grant-full-control': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }]) {
    const put = await raw('PUT', acts.upload.href, data, h);
    assert.notEqual(put.status, 200, `${JSON.stringify(h)} refused`);
    const got = await raw('GET', anon);
    assert.notEqual(got.status, 200, `${JSON.stringify(h)}: PUT ${put.status}`
      + `, anonymous GET ${got.status} ${got.body.toString()}`);
  }
  // The honest PUT, as huggingface_hub and git-lfs send it.
  const put = await raw('PUT', acts.upload.href, data);
  assert.equal(put.status, 200, put.body.toString());
  assert.notEqual((await raw('GET', anon)).status, 200);
  const v = await verify(acts.verify.href, b.token, oid, data.length);
  assert.equal(v.status, 200, v.body);
  await commitOk(b.token, mine,
    { lfs: [{ path: 'page.bin', oid, size: data.length }] });
  const dl = await request('GET', `${repoPath(mine)}/resolve/main/page.bin`,
    { headers: bearer(b.token) });
  assert.equal(dl.status, 302);
  const bytes = await raw('GET', dl.headers.location);
  assert.equal(bytes.status, 200);
  assert.equal(bytes.body.toString('hex'), data.toString('hex'));
});

test('the upload keys read nothing and write nothing outside lfs-staging/',
  async () => {
    const p = await victim();
    const up = uploader();
    const oid = sha256(p.lfs);
    assert.equal(s3('GET', lfsKey(oid), up).status, 403);
    assert.equal(s3('GET', blobKey(p.regular), up).status, 403);
    // Not even what they staged themselves (a copy source for another).
    const b = newUser();
    const mine = await createRepo(b.token);
    const data = randomBytes(1000);
    const bt = await batchOk(mine, b.token, 'upload',
      [{ oid: sha256(data), size: data.length }]);
    const href = bt.objects[0].actions.upload.href;
    assert.equal((await raw('PUT', href, data)).status, 200);
    assert.equal(s3('GET', keyOf(href), MAIN()).status, 200);
    assert.equal(s3('GET', keyOf(href), up).status, 403);
    assert.equal(s3('PUT', `${keyOf(href)}?acl`, up).status, 403);
    assert.equal(s3('DELETE', keyOf(href), up).status, 403);
    assert.equal(s3('PUT', `lfs/00/00/${sha256(data)}`, up, data).status,
      403);
    assert.equal(s3('PUT', `blob/00/00/x-${process.pid}`, up, data).status,
      403);
    assert.equal(s3('GET', '', up).status, 403, 'no listing');
  });

test('multipart part URLs: a copy through one is refused, an honest '
  + 'upload completes and verifies', async () => {
  const p = await victim();
  const b = newUser();
  const mine = await createRepo(b.token);
  sql(`UPDATE repo r JOIN namespace n ON n.id = r.owner_id
    SET r.lfs_multipart_threshold = ${5 * 1048576 + 1}
    WHERE n.name = '${mine.ns}' AND r.name = '${mine.name}'`);
  const data = randomBytes(5 * 1048576 + 4096);
  const oid = sha256(data);
  const bt = await batchOk(mine, b.token, 'upload',
    [{ oid, size: data.length }]);
  assert.equal(bt.transfer, 'multipart');
  const up = bt.objects[0].actions.upload;
  const chunk = parseInt(up.header.chunk_size, 10);
  const keys = Object.keys(up.header).filter((k) => /^\d+$/.test(k)).sort();
  // UploadPartCopy through a part URL reads its source: refused.
  const steal = await raw('PUT', up.header[keys[0]],
    Buffer.alloc(Math.min(chunk, data.length)),
    { 'x-amz-copy-source': `/${BUCKET}/${lfsKey(sha256(p.lfs))}` });
  assert.equal(steal.status, 403, `part copy refused: ${steal.status}`);
  assert.match(steal.body.toString(), /AccessDenied/);
  const parts = [];
  for (const k of keys) {
    const i = parseInt(k, 10) - 1;
    const res = await raw('PUT', up.header[k],
      data.subarray(i * chunk, (i + 1) * chunk));
    assert.equal(res.status, 200, res.body.toString());
    parts.push({ partNumber: i + 1, etag: res.headers.etag });
  }
  const done = await request('POST', local(up.href),
    { body: { oid, parts }, headers: lfsHeaders() });
  assert.equal(done.status, 200, done.body);
  const v = await verify(bt.objects[0].actions.verify.href, b.token, oid,
    data.length);
  assert.equal(v.status, 200, v.body);
  await commitOk(b.token, mine,
    { lfs: [{ path: 'big.bin', oid, size: data.length }] });
});
