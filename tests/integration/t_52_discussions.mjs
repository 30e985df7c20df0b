// t_52_discussions.mjs: discussions and pull requests as huggingface_hub's
// calls send them (issue 11, community.md's table), through lighttpd:
// create, the listing (filters, the filtered count, pages of 50 newest
// first, the client's loop ending), details byte-stable between calls,
// comment, edit and hide a comment, rename, status changes, and who may do
// each (anonymous, a stranger, a read token, the author, a writer, an org
// member); one number sequence that racing creates never share; private
// repositories invisible through every endpoint for every caller kind.
import assert from 'node:assert/strict';
import {
  bearer, commitOk, createRepo, get, khubctl, newUser, post, request, test,
  unique,
} from './lib.mjs';

const api = (repo) => `/api/models/${repo.id}`;
const S = {};

// create_discussion as the client sends it; returns the number.
async function open(repo, token, title, { pr = false, description } = {}) {
  const res = await post(`${api(repo)}/discussions`, { title,
    description: description || `about ${title}`, pullRequest: pr }, token);
  assert.equal(res.status, 200, res.body);
  assert.equal(typeof res.json.num, 'number');
  return res.json.num;
}

const details = async (repo, num, token) => {
  const res = await get(`${api(repo)}/discussions/${num}?diff=1`,
    { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 200, res.body);
  return res;
};

const change = (repo, num, what, body, token) =>
  post(`${api(repo)}/discussions/${num}/${what}`, body, token);

// Every item of the listing with these filters, as the client pages it:
// p = 0, 1, ... until start + len(page) >= count.
async function listAll(repo, query = '', token) {
  const out = [];
  for (let p = 0; ; p++) {
    assert.ok(p < 100, 'the client would loop forever');
    const res = await get(`${api(repo)}/discussions?p=${p}${query}`,
      { headers: token ? bearer(token) : {} });
    assert.equal(res.status, 200, res.body);
    const { count, start, discussions } = res.json;
    assert.equal(start, p * 50);
    assert.ok(discussions.length <= 50);
    for (const d of discussions) {
      // what get_repo_discussions reads of each
      for (const k of ['title', 'num', 'createdAt', 'status',
        'isPullRequest'])
        assert.ok(k in d, `${k} in a listing item`);
      assert.equal(d.repo.name, repo.id);
      assert.equal(d.repo.type, 'model');
      out.push(d);
    }
    if (start + discussions.length >= count) {
      assert.equal(out.length, count, 'count is the filtered total');
      return out;
    }
  }
}

test('discussions: set-up: owner, org writer and reader, a stranger',
  async () => {
    S.owner = newUser();
    S.org = unique('dorg');
    khubctl('org', 'add', S.org, '--owner', S.owner.name);
    S.writer = newUser();
    khubctl('org', 'member', S.org, S.writer.name, '--role', 'write');
    S.member = newUser();
    khubctl('org', 'member', S.org, S.member.name, '--role', 'read');
    S.stranger = newUser();
    S.readTok = khubctl('token', 'add', S.stranger.name, '--role', 'read',
      '--name', unique('rt')).trim();
    S.repo = await createRepo(S.owner.token, { organization: S.org });
    await commitOk(S.owner.token, S.repo, { files: { 'a.txt': 'a\n' } });
  });

test('discussions: create a PR (a draft) and a discussion; numbers in one '
  + 'sequence; details have the fields the client reads', async () => {
  const { repo } = S;
  S.pr = await open(repo, S.stranger.token, 'Test Pull Request', { pr: true });
  S.disc = await open(repo, S.stranger.token, 'Test Discussion');
  assert.deepEqual([S.pr, S.disc], [1, 2]);
  const d = (await details(repo, S.disc)).json;
  assert.equal(d.num, S.disc);
  assert.equal(d.title, 'Test Discussion');
  assert.equal(d.status, 'open');
  assert.equal(d.isPullRequest, false);
  assert.equal(d.author.name, S.stranger.name);
  assert.ok(!Number.isNaN(Date.parse(d.createdAt)));
  assert.deepEqual(d.repo, { name: repo.id, type: 'model' });
  // a new discussion has exactly one event: its description comment
  assert.equal(d.events.length, 1);
  const c = d.events[0];
  assert.match(c.id, /^[0-9a-f]{24}$/);
  assert.equal(c.type, 'comment');
  assert.equal(c.author.name, S.stranger.name);
  assert.equal(c.data.edited, false);
  assert.equal(c.data.hidden, false);
  assert.equal(c.data.latest.raw, 'about Test Discussion');
  assert.equal(c.data.latest.html, '<p>about Test Discussion</p>\n');
  assert.deepEqual(c.data.history, []);
  const p = (await details(repo, S.pr)).json;
  assert.equal(p.isPullRequest, true);
  assert.equal(p.status, 'draft');
  assert.equal(p.changes.base, 'refs/heads/main');
  assert.deepEqual(p.filesWithConflicts, []);
  assert.equal(p.diff, '');
  // the PR's ref exists, at main's head
  const info = await get(`${api(repo)}/revision/${encodeURIComponent(
    'refs/pr/1')}`);
  assert.equal(info.status, 200, info.body);
});

test('discussions: details are byte-stable between calls', async () => {
  const a = await details(S.repo, S.pr);
  const b = await details(S.repo, S.pr);
  assert.equal(a.body, b.body);
});

test('discussions: bad input: 400s, and 404 for a missing discussion',
  async () => {
    const { repo } = S;
    const tok = S.stranger.token;
    for (const body of [{}, { title: '' }, { title: 'x'.repeat(201) },
      { title: 'a\u0001b' }, { title: 't', pullRequest: 'yes' },
      { title: 't', description: 5 }])
      assert.equal((await post(`${api(repo)}/discussions`, body, tok)).status,
        400, JSON.stringify(body));
    assert.equal((await request('POST', `${api(repo)}/discussions`,
      { body: '{"title":', headers: { 'content-type': 'application/json',
        ...bearer(tok) } })).status, 400);
    let res = await get(`${api(repo)}/discussions/999`);
    assert.equal(res.status, 404);
    res = await get(`${api(repo)}/discussions/abc`);
    assert.equal(res.status, 400);
    for (const q of ['type=nope', 'status=merged', 'p=-1', 'p=x'])
      assert.equal((await get(`${api(repo)}/discussions?${q}`)).status, 400,
        q);
    res = await change(repo, S.disc, 'comment', { comment: '' }, tok);
    assert.equal(res.status, 400);
    res = await change(repo, S.disc, 'status', { status: 'published' }, tok);
    assert.equal(res.status, 400);
    res = await change(repo, 999, 'comment', { comment: 'x' }, tok);
    assert.equal(res.status, 404);
  });

test('discussions: comment (newMessage), edit own comment (updatedComment, '
  + 'history), hide (writers only, text gone)', async () => {
  const { repo } = S;
  let res = await change(repo, S.disc, 'comment', { comment: '**bold** '
    + 'and _it_' }, S.member.token);
  assert.equal(res.status, 200, res.body);
  const c = res.json.newMessage;
  assert.equal(c.type, 'comment');
  assert.equal(c.author.name, S.member.name);
  assert.equal(c.data.latest.html, '<p><strong>bold</strong> and '
    + '<em>it</em></p>\n');
  let d = (await details(repo, S.disc)).json;
  assert.equal(d.events.length, 2);
  assert.deepEqual(d.events[1], c, 'the answer is the stored event');
  // only its author edits a comment
  res = await change(repo, S.disc, `comment/${c.id}/edit`,
    { content: 'hijack' }, S.writer.token);
  assert.equal(res.status, 403);
  res = await change(repo, S.disc, `comment/${c.id}/edit`,
    { content: '**Edited** comment 🤗' }, S.member.token);
  assert.equal(res.status, 200, res.body);
  const e = res.json.updatedComment;
  assert.equal(e.id, c.id);
  assert.equal(e.data.edited, true);
  assert.equal(e.data.latest.raw, '**Edited** comment 🤗');
  assert.equal(e.data.history.length, 1);
  assert.equal(e.data.history[0].raw, '**bold** and _it_');
  d = (await details(repo, S.disc)).json;
  assert.deepEqual(d.events[1], e);
  // hiding: not the author, not a stranger, a writer yes, for good
  for (const t of [S.member.token, S.stranger.token])
    assert.equal((await change(repo, S.disc, `comment/${c.id}/hide`,
      undefined, t)).status, 403);
  res = await request('POST', `${api(repo)}/discussions/${S.disc}/comment/`
    + `${c.id}/hide`, { headers: { ...bearer(S.writer.token),
    'content-length': 0 } });
  assert.equal(res.status, 200, res.body);
  const h = res.json.updatedComment;
  assert.equal(h.data.hidden, true);
  assert.equal(h.data.latest.raw, 'This comment has been hidden');
  assert.deepEqual(h.data.history, []);
  d = (await details(repo, S.disc));
  assert.ok(!d.body.includes('Edited') && !d.body.includes('bold'),
    'a hidden comment\'s text is gone');
  res = await change(repo, S.disc, `comment/${c.id}/edit`,
    { content: 'back' }, S.member.token);
  assert.equal(res.status, 403);
  // an id of no comment of this discussion
  res = await change(repo, S.pr, `comment/${c.id}/edit`, { content: 'x' },
    S.member.token);
  assert.equal(res.status, 404);
});

test('discussions: rename (newTitle from/to) by the author or a writer; '
  + 'status: close and reopen, draft to open; who may', async () => {
  const { repo } = S;
  let res = await change(repo, S.disc, 'title', { title: 'by a member' },
    S.member.token);
  assert.equal(res.status, 403);
  res = await change(repo, S.disc, 'title', { title: 'New title2' },
    S.stranger.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.newTitle.type, 'title-change');
  assert.equal(res.json.newTitle.data.from, 'Test Discussion');
  assert.equal(res.json.newTitle.data.to, 'New title2');
  res = await change(repo, S.disc, 'title', { title: 'Writer title' },
    S.writer.token);
  assert.equal(res.status, 200, res.body);
  assert.equal((await details(repo, S.disc)).json.title, 'Writer title');

  res = await change(repo, S.disc, 'status', { status: 'closed' },
    S.member.token);
  assert.equal(res.status, 403);
  res = await change(repo, S.disc, 'status', { status: 'closed',
    comment: 'closing' }, S.stranger.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.newStatus.type, 'status-change');
  assert.equal(res.json.newStatus.data.status, 'closed');
  res = await change(repo, S.disc, 'status', { status: 'closed' },
    S.stranger.token);
  assert.equal(res.status, 409, 'closed already');
  res = await change(repo, S.disc, 'status', { status: 'open' },
    S.writer.token);
  assert.equal(res.status, 200, res.body);
  const d = (await details(repo, S.disc)).json;
  assert.equal(d.status, 'open');
  assert.deepEqual(d.events.map((e) => e.type), ['comment', 'comment',
    'title-change', 'title-change', 'comment', 'status-change',
    'status-change']);
  // a draft PR opens, then merges (a writer)
  res = await post(`${api(repo)}/discussions/${S.pr}/merge`, {},
    S.writer.token);
  assert.equal(res.status, 409, 'a draft does not merge');
  res = await change(repo, S.pr, 'status', { status: 'open' },
    S.stranger.token);
  assert.equal(res.status, 200, res.body);
  assert.equal((await details(repo, S.pr)).json.status, 'open');
  // a discussion is no pull request
  res = await post(`${api(repo)}/discussions/${S.disc}/merge`, {},
    S.writer.token);
  assert.equal(res.status, 400);
});

test('discussions: anonymous and read tokens take part in nothing: 401 and '
  + '403 on every write', async () => {
  const { repo } = S;
  const calls = [['POST', `${api(repo)}/discussions`, { title: 't',
    description: 'd' }], ['POST', `${api(repo)}/discussions/${S.disc}/comment`,
    { comment: 'c' }], ['POST', `${api(repo)}/discussions/${S.disc}/title`,
    { title: 't' }], ['POST', `${api(repo)}/discussions/${S.disc}/status`,
    { status: 'closed' }], ['POST', `${api(repo)}/discussions/${S.pr}/merge`,
    {}]];
  for (const [m, path, body] of calls) {
    let res = await request(m, path, { body, headers:
      { 'content-type': 'application/json' } });
    assert.equal(res.status, 401, `${path} anonymous: ${res.body}`);
    res = await request(m, path, { body, headers:
      { 'content-type': 'application/json', ...bearer(S.readTok) } });
    assert.equal(res.status, 403, `${path} read token: ${res.body}`);
  }
  // reading is for anyone who may read the repository
  assert.equal((await get(`${api(repo)}/discussions`)).status, 200);
  assert.equal((await get(`${api(repo)}/discussions/${S.disc}`)).status, 200);
});

test('discussions: listing: filters, the filtered count, pages of 50 newest '
  + 'first, an unknown author lists nothing', async () => {
  const repo = await createRepo(S.owner.token, { organization: S.org });
  await commitOk(S.owner.token, repo, { files: { 'a.txt': 'a\n' } });
  const nums = [];
  for (let i = 0; i < 57; i++)
    nums.push(await open(repo, i % 3 ? S.stranger.token : S.writer.token,
      `d${i}`, { pr: i % 10 === 0 }));
  assert.deepEqual(nums, Array.from({ length: 57 }, (_, i) => i + 1));
  await change(repo, 5, 'status', { status: 'closed' }, S.writer.token);
  await change(repo, 11, 'status', { status: 'closed' }, S.writer.token);
  const all = await listAll(repo);
  assert.deepEqual(all.map((d) => d.num), nums.slice().reverse());
  const first = await get(`${api(repo)}/discussions?p=0`);
  assert.equal(first.json.discussions.length, 50);
  assert.equal(first.json.count, 57);
  const prs = await listAll(repo, '&type=pull_request');
  assert.deepEqual(prs.map((d) => d.num), [51, 41, 31, 21, 11, 1]);
  assert.ok(prs.every((d) => d.isPullRequest));
  const disc = await listAll(repo, '&type=discussion');
  assert.equal(disc.length, 51);
  const closed = await listAll(repo, '&status=closed');
  assert.deepEqual(closed.map((d) => d.num), [11, 5]);
  // open includes drafts
  const openOnes = await listAll(repo, '&status=open');
  assert.equal(openOnes.length, 55);
  assert.ok(openOnes.some((d) => d.status === 'draft'));
  const byWriter = await listAll(repo, `&author=${S.writer.name}`);
  assert.deepEqual(byWriter.map((d) => d.num), nums.filter((n) =>
    (n - 1) % 3 === 0).reverse());
  const both = await listAll(repo, `&author=${S.writer.name}`
    + '&type=pull_request&status=all');
  assert.deepEqual(both.map((d) => d.num), [31, 1]);
  const nobody = await get(`${api(repo)}/discussions?author=unknown-${Date.now()}`);
  assert.equal(nobody.status, 200);
  assert.equal(nobody.json.count, 0);
  assert.deepEqual(nobody.json.discussions, []);
  // past the end: an empty page, the count still right
  const past = await get(`${api(repo)}/discussions?p=5`);
  assert.deepEqual(past.json.discussions, []);
  assert.equal(past.json.count, 57);
});

test('discussions: 20 racing creates get 20 distinct numbers', async () => {
  const repo = await createRepo(S.owner.token, { organization: S.org });
  await commitOk(S.owner.token, repo, { files: { 'a.txt': 'a\n' } });
  const got = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    post(`${api(repo)}/discussions`, { title: `race ${i}`, description: 'r',
      pullRequest: i % 2 === 0 }, S.writer.token)));
  for (const r of got) assert.equal(r.status, 200, r.body);
  const nums = got.map((r) => r.json.num).sort((a, b) => a - b);
  assert.deepEqual(nums, Array.from({ length: 20 }, (_, i) => i + 1));
  const refs = await get(`${api(repo)}/refs?include_prs=1`,
    { headers: bearer(S.writer.token) });
  assert.equal(refs.json.pullRequests.length, 10);
});

// ---- private repositories: every endpoint, every caller kind ----

test('discussions: a private repository is invisible through every new '
  + 'endpoint, for every caller kind, exactly as a missing one', async () => {
  const priv = await createRepo(S.owner.token, { organization: S.org,
    private: true });
  await commitOk(S.owner.token, priv, { files: { 'a.txt': 'a\n' } });
  const userPriv = await createRepo(S.owner.token, { private: true });
  await commitOk(S.owner.token, userPriv, { files: { 'a.txt': 'a\n' } });
  for (const r of [priv, userPriv]) {
    const n = await open(r, S.owner.token, 'secret', { pr: true });
    r.num = n;
    const c = await change(r, n, 'comment', { comment: 'c' }, S.owner.token);
    r.cid = c.json.newMessage.id;
  }
  const missing = (r) => ({ id: `${r.id.split('/')[0]}/no-such-${Date.now()}`,
    num: r.num, cid: r.cid });
  const ndjson = [{ key: 'header', value: { summary: 's' } },
    { key: 'file', value: { path: 'x.txt', encoding: 'base64',
      content: 'eA==' } }].map((l) => JSON.stringify(l)).join('\n');
  const calls = (r) => [
    ['GET', `${api(r)}/discussions`],
    ['GET', `${api(r)}/discussions?type=pull_request&status=open`],
    ['POST', `${api(r)}/discussions`, { title: 't', description: 'd' }],
    ['GET', `${api(r)}/discussions/${r.num}?diff=1`],
    ['POST', `${api(r)}/discussions/${r.num}/comment`, { comment: 'c' }],
    ['POST', `${api(r)}/discussions/${r.num}/comment/${r.cid}/edit`,
      { content: 'e' }],
    ['POST', `${api(r)}/discussions/${r.num}/comment/${r.cid}/hide`],
    ['POST', `${api(r)}/discussions/${r.num}/title`, { title: 't' }],
    ['POST', `${api(r)}/discussions/${r.num}/status`, { status: 'closed' }],
    ['POST', `${api(r)}/discussions/${r.num}/merge`],
    ['GET', `${api(r)}/refs?include_prs=1`],
    ['GET', `${api(r)}/revision/${encodeURIComponent(`refs/pr/${r.num}`)}`],
    ['GET', `/${r.id}/resolve/${encodeURIComponent(`refs/pr/${r.num}`)}/a.txt`],
    ['POST', `${api(r)}/preupload/main?create_pr=1`, { files: [] }],
    ['POST', `${api(r)}/commit/main?create_pr=1`, ndjson],
    ['POST', `${api(r)}/commit/${encodeURIComponent(`refs/pr/${r.num}`)}`,
      ndjson],
  ];
  const send = (m, path, body, token) => request(m, path, { body,
    headers: { 'content-type': typeof body === 'string' ?
      'application/x-ndjson' : 'application/json',
    ...(body === undefined && m === 'POST' ? { 'content-length': 0 } : {}),
    ...(token ? bearer(token) : {}) } });
  const shown = (res) => {
    const { requestId, ...rest } = res.json || {};
    return JSON.stringify([res.status, res.headers['x-error-code'],
      res.headers['x-error-message'], rest]);
  };
  // who may not read: anonymous, a stranger (and its read token), an org
  // member on the user's repository
  const cases = [[priv, null, 'anonymous'], [priv, S.stranger.token,
    'stranger'], [priv, S.readTok, 'read token'], [userPriv, S.member.token,
    'org member'], [userPriv, S.writer.token, 'org writer']];
  let cells = 0;
  for (const [r, token, who] of cases) {
    const miss = calls(missing(r));
    const here = calls(r);
    for (let i = 0; i < here.length; i++) {
      const [m, path, body] = here[i];
      const a = await send(m, path, body, token);
      const b = await send(m, miss[i][1], miss[i][2], token);
      assert.equal(a.status, token ? 404 : 401, `${who} ${here[i][1]}: `
        + `${a.status} ${a.body}`);
      assert.equal(a.headers['x-error-code'], 'RepoNotFound',
        `${who} ${here[i][1]}`);
      assert.equal(shown(a), shown(b), `${who} ${here[i][1]} answers as a `
        + 'missing repository');
      cells++;
    }
  }
  assert.equal(cells, 5 * 16);
  // who may read: the owner, an org member (read), the owner's read token
  const ownerRead = khubctl('token', 'add', S.owner.name, '--role', 'read',
    '--name', unique('ort')).trim();
  for (const [r, token] of [[priv, S.owner.token], [priv, S.member.token],
    [userPriv, ownerRead]]) {
    const res = await get(`${api(r)}/discussions`, { headers:
      bearer(token) });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.count, 1);
    assert.equal((await get(`${api(r)}/discussions/${r.num}`,
      { headers: bearer(token) })).status, 200);
  }
  // a read member may comment on the org's private repo with its write token
  const res = await change(priv, priv.num, 'comment', { comment: 'member' },
    S.member.token);
  assert.equal(res.status, 200, res.body);
});
