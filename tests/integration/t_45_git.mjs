// t_45_git.mjs: real git (clone, fetch, pull, ls-remote) against khub's
// smart HTTP (api_git.c, uploadpack.c): protocol v2 and v0, ids and bytes
// equal to the API's, private repositories answered as the API answers
// them, and requests crafted by hand (a want of an object of another
// repository, malformed pkt-lines, gzip bodies). Push: t_46_push.mjs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BASE, bearer, commitOk, createRepo, get, newUser, post, repoPath,
  request, test, upload,
} from './lib.mjs';
import {
  api, apiCommits, DELIM, FLUSH, git, gitOk, needGit, pkt, tmp, withAuth,
} from './gitlib.mjs';

async function resolveBytes(repo, path, token) {
  const res = await get(`${repoPath(repo)}/resolve/main/${path}`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 302, `${path}: ${res.status} ${res.body}`);
  const s3 = await fetch(res.headers.location);
  assert.equal(s3.status, 200);
  return Buffer.from(await s3.arrayBuffer());
}
// Every file of a work tree (not .git), path -> bytes.
function files(dir, prefix = '') {
  const out = {};
  for (const n of readdirSync(join(dir, prefix))) {
    if (!prefix && n === '.git') continue;
    const p = prefix ? `${prefix}/${n}` : n;
    if (statSync(join(dir, p)).isDirectory()) Object.assign(out, files(dir, p));
    else out[p] = readFileSync(join(dir, p));
  }
  return out;
}

// A repository with history: nested folders, an LFS file, a tag, a branch.
async function fixture(user, opts = {}) {
  const repo = await createRepo(user.token, opts);
  await commitOk(user.token, repo, { summary: 'first', files: {
    'README.md': '# hello\n', 'a/b/c.txt': 'deep\n', 'a/x.json': '{}\n' } });
  const big = randomBytes(5000);
  const obj = await upload(repo, user.token, big);
  await commitOk(user.token, repo, { summary: 'second', files: {
    'a/b/c.txt': 'deeper\n', 'd/e/f/g.txt': randomBytes(3000) },
    lfs: [{ path: 'model.bin', oid: obj.oid, size: obj.size }] });
  let res = await post(`${api(repo)}/tag/main`, { tag: 'v1' }, user.token);
  assert.equal(res.status, 200, res.body);
  res = await post(`${api(repo)}/branch/dev`, {}, user.token);
  assert.equal(res.status, 200, res.body);
  await commitOk(user.token, repo, { summary: 'third',
    deletes: ['a/x.json'], files: { 'top.txt': 'top\n' } });
  return { repo, lfs: obj };
}

async function checkClone(dir, repo, user, lfs) {
  gitOk(dir, 'fsck', '--strict');
  const log = gitOk(dir, 'log', '--format=%H', 'origin/main').trim()
    .split('\n');
  assert.deepEqual(log, await apiCommits(repo, user && user.token));
  const got = files(dir);
  assert.ok(got['a/b/c.txt'] && got['d/e/f/g.txt'] && got['top.txt']);
  assert.equal(got['a/x.json'], undefined);
  for (const [p, bytes] of Object.entries(got)) {
    if (p === 'model.bin') continue;
    assert.ok(bytes.equals(await resolveBytes(repo, p, user && user.token)),
      `${p} equals the API's bytes`);
  }
  assert.equal(got['model.bin'].toString(), 'version https://git-lfs.github.com/'
    + `spec/v1\noid sha256:${lfs.oid}\nsize ${lfs.size}\n`);
  const tags = gitOk(dir, 'tag').trim();
  assert.equal(tags, 'v1');
}

test('git clone (v2 and v0): fsck clean, ids and bytes as the API',
  async () => {
    needGit();
    const u = newUser();
    const { repo, lfs } = await fixture(u);
    const d = tmp();
    try {
      for (const [v, url] of [['2', `${BASE}/${repo.id}`],
        ['0', `${BASE}/${repo.id}.git`]]) {
        const dir = join(d, `v${v}`);
        const r = git(d, '-c', `protocol.version=${v}`, 'clone', url, dir);
        assert.equal(r.status, 0, r.stderr);
        await checkClone(dir, repo, u, lfs);
        assert.equal(gitOk(dir, 'rev-parse', 'origin/dev').trim(),
          (await apiCommits(repo, null, 'dev'))[0]);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

test('git ls-remote lists HEAD, branches and tags with the API ids',
  async () => {
    needGit();
    const u = newUser();
    const { repo } = await fixture(u);
    const refs = (await get(`${api(repo)}/refs`)).json;
    const want = new Map([['HEAD', refs.branches.find((b) =>
      b.name === 'main').targetCommit]]);
    for (const b of refs.branches) want.set(`refs/heads/${b.name}`,
      b.targetCommit);
    for (const t of refs.tags) want.set(`refs/tags/${t.name}`,
      t.targetCommit);
    const d = tmp();
    try {
      for (const v of ['2', '0']) {
        const out = gitOk(d, '-c', `protocol.version=${v}`, 'ls-remote',
          `${BASE}/${repo.id}`);
        const got = new Map(out.trim().split('\n').map((l) => {
          const [oid, name] = l.split('\t');
          return [name, oid];
        }));
        assert.deepEqual(got, want, `protocol ${v}`);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

test('git fetch and pull bring an API commit (v2 and v0)', async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await fixture(u);
  const d = tmp();
  try {
    for (const v of ['2', '0']) {
      const dir = join(d, `v${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', `${BASE}/${repo.id}`,
        dir);
      const id = await commitOk(u.token, repo, { summary: `more ${v}`,
        files: { [`new/${v}.txt`]: `v${v}\n`, 'a/b/c.txt': `again ${v}\n` } });
      const f = git(dir, '-c', `protocol.version=${v}`, 'fetch', 'origin');
      assert.equal(f.status, 0, f.stderr);
      assert.equal(gitOk(dir, 'rev-parse', 'origin/main').trim(), id);
      gitOk(dir, '-c', `protocol.version=${v}`, '-c', 'pull.ff=only',
        'pull', '-q');
      assert.equal(gitOk(dir, 'rev-parse', 'HEAD').trim(), id);
      assert.equal(readFileSync(join(dir, 'a/b/c.txt'), 'utf8'),
        `again ${v}\n`);
      await checkClone(dir, repo, u, lfs);
      // Up to date: a second fetch has nothing to do.
      const again = git(dir, '-c', `protocol.version=${v}`, 'fetch', 'origin');
      assert.equal(again.status, 0, again.stderr);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a private repository: 401 with a challenge, credentials work, a '
  + 'stranger gets not found', async () => {
  needGit();
  const u = newUser();
  const stranger = newUser();
  const { repo, lfs } = await fixture(u, { private: true });
  const refs = `${repoPath(repo)}.git/info/refs?service=git-upload-pack`;
  let res = await get(refs);
  assert.equal(res.status, 401);
  assert.equal(res.headers['www-authenticate'], 'Basic realm="khub"');
  res = await get(refs, { headers: bearer(stranger.token) });
  assert.equal(res.status, 404);
  res = await get('/nobody/nothing.git/info/refs?service=git-upload-pack',
    { headers: bearer(stranger.token) });
  assert.equal(res.status, 404);
  const d = tmp();
  try {
    const url = `${BASE}/${repo.id}`;
    let r = git(d, 'clone', url, join(d, 'anon'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /could not read Username|Authentication failed/);
    r = git(d, 'clone', withAuth(url, stranger), join(d, 'stranger'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /not found/);
    for (const v of ['2', '0']) {
      const dir = join(d, `owner${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', withAuth(url, u), dir);
      await checkClone(dir, repo, u, lfs);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

// ---- requests by hand ----

const uploadPack = (repo, body, { v2 = true, token, headers = {} } = {}) =>
  request('POST', `${repoPath(repo)}.git/git-upload-pack`, { body,
    headers: { 'content-type': 'application/x-git-upload-pack-request',
      ...(v2 ? { 'git-protocol': 'version=2' } : {}),
      ...(token ? bearer(token) : {}), ...headers } });
const fetchBody = (lines) => Buffer.concat([pkt('command=fetch\n'),
  pkt('object-format=sha1\n'), DELIM, ...lines.map(pkt), FLUSH]);

test('a want of another repository\'s commit is refused', async () => {
  const u = newUser();
  const other = newUser();
  const mine = await createRepo(u.token);
  const theirs = await createRepo(other.token, { private: true });
  const secret = await commitOk(other.token, theirs, { files: {
    's.txt': 'secret\n' } });
  let res = await uploadPack(mine, fetchBody([`want ${secret}\n`, 'done\n']),
    { token: u.token });
  assert.equal(res.status, 200);
  assert.match(res.body, /^....ERR upload-pack: not our ref [0-9a-f]{40}/);
  assert.ok(!res.body.includes('PACK'));
  res = await uploadPack(mine, Buffer.concat([pkt(`want ${secret} `
    + 'multi_ack_detailed side-band-64k\n'), FLUSH, pkt('done\n')]),
  { v2: false });
  assert.match(res.body, /ERR upload-pack: not our ref/);
  // A have of it is not acknowledged either.
  const head = (await apiCommits(mine))[0];
  res = await uploadPack(mine, fetchBody([`want ${head}\n`,
    `have ${secret}\n`]));
  assert.match(res.body, /acknowledgments\n....NAK\n0000$/);
});

test('malformed and oversized requests are refused', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const head = (await apiCommits(repo))[0];
  for (const body of [Buffer.from('zzzz'), Buffer.from('00'),
    Buffer.from('0003'), Buffer.from('ffff'), pkt('command=fetch\n'),
    Buffer.concat([pkt('command=push\n'), FLUSH]),
    fetchBody(['want 1234\n']), fetchBody(['deepen-since 1\n']),
    fetchBody(['have ' + head + '\n', 'done\n']),
    Buffer.concat([fetchBody([`want ${head}\n`, 'done\n']), FLUSH])]) {
    const res = await uploadPack(repo, body);
    assert.equal(res.status, 200, body.toString());
    assert.match(res.body, /^....ERR /, body.toString());
  }
  let res = await uploadPack(repo, Buffer.alloc(17 << 20, 0x30));
  assert.equal(res.status, 413);
  res = await uploadPack(repo, pkt('x'), { headers: {
    'content-type': 'text/plain' } });
  assert.equal(res.status, 415);
  res = await uploadPack(repo, Buffer.from('not gzip'), { headers: {
    'content-encoding': 'gzip' } });
  assert.equal(res.status, 400);
  // A gzip bomb stops at the limit.
  res = await uploadPack(repo, gzipSync(Buffer.alloc(64 << 20, 0x30)),
    { headers: { 'content-encoding': 'gzip' } });
  assert.equal(res.status, 413);
  res = await get(`${repoPath(repo)}/info/refs`);
  assert.equal(res.status, 403);
});

test('gzip request bodies, every URL form', async () => {
  const u = newUser();
  const ds = await createRepo(u.token, { type: 'dataset' });
  const ls = Buffer.concat([pkt('command=ls-refs\n'), DELIM,
    pkt('symrefs\n'), pkt('ref-prefix HEAD\n'), FLUSH]);
  for (const path of [`/datasets/${ds.id}.git`, `/datasets/${ds.id}`]) {
    const res = await request('POST', `${path}/git-upload-pack`, {
      body: gzipSync(ls), headers: { 'content-encoding': 'gzip',
        'content-type': 'application/x-git-upload-pack-request',
        'git-protocol': 'version=2' } });
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /^....[0-9a-f]{40} HEAD symref-target:refs\/heads\/main\n0000$/);
    const adv = await get(`${path}/info/refs?service=git-upload-pack`);
    assert.equal(adv.status, 200);
    assert.equal(adv.headers['content-type'],
      'application/x-git-upload-pack-advertisement');
    assert.match(adv.body, /^001e# service=git-upload-pack\n0000/);
  }
  const v2 = await get(`/datasets/${ds.id}/info/refs?service=git-upload-pack`,
    { headers: { 'git-protocol': 'version=2' } });
  assert.match(v2.body, /^000eversion 2\n/);
  assert.match(v2.body, /fetch=shallow\n/);
});

test('git clone --depth 1, then fetch --depth and --unshallow', async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await fixture(u);
  const d = tmp();
  try {
    const dir = join(d, 'shallow');
    gitOk(d, 'clone', '--depth', '1', `${BASE}/${repo.id}`, dir);
    gitOk(dir, 'fsck', '--strict');
    assert.equal(gitOk(dir, 'rev-list', '--count', 'HEAD').trim(), '1');
    gitOk(dir, 'fetch', '--depth', '2', 'origin', 'main');
    gitOk(dir, 'fsck', '--strict');
    assert.equal(gitOk(dir, 'rev-list', '--count', 'origin/main').trim(), '2');
    const id = await commitOk(u.token, repo, { files: { 'n.txt': 'n\n' } });
    gitOk(dir, 'fetch', 'origin');
    assert.equal(gitOk(dir, 'rev-parse', 'origin/main').trim(), id);
    gitOk(dir, 'fetch', '--unshallow', 'origin');
    gitOk(dir, 'fsck', '--strict');
    assert.equal(gitOk(dir, 'rev-parse', '--is-shallow-repository').trim(),
      'false');
    gitOk(dir, '-c', 'pull.ff=only', 'pull', '-q');
    await checkClone(dir, repo, u, lfs);
    const r = git(d, 'clone', '--shallow-since=2000-01-01',
      `${BASE}/${repo.id}`, join(d, 'since'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /does not support deepen-since/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
