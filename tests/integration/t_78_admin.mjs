// t_78_admin.mjs: the admin API (/api/admin/..., [server] admin_token from
// admin_allow addresses; the stack sets a token, loopback is allowed):
// users listed, created, disabled (their token stops working), a new
// password (sessions end), quotas set and back to the default; a
// namespace's repositories with their sizes; storage totals. The same
// rules as khubctl (accounts.c). Every call refused to anonymous callers,
// to users (their own tokens, even a write token) and to a wrong token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CONFIG, bearer, commitOk, createRepo, get, khubctl, newUser, post, request,
  test, unique,
} from './lib.mjs';

const TOKEN = /^admin_token *= *(\S+)/m.exec(readFileSync(CONFIG, 'utf8'))[1];
const admin = bearer(TOKEN);
const put = (path, body, headers) => request('PUT', path, { body,
  headers: { 'content-type': 'application/json', ...headers } });

test('admin API: every call refused to anonymous, users and a wrong token',
  async () => {
    const u = newUser('write');
    const calls = [['GET', '/api/admin/users'], ['POST', '/api/admin/users'],
      ['PUT', `/api/admin/users/${u.name}`],
      ['GET', `/api/admin/namespaces/${u.name}`],
      ['GET', '/api/admin/storage']];
    for (const [method, path] of calls)
      for (const [who, headers] of [['anonymous', {}],
        ['a user', bearer(u.token)], ['a wrong token', bearer(`${TOKEN}x`)],
        ['a prefix of it', bearer(TOKEN.slice(0, -1))]]) {
        const res = await request(method, path, { headers: {
          'content-type': 'application/json', ...headers },
        body: method === 'GET' ? undefined : { username: unique('x'),
          disabled: true } });
        assert.equal(res.status, 403, `${method} ${path} as ${who}`);
        assert.equal(res.headers['x-error-code'], 'Forbidden');
      }
    // nothing changed: the user still works
    const res = await get('/api/whoami-v2', { headers: bearer(u.token) });
    assert.equal(res.status, 200);
  });

test('admin API: create, list, disable, password, quota, with khubctl\'s rules',
  async () => {
    const name = unique('adm');
    let res = await post('/api/admin/users', { username: name,
      email: `${name}@example.org`, fullname: 'Ada Admin',
      password: 'correct horse battery' }, null, admin);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { name, fullname: 'Ada Admin',
      email: `${name}@example.org`, disabled: false, siteAdmin: false,
      quotaBytes: null });
    // the same refusals as registration and khubctl
    for (const [body, re] of [[{ username: name }, /already exists/],
      [{ username: 'bad name' }, /may hold only/],
      [{ username: 'api' }, /reserved/],
      [{ username: unique('x'), email: 'nope' }, /email/],
      [{ username: unique('x'), password: 'short' }, /at least 8/],
      [{}, /'username' is required/]]) {
      res = await post('/api/admin/users', body, null, admin);
      assert.ok([400, 409].includes(res.status), `${JSON.stringify(body)}: `
        + `${res.status}`);
      assert.match(res.json.error, re);
    }
    res = await get('/api/admin/users', { headers: admin });
    assert.equal(res.status, 200);
    assert.ok(res.json.some((u) => u.name === name));
    assert.ok(res.json.every((u) => !('password_hash' in u)
      && !JSON.stringify(u).includes('$argon2')));

    // the user logs in; a new password ends that session
    res = await post('/api/auth/login', { username: name,
      password: 'correct horse battery' });
    assert.equal(res.status, 200, res.body);
    const cookie = /session_id=[^;]+/.exec(res.headers['set-cookie'])[0];
    res = await put(`/api/admin/users/${name}`, { password: 'another good one' },
      admin);
    assert.equal(res.status, 200, res.body);
    res = await get('/api/auth/me', { headers: { cookie } });
    assert.equal(res.status, 401);
    res = await post('/api/auth/login', { username: name,
      password: 'another good one' });
    assert.equal(res.status, 200);

    // disabled: its token stops working; enabled again: it works
    const token = khubctl('token', 'add', name, '--role', 'write').trim();
    res = await put(`/api/admin/users/${name}`, { disabled: true }, admin);
    assert.equal(res.status, 200, res.body);
    assert.equal((await get('/api/whoami-v2', { headers: bearer(token) }))
      .status, 401);
    res = await put(`/api/admin/users/${name}`, { disabled: false }, admin);
    assert.equal((await get('/api/whoami-v2', { headers: bearer(token) }))
      .status, 200);

    // quota: set, listed, back to the default
    res = await put(`/api/admin/users/${name}`, { quotaBytes: 1048576 }, admin);
    assert.equal(res.status, 200, res.body);
    assert.match(khubctl('usage', name), /quota_bytes: 1048576\n/);
    res = await put(`/api/admin/users/${name}`, { quotaBytes: null }, admin);
    assert.doesNotMatch(khubctl('usage', name), /quota_bytes: 1048576/);
    for (const body of [{ quotaBytes: -1 }, { quotaBytes: '1GiB' },
      { disabled: 'yes' }, { password: 7 }]) {
      res = await put(`/api/admin/users/${name}`, body, admin);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    res = await put('/api/admin/users/nobody-here-x', { disabled: true },
      admin);
    assert.equal(res.status, 404);
  });

test('admin API: a namespace\'s repositories with sizes; storage totals',
  async () => {
    const u = newUser();
    const a = await createRepo(u.token);
    const b = await createRepo(u.token, { private: true, type: 'dataset' });
    await commitOk(u.token, a, { files: { 'x.bin': Buffer.alloc(1000, 1) } });
    await commitOk(u.token, b, { files: { 'y.bin': Buffer.alloc(3000, 2) } });
    const before = (await get('/api/admin/storage', { headers: admin })).json;
    let res = await get(`/api/admin/namespaces/${u.name}`, { headers: admin });
    assert.equal(res.status, 200, res.body);
    const by = Object.fromEntries(res.json.repos.map((r) => [r.name, r]));
    // each holds its file and the default .gitattributes (1519 bytes)
    assert.equal(by[a.name].bytes, 1000 + 1519);
    assert.equal(by[b.name].bytes, 3000 + 1519);
    assert.deepEqual([by[a.name].type, by[b.name].type, by[b.name].private],
      ['model', 'dataset', true]);
    // usage counts each repository's files, as quotas do
    assert.equal(res.json.usedBytes, by[a.name].bytes + by[b.name].bytes);
    res = await get('/api/admin/namespaces/nobody-here-x', { headers: admin });
    assert.equal(res.status, 404);

    const c = await createRepo(u.token);
    // bytes no earlier run stored (storage is deduplicated)
    await commitOk(u.token, c, { files: { 'z.bin': randomBytes(500) } });
    const after = (await get('/api/admin/storage', { headers: admin })).json;
    assert.equal(after.repos - before.repos, 1);
    assert.equal(after.bytes - before.bytes, 500);
    assert.equal(after.blobs - before.blobs, 1);
  });
