// t_39_canonical.mjs: repositories without a namespace ("gpt2", "squad"),
// the Hub's canonical ones: made with khubctl, routed on every URL form
// (info, revision, tree, paths-info, resolve with and without a type,
// commit, LFS batch), written by members of the canonical namespace only,
// private ones hidden like any other; a missing one answers RepoNotFound,
// never "No such endpoint". The JS client reads one by its bare id.
import assert from 'node:assert/strict';
import {
  BASE, LFS, bearer, commit, commitOk, get, khubctl, khubctlRaw, lfsHeaders,
  newUser, post, request, test, unique,
} from './lib.mjs';

// A canonical repository: {id, type}, created by khubctl.
function canonical(type = 'model', ...flags) {
  const name = unique('c');
  const out = khubctl('repo', 'create', name, '--type', type, ...flags);
  assert.match(out, new RegExp(`${type} repository ${name} created`));
  return { id: name, ns: '', name, type };
}

const plural = (t) => `${t}s`;
const prefix = (t) => (t === 'model' ? '' : `${t}s/`);

test('canonical: khubctl creates one; every read URL form finds it', async () => {
  for (const type of ['model', 'dataset']) {
    const repo = canonical(type);
    const api = `/api/${plural(type)}/${repo.id}`;
    let res = await get(api);
    assert.equal(res.status, 200, `${api}: ${res.body}`);
    assert.equal(res.json.id, repo.id);
    assert.equal(res.json.author, null);
    const sha = res.json.sha;
    assert.match(sha, /^[0-9a-f]{40}$/);
    res = await get(`${api}/revision/main`);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.sha, sha);
    res = await get(`${api}/tree/main`);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json.map((e) => e.path), ['.gitattributes']);
    res = await post(`${api}/paths-info/main`, { paths: ['.gitattributes'] });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.length, 1);
    for (const url of [`/${prefix(type)}${repo.id}/resolve/main/.gitattributes`,
      `${api}/resolve/main/.gitattributes`,
      `/${prefix(type)}${repo.id}/raw/main/.gitattributes`]) {
      res = await get(url);
      assert.ok([200, 302].includes(res.status), `${url}: ${res.status}`);
      assert.equal(res.headers['x-repo-commit'], sha, url);
    }
    if (type === 'model') {
      // the seed's /models/ prefix too
      res = await get(`/models/${repo.id}/resolve/main/.gitattributes`);
      assert.equal(res.headers['x-repo-commit'], sha);
    }
  }
});

test('canonical: a missing one is RepoNotFound on every form, by caller', async () => {
  const u = newUser();
  const name = unique('nothere');
  const forms = [
    ['GET', `/api/models/${name}`], ['GET', `/api/models/${name}/revision/main`],
    ['GET', `/api/datasets/${name}/tree/main`],
    ['GET', `/${name}/resolve/main/config.json`],
    ['GET', `/datasets/${name}/resolve/main/x.csv`],
    ['GET', `/api/models/${name}/refs`],
    ['POST', `/api/models/${name}/preupload/main`],
  ];
  for (const [method, path] of forms) {
    for (const [who, headers, status] of [['anonymous', {}, 401],
      ['a user', bearer(u.token), 404]]) {
      const res = await request(method, path, { headers: {
        'content-type': 'application/json', ...headers }, body:
        method === 'POST' ? { files: [] } : undefined });
      assert.equal(res.status, status, `${method} ${path} as ${who}: `
        + `${res.status} ${res.body}`);
      assert.equal(res.headers['x-error-code'], 'RepoNotFound',
        `${method} ${path} as ${who}`);
    }
  }
});

test('canonical: only members of the canonical namespace write; commits and LFS by bare id', async () => {
  const repo = canonical();
  const stranger = newUser();
  const writer = newUser();
  let res = await commit(stranger.token, repo, { files: { 'a.txt': 'no' } });
  assert.equal(res.status, 403, res.body);
  res = await commit(undefined, repo, { files: { 'a.txt': 'no' } });
  assert.equal(res.status, 401, res.body);

  khubctl('org', 'member', '', writer.name, '--role', 'write');
  const oid = await commitOk(writer.token, repo,
    { files: { 'config.json': '{"model_type":"gpt2"}' } });
  res = await get(`/${repo.id}/resolve/main/config.json`);
  assert.equal(res.headers['x-repo-commit'], oid);
  res = await get(`/api/models/${repo.id}/commits/main`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json[0].id, oid);

  // the LFS batch endpoint of git-lfs, on the bare id
  res = await request('POST', `/${repo.id}.git/info/lfs/objects/batch`, {
    headers: lfsHeaders(writer.token), body: { operation: 'upload',
      transfers: ['basic'], objects: [{ oid: 'a'.repeat(64), size: 3 }] } });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.headers['content-type'], LFS);
  // a stranger's batch upload to main is refused (naming no ref, it is a
  // pull request's upload, open to readers: t_51)
  res = await request('POST', `/${repo.id}.git/info/lfs/objects/batch`, {
    headers: lfsHeaders(stranger.token), body: { operation: 'upload',
      transfers: ['basic'], objects: [{ oid: 'a'.repeat(64), size: 3 }],
      ref: { name: 'refs/heads/main' } } });
  assert.equal(res.status, 403, res.body);

  // the canonical namespace is no organization a user belongs to
  res = await get('/api/whoami-v2', { headers: bearer(writer.token) });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.orgs, []);
});

test('canonical: a private one looks missing to others; the JS client reads a public one by bare id', async () => {
  const hidden = canonical('model', '--private');
  const u = newUser();
  for (const [headers, status] of [[{}, 401], [bearer(u.token), 404]]) {
    const res = await get(`/api/models/${hidden.id}`, { headers });
    assert.equal(res.status, status);
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  }

  const repo = canonical();
  const writer = newUser();
  khubctl('org', 'member', '', writer.name, '--role', 'write');
  await commitOk(writer.token, repo, { files: { 'README.md': 'hello' } });
  const hub = await import('@huggingface/hub');
  const blob = await hub.downloadFile({ repo: repo.id, path: 'README.md',
    hubUrl: BASE });
  assert.equal(await blob.text(), 'hello');
  const info = await hub.modelInfo({ name: repo.id, hubUrl: BASE });
  assert.equal(info.name, repo.id);
});

test('canonical: khubctl refuses reserved names, duplicates; the API will not make one', async () => {
  let r = khubctlRaw(['repo', 'create', 'api']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /reserved/);
  const repo = canonical();
  r = khubctlRaw(['repo', 'create', repo.id]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /already created/);
  r = khubctlRaw(['repo', 'create', 'x', '--type', 'kitten']);
  assert.notEqual(r.status, 0);
  for (const bad of ['/x', 'a/b/c', 'a/']) {
    r = khubctlRaw(['repo', 'create', bad]);
    assert.notEqual(r.status, 0, bad);
    assert.match(r.stderr, /not namespace\/name/, bad);
  }
  const u = newUser();
  const res = await post('/api/repos/create', { name: unique('r'),
    organization: '' }, u.token);
  assert.equal(res.status, 400, res.body);
  // khubctl also creates namespaced ones
  const name = unique('k');
  assert.match(khubctl('repo', 'create', `${u.name}/${name}`),
    /created/);
  assert.equal((await get(`/api/models/${u.name}/${name}`)).status, 200);
});
