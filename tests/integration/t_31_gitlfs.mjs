// t_31_gitlfs.mjs: the real git-lfs client (Debian's git-lfs) against the
// batch API: `git lfs push` uploads and verifies with HTTP Basic
// credentials from a credential helper; once the files are committed
// through the API, `git lfs fetch` downloads them back. Skipped when git
// or git-lfs is missing.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, commitOk, createRepo, newUser, repoPath, sql, test,
  gitLfsWorkTree, skip,
} from './lib.mjs';

const haveGitLfs = spawnSync('git', ['lfs', 'version']).status === 0;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// A work tree with git-lfs set up for repo, credentials from `user`.
const workTree = (repo, user) =>
  gitLfsWorkTree(`${BASE}${repoPath(repo)}.git`, user);

function lfsObjectSize(oid) {
  return sql(`SELECT size FROM lfs_object WHERE sha256 = UNHEX('${oid}')`)
    .trim();
}

test('git lfs push uploads and verifies; git lfs fetch downloads',
  async () => {
    if (!haveGitLfs) skip('git-lfs is not installed (contrib/dev/install-deps installs it)');
    const u = newUser();
    const repo = await createRepo(u.token);
    const w = workTree(repo, u);
    try {
      const files = { 'a.bin': randomBytes(300000), 'd/b.bin': randomBytes(70000) };
      w.gitOk('lfs', 'track', '*.bin');
      execFileSync('mkdir', ['-p', join(w.wt, 'd')]);
      for (const [p, data] of Object.entries(files))
        writeFileSync(join(w.wt, p), data);
      w.gitOk('add', '.');
      w.gitOk('commit', '-qm', 'lfs files');
      const push = w.git('lfs', 'push', 'origin', 'main');
      assert.equal(push.status, 0, push.stderr);
      for (const data of Object.values(files))
        assert.equal(lfsObjectSize(sha256(data)), String(data.length));
      // Pushed again: the server has them, nothing is uploaded.
      const again = w.git('lfs', 'push', 'origin', 'main');
      assert.equal(again.status, 0, again.stderr);

      // Not referenced by the repository yet: git lfs fetch fails.
      rmSync(join(w.wt, '.git', 'lfs', 'objects'), { recursive: true });
      const early = w.git('lfs', 'fetch', 'origin', 'main');
      assert.notEqual(early.status, 0, 'fetch of unreferenced objects');
      assert.match(early.stdout + early.stderr, /does not exist|not found/i);

      // Committed through the API: khub's pointer blobs are git-lfs's.
      await commitOk(u.token, repo, { lfs: Object.entries(files).map(
        ([path, data]) => ({ path, oid: sha256(data), size: data.length })) });
      for (const p of Object.keys(files)) {
        const local = w.gitOk('rev-parse', `HEAD:${p}`).trim();
        const oid = sha256(files[p]);
        assert.equal(sql(`SELECT LOWER(HEX(oid)) FROM git_blob
          WHERE sha256 = UNHEX('${oid}') AND lfs = 1`).trim(), local);
      }
      const fetch = w.git('lfs', 'fetch', 'origin', 'main');
      assert.equal(fetch.status, 0, fetch.stdout + fetch.stderr);
      for (const data of Object.values(files)) {
        const oid = sha256(data);
        const got = readFileSync(join(w.wt, '.git', 'lfs', 'objects',
          oid.slice(0, 2), oid.slice(2, 4), oid));
        assert.ok(got.equals(data));
      }
    } finally {
      w.cleanup();
    }
  });

test('git lfs push with a read token is refused', async () => {
  if (!haveGitLfs) skip('git-lfs is not installed (contrib/dev/install-deps installs it)');
  const owner = newUser();
  const repo = await createRepo(owner.token);
  const reader = newUser('read');
  const w = workTree(repo, reader);
  try {
    w.gitOk('lfs', 'track', '*.bin');
    const data = randomBytes(1000);
    writeFileSync(join(w.wt, 'x.bin'), data);
    w.gitOk('add', '.');
    w.gitOk('commit', '-qm', 'x');
    const push = w.git('lfs', 'push', 'origin', 'main');
    assert.notEqual(push.status, 0);
    assert.equal(lfsObjectSize(sha256(data)), '');
  } finally {
    w.cleanup();
  }
});
