// t_50_refs.mjs: refs, history, branches and tags, through lighttpd, as the
// Python and JS clients call them.
import assert from 'node:assert/strict';
import {
  BASE, bearer, commit, commitOk, createRepo, get, khubctl, newUser, request,
  sql, test, unique,
} from './lib.mjs';

const api = (repo) => `/api/${repo.type || 'model'}s/${repo.id}`;
const enc = encodeURIComponent;

function assertHfError(res, status, code) {
  assert.equal(res.status, status, res.body);
  if (code !== undefined)
    assert.equal(res.headers['x-error-code'], code, res.body);
  assert.ok(res.headers['x-error-message'], 'X-Error-Message is set');
}

const json = (token) => ({ 'content-type': 'application/json',
  ...(token ? bearer(token) : {}) });

function createBranch(token, repo, branch, body) {
  return request('POST', `${api(repo)}/branch/${enc(branch)}`, {
    headers: json(token), body: body === undefined ? undefined : body });
}
const deleteBranch = (token, repo, branch) => request('DELETE',
  `${api(repo)}/branch/${enc(branch)}`,
  { headers: token ? bearer(token) : {} });
const createTag = (token, repo, rev, body) => request('POST',
  `${api(repo)}/tag/${enc(rev)}`, { headers: json(token), body });
const deleteTag = (token, repo, tag) => request('DELETE',
  `${api(repo)}/tag/${enc(tag)}`, { headers: token ? bearer(token) : {} });

async function refs(token, repo, query = '') {
  const res = await get(`${api(repo)}/refs${query}`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 200, res.body);
  return res.json;
}
const branchMap = (r) => Object.fromEntries(r.branches.map((b) =>
  [b.name, b.targetCommit]));
const tagMap = (r) => Object.fromEntries(r.tags.map((b) =>
  [b.name, b.targetCommit]));

// Every commit id of a revision's history, following Link to the end.
async function history(token, repo, rev, query = '') {
  let path = `${api(repo)}/commits/${enc(rev)}${query}`;
  const all = [];
  let pages = 0;
  for (;;) {
    const res = await get(path, { headers: token ? bearer(token) : {} });
    assert.equal(res.status, 200, res.body);
    assert.ok(Array.isArray(res.json));
    all.push(...res.json);
    pages++;
    const link = res.headers.link;
    if (!link) break;
    const m = /^<([^>]+)>; rel="next"$/.exec(link);
    assert.ok(m, `Link header: ${link}`);
    const u = new URL(m[1]);
    assert.equal(u.origin, new URL(BASE).origin,
      'the Link is absolute, ours');
    path = u.pathname + u.search;
    assert.ok(pages < 1000, 'pagination ends');
  }
  return { all, pages };
}

// A repository with two commits after the initial one.
async function setup(opts = {}) {
  const u = newUser();
  const repo = await createRepo(u.token, opts);
  const initial = (await history(u.token, repo, 'main')).all[0].id;
  const c1 = await commitOk(u.token, repo, { files: { 'a.txt': 'one' },
    summary: 'first' });
  const c2 = await commitOk(u.token, repo, { files: { 'b.txt': 'two' },
    summary: 'second' });
  return { u, repo, initial, c1, c2 };
}

test('refs of a new repository: main only; every key the client reads',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const r = await refs(u.token, repo);
    assert.deepEqual(Object.keys(r).sort(), ['branches', 'converts', 'tags']);
    assert.deepEqual(r.converts, []);
    assert.deepEqual(r.tags, []);
    assert.equal(r.branches.length, 1);
    assert.equal(r.branches[0].name, 'main');
    assert.equal(r.branches[0].ref, 'refs/heads/main');
    assert.match(r.branches[0].targetCommit, /^[0-9a-f]{40}$/);
    for (const q of ['?include_prs=1', '?include_prs=True',
      '?include_prs=true']) {
      const p = await refs(u.token, repo, q);
      assert.deepEqual(p.pullRequests, [], q);
    }
    const res = await get(`${api(repo)}/refs?include_prs=maybe`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 400);
    // anonymous reads a public repository's refs
    const anon = await refs(undefined, repo);
    assert.deepEqual(anon.branches, r.branches);
  });

test('create a branch from main, a tag, a short id; a missing start is 404',
  async () => {
    const { u, repo, initial, c1, c2 } = await setup();
    // from main's head, no body at all (older Python clients)
    let res = await createBranch(u.token, repo, 'from-head');
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { name: 'from-head',
      ref: 'refs/heads/from-head', targetCommit: c2 });
    // an empty JSON object
    res = await createBranch(u.token, repo, 'from-head-2', {});
    assert.equal(res.status, 200, res.body);
    // from a full commit id, a branch, a short id, a tag, refs/heads/x
    res = await createBranch(u.token, repo, 'from-initial',
      { startingPoint: initial });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'from-branch',
      { startingPoint: 'from-initial' });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'from-short',
      { startingPoint: c1.slice(0, 7) });
    assert.equal(res.status, 200, res.body);
    res = await createTag(u.token, repo, c1, { tag: 'v1' });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'from-tag',
      { startingPoint: 'v1' });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'from-ref',
      { startingPoint: 'refs/heads/from-initial' });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(branchMap(await refs(u.token, repo)), {
      main: c2, 'from-head': c2, 'from-head-2': c2, 'from-initial': initial,
      'from-branch': initial, 'from-short': c1, 'from-tag': c1,
      'from-ref': initial,
    });
    // a missing starting point
    res = await createBranch(u.token, repo, 'nope',
      { startingPoint: 'no-such-branch' });
    assertHfError(res, 404, 'RevisionNotFound');
    res = await createBranch(u.token, repo, 'nope',
      { startingPoint: 'f'.repeat(40) });
    assertHfError(res, 404, 'RevisionNotFound');
    // a starting point that is no revision at all
    res = await createBranch(u.token, repo, 'nope',
      { startingPoint: 'a b' });
    assertHfError(res, 400);
    assert.match(res.headers['x-error-message'], /Invalid rev id/);
    // a commit of another repository is not a revision of this one
    const other = await setup();
    res = await createBranch(u.token, repo, 'nope',
      { startingPoint: other.c1 });
    assertHfError(res, 404, 'RevisionNotFound');
    assert.ok(!('nope' in branchMap(await refs(u.token, repo))));
  });

test('an existing branch: 409 with the Hub message; overwrite moves it',
  async () => {
    const { u, repo, initial, c2 } = await setup();
    let res = await createBranch(u.token, repo, 'cool-branch');
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'cool-branch');
    assertHfError(res, 409);
    assert.equal(res.headers['x-error-message'],
      'Reference refs/heads/cool-branch already exists');
    assert.equal(res.json.error,
      'Reference refs/heads/cool-branch already exists');
    res = await createBranch(u.token, repo, 'main');
    assertHfError(res, 409);
    assert.equal(res.headers['x-error-message'],
      'Reference refs/heads/main already exists');
    // the JS client's overwrite: without a start, an existing branch stays
    res = await createBranch(u.token, repo, 'cool-branch',
      { overwrite: true });
    assert.equal(res.status, 200, res.body);
    assert.equal(branchMap(await refs(u.token, repo))['cool-branch'], c2);
    res = await createBranch(u.token, repo, 'cool-branch',
      { overwrite: true, startingPoint: initial });
    assert.equal(res.status, 200, res.body);
    assert.equal(branchMap(await refs(u.token, repo))['cool-branch'],
      initial);
    res = await createBranch(u.token, repo, 'brand-new', { overwrite: true });
    assert.equal(res.status, 200, res.body);
    assert.equal(branchMap(await refs(u.token, repo))['brand-new'], c2);
  });

test('an empty branch has one commit and no files', async () => {
  const { u, repo, c2 } = await setup();
  let res = await createBranch(u.token, repo, 'empty', { emptyBranch: true });
  assert.equal(res.status, 200, res.body);
  const head = res.json.targetCommit;
  assert.notEqual(head, c2);
  const h = (await history(u.token, repo, 'empty')).all;
  assert.equal(h.length, 1);
  assert.equal(h[0].id, head);
  // it is a commit of this repository: resolvable by id, and committable
  res = await createBranch(u.token, repo, 'from-empty',
    { startingPoint: head.slice(0, 8) });
  assert.equal(res.status, 200, res.body);
  const c = await commitOk(u.token, repo, { branch: 'empty',
    files: { 'x.txt': 'x' }, summary: 'on empty' });
  const h2 = (await history(u.token, repo, 'empty')).all;
  assert.deepEqual(h2.map((x) => x.id), [c, head]);
  // overwrite with an empty branch
  res = await createBranch(u.token, repo, 'from-empty',
    { emptyBranch: true, overwrite: true });
  assert.equal(res.status, 200, res.body);
  assert.equal((await history(u.token, repo, 'from-empty')).all.length, 1);
});

test('bad branch names: 400 Invalid rev id; refs/... is refused', async () => {
  const { u, repo } = await setup();
  for (const name of ['a b', 'a..b', 'x.lock', '-x', 'a~1', 'a^', 'a:b',
    'a?b', 'a*b', 'a[b', 'a\\b', 'x/', 'a//b', '.hidden/x', 'a/.b',
    'a.lock/b', 'a@{1}', '@',
    'e'.repeat(40), 'x'.repeat(256)]) {
    const res = await createBranch(u.token, repo, name);
    assertHfError(res, 400);
    assert.match(res.headers['x-error-message'], /Invalid rev id/, name);
  }
  let e = await createBranch(u.token, repo, 'a b', { emptyBranch: true });
  assertHfError(e, 400);
  for (const name of ['refs/pr/5', 'refs/something/random']) {
    const res = await createBranch(u.token, repo, name);
    assertHfError(res, 400);
    assert.match(res.headers['x-error-message'],
      /Invalid reference for a branch/, name);
  }
  // refs/heads/x names branch x
  let res = await createBranch(u.token, repo, 'refs/heads/viaref');
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.name, 'viaref');
  // invalid UTF-8 (%FF) is refused (by lighttpd already, or by khub);
  // valid UTF-8 is a fine name
  res = await request('POST', `${api(repo)}/branch/a%FFb`,
    { headers: json(u.token), body: {} });
  assert.equal(res.status, 400);
  res = await createBranch(u.token, repo, 'café');
  assert.equal(res.status, 200, res.body);
  assert.ok('café' in branchMap(await refs(u.token, repo)));
  // a body that is not what it should be
  res = await createBranch(u.token, repo, 'bad-body',
    { startingPoint: 42 });
  assertHfError(res, 400);
  res = await createBranch(u.token, repo, 'bad-body', '{not json');
  assertHfError(res, 400);
  res = await createBranch(u.token, repo, 'bad-body', { overwrite: 'yes' });
  assertHfError(res, 400);
  res = await createBranch(u.token, repo, 'bad-body',
    { startingPoint: 'main', pad: 'x'.repeat(70000) });
  assertHfError(res, 413);
  res = await createBranch(u.token, repo, 'bad-body', [1]);
  assertHfError(res, 400);
});

test('commit to a new branch: main is unchanged', async () => {
  const { u, repo, initial, c1, c2 } = await setup();
  let res = await createBranch(u.token, repo, 'dev');
  assert.equal(res.status, 200, res.body);
  const d1 = await commitOk(u.token, repo, { branch: 'dev',
    files: { 'dev.txt': 'dev' }, summary: 'on dev' });
  const main = (await history(u.token, repo, 'main')).all.map((c) => c.id);
  const dev = (await history(u.token, repo, 'dev')).all.map((c) => c.id);
  assert.deepEqual(main, [c2, c1, initial]);
  assert.deepEqual(dev, [d1, c2, c1, initial]);
  const r = branchMap(await refs(u.token, repo));
  assert.equal(r.main, c2);
  assert.equal(r.dev, d1);
  // a branch from an older commit, then a commit there
  res = await createBranch(u.token, repo, 'old',
    { startingPoint: initial });
  assert.equal(res.status, 200, res.body);
  const o1 = await commitOk(u.token, repo, { branch: 'old',
    files: { 'o.txt': 'o' } });
  assert.deepEqual((await history(u.token, repo, 'old')).all.map((c) => c.id),
    [o1, initial]);
});

test('delete a branch: then it is gone (commits to it 404); main stays',
  async () => {
    const { u, repo } = await setup();
    let res = await createBranch(u.token, repo, 'gone');
    assert.equal(res.status, 200, res.body);
    res = await deleteBranch(u.token, repo, 'gone');
    assert.equal(res.status, 200, res.body);
    assert.ok(!('gone' in branchMap(await refs(u.token, repo))));
    res = await commit(u.token, repo, { branch: 'gone',
      files: { 'x.txt': 'x' } });
    assertHfError(res, 404, 'RevisionNotFound');
    res = await get(`${api(repo)}/commits/gone`,
      { headers: bearer(u.token) });
    assertHfError(res, 404, 'RevisionNotFound');
    // again: missing
    res = await deleteBranch(u.token, repo, 'gone');
    assertHfError(res, 404, 'RevisionNotFound');
    assert.match(res.headers['x-error-message'], /Invalid rev id/);
    // main cannot go, however it is named
    for (const name of ['main', 'refs/heads/main']) {
      res = await deleteBranch(u.token, repo, name);
      assertHfError(res, 403);
      assert.equal(res.headers['x-error-message'],
        'Cannot delete refs/heads/main');
    }
    // a tag is not a branch
    res = await createTag(u.token, repo, 'main', { tag: 'cool-tag' });
    assert.equal(res.status, 200, res.body);
    res = await deleteBranch(u.token, repo, 'cool-tag');
    assertHfError(res, 404, 'RevisionNotFound');
    assert.match(res.headers['x-error-message'], /Invalid rev id/);
    assert.ok('cool-tag' in tagMap(await refs(u.token, repo)));
    assert.ok('main' in branchMap(await refs(u.token, repo)));
  });

test('a branch name with "/" (feat%2Fx) works everywhere', async () => {
  const { u, repo, c2 } = await setup();
  let res = await createBranch(u.token, repo, 'feat/x');
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.ref, 'refs/heads/feat/x');
  const f1 = await commitOk(u.token, repo, { branch: 'feat/x',
    files: { 'f.txt': 'f' }, summary: 'feature' });
  const h = (await history(u.token, repo, 'feat/x')).all;
  assert.deepEqual(h.slice(0, 2).map((c) => c.id), [f1, c2]);
  const r = await refs(u.token, repo);
  assert.equal(branchMap(r)['feat/x'], f1);
  assert.equal(r.branches.find((b) => b.name === 'feat/x').ref,
    'refs/heads/feat/x');
  res = await createTag(u.token, repo, 'feat/x', { tag: 'rel/1.0' });
  assert.equal(res.status, 200, res.body);
  assert.equal(tagMap(await refs(u.token, repo))['rel/1.0'], f1);
  res = await deleteTag(u.token, repo, 'rel/1.0');
  assert.equal(res.status, 200, res.body);
  res = await deleteBranch(u.token, repo, 'feat/x');
  assert.equal(res.status, 200, res.body);
  assert.ok(!('feat/x' in branchMap(await refs(u.token, repo))));
});

test('tags: create on main, a commit id, a short id; duplicate 409; delete',
  async () => {
    const { u, repo, initial, c1, c2 } = await setup({ type: 'dataset' });
    let res = await createTag(u.token, repo, 'main',
      { tag: 'v0', message: 'This is a tag message.' });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { name: 'v0', ref: 'refs/tags/v0',
      targetCommit: c2 });
    res = await createTag(u.token, repo, initial, { tag: 'commit_1' });
    assert.equal(res.status, 200, res.body);
    res = await createTag(u.token, repo, c1.slice(0, 7), { tag: 'commit_2' });
    assert.equal(res.status, 200, res.body);
    res = await createTag(u.token, repo, 'v0', { tag: 'v0-again' });
    assert.equal(res.status, 200, res.body);
    const r = await refs(u.token, repo);
    assert.deepEqual(tagMap(r), { v0: c2, commit_1: initial,
      commit_2: c1, 'v0-again': c2 });
    assert.equal(r.tags.find((t) => t.name === 'v0').ref, 'refs/tags/v0');
    // the tag is a revision
    const h = (await history(u.token, repo, 'commit_2')).all;
    assert.deepEqual(h.map((c) => c.id), [c1, initial]);
    // duplicate
    res = await createTag(u.token, repo, 'main', { tag: 'v0' });
    assertHfError(res, 409);
    assert.equal(res.headers['x-error-message'],
      'Reference refs/tags/v0 already exists');
    // delete, then it is gone
    res = await deleteTag(u.token, repo, 'v0');
    assert.equal(res.status, 200, res.body);
    assert.ok(!('v0' in tagMap(await refs(u.token, repo))));
    res = await get(`${api(repo)}/commits/v0`, { headers: bearer(u.token) });
    assertHfError(res, 404, 'RevisionNotFound');
    res = await deleteTag(u.token, repo, 'v0');
    assertHfError(res, 404, 'RevisionNotFound');
    // a branch is not a tag
    res = await deleteTag(u.token, repo, 'main');
    assertHfError(res, 404, 'RevisionNotFound');
    // the tag can be made again
    res = await createTag(u.token, repo, c1, { tag: 'v0' });
    assert.equal(res.status, 200, res.body);
    assert.equal(tagMap(await refs(u.token, repo)).v0, c1);
  });

test('tags: a missing revision is RevisionNotFound before the name; bad names',
  async () => {
    const { u, repo } = await setup();
    let res = await createTag(u.token, repo, 'foobar',
      { tag: 'invalid tag' });
    assertHfError(res, 404, 'RevisionNotFound');
    res = await createTag(u.token, repo, 'main', { tag: 'invalid tag' });
    assertHfError(res, 400);
    assert.match(res.headers['x-error-message'], /Invalid rev id/);
    for (const tag of ['a..b', 'c'.repeat(40), 'x.lock', 'refs/pr/1']) {
      res = await createTag(u.token, repo, 'main', { tag });
      assertHfError(res, 400);
    }
    res = await createTag(u.token, repo, 'main', {});
    assertHfError(res, 400);
    res = await createTag(u.token, repo, 'main', undefined);
    assertHfError(res, 400);
    res = await createTag(u.token, repo, 'main', { tag: 7 });
    assertHfError(res, 400);
    res = await createTag(u.token, repo, 'main', 'nope');
    assertHfError(res, 400);
    res = await createTag(u.token, repo, 'main', { tag: 'refs/tags/ok' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.name, 'ok');
  });

test('a branch and a tag with the same name: both exist, the branch wins',
  async () => {
    const { u, repo, initial, c2 } = await setup();
    let res = await createTag(u.token, repo, initial, { tag: 'same' });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'same');
    assert.equal(res.status, 200, res.body);
    const r = await refs(u.token, repo);
    assert.equal(branchMap(r).same, c2);
    assert.equal(tagMap(r).same, initial);
    // the name resolves to the branch; refs/tags/ names the tag
    assert.equal((await history(u.token, repo, 'same')).all[0].id, c2);
    assert.equal((await history(u.token, repo, 'refs/tags/same')).all[0].id,
      initial);
    assert.equal((await history(u.token, repo, 'refs/heads/same')).all[0].id,
      c2);
    // deleting one leaves the other
    res = await deleteBranch(u.token, repo, 'same');
    assert.equal(res.status, 200, res.body);
    assert.equal((await history(u.token, repo, 'same')).all[0].id, initial);
  });

test('commits: fields, order, title and message, formatted', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const c1 = await commitOk(u.token, repo, { files: { 'a.txt': '1' },
    summary: 'Add <a> & "b"', description: 'Line one\n\nLine three' });
  const c2 = await commitOk(u.token, repo, { files: { 'b.txt': '2' },
    summary: 'Plain title' });
  const t0 = Date.now();
  const res = await get(`${api(repo)}/commits/main`,
    { headers: bearer(u.token) });
  assert.equal(res.status, 200, res.body);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(res.headers['x-total-count'], '3');
  assert.equal(res.headers.link, undefined);
  const h = res.json;
  assert.equal(h.length, 3);
  assert.deepEqual(h.map((c) => c.id).slice(0, 2), [c2, c1]);
  assert.deepEqual(Object.keys(h[0]).sort(),
    ['authors', 'date', 'id', 'message', 'title']);
  assert.equal(h[0].title, 'Plain title');
  assert.equal(h[0].message, '');
  assert.equal(h[1].title, 'Add <a> & "b"');
  assert.equal(h[1].message, 'Line one\n\nLine three');
  assert.equal(h[2].title, 'initial commit');
  assert.equal(h[2].message, '');
  for (const c of h) {
    assert.match(c.id, /^[0-9a-f]{40}$/);
    assert.deepEqual(c.authors, [{ user: u.name }]);
    assert.match(c.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(c.date) - t0) < 600000, 'date is now');
  }
  // newest first: dates never increase
  for (let i = 1; i < h.length; i++)
    assert.ok(Date.parse(h[i - 1].date) >= Date.parse(h[i].date));
  // expand[]=formatted (as the Python client sends it, escaped or not)
  for (const q of ['?expand%5B%5D=formatted', '?expand[]=formatted',
    '?expand=formatted']) {
    const f = await get(`${api(repo)}/commits/main${q}`,
      { headers: bearer(u.token) });
    assert.equal(f.status, 200, f.body);
    assert.equal(f.json[1].formatted.title,
      'Add &lt;a&gt; &amp; &quot;b&quot;', q);
    assert.equal(f.json[1].formatted.message, 'Line one\n\nLine three');
    assert.equal(f.json[1].title, 'Add <a> & "b"');
    assert.equal(f.json[0].formatted.message, '');
  }
  // history from a commit id, full and short, and refs/heads/main
  let r2 = await get(`${api(repo)}/commits/${c1}`,
    { headers: bearer(u.token) });
  assert.deepEqual(r2.json.map((c) => c.id).slice(0, 1), [c1]);
  assert.equal(r2.json.length, 2);
  r2 = await get(`${api(repo)}/commits/${c1.slice(0, 7)}`,
    { headers: bearer(u.token) });
  assert.equal(r2.json[0].id, c1);
  r2 = await get(`${api(repo)}/commits/${enc('refs/heads/main')}`,
    { headers: bearer(u.token) });
  assert.equal(r2.json[0].id, c2);
  // HEAD answers like GET, without a body
  const hd = await request('HEAD', `${api(repo)}/commits/main`,
    { headers: bearer(u.token) });
  assert.equal(hd.status, 200);
  assert.equal(hd.body, '');
  // a missing revision, an invalid one, bad page parameters
  let bad = await get(`${api(repo)}/commits/nope`,
    { headers: bearer(u.token) });
  assertHfError(bad, 404, 'RevisionNotFound');
  bad = await get(`${api(repo)}/commits/${'0'.repeat(40)}`,
    { headers: bearer(u.token) });
  assertHfError(bad, 404, 'RevisionNotFound');
  bad = await get(`${api(repo)}/commits/a..b`, { headers: bearer(u.token) });
  assertHfError(bad, 400);
  for (const q of ['?limit=0', '?limit=x', '?p=-1', '?p=1e3']) {
    bad = await get(`${api(repo)}/commits/main${q}`,
      { headers: bearer(u.token) });
    assertHfError(bad, 400);
  }
  // past the end: an empty page
  const past = await get(`${api(repo)}/commits/main?p=5`,
    { headers: bearer(u.token) });
  assert.equal(past.status, 200);
  assert.deepEqual(past.json, []);
  assert.equal(past.headers.link, undefined);
});

test('commits: 60 commits page through Link to the end, limit and p',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const ids = [];
    for (let i = 0; i < 60; i++)
      ids.unshift(await commitOk(u.token, repo,
        { files: { 'n.txt': String(i) }, summary: `commit ${i}` }));
    const all = await history(u.token, repo, 'main');
    assert.equal(all.all.length, 61);
    assert.equal(all.pages, 2, 'pages of 50 by default');
    assert.deepEqual(all.all.slice(0, 60).map((c) => c.id), ids);
    assert.equal(all.all[60].title, 'initial commit');
    assert.equal(all.all[0].title, 'commit 59');
    assert.equal(new Set(all.all.map((c) => c.id)).size, 61);
    // a smaller limit (the JS client's ?limit=), carried on by Link
    const small = await history(u.token, repo, 'main', '?limit=7');
    assert.equal(small.pages, 9);
    assert.deepEqual(small.all.map((c) => c.id), all.all.map((c) => c.id));
    // formatted is carried on by Link too
    const f = await history(u.token, repo, 'main',
      '?limit=25&expand%5B%5D=formatted');
    assert.equal(f.pages, 3);
    assert.ok(f.all.every((c) => c.formatted &&
      c.formatted.title === c.title));
    // JS countCommits: ?limit=1 and X-Total-Count
    const one = await get(`${api(repo)}/commits/main?limit=1`,
      { headers: bearer(u.token) });
    assert.equal(one.headers['x-total-count'], '61');
    assert.equal(one.json.length, 1);
    assert.match(one.headers.link, /p=1&limit=1/);
    // p=N directly
    const p2 = await get(`${api(repo)}/commits/main?limit=10&p=2`,
      { headers: bearer(u.token) });
    assert.deepEqual(p2.json.map((c) => c.id), ids.slice(20, 30));
    // pages are pinned to the head: a commit landing meanwhile shifts
    // nothing
    const first = await get(`${api(repo)}/commits/main?limit=30`,
      { headers: bearer(u.token) });
    await commitOk(u.token, repo, { files: { 'late.txt': 'x' } });
    const next = new URL(/^<([^>]+)>/.exec(first.headers.link)[1]);
    const second = await get(next.pathname + next.search,
      { headers: bearer(u.token) });
    assert.deepEqual(second.json.map((c) => c.id), ids.slice(30, 60));
    // the cursor in the Link is a commit of this repository, or 400
    const other = await setup();
    for (const c of ['zz', other.c1, '0'.repeat(40)]) {
      const bad = await get(`${api(repo)}/commits/main?p=1&cursor=${c}`,
        { headers: bearer(u.token) });
      assertHfError(bad, 400);
    }
    const cur = await get(`${api(repo)}/commits/main?limit=3&cursor=${ids[40]}`,
      { headers: bearer(u.token) });
    assert.deepEqual(cur.json.map((c) => c.id), ids.slice(40, 43));
    assert.equal(cur.headers['x-total-count'], undefined);
    // a huge limit is clamped to 1000: one page
    const big = await get(`${api(repo)}/commits/main?limit=100000`,
      { headers: bearer(u.token) });
    assert.equal(big.status, 200);
    assert.equal(big.json.length, 62);
  });

test('rights: read tokens, strangers and anonymous cannot change refs',
  async () => {
    const { u, repo, c2 } = await setup();
    const readToken = khubctl('token', 'add', u.name, '--role', 'read',
      '--name', 'ro').trim();
    const stranger = newUser();
    let res = await createTag(u.token, repo, 'main', { tag: 'keep' });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(u.token, repo, 'keep');
    assert.equal(res.status, 200, res.body);
    for (const [who, token, status] of [['read token', readToken, 403],
      ['stranger', stranger.token, 403], ['anonymous', undefined, 401]]) {
      res = await createBranch(token, repo, 'x');
      assertHfError(res, status);
      res = await deleteBranch(token, repo, 'keep');
      assertHfError(res, status);
      res = await createTag(token, repo, 'main', { tag: 'x' });
      assertHfError(res, status);
      res = await deleteTag(token, repo, 'keep');
      assertHfError(res, status);
      // they still read
      const r = await refs(token, repo);
      assert.equal(branchMap(r).keep, c2, who);
      res = await get(`${api(repo)}/commits/main`,
        { headers: token ? bearer(token) : {} });
      assert.equal(res.status, 200, who);
    }
    const r = await refs(u.token, repo);
    assert.deepEqual(Object.keys(branchMap(r)).sort(), ['keep', 'main']);
    assert.deepEqual(Object.keys(tagMap(r)), ['keep']);
    // a missing repository: RepoNotFound, whatever the method
    const ghost = { id: `${u.name}/${unique('ghost')}`, type: 'model' };
    res = await createBranch(u.token, ghost, 'x');
    assertHfError(res, 404, 'RepoNotFound');
    res = await deleteTag(u.token, ghost, 'x');
    assertHfError(res, 404, 'RepoNotFound');
  });

test('an organization: write members manage refs, read members do not',
  async () => {
    const owner = newUser();
    const org = unique('org');
    khubctl('org', 'add', org, '--owner', owner.name);
    const writer = newUser();
    const reader = newUser();
    khubctl('org', 'member', org, writer.name, '--role', 'write');
    khubctl('org', 'member', org, reader.name, '--role', 'read');
    const repo = await createRepo(owner.token, { organization: org,
      private: true });
    let res = await createBranch(writer.token, repo, 'w');
    assert.equal(res.status, 200, res.body);
    res = await createTag(writer.token, repo, 'w', { tag: 'wt' });
    assert.equal(res.status, 200, res.body);
    res = await createBranch(reader.token, repo, 'r');
    assertHfError(res, 403);
    res = await deleteBranch(reader.token, repo, 'w');
    assertHfError(res, 403);
    const r = await refs(reader.token, repo);
    assert.ok('w' in branchMap(r));
    res = await deleteBranch(writer.token, repo, 'w');
    assert.equal(res.status, 200, res.body);
    res = await deleteTag(writer.token, repo, 'wt');
    assert.equal(res.status, 200, res.body);
  });

test('a private repository answers RepoNotFound to strangers and anonymous',
  async () => {
    const { u, repo } = await setup({ private: true });
    const stranger = newUser();
    for (const [token, status] of [[stranger.token, 404], [undefined, 401]]) {
      const headers = token ? bearer(token) : {};
      let res = await get(`${api(repo)}/refs`, { headers });
      assertHfError(res, status, 'RepoNotFound');
      res = await get(`${api(repo)}/commits/main`, { headers });
      assertHfError(res, status, 'RepoNotFound');
      // a revision that exists and one that does not: the same answer
      res = await get(`${api(repo)}/commits/nope`, { headers });
      assertHfError(res, status, 'RepoNotFound');
      res = await createBranch(token, repo, 'x');
      assertHfError(res, status, 'RepoNotFound');
      res = await deleteBranch(token, repo, 'main');
      assertHfError(res, status, 'RepoNotFound');
      res = await createTag(token, repo, 'nope', { tag: 'x' });
      assertHfError(res, status, 'RepoNotFound');
      res = await deleteTag(token, repo, 'x');
      assertHfError(res, status, 'RepoNotFound');
    }
    // the owner sees everything
    const r = await refs(u.token, repo);
    assert.ok('main' in branchMap(r));
    const h = (await history(u.token, repo, 'main')).all;
    assert.equal(h.length, 3);
  });

test('concurrent creations of one branch or tag: exactly one wins',
  async () => {
    const { u, repo } = await setup();
    for (const make of [(i) => createBranch(u.token, repo, 'race',
      { startingPoint: 'main', n: i }),
    (i) => createTag(u.token, repo, 'main', { tag: 'race', message: `${i}` })]) {
      const all = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        make(i)));
      const codes = all.map((r) => r.status).sort();
      assert.equal(codes.filter((c) => c === 200).length, 1, codes.join());
      assert.equal(codes.filter((c) => c === 409).length, 11, codes.join());
    }
  });

test('a history deeper than the database\'s recursion default (1,000)',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const seed = unique('deep');
    const id = sql(`SELECT r.id FROM repo r JOIN namespace n`
      + ` ON n.id = r.owner_id WHERE n.name = '${repo.ns}'`
      + ` AND r.name = '${repo.name}'`).trim();
    const oid = (n) => `UNHEX(SHA1(CONCAT('${seed}-', ${n})))`;
    // 1,500 commits in a first-parent chain, straight into the store
    sql(`INSERT INTO git_commit (oid, tree, parent, author_name,`
      + ` author_email, time, message) SELECT ${oid('seq')},`
      + ` UNHEX('4b825dc642cb6eb9a060e54bf8d69288fbee4904'),`
      + ` IF(seq = 0, NULL, ${oid('seq - 1')}), 'deep', 'deep@example.org',`
      + ` 1700000000 + seq, CONCAT('deep ', seq, '\\n')`
      + ` FROM seq_0_to_1499`);
    sql(`INSERT INTO repo_commit (repo_id, oid) SELECT ${id}, ${oid('seq')}`
      + ` FROM seq_0_to_1499`);
    sql(`INSERT INTO ref (repo_id, kind, name, target) VALUES (${id},`
      + ` 'branch', 'deep', ${oid(1499)})`);
    const first = await get(`${api(repo)}/commits/deep?limit=1000`,
      { headers: bearer(u.token) });
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['x-total-count'], '1500');
    assert.equal(first.json.length, 1000);
    assert.equal(first.json[0].title, 'deep 1499');
    assert.equal(first.json[0].date, '2023-11-14T22:38:19.000Z');
    const all = await history(u.token, repo, 'deep', '?limit=1000');
    assert.equal(all.all.length, 1500);
    assert.equal(all.all[1499].title, 'deep 0');
    const last = await get(`${api(repo)}/commits/deep?limit=100&p=14`,
      { headers: bearer(u.token) });
    assert.deepEqual(last.json.map((c) => c.title),
      Array.from({ length: 100 }, (_, i) => `deep ${99 - i}`));
    assert.equal(last.headers.link, undefined);
    // a branch and a tag deep in that history, by short id
    const deep10 = all.all[1489].id;
    assert.equal(all.all[1489].title, 'deep 10');
    let res = await createBranch(u.token, repo, 'deep10',
      { startingPoint: deep10.slice(0, 10) });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.targetCommit, deep10);
    res = await get(`${api(repo)}/commits/deep10`,
      { headers: bearer(u.token) });
    assert.equal(res.headers['x-total-count'], '11');
  });
