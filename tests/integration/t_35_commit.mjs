// t_35_commit.mjs: the write path: create/delete/move/settings, commit and
// every bad input of it, preupload, a race of two writers, and the cost of a
// commit in a repository of 100,000 files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  bearer, commit, commitOk, createRepo, get, khubctl, newUser, post, repoPath,
  request, sql, test, unique,
} from './lib.mjs';

const gitBlobId = (data) => createHash('sha1')
  .update(`blob ${Buffer.byteLength(data)}\0`).update(data).digest('hex');
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

async function fetchBytes(repo, rev, path) {
  const res = await get(`${repoPath(repo)}/resolve/${encodeURIComponent(rev)}/`
    + path.split('/').map(encodeURIComponent).join('/'));
  assert.equal(res.status, 302, `${path}@${rev}: ${res.status} ${res.body}`);
  const s3 = await fetch(res.headers.location);
  assert.equal(s3.status, 200);
  return Buffer.from(await s3.arrayBuffer());
}

async function head(repo, rev, path) {
  return request('HEAD', `${repoPath(repo)}/resolve/${encodeURIComponent(rev)}/`
    + path.split('/').map(encodeURIComponent).join('/'));
}

test('create: url per type, the initial commit, 409 with url, names', async () => {
  const u = newUser();
  for (const type of ['model', 'dataset', 'space']) {
    const name = unique('c');
    const res = await post('/api/repos/create', { name, type }, u.token);
    assert.equal(res.status, 200, res.body);
    const prefix = type === 'model' ? '' : `${type}s/`;
    assert.equal(res.json.url, `${new URL(res.json.url).origin}/${prefix}${u.name}/${name}`);
    // exists, also case-insensitively: 409 whose body has url (exist_ok)
    const again = await post('/api/repos/create',
      { name: name.toUpperCase(), type }, u.token);
    assert.equal(again.status, 409);
    assert.ok(again.json.url.endsWith(`/${name.toUpperCase()}`));
    // the initial commit holds the default .gitattributes
    const repo = { id: `${u.name}/${name}`, type };
    const h = await head(repo, 'main', '.gitattributes');
    assert.equal(h.status, 200);
    const text = (await fetchBytes(repo, 'main', '.gitattributes')).toString();
    assert.match(text, /^\*\.7z filter=lfs diff=lfs merge=lfs -text$/m);
    assert.match(text, /^\*\.safetensors filter=lfs/m);
    assert.match(text, /^saved_model\/\*\*\/\* filter=lfs/m);
    const commits = await get(`/api/${type}s/${repo.id}/commits/main`);
    assert.equal(commits.json.length, 1);
    assert.equal(commits.json[0].title, 'initial commit');
  }
  for (const bad of ['a--b', 'a..b', '-ab', 'ab.', 'a b', 'x'.repeat(97), '']) {
    const res = await post('/api/repos/create', { name: bad }, u.token);
    assert.equal(res.status, 400, `name ${JSON.stringify(bad)}`);
  }
  assert.equal((await post('/api/repos/create', { name: 'x', type: 'kite' },
    u.token)).status, 400);
  assert.equal((await post('/api/repos/create', { name: unique('p'),
    visibility: 'private' }, u.token)).status, 200);
});

test('create: rights on the namespace', async () => {
  const owner = newUser();
  const reader = newUser();
  const writer = newUser();
  const org = unique('org');
  khubctl('org', 'add', org, '--owner', owner.name);
  khubctl('org', 'member', org, reader.name, '--role', 'read');
  khubctl('org', 'member', org, writer.name, '--role', 'write');
  assert.equal((await post('/api/repos/create', { name: 'x' })).status, 401);
  assert.equal((await post('/api/repos/create', { name: unique('x'),
    organization: org }, reader.token)).status, 403);
  assert.equal((await post('/api/repos/create', { name: unique('x'),
    organization: org }, writer.token)).status, 200);
  const ro = newUser('read');
  assert.equal((await post('/api/repos/create', { name: unique('x') },
    ro.token)).status, 403);
  assert.equal((await post('/api/repos/create', { name: unique('x'),
    organization: owner.name }, writer.token)).status, 403);
});

test('commit: files in folders, replace, delete file and folder', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const files = { 'a.txt': 'A\n', 'dir/b.txt': 'B', 'dir/sub/c.txt': 'C',
    'sp ace/ü (1),?%:.txt': 'unicode' };
  const c1 = await commitOk(u.token, repo, { files });
  assert.match(c1, /^[0-9a-f]{40}$/);
  for (const [p, content] of Object.entries(files)) {
    assert.deepEqual(await fetchBytes(repo, 'main', p), Buffer.from(content));
    const h = await head(repo, 'main', p);
    assert.equal(h.headers['x-repo-commit'], c1);
    assert.equal(h.headers['x-linked-etag'], `"${gitBlobId(content)}"`);
    assert.equal(h.headers['x-linked-size'], String(Buffer.byteLength(content)));
  }
  const c2 = await commitOk(u.token, repo, { files: { 'a.txt': 'A2' },
    deletes: ['dir/sub/'] });
  assert.deepEqual(await fetchBytes(repo, 'main', 'a.txt'), Buffer.from('A2'));
  assert.equal((await head(repo, 'main', 'dir/sub/c.txt')).status, 404);
  // the old commit still serves the old content
  assert.deepEqual(await fetchBytes(repo, c1, 'a.txt'), Buffer.from('A\n'));
  assert.deepEqual(await fetchBytes(repo, c1.slice(0, 7), 'dir/sub/c.txt'),
    Buffer.from('C'));
  // deletedFile on a folder path deletes the folder
  await commitOk(u.token, repo, { deletes: ['dir'] });
  assert.equal((await head(repo, 'main', 'dir/b.txt')).status, 404);
  const res = await get(`/api/models/${repo.id}/commits/main`);
  assert.deepEqual(res.json.slice(1, 2).map((c) => c.id), [c2]);
});

test('commit: the answer, and commitUrl on the endpoint used', async () => {
  const u = newUser();
  const repo = await createRepo(u.token, { type: 'dataset' });
  const res = await commit(u.token, repo, { files: { 'x.csv': 'a,b\n' } });
  assert.equal(res.status, 200, res.body);
  assert.match(res.json.commitOid, /^[0-9a-f]{40}$/);
  assert.equal(res.json.commitUrl,
    `${repo.url}/commit/${res.json.commitOid}`);
});

test('commit: bad input answers 400/422 naming the line, commits nothing',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const head0 = (await head(repo, 'main', '.gitattributes'))
      .headers['x-repo-commit'];
    const url = `/api/models/${repo.id}/commit/main`;
    const send = (text) => request('POST', url, { body: text,
      headers: { 'content-type': 'application/x-ndjson', ...bearer(u.token) } });
    const H = JSON.stringify({ key: 'header', value: { summary: 's' } });
    const file = (path, content = 'eA==') => JSON.stringify({ key: 'file',
      value: { path, content, encoding: 'base64' } });
    const cases = [
      ['', 400, /line 1 must be the 'header'/],
      [file('a.txt'), 400, /line 1 must be the 'header'/],
      [`${H}\n{not json`, 400, /line 2 is not a JSON object/],
      [`${H}\n${file('ok.txt')}\n[1,2]`, 400, /line 3 needs a 'key'/],
      [`${H}\n{"key":"rename","value":{}}`, 400, /line 2: unknown key 'rename'/],
      [`${H}\n${file('a.txt', '!!!')}`, 400, /line 2: 'content' is not valid base64/],
      [`${H}\n${file('../x')}`, 422, /line 2: invalid path/],
      [`${H}\n${file('/abs')}`, 422, /starts with '\/'/],
      [`${H}\n${file('a\\\\b')}`, 422, /backslash/],
      [`${H}\n${file('a//b')}`, 422, /empty segment/],
      [`${H}\n${file('a/./b')}`, 422, /'\.' or '\.\.'/],
      [`${H}\n${file('a\u0001b')}`, 422, /control character/],
      [`${H}\n${file('.git/config')}`, 422, /inside \.git/],
      [`${H}\n${file('x'.repeat(1001))}`, 422, /longer than 1000/],
      [`${H}\n${JSON.stringify({ key: 'lfsFile', value: { path: 'w.bin',
        algo: 'sha256', oid: 'a'.repeat(64), size: 10 } })}`, 422, /never uploaded|not uploaded/],
      [`${H}\n${JSON.stringify({ key: 'lfsFile', value: { path: 'w.bin',
        oid: 'xyz', size: 10 } })}`, 400, /sha256 'oid'/],
      [`${JSON.stringify({ key: 'header', value: { summary: 's',
        parentCommit: 'nothex' } })}`, 400, /parentCommit/],
      [`${JSON.stringify({ key: 'header', value: {} })}`, 400, /summary/],
    ];
    for (const [body, status, re] of cases) {
      const res = await send(body);
      assert.equal(res.status, status, `${body.slice(0, 60)}: ${res.body}`);
      assert.match(res.json.error, re, body.slice(0, 60));
      assert.ok(res.headers['x-error-code']);
    }
    // bytes that are not UTF-8, in the header and in a path
    for (const body of [
      Buffer.concat([Buffer.from('{"key":"header","value":{"summary":"'),
        Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]),
      Buffer.concat([Buffer.from(`${H}\n{"key":"file","value":{"path":"`),
        Buffer.from([0xff]), Buffer.from('.txt","content":"eA=="}}')]),
    ]) {
      const res = await send(body);
      assert.equal(res.status, 400, res.body);
      assert.match(res.json.error, /not valid UTF-8/);
    }
    const res = await post('/api/repos/create', { name: 'x' }, u.token);
    assert.notEqual(res.status, 500);
    assert.equal((await head(repo, 'main', '.gitattributes'))
      .headers['x-repo-commit'], head0, 'nothing was committed');
    assert.equal((await head(repo, 'main', 'ok.txt')).status, 404);
  });

test('commit: rights, missing branch, pull requests', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const reader = newUser('read');
  const stranger = newUser();
  assert.equal((await commit(undefined, repo, { files: { a: 'a' } })).status,
    401);
  assert.equal((await commit(reader.token, repo, { files: { a: 'a' } }))
    .status, 403);
  assert.equal((await commit(stranger.token, repo, { files: { a: 'a' } }))
    .status, 403);
  const ro = khubctl('token', 'add', u.name, '--role', 'read').trim();
  assert.equal((await commit(ro, repo, { files: { a: 'a' } })).status, 403);
  const missing = await commit(u.token, repo, { files: { a: 'a' },
    branch: 'nope' });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['x-error-code'], 'RevisionNotFound');
  const pr = await request('POST', `/api/models/${repo.id}/commit/main?create_pr=1`,
    { body: JSON.stringify({ key: 'header', value: { summary: 's' } }),
      headers: { 'content-type': 'application/x-ndjson', ...bearer(u.token) } });
  // a pull request (t_51 tests them through): an empty commit on main's
  // head, on refs/pr/1, main unmoved
  assert.equal(pr.status, 200, pr.body);
  assert.match(pr.json.pullRequestUrl, /\/discussions\/1$/);
  const gone = await commit(u.token, { id: `${u.name}/nope-${unique('x')}` },
    { files: { a: 'a' } });
  assert.equal(gone.headers['x-error-code'], 'RepoNotFound');
});

test('commit: a stale parentCommit is 412 with the Hub\'s message', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const c1 = await commitOk(u.token, repo, { files: { a: '1' } });
  await commitOk(u.token, repo, { files: { a: '2' }, parent: c1 });
  const stale = await commit(u.token, repo, { files: { a: '3' }, parent: c1 });
  assert.equal(stale.status, 412);
  assert.equal(stale.json.error,
    'A commit has happened since. Please refresh and try again.');
  assert.deepEqual(await fetchBytes(repo, 'main', 'a'), Buffer.from('2'));
});

test('race: two writers on one branch, no update lost', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const n = 12;
  const writer = async (w) => {
    for (let i = 0; i < n; i++)
      await commitOk(u.token, repo, { files: { [`w${w}/f${i}.txt`]: `${w}:${i}` },
        summary: `w${w} ${i}` });
  };
  await Promise.all([writer(1), writer(2), writer(3)]);
  const tree = await get(`/api/models/${repo.id}/tree/main?recursive=true`);
  const paths = tree.json.filter((e) => e.type === 'file').map((e) => e.path);
  for (let w = 1; w <= 3; w++)
    for (let i = 0; i < n; i++)
      assert.ok(paths.includes(`w${w}/f${i}.txt`), `w${w}/f${i}.txt landed`);
  let count = 0;
  for (let url = `/api/models/${repo.id}/commits/main`; url;) {
    const res = await get(url);
    count += res.json.length;
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.link || '');
    url = next ? new URL(next[1]).pathname + new URL(next[1]).search : null;
  }
  assert.equal(count, 1 + 3 * n, 'every commit is in the history');
});

test('preupload: modes, gitignore, same content, oid', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: {
    'small.txt': 'hello\n',
    '.gitignore': '*.log\nbuild/\n!keep.log\n',
    'cfg/model.json': '{}',
  } });
  const pre = async (files, extra = {}) => {
    const res = await post(`/api/models/${repo.id}/preupload/main`,
      { files, ...extra }, u.token);
    assert.equal(res.status, 200, res.body);
    return Object.fromEntries(res.json.files.map((f) => [f.path, f]));
  };
  const sample = (s) => Buffer.from(s).toString('base64');
  const r = await pre([
    { path: 'small.txt', size: 6, sample: sample('hello\n') },
    { path: 'small.txt.copy', size: 6, sample: sample('hello\n') },
    { path: 'cfg/model.json', size: 2, sample: sample('{]') },
    { path: 'w.safetensors', size: 100 },
    { path: 'deep/x.bin', size: 1 },
    { path: 'big.txt', size: 20 * 1024 * 1024 },
    { path: 'nine.txt', size: 9 * 1000 * 1000 },
    { path: 'empty.bin', size: 0 },
    { path: 'x.log', size: 3 },
    { path: 'keep.log', size: 3 },
    { path: 'build/out.o', size: 3 },
    { path: 'new.md', size: 3 },
  ], { gitIgnore: '*.md\n' });
  assert.equal(r['small.txt'].uploadMode, 'regular');
  assert.equal(r['small.txt'].shouldIgnore, true, 'same content, same path');
  assert.equal(r['small.txt'].oid, gitBlobId('hello\n'));
  assert.equal(r['small.txt.copy'].shouldIgnore, false, 'other path');
  assert.equal(r['small.txt.copy'].oid, undefined);
  assert.equal(r['cfg/model.json'].shouldIgnore, false, 'changed content');
  assert.equal(r['w.safetensors'].uploadMode, 'lfs');
  assert.equal(r['deep/x.bin'].uploadMode, 'lfs');
  assert.equal(r['big.txt'].uploadMode, 'lfs', 'over the threshold');
  assert.equal(r['nine.txt'].uploadMode, 'regular', '9 MB stays regular');
  assert.equal(r['empty.bin'].uploadMode, 'regular', 'empty is regular');
  assert.equal(r['x.log'].shouldIgnore, true);
  assert.equal(r['keep.log'].shouldIgnore, false);
  assert.equal(r['build/out.o'].shouldIgnore, true);
  assert.equal(r['new.md'].shouldIgnore, true, 'request gitIgnore');
  // by sha256
  const s = await pre([{ path: 'small.txt', size: 6, sha256: sha256('hello\n') }]);
  assert.equal(s['small.txt'].shouldIgnore, true);
  // a committed .gitattributes changes later modes
  await commitOk(u.token, repo, { files: { '.gitattributes': '*.txt filter=lfs\n' } });
  assert.equal((await pre([{ path: 'a.txt', size: 5 }]))['a.txt'].uploadMode, 'lfs');
  const bad = await post(`/api/models/${repo.id}/preupload/main`,
    { files: [{ path: '../x', size: 1 }] }, u.token);
  assert.equal(bad.status, 422);
  const nobranch = await post(`/api/models/${repo.id}/preupload/nope`,
    { files: [{ path: 'a', size: 1 }] }, u.token);
  assert.equal(nobranch.headers['x-error-code'], 'RevisionNotFound');
});

test('preupload: rules files are bounded (400 over the caps, 413 too costly)', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const url = `/api/models/${repo.id}/preupload/main`;
  const one = [{ path: 'a.txt', size: 1 }];
  const many = Array.from({ length: 10001 }, (_, i) => `r${i}`).join('\n');
  let res = await post(url, { files: one, gitIgnore: many }, u.token);
  assert.equal(res.status, 400, res.body);
  assert.match(res.json.error, /gitIgnore.*10,000 rules/);
  res = await post(url, { files: one, gitIgnore: 'x'.repeat(2049) }, u.token);
  assert.equal(res.status, 400, res.body);
  assert.match(res.json.error, /2,048 bytes/);
  // 4,096 rules against 1,000 paths 480 folders deep: 413, not minutes
  const rules = Array.from({ length: 4096 }, (_, i) => `**/x${i}`).join('\n');
  const files = Array.from({ length: 1000 }, (_, i) =>
    ({ path: `${i}/${'a/'.repeat(480)}f`, size: 1 }));
  res = await post(url, { files, gitIgnore: rules }, u.token);
  assert.equal(res.status, 413, res.body);
  assert.match(res.json.error, /too long/);
  // a committed blank-free .gitattributes near the 1 MiB it is read up to
  const attrs = '*.aaaaa\n'.repeat(120000) + '*.b filter=lfs\n';
  await commitOk(u.token, repo, { files: { '.gitattributes': attrs } });
  res = await post(url, { files: [{ path: 'x.b', size: 1 }, { path: 'x.c', size: 1 }] }, u.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.files[0].uploadMode, 'lfs');
  assert.equal(res.json.files[1].uploadMode, 'regular');
});

test('validate-yaml always answers JSON', async () => {
  const res = await post('/api/validate-yaml', { content: '---\na: b\n---\n',
    repoType: 'model' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { errors: [], warnings: [] });
});

test('delete, move (history moves along), settings', async () => {
  const u = newUser();
  const stranger = newUser();
  const repo = await createRepo(u.token);
  const c1 = await commitOk(u.token, repo, { files: { 'a.txt': 'moved' } });
  // settings: private, then public again
  let res = await request('PUT', `/api/models/${repo.id}/settings`,
    { body: { private: true }, headers: { 'content-type': 'application/json',
      ...bearer(u.token) } });
  assert.equal(res.status, 200, res.body);
  assert.equal((await head(repo, 'main', 'a.txt')).status, 401, 'anonymous');
  assert.equal((await request('HEAD', `${repoPath(repo)}/resolve/main/a.txt`,
    { headers: bearer(stranger.token) })).status, 404);
  res = await request('PUT', `/api/models/${repo.id}/settings`,
    { body: { visibility: 'public' }, headers: { 'content-type':
      'application/json', ...bearer(stranger.token) } });
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  res = await request('PUT', `/api/models/${repo.id}/settings`,
    { body: { visibility: 'public' }, headers: { 'content-type':
      'application/json', ...bearer(u.token) } });
  assert.equal(res.status, 200);
  assert.equal((await head(repo, 'main', 'a.txt')).status, 200);

  const to = `${u.name}/${unique('moved')}`;
  res = await post('/api/repos/move', { fromRepo: repo.id, toRepo: to,
    type: 'model' }, u.token);
  assert.equal(res.status, 200, res.body);
  const moved = { id: to, type: 'model' };
  assert.deepEqual(await fetchBytes(moved, c1, 'a.txt'), Buffer.from('moved'));
  assert.equal((await head(repo, 'main', 'a.txt')).headers['x-error-code'],
    'RepoNotFound');
  const other = await createRepo(u.token);
  res = await post('/api/repos/move', { fromRepo: to, toRepo: other.id,
    type: 'model' }, u.token);
  assert.equal(res.status, 409, 'the destination exists');
  // a destination that is not namespace/name: 400, nothing moved
  for (const bad of [`/${unique('x')}`, `${u.name}/a/b`, unique('bare'),
    `${u.name}/`])
    assert.equal((await post('/api/repos/move', { fromRepo: to, toRepo: bad,
      type: 'model' }, u.token)).status, 400, bad);
  assert.deepEqual(await fetchBytes(moved, c1, 'a.txt'), Buffer.from('moved'));

  res = await request('DELETE', '/api/repos/delete', { body: { name:
    to.split('/')[1], type: 'model' }, headers: { 'content-type':
    'application/json', ...bearer(stranger.token) } });
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  res = await request('DELETE', '/api/repos/delete', { body: { name:
    to.split('/')[1], type: 'model' }, headers: { 'content-type':
    'application/json', ...bearer(u.token) } });
  assert.equal(res.status, 200, res.body);
  assert.equal((await head(moved, 'main', 'a.txt')).headers['x-error-code'],
    'RepoNotFound');
  res = await request('DELETE', '/api/repos/delete', { body: { name: 'gpt2' },
    headers: { 'content-type': 'application/json', ...bearer(u.token) } });
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  assert.equal(sql(`SELECT COUNT(*) FROM repo_commit WHERE oid = UNHEX('${c1}')`)
    .trim(), '0', 'its history went with it');
});

// The cost of a commit must not grow with the repository: median time of a
// one-file commit into an empty repository and into one of 100,000 files
// (1,000 folders of 100), through the same endpoint. Printed, and held to
// the bound (1.5x) on medians of several commits.
// The database statements a commit runs, from /metrics (summed over the
// workers: nothing else runs while the suite does).
async function queriesOf(fn) {
  const count = async () => {
    const res = await get('/metrics');
    assert.equal(res.status, 200, res.body);
    const m = /^khub_db_queries_total (\d+)$/m.exec(res.body);
    assert.ok(m, 'khub_db_queries_total in /metrics');
    return Number(m[1]);
  };
  const before = await count();
  await fn();
  return await count() - before;
}

// Counted, not timed (a loaded machine is not a slow khub): a one-file
// commit into 100,000 files runs the statements one into an empty
// repository runs. Its time is logged; make bench measures it. (This
// replaced a median-time ratio that failed on a loaded machine.)
test('scale: a commit into 100,000 files costs what it costs in an empty '
  + 'repository', async () => {
  const u = newUser();
  const empty = await createRepo(u.token);
  const big = await createRepo(u.token);
  const files = {};
  for (let d = 0; d < 1000; d++)
    for (let f = 0; f < 100; f++) files[`d${d}/f${f}.txt`] = 'same bytes\n';
  await commitOk(u.token, big, { files, summary: '100,000 files' });
  const one = (repo, i) => commitOk(u.token, repo,
    { files: { [`d5/new${i}.txt`]: `n${i}` } });
  await one(empty, 0);
  await one(big, 0);
  const qs = [];
  for (let i = 1; i <= 3; i++) {
    let ms = {};
    const qe = await queriesOf(async () => {
      const t0 = Date.now(); await one(empty, i); ms.e = Date.now() - t0; });
    const qb = await queriesOf(async () => {
      const t0 = Date.now(); await one(big, i); ms.b = Date.now() - t0; });
    qs.push([qe, qb]);
    console.log(`  # one-file commit: empty ${qe} statements ${ms.e} ms, `
      + `100,000 files ${qb} statements ${ms.b} ms`);
  }
  // At most the two trees on the path more (root, d5), read by a worker
  // that has not cached them yet: nothing grows with the repository.
  for (const [qe, qb] of qs)
    assert.ok(qb <= qe + 2, `statements: ${qb} into 100,000 files, ${qe} `
      + 'into an empty repository');
});
