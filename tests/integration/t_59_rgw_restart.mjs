// t_59_rgw_restart.mjs: the S3 gateway (radosgw) dies under traffic and
// comes back, khub never restarted. While it is gone: commits in flight
// and new ones answer a 5xx with X-Error-Code and a JSON error (never a
// hang, a dropped connection or a 2xx that did not land), the branch
// never moves to a commit whose files are not all stored, every
// acknowledged commit is in the history and nothing else is, downloads
// answer 302 or a 5xx with X-Error-Code, and /api/health answers non-200
// (a load balancer takes the machine out). Afterwards: health 200, and
// commits and downloads work on every worker, with the very bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  STACK, bearer, commit, commitOk, createRepo, get, newUser, paginate,
  repoPath, request, sha256, sql, test, upload, waitFor,
} from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Kills the gateway with sig (the Ceph cluster and its objects stay);
// returns a function that starts it again (without waiting for health).
async function killGateway(sig) {
  const pidFile = `${STACK}/ceph/run/client.rgw.pid`;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    .filter(Boolean);
  process.kill(pid, sig);
  if (!await waitFor(() => {
    try { process.kill(pid, 0); return false; } catch { return true; }
  }, 30))
    throw new Error('the gateway did not stop');
  return () => execFileSync(argv[0], argv.slice(1), { stdio: 'ignore' });
}

// What a 5xx must carry: the Hub's error header and a JSON error.
function cleanFailure(res, what) {
  assert.ok(res.status >= 500 && res.status <= 599,
    `${what}: ${res.status} ${res.body}`);
  assert.ok(res.headers['x-error-code'], `${what}: ${res.status} without `
    + `X-Error-Code: ${res.body}`);
  assert.equal(typeof res.json?.error, 'string', `${what}: ${res.body}`);
}

// A download through khub: 302 and the bytes at the Location.
async function bytesAt(repo, rev, path, token) {
  const res = await request('GET', `${repoPath(repo)}/resolve/${rev}/${path}`,
    { headers: bearer(token) });
  assert.equal(res.status, 302, `${rev} ${path}: ${res.status} ${res.body}`);
  const s3 = await fetch(res.headers.location);
  assert.equal(s3.status, 200, `${rev} ${path}: S3 ${s3.status}`);
  return Buffer.from(await s3.arrayBuffer());
}

// Every file of a revision (recursive tree listing), downloaded.
async function filesAt(repo, rev, token) {
  const { items } = await paginate(`/api/models/${repo.id}/tree/${rev}`
    + '?recursive=true', bearer(token));
  const out = {};
  for (const e of items.filter((e) => e.type === 'file'))
    out[e.path] = await bytesAt(repo, rev, e.path, token);
  return out;
}

async function outage(sig) {
  const u = newUser();
  const repo = await createRepo(u.token);
  // Bytes by path and content id: what every commit sent.
  const sent = new Map();
  const lfsData = randomBytes(300000);
  const up = await upload(repo, u.token, lfsData);
  const base = { 'small.txt': `small ${Date.now()}\n`,
    'large.bin': randomBytes(20000) };
  await commitOk(u.token, repo, { files: base, lfs: [{ path: 'w.lfs',
    oid: up.oid, size: lfsData.length }] });
  // (with what repository creation committed: .gitattributes)
  const expect = await filesAt(repo, 'main', u.token);
  assert.deepEqual(expect['w.lfs'], lfsData);
  for (const [p, b] of Object.entries(expect))
    sent.set(`${p} ${sha256(Buffer.from(b))}`, true);

  let stop = false, phase = 'before';
  const commits = [], reads = [], health = [];
  const writer = async (w) => {
    for (let i = 0; !stop; i++) {
      // a regular file over 4 KiB (its bytes go to S3 at commit), a
      // small one (the database), a shared file every writer rewrites
      const files = { [`w${w}/f${i}.bin`]: randomBytes(
        i % 3 === 0 ? 1048576 : 9000), [`w${w}/s${i}.txt`]: `${w} ${i}\n`,
      'shared.txt': `writer ${w} commit ${i}\n` };
      const t0 = Date.now(), at = phase;
      let res;
      try {
        res = await commit(u.token, repo, { files,
          summary: `w${w} ${i}` });
      } catch (e) {
        res = { status: 0, headers: {}, body: String(e) };
      }
      commits.push({ files, res, at, ms: Date.now() - t0 });
    }
  };
  const reader = async () => {
    for (let i = 0; !stop; i++) {
      const path = ['small.txt', 'large.bin', 'w.lfs'][i % 3];
      const at = phase;
      let res;
      try {
        res = await request('GET', `${repoPath(repo)}/resolve/main/${path}`,
          { headers: bearer(u.token) });
      } catch (e) {
        res = { status: 0, headers: {}, body: String(e) };
      }
      reads.push({ path, res, at });
      await sleep(20);
    }
  };
  const prober = async () => {
    while (!stop) {
      let status;
      try { status = (await get('/api/health')).status; } catch { status = 0; }
      health.push({ status, at: phase, t: Date.now() });
      await sleep(50);
    }
  };
  const running = [writer(0), writer(1), writer(2), reader(), prober()];
  await sleep(800);
  phase = 'down';
  const start = await killGateway(sig);
  await sleep(2500);
  phase = 'restarting';
  start();
  const back = await waitFor(async () =>
    (await get('/api/health')).status === 200, 90);
  phase = 'after';
  await sleep(1500);
  stop = true;
  await Promise.all(running);
  assert.ok(back, 'health did not come back to 200');

  // Every answer: a landed commit, or a clean 5xx (never a dropped
  // connection, a 4xx, a hang).
  for (const c of commits) {
    if (c.res.status === 200) continue;
    cleanFailure(c.res, `commit (${c.at}, ${c.ms} ms)`);
    assert.ok(c.at !== 'before' && c.at !== 'after' || c.ms < 30000,
      `a commit ${c.at} failed: ${c.res.status} ${c.res.body}`);
  }
  const down = commits.filter((c) => c.at === 'down');
  assert.ok(down.some((c) => c.res.status !== 200),
    'no commit failed while S3 was down: the test tested nothing');
  assert.ok(commits.filter((c) => c.at === 'after' && c.res.status === 200)
    .length > 0, 'no commit landed after the restart');
  for (const r of reads) {
    if (r.res.status === 302) continue;
    cleanFailure(r.res, `GET ${r.path} (${r.at})`);
    assert.notEqual(r.at, 'after', `GET ${r.path} after: ${r.res.status}`);
  }
  assert.ok(health.some((h) => h.at === 'down' && h.status !== 200),
    'health said 200 all the time S3 was down');
  assert.ok(health.filter((h) => h.at === 'down').every((h) =>
    h.status !== 0), 'health dropped the connection');
  assert.equal(health.at(-1).status, 200);

  // The history: every acknowledged commit, and nothing a client was
  // told failed.
  const acked = new Map(commits.filter((c) => c.res.status === 200)
    .map((c) => [c.res.json.commitOid, c]));
  const { items } = await paginate(`/api/models/${repo.id}/commits/main`,
    bearer(u.token), 200);
  const history = items.map((c) => c.id);
  for (const id of acked.keys())
    assert.ok(history.includes(id), `acknowledged ${id} is not in main`);
  const extra = history.slice(0, -2).filter((id) => !acked.has(id));
  assert.deepEqual(extra, [], 'commits in main no client was told landed');

  // Every commit of the branch holds files that download with their bytes.
  for (const c of commits) {
    if (c.res.status !== 200) continue;
    const id = c.res.json.commitOid;
    for (const [p, b] of Object.entries(c.files))
      if (p !== 'shared.txt')
        assert.deepEqual(await bytesAt(repo, id, p, u.token),
          Buffer.from(b), `${id} ${p}`);
  }
  // The head: every file there, each with bytes some commit sent; the
  // failed commits' files are not.
  for (const c of acked.values())
    for (const [p, b] of Object.entries(c.files))
      sent.set(`${p} ${sha256(Buffer.from(b))}`, true);
  const head = await filesAt(repo, 'main', u.token);
  for (const [p, b] of Object.entries(head))
    assert.ok(sent.has(`${p} ${sha256(b)}`), `main: ${p} has bytes no `
      + 'acknowledged commit sent');
  for (const c of commits.filter((c) => c.res.status !== 200))
    for (const p of Object.keys(c.files))
      if (p !== 'shared.txt')
        assert.ok(!(p in head), `${p} of a failed commit is in main`);
  for (const [p, b] of Object.entries(expect))
    assert.deepEqual(head[p], Buffer.from(b), p);

  // And on: a commit with a file for S3, its download, on every worker.
  const big = randomBytes(50000);
  const c = await commitOk(u.token, repo, { files: { 'after.bin': big } });
  for (let i = 0; i < 6; i++)
    assert.deepEqual(await bytesAt(repo, c, 'after.bin', u.token), big);
  return { commits: commits.length, down: down.length,
    failed: commits.filter((c) => c.res.status !== 200).length,
    health: health.filter((h) => h.at === 'down').length };
}

const report = (sig, r) => console.log(`# RGW ${sig}: ${r.commits} commits, `
  + `${r.down} while S3 was down, ${r.failed} answered 5xx; ${r.health} `
  + 'health probes while down');

test('RGW killed (SIGKILL) under commits and downloads, then restarted: '
  + 'clean 5xx, nothing half written, health tells, all recovers',
async () => report('SIGKILL', await outage('SIGKILL')));

test('RGW stopped (SIGTERM) under commits and downloads, then restarted: '
  + 'the same', async () => report('SIGTERM', await outage('SIGTERM')));

// A gateway that accepts connections and answers nothing (frozen, or on a
// host gone quiet): health must still answer within a load balancer's
// probe timeout, and its probes must not tie up the workers that serve
// what needs no S3.
test('RGW frozen (SIGSTOP): health answers non-200 within 3 s, probes do '
  + 'not tie up the workers, a commit in flight fails cleanly, then all '
  + 'recovers', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const c1 = await commitOk(u.token, repo, { files: { 'a.txt': 'one\n' } });
  const pid = Number(readFileSync(`${STACK}/ceph/run/client.rgw.pid`,
    'utf8'));
  // The mirror tests' fills still queued (one of corrupted bytes, tried
  // again every 30 s) would run after a request, in a worker, against
  // the same frozen gateway: a worker busy for the upstream's timeout is
  // theirs to measure (t_55), not this test's.
  sql("UPDATE mirror_fill SET state = 'failed' WHERE state = 'queued'");
  process.kill(pid, 'SIGSTOP');
  let probes, info, pending;
  try {
    const t0 = Date.now();
    const timed = async (p) => { const r = await p;
      return { ...r, ms: Date.now() - t0 }; };
    // a balancer's probes, one after another, each timed on its own
    probes = (async () => {
      const out = [];
      for (let i = 0; i < 3; i++) {
        const t = Date.now();
        const r = await get('/api/health');
        out.push({ ...r, ms: Date.now() - t });
      }
      return out;
    })();
    await sleep(300);
    info = await timed(get(`/api/models/${repo.id}/revision/main`,
      { headers: bearer(u.token) }));
    probes = await probes;
    // then a commit, whose bytes go to S3: it waits for S3's timeout
    // (holding its worker), then fails cleanly
    pending = timed(commit(u.token, repo, { files: {
      'big.bin': randomBytes(200000) } }));
    await pending;
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  for (const p of probes) {
    assert.equal(p.status, 503, p.body);
    assert.match(p.json.error, /S3 unavailable/);
    assert.ok(p.ms < 3500, `health took ${p.ms} ms`);
  }
  assert.equal(info.status, 200, info.body);
  assert.ok(info.ms < 5000, `a database-only request took ${info.ms} ms`);
  const res = await pending;
  assert.ok(res.ms < 60000, `the commit took ${res.ms} ms`);
  if (res.status !== 200) {
    cleanFailure(res, 'commit while frozen');
    assert.equal(await (async () => (await get(
      `/api/models/${repo.id}/revision/main`, { headers: bearer(u.token) }))
      .json.sha)(), c1, 'the branch moved');
  }
  assert.ok(await waitFor(async () =>
    (await get('/api/health')).status === 200, 60));
  const big = randomBytes(30000);
  const c2 = await commitOk(u.token, repo, { files: { 'after.bin': big } });
  assert.deepEqual(await bytesAt(repo, c2, 'after.bin', u.token), big);
});
