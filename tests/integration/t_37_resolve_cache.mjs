// t_37_resolve_cache.mjs: the opt-in resolve cache ([server]
// resolve_cache_ms): anonymous resolves of public repositories may answer
// from a worker's memory for that long, and no longer; callers with
// credentials and private repositories always ask the database.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  BASE, BUILD, CONFIG, commitOk, createRepo, newUser, request, test, waitFor,
} from './lib.mjs';

const TTL = 700;

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

// A pool of one worker with the resolve cache on, for the duration of fn.
async function withCachePool(fn) {
  const dir = mkdtempSync(`${tmpdir()}/khub-rcache-`);
  const conf = readFileSync(CONFIG, 'utf8').replace(/^resolve_cache_ms.*$/m,
    '').replace(/^\[server\]$/m, `[server]\nresolve_cache_ms = ${TTL}`);
  writeFileSync(`${dir}/khub.conf`, conf);
  const addr = `127.0.0.1:${Number(new URL(BASE).port) + 9}`;
  const pool = spawn(`${BUILD}/khub.fcgi`, ['--listen', addr, '--workers',
    '1'], { env: { ...process.env, KHUB_CONFIG: `${dir}/khub.conf` },
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

test('resolve cache: stale for at most resolve_cache_ms, only anonymous '
  + 'and public', async () => {
  await withCachePool(async (addr) => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const c1 = await commitOk(u.token, repo, { files: { 'a.txt': '1' } });
    const uri = `/${repo.id}/resolve/main/a.txt`;
    assert.equal(fcgiGet(addr, uri).headers['x-repo-commit'], c1);
    const c2 = await commitOk(u.token, repo, { files: { 'a.txt': '2' } });
    // Within the lifetime the anonymous answer may be the cached one; a
    // caller with credentials always sees the new head.
    const t0 = Date.now();
    const anon = fcgiGet(addr, uri).headers['x-repo-commit'];
    if (Date.now() - t0 < TTL / 2) assert.equal(anon, c1, 'served cached');
    assert.equal(fcgiGet(addr, uri, { authorization: `Bearer ${u.token}` })
      .headers['x-repo-commit'], c2);
    await new Promise((r) => setTimeout(r, TTL + 100));
    assert.equal(fcgiGet(addr, uri).headers['x-repo-commit'], c2,
      'fresh after resolve_cache_ms');

    // A private repository is never cached: once private, anonymous
    // callers are refused at once.
    assert.equal(fcgiGet(addr, uri).status, 302);
    const res = await request('PUT', `/api/models/${repo.id}/settings`, {
      body: { private: true }, headers: { 'content-type': 'application/json',
        authorization: `Bearer ${u.token}` } });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, TTL + 100));
    assert.equal(fcgiGet(addr, uri).status, 401);
    assert.equal(fcgiGet(addr, uri).status, 401, 'and not cached');
  });
});

// Revision and path are separate parts of the key: tag "v1" with file
// "x/y" and branch "v1/x" with file "y" are two resolves, not one that
// a cached answer may serve for the other.
test('resolve cache: revision "v1/x" + "y" is not revision "v1" + "x/y"',
  async () => {
  await withCachePool(async (addr) => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const api = `/api/models/${repo.id}`;
    const json = { 'content-type': 'application/json',
      authorization: `Bearer ${u.token}` };
    const tagged = await commitOk(u.token, repo, { files: { 'x/y': 'tag' } });
    let res = await request('POST', `${api}/tag/main`, { headers: json,
      body: { tag: 'v1' } });
    assert.equal(res.status, 200, res.body);
    res = await request('POST', `${api}/branch/v1%2Fx`, { headers: json,
      body: {} });
    assert.equal(res.status, 200, res.body);
    const branched = await commitOk(u.token, repo, { branch: 'v1/x',
      files: { y: 'branch' } });
    assert.notEqual(branched, tagged);
    const viaTag = fcgiGet(addr, `/${repo.id}/resolve/v1/x/y`);
    assert.equal(viaTag.status, 302);
    assert.equal(viaTag.headers['x-repo-commit'], tagged);
    const viaBranch = fcgiGet(addr, `/${repo.id}/resolve/v1%2Fx/y`);
    assert.equal(viaBranch.status, 302);
    assert.equal(viaBranch.headers['x-repo-commit'], branched,
      'the branch\'s own file, not the tag\'s cached answer');
  });
});
