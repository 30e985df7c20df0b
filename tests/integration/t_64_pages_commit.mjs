// t_64_pages_commit.mjs: the commit page (ui_commit.c) through lighttpd:
// files added, removed and changed against the first parent with their
// diffs (escaped, numbered as diff -u), what is not shown and why (LFS,
// binary, too large), a root commit, a commit too big to list, the 404
// of a private repository, and the history linking each commit's page;
// each entry's last commit on the files page; pictures shown inline on a
// file's page (in chromium: loaded through the 302 to S3, the page's CSP
// naming the S3 origin).
import assert from 'node:assert/strict';
import {
  BASE, commitOk, createRepo, get, launchChromium, newUser, pageErrors, post,
  test, unique, upload,
} from './lib.mjs';

// a 3x2 red PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4'
  + 'nGM4IScHQQxwFgBBAAYZPEVBlgAAAABJRU5ErkJggg==', 'base64');

const html = { headers: { accept: 'text/html' } };
const lines = (from, to, mark = {}) => Array.from({ length: to - from },
  (_, i) => mark[from + i] ?? String(from + i)).join('\n') + '\n';
const text = (s) => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'')
  .replace(/&amp;/g, '&');

// The sections of a commit page: {path: {what, body}}.
function changes(page) {
  const out = {};
  for (const m of page.matchAll(/<section class="change"><h3><span class="badge (\w+)">\w+<\/span> <a href="[^"]*">([^<]*)<\/a>.*?<\/h3>(.*?)<\/section>/gs))
    out[text(m[2])] = { what: m[1], body: m[3] };
  return out;
}

test('commit page: added, removed, changed files with their diffs',
  async () => {
    const u = newUser();
    const r = await createRepo(u.token, { name: unique('cpage') });
    const root = await commitOk(u.token, r, { files: {
      'a.txt': lines(1, 31), 'gone.txt': 'bye\n', 'bin.dat': '\0\x01\x02',
      'same.txt': 'same\n' }, summary: 'root commit' });
    const lfs = await upload(r, u.token, Buffer.alloc(2000, 7));
    const oid = await commitOk(u.token, r, {
      files: { 'a.txt': lines(1, 31, { 5: 'five <b>&</b>', 25: 'x25' }),
        'new/<b>.txt': 'fresh "line"\nno newline', 'bin.dat': '\0\x03' },
      deletes: ['gone.txt'],
      lfs: [{ path: 'w.bin', oid: lfs.oid, size: lfs.size }],
      summary: 'change <things>', description: 'why it <changed>\nsecond' });

    const res = await get(`/${r.id}/commit/${oid}`, html);
    assert.equal(res.status, 200, res.body.slice(0, 300));
    assert.match(res.headers['content-security-policy'], /default-src 'none'/);
    const b = res.body;
    assert.match(b, /<h2>change &lt;things&gt;<\/h2>/);
    assert.match(b, /<pre class="message">why it &lt;changed&gt;\nsecond<\/pre>/);
    assert.ok(b.includes(`href="/${r.id}/commit/${root}"`), 'parent link');
    assert.match(b, /5 files changed <span class="mute">\(2 added, 1 removed\)/);
    assert.doesNotMatch(b, /<script|<b>/);
    const c = changes(b);
    assert.deepEqual(Object.keys(c).sort(),
      ['a.txt', 'bin.dat', 'gone.txt', 'new/<b>.txt', 'w.bin']);
    assert.equal(c['a.txt'].what, 'changed');
    assert.equal(c['gone.txt'].what, 'removed');
    assert.equal(c['new/<b>.txt'].what, 'added');
    assert.equal(c['w.bin'].what, 'added');
    // two hunks, numbered as diff -u numbers them
    const hunks = [...c['a.txt'].body.matchAll(/@@ [^@]* @@/g)].map((m) => m[0]);
    assert.deepEqual(hunks, ['@@ -2,7 +2,7 @@', '@@ -22,7 +22,7 @@']);
    assert.ok(text(c['a.txt'].body).includes('-5'));
    assert.ok(text(c['a.txt'].body).includes('+five <b>&</b>'));
    assert.match(c['a.txt'].body, /<tr class="del"><td class="ln">5<\/td><td class="ln"><\/td>/);
    assert.match(c['a.txt'].body, /<tr class="add"><td class="ln"><\/td><td class="ln">5<\/td>/);
    assert.ok(text(c['new/<b>.txt'].body).includes('@@ -0,0 +1,2 @@'));
    assert.ok(text(c['new/<b>.txt'].body).includes('(no newline at end of file)'));
    assert.ok(text(c['gone.txt'].body).includes('-bye'));
    assert.match(c['bin.dat'].body, /Binary file/);
    assert.match(c['w.bin'].body, /Stored with Git LFS/);
    assert.ok(!('same.txt' in c));

    // the first commit of ours; the repository's own first (its
    // .gitattributes) has no parent; a ref names a commit too
    const first = await get(`/${r.id}/commit/${root}`, html);
    assert.equal(first.status, 200);
    assert.match(first.body, /4 files changed <span class="mute">\(4 added, 0 removed\)/);
    const history = await get(`/api/models/${r.id}/commits/main`);
    const initial = history.json[history.json.length - 1].id;
    const init = await get(`/${r.id}/commit/${initial}`, html);
    assert.equal(init.status, 200);
    assert.doesNotMatch(init.body, /<dt>Parent<\/dt>/);
    assert.ok(text(init.body).includes('.gitattributes'));
    const byRef = await get(`/${r.id}/commit/main`, html);
    assert.equal(byRef.status, 200);
    assert.ok(byRef.body.includes(`<code>${oid}</code>`));

    // the files page names each entry's last commit
    const tree = await get(`/${r.id}/tree/main`, html);
    const last = {};
    for (const m of tree.body.matchAll(/<tr><td><a (?:class="dir" )?href="[^"]*">([^<]*)<\/a>(?:<span[^>]*>LFS<\/span>)?<\/td><td class="last"><a href="[^"]*\/commit\/([0-9a-f]{40})">([^<]*)<\/a><\/td>/g))
      last[text(m[1])] = [m[2], text(m[3])];
    assert.deepEqual(last['a.txt'], [oid, 'change <things>']);
    assert.deepEqual(last['same.txt'], [root, 'root commit']);
    assert.deepEqual(last['new/'], [oid, 'change <things>']);
    assert.deepEqual(last['w.bin'], [oid, 'change <things>']);

    // the history links each commit's page
    const log = await get(`/${r.id}/commits/main`, html);
    assert.ok(log.body.includes(`href="/${r.id}/commit/${oid}"`));
    assert.ok(log.body.includes(`href="/${r.id}/commit/${root}"`));
  });

test('commit page: a private repository, a missing commit, a stranger',
  async () => {
    const u = newUser();
    const stranger = newUser();
    const r = await createRepo(u.token, { name: unique('cpriv'), private: true });
    const oid = await commitOk(u.token, r, { files: { 'x.txt': 'secret\n' } });
    const own = await get(`/${r.id}/commit/${oid}`,
      { headers: { ...html.headers, authorization: `Bearer ${u.token}` } });
    assert.equal(own.status, 200);
    assert.ok(own.body.includes('secret'));
    const none = unique('none');
    for (const headers of [html.headers,
      { ...html.headers, authorization: `Bearer ${stranger.token}` }]) {
      const missing = await get(`/${u.name}/${none}/commit/${oid}`, { headers });
      assert.equal(missing.status, 404);
      const res = await get(`/${r.id}/commit/${oid}`, { headers });
      assert.equal(res.status, 404);
      assert.equal(res.headers['x-error-code'], 'RepoNotFound');
      assert.equal(res.body.replace(/request [0-9a-f]{16}/g, ''),
        missing.body.replace(/request [0-9a-f]{16}/g, ''));
      assert.ok(!res.body.includes('secret'));
    }
    const pub = await createRepo(u.token, { name: unique('cpub') });
    await commitOk(u.token, pub, { files: { 'x.txt': 'x\n' } });
    const zero = await get(`/${pub.id}/commit/${'0'.repeat(40)}`, html);
    assert.equal(zero.status, 404);
    assert.equal(zero.headers['x-error-code'], 'RevisionNotFound');
  });

test('commit page: a commit of 1,200 files lists the first 1,000 and says so',
  async () => {
    const u = newUser();
    const r = await createRepo(u.token, { name: unique('cbig') });
    const files = {};
    for (let i = 0; i < 1200; i++) files[`f/${String(i).padStart(4, '0')}.txt`] = `${i}\n`;
    const oid = await commitOk(u.token, r, { files });
    const res = await get(`/${r.id}/commit/${oid}`, html);
    assert.equal(res.status, 200);
    assert.match(res.body, /1000\+ files changed/);
    assert.match(res.body, /more than can be listed here/);
    assert.equal(Object.keys(changes(res.body)).length, 1000);
  });

test('file page: a picture is shown inline, loaded in chromium through '
  + 'the 302 to S3, also from a private repository', async () => {
  const u = newUser();
  const r = await createRepo(u.token, { name: unique('pic'), private: true });
  const big = Buffer.concat([PNG, Buffer.alloc(20000)]);	// trailing bytes: still a PNG
  const lfs = await upload(r, u.token, big);
  await commitOk(u.token, r, { files: { 'img/small.png': PNG },
    lfs: [{ path: 'img/big.PNG', oid: lfs.oid, size: lfs.size }] });
  const res = await get(`/${r.id}/blob/main/img/small.png`,
    { headers: { accept: 'text/html', authorization: `Bearer ${u.token}` } });
  assert.equal(res.status, 200);
  assert.ok(res.body.includes(`<img src="/${r.id}/resolve/main/img/small.png" alt="img/small.png">`));
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ extraHTTPHeaders:
      { authorization: `Bearer ${u.token}` } });
    const page = await ctx.newPage();
    const errors = pageErrors(page);
    for (const path of ['img/small.png', 'img/big.PNG']) {
      await page.goto(`${BASE}/${r.id}/blob/main/${path}`);
      const size = await page.$eval('p.picture img', (i) => i.decode().then(
        () => [i.naturalWidth, i.naturalHeight], () => 'not loaded'));
      assert.deepEqual(size, [3, 2], path);
    }
    assert.deepEqual(errors, [], `console errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
  }
});

test('files and history pages: the branch and tag switcher lists every '
  + 'branch and tag, not pull requests', async () => {
  const u = newUser();
  const r = await createRepo(u.token, { name: unique('switch') });
  const c = await commitOk(u.token, r, { files: { 'a.txt': 'a\n' } });
  assert.equal((await post(`/api/models/${r.id}/branch/${encodeURIComponent("feature/a&b")}`, {}, u.token)).status, 200);
  assert.equal((await post(`/api/models/${r.id}/tag/main`, { tag: 'v1.0' }, u.token)).status, 200);
  const pr = await post(`/api/models/${r.id}/discussions`, { title: 'a pr',
    description: 'x', pullRequest: true }, u.token);
  assert.equal(pr.status, 200, pr.body);
  for (const page of ['tree', 'commits']) {
    const res = await get(`/${r.id}/${page}/main`, html);
    assert.equal(res.status, 200);
    const sw = /<details class="switch">(.*?)<\/details>/s.exec(res.body)[1];
    assert.match(sw, /<summary>Revision: <code>main<\/code><\/summary>/);
    const links = [...sw.matchAll(/<a href="([^"]*)"( aria-current="true")?>([^<]*)<\/a>/g)]
      .map((m) => [m[1], Boolean(m[2]), m[3]]);
    assert.deepEqual(links, [
      [`/${r.id}/${page}/feature%2Fa%26b`, false, "feature/a&amp;b"],
      [`/${r.id}/${page}/main`, true, 'main'],
      [`/${r.id}/${page}/v1.0`, false, 'v1.0']]);
    assert.match(sw, /<h3>Branches<\/h3>.*<h3>Tags<\/h3>/s);
  }
  const tag = await get(`/${r.id}/tree/v1.0`, html);
  assert.equal(tag.status, 200);
  assert.ok(tag.body.includes(c.slice(0, 7)));
});
