// t_38_bounds.mjs: what one request can buy is bounded (paths-info, commits
// with many files) and bad input gets a clean 4xx (issue 17, security.md
// 5, 7-11, 13), through lighttpd. Each test fails on the code before it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  ASAN, STACK, commit, commitOk, createRepo, newUser, request, test,
} from './lib.mjs';

const api = (repo) => `/api/${repo.type || 'model'}s/${repo.id}`;
const enc = encodeURIComponent;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSONH = { 'content-type': 'application/json' };

// The stack's khub workers (lighttpd's children) and their memory.
function workers() {
  const lpid = Number(readFileSync(`${STACK}/lighttpd/lighttpd.pid`, 'utf8'));
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(lpid)],
    { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim()))
    .filter(Boolean).sort();
}
// Peak RSS (VmHWM) in KiB: what the worst moment of a request cost.
function peakKiB(pid) {
  return Number(/VmHWM:\s+(\d+)/.exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

function assertError(res, status, code, re) {
  assert.equal(res.status, status, res.body);
  assert.equal(res.headers['x-error-code'], code, res.body);
  if (re) assert.match(res.json.error, re);
}

// ---- paths-info (security.md 5, 13) ----

let wide;
// A public repository with one folder of 20,000 files (committed once).
async function wideRepo() {
  if (wide) return wide;
  const u = newUser();
  const repo = await createRepo(u.token);
  const files = {};
  for (let i = 0; i < 20000; i++) files[`d/f${i}.txt`] = `${i}`;
  files['top.txt'] = 'top';
  await commitOk(u.token, repo, { files, summary: '20,000 files' });
  wide = { u, repo };
  return wide;
}

test('paths-info: 1,000 paths into a folder of 20,000 files, bounded memory, '
  + 'no worker killed', async () => {
  const { repo } = await wideRepo();
  const pids = workers();
  assert.ok(pids.length >= 1, 'lighttpd has khub workers');
  // Warm up every worker (caches, connections) before the baseline.
  for (let i = 0; i < 4 * pids.length; i++)
    await request('POST', `${api(repo)}/paths-info/main`,
      { body: 'paths=top.txt', headers: FORM });
  const before = pids.map(peakKiB);
  const paths = [];
  for (let i = 0; i < 1000; i++) paths.push(`d/f${i * 19}.txt`);
  for (let k = 0; k < 2 * pids.length; k++) {
    const res = await request('POST', `${api(repo)}/paths-info/main`,
      { body: paths.map((p) => `paths=${enc(p)}`).join('&'), headers: FORM });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.length, 1000);
    assert.equal(res.json[0].path, 'd/f0.txt');
    assert.equal(res.json[999].path, `d/f${999 * 19}.txt`);
    // JSON bodies the same, over the cap: refused before any work.
    const over = await request('POST', `${api(repo)}/paths-info/main`,
      { body: { paths: Array.from({ length: 20000 }, (_, i) => `d/f${i}.txt`) },
        headers: JSONH });
    assertError(over, 400, 'BadRequest', /At most 1000 paths/);
  }
  const after = pids.map(peakKiB);
  assert.deepEqual(workers(), pids, 'no worker died');
  const growth = after.map((a, i) => a - before[i]);
  console.log(`  # peak RSS KiB before ${before.join(',')} after `
    + `${after.join(',')}`);
  // Before: 1.8 MB per path (the folder re-read each time), 1.8 GB here.
  const ceiling = (ASAN ? 256 : 64) * 1024;
  for (const g of growth) assert.ok(g < ceiling, `worker peak grew ${g} KiB`);
});

test('paths-info: duplicates answered once, in the order first asked',
  async () => {
    const { repo } = await wideRepo();
    const paths = ['d/f7.txt', 'top.txt', '/d/f7.txt/', 'd', 'nope/x',
      'top.txt', 'd/f7.txt', 'd/nope', 'top.txt/x'];
    // 1,000 copies of the same paths: still one item each.
    const many = [];
    while (many.length + paths.length <= 1000) many.push(...paths);
    for (const body of [{ paths }, { paths: many }]) {
      const res = await request('POST', `${api(repo)}/paths-info/main`,
        { body, headers: JSONH });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json.map((e) => e.path), ['d/f7.txt', 'top.txt',
        'd']);
    }
  });

test('paths-info: the body is UTF-8 text without NUL, as everywhere',
  async () => {
    const { repo } = await wideRepo();
    for (const body of ['paths=%FF', 'paths=top.txt&paths=a%C3',
      'paths=%00']) {
      const res = await request('POST', `${api(repo)}/paths-info/main`,
        { body, headers: FORM });
      assertError(res, 400, 'BadRequest');
    }
    for (const body of ['{"paths":["top.txt\\u0000"]}',
      Buffer.concat([Buffer.from('{"paths":["'), Buffer.from([0xc3, 0x28]),
        Buffer.from('"]}')])]) {
      const res = await request('POST', `${api(repo)}/paths-info/main`,
        { body, headers: JSONH });
      assertError(res, 400, 'BadRequest', /UTF-8/);
    }
  });
