// t_40_info.mjs: repository info (plain and revision forms), listings with
// keyset pagination, and a user's repositories, through lighttpd, as the
// Python and JS clients read them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  BASE, bearer, commitOk, createRepo, get, khubctl, newUser, sql, test,
  unique,
} from './lib.mjs';

const api = (repo) => `/api/${repo.type || 'model'}s/${repo.id}`;
const enc = encodeURIComponent;
const auth = (token) => ({ headers: token ? bearer(token) : {} });
const gitBlob = (content) => {
  const b = Buffer.from(content);
  return createHash('sha1').update(`blob ${b.length}\0`).update(b)
    .digest('hex');
};
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const HEX40 = /^[0-9a-f]{40}$/;

function assertHfError(res, status, code) {
  assert.equal(res.status, status, res.body);
  assert.equal(res.headers['x-error-code'], code, res.body);
  assert.ok(res.headers['x-error-message'], 'X-Error-Message is set');
}

async function info(repo, { token, rev, query = '' } = {}) {
  const path = rev === undefined ? api(repo) :
    `${api(repo)}/revision/${enc(rev)}`;
  const res = await get(path + query, auth(token));
  assert.equal(res.status, 200, res.body);
  assert.match(res.headers['content-type'], /^application\/json/);
  return res;
}

// Every item of a listing, following Link to the end: {items, pages}.
async function listAll(path, token) {
  const items = [];
  let pages = 0;
  for (;;) {
    const res = await get(path, auth(token));
    assert.equal(res.status, 200, res.body);
    assert.ok(Array.isArray(res.json), res.body);
    items.push(...res.json);
    pages++;
    const link = res.headers.link;
    if (!link) break;
    const m = /^<([^>]+)>; rel="next"$/.exec(link);
    assert.ok(m, `Link header: ${link}`);
    assert.ok(m[1].startsWith(`${BASE}/api/`), `absolute: ${m[1]}`);
    path = m[1].slice(BASE.length);
    assert.ok(pages < 1000, 'pagination ends');
  }
  return { items, pages };
}

const README = '---\nlicense: mit\ntags:\n- a\n- b\nlibrary_name: '
  + 'transformers\npipeline_tag: text-classification\n---\n# title\n';
const FILES = {
  'README.md': README,
  'config.json': '{"a": 1}',
  'dir/x.txt': 'hello',
  'dir/sub/y.txt': 'why',
  'dir with space/ü (1).txt': 'unicode',
};

test('repo info: every field with its type, siblings, cardData', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const head = await commitOk(u.token, repo, { files: FILES });
  const res = await info(repo);
  assert.equal(res.headers['x-repo-commit'], head);
  const m = res.json;
  assert.equal(m.id, repo.id);
  assert.equal(m.modelId, repo.id);
  assert.equal(typeof m._id, 'string');
  assert.ok(m._id.length > 0);
  assert.equal(m.author, u.name);
  assert.equal(m.sha, head);
  assert.match(m.lastModified, ISO_MS);
  assert.match(m.createdAt, ISO_MS);
  assert.ok(Date.parse(m.lastModified) >= Date.parse(m.createdAt));
  assert.equal(m.private, false);
  assert.equal(m.disabled, false);
  assert.equal(m.gated, false);
  assert.equal(typeof m.downloads, 'number');
  assert.equal(typeof m.likes, 'number');
  assert.deepEqual(m.tags, ['transformers', 'a', 'b', 'text-classification',
    'license:mit']);
  assert.equal(m.pipeline_tag, 'text-classification');
  assert.equal(m.library_name, 'transformers');
  assert.deepEqual(m.cardData, { license: 'mit', tags: ['a', 'b'],
    library_name: 'transformers', pipeline_tag: 'text-classification' });
  assert.deepEqual(m.spaces, []);
  assert.equal(m.storage, undefined, 'no storage for anonymous callers');
  assert.deepEqual(m.siblings.map((s) => s.rfilename),
    ['.gitattributes', ...Object.keys(FILES)].sort());
  for (const s of m.siblings)
    assert.deepEqual(Object.keys(s), ['rfilename'], 'no sizes unless blobs');
  // The same _id every time.
  assert.equal((await info(repo)).json._id, m._id);
});

test('repo info blobs=true: size, blobId (the tree oid), lfs null',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    await commitOk(u.token, repo, { files: FILES });
    for (const flag of ['true', 'True', '1']) {
      const m = (await info(repo, { query: `?blobs=${flag}` })).json;
      const byName = Object.fromEntries(m.siblings.map((s) =>
        [s.rfilename, s]));
      for (const [path, content] of Object.entries(FILES)) {
        const s = byName[path];
        assert.equal(s.size, Buffer.byteLength(content), path);
        assert.equal(s.blobId, gitBlob(content), path);
        assert.equal(s.lfs, null, path);
      }
      assert.match(byName['.gitattributes'].blobId, HEX40);
    }
    // The blobId is the tree listing's oid.
    const tree = await get(`${api(repo)}/tree/main/dir?recursive=true`);
    const m = (await info(repo, { query: '?blobs=true' })).json;
    for (const t of tree.json.filter((t) => t.type === 'file'))
      assert.equal(m.siblings.find((s) => s.rfilename === t.path).blobId,
        t.oid);
    const bad = await get(`${api(repo)}?blobs=maybe`);
    assert.equal(bad.status, 400);
  });

test('repo info storage: for callers with write rights only', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: { 'big.txt': 'x'.repeat(1000) } });
  const m = (await info(repo, { token: u.token })).json;
  assert.equal(typeof m.storage, 'object');
  assert.ok(m.storage.used_bytes >= 1000, JSON.stringify(m.storage));
  assert.ok('quota_bytes' in m.storage);
  // A read token, a stranger: no storage.
  const ro = khubctl('token', 'add', u.name, '--role', 'read', '--name',
    'ro').trim();
  assert.equal((await info(repo, { token: ro })).json.storage, undefined);
  const other = newUser();
  assert.equal((await info(repo, { token: other.token })).json.storage,
    undefined);
});

test('repo info without front matter: no cardData, empty tags; a new '
  + 'README shows', async () => {
  const u = newUser();
  const repo = await createRepo(u.token, { type: 'dataset' });
  await commitOk(u.token, repo, { files: { 'README.md': '# plain\n' } });
  let m = (await info(repo)).json;
  assert.ok(m.cardData === undefined || m.cardData === null);
  assert.deepEqual(m.tags, []);
  assert.equal(m.pipeline_tag, null);
  assert.equal(m.library_name, null);
  assert.equal(m.modelId, undefined, 'modelId is for models');
  await commitOk(u.token, repo, { files: { 'README.md':
    '---\nlicense: apache-2.0\ntask_categories:\n- text-classification\n'
    + 'language: [en, fr]\ntags: [x]\n---\n' } });
  m = (await info(repo)).json;
  assert.deepEqual(m.cardData, { license: 'apache-2.0',
    task_categories: ['text-classification'], language: ['en', 'fr'],
    tags: ['x'] });
  assert.deepEqual(m.tags, ['x', 'task_categories:text-classification',
    'language:en', 'language:fr', 'license:apache-2.0']);
  // YAML that PyYAML cannot read (": " in a plain value): no cardData,
  // still 200.
  await commitOk(u.token, repo, { files: { 'README.md':
    '---\nt: a: b\n---\n' } });
  m = (await info(repo)).json;
  assert.ok(m.cardData === undefined || m.cardData === null);
});

test('revision info: branch, full and short commit ids, older commits',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const c1 = await commitOk(u.token, repo, { files: { 'a.txt': 'one' } });
    const c2 = await commitOk(u.token, repo, { files: { 'b.txt': 'two' },
      summary: 'second' });
    for (const rev of ['main', c2, c2.slice(0, 7), 'refs/heads/main']) {
      const res = await info(repo, { rev });
      assert.equal(res.headers['x-repo-commit'], c2, rev);
      const m = res.json;
      assert.equal(m.sha, c2);
      assert.equal(m.type, 'model');
      assert.equal(m.revision, rev);
      assert.equal(m.commit.oid, c2);
      assert.equal(typeof m.commit.date, 'number');
      assert.ok(Math.abs(m.commit.date * 1000 - Date.now()) < 600000);
      assert.equal(m.xetEnabled, false);
      assert.deepEqual(m.siblings.map((s) => s.rfilename),
        ['.gitattributes', 'a.txt', 'b.txt']);
    }
    const old = (await info(repo, { rev: c1.slice(0, 10) })).json;
    assert.equal(old.sha, c1);
    assert.deepEqual(old.siblings.map((s) => s.rfilename),
      ['.gitattributes', 'a.txt']);
    // HEAD, the JS client's default revision, is the default branch.
    const h = await info(repo, { rev: 'HEAD' });
    assert.equal(h.json.sha, c2);
    assert.equal(h.json.revision, 'HEAD');
    // The plain form has no revision fields.
    const plain = (await info(repo)).json;
    assert.equal(plain.revision, undefined);
    assert.equal(plain.commit, undefined);
  });

test('revision info: unknown revisions, missing and private repos',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    await commitOk(u.token, repo, { files: { 'a.txt': 'one' } });
    assertHfError(await get(`${api(repo)}/revision/nope`), 404,
      'RevisionNotFound');
    assertHfError(await get(`${api(repo)}/revision/${'0'.repeat(40)}`),
      404, 'RevisionNotFound');
    assertHfError(await get(`${api(repo)}/revision/a..b`), 400,
      'BadRequest');
    assertHfError(await get(`/api/models/${u.name}/missing-${unique('m')}`),
      401, 'RepoNotFound');
    assertHfError(await get(`/api/models/${u.name}/missing-${unique('m')}`,
      auth(u.token)), 404, 'RepoNotFound');
    const priv = await createRepo(u.token, { private: true });
    assertHfError(await get(api(priv)), 401, 'RepoNotFound');
    assertHfError(await get(api(priv), auth(newUser().token)), 404,
      'RepoNotFound');
    const m = (await info(priv, { token: u.token })).json;
    assert.equal(m.private, true);
    // Ids are matched case-insensitively, answered as stored.
    const upper = await get(`/api/models/${u.name.toUpperCase()}/`
      + `${repo.name.toUpperCase()}`);
    assert.equal(upper.status, 200, upper.body);
    assert.equal(upper.json.id, repo.id);
  });

test('repo info expand: only the fields asked for', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: { 'README.md': README } });
  let m = (await info(repo, { query: '?expand=downloads&expand=likes'
    + '&expand=unknownField' })).json;
  assert.deepEqual(Object.keys(m).sort(), ['_id', 'downloads', 'id',
    'likes']);
  m = (await info(repo, { query: '?expand[]=cardData&expand[]=sha' })).json;
  assert.deepEqual(Object.keys(m).sort(), ['_id', 'cardData', 'id', 'sha']);
  m = (await info(repo, { query: '?expand=usedStorage' })).json;
  assert.equal(typeof m.usedStorage, 'number');
});

// ---- listings ----

// n repos of one owner, with distinct likes/downloads; one private.
async function fleet(u, n, opts = {}) {
  const repos = [];
  for (let i = 0; i < n; i++) {
    const repo = await createRepo(u.token, { name: unique(`Fleet-${i}`),
      private: i === 2, ...opts });
    repos.push(repo);
  }
  for (const [i, r] of repos.entries())
    sql(`UPDATE repo r JOIN namespace n ON n.id = r.owner_id SET`
      + ` r.likes = ${(i * 7) % 5}, r.downloads = ${100 - i},`
      + ` r.created_at = r.created_at - INTERVAL ${n - i} SECOND`
      + ` WHERE n.name = '${r.ns}' AND r.name = '${r.name}'`);
  return repos;
}

test('list models: author, limit and Link pagination to the end, '
  + 'private ones for the owner only', async () => {
  const u = newUser();
  const repos = await fleet(u, 7);
  const pub = repos.filter((_, i) => i !== 2).map((r) => r.id).sort();
  for (const limit of [1, 2, 3, 50]) {
    const { items, pages } = await listAll(
      `/api/models?author=${u.name}&limit=${limit}`);
    const ids = items.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual([...ids].sort(), pub, `limit ${limit}`);
    // A next link only while more remain: no empty last page.
    assert.equal(pages, Math.ceil(pub.length / limit), `limit ${limit}`);
  }
  const own = await listAll(`/api/models?author=${u.name}&limit=2`, u.token);
  assert.deepEqual(own.items.map((m) => m.id).sort(),
    repos.map((r) => r.id).sort());
  const stranger = await listAll(`/api/models?author=${u.name}`,
    newUser().token);
  assert.deepEqual(stranger.items.map((m) => m.id).sort(), pub);
  // Item shape.
  const it = own.items.find((m) => m.id === repos[2].id);
  assert.equal(it.private, true);
  assert.equal(it.author, u.name);
  assert.equal(it.modelId, it.id);
  assert.match(it.sha, HEX40);
  assert.match(it.lastModified, ISO_MS);
  assert.match(it.createdAt, ISO_MS);
  assert.equal(it.gated, false);
  assert.equal(typeof it.downloads, 'number');
  assert.equal(typeof it.likes, 'number');
  assert.ok(Array.isArray(it.tags));
  assert.equal(typeof it._id, 'string');
  assert.equal(it.sha, (await info(repos[2], { token: u.token })).json.sha);
});

test('list models: sort and direction, every spelling', async () => {
  const u = newUser();
  const repos = await fleet(u, 6);
  const q = (s) => listAll(`/api/models?author=${u.name}&limit=2&${s}`,
    u.token).then((r) => r.items);
  const created = await q('sort=createdAt&direction=1');
  assert.deepEqual(created.map((m) => m.id), repos.map((r) => r.id));
  const createdDesc = await q('sort=createdAt');
  assert.deepEqual(createdDesc.map((m) => m.id),
    repos.map((r) => r.id).reverse());
  for (const s of ['likes', 'downloads', 'trending', 'trendingScore']) {
    for (const dir of ['-1', '1']) {
      const items = await q(`sort=${s}&direction=${dir}`);
      assert.equal(items.length, repos.length, s);
      const key = s === 'likes' ? 'likes' : 'downloads';
      for (let i = 1; i < items.length; i++) {
        const a = items[i - 1][key], b = items[i][key];
        assert.ok(dir === '1' ? a <= b : a >= b, `${s} ${dir}`);
      }
    }
  }
  // Ties in likes are broken by id: every repo still shows exactly once.
  const likes = await q('sort=likes&limit=1');
  assert.equal(new Set(likes.map((m) => m.id)).size, repos.length);
  for (const s of ['recent', 'lastModified']) {
    const items = await q(`sort=${s}`);
    for (let i = 1; i < items.length; i++)
      assert.ok(items[i - 1].lastModified >= items[i].lastModified);
  }
  const bad = await get('/api/models?sort=bogus');
  assert.equal(bad.status, 400);
  assert.equal((await get('/api/models?direction=2')).status, 400);
  assert.equal((await get('/api/models?limit=abc')).status, 400);
});

test('list models: search is a case-insensitive substring of the id',
  async () => {
    const u = newUser();
    const tag = unique('Needle').toLowerCase();
    const a = await createRepo(u.token, { name: `x-${tag}-y` });
    await createRepo(u.token, { name: unique('hay') });
    for (const s of [tag, tag.toUpperCase(), `${u.name}/x-${tag}`]) {
      const { items } = await listAll(`/api/models?search=${enc(s)}`);
      assert.deepEqual(items.map((m) => m.id), [a.id], s);
    }
    // LIKE wildcards are literal.
    assert.deepEqual((await listAll(`/api/models?author=${u.name}`
      + '&search=%25')).items, []);
    assert.deepEqual((await listAll('/api/models?search=%C3%BC')).items, []);
  });

test('list: a whole type pages through without gaps (keyset)', async () => {
  const u = newUser();
  await fleet(u, 5, { type: 'space' });
  // However many repositories the database holds: 20 pages of 3 are the
  // first 60 in one page, in order, for every sort.
  for (const sort of ['', '&sort=likes', '&sort=createdAt&direction=1',
    '&sort=downloads']) {
    const one = await get(`/api/spaces?limit=60${sort}`);
    assert.equal(one.status, 200, one.body);
    let path = `/api/spaces?limit=3${sort}`;
    const ids = [];
    for (let page = 0; page < 20 && path; page++) {
      const res = await get(path);
      assert.equal(res.status, 200, res.body);
      assert.ok(res.json.length <= 3);
      ids.push(...res.json.map((m) => m.id));
      const m = /^<([^>]+)>; rel="next"$/.exec(res.headers.link || '');
      path = m ? m[1].slice(BASE.length) : null;
    }
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual(ids, one.json.map((m) => m.id), sort);
    assert.ok(ids.length >= 4);
  }
  // The default page is 50; spaces have no modelId.
  const first = await get('/api/spaces');
  assert.ok(first.json.length <= 50);
  assert.equal(first.json[0].modelId, undefined);
});

test('list: filter by card tags; full and cardData add card fields',
  async () => {
    const u = newUser();
    const tagged = await createRepo(u.token);
    await commitOk(u.token, tagged, { files: { 'README.md': README } });
    const other = await createRepo(u.token);
    await commitOk(u.token, other, { files: { 'README.md':
      '---\ntags: [z]\n---\n' } });
    await createRepo(u.token);
    const f = async (q) => (await listAll(
      `/api/models?author=${u.name}&${q}`)).items.map((m) => m.id).sort();
    assert.deepEqual(await f('filter=a'), [tagged.id]);
    assert.deepEqual(await f('filter=a&filter=license:mit'), [tagged.id]);
    assert.deepEqual(await f('filter=transformers'), [tagged.id]);
    assert.deepEqual(await f('filter=z'), [other.id]);
    assert.deepEqual(await f('filter=a&filter=z'), []);
    const full = (await listAll(`/api/models?author=${u.name}&full=true`))
      .items.find((m) => m.id === tagged.id);
    assert.equal(full.library_name, 'transformers');
    assert.equal(full.pipeline_tag, 'text-classification');
    assert.ok(full.tags.includes('a'));
    const cd = (await listAll(`/api/models?author=${u.name}&cardData=true`))
      .items.find((m) => m.id === tagged.id);
    assert.equal(cd.cardData.license, 'mit');
  });

test('list: as the JS client asks (expand, pipeline_tag, limit 500)',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    await commitOk(u.token, repo, { files: { 'README.md': README } });
    await createRepo(u.token);
    const keys = ['pipeline_tag', 'private', 'gated', 'downloads', 'likes',
      'lastModified'];
    const q = `limit=500&author=${u.name}&`
      + keys.map((k) => `expand=${k}`).join('&');
    const { items } = await listAll(`/api/models?${q}`);
    assert.equal(items.length, 2);
    for (const m of items)
      assert.deepEqual(Object.keys(m).sort(), ['_id', 'id', ...keys].sort());
    const it = items.find((m) => m.id === repo.id);
    assert.equal(it.pipeline_tag, 'text-classification');
    assert.equal(it.private, false);
    const task = await listAll(`/api/models?${q}`
      + '&pipeline_tag=text-classification');
    assert.deepEqual(task.items.map((m) => m.id), [repo.id]);
  });

test('list: org private repos for members only', async () => {
  const owner = newUser();
  const member = newUser();
  const org = unique('org');
  khubctl('org', 'add', org, '--owner', owner.name);
  khubctl('org', 'member', org, member.name, '--role', 'read');
  const priv = await createRepo(owner.token, { organization: org,
    private: true, type: 'dataset' });
  const pub = await createRepo(owner.token, { organization: org,
    type: 'dataset' });
  const ids = async (token) => (await listAll(
    `/api/datasets?author=${org}`, token)).items.map((m) => m.id).sort();
  assert.deepEqual(await ids(member.token), [priv.id, pub.id].sort());
  assert.deepEqual(await ids(owner.token), [priv.id, pub.id].sort());
  assert.deepEqual(await ids(newUser().token), [pub.id]);
  assert.deepEqual(await ids(undefined), [pub.id]);
  // Without author too: the private one shows only to members.
  const all = async (token) => (await listAll('/api/datasets?limit=100000',
    token)).items.map((m) => m.id);
  assert.ok((await all(member.token)).includes(priv.id));
  assert.ok(!(await all(undefined)).includes(priv.id));
});

test('user repos: grouped by type, private ones for those who may read',
  async () => {
    const u = newUser();
    const m = await createRepo(u.token, { type: 'model' });
    const d = await createRepo(u.token, { type: 'dataset' });
    const s = await createRepo(u.token, { type: 'space' });
    const p = await createRepo(u.token, { type: 'model', private: true });
    let res = await get(`/api/users/${u.name}/repos`);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(Object.keys(res.json).sort(),
      ['datasets', 'models', 'spaces']);
    assert.deepEqual(res.json.models.map((x) => x.id), [m.id]);
    assert.deepEqual(res.json.datasets.map((x) => x.id), [d.id]);
    assert.deepEqual(res.json.spaces.map((x) => x.id), [s.id]);
    res = await get(`/api/users/${u.name}/repos`, auth(u.token));
    assert.deepEqual(res.json.models.map((x) => x.id).sort(),
      [m.id, p.id].sort());
    res = await get(`/api/users/${u.name}/repos?limit=1&sort=createdAt`,
      auth(u.token));
    assert.equal(res.json.models.length, 1);
    assert.equal(res.json.models[0].id, p.id, 'newest first');
    const none = await get(`/api/users/${unique('nobody')}/repos`);
    assert.equal(none.status, 404);
  });
