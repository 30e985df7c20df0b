// t_37_resolve_cache.mjs: the resolve cache, on by default ([server]
// resolve_cache_ms, fresh.c). What it promises:
//   - on one machine, every worker sees a change at once (the shared
//     ring): a new commit, a deleted tag, a repository made private, a
//     revoked token;
//   - through another machine sharing the database (here: a second pool
//     whose database address differs, so it has a ring of its own),
//     anonymous callers see a change within resolve_cache_ms, and the
//     caller who made it at once: its answer waits until the others polled
//     (fresh_barrier);
//   - revision and path stay apart in the key.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  BASE, BUILD, CONFIG, bearer, commitOk, confValue, createRepo, get,
  newUser, request, test, waitFor,
} from './lib.mjs';

const PERIOD = Number(confValue('resolve_cache_ms'));
const json = (token) => ({ 'content-type': 'application/json',
  ...bearer(token) });

// One FastCGI GET to addr; returns {status, headers} from cgi-fcgi's output.
function fcgiGet(addr, uri, headers = {}) {
  const env = { ...process.env, REQUEST_METHOD: 'GET', REQUEST_URI: uri,
    SERVER_NAME: '127.0.0.1', SERVER_PORT: '80' };
  for (const [k, v] of Object.entries(headers))
    env[`HTTP_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  const out = execFileSync('cgi-fcgi', ['-bind', '-connect', addr],
    { env, encoding: 'utf8', timeout: 10000 });
  const head = out.split('\r\n\r\n')[0].split('\r\n');
  const h = {};
  for (const line of head) {
    const i = line.indexOf(':');
    h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(/^(\d+)/.exec(h.status)[1]), headers: h };
}

// Every worker of the stack answers some of n requests: all must agree.
async function allSay(uri, headers, n = 12) {
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const res = await get(uri, { headers });
    seen.add(res.status === 302 ? res.headers['x-repo-commit'] : res.status);
  }
  return [...seen];
}

// "Another machine": a pool of two workers with the stack's configuration
// but the database reached over TCP instead of the socket, so that its
// ring is not the stack's (it hears of the stack's changes only by
// polling, as a pool on another machine does).
async function withOtherMachine(fn) {
  const dir = mkdtempSync(`${tmpdir()}/khub-other-`);
  const conf = readFileSync(CONFIG, 'utf8').replace(/^socket\s*=.*$/m, '');
  assert.ok(conf !== readFileSync(CONFIG, 'utf8'), 'the stack uses a socket');
  writeFileSync(`${dir}/khub.conf`, conf);
  const addr = `127.0.0.1:${Number(new URL(BASE).port) + 9}`;
  const pool = spawn(`${BUILD}/khub.fcgi`, ['--listen', addr, '--workers',
    '2'], { env: { ...process.env, KHUB_CONFIG: `${dir}/khub.conf` },
    stdio: 'ignore' });
  try {
    assert.ok(await waitFor(() => fcgiGet(addr, '/api/health').status === 200,
      20));
    await fn(addr);
  } finally {
    // Gone, workers and listening socket, before the next test binds it.
    const gone = new Promise((r) => (pool.exitCode !== null ||
      pool.signalCode !== null ? r() : pool.once('exit', r)));
    pool.kill('SIGTERM');
    await gone;
  }
}

test('resolve cache: on by default; one machine sees every change at once',
  async () => {
  assert.ok(PERIOD > 0, 'the stack runs the default, a cache');
  const u = newUser();
  const repo = await createRepo(u.token);
  const api = `/api/models/${repo.id}`;
  const uri = `/${repo.id}/resolve/main/a.txt`;
  const c1 = await commitOk(u.token, repo, { files: { 'a.txt': '1' } });
  assert.deepEqual(await allSay(uri), [c1]);
  assert.deepEqual(await allSay(uri, bearer(u.token)), [c1]);
  const c2 = await commitOk(u.token, repo, { files: { 'a.txt': '2' } });
  assert.deepEqual(await allSay(uri), [c2], 'anonymous, every worker');
  assert.deepEqual(await allSay(uri, bearer(u.token)), [c2], 'the author');

  // A tag answered from memory goes when the tag goes.
  let res = await request('POST', `${api}/tag/main`, { headers: json(u.token),
    body: { tag: 'v1' } });
  assert.equal(res.status, 200, res.body);
  const tagged = `/${repo.id}/resolve/v1/a.txt`;
  assert.deepEqual(await allSay(tagged), [c2]);
  res = await request('DELETE', `${api}/tag/v1`, { headers: bearer(u.token) });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(await allSay(tagged), [404]);

  // Private: refused at once, to anonymous callers and other users.
  const other = newUser();
  assert.deepEqual(await allSay(uri, bearer(other.token)), [c2]);
  res = await request('PUT', `${api}/settings`, { headers: json(u.token),
    body: { private: true } });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(await allSay(uri), [401]);
  assert.deepEqual(await allSay(uri, bearer(other.token)), [404]);
  assert.deepEqual(await allSay(uri, bearer(u.token)), [c2]);
  res = await request('PUT', `${api}/settings`, { headers: json(u.token),
    body: { private: false } });
  assert.equal(res.status, 200, res.body);

  // A revoked token is refused at once though the workers remember it.
  assert.deepEqual(await allSay(uri, bearer(other.token)), [c2]);
  res = await get('/api/auth/tokens', { headers: bearer(other.token) });
  assert.equal(res.status, 200, res.body);
  const mine = JSON.parse(res.body).tokens.find((t) => t.current);
  res = await request('DELETE', `/api/auth/tokens/${mine.id}`,
    { headers: bearer(other.token) });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(await allSay(uri, bearer(other.token)), [401]);
});

test('resolve cache: another machine sees a change within resolve_cache_ms, '
  + 'its author at once', async () => {
  await withOtherMachine(async (addr) => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const uri = `/${repo.id}/resolve/main/a.txt`;
    const c1 = await commitOk(u.token, repo, { files: { 'a.txt': '1' } });
    for (let i = 0; i < 4; i++) {
      assert.equal(fcgiGet(addr, uri).headers['x-repo-commit'], c1);
      assert.equal(fcgiGet(addr, uri, bearer(u.token))
        .headers['x-repo-commit'], c1);
    }
    // The author, answered once the other machine polled, reads its
    // commit there at once, and so does everyone after it.
    const t0 = Date.now();
    const c2 = await commitOk(u.token, repo, { files: { 'a.txt': '2' } });
    const took = Date.now() - t0;
    for (let i = 0; i < 4; i++) {
      assert.equal(fcgiGet(addr, uri, bearer(u.token))
        .headers['x-repo-commit'], c2, `the author, through the other (${took} ms)`);
      assert.equal(fcgiGet(addr, uri).headers['x-repo-commit'], c2, `anonymous, through the other (${took} ms, ${i})`);
    }
    assert.ok(took >= PERIOD, `the commit waited for the other machine's `
      + `poll (${took} ms, period ${PERIOD} ms)`);

    // A change made without waiting (khubctl, through no web request)
    // reaches the other machine's anonymous callers within the period.
    khubctlDisable(u.name, true);
    try {
      const t1 = Date.now();
      await waitFor(() => fcgiGet(addr, uri, bearer(u.token)).status === 401,
        5);
      const seen = Date.now() - t1;
      assert.ok(seen <= PERIOD + 400, `the disabled user's token refused `
        + `there within the period (${seen} ms)`);
    } finally {
      khubctlDisable(u.name, false);
    }
  });
});

function khubctlDisable(name, on) {
  execFileSync(`${BUILD}/khubctl`, ['-c', CONFIG, 'user', on ? 'disable'
    : 'enable', name], { encoding: 'utf8' });
}

// Revision and path are separate parts of the key: tag "v1" with file
// "x/y" and branch "v1/x" with file "y" are two resolves, not one that
// a cached answer may serve for the other.
test('resolve cache: revision "v1/x" + "y" is not revision "v1" + "x/y"',
  async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const api = `/api/models/${repo.id}`;
  const tagged = await commitOk(u.token, repo, { files: { 'x/y': 'tag' } });
  let res = await request('POST', `${api}/tag/main`, { headers: json(u.token),
    body: { tag: 'v1' } });
  assert.equal(res.status, 200, res.body);
  res = await request('POST', `${api}/branch/v1%2Fx`, { headers: json(u.token),
    body: {} });
  assert.equal(res.status, 200, res.body);
  const branched = await commitOk(u.token, repo, { branch: 'v1/x',
    files: { y: 'branch' } });
  assert.notEqual(branched, tagged);
  assert.deepEqual(await allSay(`/${repo.id}/resolve/v1/x/y`), [tagged]);
  assert.deepEqual(await allSay(`/${repo.id}/resolve/v1%2Fx/y`), [branched],
    'the branch\'s own file, not the tag\'s cached answer');
});
