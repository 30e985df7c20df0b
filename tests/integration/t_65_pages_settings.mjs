// t_65_pages_settings.mjs: what a person manages in a browser
// (ui_settings.c): access tokens (created with a role and a lifetime,
// shown once, revoked), signing up, a new organization. First through
// lighttpd with plain HTTP (the CSRF token and the origin on every form,
// a token that works as the API's, nothing written by a refused form),
// then the same path in Debian's chromium; an organization's members
// page (admins add, change, remove; members read; others see a 404).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTIFACTS as artifacts, BASE, csrfOf, get, launchChromium, pageErrors,
  passwordUser as userWith, postForm, sessionCookie, sql, test, unique,
} from './lib.mjs';

const PW = 'settings password 1';
const passwordUser = () => userWith(PW);



const tokenCount = (user) => Number(sql(`SELECT COUNT(*) FROM token t JOIN
  namespace n ON n.id = t.user_id WHERE n.name = '${user}'
  AND t.revoked_at IS NULL`).trim());

test('settings: tokens are created with a role and lifetime, shown once, '
  + 'work as the API\'s, and are revoked', async () => {
  const u = passwordUser();
  const before = tokenCount(u.name);
  // not logged in: the login form, coming back here after
  const anon = await get('/settings/tokens');
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.location, `${BASE}/login?next=/settings/tokens`);
  const cookie = await sessionCookie(u.name, PW);
  const page = await get('/settings/tokens', { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(page.headers['content-security-policy'], /default-src 'none'/);
  assert.equal(page.headers['cache-control'], 'no-store');
  const csrf = csrfOf(page.body);
  const name = 'laptop <"x">';

  // refused forms write nothing
  for (const [fields, headers] of [
    [{ csrf, action: 'create', name, role: 'write', days: '30' },
      { origin: 'http://evil.example' }],
    [{ csrf: '0'.repeat(64), action: 'create', name, role: 'write', days: '30' }, {}],
    [{ action: 'create', name, role: 'write', days: '30' }, {}],
  ]) {
    const res = await postForm('/settings/tokens', fields, cookie, headers);
    assert.equal(res.status, 403, res.body.slice(0, 200));
  }
  for (const fields of [{ csrf, action: 'create', name, role: 'admin', days: '30' },
    { csrf, action: 'create', name, role: 'read', days: '31' },
    { csrf, action: 'create', name: '', role: 'read', days: '30' }]) {
    const res = await postForm('/settings/tokens', fields, cookie);
    assert.equal(res.status, 400, res.body.slice(0, 200));
  }
  assert.equal(tokenCount(u.name), before);

  const made = await postForm('/settings/tokens',
    { csrf, action: 'create', name, role: 'write', days: '30' }, cookie);
  assert.equal(made.status, 200, made.body.slice(0, 300));
  assert.equal(made.headers['cache-control'], 'no-store');
  assert.ok(made.body.includes('laptop &lt;&quot;x&quot;&gt;'));
  const token = /id="newtoken" readonly size="44" value="(hf_[A-Za-z0-9]+)"/
    .exec(made.body)[1];
  const who = await get('/api/whoami-v2',
    { headers: { authorization: `Bearer ${token}` } });
  assert.equal(who.status, 200);
  assert.equal(who.json.name, u.name);
  assert.equal(who.json.auth.accessToken.role, 'write');
  // listed with its lifetime, never shown again
  const list = await get('/settings/tokens', { headers: { cookie } });
  assert.ok(!list.body.includes(token));
  assert.ok(list.body.includes('laptop &lt;&quot;x&quot;&gt;'));
  const api = await get('/api/auth/tokens', { headers: { cookie } });
  const rec = api.json.tokens.find((t) => t.name === name);
  assert.ok(rec && rec.role === 'write' && rec.expiresAt);
  const days = (Date.parse(rec.expiresAt) - Date.now()) / 86400e3;
  assert.ok(days > 29.9 && days < 30.1, `expires in ${days} days`);

  // another user cannot revoke it; its owner can
  const other = passwordUser();
  const oc = await sessionCookie(other.name, PW);
  const ocsrf = csrfOf((await get('/settings/tokens', { headers: { cookie: oc } })).body);
  let res = await postForm('/settings/tokens', { csrf: ocsrf, action: 'revoke',
    id: String(rec.id) }, oc);
  assert.equal(res.status, 404);
  res = await postForm('/settings/tokens', { csrf, action: 'revoke',
    id: String(rec.id) }, cookie);
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, `${BASE}/settings/tokens`);
  assert.equal((await get('/api/whoami-v2',
    { headers: { authorization: `Bearer ${token}` } })).status, 401);
  assert.equal(tokenCount(u.name), before);
});

test('settings: sign up logs the new user in; a new organization has its '
  + 'creator as admin', async () => {
  const form = await get('/join');
  assert.equal(form.status, 200);
  const cookie = /khub_csrf=([0-9a-f]{64})/.exec(form.headers['set-cookie'])[1];
  const csrf = csrfOf(form.body);
  const name = unique('join');
  const fields = { csrf, username: name, email: `${name}@example.org`,
    fullname: 'Join <Test>', password: 'short' };
  let res = await postForm('/join', fields, `khub_csrf=${cookie}`);
  assert.equal(res.status, 400);
  assert.match(res.body, /at least 8 characters/);
  assert.ok(res.body.includes(`value="${name}"`), 'the form keeps its values');
  res = await postForm('/join', { ...fields, password: PW }, `khub_csrf=${cookie}`,
    { origin: 'http://evil.example' });
  assert.equal(res.status, 403);
  assert.equal(Number(sql(`SELECT COUNT(*) FROM namespace WHERE name = '${name}'`)
    .trim()), 0);
  res = await postForm('/join', { ...fields, password: PW }, `khub_csrf=${cookie}`);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  assert.equal(res.headers.location, `${BASE}/${name}`);
  const sid = /session_id=([0-9a-f]{64})/.exec(res.headers['set-cookie'])[1];
  const me = await get('/api/auth/me', { headers: { cookie: `session_id=${sid}` } });
  assert.equal(me.status, 200);
  assert.equal(me.json.name, name);
  // the same name again: the API's conflict, as a page
  res = await postForm('/join', { ...fields, password: PW }, `khub_csrf=${cookie}`);
  assert.equal(res.status, 409);

  const org = unique('porg');
  const page = await get('/organizations/new', { headers: { cookie: `session_id=${sid}` } });
  assert.equal(page.status, 200);
  const ocsrf = csrfOf(page.body);
  res = await postForm('/organizations/new', { csrf: ocsrf, name: org,
    fullname: 'Page <Org>' }, `session_id=${sid}`);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  assert.equal(res.headers.location, `${BASE}/${org}`);
  const members = await get(`/org/${org}/members`,
    { headers: { cookie: `session_id=${sid}` } });
  assert.equal(members.status, 200);
  assert.deepEqual(members.json.map((m) => [m.name, m.role]), [[name, 'admin']]);
  res = await postForm('/organizations/new', { csrf: ocsrf, name: org },
    `session_id=${sid}`);
  assert.equal(res.status, 409);
  assert.equal((await get('/organizations/new')).status, 303);
});

test('organization pages: admins manage members; members read; others '
  + 'get the 404 page', async () => {
  const admin = passwordUser();
  const reader = passwordUser();
  const later = passwordUser();
  const stranger = passwordUser();
  const org = unique('morg');
  const ac = await sessionCookie(admin.name, PW);
  const newForm = await get('/organizations/new', { headers: { cookie: ac } });
  let res = await postForm('/organizations/new', { csrf: csrfOf(newForm.body),
    name: org }, ac);
  assert.equal(res.status, 303);
  const path = `/organizations/${org}/settings/members`;
  const page = await get(path, { headers: { cookie: ac } });
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /&lt;/, 'no markup written as text');
  const csrf = csrfOf(page.body);
  for (const [user, role] of [[reader.name, 'read'], [later.name, 'write']]) {
    res = await postForm(path, { csrf, action: 'set', user, role }, ac);
    assert.equal(res.status, 303, res.body.slice(0, 300));
  }
  res = await postForm(path, { csrf, action: 'set', user: unique('nobody'),
    role: 'read' }, ac);
  assert.equal(res.status, 404);
  res = await postForm(path, { csrf, action: 'set', user: later.name, role: 'owner' }, ac);
  assert.equal(res.status, 400);
  // the last admin stays
  res = await postForm(path, { csrf, action: 'remove', user: admin.name }, ac);
  assert.equal(res.status, 400);
  res = await postForm(path, { csrf, action: 'set', user: later.name, role: 'admin' }, ac);
  assert.equal(res.status, 303);
  res = await postForm(path, { csrf, action: 'remove', user: later.name }, ac);
  assert.equal(res.status, 303);
  const api = await get(`/org/${org}/members`, { headers: { cookie: ac } });
  assert.deepEqual(Object.fromEntries(api.json.map((m) => [m.name, m.role])),
    { [admin.name]: 'admin', [reader.name]: 'read' });

  // a reader sees the list, no forms, and may not change it
  const rc = await sessionCookie(reader.name, PW);
  const rp = await get(path, { headers: { cookie: rc } });
  assert.equal(rp.status, 200);
  assert.ok(rp.body.includes(`>${admin.name}</a>`));
  assert.doesNotMatch(rp.body, /Add a member|name="action"/);
  res = await postForm(path, { csrf: csrfOf((await get('/settings/tokens',
    { headers: { cookie: rc } })).body), action: 'remove', user: admin.name }, rc);
  assert.equal(res.status, 403);
  const profile = await get(`/${org}`, { headers: { cookie: rc } });
  assert.ok(profile.body.includes(`href="${path}"`));
  // a stranger and anonymous: the 404 page; the profile names no member
  const sc = await sessionCookie(stranger.name, PW);
  const sp = await get(path, { headers: { cookie: sc } });
  assert.equal(sp.status, 404);
  const missing = await get(`/organizations/${unique('none')}/settings/members`,
    { headers: { cookie: sc } });
  assert.equal(sp.body.replace(/request [0-9a-f]{16}/, ''),
    missing.body.replace(/request [0-9a-f]{16}/, ''));
  assert.equal((await get(path)).status, 303);
  for (const headers of [{ cookie: sc }, {}]) {
    const p = await get(`/${org}`, { headers });
    assert.equal(p.status, 200);
    assert.ok(!p.body.includes(reader.name), 'members are for members');
  }
});

test('settings in chromium: sign up, create and revoke a token, create an '
  + 'organization; no console error', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const name = unique('cjoin');
    await page.goto(`${BASE}/`);
    await Promise.all([page.waitForNavigation(),
      page.click('header .who a:has-text("Sign up")')]);
    await page.fill('#username', name);
    await page.fill('#email', `${name}@example.org`);
    await page.fill('#password', PW);
    await Promise.all([page.waitForNavigation(),
      page.click('form.login button')]);
    assert.equal(new URL(page.url()).pathname, `/${name}`);
    await Promise.all([page.waitForNavigation(),
      page.click('header .who a:has-text("Settings")')]);
    await page.fill('#name', 'browser token');
    await page.selectOption('#role', 'read');
    await page.selectOption('#days', '90');
    await Promise.all([page.waitForNavigation(),
      page.click('form.login button')]);
    const token = await page.inputValue('#newtoken');
    assert.match(token, /^hf_/);
    await page.screenshot({ path: join(artifacts, 'pages-tokens.png'), fullPage: true });
    const who = await get('/api/whoami-v2', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(who.json.name, name);
    await Promise.all([page.waitForNavigation(),
      page.click('button[aria-label="Revoke browser token"]')]);
    assert.equal(await page.$('button[aria-label="Revoke browser token"]'), null);
    assert.equal((await get('/api/whoami-v2',
      { headers: { authorization: `Bearer ${token}` } })).status, 401);
    const org = unique('corg');
    await page.goto(`${BASE}/organizations/new`);
    await page.fill('#name', org);
    await Promise.all([page.waitForNavigation(),
      page.click('form.login button')]);
    assert.equal(new URL(page.url()).pathname, `/${org}`);
    const friend = passwordUser();
    await Promise.all([page.waitForNavigation(),
      page.click('a:has-text("Manage members and roles")')]);
    await page.fill('#user', friend.name);
    await page.selectOption('#role', 'write');
    await Promise.all([page.waitForNavigation(),
      page.click('form.login button')]);
    await page.screenshot({ path: join(artifacts, 'pages-members.png'), fullPage: true });
    assert.equal(await page.inputValue('#role-0') === 'write' ||
      await page.inputValue('#role-1') === 'write', true);
    assert.deepEqual(errors, [], `console errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
  }
});
