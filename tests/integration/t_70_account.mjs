// t_70_account.mjs: the Authentication API (register, login, logout, me,
// tokens), session cookies as credentials, disabled users, and bad input
// refused with nothing changed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  ASAN, BASE, BUILD, CONFIG, bearer, get, khubctl, newUser, post, request, sql,
  test, unique, waitFor,
} from './lib.mjs';

const PW = 'correct horse battery staple';

function assertError(res, status, code) {
  assert.equal(res.status, status, res.body);
  if (code) assert.equal(res.headers['x-error-code'], code, res.body);
  assert.ok(res.headers['x-error-message'], 'X-Error-Message is set');
  assert.equal(typeof res.json?.error, 'string', res.body);
}

// The browser's cookie, with the Origin a page of the hub itself sends.
const cookie = (sid) => ({ cookie: `session_id=${sid}`, origin: BASE });

// The session id of a login answer's Set-Cookie.
function sessionOf(res) {
  const sc = [].concat(res.headers['set-cookie'] || []);
  assert.equal(sc.length, 1, JSON.stringify(res.headers));
  const m = /^session_id=([0-9a-f]{64});/.exec(sc[0]);
  assert.ok(m, sc[0]);
  return m[1];
}

// Registers a new account: {name, email, user (the answer's)}.
async function register(extra = {}) {
  const name = unique('acc');
  const email = `${name}@example.org`;
  const res = await post('/api/auth/register',
    { username: name, email, password: PW, ...extra });
  assert.equal(res.status, 200, res.body);
  return { name, email, user: res.json.user };
}

async function login(username, password = PW) {
  return post('/api/auth/login', { username, password });
}

async function loginOk(username, password = PW) {
  const res = await login(username, password);
  assert.equal(res.status, 200, res.body);
  return sessionOf(res);
}

const count = (where) => Number(sql(
  `SELECT COUNT(*) FROM namespace WHERE ${where}`).trim());

test('register creates a user and answers it without secrets', async () => {
  const name = unique('acc');
  const email = `${name}@Example.org`;
  const res = await post('/api/auth/register',
    { username: name, email, password: PW, fullname: 'Grace Hopper' });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.success, true);
  const u = res.json.user;
  assert.equal(u.name, name);
  assert.equal(u.username, name);
  assert.equal(u.fullname, 'Grace Hopper');
  assert.equal(u.email, email);
  assert.equal(typeof u.id, 'number');
  assert.match(u.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.doesNotMatch(res.body, /argon|password|hash/i);
  assert.match(sql(`SELECT password_hash FROM namespace
    WHERE name = '${name}'`), /^\$argon2id\$/);
  // The account logs in with its name and with its email.
  await loginOk(name);
  await loginOk(email.toLowerCase());
  await loginOk(name.toUpperCase());
});

test('register refuses a taken name or email with 409', async () => {
  const a = await register();
  const other = unique('acc');
  for (const body of [
    { username: a.name, email: `${other}@example.org` },
    { username: a.name.toUpperCase(), email: `${other}@example.org` },
    { username: other, email: a.email },
    { username: other, email: a.email.toUpperCase() },
  ]) {
    const res = await post('/api/auth/register', { ...body, password: PW });
    assertError(res, 409, 'Conflict');
  }
  assert.equal(count(`name = '${other}'`), 0);
  // An organization's name is taken too.
  const owner = newUser();
  const org = unique('org');
  khubctl('org', 'add', org, '--owner', owner.name);
  assertError(await post('/api/auth/register', { username: org,
    email: `${other}@example.org`, password: PW }), 409, 'Conflict');
});

test('register refuses bad names, emails, passwords, types: 400, nothing '
  + 'created', async () => {
  const ok = () => {
    const n = unique('acc');
    return { username: n, email: `${n}@example.org`, password: PW };
  };
  const cases = [
    { username: "a'; DROP TABLE namespace; --" },
    { username: 'has space' },
    { username: 'x'.repeat(97) },
    { username: 'api' },
    { username: 'models' },
    { username: '-lead' },
    { username: 'dots..dots' },
    { username: 'ünïcode' },
    { username: '' },
    { username: 42 },
    { username: undefined },
    { email: 'no-at-sign' },
    { email: 'two@@example.org' },
    { email: 'a@localhost' },
    { email: '@example.org' },
    { email: 'a b@example.org' },
    { email: `${'e'.repeat(250)}@example.org` },
    { email: undefined },
    { password: 'short' },
    { password: '1234567' },
    { password: 'x'.repeat(1025) },
    { password: undefined },
    { password: ['array'] },
    { fullname: 'f'.repeat(256) },
    { fullname: 'line\nbreak' },
    { fullname: 'nul\u0000inside' },
    { fullname: 7 },
  ];
  for (const c of cases) {
    const body = { ...ok(), ...c };
    const res = await post('/api/auth/register', body);
    assertError(res, 400, 'BadRequest');
    if (typeof body.email === 'string')
      assert.equal(count(`email = '${body.email.replace(/'/g, "''")}'`), 0);
  }
  // Not JSON, not an object.
  assertError(await post('/api/auth/register', '{"username":'), 400);
  assertError(await post('/api/auth/register', '[1,2]'), 400);
  assert.equal(count("name LIKE 'a''%DROP%'"), 0);
  assert.ok(Number(sql('SELECT COUNT(*) FROM namespace').trim()) > 0,
    'the table is still there');
});

test('non-UTF-8 and overlong UTF-8 in any field: 400, nothing changed',
  async () => {
    const n = unique('acc');
    const raw = (field, bytes) => {
      const parts = { username: Buffer.from(n), email:
        Buffer.from(`${n}@example.org`), password: Buffer.from(PW),
        fullname: Buffer.from('Name') };
      parts[field] = Buffer.concat([parts[field], Buffer.from(bytes)]);
      const chunks = [Buffer.from('{')];
      Object.entries(parts).forEach(([k, v], i) => chunks.push(
        Buffer.from(`${i ? ',' : ''}"${k}":"`), v, Buffer.from('"')));
      chunks.push(Buffer.from('}'));
      return Buffer.concat(chunks);
    };
    for (const field of ['username', 'email', 'password', 'fullname'])
      for (const bytes of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80],
        [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
        const res = await post('/api/auth/register', raw(field, bytes));
        assertError(res, 400, 'BadRequest');
      }
    assert.equal(count(`name = '${n}'`), 0);
    // Login and token names too.
    assertError(await post('/api/auth/login', Buffer.concat([
      Buffer.from('{"username":"x'), Buffer.from([0xff]),
      Buffer.from(`","password":"${PW}"}`)])), 400);
    const a = await register();
    const sid = await loginOk(a.name);
    const res = await request('POST', '/api/auth/tokens/create', {
      headers: { 'content-type': 'application/json', ...cookie(sid) },
      body: Buffer.concat([Buffer.from('{"name":"t'), Buffer.from([0xfe]),
        Buffer.from('","role":"read"}')]) });
    assertError(res, 400, 'BadRequest');
    assert.equal(Number(sql(`SELECT COUNT(*) FROM token t JOIN namespace n
      ON n.id = t.user_id WHERE n.name = '${a.name}'`).trim()), 0);
  });

test('quotes and SQL in a full name are stored verbatim', async () => {
  const fullname = `O'Brien "Bobby" \\ \`x\`; DROP TABLE namespace; -- é€😀`;
  const a = await register({ fullname });
  assert.equal(a.user.fullname, fullname);
  const sid = await loginOk(a.name);
  const me = await get('/api/auth/me', { headers: cookie(sid) });
  assert.equal(me.status, 200, me.body);
  assert.equal(me.json.fullname, fullname);
  const w = await get('/api/whoami-v2', { headers: cookie(sid) });
  assert.equal(w.json.fullname, fullname);
});

test('login sets an HttpOnly session cookie and answers the user',
  async () => {
    const a = await register();
    const res = await login(a.name);
    assert.equal(res.status, 200, res.body);
    const sc = [].concat(res.headers['set-cookie'])[0];
    assert.match(sc, /^session_id=[0-9a-f]{64}; /);
    assert.match(sc, /; HttpOnly(;|$)/);
    assert.match(sc, /; SameSite=Lax(;|$)/);
    assert.match(sc, /; Path=\/(;|$)/);
    assert.match(sc, /; Max-Age=2592000(;|$)/);
    assert.doesNotMatch(sc, /Secure/, 'plain http: no Secure');
    assert.equal(res.json.user.name, a.name);
    assert.equal(res.json.username, a.name);
    // Only the SHA-256 of the session id is stored.
    const sid = sessionOf(res);
    const rows = sql(`SELECT HEX(s.hash), TIMESTAMPDIFF(DAY, NOW(),
      s.expires_at) FROM session s JOIN namespace n ON n.id = s.user_id
      WHERE n.name = '${a.name}'`).trim().split('\t');
    const { createHash } = await import('node:crypto');
    assert.equal(rows[0], createHash('sha256').update(sid).digest('hex')
      .toUpperCase());
    assert.ok(Number(rows[1]) >= 29 && Number(rows[1]) <= 30, rows[1]);
  });

test('wrong password and unknown user: the same 401, after the same delay',
  async () => {
    const a = await register();
    const nopw = newUser(); // made by khubctl, no password
    const answers = [], times = [];
    for (const [user, pw] of [[a.name, 'wrong password!'],
      [unique('nobody'), PW], [`${unique('nobody')}@example.org`, PW],
      [a.email, 'wrong password!'], [nopw.name, PW]]) {
      const t0 = Date.now();
      const res = await login(user, pw);
      const ms = Date.now() - t0;
      assertError(res, 401, 'Unauthorized');
      assert.ok(ms >= 390, `answered after ${ms} ms`);
      assert.equal(res.headers['set-cookie'], undefined);
      const { requestId, ...body } = res.json;
      assert.equal(requestId, res.headers['x-request-id']);
      answers.push([res.status, res.headers['x-error-code'],
        res.headers['x-error-message'], body]);
      times.push(ms);
    }
    for (const x of answers)
      assert.deepEqual(x, answers[0]);
    // The floor hides the rest: all within a small spread.
    assert.ok(Math.max(...times) - Math.min(...times) < (ASAN ? 1000 : 200),
      times.join());
    // Missing fields are a 400, not a login attempt.
    assertError(await post('/api/auth/login', { username: a.name }), 400);
    assertError(await post('/api/auth/login', { password: PW }), 400);
    assertError(await post('/api/auth/login',
      { username: 'x'.repeat(300), password: PW }), 400);
  });

test('a session authenticates me, whoami-v2 and writes', async () => {
  const a = await register({ fullname: 'Sessioned' });
  const sid = await loginOk(a.name);
  const me = await get('/api/auth/me', { headers: cookie(sid) });
  assert.equal(me.status, 200, me.body);
  assert.equal(me.json.name, a.name);
  assert.equal(me.json.email, a.email);
  assert.equal(me.json.fullname, 'Sessioned');
  assert.deepEqual(me.json.orgs, []);
  assert.equal(me.json.auth.type, 'session');
  assert.equal(me.json.auth.role, 'write');
  const w = await get('/api/whoami-v2', { headers: cookie(sid) });
  assert.equal(w.status, 200, w.body);
  assert.equal(w.json.name, a.name);
  assert.equal(w.json.auth.accessToken.role, 'write');
  // Among other cookies, in any position.
  const w2 = await get('/api/whoami-v2', { headers: {
    cookie: `theme=dark; session_id=${sid}; lang=en` } });
  assert.equal(w2.status, 200, w2.body);
  // A write with the cookie alone.
  const name = unique('r');
  const cr = await post('/api/repos/create', { name, type: 'model' }, null,
    cookie(sid));
  assert.equal(cr.status, 200, cr.body);
  assert.match(cr.json.url, new RegExp(`/${a.name}/${name}$`));
  // me with a token says so.
  const t = newUser('read');
  const mt = await get('/api/auth/me', { headers: bearer(t.token) });
  assert.equal(mt.status, 200, mt.body);
  assert.equal(mt.json.auth.type, 'access_token');
  assert.equal(mt.json.auth.role, 'read');
});

test('anonymous, malformed or unknown session: 401', async () => {
  assertError(await get('/api/auth/me'), 401, 'Unauthorized');
  assertError(await get('/api/auth/me', { headers: { cookie: 'theme=dark' } }),
    401, 'Unauthorized');
  for (const c of ['session_id=short', `session_id=${'A'.repeat(64)}`,
    `session_id=${'0'.repeat(63)}g`, `session_id=${'0'.repeat(65)}`,
    `session_id=${'0'.repeat(64)}`, 'session_id=']) {
    const res = await get('/api/whoami-v2', { headers: { cookie: c } });
    assertError(res, 401, 'Unauthorized');
  }
  // A public page with no cookie is not affected; Authorization wins.
  const u = newUser();
  const res = await get('/api/whoami-v2', { headers: { ...bearer(u.token),
    cookie: 'session_id=bad' } });
  assert.equal(res.status, 200, res.body);
});

test('logout ends this session only and clears the cookie', async () => {
  const a = await register();
  const s1 = await loginOk(a.name);
  const s2 = await loginOk(a.name);
  assert.notEqual(s1, s2);
  const out = await request('POST', '/api/auth/logout',
    { headers: cookie(s1) });
  assert.equal(out.status, 200, out.body);
  assert.match([].concat(out.headers['set-cookie'])[0],
    /^session_id=; Max-Age=0; .*HttpOnly/);
  assertError(await get('/api/auth/me', { headers: cookie(s1) }), 401);
  const me = await get('/api/auth/me', { headers: cookie(s2) });
  assert.equal(me.status, 200, me.body);
  // Without a session, or twice: still 200.
  assert.equal((await request('POST', '/api/auth/logout')).status, 200);
  assert.equal((await request('POST', '/api/auth/logout',
    { headers: cookie(s1) })).status, 200);
});

test('a session past its expiry is refused', async () => {
  const a = await register();
  const sid = await loginOk(a.name);
  assert.equal((await get('/api/auth/me', { headers: cookie(sid) })).status,
    200);
  sql(`UPDATE session s JOIN namespace n ON n.id = s.user_id
    SET s.expires_at = NOW(3) - INTERVAL 1 SECOND WHERE n.name = '${a.name}'`);
  assertError(await get('/api/auth/me', { headers: cookie(sid) }), 401);
  // The next login clears expired sessions of that user.
  await loginOk(a.name);
  assert.equal(sql(`SELECT COUNT(*) FROM session s JOIN namespace n
    ON n.id = s.user_id WHERE n.name = '${a.name}'`).trim(), '1');
});

async function createToken(auth, body) {
  return request('POST', '/api/auth/tokens/create', { body,
    headers: { 'content-type': 'application/json', ...auth } });
}

test('tokens: create once, list without secrets, revoke at once',
  async () => {
    const a = await register();
    const sid = await loginOk(a.name);
    const c = await createToken(cookie(sid), { name: 'laptop', role: 'write' });
    assert.equal(c.status, 200, c.body);
    assert.match(c.json.token, /^hf_[A-Za-z]{34}$/);
    assert.equal(c.json.name, 'laptop');
    assert.equal(c.json.role, 'write');
    assert.equal(c.json.expiresAt, null);
    const tok = c.json.token;
    const w = await get('/api/whoami-v2', { headers: bearer(tok) });
    assert.equal(w.status, 200, w.body);
    assert.equal(w.json.name, a.name);
    assert.equal(w.json.auth.accessToken.displayName, 'laptop');
    assert.equal(w.json.auth.accessToken.role, 'write');
    // A read token, made with the write one.
    const r = await createToken(bearer(tok), { name: 'ci' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.role, 'read');

    const l = await get('/api/auth/tokens', { headers: cookie(sid) });
    assert.equal(l.status, 200, l.body);
    assert.deepEqual(l.json.tokens.map((t) => [t.id, t.name, t.role]),
      [[c.json.id, 'laptop', 'write'], [r.json.id, 'ci', 'read']]);
    assert.ok(!l.body.includes(tok) && !l.body.includes(r.json.token));
    assert.doesNotMatch(l.body, /"token"|hash/);
    for (const t of l.json.tokens) {
      assert.match(t.createdAt, /^\d{4}-\d\d-\d\dT/);
      assert.equal(t.expiresAt, null);
      assert.equal(t.expired, false);
    }
    // A read token may not manage tokens.
    assertError(await get('/api/auth/tokens', { headers: bearer(r.json.token) }),
      403, 'Forbidden');
    assertError(await createToken(bearer(r.json.token), { name: 'x',
      role: 'write' }), 403, 'Forbidden');
    assertError(await request('DELETE', `/api/auth/tokens/${c.json.id}`,
      { headers: bearer(r.json.token) }), 403, 'Forbidden');
    assertError(await get('/api/auth/tokens'), 401, 'Unauthorized');

    const d = await request('DELETE', `/api/auth/tokens/${c.json.id}`,
      { headers: cookie(sid) });
    assert.equal(d.status, 200, d.body);
    assertError(await get('/api/whoami-v2', { headers: bearer(tok) }), 401,
      'Unauthorized');
    const l2 = await get('/api/auth/tokens', { headers: cookie(sid) });
    assert.deepEqual(l2.json.tokens.map((t) => t.id), [r.json.id]);
    assertError(await request('DELETE', `/api/auth/tokens/${c.json.id}`,
      { headers: cookie(sid) }), 404, 'NotFound');
    for (const bad of ['abc', '0', '-1', '99999999999999999999', '1x'])
      assertError(await request('DELETE', `/api/auth/tokens/${bad}`,
        { headers: cookie(sid) }), 404);
  });

test('tokens: bad input refused with 400, nothing created', async () => {
  const a = await register();
  const sid = await loginOk(a.name);
  const future = new Date(Date.now() + 86400e3).toISOString();
  for (const body of [
    {},
    { name: '' },
    { name: 'x'.repeat(101) },
    { name: 'tab\there' },
    { name: 5 },
    { name: 't', role: 'admin' },
    { name: 't', role: 'WRITE' },
    { name: 't', expires_in_days: 0 },
    { name: 't', expires_in_days: -3 },
    { name: 't', expires_in_days: 3651 },
    { name: 't', expires_in_days: 1.5 },
    { name: 't', expires_in_days: '7' },
    { name: 't', expires_at: '2001-01-01T00:00:00Z' },
    { name: 't', expires_at: 'tomorrow' },
    { name: 't', expires_at: '2030-13-01T00:00:00Z' },
    { name: 't', expires_at: future, expires_in_days: 1 },
    { name: "t'; DELETE FROM token; --", role: "write' OR '1'='1" },
  ]) {
    const res = await createToken(cookie(sid), body);
    assertError(res, 400, 'BadRequest');
  }
  assert.equal(Number(sql(`SELECT COUNT(*) FROM token t JOIN namespace n
    ON n.id = t.user_id WHERE n.name = '${a.name}'`).trim()), 0);
  // SQL in a token name is just a name.
  const odd = "t'; DELETE FROM token; --";
  const ok = await createToken(cookie(sid), { name: odd });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json.name, odd);
});

test('tokens: an expiry, then refused once past it', async () => {
  const a = await register();
  const sid = await loginOk(a.name);
  const d = await createToken(cookie(sid), { name: 'week', role: 'read',
    expires_in_days: 7 });
  assert.equal(d.status, 200, d.body);
  const left = Date.parse(d.json.expiresAt) - Date.now();
  assert.ok(Math.abs(left - 7 * 86400e3) < 120e3, d.json.expiresAt);
  const at = '2031-06-01T12:30:00Z';
  const e = await createToken(cookie(sid), { name: 'until', expires_at: at });
  assert.equal(e.status, 200, e.body);
  assert.equal(e.json.expiresAt, '2031-06-01T12:30:00.000Z');
  assert.equal((await get('/api/whoami-v2', { headers: bearer(d.json.token) }))
    .status, 200);
  sql(`UPDATE token SET expires_at = NOW(3) - INTERVAL 1 SECOND
    WHERE id = ${d.json.id}`);
  assertError(await get('/api/whoami-v2', { headers: bearer(d.json.token) }),
    401, 'Unauthorized');
  const l = await get('/api/auth/tokens', { headers: cookie(sid) });
  const t = l.json.tokens.find((x) => x.id === d.json.id);
  assert.equal(t.expired, true);
});

test("another user's token id: 404, and it keeps working", async () => {
  const a = await register();
  const b = await register();
  const sa = await loginOk(a.name);
  const sb = await loginOk(b.name);
  const c = await createToken(cookie(sa), { name: 'mine', role: 'read' });
  assert.equal(c.status, 200, c.body);
  assertError(await request('DELETE', `/api/auth/tokens/${c.json.id}`,
    { headers: cookie(sb) }), 404, 'NotFound');
  const lb = await get('/api/auth/tokens', { headers: cookie(sb) });
  assert.deepEqual(lb.json.tokens, []);
  assert.equal((await get('/api/whoami-v2', { headers: bearer(c.json.token) }))
    .status, 200);
});

test("a disabled user's tokens and sessions are refused at once", async () => {
  const a = await register();
  const sid = await loginOk(a.name);
  const c = await createToken(cookie(sid), { name: 'w', role: 'write' });
  assert.equal(c.status, 200, c.body);
  assert.equal((await get('/api/whoami-v2', { headers: bearer(c.json.token) }))
    .status, 200);
  sql(`UPDATE namespace SET disabled = 1 WHERE name = '${a.name}'`);
  try {
    assertError(await get('/api/whoami-v2', { headers: bearer(c.json.token) }),
      401, 'Unauthorized');
    assertError(await get('/api/auth/me', { headers: cookie(sid) }), 401,
      'Unauthorized');
    assertError(await post('/api/repos/create', { name: unique('r') },
      c.json.token), 401);
    // Login: a wrong password looks like any other; the right one is told.
    assertError(await login(a.name, 'wrong password!'), 401, 'Unauthorized');
    const res = await login(a.name);
    assertError(res, 403, 'Forbidden');
    assert.equal(res.headers['set-cookie'], undefined);
  } finally {
    sql(`UPDATE namespace SET disabled = 0 WHERE name = '${a.name}'`);
  }
  assert.equal((await get('/api/whoami-v2', { headers: bearer(c.json.token) }))
    .status, 200);
  assert.equal((await get('/api/auth/me', { headers: cookie(sid) })).status,
    200);
});

// One FastCGI request with a body to addr through cgi-fcgi; returns
// {status, headers (lower-case names), body}.
function fcgi(addr, method, uri, body = '', extra = {}) {
  const env = { ...process.env, REQUEST_METHOD: method, REQUEST_URI: uri,
    SERVER_NAME: '127.0.0.1', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1',
    CONTENT_TYPE: 'application/json',
    CONTENT_LENGTH: String(Buffer.byteLength(body)), ...extra };
  // khub may answer before it reads the body (a 403 needs none); then
  // cgi-fcgi is done and gone while the body is still being written to
  // it: EPIPE, with the whole answer in hand. Only that is forgiven.
  const r = spawnSync('cgi-fcgi', ['-bind', '-connect', addr],
    { env, input: body, encoding: 'utf8', timeout: 10000 });
  if (r.error && !(r.error.code === 'EPIPE' && /\r\n\r\n/.test(r.stdout)))
    throw r.error;
  if (!r.error && r.status !== 0)
    throw new Error(`cgi-fcgi: exit ${r.status}: ${r.stderr}`);
  const out = r.stdout;
  const [head, ...rest] = out.split('\r\n\r\n');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(/^(\d+)/.exec(headers.status)[1]), headers,
    body: rest.join('\r\n\r\n') };
}

// A second khub (its own prefork pool) on the stack's database, with
// registration off and URLs from each request (no base_url).
test('registration switched off: 403; over https the cookie is Secure',
  async () => {
    const tmp = mkdtempSync(`${tmpdir()}/khub-acct-`);
    const conf = `${tmp}/khub.conf`;
    const text = readFileSync(CONFIG, 'utf8');
    assert.match(text, /^allow_registration\s*=\s*true$/m);
    writeFileSync(conf, text.replace(/^allow_registration\s*=.*$/m,
      'allow_registration = false\ntrust_forwarded = true')
      .replace(/^base_url\s*=.*$/m, ''));
    const addr = `127.0.0.1:${Number(new URL(BASE).port) + 7}`;
    const master = spawn(`${BUILD}/khub.fcgi`,
      ['--listen', addr, '--workers', '1'],
      { env: { ...process.env, KHUB_CONFIG: conf }, stdio: 'ignore' });
    try {
      assert.ok(await waitFor(() =>
        fcgi(addr, 'GET', '/api/health').status === 200, 20));
      const n = unique('acc');
      const res = fcgi(addr, 'POST', '/api/auth/register', JSON.stringify(
        { username: n, email: `${n}@example.org`, password: PW }));
      assert.equal(res.status, 403, res.body);
      assert.equal(res.headers['x-error-code'], 'RegistrationDisabled');
      assert.match(JSON.parse(res.body).error, /khubctl/);
      assert.equal(count(`name = '${n}'`), 0);
      // Logging in still works there.
      const a = await register();
      const li = fcgi(addr, 'POST', '/api/auth/login',
        JSON.stringify({ username: a.name, password: PW }));
      assert.equal(li.status, 200, li.body);
      assert.match(li.headers['set-cookie'], /^session_id=[0-9a-f]{64};/);
      assert.doesNotMatch(li.headers['set-cookie'], /Secure/);
      // Behind a proxy that speaks https to the browser.
      const https = { HTTP_X_FORWARDED_PROTO: 'https' };
      const ls = fcgi(addr, 'POST', '/api/auth/login',
        JSON.stringify({ username: a.name, password: PW }), https);
      assert.equal(ls.status, 200, ls.body);
      assert.match(ls.headers['set-cookie'], /; Secure(;|$)/);
      const lo = fcgi(addr, 'POST', '/api/auth/logout', '', {
        ...https, HTTP_COOKIE: ls.headers['set-cookie'].split(';')[0],
        HTTP_SEC_FETCH_SITE: 'same-origin' });
      assert.equal(lo.status, 200, lo.body);
      assert.match(lo.headers['set-cookie'], /^session_id=; Max-Age=0;.*Secure/);
    } finally {
      // Gone before the next test: front ends use this port later.
      const exited = new Promise((r) => master.on('exit', r));
      master.kill('SIGTERM');
      await exited;
    }
  });
