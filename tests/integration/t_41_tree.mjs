// t_41_tree.mjs: the files of a revision: tree listings (root, folders,
// recursive, paginated with Link, expand=lastCommit) and paths-info with
// form and JSON bodies, through lighttpd, as the clients call them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import {
  BASE, bearer, commitOk, createRepo, get, newUser, repoPath, request, test,
} from './lib.mjs';

const api = (repo) => `/api/${repo.type || 'model'}s/${repo.id}`;
const enc = encodeURIComponent;
const auth = (token) => ({ headers: token ? bearer(token) : {} });
const sha1 = (...parts) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const gitBlob = (content) => {
  const b = Buffer.from(content);
  return sha1(`blob ${b.length}\0`, b);
};
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// git's tree id of the folder holding files {relative path: content}.
function gitTree(files) {
  const here = new Map();
  for (const [path, content] of Object.entries(files)) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      here.set(path, { mode: '100644', id: gitBlob(content), key: path });
    } else {
      const dir = path.slice(0, slash);
      const e = here.get(dir) || { mode: '40000', files: {}, key: `${dir}/` };
      e.files[path.slice(slash + 1)] = content;
      here.set(dir, e);
    }
  }
  const entries = [...here.entries()].map(([name, e]) => ({ name, ...e,
    id: e.files ? gitTree(e.files) : e.id }));
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.key),
    Buffer.from(b.key)));
  const body = Buffer.concat(entries.map((e) => Buffer.concat([
    Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.id, 'hex')])));
  return sha1(`tree ${body.length}\0`, body);
}

function assertHfError(res, status, code) {
  assert.equal(res.status, status, res.body);
  assert.equal(res.headers['x-error-code'], code, res.body);
  assert.ok(res.headers['x-error-message'], 'X-Error-Message is set');
}

async function tree(repo, rev, path = '', query = '', token) {
  const res = await get(`${api(repo)}/tree/${enc(rev)}`
    + (path ? `/${path.split('/').map(enc).join('/')}` : '') + query,
  auth(token));
  assert.equal(res.status, 200, res.body);
  assert.ok(Array.isArray(res.json), res.body);
  return res;
}

// Every item of a tree listing, following Link: {items, pages, commits}.
async function treeAll(repo, rev, path, query, between) {
  let url = `${api(repo)}/tree/${enc(rev)}`
    + (path ? `/${path.split('/').map(enc).join('/')}` : '') + query;
  const items = [], commits = [];
  let pages = 0;
  for (;;) {
    const res = await get(url);
    assert.equal(res.status, 200, res.body);
    items.push(...res.json);
    commits.push(res.headers['x-repo-commit']);
    pages++;
    if (!res.headers.link) break;
    const m = /^<([^>]+)>; rel="next"$/.exec(res.headers.link);
    assert.ok(m, res.headers.link);
    assert.ok(m[1].startsWith(`${BASE}/api/`), m[1]);
    url = m[1].slice(BASE.length);
    if (between) await between(pages);
    assert.ok(pages < 1000);
  }
  return { items, pages, commits };
}

const FILES = {
  'README.md': '# hi\n',
  'config.json': '{"a": 1}',
  'dir/x.txt': 'hello',
  'dir/sub/y.txt': 'why',
  'dir with space/ü (1).txt': 'unicode',
  'a%b?c,d:e.txt': 'odd chars',
};

async function fixture() {
  const u = newUser();
  const repo = await createRepo(u.token);
  const head = await commitOk(u.token, repo, { files: FILES });
  return { u, repo, head };
}

test('tree: root listing, types, oids, sizes; folders carry tree ids',
  async () => {
    const { repo, head } = await fixture();
    const res = await tree(repo, 'main');
    assert.equal(res.headers['x-repo-commit'], head);
    assert.match(res.headers['content-type'], /^application\/json/);
    const byPath = Object.fromEntries(res.json.map((e) => [e.path, e]));
    assert.deepEqual(Object.keys(byPath).sort(), ['.gitattributes',
      'README.md', 'a%b?c,d:e.txt', 'config.json', 'dir',
      'dir with space'].sort());
    for (const [path, content] of Object.entries(FILES)) {
      if (path.includes('/')) continue;
      const e = byPath[path];
      assert.deepEqual(e, { type: 'file', oid: gitBlob(content),
        size: Buffer.byteLength(content), path });
    }
    const strip = (prefix) => Object.fromEntries(Object.entries(FILES)
      .filter(([p]) => p.startsWith(prefix))
      .map(([p, c]) => [p.slice(prefix.length), c]));
    assert.deepEqual(byPath.dir, { type: 'directory',
      oid: gitTree(strip('dir/')), size: 0, path: 'dir' });
    assert.equal(byPath['dir with space'].oid,
      gitTree(strip('dir with space/')));
    // No xet, no lfs on regular files.
    for (const e of res.json) {
      assert.equal(e.lfs, undefined);
      assert.equal(e.xetHash, undefined);
    }
  });

test('tree: folders, unicode and spaces, recursive, trailing slash',
  async () => {
    const { repo } = await fixture();
    let res = await tree(repo, 'main', 'dir');
    assert.deepEqual(res.json.map((e) => [e.type, e.path]),
      [['directory', 'dir/sub'], ['file', 'dir/x.txt']]);
    res = await tree(repo, 'main', 'dir with space');
    assert.deepEqual(res.json.map((e) => e.path),
      ['dir with space/ü (1).txt']);
    assert.equal(res.json[0].size, Buffer.byteLength('unicode'));
    // Encoded as huggingface_hub does (quote with safe=""): '/' as %2F.
    res = await get(`${api(repo)}/tree/main/${enc('dir/sub')}`);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json.map((e) => e.path), ['dir/sub/y.txt']);
    res = await get(`${api(repo)}/tree/main/dir/`);
    assert.deepEqual(res.json.map((e) => e.path), ['dir/sub', 'dir/x.txt']);
    res = await tree(repo, 'main', '', '?recursive=true');
    const all = res.json.map((e) => e.path);
    assert.deepEqual([...all].sort(), ['.gitattributes', 'README.md',
      'a%b?c,d:e.txt', 'config.json', 'dir', 'dir with space',
      'dir with space/ü (1).txt', 'dir/sub', 'dir/sub/y.txt',
      'dir/x.txt'].sort());
    res = await tree(repo, 'main', 'dir', '?recursive=True');
    assert.deepEqual(res.json.map((e) => e.path),
      ['dir/sub', 'dir/sub/y.txt', 'dir/x.txt']);
  });

test('tree: revisions (short id, full id, old commits) and errors',
  async () => {
    const { u, repo, head } = await fixture();
    const c2 = await commitOk(u.token, repo, { files: { 'new.txt': 'n' },
      deletes: ['config.json'] });
    let res = await tree(repo, head.slice(0, 7));
    assert.equal(res.headers['x-repo-commit'], head);
    assert.ok(res.json.some((e) => e.path === 'config.json'));
    res = await tree(repo, c2);
    assert.equal(res.headers['x-repo-commit'], c2);
    res = await tree(repo, 'HEAD');
    assert.equal(res.headers['x-repo-commit'], c2);
    assert.ok(!res.json.some((e) => e.path === 'config.json'));
    assert.ok(res.json.some((e) => e.path === 'new.txt'));
    // A missing path, a file: EntryNotFound, with the commit.
    for (const p of ['nope', 'dir/nope', 'config.json', 'dir/x.txt']) {
      const r = await get(`${api(repo)}/tree/${head}/${enc(p)}`);
      assertHfError(r, 404, 'EntryNotFound');
      assert.equal(r.headers['x-repo-commit'], head, p);
    }
    assertHfError(await get(`${api(repo)}/tree/nope`), 404,
      'RevisionNotFound');
    assertHfError(await get(`${api(repo)}/tree/nope/dir`), 404,
      'RevisionNotFound');
    const priv = await createRepo(u.token, { private: true });
    assertHfError(await get(`${api(priv)}/tree/main`), 401, 'RepoNotFound');
    assertHfError(await get(`${api(priv)}/tree/main`,
      auth(newUser().token)), 404, 'RepoNotFound');
    res = await tree(priv, 'main', '', '', u.token);
    assert.deepEqual(res.json.map((e) => e.path), ['.gitattributes']);
    assert.equal((await get(`${api(repo)}/tree/main?recursive=maybe`))
      .status, 400);
  });

test('tree expand: lastCommit of files and folders', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const c1 = await commitOk(u.token, repo, { files: { 'a.txt': 'a1',
    'd/one.txt': '1', 'e/keep.txt': 'k' }, summary: 'first one' });
  const c2 = await commitOk(u.token, repo, { files: { 'b.txt': 'b1',
    'd/two.txt': '2' }, summary: 'second one',
  description: 'body text' });
  const c3 = await commitOk(u.token, repo, { files: { 'a.txt': 'a2' },
    summary: 'third' });
  // A commit that changes nothing listed.
  const c4 = await commitOk(u.token, repo, { files: { 'z/z.txt': 'z' },
    summary: 'fourth' });
  const res = await tree(repo, 'main', '', '?expand=true');
  const lc = Object.fromEntries(res.json.map((e) => [e.path,
    e.lastCommit]));
  assert.equal(lc['a.txt'].id, c3);
  assert.equal(lc['a.txt'].title, 'third');
  assert.match(lc['a.txt'].date, ISO_MS);
  assert.equal(lc['b.txt'].id, c2);
  assert.equal(lc['b.txt'].title, 'second one');
  assert.equal(lc.d.id, c2);
  assert.equal(lc.e.id, c1);
  assert.equal(lc['e'].title, 'first one');
  assert.equal(lc.z.id, c4);
  assert.equal(lc['.gitattributes'].title, 'initial commit');
  // Inside a folder, recursive, at an older revision.
  const sub = await tree(repo, c2, 'd', '?expand=1&recursive=1');
  assert.deepEqual(sub.json.map((e) => [e.path, e.lastCommit.id]),
    [['d/one.txt', c1], ['d/two.txt', c2]]);
  // Without expand: no lastCommit.
  const plain = await tree(repo, 'main');
  for (const e of plain.json) assert.equal(e.lastCommit, undefined);
});

test('tree pagination: Link to the end, no duplicates, pinned commit',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const files = {};
    for (let i = 0; i < 25; i++)
      files[`f/${String(i).padStart(2, '0')}.txt`] = `c${i}`;
    files['f/g/h/deep.txt'] = 'deep';
    const head = await commitOk(u.token, repo, { files });
    const want = Object.keys(files).concat(['f/g', 'f/g/h']).sort();
    for (const limit of [1, 7, 10, 26, 27, 100]) {
      const { items, pages, commits } = await treeAll(repo, 'main', 'f',
        `?recursive=true&limit=${limit}`);
      const paths = items.map((e) => e.path);
      assert.equal(new Set(paths).size, paths.length, 'no duplicates');
      assert.deepEqual([...paths].sort(), want, `limit ${limit}`);
      assert.equal(pages, Math.ceil(want.length / limit), `limit ${limit}`);
      assert.ok(commits.every((c) => c === head));
    }
    const top = await treeAll(repo, 'main', 'f', '?limit=5');
    assert.equal(top.items.length, 26);
    // A commit between pages does not change the listing's commit.
    let moved;
    const pinned = await treeAll(repo, 'main', 'f', '?limit=10',
      async (page) => {
        if (page === 1)
          moved = await commitOk(u.token, repo, { files: {
            'f/00a.txt': 'late' } });
      });
    assert.ok(moved);
    assert.ok(pinned.commits.every((c) => c === head));
    assert.equal(pinned.items.length, 26);
    assert.ok(!pinned.items.some((e) => e.path === 'f/00a.txt'));
    const bad = await get(`${api(repo)}/tree/main?cursor=garbage`);
    assert.equal(bad.status, 400);
    // A cursor naming a commit of another repository is refused.
    const other = await fixture();
    const foreign = await get(`${api(repo)}/tree/main?cursor=1.${other.head}`);
    assertHfError(foreign, 404, 'RevisionNotFound');
  });

test('paths-info: form body as huggingface_hub sends it', async () => {
  const { repo, head } = await fixture();
  const body = ['README.md', 'dir', 'dir/sub/y.txt', 'missing.txt',
    'dir with space/ü (1).txt', 'a%b?c,d:e.txt']
    .map((p) => `paths=${enc(p)}`).join('&') + '&expand=False';
  const res = await request('POST', `${api(repo)}/paths-info/main`, {
    body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.headers['x-repo-commit'], head);
  assert.deepEqual(res.json.map((e) => e.path), ['README.md', 'dir',
    'dir/sub/y.txt', 'dir with space/ü (1).txt', 'a%b?c,d:e.txt']);
  assert.deepEqual(res.json[0], { type: 'file', oid: gitBlob('# hi\n'),
    size: 5, path: 'README.md' });
  assert.equal(res.json[1].type, 'directory');
  assert.equal(res.json[1].size, 0);
  assert.equal(res.json[1].lastCommit, undefined);
  // The oid is the tree listing's.
  const root = await tree(repo, 'main');
  assert.equal(root.json.find((e) => e.path === 'dir').oid, res.json[1].oid);
  // '+' in a form is a space.
  const plus = await request('POST', `${api(repo)}/paths-info/main`, {
    body: 'paths=dir+with+space', headers: {
      'content-type': 'application/x-www-form-urlencoded' } });
  assert.deepEqual(plus.json.map((e) => e.path), ['dir with space']);
});

test('paths-info: JSON body, expand, revisions, errors', async () => {
  const { u, repo, head } = await fixture();
  const c2 = await commitOk(u.token, repo, { files: { 'dir/x.txt': 'v2' },
    summary: 'change x' });
  const res = await request('POST', `${api(repo)}/paths-info/main`, {
    body: { paths: ['dir/x.txt', 'README.md', 'nope', 'dir'],
      expand: true },
    headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.headers['x-repo-commit'], c2);
  const byPath = Object.fromEntries(res.json.map((e) => [e.path, e]));
  assert.deepEqual(Object.keys(byPath), ['dir/x.txt', 'README.md', 'dir']);
  assert.equal(byPath['dir/x.txt'].oid, gitBlob('v2'));
  assert.equal(byPath['dir/x.txt'].lastCommit.id, c2);
  assert.equal(byPath['dir/x.txt'].lastCommit.title, 'change x');
  assert.equal(byPath['README.md'].lastCommit.id, head);
  assert.equal(byPath.dir.lastCommit.id, c2);
  // At the older commit, by its short id; expand as a form string.
  const old = await request('POST',
    `${api(repo)}/paths-info/${head.slice(0, 8)}`, {
      body: 'paths=dir%2Fx.txt&expand=true', headers: {
        'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(old.status, 200, old.body);
  assert.equal(old.headers['x-repo-commit'], head);
  assert.equal(old.json[0].oid, gitBlob('hello'));
  assert.equal(old.json[0].lastCommit.id, head);
  // Nothing asked, nothing found: [].
  const none = await request('POST', `${api(repo)}/paths-info/main`, {
    body: { paths: [] }, headers: { 'content-type': 'application/json' } });
  assert.deepEqual(none.json, []);
  assertHfError(await request('POST', `${api(repo)}/paths-info/nope`, {
    body: 'paths=a', headers: {
      'content-type': 'application/x-www-form-urlencoded' } }), 404,
  'RevisionNotFound');
  const bad = await request('POST', `${api(repo)}/paths-info/main`, {
    body: '{"paths": [1]}', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  const priv = await createRepo(u.token, { private: true });
  assertHfError(await request('POST', `${api(priv)}/paths-info/main`, {
    body: 'paths=.gitattributes', headers: {
      'content-type': 'application/x-www-form-urlencoded' } }), 401,
  'RepoNotFound');
});

// ---- LFS files (the LFS batch endpoint stores them) ----

const LFS = 'application/vnd.git-lfs+json';
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

function rawPut(href, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(href);
    const req = http.request({ host: u.hostname, port: u.port, method: 'PUT',
      path: u.pathname + u.search, headers: { 'content-length': body.length },
      agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('LFS files: tree lfs{oid,size,pointerSize}, siblings lfs{sha256,...}',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    const data = Buffer.alloc(3000, 7);
    const oid = sha256(data);
    const b = await request('POST', `${repoPath(repo)}.git/info/lfs/objects/`
      + 'batch', { body: { operation: 'upload', transfers: ['basic'],
      objects: [{ oid, size: data.length }], hash_algo: 'sha256' },
    headers: { accept: LFS, 'content-type': LFS, ...bearer(u.token) } });
    assert.equal(b.status, 200, b.body);
    const o = b.json.objects[0];
    if (o.actions) {
      assert.equal(await rawPut(o.actions.upload.href, data), 200);
      if (o.actions.verify) {
        const v = await request('POST', o.actions.verify.href.slice(
          BASE.length), { body: { oid, size: data.length },
          headers: { accept: LFS, 'content-type': LFS, ...bearer(u.token) } });
        assert.equal(v.status, 200, v.body);
      }
    }
    await commitOk(u.token, repo, { lfs: [{ path: 'w/model.bin', oid,
      size: data.length }] });
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:`
      + `${oid}\nsize ${data.length}\n`;
    const t = await tree(repo, 'main', 'w');
    assert.deepEqual(t.json, [{ type: 'file', oid: gitBlob(pointer),
      size: data.length, path: 'w/model.bin', lfs: { oid, size: data.length,
        pointerSize: Buffer.byteLength(pointer) } }]);
    const p = await request('POST', `${api(repo)}/paths-info/main`, {
      body: 'paths=w%2Fmodel.bin', headers: {
        'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(p.json, t.json);
    const m = (await get(`${api(repo)}?blobs=true`)).json;
    const s = m.siblings.find((x) => x.rfilename === 'w/model.bin');
    assert.deepEqual(s, { rfilename: 'w/model.bin', size: data.length,
      blobId: gitBlob(pointer), lfs: { sha256: oid, size: data.length,
        pointerSize: Buffer.byteLength(pointer) } });
  });
