// tests/galera/t_galera.mjs: khub on two nodes over a Galera cluster
// (tests/galera/rig, started by tests/galera/run): writers racing on both
// nodes to one branch lose no acknowledged commit (certification failures
// come back as deadlocks and are retried, commit.c); a commit made on one
// node is read on the other at once (wsrep_sync_wait=1); a Galera node
// killed mid-traffic: its khub answers 503, the other keeps serving, and
// once the node is back its khub serves again and nothing acknowledged
// is lost. GALERA_REDUCED=1 (make check) runs fewer writers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  bearer, commit, createRepo, get, khubctl, newUser, repoPath, request, runAll,
  test, waitFor,
} from '../integration/lib.mjs';

const B = Number(process.env.KHUB_PORT_B);
const DIR = process.env.GALERA_DIR;
const reduced = process.env.GALERA_REDUCED === '1';
const rig = (...args) => execFileSync('sh', ['tests/galera/rig', ...args],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const onB = (opts = {}) => ({ ...opts, port: B });

// The files at the root of main, as node port (undefined: A) lists them.
async function files(repo, token, port) {
  const res = await get(`/api/models/${repo.id}/tree/main`,
    { headers: bearer(token), port });
  assert.equal(res.status, 200, res.body);
  return new Set(res.json.map((e) => e.path));
}

// Every commit of main, newest first, through the Link pages.
async function history(repo, token, port) {
  const out = [];
  let path = `/api/models/${repo.id}/commits/main`;
  while (path) {
    const res = await get(path, { headers: bearer(token), port });
    assert.equal(res.status, 200, res.body);
    out.push(...res.json.map((c) => c.id));
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.link || '');
    path = next ? new URL(next[1]).pathname + new URL(next[1]).search : null;
  }
  return out;
}

async function fileOn(repo, token, name, port) {
  const res = await request('GET', `${repoPath(repo)}/resolve/main/${name}`,
    { headers: bearer(token), port });
  if (res.status !== 302) return { status: res.status };
  const s3 = await fetch(res.headers.location);
  return { status: 302, body: Buffer.from(await s3.arrayBuffer()) };
}

test('writers racing on both nodes to one branch: every acknowledged '
  + 'commit is in the history, on either node', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const writers = reduced ? 3 : 6, each = reduced ? 4 : 10;
  const acked = new Map(), refused = [];
  await Promise.all([...Array(2 * writers)].map(async (_, w) => {
    const port = w % 2 ? B : undefined;
    for (let i = 0; i < each; i++) {
      const name = `w${w}-${i}.txt`;
      const res = await commit(u.token, repo, { files: { [name]:
        `${name}\n` }, port });
      if (res.status === 200) acked.set(name, res.json.commitOid);
      else refused.push(res);
    }
  }));
  for (const r of refused) {
    assert.equal(r.status, 503, r.body);
    assert.equal(r.headers['x-error-code'], 'ServiceUnavailable');
  }
  console.log(`  # ${acked.size} of ${2 * writers * each} racing commits `
    + `acknowledged, ${refused.length} answered 503 (too many retries)`);
  assert.ok(acked.size >= writers * each, 'most commits land');
  for (const port of [undefined, B]) {
    const have = await files(repo, u.token, port);
    const ids = new Set(await history(repo, u.token, port));
    const lost = [...acked].filter(([name, oid]) => !have.has(name) ||
      !ids.has(oid)).map(([name, oid]) => `${name} ${oid}: `
      + `${have.has(name) ? '' : 'not '}in the tree, `
      + `${ids.has(oid) ? '' : 'not '}in the history`);
    assert.deepEqual(lost, [], `lost on node ${port ? 'B' : 'A'} (of `
      + `${ids.size} commits)`);
  }
});

test('a commit on one node is read on the other at once', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  for (let i = 0; i < (reduced ? 5 : 20); i++) {
    const [from, to] = i % 2 ? [B, undefined] : [undefined, B];
    const data = randomBytes(100 + i);
    const res = await commit(u.token, repo, { files: { [`f${i}.bin`]: data },
      port: from });
    assert.equal(res.status, 200, res.body);
    const got = await fileOn(repo, u.token, `f${i}.bin`, to);
    assert.equal(got.status, 302, `f${i}.bin on the other node`);
    assert.deepEqual(got.body, data);
    const head = await get(`/api/models/${repo.id}/revision/main`,
      { headers: bearer(u.token), port: to });
    assert.equal(head.json.sha, res.json.commitOid);
  }
});

test('a quota holds across nodes: of commits racing at its edge on both, '
  + 'at most one passes', async () => {
  const rounds = reduced ? 2 : 5;
  let won = 0;
  for (let round = 0; round < rounds; round++) {
    const u = newUser();
    const repos = [await createRepo(u.token), await createRepo(u.token)];
    const used = Number(/^used_bytes: (\d+)$/m.exec(
      khubctl('usage', u.name))[1]);
    khubctl('quota', 'set', u.name, String(used + 4500));
    const results = await Promise.all([...Array(4)].map((_, i) =>
      commit(u.token, repos[i % 2], { files: { [`q${i}.bin`]:
        randomBytes(3000) }, port: i % 2 ? B : undefined })));
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results)
      if (r.status !== 200) assert.ok([413, 503].includes(r.status), r.body);
    assert.ok(ok <= 1, `round ${round}: ${ok} of 4 passed`);
    won += ok;
  }
  assert.ok(won >= 1, 'the quota is not a wall');
});

test('a Galera node killed mid-traffic: its khub answers 503, the other '
  + 'keeps serving; back, it serves again; nothing acknowledged is lost',
async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const acked = new Map();
  let stop = false, n = 0;
  const failuresA = [];
  // traffic on node A all along
  const traffic = (async () => {
    while (!stop) {
      const name = `t${n++}.txt`;
      const res = await commit(u.token, repo, { files: { [name]: name } });
      if (res.status === 200) acked.set(name, res.json.commitOid);
      else failuresA.push(`${res.status} ${res.body}`);
      const r = await fileOn(repo, u.token, acked.size ?
        [...acked.keys()].pop() : '.gitattributes');
      if (acked.size && r.status !== 302) failuresA.push(`read ${r.status}`);
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  rig('node-kill', DIR, '2');
  const t0 = Date.now();
  assert.ok(await waitFor(async () =>
    (await get('/api/health', onB())).status === 503, 30),
  'node B\'s health says 503');
  let res = await get(`/api/models/${repo.id}`, onB({ headers:
    bearer(u.token) }));
  assert.equal(res.status, 503, res.body);
  res = await commit(u.token, repo, { files: { 'b.txt': 'b' }, port: B });
  assert.equal(res.status, 503, res.body);
  console.log(`  # node B answered 503 ${Date.now() - t0} ms after the kill`);
  const during = acked.size;
  await new Promise((r) => setTimeout(r, 3000));
  assert.ok(acked.size > during, 'node A commits while node 2 is down');
  rig('node-start', DIR, '2');
  assert.ok(await waitFor(async () =>
    (await get('/api/health', onB())).status === 200, 60),
  'node B serves again');
  console.log(`  # node B healthy again ${Date.now() - t0} ms after the kill`);
  res = await commit(u.token, repo, { files: { 'b.txt': 'b' }, port: B });
  assert.equal(res.status, 200, res.body);
  acked.set('b.txt', res.json.commitOid);
  stop = true;
  await traffic;
  // Node A may have seen the cluster pause while it evicted node 2; a
  // commit refused then is refused cleanly, never half done.
  for (const f of failuresA) assert.match(f, /^503 /, f);
  console.log(`  # node A: ${acked.size} commits acknowledged during the `
    + `outage, ${failuresA.length} answered 503`);
  for (const port of [undefined, B]) {
    const have = await files(repo, u.token, port);
    for (const [name] of acked) assert.ok(have.has(name), `${name} on `
      + `${port || 'A'}`);
  }
});

process.exit((await runAll('galera')) ? 0 : 1);
