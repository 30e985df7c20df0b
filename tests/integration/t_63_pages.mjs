// t_63_pages.mjs: the pages for people (ui_*.c), first through lighttpd
// with plain HTTP (status, type, CSP, escaping, the 404 a private
// repository shares with a missing one, a folder of 10,000 files in
// pages, the login form's CSRF), then in Debian's chromium driven by
// playwright-core: a person logs in with the form, finds a repository,
// reads its card, walks its files and history, with no console error and
// no CSP violation. Screenshots go to run/artifacts/pages-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTIFACTS as artifacts, BASE, commitOk, createRepo, get, launchChromium,
  newUser, pageErrors, passwordUser as userWith, request, test, unique,
} from './lib.mjs';

const PW = 'pages password 1';
const html = { accept: 'text/html' };
const CARD = '---\nlicense: apache-2.0\ntags: [vision, "q\\"uote"]\n'
  + 'pipeline_tag: image-classification\n---\n'
  + '# Card <script>alert("card")</script> "quoted"\n\n'
  + '<img src=x onerror="alert(1)">\n\n'
  + '| metric | value |\n|---|---|\n| accuracy | 0.91 |\n\n'
  + '[bad](javascript:alert(2)) https://example.org/more\n';
// "</script>" would hold a '/': a folder. This is a file.
const EVIL = 'dir/x"<script>alert(3).txt';

// A user who can log in with a password: {name, token}.
const passwordUser = () => userWith(PW);

// The repository most tests read: a card, a folder, a file with a
// hostile name, two commits. Made once.
let shared;
async function repo() {
  if (shared) return shared;
  const u = passwordUser();
  const r = await createRepo(u.token, { name: unique('page') });
  await commitOk(u.token, r, { files: { 'README.md': CARD,
    'config.json': '{"a": 1}\n', [EVIL]: 'line one\n<b>line two</b>\n' },
  summary: 'first <commit> "one"' });
  await commitOk(u.token, r, { files: { 'dir/more.txt': 'more\n' },
    summary: 'second commit' });
  shared = { u, r };
  return shared;
}

function assertPage(res, status = 200) {
  assert.equal(res.status, status, res.body.slice(0, 500));
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const csp = res.headers['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|script-src/);
  assert.match(res.body, /^<!doctype html>/);
}

const noId = (s) => s.replace(/request [0-9a-f]{16}/g, 'request ID');

test('pages: repo, files, file, history, listing, profile, login answer '
  + 'HTML with a strict CSP', async () => {
  const { u, r } = await repo();
  for (const path of [`/${r.id}`, `/${r.id}/tree/main`,
    `/${r.id}/tree/main/dir`, `/${r.id}/blob/main/config.json`,
    `/${r.id}/commits/main`, '/models', `/models?search=${r.name}`,
    '/datasets', '/spaces', `/${u.name}`, '/login', '/'])
    assertPage(await get(path), 200);
  const css = await get('/static/khub.css');
  assert.equal(css.status, 200);
  assert.match(css.headers['content-type'], /^text\/css/);
  assert.match(css.headers['cache-control'], /max-age=31536000/);
  const page = await get(`/${r.id}`);
  const href = /href="(\/static\/khub\.css\?v=[0-9a-f]+)"/.exec(page.body);
  assert.ok(href, 'the page links the stylesheet');
  assert.equal((await get(href[1])).status, 200);
  // no inline style or script anywhere
  assert.doesNotMatch(page.body, /<script|<style|style="/);
});

test('pages: the card is rendered, its raw HTML and every value escaped',
  async () => {
  const { r } = await repo();
  const card = await get(`/${r.id}`);
  assertPage(card);
  assert.match(card.body, /<h1>Card <!-- raw HTML omitted -->/);
  assert.match(card.body, /<table>/);
  assert.match(card.body, /<td>accuracy<\/td>/);
  assert.match(card.body, /<a href="https:\/\/example.org\/more">/);
  assert.doesNotMatch(card.body, /<script|onerror|javascript:/);
  assert.match(card.body, /apache-2\.0/);
  assert.match(card.body, /image-classification/);
  assert.match(card.body, /q&quot;uote/);
  assert.match(card.body, /first &lt;commit&gt;|second commit/);
  assert.match(card.body, /snapshot_download\("/);
  assert.match(card.body, /pipeline\("image-classification"/);
  assert.match(card.body, /git clone /);
  const tree = await get(`/${r.id}/tree/main/dir`);
  assertPage(tree);
  assert.match(tree.body, /x&quot;&lt;script&gt;alert\(3\)\.txt/);
  assert.doesNotMatch(tree.body, /<script/);
  const file = await get(`/${r.id}/blob/main/${EVIL.split('/').map(
    encodeURIComponent).join('/')}`);
  assertPage(file);
  assert.match(file.body, /&lt;b&gt;line two&lt;\/b&gt;/);
  assert.match(file.body, /id="L2"/);
  assert.doesNotMatch(file.body, /<script|<b>/);
  const log = await get(`/${r.id}/commits/main`);
  assertPage(log);
  assert.match(log.body, /first &lt;commit&gt; &quot;one&quot;/);
  assert.match(log.body, /second commit/);
});

test('pages: a private repository is the 404 page of a missing one, for '
  + 'anonymous callers and strangers', async () => {
  const owner = newUser();
  const stranger = newUser();
  const priv = await createRepo(owner.token, { private: true,
    name: unique('secret') });
  await commitOk(owner.token, priv, { files: { 'README.md': '# secret' } });
  const missing = `${owner.name}/${unique('nothing')}`;
  for (const headers of [{}, { authorization: `Bearer ${stranger.token}` }]) {
    for (const [a, b] of [[`/${priv.id}`, `/${missing}`],
      [`/${priv.id}/tree/main`, `/${missing}/tree/main`],
      [`/${priv.id}/blob/main/README.md`, `/${missing}/blob/main/README.md`],
      [`/${priv.id}/commits/main`, `/${missing}/commits/main`]]) {
      const x = await get(a, { headers });
      const y = await get(b, { headers });
      assertPage(x, 404);
      assertPage(y, 404);
      assert.equal(noId(x.body), noId(y.body), `${a} and ${b} differ`);
      assert.doesNotMatch(x.body, new RegExp(priv.name));
    }
  }
  // the owner reads it; the profile lists it for the owner only
  const own = { authorization: `Bearer ${owner.token}` };
  assertPage(await get(`/${priv.id}`, { headers: own }));
  assert.match((await get(`/${owner.name}`, { headers: own })).body,
    new RegExp(priv.name));
  assert.doesNotMatch((await get(`/${owner.name}`)).body,
    new RegExp(priv.name));
  assert.doesNotMatch((await get(`/models?search=${priv.name}`)).body,
    new RegExp(`href="/${priv.id}"`));
  assert.match((await get(`/models?search=${priv.name}`, { headers: own }))
    .body, new RegExp(`href="/${priv.id}"`));
});

test('pages: a folder of 10,000 files comes in pages', async () => {
  const u = newUser();
  const r = await createRepo(u.token);
  const files = {};
  for (let i = 0; i < 10000; i++)
    files[`big/f${String(i).padStart(5, '0')}.txt`] = `${i}\n`;
  await commitOk(u.token, r, { files });
  let path = `/${r.id}/tree/main/big`;
  const seen = [];
  for (let pages = 0; path; pages++) {
    assert.ok(pages < 30, 'too many pages');
    const t0 = Date.now();
    const res = await get(path);
    assertPage(res);
    if (pages === 0)
      console.log(`  first page of 10,000 files: ${Date.now() - t0} ms, `
        + `${res.body.length} bytes`);
    for (const m of res.body.matchAll(/>(f\d{5}\.txt)</g)) seen.push(m[1]);
    const next = /rel="next" href="([^"]+)"/.exec(res.body);
    path = next ? next[1].replace(/&amp;/g, '&') : null;
  }
  assert.equal(seen.length, 10000);
  assert.equal(new Set(seen).size, 10000);
  assert.equal(seen[0], 'f00000.txt');
  assert.equal(seen[9999], 'f09999.txt');
});

test('pages: no API answer changes; a browser\'s 404 is a page', async () => {
  const { r } = await repo();
  const info = await get(`/api/models/${r.id}`);
  assert.equal(info.status, 200);
  assert.equal(info.headers['content-type'], 'application/json');
  let res = await get('/api/no-such-thing', { headers: html });
  assert.equal(res.status, 404);
  assert.equal(res.headers['content-type'], 'application/json');
  res = await request('POST', `/${r.id}`);
  assert.equal(res.status, 404, 'a page route makes no 405');
  assert.equal(res.headers['content-type'], 'application/json');
  res = await get('/no/such/page/here', { headers: html });
  assertPage(res, 404);
  res = await request('HEAD', '/no/such/endpoint/here');
  assert.equal(res.headers['content-type'], 'application/json');
  res = await request('HEAD', `/${r.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.body, '');
});

test('pages: the login form needs its CSRF token and the hub\'s origin',
  async () => {
  const { u } = await repo();
  const form = await get('/login');
  assertPage(form);
  const cookie = /khub_csrf=([0-9a-f]{64})/.exec(form.headers['set-cookie']);
  assert.ok(cookie, 'the form sets khub_csrf');
  assert.match(form.headers['set-cookie'][0], /HttpOnly/);
  assert.match(form.headers['set-cookie'][0], /SameSite=Strict/);
  const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(form.body)[1];
  const send = (fields, headers = {}) => request('POST', '/login', {
    body: new URLSearchParams(fields).toString(), headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `khub_csrf=${cookie[1]}`, origin: BASE, ...headers } });
  const ok = { csrf, username: u.name, password: PW, next: '/models' };
  // another site's form, no token, a token of another browser
  let res = await send(ok, { origin: 'http://evil.example' });
  assertPage(res, 403);
  res = await send({ ...ok, csrf: '' });
  assertPage(res, 403);
  res = await send(ok, { cookie: `khub_csrf=${'0'.repeat(64)}` });
  assertPage(res, 403);
  res = await send({ ...ok, password: 'wrong password' });
  assertPage(res, 401);
  assert.match(res.body, /Invalid username or password/);
  res = await send({ ...ok, next: '//evil.example/x' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, `${BASE}/`);
  res = await send(ok);
  assert.equal(res.status, 303, res.body);
  assert.equal(res.headers.location, `${BASE}/models`);
  const sid = /session_id=([0-9a-f]{64})/.exec(res.headers['set-cookie']);
  assert.ok(sid);
  const me = await get('/models', { headers: { cookie: `session_id=${sid[1]}` } });
  assert.match(me.body, new RegExp(`href="/${u.name}">${u.name}<`));
  const logout = /action="\/logout"><input type="hidden" name="csrf" value="([0-9a-f]{64})"/
    .exec(me.body)[1];
  // logging out takes the session's token too
  res = await request('POST', '/logout', { body: 'csrf=bad', headers: {
    'content-type': 'application/x-www-form-urlencoded', origin: BASE,
    cookie: `session_id=${sid[1]}` } });
  assertPage(res, 403);
  res = await request('POST', '/logout', { body: `csrf=${logout}`, headers: {
    'content-type': 'application/x-www-form-urlencoded', origin: BASE,
    cookie: `session_id=${sid[1]}` } });
  assert.equal(res.status, 303);
  res = await get('/api/auth/me', { headers: { cookie: `session_id=${sid[1]}` } });
  assert.equal(res.status, 401, 'the session ended');
});

test('pages in chromium: log in, list, open a repo, its card, a folder, a '
  + 'file, the history; no console error, no CSP violation', async () => {
  const { u, r } = await repo();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const shot = (name) => page.screenshot({ path: join(artifacts,
      `pages-${name}.png`), fullPage: true });

    await page.goto(`${BASE}/login?next=/models`);
    await page.fill('#username', u.name);
    await page.fill('#password', PW);
    await Promise.all([page.waitForNavigation(),
      page.click('form.login button')]);
    assert.equal(new URL(page.url()).pathname, '/models');
    assert.equal(await page.textContent('header .who a'), u.name);

    await page.fill('form.sort input[name=search]', r.name);
    await Promise.all([page.waitForNavigation(),
      page.click('form.sort button')]);
    await shot('listing');
    await Promise.all([page.waitForNavigation(),
      page.click(`ul.repos a[href="/${r.id}"]`)]);
    assert.equal(new URL(page.url()).pathname, `/${r.id}`);
    const h1 = await page.textContent('article.card h1');
    assert.match(h1, /^Card/);
    assert.equal(await page.textContent('article.card table td'), 'accuracy');
    // the stylesheet applied (no inline style could have)
    assert.equal(await page.evaluate(() => getComputedStyle(
      document.querySelector('aside section')).borderStyle), 'solid');
    await shot('repo');

    await Promise.all([page.waitForNavigation(),
      page.click('nav.tabs a:has-text("Files")')]);
    await Promise.all([page.waitForNavigation(),
      page.click('table.files a.dir')]);
    assert.equal(new URL(page.url()).pathname, `/${r.id}/tree/main/dir`);
    await shot('tree');
    await Promise.all([page.waitForNavigation(),
      page.click('table.files a:has-text("alert(3)")')]);
    assert.equal(await page.textContent('table.code tr:nth-child(2) td.lc'),
      '<b>line two</b>');
    await shot('blob');

    await Promise.all([page.waitForNavigation(),
      page.click('nav.tabs a:has-text("History")')]);
    const commits = await page.$$eval('ul.commits li', (l) => l.map((x) =>
      x.textContent));
    assert.equal(commits.length, 3, commits.join(' | '));
    assert.match(commits[0], /second commit/);
    await shot('history');

    // logging out with the header's form
    await Promise.all([page.waitForNavigation(),
      page.click('header .who button')]);
    assert.equal(await page.textContent('header .who a'), 'Log in');
    assert.deepEqual(errors, [], `console errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
  }
});
