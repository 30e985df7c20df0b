// t_71_orgs.mjs: organizations over HTTP (create, get, members: add,
// change, remove, the last admin), who may do what, user overviews, and
// khubctl's admin commands (user list/disable/enable/password, quota,
// usage).
import assert from 'node:assert/strict';
import {
  bearer, createRepo, get, khubctl, khubctlRaw, newUser, post, request, sql,
  test, unique,
} from './lib.mjs';

const put = (path, body, token) => request('PUT', path, { body,
  headers: { 'content-type': 'application/json', ...bearer(token) } });
const del = (path, token) => request('DELETE', path,
  { headers: token ? bearer(token) : {} });

async function newOrg(token, extra = {}) {
  const name = unique('org');
  const res = await post('/org/create', { name, ...extra }, token);
  assert.equal(res.status, 200, res.body);
  return name;
}

test('org create, get, overview; name rules and clashes', async () => {
  const a = newUser();
  const name = unique('Org');
  let res = await post('/org/create', { name, fullname: 'The Org ✓' },
    a.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.name, name);
  assert.equal(res.json.type, 'org');

  res = await get(`/org/${name}`, { headers: bearer(a.token) });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual([res.json.name, res.json.fullname, res.json.type,
    res.json.numMembers, res.json.roleInOrg],
  [name, 'The Org ✓', 'org', 1, 'admin']);
  // public details only for others
  res = await get(`/org/${name}`);
  assert.equal(res.status, 200);
  assert.equal(res.json.numMembers, 1);
  assert.equal(res.json.roleInOrg, undefined);

  res = await get(`/api/users/${a.name}/overview`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.type, 'user');
  assert.deepEqual(res.json.orgs.map((o) => o.name), [name]);
  res = await get(`/api/users/${name}/overview`);
  assert.equal(res.status, 200);
  assert.equal(res.json.type, 'org');
  res = await get(`/api/users/${unique('nobody')}/overview`);
  assert.equal(res.status, 404);
  res = await get('/api/users/bad%20name/overview');
  assert.equal(res.status, 404);

  // whoami-v2 lists it
  res = await get('/api/whoami-v2', { headers: bearer(a.token) });
  assert.ok(res.json.orgs.some((o) => o.name === name
    && o.roleInOrg === 'admin'));

  const clashes = [
    [{ name: name.toUpperCase() }, 409],	// an org, another case
    [{ name: a.name }, 409],		// a user's name
    [{ name: a.name.toUpperCase() }, 409],
    [{ name: 'api' }, 400],		// reserved
    [{ name: 'Models' }, 400],
    [{ name: 'bad name' }, 400],
    [{ name: 'x'.repeat(97) }, 400],
    [{ name: "x'; DROP TABLE namespace; --" }, 400],
    [{}, 400],
    [{ name: unique('o'), fullname: 'x'.repeat(300) }, 400],
    [{ name: unique('o'), fullname: 'bell\u0007' }, 400],
  ];
  for (const [body, status] of clashes) {
    res = await post('/org/create', body, a.token);
    assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.body}`);
  }
  // non-UTF-8 in fullname
  const raw = Buffer.concat([Buffer.from(`{"name":"${unique('o')}",`
    + '"fullname":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  res = await request('POST', '/org/create', { body: raw,
    headers: { 'content-type': 'application/json', ...bearer(a.token) } });
  assert.equal(res.status, 400, res.body);

  res = await post('/org/create', { name: unique('o') });
  assert.equal(res.status, 401);
  const ro = newUser('read');
  res = await post('/org/create', { name: unique('o') }, ro.token);
  assert.equal(res.status, 403);
  res = await get(`/org/${unique('none')}`);
  assert.equal(res.status, 404);
  // a user is not an organization
  res = await get(`/org/${a.name}`);
  assert.equal(res.status, 404);
});

test('members: add, change, remove; the last admin stays', async () => {
  const admin = newUser(), b = newUser(), c = newUser(), stranger = newUser();
  const org = await newOrg(admin.token);
  const m = (u) => `/org/${org}/members/${u.name}`;

  let res = await post(m(b), { role: 'read' }, admin.token);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.role, 'read');
  res = await put(m(c), { role: 'write' }, admin.token);
  assert.equal(res.status, 200, res.body);

  res = await get(`/org/${org}/members`, { headers: bearer(b.token) });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(
    Object.fromEntries(res.json.map((x) => [x.name, x.role])),
    { [admin.name]: 'admin', [b.name]: 'read', [c.name]: 'write' });
  res = await get(`/org/${org}`, { headers: bearer(b.token) });
  assert.equal(res.json.numMembers, 3);
  assert.equal(res.json.roleInOrg, 'read');

  // outsiders do not see the member list
  res = await get(`/org/${org}/members`, { headers: bearer(stranger.token) });
  assert.equal(res.status, 403);
  res = await get(`/org/${org}/members`);
  assert.equal(res.status, 401);
  res = await get(`/org/${unique('none')}/members`);
  assert.equal(res.status, 404);

  // only admins manage members
  for (const u of [b, c, stranger]) {
    res = await post(m(stranger), { role: 'admin' }, u.token);
    assert.equal(res.status, 403, `${u.name}: ${res.body}`);
    res = await del(m(admin), u.token);
    assert.equal(res.status, 403);
  }
  res = await post(m(stranger), { role: 'read' });
  assert.equal(res.status, 401);
  // a read token of an admin cannot either
  const adminRo = khubctl('token', 'add', admin.name, '--role', 'read')
    .trim();
  res = await post(m(stranger), { role: 'read' }, adminRo);
  assert.equal(res.status, 403);
  assert.equal(sql(`SELECT COUNT(*) FROM org_member m JOIN namespace n
    ON n.id = m.user_id WHERE n.name = '${stranger.name}'`).trim(), '0');

  // bad input
  res = await post(m(stranger), { role: 'owner' }, admin.token);
  assert.equal(res.status, 400);
  res = await post(m(stranger), {}, admin.token);
  assert.equal(res.status, 400);
  res = await post(`/org/${org}/members/${unique('nobody')}`,
    { role: 'read' }, admin.token);
  assert.equal(res.status, 404);
  res = await post(`/org/${org}/members/${org}`, { role: 'read' },
    admin.token);	// an org is not a user
  assert.equal(res.status, 404);
  res = await post(`/org/${unique('none')}/members/${b.name}`,
    { role: 'read' }, admin.token);
  assert.equal(res.status, 404);
  res = await del(m(stranger), admin.token);
  assert.equal(res.status, 404);

  // the last admin can be neither removed nor demoted
  res = await del(m(admin), admin.token);
  assert.equal(res.status, 400, res.body);
  assert.match(res.json.error, /last admin/);
  res = await put(m(admin), { role: 'write' }, admin.token);
  assert.equal(res.status, 400);
  // with a second admin it can
  res = await put(m(b), { role: 'admin' }, admin.token);
  assert.equal(res.status, 200);
  res = await put(m(admin), { role: 'write' }, admin.token);
  assert.equal(res.status, 200, res.body);
  res = await del(m(c), b.token);
  assert.equal(res.status, 200, res.body);
  res = await del(m(b), b.token);
  assert.equal(res.status, 400);
  res = await get(`/org/${org}/members`, { headers: bearer(b.token) });
  assert.deepEqual(
    Object.fromEntries(res.json.map((x) => [x.name, x.role])),
    { [admin.name]: 'write', [b.name]: 'admin' });
  // a removed member lost access to the list
  res = await get(`/org/${org}/members`, { headers: bearer(c.token) });
  assert.equal(res.status, 403);
});

test('an org member with write creates repos in it; with read not',
  async () => {
    const admin = newUser(), w = newUser(), r = newUser();
    const org = await newOrg(admin.token);
    assert.equal((await post(`/org/${org}/members/${w.name}`,
      { role: 'write' }, admin.token)).status, 200);
    assert.equal((await post(`/org/${org}/members/${r.name}`,
      { role: 'read' }, admin.token)).status, 200);
    const repo = await createRepo(w.token, { organization: org });
    assert.equal(repo.ns, org);
    const res = await post('/api/repos/create',
      { name: unique('r'), organization: org }, r.token);
    assert.equal(res.status, 403, res.body);
  });

test('khubctl: user list, disable/enable, password, quota, usage', async () => {
  const u = newUser();
  let out = khubctl('user', 'list');
  const line = out.split('\n').find((l) => l.split('\t')[0] === u.name);
  assert.ok(line, out);
  assert.equal(line.split('\t')[2], 'active');

  // disable: the column is set, the user shows as disabled
  out = khubctl('user', 'disable', u.name);
  assert.match(out, /disabled/);
  assert.equal(sql(`SELECT disabled FROM namespace
    WHERE name = '${u.name}'`).trim(), '1');
  assert.ok(khubctl('user', 'list').split('\n').some((l) =>
    l.startsWith(`${u.name}\t`) && l.split('\t')[2] === 'disabled'));
  let res = await get('/api/whoami-v2', { headers: bearer(u.token) });
  assert.equal(res.status, 401);
  khubctl('user', 'enable', u.name);
  assert.equal(sql(`SELECT disabled FROM namespace
    WHERE name = '${u.name}'`).trim(), '0');
  res = await get('/api/whoami-v2', { headers: bearer(u.token) });
  assert.equal(res.status, 200);

  // password from standard input
  let r = khubctlRaw(['user', 'password', u.name], 'a new password 1\n');
  assert.equal(r.status, 0, r.stderr);
  const h1 = sql(`SELECT password_hash FROM namespace
    WHERE name = '${u.name}'`).trim();
  assert.match(h1, /^\$argon2id\$/);
  r = khubctlRaw(['user', 'password', u.name], 'another one 22\n');
  assert.equal(r.status, 0, r.stderr);
  assert.notEqual(sql(`SELECT password_hash FROM namespace
    WHERE name = '${u.name}'`).trim(), h1);

  // quota: sizes, none, bad input
  khubctl('quota', 'set', u.name, '10GiB');
  assert.equal(sql(`SELECT quota_bytes FROM namespace
    WHERE name = '${u.name}'`).trim(), String(10 * 2 ** 30));
  out = khubctl('usage', u.name);
  assert.match(out, /^used_bytes: 0$/m);
  assert.match(out, new RegExp(`^quota_bytes: ${10 * 2 ** 30}$`, 'm'));
  khubctl('quota', 'set', u.name, '12345');
  assert.match(khubctl('usage', u.name), /^quota_bytes: 12345$/m);
  khubctl('quota', 'set', u.name, 'none');
  assert.equal(sql(`SELECT quota_bytes IS NULL FROM namespace
    WHERE name = '${u.name}'`).trim(), '1');

  const cases = [
    [['user', 'disable', 'nobody-here-x'], /no user named 'nobody-here-x'/],
    [['user', 'disable'], /usage/],
    [['user', 'password', u.name], /at least 8/, 'short\n'],
    [['user', 'password', u.name], /no password/, ''],
    [['quota', 'set', u.name, '10 parsecs'], /quota must be a size/],
    [['quota', 'set', u.name, '-1'], /quota must be a size/],
    [['quota', 'set', u.name, '99999999999TiB'], /quota must be a size/],
    [['quota', 'set', 'nobody-here-x', '1'], /no user or organization/],
    [['usage', 'nobody-here-x'], /no user or organization/],
    [['usage'], /usage/],
    [['user', 'list', 'extra'], /usage/],
  ];
  for (const [args, re, input] of cases) {
    r = khubctlRaw(args, input);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  // the usage text names every command
  r = khubctlRaw(['help']);
  for (const cmd of ['user list', 'user disable', 'user enable',
    'user password', 'quota set', 'usage NAME', 'user add', 'token add',
    'org add', 'org member', 'migrate'])
    assert.ok(r.stderr.includes(cmd), cmd);
});

test('whoami-v2 lists the caller\'s organizations with their full names',
  async () => {
    const u = newUser();
    const name = unique('o');
    const res = await post('/org/create', { name, fullname: 'Acme Research ✓' },
      u.token);
    assert.equal(res.status, 200, res.body);
    const w = await request('GET', '/api/whoami-v2',
      { headers: bearer(u.token) });
    assert.equal(w.status, 200);
    const org = w.json.orgs.find((o) => o.name === name);
    assert.ok(org, w.body);
    assert.equal(org.fullname, 'Acme Research ✓');
    assert.notEqual(org.fullname, org.name);
  });

// khubctl and the API are two front doors to the same rules (orgs.c,
// tokens.c): what one refuses, the other refuses.
test('khubctl keeps the API\'s rules: last admin, names, token names',
  async () => {
  const owner = newUser();
  const org = unique('org');
  khubctl('org', 'add', org, '--owner', owner.name);
  // The last admin cannot be demoted, from the shell either.
  let r = khubctlRaw(['org', 'member', org, owner.name, '--role', 'read']);
  assert.notEqual(r.status, 0, 'demoting the last admin is refused');
  assert.match(r.stderr, /last admin/);
  let res = await get(`/org/${org}/members`,
    { headers: bearer(owner.token) });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json.map((m) => [m.name, m.role]),
    [[owner.name, 'admin']]);
  // With a second admin the first may step down, as over HTTP.
  const other = newUser();
  khubctl('org', 'member', org, other.name, '--role', 'admin');
  khubctl('org', 'member', org, owner.name, '--role', 'read');
  res = await get(`/org/${org}/members`, { headers: bearer(other.token) });
  assert.deepEqual(res.json.map((m) => [m.name, m.role]).sort(),
    [[other.name, 'admin'], [owner.name, 'read']].sort());
  // A name the API refuses, khubctl refuses, with the API's words.
  r = khubctlRaw(['org', 'add', 'Models', '--owner', owner.name]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /reserved/);
  r = khubctlRaw(['org', 'add', org, '--owner', owner.name]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /already taken/);
  // A token name with a control character is refused by both.
  r = khubctlRaw(['token', 'add', owner.name, '--name', 'bell\u0007']);
  assert.notEqual(r.status, 0, 'control character in a token name');
  res = await post('/api/auth/tokens/create', { name: 'bell\u0007' },
    owner.token);
  assert.equal(res.status, 400, res.body);
});
