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

test('resolve cache: stale for at most resolve_cache_ms, only anonymous '
  + 'and public', async () => {
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
  } finally {
    pool.kill('SIGTERM');
  }
});
