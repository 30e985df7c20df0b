// t_72_quota.mjs: storage quotas per namespace (preupload, LFS batch and
// commit refuse with 413 what does not fit, and store nothing; the repos of
// a namespace add up) and per-repository LFS settings (threshold,
// patterns: preupload's uploadMode; only admins set them).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  bearer, commit, commitOk, createRepo, khubctl, mainHead as head,
  newUser, post, repoPath, request, sql, test, unique, upload,
  usedBytes as used,
} from './lib.mjs';

const LFS = 'application/vnd.git-lfs+json';
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

function batch(repo, token, objects) {
  return request('POST', `${repoPath(repo)}.git/info/lfs/objects/batch`, {
    body: { operation: 'upload', transfers: ['basic', 'multipart'], objects,
      hash_algo: 'sha256' },
    headers: { accept: LFS, 'content-type': LFS, ...bearer(token) } });
}

const preupload = (repo, token, files) =>
  post(`/api/models/${repo.id}/preupload/main`, { files }, token);

test('quota: preupload, LFS batch and commit beyond it answer 413 and '
  + 'store nothing; within it they work', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const base = used(u.name);
  assert.ok(base > 0, 'the default .gitattributes counts');
  khubctl('quota', 'set', u.name, String(base + 3000));

  // preupload: the sizes announced
  let res = await preupload(repo, u.token, [{ path: 'a.txt', size: 2000 },
    { path: 'b.txt', size: 1500 }]);
  assert.equal(res.status, 413, res.body);
  assert.equal(res.headers['x-error-code'], 'QuotaExceeded');
  assert.match(res.json.error, /quota/i);
  res = await preupload(repo, u.token, [{ path: 'a.txt', size: 2000 }]);
  assert.equal(res.status, 200, res.body);

  // LFS batch: the objects' sizes; no upload offered
  const big = randomBytes(4000), small = randomBytes(1000);
  res = await batch(repo, u.token, [{ oid: sha256(big), size: big.length }]);
  assert.equal(res.status, 413, res.body);
  assert.match(res.headers['content-type'], /^application\/vnd\.git-lfs\+json/);
  assert.match(res.json.message, /quota/i);
  assert.equal(res.json.objects, undefined);
  assert.equal(sql(`SELECT COUNT(*) FROM lfs_upload
    WHERE sha256 = UNHEX('${sha256(big)}')`).trim(), '0');
  res = await batch(repo, u.token, [{ oid: sha256(small),
    size: small.length }]);
  assert.equal(res.status, 200, res.body);
  assert.ok(res.json.objects[0].actions.upload.href);

  // commit: regular content beyond the quota; the branch does not move and
  // no blob is recorded
  const before = await head(repo, u.token);
  const content = randomBytes(3500);
  res = await commit(u.token, repo, { files: { 'big.bin': content } });
  assert.equal(res.status, 413, res.body);
  assert.equal(res.headers['x-error-code'], 'QuotaExceeded');
  assert.equal(await head(repo, u.token), before);
  assert.equal(sql(`SELECT COUNT(*) FROM git_blob
    WHERE sha256 = UNHEX('${sha256(content)}')`).trim(), '0');
  // an LFS file beyond it: refused before any verification
  res = await commit(u.token, repo, { lfs: [{ path: 'w.bin',
    oid: sha256(big), size: big.length }] });
  assert.equal(res.status, 413, res.body);
  assert.equal(await head(repo, u.token), before);

  // within it
  await commitOk(u.token, repo, { files: { 'ok.txt': 'x'.repeat(1200) } });
  assert.equal(used(u.name), base + 1200);
  // what is left is less now
  res = await commit(u.token, repo, { files: { 'more.txt':
    'y'.repeat(2000) } });
  assert.equal(res.status, 413, res.body);
  res = await preupload(repo, u.token, [{ path: 'more.txt', size: 2000 }]);
  assert.equal(res.status, 413);
  // a quota removed: everything fits again
  khubctl('quota', 'set', u.name, 'none');
  await commitOk(u.token, repo, { files: { 'more.txt': 'y'.repeat(2000) } });
  assert.match(khubctl('usage', u.name), /^quota_bytes: none$/m);
});

// What a namespace at its quota may still announce: content its
// repository holds already adds nothing, in preupload and the LFS batch
// as in the commit (git lfs push asks to upload every object it pushes,
// stored ones too; the Python client preuploads every file it commits).
test('quota: at the quota, preupload and LFS batch refuse only new bytes; '
  + 'content the repository holds passes, as in the commit', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const obj = randomBytes(4000), text = 'r'.repeat(300);
  const up = await upload(repo, u.token, obj);
  await commitOk(u.token, repo, { files: { '.gitattributes':
    '*.bin filter=lfs diff=lfs merge=lfs -text\n', 'r.txt': text },
  lfs: [{ path: 'w.bin', oid: up.oid, size: obj.length }] });
  khubctl('quota', 'set', u.name, String(used(u.name)));

  // the LFS batch: objects the repository references need no room
  let res = await batch(repo, u.token, [{ oid: up.oid, size: obj.length }]);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.objects[0].actions?.upload, undefined,
    'an upload URL for an object the repository has');
  const fresh = randomBytes(10);
  res = await batch(repo, u.token, [{ oid: up.oid, size: obj.length },
    { oid: sha256(fresh), size: fresh.length }]);
  assert.equal(res.status, 413, res.body);
  assert.equal(res.headers['x-error-code'], 'QuotaExceeded');
  assert.equal(res.json.objects, undefined, 'no upload URL handed out');
  assert.equal(sql(`SELECT COUNT(*) FROM lfs_upload
    WHERE sha256 = UNHEX('${sha256(fresh)}')`).trim(), '0');

  // preupload: an LFS file by its sha256, a regular one by a sample that
  // is the whole file, at other paths: nothing new
  res = await preupload(repo, u.token, [
    { path: 'copy.bin', size: obj.length, sha256: up.oid,
      sample: obj.subarray(0, 512).toString('base64') },
    { path: 'copy.txt', size: 300, sample: Buffer.from(text)
      .toString('base64') }]);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json.files.map((f) => f.uploadMode), ['lfs',
    'regular']);
  // anything new, or not known to be stored, still counts
  for (const files of [[{ path: 'n.txt', size: 1, sample: 'eA==' }],
    [{ path: 'copy.bin', size: obj.length }],
    [{ path: 'x.bin', size: 10, sha256: sha256(fresh) }]]) {
    res = await preupload(repo, u.token, files);
    assert.equal(res.status, 413, `${JSON.stringify(files)}: ${res.body}`);
    assert.equal(res.headers['x-error-code'], 'QuotaExceeded');
    assert.match(res.json.error, /quota/i);
  }
  // and the commit of what passed lands, at the quota
  await commitOk(u.token, repo, { files: { 'copy.txt': text },
    lfs: [{ path: 'copy.bin', oid: up.oid, size: obj.length }] });
  res = await commit(u.token, repo, { files: { 'n.txt': 'x' } });
  assert.equal(res.status, 413, res.body);
});

test('quota: the repositories of a namespace add up', async () => {
  const u = newUser();
  const r1 = await createRepo(u.token), r2 = await createRepo(u.token);
  const base = used(u.name);
  khubctl('quota', 'set', u.name, String(base + 1500));
  await commitOk(u.token, r1, { files: { 'a.txt': 'a'.repeat(1000) } });
  let res = await commit(u.token, r2, { files: { 'b.txt':
    'b'.repeat(1000) } });
  assert.equal(res.status, 413, res.body);
  res = await preupload(r2, u.token, [{ path: 'b.txt', size: 1000 }]);
  assert.equal(res.status, 413);
  await commitOk(u.token, r2, { files: { 'b.txt': 'b'.repeat(400) } });
  assert.equal(used(u.name), base + 1400);
  const out = khubctl('usage', u.name);
  assert.match(out, /^repositories: 2$/m);
  assert.match(out, new RegExp(`^available_bytes: ${100}$`, 'm'));
  // the same blob in two repositories counts for each
  khubctl('quota', 'set', u.name, 'none');
  await commitOk(u.token, r2, { files: { 'a.txt': 'a'.repeat(1000) } });
  assert.equal(used(u.name), base + 2400);

  // an organization's quota covers its repos, whoever commits
  const org = unique('qorg');
  assert.equal((await post('/org/create', { name: org }, u.token)).status,
    200);
  const or = await createRepo(u.token, { organization: org });
  khubctl('quota', 'set', org, String(used(org) + 100));
  res = await commit(u.token, or, { files: { 'c.txt': 'c'.repeat(500) } });
  assert.equal(res.status, 413, res.body);
});

test('per-repository LFS settings change preupload; admins only',
  async () => {
    const admin = newUser(), w = newUser(), stranger = newUser();
    const org = unique('lorg');
    assert.equal((await post('/org/create', { name: org }, admin.token))
      .status, 200);
    assert.equal((await post(`/org/${org}/members/${w.name}`,
      { role: 'write' }, admin.token)).status, 200);
    const repo = await createRepo(admin.token, { organization: org });
    const settings = (body, token) => request('PUT',
      `/api/models/${repo.id}/settings`, { body, headers: {
        'content-type': 'application/json', ...bearer(token) } });
    const modes = async (files) => {
      const res = await preupload(repo, w.token, files);
      assert.equal(res.status, 200, res.body);
      return Object.fromEntries(res.json.files.map((f) =>
        [f.path, f.uploadMode]));
    };
    const files = [{ path: 'a.txt', size: 200 }, { path: 'b.txt', size: 50 },
      { path: 'c.md', size: 10 }, { path: 'd/e.json', size: 10 },
      { path: 'f.bin', size: 10 }];
    assert.deepEqual(await modes(files), { 'a.txt': 'regular',
      'b.txt': 'regular', 'c.md': 'regular', 'd/e.json': 'regular',
      'f.bin': 'lfs' });

    let res = await settings({ lfsThreshold: 100 }, admin.token);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.lfsThreshold, 100);
    assert.deepEqual(await modes(files), { 'a.txt': 'lfs',
      'b.txt': 'regular', 'c.md': 'regular', 'd/e.json': 'regular',
      'f.bin': 'lfs' });
    res = await settings({ lfsPatterns: ['*.md', 'd/**'] }, admin.token);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json.lfsPatterns, ['*.md', 'd/**']);
    // patterns add to .gitattributes; the threshold stays
    assert.deepEqual(await modes(files), { 'a.txt': 'lfs',
      'b.txt': 'regular', 'c.md': 'lfs', 'd/e.json': 'lfs', 'f.bin': 'lfs' });
    // empty files stay regular
    assert.deepEqual(await modes([{ path: 'z.md', size: 0 }]),
      { 'z.md': 'regular' });

    // only admins; bad values change nothing
    for (const [token, status] of [[w.token, 403], [stranger.token, 403]]) {
      res = await settings({ lfsThreshold: 1 }, token);
      assert.equal(res.status, status, res.body);
    }
    res = await request('PUT', `/api/models/${repo.id}/settings`,
      { body: { lfsThreshold: 1 },
        headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 401);
    for (const body of [{ lfsThreshold: -1 }, { lfsThreshold: '10' },
      { lfsThreshold: 1.5 }, { lfsPatterns: '*.md' }, { lfsPatterns: [''] },
      { lfsPatterns: ['a b'] }, { lfsPatterns: [3] },
      { lfsPatterns: ['*.x\n*.y'] }, { lfsPatterns: ['x'.repeat(256)] },
      { lfsPatterns: Array(101).fill('*.a') },
      { lfsThreshold: 1, lfsPatterns: ['ok', 'not ok'] }]) {
      res = await settings(body, admin.token);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.body}`);
    }
    assert.equal(sql(`SELECT lfs_threshold, lfs_patterns FROM repo r
      JOIN namespace n ON n.id = r.owner_id
      WHERE n.name = '${org}' AND r.name = '${repo.name}'`).trim(),
    '100\t*.md\\nd/**');

    // back to the server's rules
    res = await settings({ lfsThreshold: null, lfsPatterns: null },
      admin.token);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.lfsThreshold, null);
    assert.deepEqual(await modes(files), { 'a.txt': 'regular',
      'b.txt': 'regular', 'c.md': 'regular', 'd/e.json': 'regular',
      'f.bin': 'lfs' });
    // the multipart threshold of LFS uploads
    const obj = randomBytes(2000);
    const objects = [{ oid: sha256(obj), size: obj.length }];
    res = await batch(repo, w.token, objects);
    assert.equal(res.json.transfer, 'basic', res.body);
    res = await settings({ lfsMultipartThreshold: 1000 }, admin.token);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.lfsMultipartThreshold, 1000);
    res = await batch(repo, w.token, objects);
    assert.equal(res.json.transfer, 'multipart', res.body);
    for (const v of [0, -5, 'big'])
      assert.equal((await settings({ lfsMultipartThreshold: v },
        admin.token)).status, 400);
    res = await settings({ lfsMultipartThreshold: null }, admin.token);
    assert.equal(res.status, 200, res.body);
    res = await batch(repo, w.token, objects);
    assert.equal(res.json.transfer, 'basic', res.body);
    // private still works alongside
    res = await settings({ private: true, lfsPatterns: ['*.txt'] },
      admin.token);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.private, true);
    assert.equal((await modes([{ path: 'q.txt', size: 1 }]))['q.txt'], 'lfs');
  });
