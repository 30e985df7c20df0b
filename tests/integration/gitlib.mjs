// gitlib.mjs: real git for the git tests (t_45_git, t_46_push): git with
// no user configuration, no credential helper and no prompts; temporary
// folders; credentials in a URL; pkt-lines for requests made by hand.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  BASE, BUILD, CONFIG, bearer, get, skip, waitFor,
} from './lib.mjs';

const haveGit = spawnSync('git', ['--version']).status === 0;
export const needGit = () => {
  if (!haveGit) skip('git is not installed (contrib/dev/install-deps)');
};

// The environment git runs in, with extra variables (GIT_AUTHOR_DATE...).
export const gitEnv = (cwd, extra = {}) => ({ PATH: process.env.PATH,
  HOME: cwd, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null', GIT_LFS_SKIP_SMUDGE: '1', LC_ALL: 'C',
  GIT_AUTHOR_NAME: 'Pusher', GIT_AUTHOR_EMAIL: 'p@example.org',
  GIT_COMMITTER_NAME: 'Pusher', GIT_COMMITTER_EMAIL: 'p@example.org',
  ...extra });
// git args in cwd, with extra environment and stdin: spawnSync's result.
export function gitWith(cwd, args, extra = {}, input) {
  return spawnSync('git', args, { cwd, encoding: 'utf8', input,
    env: gitEnv(cwd, extra) });
}
export const git = (cwd, ...args) => gitWith(cwd, args);
// git, and its stdout; fails the test unless it succeeded.
export function gitOk(cwd, ...args) {
  const r = git(cwd, ...args);
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
export const tmp = () => mkdtempSync(join(tmpdir(), 'khub-git-'));
export const withAuth = (u, user) => {
  const x = new URL(u);
  x.username = user.name;
  x.password = user.token;
  return x.toString();
};

export const api = (repo) => `/api/${repo.type || 'model'}s/${repo.id}`;
// The API's first-parent history of rev, newest first.
export async function apiCommits(repo, token, rev = 'main') {
  const res = await get(`${api(repo)}/commits/${encodeURIComponent(rev)}`
    + '?limit=1000', { headers: token ? bearer(token) : {} });
  assert.equal(res.status, 200, res.body);
  return res.json.map((c) => c.id);
}

export const pkt = (s) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from((b.length + 4).toString(16)
    .padStart(4, '0')), b]);
};
export const FLUSH = Buffer.from('0000');
export const DELIM = Buffer.from('0001');

// The pkt-lines of an answer (a Buffer): [{ len, data }], a flush, delim
// or response-end as { len: 0, 1 or 2 } with no data.
export function pktLines(b) {
  const out = [];
  for (let i = 0; i < b.length;) {
    const len = parseInt(b.subarray(i, i + 4).toString(), 16);
    assert.ok(len >= 0 && !Number.isNaN(len), `a pkt-line at ${i}`);
    if (len < 4) {
      out.push({ len });
      i += 4;
      continue;
    }
    assert.ok(i + len <= b.length, `the pkt-line at ${i} is whole`);
    out.push({ len, data: b.subarray(i + 4, i + len) });
    i += len;
  }
  return out;
}

// A khub front door of its own (lighttpd, procs workers: one unless
// told) with the stack's configuration plus settings under [server]
// ({ git_keepalive_ms: 1 }), on the stack's port + 8; fn gets its base
// URL. Stopped after fn.
export async function withFrontDoor(settings, fn, { procs = 1 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'khub-door-'));
  const port = Number(new URL(BASE).port) + 8;
  const extra = Object.entries(settings).map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  const conf = readFileSync(CONFIG, 'utf8').replace(/^\[server\]$/m,
    `[server]\n${extra}`);
  assert.ok(conf.includes(extra), 'the stack has a [server] section');
  writeFileSync(join(dir, 'khub.conf'), conf);
  for (const d of ['www', 'tmp']) mkdirSync(join(dir, d));
  const tpl = readFileSync(new URL('../../contrib/lighttpd/dev.conf.in',
    import.meta.url), 'utf8');
  writeFileSync(join(dir, 'lighttpd.conf'), tpl.replaceAll('@PORT@', port)
    .replaceAll('@DIR@', dir).replaceAll('@FCGI@', resolve(BUILD, 'khub.fcgi'))
    .replaceAll('@CONFIG@', join(dir, 'khub.conf')).replaceAll('@PROCS@', procs)
    .replaceAll('@SOCKET@', join(dir, 'fcgi.sock'))
    .replaceAll('@ACCESSLOG@', '#'));
  const door = spawn('lighttpd', ['-D', '-f', join(dir, 'lighttpd.conf')],
    { stdio: 'ignore' });
  const gone = new Promise((r) => door.once('exit', r));
  const base = `http://127.0.0.1:${port}`;
  try {
    assert.ok(await waitFor(async () => (await fetch(`${base}/api/health`))
      .status === 200, 30), `the front door on ${port} started`);
    await fn(base);
  } finally {
    if (door.exitCode === null && door.signalCode === null) {
      door.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
