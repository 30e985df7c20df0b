// t_60_jsclient.mjs: the official JS client, @huggingface/hub from npm,
// unchanged, against khub through lighttpd and real S3: createRepo,
// uploadFiles (regular files, a path with spaces and unicode, LFS by
// .gitattributes and by size), then downloadFile, listFiles, fileExists and
// modelInfo round trips on main, another branch with other content, a tag,
// a full and a short commit id; pathsInfo, snapshotDownload and
// downloadFileToCacheDir; downloadFile raw (the LFS pointer); a private
// repo; a dataset with a multipart LFS upload and a paginated listing.
// Every byte downloaded is compared with what was uploaded at that
// revision.
//
// The client comes from tests/integration/node_modules (tests/run runs
// `npm install --ignore-scripts` there); it is imported lazily so that a
// missing install fails these tests, not the whole suite.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BASE, newUser, post, request, test, unique,
} from './lib.mjs';

let hubLib;
async function hub() {
  if (!hubLib) {
    try {
      hubLib = await import('@huggingface/hub');
    } catch (e) {
      throw new Error('@huggingface/hub is not installed: run `npm install '
        + '--ignore-scripts` in tests/integration (' + e.message + ')');
    }
  }
  return hubLib;
}

// ---- informative failures ----

// A fetch for the client that remembers each exchange (method, URL, status,
// X-Error-Code, X-Error-Message, where a redirect led), so that a failing
// call can say what the server answered.
function traced() {
  const log = [];
  const f = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init.method || (input instanceof Request ?
      input.method : 'GET');
    const range = init.headers && new Headers(init.headers).get('range');
    let res;
    try {
      res = await fetch(input, init);
    } catch (e) {
      log.push(`${method} ${url} -> ${e.cause?.code || e.cause?.message
        || e.message}`);
      throw e;
    }
    let line = `${method} ${url}${range ? ` [Range: ${range}]` : ''} -> `
      + `${res.status}`;
    if (res.redirected) line += ` (redirected to ${res.url.split('?')[0]})`;
    for (const h of ['x-error-code', 'x-error-message'])
      if (res.headers.get(h)) line += ` ${h}: ${res.headers.get(h)}`;
    log.push(line);
    return res;
  };
  f.log = log;
  return { fetch: f, log };
}

// Runs one client call with a traced fetch; a throw becomes an error that
// names the call, the client's message and status, and the exchanges.
async function client(what, fn) {
  const t = traced();
  try {
    return await fn(t.fetch);
  } catch (e) {
    const status = e && e.statusCode !== undefined ?
      ` (status ${e.statusCode})` : '';
    throw new Error(`${what} failed${status}: ${e && e.message}\n`
      + `  requests (last 12):\n    ${t.log.slice(-12).join('\n    ')}`,
    { cause: e });
  }
}

// ---- fixtures ----

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const gitBlob = (b) => createHash('sha1').update(
  Buffer.concat([Buffer.from(`blob ${b.length}\0`), b])).digest('hex');
const pointer = (b) => Buffer.from('version https://git-lfs.github.com/spec/v1'
  + `\noid sha256:${sha256(b)}\nsize ${b.length}\n`);

const TXT = 'hello.txt';
const UNI = 'dir with space/ünïcödé ファイル (1).txt';
const BIN = 'weights.bin';		// LFS by the default .gitattributes
const BIG = 'big.dat';			// LFS by size: over lfs_threshold
const BIG_SIZE = 10 * 1024 * 1024 + 4096;
const ONLY_DEV = 'only-dev.txt';
const LFS_PATHS = new Set([BIN, BIG]);

// Contents of the regular and .bin files for one version of the repo.
function version(n) {
  return {
    [TXT]: Buffer.from(`hello, version ${n}\n`),
    [UNI]: Buffer.from(`ünïcödé ${n}: ${'ファイル'.repeat(n)}\n`),
    [BIN]: randomBytes(300 * 1024 + n),
  };
}

const asFiles = (contents) => Object.entries(contents).map(([path, b]) =>
  ({ path, content: new Blob([b]) }));

// ---- shared state: each test builds on the previous ones ----

const S = {};
function need(...keys) {
  for (const k of keys)
    if (S[k] === undefined)
      throw new Error(`skipped: an earlier test did not provide ${k}`);
}

const creds = () => ({ accessToken: S.user.token, hubUrl: BASE });

// downloadFile at rev, as bytes (null when the client says "no file").
async function download(repo, path, revision, extra = {}) {
  const h = await hub();
  return client(`downloadFile(${path} @ ${revision})`, async (fetch) => {
    const blob = await h.downloadFile({ repo, path, revision, fetch,
      ...creds(), ...extra });
    return blob === null ? null : Buffer.from(await blob.arrayBuffer());
  });
}

function sameBytes(got, want, what) {
  assert.ok(got, `${what}: the client found no file`);
  assert.equal(got.length, want.length, `${what}: size`);
  assert.ok(Buffer.compare(got, want) === 0,
    `${what}: bytes differ (sha256 ${sha256(got)}, uploaded ${sha256(want)})`);
}

async function listAll(repo, opts = {}) {
  const h = await hub();
  return client(`listFiles(${JSON.stringify(opts)})`, async (fetch) => {
    const out = [];
    for await (const e of h.listFiles({ repo, fetch, ...creds(), ...opts }))
      out.push(e);
    return out;
  });
}

// The files of a listing against the expected state {path: Buffer}: paths,
// sizes, oids and the lfs data of LFS files.
function checkListing(entries, want, what) {
  const files = entries.filter((e) => e.type === 'file'
    && e.path !== '.gitattributes');
  assert.deepEqual(files.map((e) => e.path).sort(), Object.keys(want).sort(),
    `${what}: paths`);
  for (const e of files) {
    const b = want[e.path];
    assert.equal(e.size, b.length, `${what}: size of ${e.path}`);
    if (LFS_PATHS.has(e.path)) {
      assert.ok(e.lfs, `${what}: ${e.path} has lfs`);
      assert.equal(e.lfs.oid, sha256(b), `${what}: lfs.oid of ${e.path}`);
      assert.equal(e.lfs.size, b.length, `${what}: lfs.size of ${e.path}`);
      assert.equal(e.lfs.pointerSize, pointer(b).length,
        `${what}: lfs.pointerSize of ${e.path}`);
      assert.equal(e.oid, gitBlob(pointer(b)),
        `${what}: oid of ${e.path} (the pointer's blob)`);
    } else {
      assert.equal(e.lfs, undefined, `${what}: ${e.path} is not LFS`);
      assert.equal(e.oid, gitBlob(b), `${what}: oid of ${e.path}`);
    }
  }
  const dirs = entries.filter((e) => e.type === 'directory')
    .map((e) => e.path);
  assert.ok(dirs.includes('dir with space'),
    `${what}: the folder is listed (${JSON.stringify(dirs)})`);
}

// Downloads every file of want at rev and compares the bytes.
async function checkDownloads(repo, rev, want, what) {
  for (const [path, b] of Object.entries(want))
    sameBytes(await download(repo, path, rev), b, `${what}: ${path}`);
}

// ---- model repo ----

test('JS client: createRepo, uploadFiles (regular, unicode path, LFS by '
  + '.gitattributes and by size)', async () => {
  const h = await hub();
  S.user = newUser();
  S.repoName = `${S.user.name}/${unique('js')}`;
  const created = await client('createRepo', (fetch) => h.createRepo({
    repo: S.repoName, fetch, ...creds() }));
  assert.equal(created.repoUrl, `${BASE}/${S.repoName}`);

  S.v1 = { ...version(1), [BIG]: randomBytes(BIG_SIZE) };
  const out = await client('uploadFiles (main, v1)', (fetch) =>
    h.uploadFiles({ repo: S.repoName, files: asFiles(S.v1), fetch,
      commitTitle: 'v1', ...creds() }));
  assert.match(out.commit.oid, /^[0-9a-f]{40}$/);
  assert.equal(out.commit.url,
    `${BASE}/${S.repoName}/commit/${out.commit.oid}`);
  S.c1 = out.commit.oid;
  S.main1 = { ...S.v1 };
});

test('JS client: downloadFile on main gives the uploaded bytes, regular and '
  + 'LFS; a missing file is null', async () => {
  need('c1');
  await checkDownloads(S.repoName, 'main', S.main1, 'main');
  // the default revision is main
  sameBytes(await download(S.repoName, TXT, undefined), S.v1[TXT],
    'no revision');
  assert.equal(await download(S.repoName, 'no/such file.txt', 'main'), null);
});

test('JS client: listFiles (recursive, a folder, a file path) has paths, '
  + 'sizes, oids and lfs data', async () => {
  need('c1');
  checkListing(await listAll(S.repoName, { recursive: true }), S.main1,
    'recursive tree of main');
  // the top level only: the folder, not what is in it
  const top = await listAll(S.repoName, {});
  assert.ok(!top.some((e) => e.path === UNI), 'top level is not recursive');
  assert.ok(top.some((e) => e.path === 'dir with space'
    && e.type === 'directory'));
  assert.ok(top.some((e) => e.path === BIG && e.lfs
    && e.lfs.oid === sha256(S.v1[BIG])));
  // inside the folder whose name has a space
  const sub = await listAll(S.repoName, { path: 'dir with space' });
  assert.deepEqual(sub.map((e) => [e.type, e.path, e.size]),
    [['file', UNI, S.v1[UNI].length]]);
  // expand: lastCommit of each entry
  const ex = await listAll(S.repoName, { recursive: true, expand: true });
  const bin = ex.find((e) => e.path === BIN);
  assert.ok(bin && bin.lastCommit, 'expand=true gives lastCommit');
  assert.equal(bin.lastCommit.id, S.c1);
  assert.equal(bin.lastCommit.title, 'v1');
});

test('JS client: fileExists true for present files, false for missing ones',
  async () => {
    need('c1');
    const h = await hub();
    const exists = (path, revision) => client(
      `fileExists(${path} @ ${revision})`, (fetch) => h.fileExists({
        repo: S.repoName, path, revision, fetch, ...creds() }));
    for (const p of [TXT, UNI, BIN, BIG, '.gitattributes'])
      assert.equal(await exists(p, 'main'), true, p);
    assert.equal(await exists(TXT, undefined), true, 'default revision');
    assert.equal(await exists('missing.txt', 'main'), false);
    assert.equal(await exists('dir with space/missing.txt', 'main'), false);
    assert.equal(await exists('hello.tx', 'main'), false);
  });

test('JS client: modelInfo gives the id, the name and the head commit',
  async () => {
    need('c1');
    const h = await hub();
    const info = await client('modelInfo', (fetch) => h.modelInfo({
      name: S.repoName, additionalFields: ['sha', 'filePaths'], fetch,
      ...creds() }));
    assert.equal(info.name, S.repoName);
    assert.equal(typeof info.id, 'string', 'id (the _id field)');
    assert.ok(info.id.length > 0);
    assert.equal(info.private, false);
    assert.equal(info.gated, false);
    assert.equal(info.sha, S.c1);
    assert.ok(info.updatedAt instanceof Date
      && !Number.isNaN(info.updatedAt.getTime()), 'lastModified is a date');
    assert.deepEqual([...info.filePaths].sort(),
      ['.gitattributes', ...Object.keys(S.v1)].sort());
    S.infoId = info.id;
  });

test('JS client: a branch with other content, a tag, a newer main; every '
  + 'file at main, dev, the tag, full and short commit ids', async () => {
  need('c1');
  const h = await hub();
  await client('createBranch(dev)', (fetch) => h.createBranch({
    repo: S.repoName, branch: 'dev', fetch, ...creds() }));
  // dev: the same paths with other bytes, one more file
  const v2 = { ...version(2), [BIG]: randomBytes(BIG_SIZE),
    [ONLY_DEV]: Buffer.from('only on dev\n') };
  const o2 = await client('uploadFiles (dev, v2)', (fetch) => h.uploadFiles({
    repo: S.repoName, branch: 'dev', files: asFiles(v2), fetch,
    commitTitle: 'v2 on dev', ...creds() }));
  S.c2 = o2.commit.oid;
  S.dev = { ...S.main1, ...v2 };

  // a tag on main's first commit (the JS client has no createTag: the API)
  const tag = await post(`/api/models/${S.repoName}/tag/main`,
    { tag: 'v1.0', message: 'first' }, S.user.token);
  assert.equal(tag.status, 200, `tag: ${tag.status} `
    + `${tag.headers['x-error-message'] || ''} ${tag.body}`);

  // main moves on: new small files, the big one untouched
  const v3 = version(3);
  const o3 = await client('uploadFiles (main, v3)', (fetch) =>
    h.uploadFiles({ repo: S.repoName, files: asFiles(v3), fetch,
      commitTitle: 'v3', parentCommit: S.c1, ...creds() }));
  S.c3 = o3.commit.oid;
  S.main3 = { ...S.main1, ...v3 };
  assert.notEqual(S.c3, S.c1);
  assert.notEqual(S.c2, S.c1);

  const revs = [
    ['main', S.main3], ['dev', S.dev], ['v1.0', S.main1],
    [S.c1, S.main1], [S.c2, S.dev], [S.c3, S.main3],
    [S.c1.slice(0, 7), S.main1], [S.c2.slice(0, 7), S.dev],
  ];
  for (const [rev, want] of revs)
    await checkDownloads(S.repoName, rev, want, `at ${rev}`);
  // a file only on dev
  assert.equal(await download(S.repoName, ONLY_DEV, 'main'), null);
  assert.equal(await download(S.repoName, ONLY_DEV, S.c3.slice(0, 7)),
    null);
  S.revs = revs;
});

test('JS client: listFiles, fileExists and modelInfo at each revision',
  async () => {
    need('revs');
    const h = await hub();
    for (const [rev, want] of S.revs)
      checkListing(await listAll(S.repoName,
        { recursive: true, revision: rev }), want, `tree at ${rev}`);
    const exists = (path, revision) => client(
      `fileExists(${path} @ ${revision})`, (fetch) => h.fileExists({
        repo: S.repoName, path, revision, fetch, ...creds() }));
    for (const [rev, want] of S.revs) {
      assert.equal(await exists(ONLY_DEV, rev), ONLY_DEV in want,
        `${ONLY_DEV} at ${rev}`);
      assert.equal(await exists(UNI, rev), true, `${UNI} at ${rev}`);
    }
    assert.equal(await exists(TXT, 'no-such-branch'), false,
      'a missing revision');

    const shaAt = {
      main: S.c3, dev: S.c2, 'v1.0': S.c1, [S.c1]: S.c1,
      [S.c2.slice(0, 7)]: S.c2,
    };
    for (const [rev, sha] of Object.entries(shaAt)) {
      const info = await client(`modelInfo @ ${rev}`, (fetch) => h.modelInfo({
        name: S.repoName, revision: rev, additionalFields: ['sha'], fetch,
        ...creds() }));
      assert.equal(info.sha, sha, `sha at ${rev}`);
      assert.equal(info.name, S.repoName);
      assert.equal(info.id, S.infoId, '_id does not depend on the revision');
    }
  });

test('JS client: pathsInfo at each revision: oids, lfs, lastCommit; missing '
  + 'paths absent', async () => {
  need('revs');
  const h = await hub();
  const lastOf = { main: S.c3, dev: S.c2, 'v1.0': S.c1 };
  for (const [rev, want] of S.revs.slice(0, 3)) {
    const items = await client(`pathsInfo @ ${rev}`, (fetch) => h.pathsInfo({
      repo: S.repoName, revision: rev, expand: true, fetch, ...creds(),
      paths: [TXT, UNI, BIN, BIG, 'missing.txt', 'dir with space'] }));
    const byPath = Object.fromEntries(items.map((i) => [i.path, i]));
    assert.deepEqual(Object.keys(byPath).sort(),
      [BIG, 'dir with space', UNI, TXT, BIN].sort(), `paths at ${rev}`);
    assert.equal(byPath['dir with space'].type, 'directory');
    for (const p of [TXT, UNI, BIN, BIG]) {
      const i = byPath[p];
      assert.equal(i.type, 'file');
      assert.equal(i.size, want[p].length, `${p} size at ${rev}`);
      if (LFS_PATHS.has(p)) {
        assert.equal(i.lfs && i.lfs.oid, sha256(want[p]), `${p} at ${rev}`);
        assert.equal(i.oid, gitBlob(pointer(want[p])));
      } else {
        assert.equal(i.lfs, undefined);
        assert.equal(i.oid, gitBlob(want[p]), `${p} oid at ${rev}`);
      }
      assert.ok(i.lastCommit, `${p} lastCommit at ${rev}`);
      assert.ok(i.lastCommit.date instanceof Date
        && !Number.isNaN(i.lastCommit.date.getTime()));
    }
    assert.equal(byPath[TXT].lastCommit.id, lastOf[rev], `lastCommit @${rev}`);
    // big.dat was last changed by c1 on main, by c2 on dev
    assert.equal(byPath[BIG].lastCommit.id, rev === 'dev' ? S.c2 : S.c1);
  }
});

// snapshotDownload: modelInfo(sha) at the revision, the recursive tree at
// that commit, then downloadFileToCacheDir per file (pathsInfo for the
// etag, downloadFile for the bytes) into a private cache folder.
test('JS client: snapshotDownload and downloadFileToCacheDir at a branch and '
  + 'a tag give the files of that revision', async () => {
  need('revs');
  const h = await hub();
  const dir = await mkdtemp(join(tmpdir(), 'khub-js-'));
  const debug = console.debug;
  console.debug = () => {};	// the client logs each download there
  try {
    for (const [rev, want, sha] of [['dev', S.dev, S.c2],
      ['v1.0', S.main1, S.c1]]) {
      const snap = await client(`snapshotDownload @ ${rev}`, (fetch) =>
        h.snapshotDownload({ repo: S.repoName, revision: rev,
          cacheDir: dir, fetch, ...creds() }));
      assert.ok(snap.endsWith(join('snapshots', sha)), snap);
      for (const [p, b] of Object.entries(want))
        sameBytes(await readFile(join(snap, p)), b, `snapshot ${rev}: ${p}`);
      const repoDir = join(snap, '..', '..');
      assert.equal((await readFile(join(repoDir, 'refs', rev), 'utf8')).trim(),
        sha, `refs/${rev}`);
      // blobs are named by etag: sha256 for LFS, git sha1 for the others
      const blobs = new Set(await readdir(join(repoDir, 'blobs')));
      for (const [p, b] of Object.entries(want))
        assert.ok(blobs.has(LFS_PATHS.has(p) ? sha256(b) : gitBlob(b)),
          `blob of ${p} at ${rev}`);
    }
    const one = await client('downloadFileToCacheDir(main)', (fetch) =>
      h.downloadFileToCacheDir({ repo: S.repoName, path: UNI,
        cacheDir: dir, fetch, ...creds() }));
    sameBytes(await readFile(one), S.main3[UNI], 'downloadFileToCacheDir');
  } finally {
    console.debug = debug;
    await rm(dir, { recursive: true, force: true });
  }
});

// downloadFile({raw: true}) asks /raw/: the git file itself, so the
// pointer file for an LFS file (the Hub's behaviour, documented by the
// client: "the pointer file will be downloaded instead").
test('JS client: downloadFile raw gives the git file: the pointer of an LFS '
  + 'file, at each revision', async () => {
  need('revs');
  for (const [rev, want] of [['main', S.main3], ['dev', S.dev],
    ['v1.0', S.main1], [S.c2.slice(0, 7), S.dev]]) {
    sameBytes(await download(S.repoName, UNI, rev, { raw: true }),
      want[UNI], `raw regular file at ${rev}`);
    for (const p of [BIN, BIG])
      sameBytes(await download(S.repoName, p, rev, { raw: true }),
        pointer(want[p]), `raw ${p} at ${rev}: /raw/ must serve the LFS `
        + 'pointer file (the git blob), not the LFS object');
  }
});

test('JS client: a stale parentCommit is refused with 412, informatively',
  async () => {
    need('c3');
    const h = await hub();
    await assert.rejects(h.uploadFiles({ repo: S.repoName,
      files: asFiles({ 'late.txt': Buffer.from('late') }),
      parentCommit: S.c1, ...creds() }), (e) => {
      assert.equal(e.statusCode, 412, e.message);
      assert.match(e.message, /A commit has happened since/);
      return true;
    });
    assert.equal(await download(S.repoName, 'late.txt', 'main'), null);
  });

test('JS client: a private repo: the owner round-trips, anonymous gets '
  + 'nothing', async () => {
  const h = await hub();
  const u = S.user || newUser();
  const name = `${u.name}/${unique('jspriv')}`;
  const c = { accessToken: u.token, hubUrl: BASE };
  await client('createRepo (private)', (fetch) => h.createRepo({
    repo: name, visibility: 'private', fetch, ...c }));
  const data = { 'secret.txt': Buffer.from('secret\n'),
    'secret.bin': randomBytes(70000) };
  await client('uploadFiles (private)', (fetch) => h.uploadFiles({
    repo: name, files: asFiles(data), fetch, ...c }));
  for (const [path, b] of Object.entries(data)) {
    const got = await client(`downloadFile(${path}, private)`, async (fetch) =>
      Buffer.from(await (await h.downloadFile({ repo: name, path, fetch,
        ...c })).arrayBuffer()));
    sameBytes(got, b, `private ${path}`);
  }
  const info = await client('modelInfo (private)', (fetch) => h.modelInfo({
    name, fetch, ...c }));
  assert.equal(info.private, true);
  // anonymous: not found, however asked
  await assert.rejects(h.modelInfo({ name, hubUrl: BASE }), (e) => {
    assert.ok([401, 404].includes(e.statusCode), e.message);
    return true;
  });
  await assert.rejects(h.downloadFile({ repo: name, path: 'secret.txt',
    hubUrl: BASE }), (e) => [401, 404].includes(e.statusCode));
  const anon = await h.fileExists({ repo: name, path: 'secret.txt',
    hubUrl: BASE }).catch((e) => `threw ${e.statusCode}`);
  assert.notEqual(anon, true, 'fileExists is not true anonymously');
});

// ---- dataset repo ----

test('JS client: a dataset: create, upload (multipart LFS), download, '
  + 'listFiles across pages, fileExists, datasetInfo', async () => {
  const h = await hub();
  const u = S.user || newUser();
  const c = { accessToken: u.token, hubUrl: BASE };
  // Created through the API to ask for multipart above 1 MiB (the JS
  // client's createRepo has no lfsmultipartthresh).
  const short = unique('jsds');
  const res = await post('/api/repos/create', { name: short, type: 'dataset',
    private: false, lfsmultipartthresh: 1024 * 1024 }, u.token);
  assert.equal(res.status, 200, `create: ${res.status} ${res.body}`);
  assert.equal(res.json.url, `${BASE}/datasets/${u.name}/${short}`);
  const repo = { type: 'dataset', name: `${u.name}/${short}` };

  const data = {
    'data/train.csv': Buffer.from('a,b\n1,2\n3,4\n'),
    'data/train.parquet': randomBytes(3 * 1024 * 1024 + 17), // multipart
    'data/small.parquet': randomBytes(5000),		// basic LFS
    'README.md': Buffer.from('---\nlicense: mit\n---\n# A dataset\n'),
  };
  for (let i = 0; i < 120; i++)
    data[`many/f${String(i).padStart(3, '0')}.txt`] = Buffer.from(`f${i}\n`);
  let upLog;
  const up = await client('uploadFiles (dataset)', (fetch) => {
    upLog = fetch.log;
    return h.uploadFiles({ repo, files: asFiles(data), fetch, ...c });
  });
  // the big parquet went the multipart way: parts PUT to S3, then the
  // completion POSTed to the upload href
  assert.ok(upLog.some((l) => /^PUT \S+[?&]partNumber=1&\S* -> 200/.test(l)),
    `a part was PUT:\n${upLog.join('\n')}`);
  assert.ok(upLog.some((l) => /^POST /.test(l)
    && !/\/objects\/batch |\/preupload\/|\/commit\//.test(l)),
    `the multipart upload was completed:\n${upLog.join('\n')}`);
  assert.equal(up.commit.url,
    `${BASE}/datasets/${repo.name}/commit/${up.commit.oid}`);

  for (const path of ['data/train.csv', 'data/train.parquet',
    'data/small.parquet', 'README.md', 'many/f119.txt']) {
    const got = await client(`downloadFile(dataset ${path})`,
      async (fetch) => Buffer.from(await (await h.downloadFile({ repo, path,
        fetch, ...c })).arrayBuffer()));
    sameBytes(got, data[path], `dataset ${path}`);
  }
  // the same through a string designation "datasets/ns/name", at the commit
  const got = await client('downloadFile(datasets/... @ commit)',
    async (fetch) => Buffer.from(await (await h.downloadFile({
      repo: `datasets/${repo.name}`, path: 'data/train.parquet',
      revision: up.commit.oid, fetch, ...c })).arrayBuffer()));
  sameBytes(got, data['data/train.parquet'], 'dataset at commit');

  // the whole tree; expand=true pages (100 items) through Link
  const all = await client('listFiles(dataset, expand)', async (fetch) => {
    const out = [];
    for await (const e of h.listFiles({ repo, recursive: true, expand: true,
      fetch, ...c })) out.push(e);
    return out;
  });
  const files = all.filter((e) => e.type === 'file'
    && e.path !== '.gitattributes');
  assert.equal(files.length, Object.keys(data).length,
    'every file, across pages');
  assert.equal(new Set(files.map((e) => e.path)).size, files.length,
    'no entry twice');
  for (const e of files) {
    const b = data[e.path];
    assert.ok(b, `unexpected ${e.path}`);
    assert.equal(e.size, b.length, e.path);
    assert.equal(!!e.lfs, e.path.endsWith('.parquet'), `lfs of ${e.path}`);
    if (e.lfs) assert.equal(e.lfs.oid, sha256(b), e.path);
    assert.equal(e.lastCommit && e.lastCommit.id, up.commit.oid, e.path);
  }
  const many = await client('listFiles(dataset, many/)', async (fetch) => {
    const out = [];
    for await (const e of h.listFiles({ repo, path: 'many', fetch, ...c }))
      out.push(e.path);
    return out;
  });
  assert.equal(many.length, 120);

  const exists = (path) => client(`fileExists(dataset ${path})`,
    (fetch) => h.fileExists({ repo, path, fetch, ...c }));
  assert.equal(await exists('data/train.parquet'), true);
  assert.equal(await exists('data/missing.parquet'), false);

  const info = await client('datasetInfo', (fetch) => h.datasetInfo({
    name: repo.name, additionalFields: ['sha'], fetch, ...c }));
  assert.equal(info.name, repo.name);
  assert.equal(info.sha, up.commit.oid);
  assert.equal(info.private, false);

  // a model of the same name does not exist
  assert.equal(await h.fileExists({ repo: repo.name, path: 'README.md',
    ...c }).catch(() => false), false);
});

// Guards the tracer itself: a failing call names status and message.
test('JS client: a failing call reports the status and X-Error-Message',
  async () => {
    const h = await hub();
    const u = S.user || newUser();
    const err = await client('modelInfo(missing)', (fetch) => h.modelInfo({
      name: `${u.name}/does-not-exist`, fetch, accessToken: u.token,
      hubUrl: BASE })).then(() => null, (e) => e);
    assert.ok(err, 'modelInfo of a missing repo throws');
    assert.match(err.message, /status 404/);
    assert.match(err.message, /x-error-code: RepoNotFound/);
    assert.match(err.message, /x-error-message: /);
    // and the server said it the Hub's way
    const res = await request('GET', `/api/models/${u.name}/does-not-exist`,
      { headers: { authorization: `Bearer ${u.token}` } });
    assert.equal(res.status, 404);
  });

test('JS client: createRepo with files and a license: they are the first '
  + 'commit; a bad entry creates nothing', async () => {
  const h = await hub();
  const u = newUser();
  const c = { accessToken: u.token, hubUrl: BASE };
  const name = `${u.name}/${unique('cf')}`;
  const files = { 'a.txt': Buffer.from('first file\n'),
    'dir/b.json': Buffer.from('{"x":1}\n') };
  await client('createRepo (files, license)', (fetch) => h.createRepo({
    repo: name, license: 'mit', fetch, ...c,
    files: Object.entries(files).map(([path, content]) => ({ path,
      content: new Blob([content]) })) }));
  for (const [path, want] of Object.entries(files)) {
    const got = await client(`downloadFile ${path}`, (fetch) =>
      h.downloadFile({ repo: name, path, fetch, ...c }));
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(want), path);
  }
  const info = await request('GET', `/api/models/${name}`,
    { headers: { authorization: `Bearer ${u.token}` } });
  assert.equal(info.status, 200, info.body);
  assert.equal(info.json.cardData?.license, 'mit', info.body);
  const names = info.json.siblings.map((s) => s.rfilename).sort();
  assert.deepEqual(names, ['.gitattributes', 'README.md', 'a.txt',
    'dir/b.json']);
  // A bad entry: 4xx, and no repository.
  for (const [bad, status] of [
    [[{ path: '../x', content: 'eA==', encoding: 'base64' }], 422],
    [[{ path: 'x', content: '!!', encoding: 'base64' }], 400],
    [[{ path: 'x', content: 'eA==' }, { path: 'x', content: 'eA==' }], 400],
    [[{ path: 'x' }], 400],
  ]) {
    const rn = unique('bad');
    const res = await post('/api/repos/create', { name: rn, files: bad },
      u.token);
    assert.equal(res.status, status, `${JSON.stringify(bad)}: ${res.body}`);
    const gone = await request('GET', `/api/models/${u.name}/${rn}`,
      { headers: { authorization: `Bearer ${u.token}` } });
    assert.equal(gone.status, 404);
  }
  const bl = await post('/api/repos/create', { name: unique('bad'),
    license: 'MIT <script>' }, u.token);
  assert.equal(bl.status, 400, bl.body);
});
