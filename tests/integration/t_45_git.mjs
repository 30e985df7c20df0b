// t_45_git.mjs: real git (clone, fetch, pull, ls-remote) against khub's
// smart HTTP (api_git.c, uploadpack.c): protocol v2 and v0, ids and bytes
// equal to the API's, private repositories answered as the API answers
// them, and requests crafted by hand (a want of an object of another
// repository, malformed pkt-lines, gzip bodies). Push: t_46_push.mjs.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  readFileSync, rmSync, readdirSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BASE, bearer, blobKey, commitOk, createRepo, get, newUser, post, raw,
  repoPath, request, s3, STACK, test, upload, waitFor,
} from './lib.mjs';
import {
  api, apiCommits, DELIM, FLUSH, git, gitOk, gitWith, needGit, pkt,
  pktLines, tmp, withAuth, withFrontDoor,
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
    fetchBody(['want 1234\n']), fetchBody([`want ${head}\n`,
      'deepen-since 0\n']), fetchBody([`want ${head}\n`, 'deepen 1\n',
      'deepen-since 5\n']), fetchBody([`want ${head}\n`,
      'filter tree:0\n']), fetchBody([`want ${head}\n`,
      'filter blob:limit=1x\n']), fetchBody([`want ${head}\n`,
      'filter blob:none\n', 'filter blob:none\n', 'done\n']),
    fetchBody([`want ${head}\n`, 'deepen-not nosuchref\n', 'done\n']),
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
  assert.match(v2.body, /fetch=shallow filter\n/);
});

test('git clone --depth 1, then fetch --depth and --unshallow (v2 and v0)',
  async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await fixture(u);
  const d = tmp();
  try {
    const tips = {};
    for (const v of ['2', '0']) {
      const dir = join(d, `shallow${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', '--depth', '1',
        `${BASE}/${repo.id}`, dir);
      gitOk(dir, 'config', 'protocol.version', v);
      gitOk(dir, 'fsck', '--strict');
      assert.equal(gitOk(dir, 'rev-list', '--count', 'HEAD').trim(), '1');
      assert.equal(readFileSync(join(dir, '.git', 'shallow'), 'utf8'),
        `${(await apiCommits(repo))[0]}\n`, `v${v}: shallow at the tip`);
      gitOk(dir, 'fetch', '--depth', '2', 'origin', 'main');
      gitOk(dir, 'fsck', '--strict');
      assert.equal(gitOk(dir, 'rev-list', '--count', 'origin/main').trim(),
        '2');
      const id = await commitOk(u.token, repo, { files: {
        [`n${v}.txt`]: 'n\n' } });
      gitOk(dir, 'fetch', 'origin');
      assert.equal(gitOk(dir, 'rev-parse', 'origin/main').trim(), id);
      tips[v] = gitOk(dir, 'rev-list', 'origin/main').trim();
      gitOk(dir, 'fetch', '--unshallow', 'origin');
      gitOk(dir, 'fsck', '--strict');
      assert.equal(gitOk(dir, 'rev-parse', '--is-shallow-repository').trim(),
        'false');
      gitOk(dir, '-c', 'pull.ff=only', 'pull', '-q');
      await checkClone(dir, repo, u, lfs);
    }
    // v0's shallow history is v2's: each the first two commits below the
    // tip of its time (the tip one commit newer for v0)
    assert.equal(tips['0'].split('\n').length, tips['2'].split('\n').length);
    assert.deepEqual(tips['0'].split('\n').slice(1, 2),
      tips['2'].split('\n').slice(0, 1));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

// ---- keepalives ----

// The band-1 bytes of a v2 fetch's answer (a Buffer) and its keepalives
// (empty band-1 packets) before and after the pack's first byte.
function packOf(body) {
  const lines = pktLines(body);
  assert.equal(lines[0].data.toString(), 'packfile\n');
  const pack = [];
  let before = 0;
  let after = 0;
  for (const l of lines.slice(1, -1)) {
    assert.ok(l.data && (l.data[0] === 1 || l.data[0] === 2),
      `a side-band packet (${l.len})`);
    if (l.data[0] !== 1) continue;
    if (l.len === 5) {
      if (pack.length) after++;
      else before++;
    } else pack.push(l.data.subarray(1));
  }
  assert.equal(lines.at(-1).len, 0, 'the answer ends with a flush');
  return { pack: Buffer.concat(pack), before, after };
}

test('keepalives (git_keepalive_ms = 1): empty band-1 packets before the '
  + 'pack; git clone (v2 and v0) takes them, fsck clean', async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await fixture(u);
  // folders to list (a tree read each) and a blob read from S3 (over 4 KiB)
  const many = { 'big/s3.bin': randomBytes(40000) };
  for (let i = 0; i < 40; i++) many[`many/${i}/f.txt`] = `file ${i}\n`;
  await commitOk(u.token, repo, { summary: 'many', files: many });
  const head = (await apiCommits(repo))[0];
  await withFrontDoor({ git_keepalive_ms: 1 }, async (door) => {
    const res = await raw('POST', `${door}/${repo.id}.git/git-upload-pack`,
      fetchBody([`want ${head}\n`, 'no-progress\n', 'done\n']),
      { 'content-type': 'application/x-git-upload-pack-request',
        'git-protocol': 'version=2' });
    assert.equal(res.status, 200, res.body.toString());
    const { pack, before } = packOf(res.body);
    assert.ok(before >= 1, `keepalives before the pack: ${before}`);
    assert.equal(pack.subarray(0, 4).toString(), 'PACK');
    assert.ok(createHash('sha1').update(pack.subarray(0, -20)).digest()
      .equals(pack.subarray(-20)), 'the pack\'s trailer');
    // the stack's default (5 s): none in an answer this quick
    const plain = await uploadPack(repo, fetchBody([`want ${head}\n`,
      'no-progress\n', 'done\n']));
    assert.equal(plain.status, 200);
    assert.ok(plain.body.includes('PACK') && !plain.body.includes('0005\x01'));
    const d = tmp();
    try {
      for (const v of ['2', '0']) {
        const dir = join(d, `v${v}`);
        const r = git(d, '-c', `protocol.version=${v}`, 'clone',
          `${door}/${repo.id}`, dir);
        assert.equal(r.status, 0, r.stderr);
        await checkClone(dir, repo, u, lfs);
        assert.ok(readFileSync(join(dir, 'big/s3.bin'))
          .equals(many['big/s3.bin']));
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

// The S3 gateway's pid, and whether every thread of it is stopped (a
// thread in a system call stops when it returns from it).
function gateway() {
  const pid = Number(readFileSync(`${STACK}/ceph/run/client.rgw.pid`,
    'utf8'));
  const stopped = () => readdirSync(`/proc/${pid}/task`).every((t) =>
    /^\d+ \(.*\) [tT] /.test(readFileSync(`/proc/${pid}/task/${t}/stat`,
      'utf8')));
  return { pid, stopped };
}

test('keepalives while an S3 read stalls (the gateway stopped for 3 s)',
  async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const big = randomBytes(40000); // over 4 KiB: read from S3
  await commitOk(u.token, repo, { files: { 'big.bin': big } });
  const head = (await apiCommits(repo))[0];
  const { pid, stopped } = gateway();
  await withFrontDoor({ git_keepalive_ms: 1000 }, async (door) => {
    process.kill(pid, 'SIGSTOP');
    let res;
    let t0;
    try {
      assert.ok(await waitFor(stopped, 10), 'the gateway stopped');
      t0 = Date.now();
      const t = setTimeout(() => process.kill(pid, 'SIGCONT'), 3500);
      res = await raw('POST', `${door}/${repo.id}.git/git-upload-pack`,
        fetchBody([`want ${head}\n`, 'no-progress\n', 'done\n']),
        { 'content-type': 'application/x-git-upload-pack-request',
          'git-protocol': 'version=2' });
      clearTimeout(t);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.equal(res.status, 200, res.body.toString());
    assert.ok(Date.now() - t0 >= 3000, 'the read waited for the gateway');
    // one a second of the stall, sent from libcurl's progress callback
    // (the pack's first bytes wait in the writer's buffer: they come last)
    const { pack, before, after } = packOf(res.body);
    assert.ok(before + after >= 2, `keepalives: ${before} + ${after}`);
    assert.ok(createHash('sha1').update(pack.subarray(0, -20)).digest()
      .equals(pack.subarray(-20)), 'the pack\'s trailer');
  });
});

// [server] git_workers: a clone beyond the bound is told to come back
// (503, Retry-After) at once, and the API keeps a worker: without the
// bound, the second clone would wait on the front end's only other worker
// and the API request behind it.
test('git_workers 1: a second clone at once is 503 with Retry-After, the '
  + 'API answers meanwhile, and the slot is free again after', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: { 'big.bin': randomBytes(40000) } });
  const head = (await apiCommits(repo))[0];
  const { pid, stopped } = gateway();
  const clone = (door) => raw('POST', `${door}/${repo.id}.git/git-upload-pack`,
    fetchBody([`want ${head}\n`, 'no-progress\n', 'done\n']),
    { 'content-type': 'application/x-git-upload-pack-request',
      'git-protocol': 'version=2' });
  await withFrontDoor({ git_workers: 1 }, async (door) => {
    let first;
    process.kill(pid, 'SIGSTOP');
    try {
      assert.ok(await waitFor(stopped, 10), 'the gateway stopped');
      // the first clone waits on S3, holding the one slot
      first = clone(door);
      await new Promise((ok) => setTimeout(ok, 1000));
      // (without the bound it waits for the gateway: given up after 5 s)
      const second = await Promise.race([clone(door), new Promise((ok) =>
        setTimeout(() => ok({ status: 'still waiting', body: '' }), 5000))]);
      assert.equal(second.status, 503, second.body.toString());
      assert.equal(second.headers['retry-after'], '5');
      assert.equal(second.headers['x-error-code'], 'ServiceUnavailable');
      const api = await raw('GET', `${door}/api/models/${repo.id}/revision/main`);
      assert.equal(api.status, 200, api.body.toString());
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const res = await first;
    assert.equal(res.status, 200, res.body.toString());
    assert.ok(packOf(res.body).pack.length > 0);
    const again = await clone(door);
    assert.equal(again.status, 200, again.body.toString());
  }, { procs: 3 });
});

test('v0 shallow by hand: the shallow list first, alone for the first '
  + 'stateless request, then the negotiation and the pack', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: { 'a.txt': 'a\n' } });
  await commitOk(u.token, repo, { files: { 'a.txt': 'b\n' } });
  const [tip, below] = await apiCommits(repo);
  const adv = await get(`${repoPath(repo)}.git/info/refs?service=git-upload-pack`);
  assert.match(adv.body, / shallow deepen-since deepen-not deepen-relative /);
  const wants = [pkt(`want ${tip} multi_ack_detailed side-band-64k `
    + 'no-progress\n'), pkt('deepen 1\n'), FLUSH];
  let res = await uploadPack(repo, Buffer.concat(wants), { v2: false });
  assert.equal(res.body, `${pkt(`shallow ${tip}\n`)}0000`);
  res = await uploadPack(repo, Buffer.concat([...wants, pkt('done\n')]),
    { v2: false });
  assert.ok(res.body.startsWith(`${pkt(`shallow ${tip}\n`)}0000`
    + `${pkt('NAK\n')}`), res.body.slice(0, 80));
  // the tip, its tree, a.txt and the first commit's .gitattributes
  assert.match(res.body, /\x01PACK\0\0\0\x02\0\0\0\x04/);
  // deepen-relative (a capability in v0) from the client's shallow tip
  res = await uploadPack(repo, Buffer.concat([pkt(`want ${tip} `
    + 'multi_ack_detailed side-band-64k deepen-relative\n'),
  pkt(`shallow ${tip}\n`), pkt('deepen 1\n'), FLUSH]), { v2: false });
  assert.equal(res.body, `${pkt(`shallow ${below}\n`)}${pkt(
    `unshallow ${tip}\n`)}0000`);
  // deepen and deepen-since together: git's refusal
  res = await uploadPack(repo, Buffer.concat([pkt(`want ${tip} `
    + 'multi_ack_detailed\n'), pkt('deepen 1\n'), pkt('deepen-since 5\n'),
  FLUSH]), { v2: false });
  assert.match(res.body, /^....ERR deepen and deepen-since/);
});

// ---- blobs read from S3 ahead of the pack ----

test('git clone of 300 files over 4 KiB (S3, read 16 at once across '
  + 'windows of 256 blobs): bytes as committed, fsck clean', async () => {
  needGit();
  const u = newUser();
  const repo = await createRepo(u.token);
  const want = {};
  for (let i = 0; i < 300; i++)
    want[`s3/${i % 7}/${i}.bin`] = randomBytes(4097 + i * 37);
  want['s3/big.bin'] = randomBytes(3 << 20); // over 1 MiB: one GET
  await commitOk(u.token, repo, { files: want });
  const d = tmp();
  try {
    for (const v of ['2', '0']) {
      const dir = join(d, `v${v}`);
      const r = git(d, '-c', `protocol.version=${v}`, 'clone',
        `${BASE}/${repo.id}`, dir);
      assert.equal(r.status, 0, r.stderr);
      gitOk(dir, 'fsck', '--strict');
      for (const [p, bytes] of Object.entries(want))
        assert.ok(readFileSync(join(dir, p)).equals(bytes), `v${v}: ${p}`);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a blob missing from S3: the clone fails with khub\'s message, '
  + 'nothing half-written is taken', async () => {
  needGit();
  const u = newUser();
  const repo = await createRepo(u.token);
  const files = {};
  for (let i = 0; i < 20; i++) files[`f${i}.bin`] = randomBytes(5000 + i);
  await commitOk(u.token, repo, { files });
  assert.equal(s3('DELETE', blobKey(files['f7.bin'])).status, 204);
  const d = tmp();
  try {
    const r = git(d, 'clone', `${BASE}/${repo.id}`, join(d, 'c'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /remote: khub: .*blob/i, r.stderr);
  } finally {
    // its bytes back: later tests (t_56) check every file is stored
    assert.equal(s3('PUT', blobKey(files['f7.bin']), undefined,
      files['f7.bin']).status, 200);
    rmSync(d, { recursive: true, force: true });
  }
  const again = tmp();
  try {
    gitOk(again, 'clone', '-q', `${BASE}/${repo.id}`, join(again, 'c'));
    assert.ok(readFileSync(join(again, 'c', 'f7.bin')).equals(files['f7.bin']));
  } finally {
    rmSync(again, { recursive: true, force: true });
  }
});

// ---- partial clones ----

// Blobs of every size around a limit of 1 KiB, and an LFS pointer (its
// pointer text, about 130 bytes, is the blob git measures).
async function sizedFixture(user) {
  const { repo, lfs } = await fixture(user);
  await commitOk(user.token, repo, { summary: 'sizes', files: {
    'size/1023.bin': randomBytes(1023), 'size/1024.bin': randomBytes(1024),
    'size/1025.bin': randomBytes(1025), 'size/big.bin': randomBytes(40000),
  } });
  return { repo, lfs };
}
// The blobs of HEAD's tree a repository lacks (rev-list's missing list).
function missingBlobs(dir) {
  const out = gitOk(dir, 'rev-list', '--objects', '--missing=print',
    'HEAD^{tree}');
  return out.split('\n').filter((l) => l.startsWith('?')).map((l) =>
    l.slice(1));
}
const blobSize = (dir, path) => Number(gitOk(dir, 'cat-file', '-s',
  `HEAD:${path}`).trim());
// The strict fsck of a partial clone: strict rules on every object it
// has; the blobs it lacks are the promisor's (fsck says nothing of them).
function fsckPartial(dir) {
  const r = git(dir, 'fsck', '--strict', '--no-dangling');
  assert.equal(r.status, 0, `fsck --strict: ${r.stderr}`);
}

test('git clone --filter=blob:none: trees only, checkout fetches the blobs '
  + 'lazily, bytes as the API', async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await sizedFixture(u);
  const d = tmp();
  try {
    const adv = await get(`${repoPath(repo)}/info/refs?service=git-upload-pack`,
      { headers: { 'git-protocol': 'version=2' } });
    assert.match(adv.body, /fetch=shallow filter\n/);
    const dir = join(d, 'none');
    gitOk(d, 'clone', '--no-checkout', '--filter=blob:none',
      `${BASE}/${repo.id}`, dir);
    assert.equal(gitOk(dir, 'config', 'remote.origin.promisor').trim(),
      'true');
    const missing = missingBlobs(dir);
    assert.ok(missing.length >= 8, `missing: ${missing.length}`);
    fsckPartial(dir);
    // the checkout's lazy fetch wants the blobs by id, with the filter
    gitOk(dir, 'checkout', 'main');
    assert.deepEqual(missingBlobs(dir), []);
    await checkClone(dir, repo, u, lfs);
    // an older commit's blobs come one lazy fetch at a time
    gitOk(dir, 'checkout', '-q', 'v1');
    assert.equal(readFileSync(join(dir, 'a/b/c.txt'), 'utf8'), 'deeper\n');
    fsckPartial(dir);
    // a later fetch keeps the filter: an API commit's trees, not its
    // blobs, until the merge checks them out
    gitOk(dir, 'checkout', '-q', 'main');
    const id = await commitOk(u.token, repo, { summary: 'later',
      files: { 'later/new.txt': 'new after the clone\n' } });
    gitOk(dir, 'fetch', '-q', 'origin');
    assert.equal(gitOk(dir, 'rev-parse', 'origin/main').trim(), id);
    const newBlob = gitOk(dir, 'rev-parse', 'origin/main:later/new.txt').trim();
    assert.ok(gitOk(dir, 'rev-list', '--objects', '--missing=print',
      'origin/main^{tree}').includes(`?${newBlob}`));
    gitOk(dir, 'merge', '-q', '--ff-only', 'origin/main');
    assert.equal(readFileSync(join(dir, 'later/new.txt'), 'utf8'),
      'new after the clone\n');
    fsckPartial(dir);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('git clone --filter=blob:none over protocol v0, checkout as well',
  async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await sizedFixture(u);
  const d = tmp();
  try {
    const adv = await get(`${repoPath(repo)}.git/info/refs?service=git-upload-pack`);
    assert.match(adv.body, / filter /);
    const dir = join(d, 'v0');
    const v0 = ['-c', 'protocol.version=0'];
    gitOk(d, ...v0, 'clone', '--no-checkout', '--filter=blob:none',
      `${BASE}/${repo.id}`, dir);
    assert.ok(missingBlobs(dir).length >= 8);
    fsckPartial(dir);
    gitOk(dir, ...v0, 'checkout', 'main');
    assert.deepEqual(missingBlobs(dir), []);
    await checkClone(dir, repo, u, lfs);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('git clone --filter=blob:limit=1k: blobs under 1,024 bytes only (the '
  + 'LFS pointer counted as its pointer text)', async () => {
  needGit();
  const u = newUser();
  const { repo, lfs } = await sizedFixture(u);
  const d = tmp();
  try {
    for (const spec of ['blob:limit=1k', 'blob:limit=1024', 'blob:limit=0x400']) {
      const dir = join(d, spec.replace(/[:=]/g, '_'));
      gitOk(d, 'clone', '--no-checkout', `--filter=${spec}`,
        `${BASE}/${repo.id}`, dir);
      const missing = new Set(missingBlobs(dir));
      for (const [p, out] of [['size/1023.bin', false],
        ['size/1024.bin', true], ['size/1025.bin', true],
        ['size/big.bin', true], ['README.md', false], ['model.bin', false],
        ['d/e/f/g.txt', true]]) {
        const oid = gitOk(dir, 'rev-parse', `HEAD:${p}`).trim();
        assert.equal(missing.has(oid), out, `${spec}: ${p} omitted: ${out}`);
      }
      fsckPartial(dir);
      gitOk(dir, 'checkout', 'main');
      assert.equal(blobSize(dir, 'size/big.bin'), 40000);
      await checkClone(dir, repo, u, lfs);
    }
    // blob:limit=0 omits every blob, as blob:none does
    const zero = join(d, 'zero');
    gitOk(d, 'clone', '--no-checkout', '--filter=blob:limit=0',
      `${BASE}/${repo.id}`, zero);
    assert.ok(missingBlobs(zero).length >= 8);
    // a filter khub does not serve: a clear error, nothing cloned
    const r = git(d, 'clone', '--filter=tree:0', `${BASE}/${repo.id}`,
      join(d, 'tree0'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /filter 'tree:0' is not supported by khub/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a want of a blob: this repository\'s only, sent whatever the filter',
  async () => {
  const u = newUser();
  const other = newUser();
  const mine = await createRepo(u.token);
  const theirs = await createRepo(other.token, { private: true });
  await commitOk(other.token, theirs, { files: { 's.txt': 'secret blob\n' } });
  await commitOk(u.token, mine, { files: { 'm.txt': 'my blob\n' } });
  const blob = (s) => createHash('sha1').update(`blob ${s.length}\0${s}`)
    .digest('hex');
  let res = await uploadPack(mine, fetchBody([`want ${blob('secret blob\n')}\n`,
    'filter blob:none\n', 'done\n']), { token: u.token });
  assert.match(res.body, /^....ERR upload-pack: not our ref [0-9a-f]{40}/);
  res = await uploadPack(mine, fetchBody([`want ${blob('my blob\n')}\n`,
    'filter blob:none\n', 'no-progress\n', 'done\n']));
  assert.equal(res.status, 200);
  assert.match(res.body, /^000dpackfile\n....\x01PACK\0\0\0\x02\0\0\0\x01/);
});

// ---- deepen-since, deepen-not, deepen-relative ----

// A history pushed with known dates: c1..c6 committed in 2001..2006 (their
// author dates all 2030, so only the committer's date can cut), a side
// branch from c2 dated 2003-06 merged by c4, a tag v1 (annotated) on c2
// and a branch old at c3. Returns the repository, the pushing user and a
// bare mirror of it (the oracle: real git's upload-pack over file://).
async function datedFixture(d) {
  const u = newUser();
  const repo = await createRepo(u.token);
  const url = withAuth(`${BASE}/${repo.id}`, u);
  const w = join(d, 'w');
  gitOk(d, 'clone', '-q', url, w);
  const at = (y, m = '01') => ({ GIT_COMMITTER_DATE: `${y}-${m}-01T00:00:00Z`,
    GIT_AUTHOR_DATE: '2030-01-01T00:00:00Z' });
  const commit = (msg, env) => {
    writeFileSync(join(w, `${msg}.txt`), `${msg}\n`);
    gitOk(w, 'add', '-A');
    const r = gitWith(w, ['commit', '-q', '-m', msg], env);
    assert.equal(r.status, 0, r.stderr);
  };
  commit('c1', at(2001));
  commit('c2', at(2002));
  gitOk(w, 'tag', '-a', '-m', 'one', 'v1');
  gitOk(w, 'checkout', '-q', '-b', 'side');
  commit('s1', at(2003, '06'));
  gitOk(w, 'checkout', '-q', 'main');
  commit('c3', at(2003));
  gitOk(w, 'branch', 'old');
  let r = gitWith(w, ['merge', '-q', '--no-ff', '-m', 'c4', 'side'], at(2004));
  assert.equal(r.status, 0, r.stderr);
  commit('c5', at(2005));
  commit('c6', at(2006));
  r = gitWith(w, ['push', '-q', 'origin', 'main', 'old', 'v1']);
  assert.equal(r.status, 0, r.stderr);
  const mirror = join(d, 'mirror.git');
  gitOk(d, 'clone', '-q', '--mirror', `${BASE}/${repo.id}`, mirror);
  return { u, repo, mirror };
}
// What a shallow repository has: every commit and its shallow list, by
// their subjects (unique in datedFixture). git's shallow list may name a
// commit the pack did not bring (a boundary below another): "?<id>".
function shallowState(dir) {
  const subject = (id) => {
    const r = git(dir, 'log', '-1', '--format=%s', id);
    return r.status === 0 ? r.stdout.trim() : `?${id}`;
  };
  const commits = gitOk(dir, 'log', '--all', '--format=%s').trim()
    .split('\n').sort();
  let shallow = [];
  try {
    shallow = readFileSync(join(dir, '.git', 'shallow'), 'utf8').trim()
      .split('\n').map(subject).sort();
  } catch { /* not shallow */ }
  return { commits, shallow };
}
// git clone args of khub and of git's own upload-pack over file://
// (the mirror): the same commits and the same shallow commits, fsck
// --strict clean, main's history a prefix of the API's.
// v: the protocol version of the clone and of later fetches in it.
async function sameAsGit(d, { repo, mirror }, name, args, v = '2') {
  const ours = join(d, `khub-${name}-v${v}`);
  const theirs = join(d, `git-${name}-v${v}`);
  const pv = ['-c', `protocol.version=${v}`];
  gitOk(d, ...pv, 'clone', '-q', '--no-local', ...args, `${BASE}/${repo.id}`,
    ours);
  gitOk(d, ...pv, 'clone', '-q', '--no-local', ...args, `file://${mirror}`,
    theirs);
  for (const dir of [ours, theirs]) gitOk(dir, 'config', 'protocol.version', v);
  gitOk(ours, 'fsck', '--strict');
  const got = shallowState(ours);
  assert.deepEqual(got, shallowState(theirs), `${name}: as git serves it`);
  const log = gitOk(ours, 'log', '--first-parent', '--format=%H', 'origin/main')
    .trim().split('\n');
  const apiIds = await apiCommits(repo);
  assert.deepEqual(log, apiIds.slice(0, log.length), `${name}: the API's ids`);
  return { dir: ours, other: theirs, ...got };
}

// The shallow tests run in protocol v2 and v0: the same states, each as
// git's own upload-pack gives it in that version.
const VERSIONS = ['2', '0'];
// What a shallow state is, without where it is (to compare versions).
const stateOf = ({ commits, shallow }) => ({ commits, shallow });

test('git clone --shallow-since: the committer\'s date cuts, as git cuts '
  + '(v2 and v0)', async () => {
  needGit();
  const d = tmp();
  try {
    const fx = await datedFixture(d);
    const seen = {};
    for (const v of VERSIONS) {
      const pv = ['-c', `protocol.version=${v}`];
      // c4 (a merge of c3 and s1), c5, c6; c3 and s1 stay out (and the
      // refs old and v1, older, are not sent)
      const s4 = await sameAsGit(d, fx, 'since2004',
        ['--shallow-since=2003-12-01'], v);
      assert.deepEqual(s4, { ...s4, commits: ['c4', 'c5', 'c6'],
        shallow: ['c4'] });
      // s1 (2003-06) is kept, c3 (2003-01) not: c4 is shallow, and so is
      // s1, which git then does not send (below the shallow c4)
      const s = await sameAsGit(d, fx, 'since2003',
        ['--shallow-since=2003-03-01', '--single-branch'], v);
      assert.deepEqual(s.commits, ['c4', 'c5', 'c6']);
      assert.equal(s.shallow.length, 2);
      // then fetch --shallow-since earlier: deepened through unshallow
      // lines. (Not from the clone above: git's own upload-pack then says
      // "unshallow s1" of a commit that client never got, and git fetch
      // dies on it; khub does as git does.)
      for (const dir of [s4.dir, s4.other])
        gitOk(dir, 'fetch', '-q', '--shallow-since=2001-06-01', 'origin');
      gitOk(s4.dir, 'fsck', '--strict');
      const deeper = shallowState(s4.dir);
      assert.deepEqual(deeper, shallowState(s4.other));
      assert.deepEqual(deeper, { commits: ['c2', 'c3', 'c4', 'c5', 'c6',
        's1'], shallow: ['c2'] });
      seen[v] = [stateOf(s4), stateOf(s), deeper];
      // newer than every commit: git's error
      const r = git(d, ...pv, 'clone', '--shallow-since=2100-01-01',
        `${BASE}/${fx.repo.id}`, join(d, `none${v}`));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /no commits selected for shallow requests/);
    }
    assert.deepEqual(seen['0'], seen['2'], 'v0 as v2');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('git clone --shallow-exclude: a tag\'s or a branch\'s history left out '
  + '(v2 and v0)', async () => {
  needGit();
  const d = tmp();
  try {
    const fx = await datedFixture(d);
    const seen = {};
    for (const v of VERSIONS) {
      let s = await sameAsGit(d, fx, 'notv1', ['--shallow-exclude=v1',
        '--single-branch'], v);
      assert.deepEqual(s.commits, ['c3', 'c4', 'c5', 'c6', 's1']);
      assert.deepEqual(s.shallow, ['c3', 's1']);
      seen[v] = [stateOf(s)];
      // c3's history out: c4 is shallow (and s1 below it, not sent)
      s = await sameAsGit(d, fx, 'notold',
        ['--shallow-exclude=refs/heads/old', '--single-branch'], v);
      assert.deepEqual(s.commits, ['c4', 'c5', 'c6']);
      seen[v].push(stateOf(s));
      s = await sameAsGit(d, fx, 'both', ['--shallow-exclude=old',
        '--shallow-since=2004-06-01', '--single-branch'], v);
      assert.deepEqual(s, { ...s, commits: ['c5', 'c6'], shallow: ['c5'] });
      seen[v].push(stateOf(s));
      const r = git(d, '-c', `protocol.version=${v}`, 'clone',
        '--shallow-exclude=nosuch', `${BASE}/${fx.repo.id}`,
        join(d, `nosuch${v}`));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /deepen-not: nosuch/);
    }
    assert.deepEqual(seen['0'], seen['2'], 'v0 as v2');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('git fetch --deepen=N: N more commits below the shallow ones (v2 and '
  + 'v0)', async () => {
  needGit();
  const d = tmp();
  try {
    const fx = await datedFixture(d);
    const seen = {};
    for (const v of VERSIONS) {
      const s = await sameAsGit(d, fx, 'depth1', ['--depth=1',
        '--single-branch'], v);
      assert.deepEqual(s.commits, ['c6']);
      seen[v] = [stateOf(s)];
      // below c5 (depth 1) come c4 (2), then c3 and s1 (3): the new
      // shallows
      for (const [n, total] of [['1', 2], ['2', 5]]) {
        gitOk(s.dir, 'fetch', '-q', `--deepen=${n}`, 'origin');
        gitOk(s.other, 'fetch', '-q', `--deepen=${n}`, 'origin');
        gitOk(s.dir, 'fsck', '--strict');
        const st = shallowState(s.dir);
        assert.deepEqual(st, shallowState(s.other), `v${v} --deepen=${n}`);
        assert.equal(st.commits.length, total, `v${v} --deepen=${n}`);
        seen[v].push(st);
      }
      for (const dir of [s.dir, s.other])
        gitOk(dir, 'fetch', '-q', '--unshallow', 'origin');
      gitOk(s.dir, 'fsck', '--strict');
      assert.equal(gitOk(s.dir, 'rev-parse', '--is-shallow-repository')
        .trim(), 'false');
      const all = (dir) => gitOk(dir, 'rev-list', '--all').trim().split('\n')
        .sort();
      assert.deepEqual(all(s.dir), all(s.other), `v${v} --unshallow`);
      assert.equal(all(s.dir).length, 8, `v${v}: the first, c1..c6, s1`);
      seen[v].push(all(s.dir));
    }
    assert.deepEqual(seen['0'], seen['2'], 'v0 as v2');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
