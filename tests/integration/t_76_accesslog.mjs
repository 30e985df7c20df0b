// t_76_accesslog.mjs: khub's access log ([server] access_log; the stack
// writes STACK/khub-access.log): one JSON line per request, found by the
// X-Request-Id the client got: route, repository, status, error code,
// bytes, time, the authenticated user, never a token; a stranger's refused
// read of a private repository is traceable without the answer naming it;
// SIGHUP makes every worker open the file again after a rotation.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import {
  STACK, bearer, commitOk, createRepo, get, newUser, test, waitFor,
} from './lib.mjs';

const LOG = `${STACK}/khub-access.log`;

// The line of request id in the access log (written after the answer:
// waited for).
async function lineOf(id, file = LOG) {
  let found;
  const ok = await waitFor(() => {
    if (!existsSync(file)) return false;
    found = readFileSync(file, 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l)).find((e) => e.id === id);
    return found !== undefined;
  }, 10);
  assert.ok(ok, `no access-log line for request ${id} in ${file}`);
  return found;
}

// The khub.fcgi processes lighttpd started for this stack.
function workers() {
  const lighttpd = Number(readFileSync(`${STACK}/lighttpd/lighttpd.pid`,
    'utf8'));
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        === lighttpd;
    } catch { return false; }
  }).map(Number);
}

test('access log: a line per request, by request id, with route, repo, '
  + 'status, bytes, user', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: { 'a.txt': 'hello' } });

  let res = await get(`/api/models/${repo.id}`);
  assert.equal(res.status, 200);
  let e = await lineOf(res.headers['x-request-id']);
  assert.equal(e.method, 'GET');
  assert.equal(e.route, '/api/{type}/{id}');
  assert.equal(e.repo, repo.id);
  assert.equal(e.status, 200);
  assert.equal(e.error, null);
  assert.equal(e.bytes, Buffer.byteLength(res.body));
  assert.equal(e.user, null);
  assert.ok(e.ms >= 0 && e.ms < 60000, `ms ${e.ms}`);
  assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

  res = await get(`/${repo.id}/resolve/main/a.txt`,
    { headers: bearer(u.token) });
  e = await lineOf(res.headers['x-request-id']);
  assert.equal(e.route, '/{repo}/resolve/{rev}/{path*}');
  assert.equal(e.status, res.status);
  assert.equal(e.user, u.name);

  res = await get('/no/such/endpoint/at/all/here');
  e = await lineOf(res.headers['x-request-id']);
  assert.equal(e.route, null);
  assert.equal(e.status, 404);

  // nothing secret in the log
  assert.ok(!readFileSync(LOG, 'utf8').includes(u.token),
    'a token is in the access log');
});

test('access log: a stranger refused a private repository is traceable; '
  + 'the answer names nothing', async () => {
  const owner = newUser();
  const stranger = newUser();
  const priv = await createRepo(owner.token, { private: true });
  const res = await get(`/api/models/${priv.id}/revision/main`,
    { headers: bearer(stranger.token) });
  assert.equal(res.status, 404);
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  assert.ok(!res.body.includes(priv.name), 'the answer names the repo');
  assert.ok(!res.headers['x-error-message'].includes(priv.name));
  const e = await lineOf(res.headers['x-request-id']);
  assert.deepEqual([e.status, e.error, e.repo, e.user],
    [404, 'RepoNotFound', priv.id, stranger.name]);
});

test('access log: after a rotation, SIGHUP makes every worker write the '
  + 'new file', async () => {
  const pids = workers();
  assert.ok(pids.length >= 1, 'no khub.fcgi workers found');
  const rotated = `${LOG}.1`;
  renameSync(LOG, rotated);
  for (const pid of pids) process.kill(pid, 'SIGHUP');
  // enough requests that every worker answers some
  const ids = [];
  for (let i = 0; i < 20; i++)
    ids.push((await get('/api/health')).headers['x-request-id']);
  for (const id of ids) await lineOf(id);
  assert.ok(!readFileSync(rotated, 'utf8').includes(ids.at(-1)));
  // the workers lived through it
  assert.deepEqual(workers().sort(), pids.sort());
});
