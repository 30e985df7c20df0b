// t_68_pages_repo_settings.mjs: a repository's settings page for its
// admins (ui_repo_settings.c) through lighttpd: visibility (a stranger
// then gets the 404 page), the gate (the API's info says it), renaming,
// deleting only with the id typed again; who else gets 403 or 404 or the
// login form; a form from another site changes nothing.
import assert from 'node:assert/strict';
import {
  BASE, commitOk, createRepo, get, khubctlRaw, newUser, post, request, test,
  unique,
} from './lib.mjs';

const PW = 'repo settings pw 1';
function passwordUser() {
  const u = newUser();
  assert.equal(khubctlRaw(['user', 'password', u.name], `${PW}\n`).status, 0);
  return u;
}
async function session(name) {
  const res = await post('/api/auth/login', { username: name, password: PW });
  assert.equal(res.status, 200, res.body);
  return `session_id=${/session_id=([0-9a-f]{64})/.exec(res.headers['set-cookie'])[1]}`;
}
const send = (path, fields, cookie, origin = BASE) => request('POST', path, {
  body: new URLSearchParams(fields).toString(), headers: {
    'content-type': 'application/x-www-form-urlencoded', origin, cookie } });
const csrfOf = (body) => /name="csrf" value="([0-9a-f]{64})"/.exec(body)[1];
const page = (path, cookie) => get(path, { headers: { accept: 'text/html',
  ...(cookie ? { cookie } : {}) } });

test('repo settings page: visibility, gate, rename, delete with '
  + 'confirmation, by an admin only', async () => {
  const owner = passwordUser();
  const stranger = passwordUser();
  const r = await createRepo(owner.token, { name: unique('rset') });
  await commitOk(owner.token, r, { files: { 'a.txt': 'a\n' } });
  const path = `/${r.id}/settings`;
  assert.equal((await page(path)).status, 303, 'the login form first');
  const sc = await session(stranger.name);
  const sp = await page(path, sc);
  assert.equal(sp.status, 403);
  const oc = await session(owner.name);
  const op = await page(path, oc);
  assert.equal(op.status, 200);
  assert.match(op.body, /<a class="on" aria-current="page" href="[^"]*\/settings">Settings<\/a>/);
  const csrf = csrfOf(op.body);
  assert.doesNotMatch((await page(`/${r.id}`, sc)).body, /\/settings">Settings/);

  // another site's form, a form without the session's token: nothing
  let res = await send(path, { csrf, action: 'visibility', private: '1' }, oc,
    'http://evil.example');
  assert.equal(res.status, 403);
  res = await send(path, { csrf: '0'.repeat(64), action: 'visibility', private: '1' }, oc);
  assert.equal(res.status, 403);
  assert.equal((await get(`/api/models/${r.id}`)).status, 200, 'still public');

  res = await send(path, { csrf, action: 'visibility', private: '1' }, oc);
  assert.equal(res.status, 200);
  assert.match(res.body, /Saved\./);
  assert.equal((await get(`/api/models/${r.id}`)).status, 401);
  assert.equal((await page(`/${r.id}`, sc)).status, 404);
  assert.equal((await page(path, sc)).status, 404, 'now as missing');
  res = await send(path, { csrf, action: 'visibility', private: '0' }, oc);
  assert.equal(res.status, 200);

  res = await send(path, { csrf, action: 'gated', gated: 'manual' }, oc);
  assert.equal(res.status, 200);
  assert.equal((await get(`/api/models/${r.id}`)).json.gated, 'manual');
  res = await send(path, { csrf, action: 'gated', gated: 'sometimes' }, oc);
  assert.equal(res.status, 400);
  res = await send(path, { csrf, action: 'gated', gated: 'off' }, oc);
  assert.equal((await get(`/api/models/${r.id}`)).json.gated, false);

  // rename: the old id is gone, the new one has the files
  const to = `${owner.name}/${unique('renamed')}`;
  res = await send(path, { csrf, action: 'move', to: `${stranger.name}/x` }, oc);
  assert.equal(res.status, 403, 'not into another user\'s namespace');
  res = await send(path, { csrf, action: 'move', to }, oc);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  assert.equal(res.headers.location, `${BASE}/${to}/settings`);
  assert.equal((await get(`/api/models/${r.id}`)).status, 401, "gone: anonymous RepoNotFound");
  assert.equal((await get(`/${to}/resolve/main/a.txt`)).status, 302);

  // delete: only with the id typed again
  const np = `/${to}/settings`;
  res = await send(np, { csrf, action: 'delete', confirm: r.id }, oc);
  assert.equal(res.status, 400);
  assert.equal((await get(`/api/models/${to}`)).status, 200);
  res = await send(np, { csrf, action: 'delete', confirm: to }, oc);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, `${BASE}/${owner.name}`);
  assert.equal((await get(`/api/models/${to}`)).status, 401, "deleted");
});

test('repo settings page: an organization\'s writer may not; its admin may',
  async () => {
    const admin = passwordUser();
    const writer = passwordUser();
    const org = unique('rsorg');
    assert.equal((await post('/org/create', { name: org }, admin.token)).status, 200);
    assert.equal((await post(`/org/${org}/members/${writer.name}`, { role: 'write' },
      admin.token)).status, 200);
    const r = await createRepo(admin.token, { name: unique('orgrepo'), organization: org });
    const wc = await session(writer.name);
    assert.equal((await page(`/${r.id}/settings`, wc)).status, 403);
    const ac = await session(admin.name);
    assert.equal((await page(`/${r.id}/settings`, ac)).status, 200);
  });
