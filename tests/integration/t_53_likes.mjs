// t_53_likes.mjs: likes through lighttpd: like and unlike (POST/DELETE
// .../like), a user's likes (GET /api/users/{user}/likes) and a repo's
// likers (GET .../likers) with the fields huggingface_hub reads and its
// pagination loop (Link rel="next") ending; `likes` exact in info and
// listings after racing likes and unlikes of many users; sort=likes;
// numLikes in the user overview; who may like; private repositories
// invisible through every likes endpoint for every kind of caller.
import assert from 'node:assert/strict';
import {
  BASE, bearer, createRepo, get, khubctl, newUser, paginate as pages,
  request, shown, sql, test, unique,
} from './lib.mjs';

const paginate = (path, token) => pages(path, auth(token));

const plural = (repo) => `${repo.type || 'model'}s`;
const api = (repo) => `/api/${plural(repo)}/${repo.id}`;
const auth = (token) => (token ? bearer(token) : {});
// The clients post with an empty body (Content-Length: 0).
const like = (repo, token) => request('POST', `${api(repo)}/like`,
  { body: '', headers: auth(token) });
const unlike = (repo, token) => request('DELETE', `${api(repo)}/like`,
  { headers: auth(token) });

async function likeOk(repo, token) {
  const res = await like(repo, token);
  assert.equal(res.status, 200, res.body);
}

async function likesOf(repo, token) {
  const res = await get(api(repo), { headers: auth(token) });
  assert.equal(res.status, 200, res.body);
  return res.json.likes;
}

test('likes: like, unlike, counts in info and listings, likers, a user\'s '
  + 'likes, numLikes', async () => {
  const owner = newUser();
  const b = newUser(), c = newUser();
  khubctl('user', 'add', unique('fn'));	// a neighbour, not a liker
  const repo = await createRepo(owner.token);
  const ds = await createRepo(owner.token, { type: 'dataset' });
  assert.equal(await likesOf(repo), 0);

  await likeOk(repo, b.token);
  assert.equal(await likesOf(repo), 1);
  await likeOk(repo, b.token);		// twice: still one like
  assert.equal(await likesOf(repo), 1);
  await likeOk(repo, c.token);
  await likeOk(ds, b.token);
  assert.equal(await likesOf(repo), 2);
  assert.equal(await likesOf(ds), 1);

  // a listing item says the same
  const list = await get(`/api/models?author=${owner.name}`);
  assert.equal(list.status, 200);
  assert.equal(list.json.find((m) => m.id === repo.id).likes, 2);
  const dlist = await get(`/api/datasets?author=${owner.name}`);
  assert.equal(dlist.json.find((m) => m.id === ds.id).likes, 1);

  // likers, newest first, with what list_repo_likers() reads
  let res = await get(`${api(repo)}/likers`);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json.map((u) => u.user), [c.name, b.name]);
  for (const u of res.json) {
    assert.equal(typeof u.fullname, 'string');
    assert.equal(typeof u.avatarUrl, 'string');
  }
  assert.equal(res.headers.link, undefined);

  // a user's likes: {createdAt, repo: {name, type}}, newest first
  res = await get(`/api/users/${b.name}/likes`);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json.map((l) => l.repo), [
    { name: ds.id, type: 'dataset' }, { name: repo.id, type: 'model' }]);
  for (const l of res.json)
    assert.match(l.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  res = await get(`/api/users/${b.name}/overview`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.numLikes, 2);
  assert.equal(res.json.user, b.name);

  // unlike; unliking what one does not like changes nothing
  res = await unlike(repo, b.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(await likesOf(repo), 1);
  res = await unlike(repo, b.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(await likesOf(repo), 1);
  res = await get(`${api(repo)}/likers`);
  assert.deepEqual(res.json.map((u) => u.user), [c.name]);
  res = await get(`/api/users/${b.name}/likes`);
  assert.deepEqual(res.json.map((l) => l.repo.name), [ds.id]);
  assert.equal((await get(`/api/users/${b.name}/overview`)).json.numLikes, 1);
  // the count is the rows, in the database too
  assert.equal(sql(`SELECT likes FROM repo r JOIN namespace n ON n.id =
    r.owner_id WHERE n.name = '${owner.name}' AND r.name = '${repo.name}'`)
    .trim(), '1');

  // a user with no likes, and one who does not exist
  res = await get(`/api/users/${owner.name}/likes`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, []);
  res = await get(`/api/users/${unique('nobody')}/likes`);
  assert.equal(res.status, 404, res.body);
  res = await get('/api/users/bad%20name/likes');
  assert.equal(res.status, 404, res.body);
});

test('likes: a login is needed, a read token may not like, a missing repo '
  + 'is RepoNotFound', async () => {
  const owner = newUser();
  const reader = newUser('read');
  const repo = await createRepo(owner.token);
  let res = await like(repo, null);
  assert.equal(res.status, 401, res.body);
  assert.equal(res.headers['x-error-code'], 'Unauthorized');
  res = await unlike(repo, null);
  assert.equal(res.status, 401, res.body);
  res = await like(repo, reader.token);
  assert.equal(res.status, 403, res.body);
  res = await unlike(repo, reader.token);
  assert.equal(res.status, 403, res.body);
  assert.equal(await likesOf(repo), 0);
  // the read token reads the likers
  res = await get(`${api(repo)}/likers`, { headers: bearer(reader.token) });
  assert.equal(res.status, 200, res.body);

  const missing = { id: `${owner.name}/${unique('missing')}`, type: 'model' };
  for (const [what, r] of [['like', await like(missing, owner.token)],
    ['unlike', await unlike(missing, owner.token)],
    ['likers', await get(`${api(missing)}/likers`,
      { headers: bearer(owner.token) })]]) {
    assert.equal(r.status, 404, `${what}: ${r.body}`);
    assert.equal(r.headers['x-error-code'], 'RepoNotFound', what);
  }
  res = await like(missing, null);
  assert.equal(res.status, 401, res.body);
  assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  // a bad cursor or limit is refused, not read as the first page
  for (const q of ['cursor=x', 'cursor=0', 'cursor=-5', 'limit=x',
    'limit=-1', 'cursor=1%20'])
    assert.equal((await get(`${api(repo)}/likers?${q}`)).status, 400, q);
});

test('likes: the pagination loop of likers and of a user\'s likes ends, '
  + 'each item once', async () => {
  const owner = newUser();
  const repo = await createRepo(owner.token);
  const users = [];
  for (let i = 0; i < 5; i++) {
    users.push(newUser());
    await likeOk(repo, users[i].token);
  }
  // pages of 2: 2 + 2 + 1, the last without a Link
  let { items, pages } = await paginate(`${api(repo)}/likers?limit=2`);
  assert.equal(pages, 3);
  assert.deepEqual(items.map((u) => u.user),
    users.map((u) => u.name).reverse());
  // pages of exactly the total: no empty last page is promised
  ({ items, pages } = await paginate(`${api(repo)}/likers?limit=5`));
  assert.equal(items.length, 5);
  assert.equal(pages, 1);
  // without a limit (the clients send none): one page
  ({ items, pages } = await paginate(`${api(repo)}/likers`));
  assert.equal(items.length, 5);
  assert.equal(pages, 1);

  const fan = newUser();
  const repos = [];
  for (let i = 0; i < 5; i++) {
    repos.push(await createRepo(owner.token,
      { type: i % 2 ? 'dataset' : 'model' }));
    await likeOk(repos[i], fan.token);
  }
  ({ items, pages } = await paginate(`/api/users/${fan.name}/likes?limit=2`));
  assert.equal(pages, 3);
  assert.deepEqual(items.map((l) => l.repo.name),
    repos.map((r) => r.id).reverse());
  assert.deepEqual(items.map((l) => l.repo.type),
    repos.map((r) => r.type).reverse());
  // a like removed between pages does not shift what follows
  const first = await get(`/api/users/${fan.name}/likes?limit=2`);
  assert.equal((await unlike(repos[2], fan.token)).status, 200);
  const next = /^<([^>]+)>/.exec(first.headers.link)[1].slice(BASE.length);
  ({ items } = await paginate(next));
  assert.deepEqual(items.map((l) => l.repo.name),
    [repos[1].id, repos[0].id]);
});

test('likes: exact after racing likes and unlikes of many users',
  async () => {
  const owner = newUser();
  const repo = await createRepo(owner.token);
  const users = Array.from({ length: 12 }, () => newUser());
  // each user likes three times at once, all users at once
  let answers = await Promise.all(users.flatMap((u) =>
    [0, 1, 2].map(() => like(repo, u.token))));
  assert.deepEqual(answers.filter((r) => r.status !== 200), []);
  assert.equal(await likesOf(repo), 12);
  // half unlike (twice each), while the other half like again and new
  // users like
  const late = Array.from({ length: 5 }, () => newUser());
  answers = await Promise.all([
    ...users.slice(0, 6).flatMap((u) => [unlike(repo, u.token),
      unlike(repo, u.token)]),
    ...users.slice(6).map((u) => like(repo, u.token)),
    ...late.map((u) => like(repo, u.token)),
  ]);
  assert.deepEqual(answers.filter((r) => r.status !== 200), []);
  assert.equal(await likesOf(repo), 6 + 5);
  const { items } = await paginate(`${api(repo)}/likers?limit=4`);
  assert.deepEqual(items.map((u) => u.user).sort(),
    [...users.slice(6), ...late].map((u) => u.name).sort());
  const [rows, counter] = sql(`SELECT (SELECT COUNT(*) FROM repo_like
    WHERE repo_id = r.id), r.likes FROM repo r JOIN namespace n ON
    n.id = r.owner_id WHERE n.name = '${owner.name}' AND
    r.name = '${repo.name}'`).trim().split('\t');
  assert.equal(rows, '11');
  assert.equal(counter, '11');

  // one user's likes and unlikes racing each other: whatever wins, the
  // count is the rows
  answers = await Promise.all(late.slice(0, 4).flatMap((u) =>
    [like, unlike, like, unlike, unlike, like].map((f) => f(repo, u.token))));
  assert.deepEqual(answers.filter((r) => r.status !== 200), []);
  const likers = (await paginate(`${api(repo)}/likers?limit=3`)).items;
  const [rows2, counter2] = sql(`SELECT (SELECT COUNT(*) FROM repo_like
    WHERE repo_id = r.id), r.likes FROM repo r JOIN namespace n ON
    n.id = r.owner_id WHERE n.name = '${owner.name}' AND
    r.name = '${repo.name}'`).trim().split('\t');
  assert.equal(counter2, rows2);
  assert.equal(await likesOf(repo), likers.length);
  assert.equal(String(likers.length), rows2);
});

test('likes: sort=likes orders listings both ways, and pages by it',
  async () => {
  const owner = newUser();
  const fans = Array.from({ length: 3 }, () => newUser());
  const r0 = await createRepo(owner.token);
  const r2 = await createRepo(owner.token);
  const r1 = await createRepo(owner.token);
  await likeOk(r2, fans[0].token);
  await likeOk(r2, fans[1].token);
  await likeOk(r1, fans[2].token);
  const ids = async (q) => {
    const res = await get(`/api/models?author=${owner.name}&${q}`);
    assert.equal(res.status, 200, res.body);
    return res.json.map((m) => [m.id, m.likes]);
  };
  assert.deepEqual(await ids('sort=likes&direction=-1'),
    [[r2.id, 2], [r1.id, 1], [r0.id, 0]]);
  assert.deepEqual(await ids('sort=likes'),
    [[r2.id, 2], [r1.id, 1], [r0.id, 0]]);
  assert.deepEqual(await ids('sort=likes&direction=1'),
    [[r0.id, 0], [r1.id, 1], [r2.id, 2]]);
  const { items, pages } = await paginate(
    `/api/models?author=${owner.name}&sort=likes&limit=1`);
  assert.equal(pages, 3);
  assert.deepEqual(items.map((m) => m.id), [r2.id, r1.id, r0.id]);

  // the JS client's listModels reads likes, sorted by them
  const h = await import('@huggingface/hub');
  const seen = [];
  for await (const m of h.listModels({ search: { owner: owner.name },
    sort: 'likes', hubUrl: BASE }))
    seen.push([m.name, m.likes]);
  assert.deepEqual(seen, [[r2.id, 2], [r1.id, 1], [r0.id, 0]]);
});

test('likes: a private repository is invisible through every likes '
  + 'endpoint, for every kind of caller', async () => {
  const owner = newUser();
  const org = unique('likeorg');
  khubctl('org', 'add', org, '--owner', owner.name);
  const member = newUser();
  khubctl('org', 'member', org, member.name, '--role', 'read');
  const stranger = newUser();
  const ownerRead = khubctl('token', 'add', owner.name, '--role', 'read',
    '--name', 'likes-read').trim();
  const priv = await createRepo(owner.token, { organization: org,
    private: true });
  const missing = { id: `${org}/${unique('missing')}`, type: 'model' };
  await likeOk(priv, owner.token);

  const calls = [
    ['like', (r, t) => like(r, t)],
    ['unlike', (r, t) => unlike(r, t)],
    ['likers', (r, t) => get(`${api(r)}/likers`, { headers: auth(t) })],
  ];
  // anonymous and a stranger: exactly a missing repository's answers
  for (const [who, tok] of [['anonymous', null],
    ['stranger', stranger.token]])
    for (const [what, call] of calls) {
      const res = await call(priv, tok);
      const miss = await call(missing, tok);
      assert.equal(res.status, tok ? 404 : 401, `${who} ${what}`);
      assert.equal(res.headers['x-error-code'], 'RepoNotFound',
        `${who} ${what}`);
      assert.equal(shown(res), shown(miss), `${who} ${what}`);
    }
  // the member and the owner see it; the owner's read token reads only
  let res = await get(`${api(priv)}/likers`, { headers: bearer(ownerRead) });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json.map((u) => u.user), [owner.name]);
  assert.equal((await like(priv, ownerRead)).status, 403);
  await likeOk(priv, member.token);
  assert.equal(await likesOf(priv, owner.token), 2);
  res = await get(`${api(priv)}/likers`, { headers: bearer(member.token) });
  assert.deepEqual(res.json.map((u) => u.user), [member.name, owner.name]);

  // a user's likes list and count it only for those who may read it
  const pub = await createRepo(owner.token);
  await likeOk(pub, owner.token);
  for (const [who, tok, want] of [
    ['anonymous', null, [pub.id]],
    ['stranger', stranger.token, [pub.id]],
    ['member', member.token, [pub.id, priv.id]],
    ['owner', owner.token, [pub.id, priv.id]],
    ['owner read token', ownerRead, [pub.id, priv.id]]]) {
    res = await get(`/api/users/${owner.name}/likes`, { headers: auth(tok) });
    assert.equal(res.status, 200, `${who}: ${res.body}`);
    assert.deepEqual(res.json.map((l) => l.repo.name), want, who);
    res = await get(`/api/users/${owner.name}/overview`,
      { headers: auth(tok) });
    assert.equal(res.json.numLikes, want.length, who);
  }
  // a private repo's like count stays private with it: not in listings
  res = await get(`/api/models?author=${org}`);
  assert.deepEqual(res.json, []);
});
