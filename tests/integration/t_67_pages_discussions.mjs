// t_67_pages_discussions.mjs: discussions and pull requests for people
// (ui_discussions.c) through lighttpd: the list with its filters, a new
// discussion from the form, comments (Markdown, escaped), closing and
// reopening by the author, a pull request's files and diff, its merge by
// a writer from the page (main moves), what a reader may not do, and the
// 404 page of a private repository for strangers; then in chromium a
// person comments and merges.
import assert from 'node:assert/strict';
import {
  BASE, bearer, commitOk, createRepo, csrfOf, get, getPage as page,
  launchChromium, pageErrors, passwordUser as userWith, post, postForm,
  request, sessionCookie, test, unique,
} from './lib.mjs';

const PW = 'discussions password 1';
const passwordUser = () => userWith(PW);


async function openPr(token, repo, files, summary) {
  const lines = [{ key: 'header', value: { summary, description: 'please' } }];
  for (const [path, content] of Object.entries(files))
    lines.push({ key: 'file', value: { path, encoding: 'base64',
      content: Buffer.from(content).toString('base64') } });
  const res = await request('POST', `/api/models/${repo.id}/commit/main?create_pr=1`,
    { body: lines.map((l) => JSON.stringify(l)).join('\n'), headers: {
      'content-type': 'application/x-ndjson', ...bearer(token) } });
  assert.equal(res.status, 200, res.body);
  return Number(/\/discussions\/(\d+)$/.exec(res.json.pullRequestUrl)[1]);
}

test('discussion pages: open, comment, close, reopen; the list and its '
  + 'filters', async () => {
  const owner = passwordUser();
  const other = passwordUser();
  const r = await createRepo(owner.token, { name: unique('dpage') });
  const oc = await sessionCookie(other.name, PW);
  const base = `/${r.id}/discussions`;
  // not logged in: no form, the new-discussion page asks to log in
  let res = await page(base);
  assert.equal(res.status, 200);
  assert.match(res.body, /Nothing here yet/);
  assert.equal((await page(`${base}/new`)).status, 303);
  const form = await page(`${base}/new`, oc);
  assert.equal(form.status, 200);
  res = await postForm(`${base}/new`, { csrf: csrfOf(form.body),
    title: 'Why <this>?', text: 'I **wonder** <script>x()</script>' }, oc);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  const url = new URL(res.headers.location).pathname;
  const num = Number(/(\d+)$/.exec(url)[1]);
  const one = await page(url, oc);
  assert.equal(one.status, 200);
  assert.match(one.body, /<h2>Why &lt;this&gt;\? <span class="mute">#\d+<\/span><\/h2>/);
  assert.match(one.body, /I <strong>wonder<\/strong>/);
  assert.doesNotMatch(one.body, /<script>x/);
  const csrf = csrfOf(one.body);
  res = await postForm(url, { csrf, action: 'comment', text: 'more `code`' }, oc);
  assert.equal(res.status, 303);
  res = await postForm(url, { csrf, action: 'close' }, oc);
  assert.equal(res.status, 303);
  const api = await get(`/api/models/${r.id}/discussions/${num}`);
  assert.equal(api.json.status, 'closed');
  assert.deepEqual(api.json.events.map((e) => e.type),
    ['comment', 'comment', 'status-change']);
  // the list: open by default, closed on its filter
  res = await page(base);
  assert.doesNotMatch(res.body, /Why &lt;this&gt;/);
  assert.match(res.body, /<a href="[^"]*status=open" class="on" aria-current="page">Open<\/a>/);
  res = await page(`${base}?status=closed`);
  assert.match(res.body, /Why &lt;this&gt;\?<\/a> <span class="badge st-closed">closed/);
  // a third user may comment, not reopen another's discussion
  const third = passwordUser();
  const tc = await sessionCookie(third.name, PW);
  const tp = await page(url, tc);
  assert.doesNotMatch(tp.body, /value="reopen"/);
  res = await postForm(url, { csrf: csrfOf(tp.body), action: 'reopen' }, tc);
  assert.equal(res.status, 403);
  res = await postForm(url, { csrf, action: 'reopen' }, oc);
  assert.equal(res.status, 303);
  // a form from elsewhere changes nothing
  res = await request('POST', url, { body: `csrf=${csrf}&action=close`, headers: {
    'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example',
    cookie: oc } });
  assert.equal(res.status, 403);
  assert.equal((await get(`/api/models/${r.id}/discussions/${num}`)).json.status, 'open');
  assert.equal((await page(`${base}/999`)).status, 404);
});

test('pull request pages: files and diff since it started, merged by a '
  + 'writer from the page, not by a reader', async () => {
  const owner = passwordUser();
  const reader = passwordUser();
  const r = await createRepo(owner.token, { name: unique('prpage') });
  await commitOk(owner.token, r, { files: { 'a.txt': 'one\ntwo\n' } });
  const num = await openPr(reader.token, r, { 'a.txt': 'one\nTWO <b>\n',
    'new.txt': 'new\n' }, 'Improve <a>');
  const url = `/${r.id}/discussions/${num}`;
  const rc = await sessionCookie(reader.name, PW);
  const rp = await page(url, rc);
  assert.equal(rp.status, 200);
  assert.match(rp.body, /Wants to merge <code>refs\/pr\/\d+<\/code> into <code>main<\/code>/);
  assert.match(rp.body, /2 files changed <span class="mute">\(1 added, 0 removed\)/);
  assert.match(rp.body, /<tr class="add"><td class="ln"><\/td><td class="ln">2<\/td><td class="lc">\+TWO &lt;b&gt;<\/td>/);
  assert.doesNotMatch(rp.body, /value="merge"/);
  let res = await postForm(url, { csrf: csrfOf(rp.body), action: 'merge' }, rc);
  assert.equal(res.status, 403);
  const oc = await sessionCookie(owner.name, PW);
  const op = await page(url, oc);
  assert.match(op.body, /value="merge"/);
  res = await postForm(url, { csrf: csrfOf(op.body), action: 'merge' }, oc);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  const d = await get(`/api/models/${r.id}/discussions/${num}`);
  assert.equal(d.json.status, 'merged');
  const main = await get(`/${r.id}/resolve/main/a.txt`);
  assert.equal(main.status, 302);
  const merged = await page(url, oc);
  assert.match(merged.body, /merged as <a href="[^"]*\/commit\/[0-9a-f]{40}">/);
  assert.doesNotMatch(merged.body, /value="merge"/);
});

test('discussion pages of a private repository are the 404 page for '
  + 'strangers', async () => {
  const owner = passwordUser();
  const stranger = passwordUser();
  const r = await createRepo(owner.token, { name: unique('dpriv'), private: true });
  const res = await post(`/api/models/${r.id}/discussions`,
    { title: 'secret topic', description: 'secret text' }, owner.token);
  assert.equal(res.status, 200, res.body);
  const num = res.json.num;
  const sc = await sessionCookie(stranger.name, PW);
  const missing = `/${owner.name}/${unique('none')}`;
  for (const cookie of [undefined, sc]) {
    for (const [path, gone] of [[`/${r.id}/discussions`, `${missing}/discussions`],
      [`/${r.id}/discussions/${num}`, `${missing}/discussions/${num}`]]) {
      const a = await page(path, cookie);
      const b = await page(gone, cookie);
      assert.equal(a.status, 404, path);
      assert.equal(a.body.replace(/request [0-9a-f]{16}/, ''),
        b.body.replace(/request [0-9a-f]{16}/, ''));
      assert.ok(!a.body.includes('secret'));
    }
  }
  const sp = await page(`/${r.id}/discussions/${num}`, await sessionCookie(owner.name, PW));
  assert.equal(sp.status, 200);
  assert.match(sp.body, /secret topic/);
});

test('discussions in chromium: comment and merge from the page', async () => {
  const owner = passwordUser();
  const r = await createRepo(owner.token, { name: unique('dchrome') });
  await commitOk(owner.token, r, { files: { 'x.txt': 'x\n' } });
  const num = await openPr(owner.token, r, { 'y.txt': 'y\n' }, 'Add y');
  const browser = await launchChromium();
  try {
    const p = await browser.newPage();
    const errors = pageErrors(p);
    await p.goto(`${BASE}/login?next=/${r.id}/discussions/${num}`);
    await p.fill('#username', owner.name);
    await p.fill('#password', PW);
    await Promise.all([p.waitForNavigation(), p.click('form.login button')]);
    await p.fill('#text', 'Looks *good*');
    await Promise.all([p.waitForNavigation(), p.click('form.login button')]);
    assert.equal(await p.textContent('article.comment:last-of-type em'), 'good');
    await Promise.all([p.waitForNavigation(),
      p.click('.actions button:has-text("Merge")')]);
    assert.equal(await p.textContent('.discussion .badge'), 'merged');
    await p.click('nav.tabs a:has-text("Community")');
    await p.waitForURL(/\/discussions$/);
    assert.deepEqual(errors, [], errors.join(' | '));
  } finally {
    await browser.close();
  }
});
