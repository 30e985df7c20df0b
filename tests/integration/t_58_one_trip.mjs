// t_58_one_trip.mjs: a download costs at most one database round trip,
// with a token as without one (repo.c SQL_OPEN: the token, the repository,
// the caller's rights and the ref together), and none when the worker
// answers from memory (a public repository, anonymous or with a token
// the worker has seen: the resolve cache, fresh.c); counted from /metrics
// as t_35 counts a commit's statements. And the answers stay what they
// were: a bad token is 401 before anything else, a private repository is
// the 404 of a missing one for a caller who may not read it.
import assert from 'node:assert/strict';
import {
  bearer, commitOk, confValue, createRepo, get, newUser, repoPath, request,
  test,
} from './lib.mjs';

const PERIOD = Number(confValue('resolve_cache_ms'));
const WORKERS = 4;	// at most, behind the stack's lighttpd

async function queries() {
  const res = await get('/metrics');
  assert.equal(res.status, 200, res.body);
  const m = /^khub_db_queries_total (\d+)$/m.exec(res.body);
  assert.ok(m, 'khub_db_queries_total in /metrics');
  return Number(m[1]);
}

// The statements of n requests made by fn(i), once every worker has the
// repository's objects cached (warm-up), less what the workers do on
// their own meanwhile, at most: download counters flushed every 2 s
// (downloads.c), the poll of what changed every resolve_cache_ms and its
// beat every 2 s (fresh.c). Returns [least, most] statements a request.
async function perRequest(fn, n = 20) {
  for (let i = 0; i < 16; i++) await fn(i);
  const before = await queries();
  const t0 = Date.now();
  for (let i = 0; i < n; i++) await fn(i);
  const took = Date.now() - t0;
  const spent = await queries() - before;
  const own = WORKERS * (2 + Math.ceil(took / 2000) * 2 +
    (PERIOD > 0 ? Math.ceil(took / PERIOD) + 1 : 0));
  return [Math.max(spent - own, 0) / n, spent / n];
}

test('resolve, GET and HEAD, anonymous and with a token: one statement, '
  + 'none from memory', async () => {
    const u = newUser(), reader = newUser('read');
    const pub = await createRepo(u.token);
    const priv = await createRepo(u.token, { private: true });
    for (const r of [pub, priv])
      await commitOk(u.token, r, { files: { 'config.json': '{"a": 1}\n' } });
    const path = (r) => `${repoPath(r)}/resolve/main/config.json`;
    const mem = PERIOD > 0 ? 0 : 1;	// statements from memory
    const cases = [
      ['anonymous GET', 'GET', pub, {}, 302, mem],
      ['anonymous HEAD', 'HEAD', pub, {}, 200, mem],
      ['token GET', 'GET', pub, bearer(u.token), 302, mem],
      ['token HEAD', 'HEAD', pub, bearer(u.token), 200, mem],
      ['owner GET, private', 'GET', priv, bearer(u.token), 302, 1],
      ['read token of a stranger, private', 'GET', priv,
        bearer(reader.token), 404, 1],
    ];
    for (const [label, method, repo, headers, status, want] of cases) {
      const [least, most] = await perRequest(async () => {
        const res = await request(method, path(repo), { headers });
        assert.equal(res.status, status, `${label}: ${res.body}`);
        if (status === 404)
          assert.equal(res.headers['x-error-code'], 'RepoNotFound');
      });
      console.log(`  # ${label}: ${least}-${most} statements a request`);
      assert.ok(least <= want && most >= want, `${label}: ${least}-${most} `
        + `statements a request, not ${want}`);
      if (want === 0)
        assert.ok(most < 0.5, `${label}: ${most} statements a request`);
    }
  });

test('a bad token is refused before the repository is looked at; a '
  + 'tag and a missing branch resolve as before', async () => {
  const u = newUser();
  const repo = await createRepo(u.token, { private: true });
  await commitOk(u.token, repo, { files: { 'a.txt': 'a' } });
  for (const h of ['Bearer hf_nottoken', 'Bearer', 'Basic !!',
    `Bearer ${u.token}x`]) {
    const res = await get(`${repoPath(repo)}/resolve/main/a.txt`,
      { headers: { authorization: h } });
    assert.equal(res.status, 401, `${h}: ${res.body}`);
    assert.match(res.json.error, /Invalid credentials/);
  }
  // on a repository name no repository can have, too
  let res = await get('/u\u00e9/x/resolve/main/a.txt',
    { headers: { authorization: 'Bearer hf_nottoken' } });
  assert.equal(res.status, 401);
  res = await get(`${repoPath(repo)}/resolve/nobranch/a.txt`,
    { headers: bearer(u.token) });
  assert.equal(res.status, 404, res.body);
  assert.equal(res.headers['x-error-code'], 'RevisionNotFound');
  res = await request('POST', `/api/models/${repo.id}/tag/main`,
    { body: { tag: 'v1' }, headers: { 'content-type': 'application/json',
      ...bearer(u.token) } });
  assert.equal(res.status, 200, res.body);
  res = await get(`${repoPath(repo)}/resolve/v1/a.txt`,
    { headers: bearer(u.token) });
  assert.equal(res.status, 302, res.body);
  // whoami still takes the token alone
  res = await get('/api/whoami-v2', { headers: bearer(u.token) });
  assert.equal(res.status, 200);
  assert.equal(res.json.name, u.name);
});
