// t_56_gc.mjs: khubctl gc (gc.h). What no repository references any more
// (a deleted repository's files and LFS objects, uploads never committed,
// multipart uploads never completed, staged keys never verified) goes
// after the grace period, from S3 and from MariaDB; what any repository
// still references stays, even an object gc is deleting while a commit
// names it: that commit either lands with the object kept, or fails
// cleanly (503) and lands when sent again. The dry run deletes nothing
// and prints what would go and its bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BUILD, CONFIG, MAIN, batchOk, bearer, blobKey, commit, commitOk, createRepo,
  deleteRepo, download, gcAsync, khubctl, lfsKey, newUser, raw, request, s3,
  sha256, sql, test, upload,
} from './lib.mjs';

const gc = (...args) => khubctl('gc', ...args);
// Marks older than they are, as if that much time had passed.
const age = (hours) => sql(`UPDATE gc_mark
  SET since = since - INTERVAL ${hours} HOUR`);
const count = (q) => Number(sql(q).trim());
const exists = (key) => s3('HEAD', key).status === 200;
const blobRows = (data) => count(`SELECT COUNT(*) FROM git_blob
  WHERE sha256 = UNHEX('${sha256(data)}')`);
const lfsRows = (oid) => count(`SELECT COUNT(*) FROM lfs_object
  WHERE sha256 = UNHEX('${oid}')`);

// Every reference points at stored content: the invariant gc keeps.
function consistent() {
  assert.equal(count(`SELECT COUNT(*) FROM repo_blob rb
    LEFT JOIN git_blob b ON b.oid = rb.oid WHERE b.oid IS NULL`), 0,
  'a repository references a blob row gc deleted');
  // (a mirror's LFS objects are copied at their first download, mirror.c:
  // until then only upstream holds them, and no lfs_object row is owed)
  assert.equal(count(`SELECT COUNT(*) FROM repo_blob rb
    JOIN git_blob b ON b.oid = rb.oid AND b.lfs = 1
    LEFT JOIN lfs_object l ON l.sha256 = b.sha256
    LEFT JOIN mirror_repo m ON m.repo_id = rb.repo_id
    WHERE l.sha256 IS NULL AND m.repo_id IS NULL`), 0,
  'a repository references an LFS object gc deleted');
  assert.equal(count(`SELECT COUNT(*) FROM repo_blob rb
    JOIN git_blob b ON b.oid = rb.oid AND b.lfs = 0 AND b.in_s3 = 0
    LEFT JOIN blob_data d ON d.oid = b.oid WHERE d.oid IS NULL`), 0,
  'a small blob lost its bytes');
}

// Every key under prefix in the bucket, with its size.
function listed(prefix) {
  const out = new Map();
  for (let token = ''; ;) {
    const q = `?${token ? `continuation-token=${encodeURIComponent(token)}&`
      : ''}list-type=2&prefix=${encodeURIComponent(prefix)}`;
    const r = s3('GET', q);
    assert.equal(r.status, 200, r.body.toString());
    const xml = r.body.toString();
    for (const m of xml.matchAll(/<Key>([^<]+)<\/Key>.*?<Size>(\d+)<\/Size>/g))
      out.set(m[1], Number(m[2]));
    const next = /<NextContinuationToken>([^<]+)</.exec(xml);
    if (!/<IsTruncated>true</.test(xml) || !next) return out;
    token = next[1].replace(/&amp;/g, '&');
  }
}

// Every file of every repository still has its bytes: each regular file's
// key in S3 (or its row in blob_data), each LFS object's, with its size
// (a mirror's LFS objects come at their first download: not owed).
function everyFileStored() {
  consistent();
  const blobs = listed('blob/'), lfs = listed('lfs/');
  const rows = sql(`SELECT DISTINCT LOWER(HEX(b.oid)), b.size,
    LOWER(HEX(b.sha256)), b.lfs, b.in_s3 FROM repo_blob rb
    JOIN git_blob b ON b.oid = rb.oid
    LEFT JOIN mirror_repo m ON m.repo_id = rb.repo_id
    WHERE m.repo_id IS NULL AND (b.lfs = 1 OR b.in_s3 = 1)`).trim()
    .split('\n').filter(Boolean);
  let n = 0;
  for (const line of rows) {
    const [oid, size, sha, isLfs, inS3] = line.split('\t');
    if (isLfs === '1') {
      const key = lfsKey(sha);
      assert.ok(lfs.has(key), `an LFS object of a repository is gone: ${key}`);
    } else if (inS3 === '1') {
      const key = `blob/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`;
      assert.equal(blobs.get(key), Number(size),
        `a file of a repository is gone: ${key}`);
    }
    n++;
  }
  return n;
}

test('gc: a deleted repository\'s files, uncommitted uploads, abandoned '
  + 'multipart and staged uploads go after the grace period; what another '
  + 'repository references stays; the dry run deletes nothing', async () => {
  const u = newUser();
  const a = await createRepo(u.token), b = await createRepo(u.token);
  const own = randomBytes(9000), shared = randomBytes(7000);
  const small = randomBytes(300), lfsData = randomBytes(5000);
  const up = await upload(a, u.token, lfsData);
  await commitOk(u.token, a, { files: { 'own.bin': own, 'shared.bin': shared,
    'small.bin': small }, lfs: [{ path: 'w.bin', oid: up.oid,
    size: lfsData.length }] });
  await commitOk(u.token, b, { files: { 'shared.bin': shared } });
  // uploaded and verified, never committed: a proof of possession only
  const orphan = randomBytes(3000);
  const op = await upload(a, u.token, orphan);
  // staged, never verified
  const staged = randomBytes(2000);
  const sb = await batchOk(a, u.token, 'upload', [{ oid: sha256(staged),
    size: staged.length }]);
  const stagedKey = decodeURIComponent(new URL(
    sb.objects[0].actions.upload.href).pathname).replace(/^\/[^/]+\//, '');
  assert.equal((await raw('PUT', sb.objects[0].actions.upload.href,
    staged)).status, 200);
  assert.ok(exists(stagedKey), stagedKey);
  // a multipart upload begun, never completed
  sql(`UPDATE repo r JOIN namespace n ON n.id = r.owner_id
    SET r.lfs_multipart_threshold = ${5 * 1048576 + 1}
    WHERE n.name = '${a.ns}' AND r.name = '${a.name}'`);
  const mpOid = sha256(randomBytes(32)), mpSize = 6 * 1048576;
  const mb = await batchOk(a, u.token, 'upload', [{ oid: mpOid,
    size: mpSize }]);
  assert.equal(mb.transfer, 'multipart');
  const uploadId = sql(`SELECT upload_id FROM lfs_upload
    WHERE sha256 = UNHEX('${mpOid}')`).trim();
  assert.ok(uploadId);

  assert.ok(exists(blobKey(own)) && exists(blobKey(shared)));
  assert.ok(exists(lfsKey(up.oid)) && exists(lfsKey(op.oid)));
  await deleteRepo(u.token, a);

  // Unreferenced now, but only just: nothing goes within the grace.
  let out = gc('--grace', '1h');
  assert.doesNotMatch(out, new RegExp(`${blobKey(own)}|${up.oid}|`
    + `${op.oid}|${uploadId}`), out);
  assert.ok(exists(blobKey(own)) && exists(lfsKey(up.oid)));
  assert.match(out, /^deleted \d+ objects, \d+ bytes; \d+ unreferenced/m);

  // An hour later: the dry run names each with its bytes, deletes none.
  age(2);
  out = gc('--dry-run', '--grace', '1h');
  assert.match(out, new RegExp(`^would delete blob ${blobKey(own)} 9000$`,
    'm'), out);
  assert.match(out, new RegExp(`^would delete lfs ${lfsKey(up.oid)} 5000$`,
    'm'));
  assert.match(out, new RegExp(`^would delete lfs ${lfsKey(op.oid)} 3000$`,
    'm'));
  assert.match(out, /^would delete small-blob [0-9a-f]{40} 300$/m);
  assert.match(out, /^would delete \d+ objects, \d+ bytes/m);
  assert.doesNotMatch(out, new RegExp(blobKey(shared)));
  assert.ok(exists(blobKey(own)) && exists(lfsKey(up.oid)) &&
    exists(lfsKey(op.oid)));
  assert.equal(blobRows(own), 1);
  assert.equal(lfsRows(op.oid), 1);

  // The real run.
  out = gc('--grace', '1h');
  assert.match(out, new RegExp(`^deleted blob ${blobKey(own)} 9000$`, 'm'),
    out);
  assert.match(out, new RegExp(`^deleted lfs ${lfsKey(op.oid)} 3000$`, 'm'));
  assert.equal(exists(blobKey(own)), false);
  assert.equal(exists(lfsKey(up.oid)), false);
  assert.equal(exists(lfsKey(op.oid)), false);
  assert.equal(blobRows(own), 0);
  assert.equal(blobRows(small), 0);
  assert.equal(lfsRows(up.oid) + lfsRows(op.oid), 0);
  assert.equal(count(`SELECT COUNT(*) FROM lfs_proof
    WHERE sha256 = UNHEX('${op.oid}')`), 0);
  // staged and multipart uploads go by their own age: not yet
  assert.ok(exists(stagedKey));
  assert.equal(count(`SELECT COUNT(*) FROM lfs_upload
    WHERE upload_id = '${uploadId}'`), 1);

  // The shared file stays, with its bytes.
  assert.ok(exists(blobKey(shared)));
  assert.deepEqual(await download(b, 'shared.bin', { token: u.token }),
    shared);

  // With no grace: the staged key and the multipart upload go too.
  out = gc('--grace', '0');
  assert.match(out, new RegExp(`^deleted staging ${stagedKey} 2000$`, 'm'),
    out);
  const mp = new RegExp(`^deleted multipart (\\S+) ${mpSize}$`, 'm')
    .exec(out);
  assert.ok(mp, out);
  assert.equal(exists(stagedKey), false);
  assert.equal(count(`SELECT COUNT(*) FROM lfs_upload
    WHERE upload_id = '${uploadId}'`), 0);
  // aborted in S3 too: its parts are gone (ListParts: NoSuchUpload)
  const parts = s3('GET', `${mp[1]}?uploadId=${encodeURIComponent(
    uploadId)}`);
  assert.equal(parts.status, 404, parts.body.toString());
  // Nothing left to do, and everything referenced is whole.
  out = gc('--grace', '0');
  assert.match(out, /^deleted 0 objects, 0 bytes/m, out);
  everyFileStored();
  assert.deepEqual(await download(b, 'shared.bin', { token: u.token }),
    shared);
});

// Bytes in S3 that no row names: what a commit leaves when it stored a
// file's bytes and then failed before recording them (the database gone,
// S3 answering after khub gave up), or a copy whose row never came.
// Made here by storing them straight into the bucket, as such a commit
// would have.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function orphan(data, lfs) {
  const key = lfs ? lfsKey(sha256(data)) : blobKey(data);
  assert.equal(s3('PUT', key, MAIN(), data).status, 200);
  return key;
}

test('gc: S3 objects no row names go once older than the grace, by their '
  + 'age; keys rows name and small files\' copies stay; the dry run '
  + 'names them with their bytes', async () => {
  const u = newUser();
  const r = await createRepo(u.token);
  const big = randomBytes(9000), small = randomBytes(300);
  const lfsData = randomBytes(5000);
  const up = await upload(r, u.token, lfsData);
  await commitOk(u.token, r, { files: { 'big.bin': big, 'small.bin': small },
    lfs: [{ path: 'w.bin', oid: up.oid, size: lfsData.length }] });
  // a small file's S3 copy, made by its first download
  assert.deepEqual(await download(r, 'small.bin', { token: u.token }), small);
  // enough keys that a listing page is over 64 KiB (a page of 1,000 keys
  // is about 270 KiB: S3 answers were cut at 64 KiB, and gc failed)
  const many = {};
  for (let i = 0; i < 400; i++) many[`m/${i}.bin`] = randomBytes(4200);
  await commitOk(u.token, r, { files: many });
  const ob = orphan(randomBytes(7000), false);
  const ol = orphan(randomBytes(6000), true);
  // a small orphan: maybe a copy a worker remembers (gc.c small())
  const os = orphan(randomBytes(200), false);
  // not one of khub's content keys: never touched
  assert.equal(s3('PUT', 'blob/zz/other', MAIN(), Buffer.from('x')).status,
    200);

  let out = gc('--grace', '1h');
  assert.doesNotMatch(out, /orphan/, out);
  assert.ok(exists(ob) && exists(ol));

  await sleep(2100);
  // an orphan may be a commit's bytes on their way to its row: whatever
  // the grace, at least an hour old unless told (--orphan-age)
  out = gc('--grace', '1s');
  assert.doesNotMatch(out, new RegExp(`${ob}|${ol}`), out);
  assert.ok(exists(ob) && exists(ol));
  out = gc('--dry-run', '--grace', '1s', '--orphan-age', '1s');
  assert.match(out, new RegExp(`^would delete orphan ${ob} 7000$`, 'm'), out);
  assert.match(out, new RegExp(`^would delete orphan ${ol} 6000$`, 'm'), out);
  assert.ok(exists(ob) && exists(ol));

  out = gc('--grace', '1s', '--orphan-age', '1s');
  assert.match(out, new RegExp(`^deleted orphan ${ob} 7000$`, 'm'), out);
  assert.match(out, new RegExp(`^deleted orphan ${ol} 6000$`, 'm'), out);
  assert.equal(exists(ob), false);
  assert.equal(exists(ol), false);
  assert.ok(exists(os), 'a small file\'s copy was deleted');
  assert.ok(exists('blob/zz/other'));
  assert.ok(exists(blobKey(big)) && exists(blobKey(small)) &&
    exists(lfsKey(up.oid)));
  assert.deepEqual(await download(r, 'big.bin', { token: u.token }), big);
  assert.deepEqual(await download(r, 'w.bin', { token: u.token }), lfsData);
  everyFileStored();
});

test('gc deleting orphans while commits and uploads store the very same '
  + 'bytes again: every file that lands keeps them', async () => {
  const u = newUser();
  const N = 100;
  const contents = [...Array(N)].map((_, i) => randomBytes(5000 + i));
  const objs = [...Array(N / 4)].map((_, i) => randomBytes(3000 + i));
  for (const c of contents) orphan(c, false);
  for (const o of objs) orphan(o, true);
  await sleep(2100);
  const repo = await createRepo(u.token);
  const sweeping = gcAsync('--grace', '1h', '--orphan-age', '1s');
  const results = await Promise.all([
    ...contents.map(async (c, i) => {
      await sleep((i % 25) * 4);
      return { f: { [`c${i}.bin`]: c }, res: await commit(u.token, repo,
        { files: { [`c${i}.bin`]: c } }) };
    }),
    ...objs.map(async (o, i) => {
      await sleep(i * 7);
      const p = await upload(repo, u.token, o);
      return { lfs: [{ path: `o${i}.bin`, oid: p.oid, size: p.size }],
        res: await commit(u.token, repo, { lfs: [{ path: `o${i}.bin`,
          oid: p.oid, size: p.size }] }) };
    })]);
  await sweeping;
  for (const { f, lfs, res } of results)
    if (res.status !== 200) {
      assert.equal(res.status, 503, res.body);
      await commitOk(u.token, repo, { files: f, lfs });
    }
  everyFileStored();
  for (let i = 0; i < N; i++)
    assert.deepEqual(await download(repo, `c${i}.bin`, { token: u.token }),
      contents[i], `c${i}.bin`);
  for (let i = 0; i < objs.length; i++)
    assert.deepEqual(await download(repo, `o${i}.bin`, { token: u.token }),
      objs[i], `o${i}.bin`);
});

test('gc leaves a tombstone for each orphan it deletes: a commit whose '
  + 'earlier try\'s row landed after the delete stores the bytes again; '
  + 'tombstones go after a day', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const data = randomBytes(6100);
  const key = orphan(data, false);
  await sleep(2100);
  const out = gc('--grace', '1h', '--orphan-age', '1s');
  assert.match(out, new RegExp(`^deleted orphan ${key} 6100$`, 'm'), out);
  assert.equal(exists(key), false);
  const tomb = () => count(`SELECT COUNT(*) FROM gc_orphan
    WHERE s3_key = '${key}'`);
  assert.equal(tomb(), 1);
  // A commit stored these bytes between gc's HEAD and its DELETE; its row
  // waited for gc and then landed, and its try failed (S3 refused the
  // bytes again): a row, no bytes. The next try finds the row.
  const oid = key.split('/').pop();
  sql(`INSERT INTO git_blob (oid, size, sha256, lfs, in_s3) VALUES
    (UNHEX('${oid}'), ${data.length}, UNHEX('${sha256(data)}'), 0, 1)`);
  await commitOk(u.token, repo, { files: { 'x.bin': data } });
  assert.ok(exists(key), 'the bytes gc deleted were not stored again');
  assert.deepEqual(await download(repo, 'x.bin', { token: u.token }), data);
  everyFileStored();
  // a day on, the tombstone goes (with a dry run, it stays)
  sql(`UPDATE gc_orphan SET deleted_at = deleted_at - INTERVAL 2 DAY
    WHERE s3_key = '${key}'`);
  gc('--dry-run', '--grace', '1h');
  assert.equal(tomb(), 1);
  gc('--grace', '1h');
  assert.equal(tomb(), 0);
});

test('gc: a reference in between drops the mark; the grace starts over',
  async () => {
    const u = newUser();
    const r = await createRepo(u.token);
    const data = randomBytes(6000);
    await commitOk(u.token, r, { files: { 'x.bin': data } });
    const gone = await createRepo(u.token);
    await commitOk(u.token, gone, { files: { 'x.bin': data,
      'y.bin': randomBytes(5000) } });
    await deleteRepo(u.token, gone);
    // x is referenced by r: never marked; y is
    gc('--grace', '1h');
    assert.equal(count(`SELECT COUNT(*) FROM gc_mark WHERE kind = 'blob'
      AND id = UNHEX(SHA1(CONCAT('blob 6000', CHAR(0), UNHEX('${
  data.toString('hex')}'))))`), 0);
    // r goes; x is marked now, and a new repository names x again
    await deleteRepo(u.token, r);
    gc('--grace', '1h');
    const again = await createRepo(u.token);
    await commitOk(u.token, again, { files: { 'x.bin': data } });
    age(2);
    const out = gc('--grace', '1h');
    assert.doesNotMatch(out, new RegExp(blobKey(data)), out);
    assert.ok(exists(blobKey(data)));
    assert.deepEqual(await download(again, 'x.bin', { token: u.token }),
      data);
    // unreferenced once more: a fresh mark, so it stays for now
    await deleteRepo(u.token, again);
    assert.doesNotMatch(gc('--grace', '1h'), new RegExp(blobKey(data)));
    assert.ok(exists(blobKey(data)));
  });

test('gc racing commits that name the objects it deletes: every commit that '
  + 'lands keeps its files, each other one fails cleanly and lands when '
  + 'sent again', async () => {
  const u = newUser();
  const N = 48;
  const contents = [...Array(N)].map((_, i) => randomBytes(4200 + i));
  const smalls = [...Array(N)].map((_, i) => randomBytes(100 + i));
  const outcomes = { landed: 0, collected: 0, contended: 0 };
  // the suite's garbage first: what the race sweeps is this test's
  gc('--grace', '0');
  for (let round = 0; round < 3; round++) {
    // Old garbage: a deleted repository's files, marked an hour ago.
    const old = await createRepo(u.token);
    const files = {};
    contents.forEach((c, i) => { files[`c${i}.bin`] = c; });
    smalls.forEach((c, i) => { files[`s${i}.bin`] = c; });
    await commitOk(u.token, old, { files });
    await deleteRepo(u.token, old);
    gc('--grace', '1h');
    age(2);
    // gc deletes them while commits to a new repository name them again.
    const repo = await createRepo(u.token);
    const sweeping = gcAsync('--grace', '1h');
    const results = await Promise.all(contents.map(async (c, i) => {
      await new Promise((r) => setTimeout(r, (i % 12) * 4));
      const f = { [`c${i}.bin`]: c, [`s${i}.bin`]: smalls[i] };
      const res = await commit(u.token, repo, { files: f });
      return { f, res };
    }));
    await sweeping;
    for (const { f, res } of results) {
      if (res.status === 200) {
        outcomes.landed++;
        continue;
      }
      assert.equal(res.status, 503, res.body);
      assert.equal(res.headers['x-error-code'], 'ServiceUnavailable');
      // met collected content, or lost the branch to the other commits
      // too often (48 at once on one branch): both clean, both sent again
      assert.match(res.json.error, /garbage|Too many concurrent commits/);
      if (/garbage/.test(res.json.error)) outcomes.collected++;
      else outcomes.contended++;
      await commitOk(u.token, repo, { files: f });
    }
    everyFileStored();
    for (let i = 0; i < N; i++) {
      assert.deepEqual(await download(repo, `c${i}.bin`,
        { token: u.token }), contents[i], `round ${round}: c${i}.bin`);
      assert.deepEqual(await download(repo, `s${i}.bin`,
        { token: u.token }), smalls[i], `round ${round}: s${i}.bin`);
    }
    await deleteRepo(u.token, repo);
  }
  console.log(`# gc race: ${outcomes.landed} commits landed, `
    + `${outcomes.collected} met collected content and ${outcomes.contended} `
    + 'lost the branch too often, and were sent again');
});

test('gc racing LFS commits: an object it deletes under a commit is '
  + 'refused cleanly, uploaded again and committed', async () => {
  const u = newUser();
  const N = 12;
  const objs = [...Array(N)].map((_, i) => randomBytes(3000 + i));
  const old = await createRepo(u.token);
  const ups = [];
  for (const o of objs) ups.push(await upload(old, u.token, o));
  await commitOk(u.token, old, { lfs: ups.map((p, i) => ({
    path: `o${i}.bin`, oid: p.oid, size: p.size })) });
  await deleteRepo(u.token, old);
  gc('--grace', '1h');
  age(2);
  const repo = await createRepo(u.token);
  // each object uploaded to the new repository: only linked (stored)
  for (const o of objs) await upload(repo, u.token, o);
  const sweeping = gcAsync('--grace', '1h');
  const results = await Promise.all(objs.map(async (o, i) => {
    await new Promise((r) => setTimeout(r, i * 3));
    return commit(u.token, repo, { lfs: [{ path: `o${i}.bin`,
      oid: sha256(o), size: o.length }] });
  }));
  await sweeping;
  for (let i = 0; i < N; i++) {
    if (results[i].status !== 200) {
      assert.ok([422, 503].includes(results[i].status), results[i].body);
      const p = await upload(repo, u.token, objs[i]);
      await commitOk(u.token, repo, { lfs: [{ path: `o${i}.bin`,
        oid: p.oid, size: p.size }] });
    }
  }
  everyFileStored();
  for (let i = 0; i < N; i++)
    assert.deepEqual(await download(repo, `o${i}.bin`, { token: u.token }),
      objs[i]);
});
