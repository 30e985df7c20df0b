// t_34_small_blobs.mjs: small regular files (at most 4096 bytes,
// blobstore.h BLOB_SMALL_MAX) are kept in MariaDB at commit, not PUT to S3
// one by one (issue 17); downloads still answer 302 to a presigned URL, so
// the first GET of one puts its bytes in S3, and later ones cost no S3
// call. Every check compares the bytes that come back through the redirect.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  bearer, commitOk, createRepo, download, get, newUser, post, repoPath,
  request, sql, test,
} from './lib.mjs';

const SMALL_MAX = 4096;
const gitBlobId = (data) => createHash('sha1')
  .update(`blob ${data.length}\0`).update(data).digest('hex');

// name{labels} -> value, summed over the workers.
async function metric(name) {
  const res = await get('/metrics');
  assert.equal(res.status, 200, res.body);
  const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}
const s3Calls = () => metric('khub_s3_requests_total');

// in_s3 and whether a blob_data row exists, by blob id (hex).
function where(ids) {
  const out = new Map();
  const list = ids.map((h) => `X'${h}'`).join(',');
  for (const line of sql(`SELECT LOWER(HEX(b.oid)), b.in_s3,
      (SELECT COUNT(*) FROM blob_data d WHERE d.oid = b.oid)
      FROM git_blob b WHERE b.oid IN (${list})`).trim().split('\n')) {
    if (!line) continue;
    const [h, inS3, rows] = line.split('\t');
    out.set(h, { inS3: inS3 === '1', row: rows === '1' });
  }
  return out;
}

const enc = (path) => path.split('/').map(encodeURIComponent).join('/');

test('small files: in the database at commit, a larger one in S3; each GET '
  + 'redirects to the exact bytes, the first puts them in S3, later ones '
  + 'and HEAD make no S3 call', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const files = {};
  for (const n of [0, 1, 2, 100, 1000, 4095, SMALL_MAX])
    files[`edge/${n}.bin`] = randomBytes(n);
  for (let i = 0; i < 60; i++)
    files[`d${i % 4}/f${i}.bin`] = randomBytes(1 + ((i * 977) % SMALL_MAX));
  files['text/hello.txt'] = Buffer.from(`hello ${Date.now()}\n`);
  const big = randomBytes(SMALL_MAX + 1);
  const before = await s3Calls();
  await commitOk(u.token, repo, { files: { ...files, 'big.bin': big } });
  assert.ok(await s3Calls() - before >= 1, 'the large file is PUT at commit');

  const small = Object.keys(files);
  const ids = small.map((p) => gitBlobId(files[p]));
  let at = where([...ids, gitBlobId(big)]);
  // Random contents of 16 bytes or more are new; the tiny ones (the empty
  // file, one or two bytes) may be known from other tests, in S3 already.
  for (const [i, p] of small.entries())
    if (files[p].length >= 16)
      assert.deepEqual(at.get(ids[i]), { inS3: false, row: true }, p);
    else
      assert.equal(at.get(ids[i]).row || at.get(ids[i]).inS3, true, p);
  assert.deepEqual(at.get(gitBlobId(big)), { inS3: true, row: false });
  const toPut = new Set(ids.filter((h) => !at.get(h).inS3)).size;

  // HEAD: answered from metadata, no Location, no S3 call.
  let s0 = await s3Calls();
  for (const p of small.slice(0, 10)) {
    const h = await request('HEAD', `${repoPath(repo)}/resolve/main/${enc(p)}`);
    assert.equal(h.status, 200);
    assert.equal(h.headers['x-linked-size'], String(files[p].length));
    assert.equal(h.headers.etag, `"${gitBlobId(files[p])}"`);
    assert.equal(h.headers.location, undefined);
  }
  assert.equal(await s3Calls() - s0, 0, 'HEAD makes no S3 call');

  // First GETs: one PUT for each blob not in S3 yet.
  s0 = await s3Calls();
  for (const p of small)
    assert.equal((await download(repo, p)).toString('hex'),
      files[p].toString('hex'), p);
  assert.equal(await s3Calls() - s0, toPut,
    'one S3 PUT per small blob on its first download');
  at = where(ids);
  for (const [i, p] of small.entries())
    assert.deepEqual(at.get(ids[i]), { inS3: true, row: true }, p);

  // Later GETs: the hot path, no S3 call; the same bytes.
  s0 = await s3Calls();
  for (const p of small)
    assert.equal((await download(repo, p)).toString('hex'),
      files[p].toString('hex'), p);
  assert.equal((await download(repo, 'big.bin')).toString('hex'),
    big.toString('hex'));
  assert.equal(await s3Calls() - s0, 0, 'no S3 call once in S3');
});

test('small files: /raw/ and resolve by commit id redirect to the bytes too',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token, { private: true });
    const data = randomBytes(700);
    const c = await commitOk(u.token, repo, { files: { 'r/raw.bin': data } });
    assert.equal((await download(repo, 'r/raw.bin',
      { token: u.token, form: 'raw' })).toString('hex'), data.toString('hex'));
    const res = await request('GET', `${repoPath(repo)}/resolve/${c}/r/raw.bin`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 302);
    const s3 = await fetch(res.headers.location);
    assert.equal(Buffer.from(await s3.arrayBuffer()).toString('hex'),
      data.toString('hex'));
  });

test('small files: many first downloads of one file at once all redirect to '
  + 'its bytes', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const data = randomBytes(3000);
  await commitOk(u.token, repo, { files: { 'race.bin': data } });
  const got = await Promise.all(Array.from({ length: 12 },
    () => download(repo, 'race.bin')));
  for (const g of got)
    assert.equal(g.toString('hex'), data.toString('hex'));
  assert.deepEqual(where([gitBlobId(data)]).get(gitBlobId(data)),
    { inS3: true, row: true });
});

test('small files: stored once across commits and repositories, and the '
  + 'second repository downloads them', async () => {
  const u = newUser();
  const a = await createRepo(u.token);
  const b = await createRepo(u.token);
  const data = randomBytes(1234);
  const id = gitBlobId(data);
  await commitOk(u.token, a, { files: { 'x.bin': data, 'y.bin': data } });
  const count = () => Number(sql(`SELECT COUNT(*) FROM blob_data
    WHERE oid = X'${id}'`).trim());
  assert.equal(count(), 1);
  assert.equal((await download(a, 'y.bin')).toString('hex'),
    data.toString('hex'));
  // known already: not written again, and still marked in S3
  await commitOk(u.token, b, { files: { 'z.bin': data } });
  assert.equal(count(), 1);
  assert.deepEqual(where([id]).get(id), { inS3: true, row: true });
  assert.equal((await download(b, 'z.bin')).toString('hex'),
    data.toString('hex'));
});

test('small .gitattributes and README.md: preupload and info read them from '
  + 'the database, without S3', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const attrs = Buffer.from('*.xyz filter=lfs diff=lfs merge=lfs -text\n'
    + '# small-blobs test\n');
  const readme = Buffer.from('---\nlicense: mit\ntags:\n- small-blobs\n---\n'
    + `# A card ${Date.now()}\n`);
  const ignore = Buffer.from('*.tmp\n');
  await commitOk(u.token, repo, { files: { '.gitattributes': attrs,
    'README.md': readme, '.gitignore': ignore } });
  const at = where([gitBlobId(attrs), gitBlobId(readme)]);
  assert.equal(at.get(gitBlobId(attrs)).inS3, false);
  assert.equal(at.get(gitBlobId(readme)).inS3, false);
  const s0 = await s3Calls();
  const pre = await post(`/api/models/${repo.id}/preupload/main`,
    { files: [{ path: 'w.xyz', size: 10, sample: '' },
      { path: 'n.txt', size: 10, sample: '' },
      { path: 'junk.tmp', size: 10, sample: '' }] }, u.token);
  assert.equal(pre.status, 200, pre.body);
  assert.deepEqual(pre.json.files.map((f) => [f.uploadMode, f.shouldIgnore]),
    [['lfs', false], ['regular', false], ['regular', true]]);
  const info = await get(`/api/models/${repo.id}`);
  assert.equal(info.status, 200, info.body);
  assert.equal(info.json.cardData.license, 'mit');
  assert.deepEqual(info.json.cardData.tags, ['small-blobs']);
  assert.equal(await s3Calls() - s0, 0, 'read from the database');
  // and once downloaded (in S3 too), the same answers
  assert.equal((await download(repo, 'README.md')).toString(),
    readme.toString());
});

test('a commit of 20,000 distinct small files lands, every one in the '
  + 'database, and they download', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  // (the repository's initial .gitattributes is left out by its size)
  const n = 20000, files = {};
  const tag = randomBytes(6).toString('hex');
  for (let i = 0; i < n; i++)
    files[`d${String(i % 20).padStart(2, '0')}/f${i}.txt`] =
      `${tag} ${i}\n`;
  const t0 = Date.now();
  await commitOk(u.token, repo, { files });
  const ms = Date.now() - t0;
  console.log(`  # 20,000 distinct small files in one commit: ${ms} ms`);
  const rows = sql(`SELECT COUNT(*), SUM(b.in_s3), COUNT(d.oid)
    FROM repo r JOIN namespace ns ON ns.id = r.owner_id
    JOIN repo_blob rb ON rb.repo_id = r.id
    JOIN git_blob b ON b.oid = rb.oid
    LEFT JOIN blob_data d ON d.oid = b.oid
    WHERE ns.name = '${repo.ns}' AND r.name = '${repo.name}'
    AND b.size < 40`).trim()
    .split('\t').map(Number);
  assert.deepEqual(rows, [n, 0, n]);
  for (const i of [0, 1, 4999, 12345, n - 1]) {
    const p = `d${String(i % 20).padStart(2, '0')}/f${i}.txt`;
    assert.equal((await download(repo, p)).toString(), files[p]);
  }
});
