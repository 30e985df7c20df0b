// t_56_gc_git.mjs: khubctl gc of git objects (gc.h "Git objects"): the
// commits, trees and tags no repository reaches any more go after the
// grace period (a deleted repository's, in the run after the one that
// marks them: what only they reached goes with them), what another
// repository shares stays; and gc deleting them while API commits and git
// pushes name the very same trees and commits again never leaves a
// repository naming a missing object: each write lands whole or fails
// cleanly (503) and lands when sent again. Real git judges: a fresh clone
// of every repository passes `git fsck --strict` and holds the files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, BUILD, CONFIG, bearer, commit, commitOk, createRepo, deleteRepo,
  gcAsync, khubctl, newUser, request, sql, test,
} from './lib.mjs';
import { gitOk, gitWith, needGit, tmp, withAuth } from './gitlib.mjs';

const gc = (...args) => khubctl('gc', ...args);
const age = (hours) => sql(`UPDATE gc_mark
  SET since = since - INTERVAL ${hours} HOUR`);
const count = (q) => Number(sql(q).trim());
const inList = (ids) => ids.map((h) => `UNHEX('${h}')`).join(',');

// What gc keeps: every reference names a stored row.
function consistent() {
  const none = (q, what) => assert.equal(count(q), 0, what);
  none(`SELECT COUNT(*) FROM repo_commit r LEFT JOIN git_commit c
    ON c.oid = r.oid WHERE c.oid IS NULL`,
  'a repository names a commit gc deleted');
  none(`SELECT COUNT(*) FROM git_commit k LEFT JOIN git_commit c
    ON c.oid = k.parent WHERE k.parent IS NOT NULL AND c.oid IS NULL`,
  'a commit names a parent gc deleted');
  none(`SELECT COUNT(*) FROM git_commit c LEFT JOIN git_tree t
    ON t.oid = c.tree WHERE t.oid IS NULL`,
  'a commit names a tree gc deleted');
  none(`SELECT COUNT(*) FROM git_tree_edge e JOIN git_tree p
    ON p.oid = e.parent LEFT JOIN git_tree t ON t.oid = e.child
    WHERE t.oid IS NULL`, 'a tree names a subtree gc deleted');
  none(`SELECT COUNT(*) FROM ref f LEFT JOIN git_commit c ON c.oid = f.target
    LEFT JOIN git_tag g ON g.oid = f.target
    WHERE c.oid IS NULL AND g.oid IS NULL`,
  'a ref names an object gc deleted');
}

// Files in nested folders: many trees, each named by its parent.
function nested(tag, folders, files) {
  const out = {};
  for (let d = 0; d < folders; d++)
    for (let f = 0; f < files; f++)
      out[`top${d % 3}/d${d}/sub/f${f}.txt`] = `${tag} ${d} ${f}\n`;
  return out;
}

function write(dir, files) {
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), v);
  }
}

// Every object of a clone: id -> type.
function objects(dir) {
  const ids = gitOk(dir, 'rev-list', '--objects', '--all').trim().split('\n')
    .map((l) => l.split(' ')[0]).filter(Boolean);
  const types = gitWith(dir, ['cat-file', '--batch-check=%(objecttype)'],
    {}, `${ids.join('\n')}\n`).stdout.trim().split('\n');
  return new Map(ids.map((id, i) => [id, types[i]]));
}

// A fresh clone of repo (fsck --strict clean), its files at main.
function cloneCheck(d, u, repo, want, name) {
  const dir = join(d, name);
  gitOk(d, 'clone', '-q', withAuth(`${BASE}/${repo.id}`, u), dir);
  gitOk(dir, 'fsck', '--strict');
  if (want) {
    const listed = gitOk(dir, 'ls-tree', '-r', '--name-only', 'HEAD').trim()
      .split('\n').filter((p) => p !== '.gitattributes').sort();
    assert.deepEqual(listed, Object.keys(want).sort(), `${repo.id}: files`);
  }
  return dir;
}

test('gc: a deleted repository\'s own commits and trees go in the run after '
  + 'the one that marks them; trees and commits another repository shares '
  + 'stay; the dry run names them with their bytes', async () => {
  needGit();
  const u = newUser();
  const d = tmp();
  try {
    // (contents of this run only: another run's trees would be shared)
    const n = randomBytes(6).toString('hex');
    const shared = { 'shared/a/x.txt': `the same in both ${n}\n`,
      'shared/a/y.txt': `again the same ${n}\n` };
    const a = await createRepo(u.token), b = await createRepo(u.token);
    await commitOk(u.token, a, { files: { ...shared,
      ...nested(`a ${n}`, 4, 2) } });
    await commitOk(u.token, a, { files: { 'top0/d0/sub/f0.txt':
      `changed ${n}\n`, 'own/z.txt': `only in a ${n}\n` } });
    const bHead = await commitOk(u.token, b, { files: shared });
    // a's history pushed with git too: a merge, an annotated tag
    const w = join(d, 'w');
    gitOk(d, 'clone', '-q', withAuth(`${BASE}/${a.id}`, u), w);
    gitOk(w, 'checkout', '-q', '-b', 'side');
    write(w, { 'side/s.txt': `a side branch ${n}\n` });
    gitOk(w, 'add', '-A');
    gitOk(w, 'commit', '-q', '-m', 'side');
    gitOk(w, 'checkout', '-q', 'main');
    gitOk(w, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    gitOk(w, 'tag', '-a', '-m', 'a tag', 'v1');
    gitOk(w, 'push', '-q', 'origin', 'main', 'side', 'v1');
    const ofA = objects(cloneCheck(d, u, a, null, 'a'));
    const ofB = objects(cloneCheck(d, u, b, shared, 'b'));
    const own = [...ofA].filter(([id, t]) => t !== 'blob' && !ofB.has(id));
    const kept = [...ofA].filter(([id, t]) => t !== 'blob' && ofB.has(id));
    const ids = (t) => own.filter(([, x]) => x === t).map(([id]) => id);
    assert.ok(ids('tree').length >= 10 && ids('commit').length >= 4 &&
      ids('tag').length === 1, `a has its own objects: ${ids('tree').length} trees, ${ids('commit').length} commits, ${ids('tag').length} tags`);
    assert.ok(kept.some(([, t]) => t === 'tree'), 'a and b share a tree');
    await deleteRepo(u.token, a);

    const rows = () => count(`SELECT (SELECT COUNT(*) FROM git_tree WHERE oid
      IN (${inList(ids('tree'))})) + (SELECT COUNT(*) FROM git_commit WHERE
      oid IN (${inList(ids('commit'))})) + (SELECT COUNT(*) FROM git_tag
      WHERE oid IN (${inList(ids('tag'))}))`);
    gc('--grace', '1h');	// marks a's heads and tag
    assert.equal(rows(), own.length, 'gc deleted within the grace');
    age(2);
    // the dry run names every one of them, with its bytes, and deletes none
    const dry = gc('--dry-run', '--grace', '1h');
    for (const [id, t] of own)
      assert.match(dry, new RegExp(`^would delete ${t} ${id} [1-9]\\d*$`, 'm'),
        `the dry run names ${t} ${id}`);
    for (const [id] of kept)
      assert.doesNotMatch(dry, new RegExp(id), `the dry run names ${id}`);
    assert.equal(rows(), own.length, 'the dry run deleted');
    const out = gc('--grace', '1h');
    for (const [id, t] of own)
      assert.match(out, new RegExp(`^deleted ${t} ${id} [1-9]\\d*$`, 'm'));
    assert.equal(rows(), 0, 'a\'s own trees, commits and tag are still there');
    assert.equal(count(`SELECT COUNT(*) FROM git_tree_edge WHERE parent IN
      (${inList(ids('tree'))})`), 0, 'the deleted trees\' edges stay');
    assert.equal(count(`SELECT COUNT(*) FROM git_tree WHERE oid IN
      (${inList(kept.filter(([, t]) => t === 'tree').map(([id]) => id))})`),
    kept.filter(([, t]) => t === 'tree').length, 'a shared tree went');
    consistent();
    cloneCheck(d, u, b, shared, 'b2');
    const res = await request('GET', `/api/models/${b.id}/tree/main/shared/a`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.length, 2);
    assert.equal((await commitOk(u.token, b, { files: { 'n.txt': 'n' } }))
      .length, 40);
    assert.notEqual(bHead, '');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('gc racing commits and pushes that name the trees and commits it '
  + 'deletes: every write lands whole or fails cleanly and lands when sent '
  + 'again; every branch of every repository clones whole', async () => {
  needGit();
  const u = newUser();
  const d = tmp();
  const outcomes = { landed: 0, refused: 0, deleted: 0 };
  const K = 6;
  const push = (pw, repo) => new Promise((resolve) => {
    const p = spawn('git', ['push', '-q', '--force',
      withAuth(`${BASE}/${repo.id}`, u), 'main:main'], { cwd: pw,
      env: { PATH: process.env.PATH, HOME: pw, GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    let err = '';
    p.stderr.on('data', (x) => { err += x; });
    p.on('close', (code) => resolve({ code, err }));
  });
  try {
    const n = randomBytes(6).toString('hex');
    for (let round = 0; round < 2; round++) {
      // Old garbage: K deleted repositories' histories, pushed with git
      // (their commits and trees exactly), marked an hour ago. Their
      // files stay referenced (by keeper, in other folders): the race is
      // the trees' and commits'.
      const olds = [];
      const keep = {};
      for (let k = 0; k < K; k++) {
        const files = nested(`${n} r${round} k${k}`, 16, 2);
        for (const [p, v] of Object.entries(files))
          keep[`k${k}-${p.replace(/\//g, '-')}`] = v;
        const old = await createRepo(u.token);
        const w = join(d, `old${round}-${k}`);
        gitOk(d, 'clone', '-q', withAuth(`${BASE}/${old.id}`, u), w);
        write(w, files);
        gitOk(w, 'add', '-A');
        gitOk(w, 'commit', '-q', '-m', 'old history');
        gitOk(w, 'checkout', '-q', '-b', 'extra');
        write(w, nested(`${n} x${round} k${k}`, 4, 1));
        gitOk(w, 'add', '-A');
        gitOk(w, 'commit', '-q', '-m', 'a branch no one names again');
        gitOk(w, 'checkout', '-q', 'main');
        gitOk(w, 'push', '-q', 'origin', 'main', 'extra');
        // to push again: the same commits; and a new commit on the tree
        const same = join(d, `same${round}-${k}`), onto = join(d,
          `onto${round}-${k}`);
        gitOk(d, 'clone', '-q', '--bare', w, same);
        gitOk(d, 'clone', '-q', '--bare', w, onto);
        const tree = gitOk(onto, 'rev-parse', 'main^{tree}').trim();
        const c = gitWith(onto, ['commit-tree', tree, '-m', 'new on old'])
          .stdout.trim();
        gitOk(onto, 'update-ref', 'refs/heads/main', c);
        olds.push({ old, files, same, onto });
      }
      const keeper = await createRepo(u.token);
      await commitOk(u.token, keeper, { files: keep });
      for (const { old } of olds) await deleteRepo(u.token, old);
      gc('--grace', '1h');
      age(2);
      // gc deletes them while writers name them again, each into a new
      // repository, one after the other until gc is done: API commits of
      // the same files (the same trees, found stored), pushes of the same
      // commits, pushes of new commits on the old trees.
      let done = false;
      const written = [];
      const writer = async (w) => {
        for (let i = 0; !done; i++) {
          const o = olds[(w + i) % K];
          const repo = await createRepo(u.token);
          if (w < 3) {
            const res = await commit(u.token, repo, { files: o.files });
            written.push({ repo, files: o.files, res });
          } else {
            const pw = w === 3 ? o.same : o.onto;
            written.push({ repo, pw, pushed: await push(pw, repo) });
          }
        }
      };
      const sweeping = gcAsync('--grace', '1h').finally(() => { done = true; });
      await Promise.all([0, 1, 2, 3, 4].map(writer));
      const swept = await sweeping;
      outcomes.deleted += (swept.match(/^deleted (tree|commit) /mg) || [])
        .length;
      for (const r of written) {
        if (r.res) {
          if (r.res.status === 200) { outcomes.landed++; continue; }
          assert.equal(r.res.status, 503, r.res.body);
          assert.match(r.res.json.error, /garbage|collected/);
          outcomes.refused++;
          await commitOk(u.token, r.repo, { files: r.files });
        } else {
          if (r.pushed.code === 0) { outcomes.landed++; continue; }
          assert.match(r.pushed.err, /collected|garbage/, r.pushed.err);
          outcomes.refused++;
          const again = await push(r.pw, r.repo);
          assert.equal(again.code, 0, again.err);
        }
      }
      consistent();
      for (const [i, r] of written.entries()) {
        const c = cloneCheck(d, u, r.repo, r.files || null, `c${round}-${i}`);
        if (r.pw)
          assert.equal(gitOk(c, 'rev-parse', 'HEAD').trim(),
            gitOk(r.pw, 'rev-parse', 'main').trim());
      }
      for (const repo of [keeper, ...written.map((r) => r.repo)])
        await deleteRepo(u.token, repo);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  console.log(`# gc git race: ${outcomes.landed} writes landed, `
    + `${outcomes.refused} met collected objects and were sent again; gc `
    + `deleted ${outcomes.deleted} trees and commits meanwhile`);
  assert.ok(outcomes.deleted > 0, 'gc deleted nothing while the writes ran');
});

test('gc: trees stored without their edges (before sql/016) get them from '
  + 'the next run, which collects no git object until every tree has them',
async () => {
  const u = newUser();
  const n = randomBytes(6).toString('hex');
  const repo = await createRepo(u.token);
  const files = nested(`e ${n}`, 3, 1);
  await commitOk(u.token, repo, { files });
  const root = sql(`SELECT LOWER(HEX(c.tree)) FROM ref f JOIN repo_commit r
    ON r.oid = f.target JOIN git_commit c ON c.oid = f.target
    WHERE f.repo_id = (SELECT p.id FROM repo p JOIN namespace s
      ON s.id = p.owner_id WHERE s.name = '${u.name}' AND p.name =
      '${repo.name}') AND f.name = 'main' LIMIT 1`).trim();
  assert.match(root, /^[0-9a-f]{40}$/);
  const edges = () => count(`SELECT COUNT(*) FROM git_tree_edge
    WHERE parent = UNHEX('${root}')`);
  assert.equal(edges(), 3, 'the root\'s edges: top0, top1, top2');
  // as an older khub stored it, and a deleted repository's garbage
  sql(`DELETE FROM git_tree_edge WHERE parent = UNHEX('${root}')`);
  sql(`UPDATE gc_state SET last = NULL, done = 0 WHERE name = 'tree-edges'`);
  const old = await createRepo(u.token);
  await commitOk(u.token, old, { files: nested(`o ${n}`, 2, 1) });
  await deleteRepo(u.token, old);
  // a dry run writes nothing, and names no git object
  assert.doesNotMatch(gc('--dry-run', '--grace', '0'),
    /^would delete (tree|commit|tag) /m);
  assert.equal(edges(), 0);
  const out = gc('--grace', '0');
  assert.equal(edges(), 3, 'gc did not write the edges');
  assert.equal(count(`SELECT done FROM gc_state
    WHERE name = 'tree-edges'`), 1);
  assert.match(out, /^deleted tree /m, 'the same run collects after them');
  consistent();
  const d = tmp();
  try {
    cloneCheck(d, u, repo, files, 'r');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
