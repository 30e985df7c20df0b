// t_62_browser.mjs: the JS clients in a real browser, on a page of another
// origin: Debian's chromium driven by playwright-core (npm). The page,
// served here on 127.0.0.1:<stack port + 21>, imports the browser builds of
// @huggingface/hub and transformers.js from node_modules; khub is
// 127.0.0.1:<stack port>, so every call is cross-origin and needs khub's
// CORS answers (preflights for Authorization, exposed X-Repo-Commit and
// error headers) and the bucket's CORS rule (the 302s to S3 are followed
// from the page too). A page may not read with the user's cookie: an
// answer to a credentialed request is refused by the browser.
//
// Screenshots go to run/artifacts/ (look at them when a test fails).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import {
  ARTIFACTS, BASE, commitOk, createRepo, launchChromium, newUser, pageErrors,
  post, request, test, tokenizerFiles,
} from './lib.mjs';

const stackPort = Number(new URL(BASE).port);
// Inside the stack's reserved range (+20..+29 are free of its services).
const PAGE_PORT = stackPort + 21;
const ORIGIN = `http://127.0.0.1:${PAGE_PORT}`;
const modules = new URL('./node_modules/', import.meta.url).pathname;

// The other origin: a blank page, its import map for the packages the
// clients' browser builds import by name, and node_modules.
const BARE = ['@huggingface/xetchunk-wasm', '@huggingface/blake3-jit',
  'gearhash-jit'];
function importMap() {
  const imports = {};
  for (const p of BARE) {
    const j = JSON.parse(readFileSync(join(modules, p, 'package.json')));
    imports[p] = `/node_modules/${p}/${j.module.replace(/^\.\//, '')}`;
  }
  return JSON.stringify({ imports });
}
const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript',
  '.wasm': 'application/wasm', '.html': 'text/html' };

function servePage() {
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, ORIGIN).pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html lang="en"><title>another site</title>'
        + `<script type="importmap">${importMap()}</script>`
        + '<h1>A page on another origin</h1></html>');
      return;
    }
    const file = normalize(join(modules, path.replace(/^\/node_modules\//,
      '')));
    if (path.startsWith('/node_modules/') && file.startsWith(modules)
      && existsSync(file)) {
      res.writeHead(200, { 'content-type':
        TYPES[extname(file)] || 'application/octet-stream' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(PAGE_PORT, '127.0.0.1', () => resolve(server));
  });
}

// Runs fn(page, errors, failed) in chromium on the other origin's page:
// console errors and answers of 400 and more ("STATUS URL") are
// collected; everything is closed, whatever happens.
async function inBrowser(name, fn) {
  const browser = await launchChromium();
  let server;
  try {
    server = await servePage();
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const failed = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${ORIGIN}/`);
    try {
      return await fn(page, errors, failed);
    } finally {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
        .catch(() => {});
    }
  } finally {
    await browser.close();
    if (server) await new Promise((r) => server.close(r));
  }
}

test('browser: @huggingface/hub on another origin lists and downloads, '
  + 'public and (with a token) private', async () => {
  const u = newUser();
  const pub = await createRepo(u.token);
  const priv = await createRepo(u.token, { private: true });
  const c1 = await commitOk(u.token, pub, { files: {
    'README.md': '# hello from khub', 'data/a.txt': 'a'.repeat(1000) } });
  await commitOk(u.token, priv, { files: { 'secret.txt': 'private bytes' } });

  const got = await inBrowser('hub-client', async (page, errors) => {
    const r = await page.evaluate(async ({ hubUrl, pub, priv, token }) => {
      const hub = await import(
        '/node_modules/@huggingface/hub/dist/browser/index.mjs');
      const out = {};
      out.files = [];
      for await (const f of hub.listFiles({ repo: pub, recursive: true,
        hubUrl }))
        out.files.push(f.path);
      const blob = await hub.downloadFile({ repo: pub, path: 'README.md',
        hubUrl });
      out.readme = await blob.text();
      const info = await hub.modelInfo({ name: pub, hubUrl,
        additionalFields: ['sha'] });
      out.sha = info.sha;
      out.secret = await (await hub.downloadFile({ repo: priv,
        path: 'secret.txt', hubUrl, accessToken: token })).text();
      try {
        await hub.downloadFile({ repo: priv, path: 'secret.txt', hubUrl });
        out.anonymous = 'read';
      } catch (e) {
        out.anonymous = String(e.message || e);
      }
      // the headers the clients read are exposed to the page
      const res = await fetch(`${hubUrl}/api/models/${pub}/revision/main`);
      out.requestId = res.headers.get('x-request-id');
      const miss = await fetch(`${hubUrl}/api/models/${pub}/revision/nope`);
      out.missCode = miss.headers.get('x-error-code');
      return out;
    }, { hubUrl: BASE, pub: pub.id, priv: priv.id, token: u.token });
    return { r, errors };
  });
  const { r } = got;
  assert.deepEqual(r.files.sort(), ['.gitattributes', 'README.md',
    'data', 'data/a.txt'].sort());
  assert.equal(r.readme, '# hello from khub');
  assert.equal(r.sha, c1);
  assert.equal(r.secret, 'private bytes');
  assert.notEqual(r.anonymous, 'read');
  assert.match(r.requestId, /^[0-9a-f]{16}$/);
  assert.equal(r.missCode, 'RevisionNotFound');
  // only the refusals this test asked for (the anonymous private read and
  // the missing revision) may show as errors
  assert.ok(got.errors.every((e) => /401|404/.test(e)),
    `console errors: ${got.errors.join(' | ')}`);
});

test('browser: transformers.js on another origin loads a tokenizer from '
  + 'khub through the 302 to S3', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  await commitOk(u.token, repo, { files: tokenizerFiles(['hello', 'world']) });
  const { ids, failed } = await inBrowser('transformers', async (page,
    errs, fails) => {
    const out = await page.evaluate(async ({ hubUrl, id }) => {
      const tf = await import(
        '/node_modules/@huggingface/transformers/dist/transformers.min.js');
      tf.env.remoteHost = `${hubUrl}/`;
      tf.env.allowLocalModels = false;
      tf.env.useBrowserCache = false;
      const tok = await tf.AutoTokenizer.from_pretrained(id);
      return tok.encode('hello world there', { add_special_tokens: false });
    }, { hubUrl: BASE, id: repo.id });
    return { ids: out, errors: errs, failed: fails };
  });
  assert.deepEqual(ids, [1, 2, 0]);
  // what failed is only the optional files it looks for and the repo has
  // not (the Hub answers those 404 too)
  for (const f of failed)
    assert.match(f, new RegExp(`^404 ${BASE}/${repo.id}/resolve/main/`
      + '(?!tokenizer)'), failed.join(' | '));
});

test('browser: a page of another origin cannot read with the user\'s '
  + 'session cookie; session endpoints give it no CORS', async () => {
  // a user logged in to khub in this browser
  const name = `u${Date.now()}`;
  let res = await post('/api/auth/register', { username: name,
    email: `${name}@example.org`, password: 'correct horse battery' });
  assert.equal(res.status, 200, res.body);
  res = await post('/api/auth/login', { username: name,
    password: 'correct horse battery' });
  assert.equal(res.status, 200, res.body);
  const cookie = /session_id=([^;]+)/.exec(res.headers['set-cookie'])[1];
  const priv = await createRepo(newUser().token, { private: true });

  const r = await inBrowser('cookie', async (page) => {
    await page.context().addCookies([{ name: 'session_id', value: cookie,
      url: BASE }]);
    return page.evaluate(async ({ hubUrl, priv }) => {
      const out = {};
      for (const [k, url] of [['whoami', `${hubUrl}/api/whoami-v2`],
        ['me', `${hubUrl}/api/auth/me`], ['repo', `${hubUrl}/api/models/${priv}`]]) {
        try {
          const res = await fetch(url, { credentials: 'include' });
          out[k] = `read ${res.status}`;
        } catch (e) {
          out[k] = 'refused';
        }
      }
      // without credentials the answer is readable, and anonymous
      const anon = await fetch(`${hubUrl}/api/whoami-v2`);
      out.anonymous = anon.status;
      return out;
    }, { hubUrl: BASE, priv: priv.id });
  });
  assert.deepEqual(r, { whoami: 'refused', me: 'refused', repo: 'refused',
    anonymous: 401 });
});

test('CORS on the wire: preflight, errors; none on session '
  + 'endpoints', async () => {
  const pre = (path, extra = {}) => request('OPTIONS', path, { headers: {
    origin: ORIGIN, 'access-control-request-method': 'GET', ...extra } });
  let res = await pre('/api/models/a/b/tree/main',
    { 'access-control-request-headers': 'authorization,range' });
  assert.equal(res.status, 204);
  assert.equal(res.headers['access-control-allow-origin'], '*');
  assert.equal(res.headers['access-control-allow-headers'],
    'authorization,range');
  assert.match(res.headers['access-control-allow-methods'], /POST/);
  assert.equal(res.headers['access-control-allow-credentials'], undefined);
  // a list that is not plain header names is not echoed
  res = await pre('/api/models', { 'access-control-request-headers':
    'authorization;<evil>' });
  assert.equal(res.status, 204);
  assert.equal(res.headers['access-control-allow-headers'],
    'Authorization, Content-Type, Range, If-None-Match');
  // errors are readable by the page: their code is exposed
  res = await request('GET', '/api/models/nobody/nothing', { headers:
    { origin: ORIGIN } });
  assert.equal(res.status, 401);
  assert.equal(res.headers['access-control-allow-origin'], '*');
  assert.match(res.headers['access-control-expose-headers'], /X-Error-Code/);
  // session endpoints: same origin only, no preflight passes
  res = await pre('/api/auth/login');
  assert.notEqual(res.status, 204);
  assert.equal(res.headers['access-control-allow-origin'], undefined);
  res = await request('GET', '/api/auth/me', { headers: { origin: ORIGIN } });
  assert.equal(res.headers['access-control-allow-origin'], undefined);
  // an OPTIONS that is no preflight is what it was: 405 with Allow
  res = await request('OPTIONS', '/api/models');
  assert.equal(res.status, 405);
});
