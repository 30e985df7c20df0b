// t_68_pages_repo_settings.mjs: a repository's settings page for its
// admins (ui_repo_settings.c) through lighttpd: visibility (a stranger
// then gets the 404 page), the gate (the API's info says it), renaming,
// deleting only with the id typed again; who else gets 403 or 404 or the
// login form; a form from another site changes nothing. In chromium: a
// person opens a commit from the history, makes the repository private,
// and another person's browser gets the 404 page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTIFACTS as artifacts, BASE, commitOk, createRepo, csrfOf, get,
  getPage as page, launchChromium, pageErrors, passwordUser as userWith,
  post, postForm, sessionCookie, test, unique,
} from './lib.mjs';


const PW = 'repo settings pw 1';
const passwordUser = () => userWith(PW);

test('repo settings page: visibility, gate, rename, delete with '
  + 'confirmation, by an admin only', async () => {
  const owner = passwordUser();
  const stranger = passwordUser();
  const r = await createRepo(owner.token, { name: unique('rset') });
  await commitOk(owner.token, r, { files: { 'a.txt': 'a\n' } });
  const path = `/${r.id}/settings`;
  assert.equal((await page(path)).status, 303, 'the login form first');
  const sc = await sessionCookie(stranger.name, PW);
  const sp = await page(path, sc);
  assert.equal(sp.status, 403);
  const oc = await sessionCookie(owner.name, PW);
  const op = await page(path, oc);
  assert.equal(op.status, 200);
  assert.match(op.body, /<a class="on" aria-current="page" href="[^"]*\/settings">Settings<\/a>/);
  const csrf = csrfOf(op.body);
  assert.doesNotMatch((await page(`/${r.id}`, sc)).body, /\/settings">Settings/);

  // another site's form, a form without the session's token: nothing
  let res = await postForm(path, { csrf, action: 'visibility', private: '1' }, oc,
    { origin: 'http://evil.example' });
  assert.equal(res.status, 403);
  res = await postForm(path, { csrf: '0'.repeat(64), action: 'visibility', private: '1' }, oc);
  assert.equal(res.status, 403);
  assert.equal((await get(`/api/models/${r.id}`)).status, 200, 'still public');

  res = await postForm(path, { csrf, action: 'visibility', private: '1' }, oc);
  assert.equal(res.status, 200);
  assert.match(res.body, /Saved\./);
  assert.equal((await get(`/api/models/${r.id}`)).status, 401);
  assert.equal((await page(`/${r.id}`, sc)).status, 404);
  assert.equal((await page(path, sc)).status, 404, 'now as missing');
  res = await postForm(path, { csrf, action: 'visibility', private: '0' }, oc);
  assert.equal(res.status, 200);

  res = await postForm(path, { csrf, action: 'gated', gated: 'manual' }, oc);
  assert.equal(res.status, 200);
  assert.equal((await get(`/api/models/${r.id}`)).json.gated, 'manual');
  res = await postForm(path, { csrf, action: 'gated', gated: 'sometimes' }, oc);
  assert.equal(res.status, 400);
  res = await postForm(path, { csrf, action: 'gated', gated: 'off' }, oc);
  assert.equal((await get(`/api/models/${r.id}`)).json.gated, false);

  // rename: the old id is gone, the new one has the files
  const to = `${owner.name}/${unique('renamed')}`;
  res = await postForm(path, { csrf, action: 'move', to: `${stranger.name}/x` }, oc);
  assert.equal(res.status, 403, 'not into another user\'s namespace');
  res = await postForm(path, { csrf, action: 'move', to }, oc);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  assert.equal(res.headers.location, `${BASE}/${to}/settings`);
  assert.equal((await get(`/api/models/${r.id}`)).status, 401, "gone: anonymous RepoNotFound");
  assert.equal((await get(`/${to}/resolve/main/a.txt`)).status, 302);

  // delete: only with the id typed again
  const np = `/${to}/settings`;
  res = await postForm(np, { csrf, action: 'delete', confirm: r.id }, oc);
  assert.equal(res.status, 400);
  assert.equal((await get(`/api/models/${to}`)).status, 200);
  res = await postForm(np, { csrf, action: 'delete', confirm: to }, oc);
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
    const wc = await sessionCookie(writer.name, PW);
    assert.equal((await page(`/${r.id}/settings`, wc)).status, 403);
    const ac = await sessionCookie(admin.name, PW);
    assert.equal((await page(`/${r.id}/settings`, ac)).status, 200);
  });

test('repo settings in chromium: open a commit from the history, make the '
  + 'repository private, and it vanishes for another person', async () => {
  const owner = passwordUser();
  const other = passwordUser();
  const r = await createRepo(owner.token, { name: unique('vanish') });
  await commitOk(owner.token, r, { files: { 'a.txt': 'one\n' }, summary: 'first' });
  await commitOk(owner.token, r, { files: { 'a.txt': 'two\n' }, summary: 'second' });
  const browser = await launchChromium();
  try {
    const login = async (u) => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      const errors = pageErrors(p);
      await p.goto(`${BASE}/login?next=/${r.id}`);
      await p.fill('#username', u.name);
      await p.fill('#password', PW);
      await Promise.all([p.waitForNavigation(), p.click('form.login button')]);
      return { p, errors };
    };
    const a = await login(owner);
    const b = await login(other);
    assert.equal(new URL(b.p.url()).pathname, `/${r.id}`);
    await Promise.all([a.p.waitForNavigation(),
      a.p.click('nav.tabs a:has-text("History")')]);
    await Promise.all([a.p.waitForNavigation(),
      a.p.click('ul.commits li:first-child a:has-text("second")')]);
    assert.match(new URL(a.p.url()).pathname, /\/commit\/[0-9a-f]{40}$/);
    assert.equal(await a.p.textContent('tr.add td.lc'), '+two');
    await a.p.screenshot({ path: join(artifacts, 'pages-commit.png'), fullPage: true });
    await Promise.all([a.p.waitForNavigation(),
      a.p.click('nav.tabs a:has-text("Settings")')]);
    await a.p.check('input[name=private][value="1"]');
    await Promise.all([a.p.waitForNavigation(),
      a.p.click('button:has-text("Save visibility")')]);
    assert.equal(await a.p.textContent('p.done'), 'Saved.');
    await a.p.screenshot({ path: join(artifacts, 'pages-settings.png'), fullPage: true });
    const res = await b.p.reload();
    assert.equal(res.status(), 404);
    assert.match(await b.p.textContent('h1'), /404/);
    assert.deepEqual([...a.errors, ...b.errors.filter((e) => !/404/.test(e))], []);
  } finally {
    await browser.close();
  }
});
