// t_66_pages_a11y.mjs: every page family checked by axe-core (npm) in
// Debian's chromium: no serious or critical accessibility violation
// (labels, contrast, names of links and buttons, landmarks, lang). axe is
// injected into the page, so this one browser context bypasses the CSP
// (khub's pages carry no script; t_63 checks that they run none).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  BASE, commitOk, createRepo, khubctlRaw, launchChromium, newUser, post, test,
  unique, upload,
} from './lib.mjs';

const PW = 'a11y password 12';

test('pages pass axe-core: no serious or critical violation on any page '
  + 'family', async () => {
  const require = createRequire(import.meta.url);
  const axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const u = newUser();
  assert.equal(khubctlRaw(['user', 'password', u.name], `${PW}\n`).status, 0);
  const r = await createRepo(u.token, { name: unique('a11y') });
  const lfs = await upload(r, u.token, Buffer.alloc(3000, 1));
  await commitOk(u.token, r, { files: { 'README.md': '---\nlicense: mit\n---\n'
    + '# A card\n\nSome text, a [link](https://example.org), a table:\n\n'
    + '| a | b |\n|---|---|\n| 1 | 2 |\n', 'src/x.py': 'print(1)\n' },
  lfs: [{ path: 'w.bin', oid: lfs.oid, size: lfs.size }] });
  const oid = await commitOk(u.token, r, { files: { 'src/x.py': 'print(2)\n' },
    summary: 'second' });
  const org = unique('a11yorg');
  const disc = await post(`/api/models/${r.id}/discussions`,
    { title: 'A question', description: 'What *is* this?' }, u.token);
  assert.equal(disc.status, 200, disc.body);

  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ bypassCSP: true });
    const page = await ctx.newPage();
    const found = [];
    const check = async (path) => {
      const res = await page.goto(`${BASE}${path}`);
      assert.ok(res.status() < 500, `${path}: ${res.status()}`);
      // no markup written as text by a %s (this suite's texts hold no '<')
      const text = await page.content();
      if (/&lt;|=&quot;/.test(text))
        found.push(`${path}: markup escaped as text near `
          + text.slice(Math.max(0, text.search(/&lt;|=&quot;/) - 60)).slice(0, 120));
      await page.addScriptTag({ content: axe });
      const v = await page.evaluate(async () => (await window.axe.run(document,
        { resultTypes: ['violations'] })).violations
        .filter((x) => x.impact === 'serious' || x.impact === 'critical')
        .map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3)
          .map((n) => n.target.join(' ')).join(', ')}`));
      for (const x of v) found.push(`${path}: ${x}`);
    };
    for (const path of ['/', '/models', `/models?search=${r.name}`, '/login',
      '/join', `/${r.id}`, `/${r.id}/tree/main`, `/${r.id}/tree/main/src`,
      `/${r.id}/blob/main/src/x.py`, `/${r.id}/blob/main/w.bin`,
      `/${r.id}/commits/main`, `/${r.id}/commit/${oid}`, `/${u.name}`,
      `/${u.name}/${unique('missing')}`, `/${r.id}/discussions`,
      `/${r.id}/discussions/${disc.json.num}`])
      await check(path);
    // logged in: the settings pages
    await page.goto(`${BASE}/login`);
    await page.fill('#username', u.name);
    await page.fill('#password', PW);
    await Promise.all([page.waitForNavigation(), page.click('form.login button')]);
    await page.goto(`${BASE}/organizations/new`);
    await page.fill('#name', org);
    await Promise.all([page.waitForNavigation(), page.click('form.login button')]);
    for (const path of ['/settings/tokens', '/organizations/new',
      `/${r.id}/discussions/new`, `/${r.id}/discussions/${disc.json.num}`,
      `/organizations/${org}/settings/members`, `/${org}`, `/${r.id}`,
      `/${r.id}/settings`])
      await check(path);
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await browser.close();
  }
});
