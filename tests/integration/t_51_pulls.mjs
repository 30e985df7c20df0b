// t_51_pulls.mjs: pull requests through commits (issue 11), through
// lighttpd against the real S3: ?create_pr=1 on preupload, LFS batch and
// commit by a user who may only read the repository (raw HTTP as the
// Python client sends it, and @huggingface/hub's commit({isPullRequest})),
// refs/pr/N (as refs%2Fpr%2FN) as a revision everywhere, further commits
// to it by its author, a writer and nobody else, refs?include_prs=1, and
// merging: fast-forward, a merge commit with two parents checked by git
// itself, conflicts refused with filesWithConflicts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BASE, batchOk, bearer, commit, commitOk, createRepo, get, khubctl,
  lfsHeaders, newUser, post, raw, request, sha256, test, unique, verify,
} from './lib.mjs';

const api = (repo) => `/api/models/${repo.id}`;
const PR = (n) => encodeURIComponent(`refs/pr/${n}`);
const S = {};

// The bytes a download of path at rev gives (resolve, then S3's answer).
async function download(repo, rev, path, token) {
  const res = await get(`/${repo.id}/resolve/${rev}/${path}`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 302, `resolve ${rev} ${path}: ${res.body}`);
  const got = await raw('GET', res.headers.location);
  assert.equal(got.status, 200);
  return got.body;
}

// A commit with ?create_pr=1 as the Python client sends it.
async function createPr(token, repo, opts = {}) {
  const lines = [{ key: 'header', value: { summary: opts.summary ||
    'a pull request', description: opts.description || '',
    ...(opts.parent ? { parentCommit: opts.parent } : {}) } }];
  for (const [path, content] of Object.entries(opts.files || {}))
    lines.push({ key: 'file', value: { path, encoding: 'base64',
      content: Buffer.from(content).toString('base64') } });
  for (const f of opts.lfs || [])
    lines.push({ key: 'lfsFile', value: { path: f.path, algo: 'sha256',
      oid: f.oid, size: f.size } });
  return request('POST', `${api(repo)}/commit/${opts.base || 'main'}`
    + '?create_pr=1', { body: lines.map((l) => JSON.stringify(l))
    .join('\n'), headers: { 'content-type': 'application/x-ndjson',
    ...(token ? bearer(token) : {}) } });
}

async function head(repo, branch = 'main', token) {
  const res = await get(`${api(repo)}/revision/${encodeURIComponent(branch)}`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 200, res.body);
  return res.json.sha;
}

async function details(repo, num, token) {
  const res = await get(`${api(repo)}/discussions/${num}?diff=1`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 200, res.body);
  return res.json;
}

test('pulls: set-up: an owner, a writer (org member), a reader', async () => {
  S.owner = newUser();
  S.org = unique('prorg');
  khubctl('org', 'add', S.org, '--owner', S.owner.name);
  S.writer = newUser();
  khubctl('org', 'member', S.org, S.writer.name, '--role', 'write');
  S.reader = newUser();		// a stranger: may read the public repo
  S.other = newUser();
  S.repo = await createRepo(S.owner.token, { organization: S.org });
  S.base = await commitOk(S.owner.token, S.repo, { summary: 'base',
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'keep.txt': 'keep\n' } });
});

test('pulls: a reader opens a PR with create_pr (preupload, LFS, commit): '
  + 'its objects land, main does not move', async () => {
  const { reader, repo } = S;
  S.lfsData = randomBytes(40000);
  const pre = await post(`${api(repo)}/preupload/main?create_pr=1`,
    { files: [{ path: 'w.bin', size: S.lfsData.length,
      sample: S.lfsData.subarray(0, 512).toString('base64') },
    { path: 'new.txt', size: 4, sample: Buffer.from('new\n')
      .toString('base64') }] }, reader.token);
  assert.equal(pre.status, 200, pre.body);
  assert.equal(pre.json.files.find((f) => f.path === 'w.bin').uploadMode,
    'lfs');
  // without create_pr the reader may not
  assert.equal((await post(`${api(repo)}/preupload/main`, { files: [] },
    reader.token)).status, 403);
  // the LFS batch of a PR names no ref (huggingface_hub and the JS client)
  const oid = sha256(S.lfsData);
  const b = await batchOk(repo, reader.token, 'upload',
    [{ oid, size: S.lfsData.length }], { ref: undefined });
  const o = b.objects[0];
  assert.ok(o.actions && o.actions.upload, JSON.stringify(o));
  assert.equal((await raw('PUT', o.actions.upload.href, S.lfsData)).status,
    200);
  const v = await verify(o.actions.verify.href, reader.token, oid,
    S.lfsData.length);
  assert.equal(v.status, 200, v.body);
  // naming main is still a write
  const main = await request('POST', `/${repo.id}.git/info/lfs/objects/batch`,
    { body: { operation: 'upload', objects: [{ oid, size: 1 }],
      ref: { name: 'main' } }, headers: lfsHeaders(reader.token) });
  assert.equal(main.status, 403);

  const before = await head(repo);
  const res = await createPr(reader.token, repo, { summary: 'Add new.txt '
    + 'and weights', description: 'please merge', files: { 'new.txt': 'new\n',
      'a.txt': 'a, changed by the PR\n' },
    lfs: [{ path: 'w.bin', oid, size: S.lfsData.length }] });
  assert.equal(res.status, 200, res.body);
  assert.match(res.json.commitOid, /^[0-9a-f]{40}$/);
  assert.equal(res.json.commitUrl.split('/commit/')[1], res.json.commitOid);
  assert.equal(res.json.commitUrl.split('/commit/')[0], `${BASE}/${repo.id}`);
  const m = /\/discussions\/(\d+)$/.exec(res.json.pullRequestUrl);
  assert.ok(m, res.json.pullRequestUrl);
  assert.equal(res.json.pullRequestUrl, `${BASE}/${repo.id}/discussions/${m[1]}`);
  S.pr = Number(m[1]);
  S.prHead = res.json.commitOid;
  assert.equal(await head(repo), before, 'main did not move');

  const d = await details(repo, S.pr);
  assert.equal(d.isPullRequest, true);
  assert.equal(d.status, 'open');
  assert.equal(d.title, 'Add new.txt and weights');
  assert.equal(d.author.name, reader.name);
  assert.equal(d.changes.base, 'refs/heads/main');
  assert.deepEqual(d.filesWithConflicts, []);
  assert.deepEqual(d.events.map((e) => e.type), ['comment', 'commit']);
  assert.equal(d.events[0].data.latest.raw, 'please merge');
  assert.equal(d.events[1].data.oid, S.prHead);
  assert.equal(d.events[1].data.subject, 'Add new.txt and weights');
  // the diff against the base: what git diff writes
  assert.match(d.diff, /^diff --git a\/a\.txt b\/a\.txt\nindex [0-9a-f]{7}\.\.[0-9a-f]{7} 100644\n--- a\/a\.txt\n\+\+\+ b\/a\.txt\n@@ -1,1 \+1,1 @@\n-a\n\+a, changed by the PR\n/m);
  assert.match(d.diff, /diff --git a\/new\.txt b\/new\.txt\nnew file mode 100644\n/);
  assert.match(d.diff, /\+oid sha256:[0-9a-f]{64}\n/, 'an LFS file diffs as '
    + 'its pointer');
});

test('pulls: refs%2Fpr%2FN works as a revision: resolve (bytes), info, '
  + 'tree, paths-info, commits, tags, refs?include_prs=1', async () => {
  const { repo, pr, prHead } = S;
  assert.ok(pr, 'needs the PR');
  assert.ok((await download(repo, PR(pr), 'new.txt')).equals(
    Buffer.from('new\n')));
  assert.ok((await download(repo, PR(pr), 'w.bin')).equals(S.lfsData));
  assert.ok((await download(repo, 'main', 'a.txt')).equals(Buffer.from('a\n')));
  const info = await get(`${api(repo)}/revision/${PR(pr)}`);
  assert.equal(info.status, 200, info.body);
  assert.equal(info.json.sha, prHead);
  assert.ok(info.json.siblings.some((s) => s.rfilename === 'w.bin'));
  const tree = await get(`${api(repo)}/tree/${PR(pr)}`);
  assert.equal(tree.status, 200, tree.body);
  assert.deepEqual(tree.json.map((e) => e.path).sort(),
    ['.gitattributes', 'a.txt', 'b.txt', 'keep.txt', 'new.txt', 'w.bin']);
  const pi = await request('POST', `${api(repo)}/paths-info/${PR(pr)}`, {
    body: 'paths=new.txt&paths=w.bin', headers: { 'content-type':
      'application/x-www-form-urlencoded' } });
  assert.equal(pi.status, 200, pi.body);
  assert.equal(pi.json.length, 2);
  const commits = await get(`${api(repo)}/commits/${PR(pr)}`);
  assert.equal(commits.status, 200, commits.body);
  assert.deepEqual(commits.json.map((c) => c.id), [prHead, S.base,
    commits.json[2].id]);
  const tag = await post(`${api(repo)}/tag/${PR(pr)}`, { tag: 'on-pr' },
    S.writer.token);
  assert.equal(tag.status, 200, tag.body);
  assert.equal(tag.json.targetCommit, prHead);

  const refs = await get(`${api(repo)}/refs?include_prs=1`);
  assert.equal(refs.status, 200);
  assert.deepEqual(refs.json.pullRequests, [{ name: String(pr),
    ref: `refs/pr/${pr}`, targetCommit: prHead }]);
  assert.ok(!refs.json.branches.some((b) => b.name.startsWith('refs/')),
    'a PR is no branch');
  const plain = await get(`${api(repo)}/refs`);
  assert.equal(plain.json.pullRequests, undefined);
  // and no branch call may take it away
  const del = await request('DELETE', `${api(repo)}/branch/${PR(pr)}`,
    { headers: bearer(S.owner.token) });
  assert.equal(del.status, 400);
});

test('pulls: further commits to refs/pr/N: its author and a writer may, '
  + 'another user and a read token may not', async () => {
  const { repo, pr } = S;
  const to = (token, files, summary) => commit(token, repo,
    { branch: `refs/pr/${pr}`, files, summary });
  let res = await to(S.reader.token, { 'by-author.txt': 'author\n' },
    'author adds');
  assert.equal(res.status, 200, res.body);
  res = await to(S.writer.token, { 'by-writer.txt': 'writer\n' },
    'writer adds');
  assert.equal(res.status, 200, res.body);
  S.prHead = res.json.commitOid;
  res = await to(S.other.token, { 'x.txt': 'x\n' }, 'stranger');
  assert.equal(res.status, 403, res.body);
  const readTok = khubctl('token', 'add', S.reader.name, '--role', 'read',
    '--name', unique('rt')).trim();
  res = await to(readTok, { 'x.txt': 'x\n' }, 'read token');
  assert.equal(res.status, 403, res.body);
  res = await to(null, { 'x.txt': 'x\n' }, 'anonymous');
  assert.equal(res.status, 401, res.body);
  // a PR that does not exist is a revision that does not
  res = await commit(S.writer.token, repo, { branch: 'refs/pr/999',
    files: { 'x.txt': 'x' } });
  assert.equal(res.status, 404, res.body);
  const d = await details(repo, pr);
  assert.deepEqual(d.events.filter((e) => e.type === 'commit')
    .map((e) => e.data.subject), ['Add new.txt and weights', 'author adds',
    'writer adds']);
  assert.equal(await head(repo, `refs/pr/${pr}`), S.prHead);
});

test('pulls: create_pr: anonymous 401, a read token 403, a missing base '
  + 'branch or a commit id 404 RevisionNotFound, parentCommit starts the PR '
  + 'there', async () => {
  const { repo } = S;
  let res = await createPr(null, repo, { files: { 'z.txt': 'z' } });
  assert.equal(res.status, 401);
  const readTok = khubctl('token', 'add', S.other.name, '--role', 'read',
    '--name', unique('rt')).trim();
  res = await createPr(readTok, repo, { files: { 'z.txt': 'z' } });
  assert.equal(res.status, 403, res.body);
  res = await createPr(S.other.token, repo, { base: 'nope',
    files: { 'z.txt': 'z' } });
  assert.equal(res.status, 404);
  assert.equal(res.headers['x-error-code'], 'RevisionNotFound');
  res = await createPr(S.other.token, repo, { base: S.base,
    files: { 'z.txt': 'z' } });
  assert.equal(res.status, 404);
  assert.equal(res.headers['x-error-code'], 'RevisionNotFound');
  // from an older commit of main
  const newer = await commitOk(S.owner.token, repo, { summary: 'newer',
    files: { 'newer.txt': 'newer\n' } });
  res = await createPr(S.other.token, repo, { parent: S.base,
    files: { 'z.txt': 'z\n' } });
  assert.equal(res.status, 200, res.body);
  const commits = await get(`${api(repo)}/commits/${res.json.commitOid}`);
  assert.equal(commits.json[1].id, S.base, 'the PR starts at parentCommit');
  assert.notEqual(commits.json[1].id, newer);
  // a parentCommit of no commit of the repository
  res = await createPr(S.other.token, repo, { parent: 'f'.repeat(40),
    files: { 'z.txt': 'z\n' } });
  assert.equal(res.status, 404, res.body);
});

test('pulls: the JS client opens a PR (commit isPullRequest) with an LFS '
  + 'file, as a reader', async () => {
  const h = await import('@huggingface/hub');
  const data = randomBytes(30000);
  const out = await h.commit({ repo: S.repo.id, title: 'from the JS client',
    operations: [{ operation: 'addOrUpdate', path: 'js.bin',
      content: new Blob([data]) }, { operation: 'addOrUpdate',
      path: 'js.txt', content: new Blob(['js\n']) }],
    isPullRequest: true, accessToken: S.other.token, hubUrl: BASE,
    useXet: false });
  const m = /\/discussions\/(\d+)$/.exec(out.pullRequestUrl);
  assert.ok(m, JSON.stringify(out));
  assert.ok((await download(S.repo, PR(m[1]), 'js.bin')).equals(data));
  const d = await details(S.repo, m[1]);
  assert.equal(d.author.name, S.other.name);
  assert.equal(d.events[1].data.oid, out.commit.oid);
});

test('pulls: merge: a reader may not; a writer fast-forwards main to the '
  + 'PR (status merged, mergeCommitId)', async () => {
  const repo = await createRepo(S.owner.token, { organization: S.org });
  await commitOk(S.owner.token, repo, { files: { 'a.txt': 'a\n' } });
  const res = await createPr(S.reader.token, repo,
    { files: { 'f.txt': 'ff\n' } });
  assert.equal(res.status, 200, res.body);
  const num = /(\d+)$/.exec(res.json.pullRequestUrl)[1];
  let m = await post(`${api(repo)}/discussions/${num}/merge`, {},
    S.reader.token);
  assert.equal(m.status, 403, m.body);
  m = await request('POST', `${api(repo)}/discussions/${num}/merge`,
    { headers: { ...bearer(S.writer.token), 'content-length': 0 } });
  assert.equal(m.status, 200, m.body);
  assert.equal(await head(repo), res.json.commitOid, 'a fast-forward');
  const d = await details(repo, num);
  assert.equal(d.status, 'merged');
  assert.equal(d.changes.mergeCommitId, res.json.commitOid);
  assert.equal(d.events.at(-1).type, 'status-change');
  assert.equal(d.events.at(-1).data.status, 'merged');
  // merged once: no second merge, no reopening, no more commits
  m = await post(`${api(repo)}/discussions/${num}/merge`, {},
    S.writer.token);
  assert.equal(m.status, 409);
  m = await post(`${api(repo)}/discussions/${num}/status`,
    { status: 'open' }, S.writer.token);
  assert.equal(m.status, 409);
  m = await commit(S.reader.token, repo, { branch: `refs/pr/${num}`,
    files: { 'late.txt': 'late' } });
  assert.equal(m.status, 409);
});

test('pulls: conflicts: a file changed on both sides is listed in '
  + 'filesWithConflicts and refuses the merge; main stays', async () => {
  const { repo } = S;
  const res = await createPr(S.other.token, repo, { summary: 'conflicting',
    files: { 'keep.txt': 'the PR\'s\n', 'b.txt': 'b by the PR\n' } });
  assert.equal(res.status, 200, res.body);
  const num = /(\d+)$/.exec(res.json.pullRequestUrl)[1];
  await commitOk(S.owner.token, repo, { summary: 'main changes keep.txt',
    files: { 'keep.txt': 'main\'s\n' } });
  const before = await head(repo);
  const d = await details(repo, num);
  assert.deepEqual(d.filesWithConflicts, ['keep.txt']);
  const m = await post(`${api(repo)}/discussions/${num}/merge`,
    { comment: 'try' }, S.writer.token);
  assert.equal(m.status, 409, m.body);
  assert.deepEqual(m.json.filesWithConflicts, ['keep.txt']);
  assert.equal(await head(repo), before);
  assert.equal((await details(repo, num)).status, 'open');
});

test('pulls: a file on one side and a folder of its name on the other '
  + 'conflict (git order would not put them side by side)', async () => {
  const repo = await createRepo(S.owner.token, { organization: S.org });
  await commitOk(S.owner.token, repo, { files: { 'a.txt': 'a\n' } });
  const res = await createPr(S.reader.token, repo, { files: { x: 'file\n',
    'x-y.txt': 'between\n' } });
  assert.equal(res.status, 200, res.body);
  const num = /(\d+)$/.exec(res.json.pullRequestUrl)[1];
  await commitOk(S.owner.token, repo, { files: { 'x/in.txt': 'dir\n' } });
  assert.deepEqual((await details(repo, num)).filesWithConflicts, ['x']);
  const m = await post(`${api(repo)}/discussions/${num}/merge`, {},
    S.writer.token);
  assert.equal(m.status, 409, m.body);
  assert.equal(m.headers['x-error-code'], 'MergeConflict');
});

test('pulls: main moved without conflicts: the merge is a commit with two '
  + 'parents (git fsck, git log), both sides\' files in it', async () => {
  const repo = await createRepo(S.owner.token, { organization: S.org });
  await commitOk(S.owner.token, repo, { files: { 'a.txt': 'a\n',
    'dir/x.txt': 'x\n', 'gone.txt': 'gone\n' } });
  const res = await createPr(S.reader.token, repo, { summary: 'pr side',
    files: { 'dir/pr.txt': 'pr\n', 'a.txt': 'a by pr\n' } });
  assert.equal(res.status, 200, res.body);
  const num = /(\d+)$/.exec(res.json.pullRequestUrl)[1];
  // the draft of create_discussion is no create_pr: this one is open
  const mainSide = await commitOk(S.owner.token, repo, { summary: 'main side',
    files: { 'dir/main.txt': 'main\n' }, deletes: ['gone.txt'] });
  let m = await post(`${api(repo)}/discussions/${num}/merge`,
    { comment: 'merging' }, S.writer.token);
  assert.equal(m.status, 200, m.body);
  const merged = await head(repo);
  const d = await details(repo, num);
  assert.equal(d.status, 'merged');
  assert.equal(d.changes.mergeCommitId, merged);
  assert.deepEqual(d.events.slice(-2).map((e) => e.type),
    ['comment', 'status-change']);
  for (const [p, want] of [['a.txt', 'a by pr\n'], ['dir/pr.txt', 'pr\n'],
    ['dir/main.txt', 'main\n'], ['dir/x.txt', 'x\n']])
    assert.ok((await download(repo, 'main', p)).equals(Buffer.from(want)), p);
  assert.equal((await get(`/${repo.id}/resolve/main/gone.txt`)).status, 404);
  // git itself: the merge commit has the two heads as parents
  const dir = mkdtempSync(join(tmpdir(), 'khub-pr-'));
  try {
    const git = (...a) => spawnSync('git', a, { cwd: dir, encoding: 'utf8',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    let r = git('clone', '-q', `${BASE}/${repo.id}`, 'w');
    assert.equal(r.status, 0, r.stderr);
    const w = (...a) => spawnSync('git', ['-C', join(dir, 'w'), ...a],
      { encoding: 'utf8' });
    r = w('fsck', '--strict');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(w('log', '-1', '--format=%H %P').stdout.trim(),
      `${merged} ${mainSide} ${res.json.commitOid}`);
    assert.equal(readFileSync(join(dir, 'w', 'dir/main.txt'), 'utf8'),
      'main\n');
    r = w('ls-remote', 'origin');
    assert.match(r.stdout, new RegExp(`${res.json.commitOid}\trefs/pr/${num}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
