// gitlib.mjs: real git for the git tests (t_45_git, t_46_push): git with
// no user configuration, no credential helper and no prompts; temporary
// folders; credentials in a URL; pkt-lines for requests made by hand.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, get, skip } from './lib.mjs';

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
