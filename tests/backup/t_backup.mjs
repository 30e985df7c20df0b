// tests/backup/t_backup.mjs: the steps of tests/backup/run that speak HTTP
// and S3, one per argument:
//   seed MANIFEST      repositories with regular, small and LFS files (a
//                      small one downloaded, so in S3 too), private and
//                      public, through khub; what each file holds goes to
//                      MANIFEST (JSON)
//   dump DIR           every object of the bucket into DIR (ListObjectsV2)
//   load DIR           every file of DIR into the (other) bucket
//   verify MANIFEST    against the restored khub: every file downloads with
//                      its bytes, tokens still work, the listing is whole
// The stack is the one of KHUB_URL and KHUB_CONFIG_FILE, as in lib.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync }
  from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  bearer, commitOk, createRepo, download, get, newUser, runAll, s3, sha256,
  test, upload,
} from '../integration/lib.mjs';

const [step, arg] = process.argv.slice(2);

async function seed(manifest) {
  const out = { users: [], repos: [] };
  for (let u = 0; u < 2; u++) {
    const user = newUser();
    out.users.push(user);
    for (const priv of [false, true]) {
      const repo = await createRepo(user.token, { private: priv });
      const files = { 'config.json': Buffer.from('{"a": 1}\n'),
        'big.bin': randomBytes(70000), 'small.txt': randomBytes(300),
        'dir/deep.txt': Buffer.from(`deep ${u}\n`) };
      const lfsData = randomBytes(20000);
      const up = await upload(repo, user.token, lfsData);
      await commitOk(user.token, repo, { files, lfs: [{ path: 'w.bin',
        oid: up.oid, size: lfsData.length }] });
      // the small file's first download puts it in S3 as well
      await download(repo, 'small.txt', { token: user.token });
      const all = { ...files, 'w.bin': lfsData };
      out.repos.push({ repo, token: user.token, priv, files: Object.fromEntries(
        Object.entries(all).map(([p, b]) => [p, sha256(b)])) });
    }
  }
  writeFileSync(manifest, JSON.stringify(out));
  console.log(`backup: seeded ${out.repos.length} repositories`);
}

// Every key of the bucket, through the pages of ListObjectsV2.
function keys() {
  const out = [];
  let token = '';
  for (;;) {
    const q = `?list-type=2${token ?
      `&continuation-token=${encodeURIComponent(token)}` : ''}`;
    const res = s3('GET', q);
    assert.equal(res.status, 200, res.body.toString());
    const xml = res.body.toString();
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g))
      out.push(m[1].replace(/&amp;/g, '&'));
    const next = /<NextContinuationToken>([^<]*)</.exec(xml);
    if (!/<IsTruncated>true</.test(xml) || !next) return out;
    token = next[1];
  }
}

function dump(dir) {
  const all = keys();
  for (const k of all) {
    const res = s3('GET', k.split('/').map(encodeURIComponent).join('/'));
    assert.equal(res.status, 200, k);
    mkdirSync(dirname(join(dir, k)), { recursive: true });
    writeFileSync(join(dir, k), res.body);
  }
  console.log(`backup: ${all.length} objects copied out of the bucket`);
}

function load(dir) {
  const walk = (d) => readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
  const files = walk(dir);
  for (const f of files) {
    const k = relative(dir, f);
    const res = s3('PUT', k.split('/').map(encodeURIComponent).join('/'),
      undefined, readFileSync(f));
    assert.equal(res.status, 200, `${k}: ${res.body}`);
  }
  console.log(`backup: ${files.length} objects copied into the bucket`);
}

if (step === 'seed') await seed(arg);
else if (step === 'dump') dump(arg);
else if (step === 'load') load(arg);
else if (step === 'verify') {
  const m = JSON.parse(readFileSync(arg, 'utf8'));
  test('restored: every file of every repository downloads with its bytes',
    async () => {
      for (const { repo, token, files } of m.repos)
        for (const [path, sum] of Object.entries(files))
          assert.equal(sha256(await download(repo, path, { token })), sum,
            `${repo.id}/${path}`);
    });
  test('restored: tokens, private repositories and listings as they were',
    async () => {
      for (const u of m.users) {
        const res = await get('/api/whoami-v2', { headers: bearer(u.token) });
        assert.equal(res.status, 200, res.body);
        assert.equal(res.json.name, u.name);
      }
      for (const { repo, token, priv } of m.repos) {
        const anon = await get(`/api/models/${repo.id}`);
        assert.equal(anon.status, priv ? 401 : 200, anon.body);
        if (priv) assert.equal(anon.headers['x-error-code'], 'RepoNotFound');
        const own = await get(`/api/models/${repo.id}`,
          { headers: bearer(token) });
        assert.equal(own.status, 200, own.body);
        const list = await get(`/api/models?author=${repo.ns}`);
        assert.equal(list.status, 200);
        assert.equal(list.json.some((r) => r.id === repo.id), !priv);
      }
    });
  process.exit((await runAll('backup')) ? 0 : 1);
} else {
  console.error('usage: t_backup.mjs seed|dump|load|verify ARG');
  process.exit(2);
}
