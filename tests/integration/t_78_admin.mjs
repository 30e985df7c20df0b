// t_78_admin.mjs: the admin API (/api/admin/..., [server] admin_token or a
// site admin's write token, from admin_allow addresses; the stack sets a
// token, loopback is allowed): users listed, created, disabled (their token
// stops working), a new password (sessions end), quotas set and back to the
// default, site admins made and unmade; a namespace's repositories with
// their sizes; storage totals. The same rules as khubctl (accounts.c).
// Every call in the authorization matrix: refused to anonymous callers, to
// users (their own tokens, even a write token), to a site admin's read
// token, to a disabled site admin and to a wrong token; refused to a site
// admin and to the admin token from an address admin_allow does not name,
// and still open to site admins when no admin_token is set (pools of
// khub.fcgi of the test's own, spoken to over FastCGI, with other
// configurations). khubctl user admin.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import {
  BASE, BUILD, CONFIG, bearer, commitOk, createRepo, fcgi, get, khubctl,
  khubctlRaw, newUser, post, request, sql, test, unique, waitFor,
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

// ---- site admins ----

// A site admin: a user with a write and a read token, made one by khubctl.
function newSiteAdmin() {
  const u = newUser('write');
  u.read = khubctl('token', 'add', u.name, '--role', 'read').trim();
  khubctl('user', 'admin', u.name, 'on');
  return u;
}

// Every admin call, made afresh (a new user name for each create), with the
// status a success answers. target: a user the calls may look at.
function adminCalls(target) {
  return [
    () => ['GET', '/api/admin/users'],
    () => ['POST', '/api/admin/users', { username: unique('mx') }],
    () => ['PUT', `/api/admin/users/${target}`, { quotaBytes: null }],
    () => ['GET', `/api/admin/namespaces/${target}`],
    () => ['GET', '/api/admin/storage'],
  ];
}

const JSONH = { 'content-type': 'application/json' };
const call = ([method, path, body], headers) => request(method, path, {
  body, headers: { ...(body ? JSONH : {}), ...headers } });

test('admin API: the matrix: admin token and a site admin\'s write token '
  + 'pass; a read token, a user, anonymous, a disabled site admin do not',
  async () => {
    const sa = newSiteAdmin();
    const gone = newSiteAdmin();
    khubctl('user', 'disable', gone.name);
    const plain = newUser('write');
    const target = newUser().name;
    const callers = [
      ['the admin token', admin, 200],
      ['a site admin\'s write token', bearer(sa.token), 200],
      ['a site admin\'s read token', bearer(sa.read), 403],
      ['a user\'s write token', bearer(plain.token), 403],
      ['anonymous', {}, 403],
      ['a disabled site admin\'s write token', bearer(gone.token), 403],
    ];
    const refused = [];
    for (const make of adminCalls(target))
      for (const [who, headers, want] of callers) {
        const c = make();
        const res = await call(c, headers);
        assert.equal(res.status, want, `${c[0]} ${c[1]} as ${who}: `
          + res.body);
        if (want === 403) {
          assert.equal(res.headers['x-error-code'], 'Forbidden');
          if (c[0] === 'POST') refused.push(c[2].username);
        } else if (c[0] === 'POST') {
          assert.equal(res.json.name, c[2].username);
        }
      }
    // a refused create made no one; the listing shows who is a site admin
    const res = await get('/api/admin/users', { headers: bearer(sa.token) });
    assert.equal(res.status, 200);
    const by = Object.fromEntries(res.json.map((u) => [u.name, u]));
    for (const name of refused) assert.equal(by[name], undefined, name);
    assert.equal(by[sa.name].siteAdmin, true);
    assert.equal(by[gone.name].siteAdmin, true);
    assert.equal(by[gone.name].disabled, true);
    assert.equal(by[plain.name].siteAdmin, false);
  });

test('admin API: siteAdmin set by PUT, by an admin only, at once', async () => {
  const sa = newSiteAdmin();
  const u = newUser('write');
  const users = bearer(u.token);
  const isAdmin = async (headers) => (await get('/api/admin/storage',
    { headers })).status === 200;
  assert.equal(await isAdmin(users), false);
  // a user cannot make themselves one
  let res = await call(['PUT', `/api/admin/users/${u.name}`,
    { siteAdmin: true }], users);
  assert.equal(res.status, 403);
  assert.equal(await isAdmin(users), false);
  // a site admin can make another; the listing and khubctl show it
  res = await call(['PUT', `/api/admin/users/${u.name}`, { siteAdmin: true }],
    bearer(sa.token));
  assert.equal(res.status, 200, res.body);
  assert.equal(await isAdmin(users), true);
  res = await get('/api/admin/users', { headers: admin });
  assert.equal(res.json.find((x) => x.name === u.name).siteAdmin, true);
  assert.ok(khubctl('user', 'list').split('\n').some((l) =>
    l.split('\t')[0] === u.name && l.split('\t')[4] === 'site-admin'));
  // taken away (by the admin token): refused on the very next request
  res = await call(['PUT', `/api/admin/users/${u.name}`, { siteAdmin: false }],
    admin);
  assert.equal(res.status, 200, res.body);
  assert.equal(await isAdmin(users), false);
  // a site admin disabled: refused at once, and back when enabled
  khubctl('user', 'disable', sa.name);
  assert.equal(await isAdmin(bearer(sa.token)), false);
  khubctl('user', 'enable', sa.name);
  assert.equal(await isAdmin(bearer(sa.token)), true);
  for (const [name, body, status] of [[u.name, { siteAdmin: 'yes' }, 400],
    [u.name, { siteAdmin: 1 }, 400],
    ['nobody-here-x', { siteAdmin: true }, 404]]) {
    res = await call(['PUT', `/api/admin/users/${name}`, body], admin);
    assert.equal(res.status, status, `${name} ${JSON.stringify(body)}`);
  }
  // an organization is no user: it cannot be one
  const org = unique('o');
  assert.equal((await post('/org/create', { name: org }, u.token)).status, 200);
  res = await call(['PUT', `/api/admin/users/${org}`, { siteAdmin: true }],
    admin);
  assert.equal(res.status, 404, res.body);
  // registration takes no siteAdmin
  const name = unique('reg');
  res = await post('/api/auth/register', { username: name,
    email: `${name}@example.org`, password: 'correct horse battery',
    siteAdmin: true });
  assert.equal(res.status, 200, res.body);
  assert.equal(sql(`SELECT site_admin FROM namespace
    WHERE name = '${name}'`).trim(), '0');
});

// ---- pools of the test's own, other configurations ----

const POOL = Number(new URL(BASE).port) + 5;	// t_20's and t_38's, free now
const cgi = (method, path, { body, token, from }) => {
  const data = body === undefined ? Buffer.alloc(0)
    : Buffer.from(JSON.stringify(body));
  return fcgi(POOL, { REQUEST_METHOD: method, REQUEST_URI: path,
    SERVER_NAME: '127.0.0.1', SERVER_PORT: String(POOL),
    SERVER_PROTOCOL: 'HTTP/1.1', GATEWAY_INTERFACE: 'CGI/1.1',
    HTTP_HOST: `127.0.0.1:${POOL}`, REMOTE_ADDR: from,
    ...(body === undefined ? {} : { CONTENT_TYPE: 'application/json',
      CONTENT_LENGTH: String(data.length) }),
    ...(token ? { HTTP_AUTHORIZATION: `Bearer ${token}` } : {}) }, data);
};

// Runs fn while a pool of khub.fcgi (--listen POOL, one worker) serves the
// stack's configuration with [server] edited by edit (a function of its
// text); stops the pool and waits for its port to close, whatever fn does.
async function withPool(edit, fn) {
  const dir = mkdtempSync(`${tmpdir()}/khub-admin-`);
  const conf = `${dir}/khub.conf`;
  writeFileSync(conf, edit(readFileSync(CONFIG, 'utf8')
    .replace(/^(access_log|log_file|metrics_file) *=.*$/mg, '')
    .replace(/^\[server\]$/m, `[server]\nmetrics_file = ${dir}/metrics`)));
  const pool = spawn(`${BUILD}/khub.fcgi`, ['--listen', `127.0.0.1:${POOL}`,
    '--workers', '1'], { env: { ...process.env, KHUB_CONFIG: conf },
    stdio: 'ignore' });
  const kids = () => execFileSync('ps', ['-o', 'pid=', '--ppid',
    String(pool.pid)], { encoding: 'utf8' }).split('\n')
    .map((x) => Number(x.trim())).filter(Boolean);
  try {
    assert.ok(await waitFor(async () => (await cgi('GET', '/api/health',
      { from: '127.0.0.1' })).status === 200, 20), 'the pool answers');
    await fn();
  } finally {
    let all = [];
    try { all = kids(); } catch { /* none */ }
    for (const p of [pool.pid, ...all])
      try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    await waitFor(() => new Promise((res) => {
      const s = net.connect(POOL, '127.0.0.1');
      s.on('connect', () => { s.destroy(); res(false); });
      s.on('error', () => res(true));
    }), 10);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('admin API: from an address admin_allow does not name, a site admin '
  + 'and the admin token are refused alike', async () => {
    const sa = newSiteAdmin();
    const target = newUser().name;
    // Only 192.0.2.1 may: 127.0.0.1 (what the stack's lighttpd sends) and
    // any other address are strangers.
    await withPool((t) => t.replace(/^\[server\]$/m,
      '[server]\nadmin_allow = 192.0.2.1'), async () => {
      for (const make of adminCalls(target))
        for (const [from, want] of [['192.0.2.1', 200], ['127.0.0.1', 403],
          ['203.0.113.9', 403], ['192.0.2.10', 403]])
          for (const [who, token] of [['the admin token', TOKEN],
            ['a site admin', sa.token]]) {
            const [method, path, body] = make();
            const res = await cgi(method, path, { body, token, from });
            assert.equal(res.status, want, `${method} ${path} as ${who} from `
              + `${from}: ${res.body}`);
            if (want === 403)
              assert.equal(res.headers['x-error-code'], 'Forbidden');
          }
    });
  });

test('admin API: no admin_token set: site admins still pass, the token path '
  + 'is off, everyone else gets 404', async () => {
    const sa = newSiteAdmin();
    const plain = newUser('write');
    const target = newUser().name;
    await withPool((t) => t.replace(/^admin_token *=.*$/m, ''), async () => {
      const callers = [
        ['a site admin\'s write token', sa.token, '127.0.0.1', 200],
        ['the (unset) admin token', TOKEN, '127.0.0.1', 404],
        ['a site admin\'s read token', sa.read, '127.0.0.1', 404],
        ['a user\'s write token', plain.token, '127.0.0.1', 404],
        ['anonymous', undefined, '127.0.0.1', 404],
        ['a site admin from a stranger', sa.token, '203.0.113.9', 404],
      ];
      for (const make of adminCalls(target))
        for (const [who, token, from, want] of callers) {
          const [method, path, body] = make();
          const res = await cgi(method, path, { body, token, from });
          assert.equal(res.status, want, `${method} ${path} as ${who}: `
            + res.body);
          if (want === 404)
            assert.equal(res.headers['x-error-code'], 'NotFound');
        }
    });
  });

test('khubctl: user admin NAME on|off, shown by user list', async () => {
  const u = newUser();
  const column = () => khubctl('user', 'list').split('\n')
    .find((l) => l.split('\t')[0] === u.name).split('\t')[4];
  assert.equal(column(), '-');
  let out = khubctl('user', 'admin', u.name, 'on');
  assert.match(out, /is a site admin/);
  assert.equal(sql(`SELECT site_admin FROM namespace
    WHERE name = '${u.name}'`).trim(), '1');
  assert.equal(column(), 'site-admin');
  assert.equal((await get('/api/admin/storage', { headers: bearer(u.token) }))
    .status, 200);
  out = khubctl('user', 'admin', u.name, 'off');
  assert.match(out, /not a site admin/);
  assert.equal(sql(`SELECT site_admin FROM namespace
    WHERE name = '${u.name}'`).trim(), '0');
  assert.equal(column(), '-');
  assert.equal((await get('/api/admin/storage', { headers: bearer(u.token) }))
    .status, 403);
  const org = unique('o');
  khubctl('org', 'add', org, '--owner', u.name);
  for (const [args, re] of [
    [['user', 'admin', 'nobody-here-x', 'on'], /no user named 'nobody-here-x'/],
    [['user', 'admin', org, 'on'], new RegExp(`no user named '${org}'`)],
    [['user', 'admin', u.name, 'maybe'], /usage/],
    [['user', 'admin', u.name], /usage/],
    [['user', 'admin', u.name, 'on', 'extra'], /usage/]]) {
    const r = khubctlRaw(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.ok(khubctlRaw(['help']).stderr.includes('user admin NAME on|off'));
});
