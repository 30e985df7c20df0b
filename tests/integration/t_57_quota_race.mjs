// t_57_quota_race.mjs: the quota is checked in the commit's own
// transaction (quota.h): commits racing at the edge of a quota cannot all
// pass, whichever worker takes them; and it counts what a commit really
// adds: content the repository already stores, committed again under a
// full quota, passes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  commit, commitOk, createRepo, khubctl, mainHead as head, newUser, test,
  upload, usedBytes as used,
} from './lib.mjs';

test('quota: of commits racing at its edge, at most one passes; the others '
  + 'answer 413 and the use stays within the quota', async () => {
  const rounds = 5, racers = 6, size = 3000;
  let won = 0;
  for (let round = 0; round < rounds; round++) {
    const u = newUser();
    // several repositories of one namespace, and one repository's branch
    const repos = [await createRepo(u.token), await createRepo(u.token),
      await createRepo(u.token)];
    const base = used(u.name);
    // room for one commit of size bytes, not two
    khubctl('quota', 'set', u.name, String(base + size + size / 2));
    const results = await Promise.all([...Array(racers)].map((_, i) =>
      commit(u.token, repos[i % repos.length], { files: {
        [`f${i}.bin`]: randomBytes(size) } })));
    const ok = results.filter((r) => r.status === 200);
    for (const r of results)
      if (r.status !== 200) {
        assert.equal(r.status, 413, r.body);
        assert.equal(r.headers['x-error-code'], 'QuotaExceeded');
      }
    assert.ok(ok.length <= 1, `round ${round}: ${ok.length} of ${racers} `
      + 'commits passed a quota with room for one');
    assert.ok(used(u.name) <= base + size + size / 2);
    won += ok.length;
  }
  // the quota is not a wall: one of each round's racers fits, and does
  assert.equal(won, rounds);
});

test('quota: content the repository already stores, committed again under '
  + 'a full quota, passes; new content does not', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const a = randomBytes(5000), b = randomBytes(200), c = randomBytes(4000);
  const lfs = randomBytes(6000);
  const up = await upload(repo, u.token, lfs);
  await commitOk(u.token, repo, { files: { 'a.bin': a, 'b.bin': b },
    lfs: [{ path: 'w.bin', oid: up.oid, size: lfs.length }] });
  // full: not a byte left
  khubctl('quota', 'set', u.name, String(used(u.name)));
  // the same bytes at other paths, twice over, LFS too: nothing new
  await commitOk(u.token, repo, { files: { 'copy/a.bin': a, 'a2.bin': a,
    'copy/b.bin': b }, lfs: [{ path: 'copy/w.bin', oid: up.oid,
    size: lfs.length }] });
  // a deletion too
  await commitOk(u.token, repo, { deletes: ['a2.bin'] });
  const before = await head(repo, u.token);
  // new content does not fit; neither does new beside old
  let res = await commit(u.token, repo, { files: { 'c.bin': c } });
  assert.equal(res.status, 413, res.body);
  res = await commit(u.token, repo, { files: { 'a3.bin': a, 'c.bin': c } });
  assert.equal(res.status, 413, res.body);
  assert.equal(res.headers['x-error-code'], 'QuotaExceeded');
  assert.match(res.json.error, /this upload of 4000 bytes/);
  assert.equal(await head(repo, u.token), before);
  // a quota lowered below the use: still no new content, old content yes
  khubctl('quota', 'set', u.name, String(used(u.name) - 1000));
  await commitOk(u.token, repo, { files: { 'again/b.bin': b } });
  res = await commit(u.token, repo, { files: { 'd.bin': randomBytes(10) } });
  assert.equal(res.status, 413, res.body);
});
