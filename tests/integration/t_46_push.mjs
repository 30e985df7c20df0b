// t_46_push.mjs: real git push against khub's receive-pack (api_git.c,
// receivepack.c): fast-forward, new branch, delete, lightweight and
// annotated tags, force, atomic,
// the default branch kept, who may push, exact commits (merges, time zones,
// another committer, gpgsig) surviving push and a fresh clone with their
// ids, the 10 MiB rule, LFS possession, objects of another repository,
// pushes racing API commits, and thin packs (git's own, and made here:
// deltas on this repository's objects, in chains, never on another
// repository's, malformed ones). `git fsck --strict` judges every clone.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import {
  BASE, bearer, commit, commitOk, createRepo, download, get, khubctl, newUser,
  request, sql, test, upload,
} from './lib.mjs';
import {
  api, apiCommits, FLUSH, gitEnv, gitOk, gitWith, needGit, pkt, tmp,
  withAuth,
} from './gitlib.mjs';

const git = (cwd, args, extra, input) => gitWith(cwd, args, extra, input);
async function refs(repo, token) {
  const res = await get(`${api(repo)}/refs`, { headers: bearer(token) });
  assert.equal(res.status, 200, res.body);
  const out = {};
  for (const b of res.json.branches) out[`refs/heads/${b.name}`] = b.targetCommit;
  for (const t of res.json.tags) out[`refs/tags/${t.name}`] = t.targetCommit;
  return out;
}
function write(dir, files) {
  for (const [p, v] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, v);
  }
}
function commitAll(dir, msg, extra = {}) {
  let r = git(dir, ['add', '-A']);
  assert.equal(r.status, 0, r.stderr);
  r = git(dir, ['commit', '-q', '--allow-empty', '-m', msg], extra);
  assert.equal(r.status, 0, r.stderr);
  return gitOk(dir, 'rev-parse', 'HEAD').trim();
}
// A fresh clone: fsck --strict clean; its refs as ls-remote shows them.
function freshClone(d, url, name) {
  const dir = join(d, name);
  gitOk(d, 'clone', '-q', '--no-checkout', url, dir);
  gitOk(dir, 'fsck', '--strict');
  return dir;
}
// A test on a clone of a new repository of a new user, with the user's
// credentials in its URL: fn({ u, repo, d, url, dir }); d is removed after.
function pushTest(name, fn) {
  test(name, async () => {
    needGit();
    const u = newUser();
    const repo = await createRepo(u.token);
    const d = tmp();
    const url = withAuth(`${BASE}/${repo.id}`, u);
    const dir = join(d, 'w');
    try {
      gitOk(d, 'clone', '-q', url, dir);
      await fn({ u, repo, d, url, dir });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
}

pushTest('push: fast-forward, new branch, tag, force, delete; main kept',
  async ({ u, repo, d, url, dir }) => {
    write(dir, { 'a.txt': 'a\n', 'x/y/z.bin': randomBytes(6000) });
    const c1 = commitAll(dir, 'first push');
    let r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((await apiCommits(repo, u.token)).slice(0, 1), [c1]);
    // the API's history shows it as git wrote it
    let res = await get(`${api(repo)}/commits/main`, { headers: bearer(u.token) });
    assert.equal(res.json[0].title, 'first push');
    assert.deepEqual(res.json[0].authors, [{ user: 'Pusher' }]);
    // the API sees the pushed tree, with the bytes
    res = await get(`/${repo.id}/resolve/main/a.txt`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 302, res.body);
    assert.equal(await (await fetch(res.headers.location)).text(), 'a\n');
    res = await get(`${api(repo)}/tree/main/x/y`, { headers: bearer(u.token) });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json.map((e) => e.path), ['x/y/z.bin']);
    // new branch and a lightweight tag
    gitOk(dir, 'checkout', '-q', '-b', 'dev');
    write(dir, { 'dev.txt': 'dev\n' });
    const c2 = commitAll(dir, 'on dev');
    gitOk(dir, 'tag', 'v1', c1);
    r = git(dir, ['push', 'origin', 'dev', 'v1']);
    assert.equal(r.status, 0, r.stderr);
    let got = await refs(repo, u.token);
    assert.equal(got['refs/heads/dev'], c2);
    assert.equal(got['refs/tags/v1'], c1);
    // an API commit on dev, then a force push over it
    await commitOk(u.token, repo, { branch: 'dev', files: { 'api.txt': 'x' } });
    gitOk(dir, 'commit', '-q', '--amend', '-m', 'amended');
    const c3 = gitOk(dir, 'rev-parse', 'HEAD').trim();
    r = git(dir, ['push', 'origin', 'dev']);
    assert.notEqual(r.status, 0, 'a non-fast-forward needs --force');
    r = git(dir, ['push', '--force', 'origin', 'dev']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await refs(repo, u.token))['refs/heads/dev'], c3);
    // delete a branch and a tag; main may not be deleted
    r = git(dir, ['push', 'origin', ':dev', ':refs/tags/v1']);
    assert.equal(r.status, 0, r.stderr);
    got = await refs(repo, u.token);
    assert.equal(got['refs/heads/dev'], undefined);
    assert.equal(got['refs/tags/v1'], undefined);
    r = git(dir, ['push', 'origin', ':main']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /deletion of the current branch prohibited/);
    assert.equal((await refs(repo, u.token))['refs/heads/main'], c1);
    // names the API refuses, a push refuses too
    for (const bad of ['refs/heads/abcdef12', 'refs/heads/HEAD',
      'refs/pr/1', 'refs/notes/x']) {
      r = git(dir, ['push', 'origin', `main:${bad}`]);
      assert.notEqual(r.status, 0, bad);
      assert.match(r.stderr, /funny refname|refs\/heads\/ and refs\/tags\/ only/,
        r.stderr);
    }
    // a folder moved: the pack names its tree without bringing it
    gitOk(dir, 'checkout', '-q', 'main');
    gitOk(dir, 'mv', 'x/y', 'moved');
    const c4 = commitAll(dir, 'moved a folder');
    r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await refs(repo, u.token))['refs/heads/main'], c4);
    // a fresh clone has the same history
    const fresh = freshClone(d, url, 'fresh');
    assert.deepEqual(gitOk(fresh, 'log', '--format=%H', 'origin/main')
      .trim().split('\n'), await apiCommits(repo, u.token));
  });

pushTest('push: annotated tags: peeled for git, the API sees their commit',
  async ({ u, repo, d, url, dir }) => {
    write(dir, { 't.txt': 't\n' });
    const c = commitAll(dir, 'tagged');
    gitOk(dir, 'tag', '-a', 'v2', '-m', 'release two\n\nnotes');
    const tag = gitOk(dir, 'rev-parse', 'v2').trim();
    assert.notEqual(tag, c);
    let r = git(dir, ['push', 'origin', 'main', 'v2']);
    assert.equal(r.status, 0, r.stderr);
    // git sees the tag object and what it tags (v2 and v0)
    for (const v of ['2', '0']) {
      const ls = gitOk(dir, '-c', `protocol.version=${v}`, 'ls-remote',
        'origin', 'refs/tags/*');
      assert.match(ls, new RegExp(`^${tag}\trefs/tags/v2$`, 'm'));
      assert.match(ls, new RegExp(`^${c}\trefs/tags/v2\\^\\{\\}$`, 'm'));
    }
    // the API: the tag names its commit, and resolves
    assert.equal((await refs(repo, u.token))['refs/tags/v2'], c);
    const res = await get(`/${repo.id}/resolve/v2/t.txt`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 302, res.body);
    // a fresh clone (v2 and v0) has the tag object, byte for byte
    for (const v of ['2', '0']) {
      const fresh = join(d, `fresh${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', '-q', url, fresh);
      gitOk(fresh, 'fsck', '--strict');
      assert.equal(gitOk(fresh, 'cat-file', 'tag', 'v2'),
        gitOk(dir, 'cat-file', 'tag', 'v2'));
    }
    // the same tag object under a second name (no objects sent), a tag
    // that a fetch follows, deletes
    r = git(dir, ['push', 'origin', 'v2:refs/tags/v2-again']);
    assert.equal(r.status, 0, r.stderr);
    write(dir, { 'later.txt': 'l\n' });
    commitAll(dir, 'later');
    gitOk(dir, 'tag', '-a', 'v3', '-m', 'three');
    r = git(dir, ['push', 'origin', 'main', 'v3']);
    assert.equal(r.status, 0, r.stderr);
    const fresh = join(d, 'fresh2');
    gitOk(fresh, 'fetch', '-q', 'origin');
    assert.equal(gitOk(fresh, 'cat-file', '-t', 'v3').trim(), 'tag');
    gitOk(fresh, 'fsck', '--strict');
    r = git(dir, ['push', 'origin', ':refs/tags/v2', ':refs/tags/v2-again']);
    assert.equal(r.status, 0, r.stderr);
    const got = await refs(repo, u.token);
    assert.equal(got['refs/tags/v2'], undefined);
    assert.ok(got['refs/tags/v3']);
    // a branch pointing at a tag is refused
    r = git(dir, ['push', 'origin', 'v3:refs/heads/from-tag']);
    assert.notEqual(r.status, 0);
    assert.equal((await refs(repo, u.token))['refs/heads/from-tag'],
      undefined);
  });

// git tag -a of the object id (mktag: git tag -a refuses nothing here).
function tagOf(dir, name, oid, type) {
  const r = git(dir, ['mktag'], {}, `object ${oid}\ntype ${type}\n`
    + `tag ${name}\ntagger T <t@example.org> 1700000000 +0200\n\n`
    + `a tag of a ${type}\n`);
  assert.equal(r.status, 0, r.stderr);
  gitOk(dir, 'update-ref', `refs/tags/${name}`, r.stdout.trim());
  return r.stdout.trim();
}

pushTest('push: annotated tags of trees and blobs, new and old, come back '
  + 'with their ids; the API lists only tags of commits',
  async ({ u, repo, d, url, dir }) => {
    write(dir, { 'sub/deep/f.txt': 'f\n', 'top.txt': 'top\n' });
    commitAll(dir, 'a snapshot');
    let r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    // objects khub has (the pack then brings only the tag) and new ones
    const root = gitOk(dir, 'rev-parse', 'HEAD^{tree}').trim();
    const sub = gitOk(dir, 'rev-parse', 'HEAD:sub').trim();
    const oldBlob = gitOk(dir, 'rev-parse', 'HEAD:top.txt').trim();
    const salt = randomBytes(8).toString('hex');	// new in the store too
    const newBlob = git(dir, ['hash-object', '-w', '--stdin'], {},
      `only a tag names me ${salt}\n`).stdout.trim();
    const inner = git(dir, ['hash-object', '-w', '--stdin'], {},
      `in a tagged tree ${salt}\n`).stdout.trim();
    const newTree = git(dir, ['mktree'], {}, `100644 blob ${inner}\tx.txt\n`)
      .stdout.trim();
    const tags = { troot: [root, 'tree'], tsub: [sub, 'tree'],
      tnewtree: [newTree, 'tree'], tblob: [oldBlob, 'blob'],
      tnewblob: [newBlob, 'blob'] };
    const ids = {};
    for (const [name, [oid, type]] of Object.entries(tags))
      ids[name] = tagOf(dir, name, oid, type);
    r = git(dir, ['push', 'origin', ...Object.keys(tags)]);
    assert.equal(r.status, 0, r.stderr);
    // git sees each tag and what it tags (v2 and v0)
    for (const v of ['2', '0']) {
      const ls = gitOk(dir, '-c', `protocol.version=${v}`, 'ls-remote',
        'origin', 'refs/tags/*');
      for (const [name, [oid]] of Object.entries(tags)) {
        assert.match(ls, new RegExp(`^${ids[name]}\trefs/tags/${name}$`, 'm'));
        assert.match(ls, new RegExp(`^${oid}\trefs/tags/${name}\\^\\{\\}$`,
          'm'), `${name} peeled (v${v})`);
      }
    }
    // a fresh clone (v2 and v0): the tags byte for byte, what they tag
    for (const v of ['2', '0']) {
      const fresh = join(d, `fresh${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', '-q', url, fresh);
      gitOk(fresh, 'fsck', '--strict');
      for (const [name, [oid, type]] of Object.entries(tags)) {
        assert.equal(gitOk(fresh, 'cat-file', 'tag', name),
          gitOk(dir, 'cat-file', 'tag', name), name);
        assert.equal(gitOk(fresh, 'rev-parse', `${name}^{}`).trim(), oid);
        assert.equal(gitOk(fresh, 'cat-file', '-t', oid).trim(), type);
      }
      assert.equal(gitOk(fresh, 'cat-file', 'blob', newBlob),
        `only a tag names me ${salt}\n`);
      assert.equal(gitOk(fresh, 'cat-file', 'blob', `${newTree}:x.txt`),
        `in a tagged tree ${salt}\n`);
    }
    // the new blobs are this repository's (held against gc, quota)
    for (const b of [newBlob, inner])
      assert.equal(sql('SELECT COUNT(*) FROM repo_blob WHERE oid = '
        + `UNHEX('${b}')`).trim(), '1');
    // the API: no ref names a tree or a blob; resolve by the name is 404
    const got = await refs(repo, u.token);
    for (const name of Object.keys(tags))
      assert.equal(got[`refs/tags/${name}`], undefined, name);
    const res = await get(`/${repo.id}/resolve/troot/top.txt`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 404, res.body);
    // a tagged tree naming a blob of another repository is refused
    const other = newUser();
    const theirs = await createRepo(other.token, { private: true });
    await commitOk(other.token, theirs, { files: { 's.txt': 'theirs!\n' } });
    const foreign = git(dir, ['hash-object', '--stdin'], {}, 'theirs!\n')
      .stdout.trim();
    const bad = git(dir, ['mktree', '--missing'], {},
      `100644 blob ${foreign}\ts.txt\n`).stdout.trim();
    const tbad = tagOf(dir, 'tbad', bad, 'tree');
    // (git push would not send it: git lacks the blob; packed by hand)
    const pack = spawnSync('git', ['pack-objects', '--stdout'], { cwd: dir,
      input: `${tbad}\n${bad}\n`, env: gitEnv(dir) }).stdout;
    const body = Buffer.concat([pkt(`${'0'.repeat(40)} ${tbad} refs/tags/tbad`
      + '\0report-status\n'), FLUSH, pack]);
    const rp = await receivePack(repo, body, u.token);
    assert.equal(rp.status, 200);
    assert.match(rp.body, /unpack .*blob [0-9a-f]{40} is neither in the pack nor in this repository/);
    assert.match(rp.body, /ng refs\/tags\/tbad/);
    r = git(dir, ['ls-remote', 'origin', 'refs/tags/tbad']);
    assert.equal(r.stdout, '');
  });

pushTest('push: merges, time zones, another committer, gpgsig keep their ids',
  async ({ u, repo, d, url, dir }) => {
    const base = gitOk(dir, 'rev-parse', 'HEAD').trim();
    // a clone from before, to fetch the merges into (v0 and v2)
    const old = join(d, 'old');
    gitOk(d, 'clone', '-q', url, old);
    gitOk(dir, 'checkout', '-q', '-b', 'side');
    write(dir, { 'side.txt': 'side\n' });
    commitAll(dir, 'side', { GIT_AUTHOR_DATE: '1700000000 +0200' });
    gitOk(dir, 'checkout', '-q', 'main');
    write(dir, { 'main.txt': 'main\n' });
    commitAll(dir, 'main', { GIT_COMMITTER_NAME: 'Carol',
      GIT_COMMITTER_EMAIL: 'c@example.org',
      GIT_COMMITTER_DATE: '1700000100 -0130' });
    let r = git(dir, ['merge', '-q', '--no-ff', '-m', 'merge side', 'side']);
    assert.equal(r.status, 0, r.stderr);
    // a signed-looking commit: a gpgsig header, an encoding, no final LF
    const tree = gitOk(dir, 'rev-parse', 'HEAD^{tree}').trim();
    const head = gitOk(dir, 'rev-parse', 'HEAD').trim();
    const text = `tree ${tree}\nparent ${head}\n`
      + 'author Dora <d@example.org> 1700000200 +0545\n'
      + 'committer Eve <e@example.org> 1700000300 -0000\n'
      + 'encoding ISO-8859-1\n'
      + 'gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n'
      + ' -----END PGP SIGNATURE-----\n\nsigned, no final newline';
    r = git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], {}, text);
    assert.equal(r.status, 0, r.stderr);
    const signed0 = r.stdout.trim();
    // khub's own shape, but a message that is not UTF-8 (no encoding)
    const latin = Buffer.concat([Buffer.from(`tree ${tree}\nparent ${signed0}\n`
      + 'author Pusher <p@example.org> 1700000400 +0000\n'
      + 'committer Pusher <p@example.org> 1700000400 +0000\n\ncaf'),
    Buffer.from([0xe9, 0x0a])]);
    r = git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], {}, latin);
    assert.equal(r.status, 0, r.stderr);
    const signed = r.stdout.trim();
    gitOk(dir, 'update-ref', 'refs/heads/main', signed);
    const want = gitOk(dir, 'rev-list', 'main').trim().split('\n');
    assert.ok(want.length >= 5 && want.includes(base));
    r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    // the API's first-parent history holds the same ids
    const apiIds = await apiCommits(repo, u.token);
    assert.equal(apiIds[0], signed);
    assert.equal(apiIds[1], signed0);
    // their titles and authors as the API shows them (not UTF-8: '?')
    const res = await get(`${api(repo)}/commits/main`, { headers: bearer(u.token) });
    assert.deepEqual(res.json.slice(0, 3).map((c) => [c.title,
      c.authors[0].user]), [['caf?', 'Pusher'],
      ['signed, no final newline', 'Dora'], ['merge side', 'Pusher']]);
    const fp = gitOk(dir, 'rev-list', '--first-parent', 'main').trim()
      .split('\n');
    assert.deepEqual(apiIds, fp);
    // a fresh clone (v2 and v0) has every commit, byte for byte
    for (const v of ['2', '0']) {
      const fresh = join(d, `fresh${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', '-q', url, fresh);
      gitOk(fresh, 'fsck', '--strict');
      assert.deepEqual(gitOk(fresh, 'rev-list', 'origin/main').trim()
        .split('\n'), want);
      assert.equal(gitOk(fresh, 'cat-file', 'commit', signed0), text);
      for (const c of want)
        assert.equal(gitOk(fresh, 'cat-file', 'commit', c),
          gitOk(dir, 'cat-file', 'commit', c));
    }
    // the clone from before fetches them: only what it lacks, fsck clean
    for (const v of ['0', '2']) {
      gitOk(old, '-c', `protocol.version=${v}`, 'fetch', '-q', 'origin');
      gitOk(old, 'fsck', '--strict');
      assert.deepEqual(gitOk(old, 'rev-list', 'origin/main').trim()
        .split('\n'), want);
    }
    // an API commit on top comes back in the next fetch
    const apiC = await commitOk(u.token, repo, { files: { 'n.txt': 'n\n' } });
    gitOk(dir, 'fetch', '-q', 'origin');
    assert.equal(gitOk(dir, 'rev-parse', 'origin/main').trim(), apiC);
    assert.equal(gitOk(dir, 'rev-parse', 'origin/main^').trim(), signed);
    gitOk(dir, 'fsck', '--strict');
  });

pushTest('push: anonymous 401 then credentials, a read token 403, a stranger 404',
  async ({ u, repo, d, url, dir }) => {
const reader = newUser('read');
    const plain = `${BASE}/${repo.id}`;
    let res = await get(`/${repo.id}.git/info/refs?service=git-receive-pack`);
    assert.equal(res.status, 401);
    assert.match(res.headers['www-authenticate'] || '', /^Basic /);
    res = await get(`/${repo.id}.git/info/refs?service=git-receive-pack`,
      { headers: bearer(reader.token) });
    assert.equal(res.status, 403, res.body);
    write(dir, { 'c.txt': 'c\n' });
    const c = commitAll(dir, 'through a helper');
    // git asks for credentials after the 401, from a credential helper
    const helper = join(d, 'helper.sh');
    writeFileSync(helper, `#!/bin/sh\necho username=${u.name}\n`
      + `echo password=${u.token}\n`, { mode: 0o755 });
    let r = git(dir, ['-c', `credential.helper=${helper}`, 'push', plain,
      'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await apiCommits(repo, u.token))[0], c);
    // a read token may not push
    r = git(dir, ['push', withAuth(plain, reader), 'main:other']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /403/);
    // a stranger's private repository: not found
    const priv = await createRepo(u.token, { private: true });
    res = await get(`/${priv.id}.git/info/refs?service=git-receive-pack`,
      { headers: bearer(reader.token) });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-error-code'], 'RepoNotFound');
  });

pushTest('push: atomic with one failing ref changes nothing; a lost race is ng',
  async ({ u, repo, d, url, dir }) => {
    write(dir, { 'one.txt': '1\n' });
    const c1 = commitAll(dir, 'one');
    gitOk(dir, 'push', '-q', 'origin', 'main');
    // the branch moves behind the pusher's back
    await commitOk(u.token, repo, { files: { 'api.txt': 'api\n' } });
    const before = await refs(repo, u.token);
    gitOk(dir, 'branch', 'newb');
    write(dir, { 'two.txt': '2\n' });
    commitAll(dir, 'two');
    // --force sends the old id it saw: the compare-and-set fails
    let r = git(dir, ['push', '--atomic', '--force-with-lease=main:' + c1,
      'origin', 'main', 'newb']);
    assert.notEqual(r.status, 0);
    assert.deepEqual(await refs(repo, u.token), before);
    // not atomic: newb lands, main does not
    r = git(dir, ['push', '--force-with-lease=main:' + c1, 'origin', 'main',
      'newb']);
    assert.notEqual(r.status, 0);
    const after = await refs(repo, u.token);
    assert.equal(after['refs/heads/newb'], c1);
    assert.equal(after['refs/heads/main'], before['refs/heads/main']);
    // by hand, so that the server decides: old ids it does not have
    const body = Buffer.concat([
      pkt(`${c1} ${c1} refs/heads/main\0report-status atomic\n`),
      pkt(`${'0'.repeat(40)} ${c1} refs/heads/fresh\n`), FLUSH,
      emptyPack()]);
    const res = await receivePack(repo, body, u.token);
    assert.equal(res.status, 200);
    assert.match(res.body, /ng refs\/heads\/main/);
    assert.match(res.body, /ng refs\/heads\/fresh atomic push failed/);
    assert.equal((await refs(repo, u.token))['refs/heads/fresh'], undefined);
  });

pushTest('push: an 11 MiB file not in LFS is refused and nothing stored',
  async ({ u, repo, d, url, dir }) => {
    const before = await refs(repo, u.token);
    const big = randomBytes(11 << 20);
    write(dir, { 'model.pkl': big, 'small.txt': 'small\n' });
    commitAll(dir, 'too large');
    const oid = gitOk(dir, 'rev-parse', 'HEAD:model.pkl').trim();
    const r = git(dir, ['push', 'origin', 'main']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Your push was rejected because it contains files larger than 10 MiB/);
    assert.match(r.stderr, /- model\.pkl \(ref: refs\/heads\/main\)/);
    assert.match(r.stderr, /pre-receive hook declined/);
    assert.deepEqual(await refs(repo, u.token), before);
    assert.equal(sql(`SELECT COUNT(*) FROM git_blob WHERE oid = UNHEX('${oid}')`)
      .trim(), '0');
  });

pushTest('push: paths git or the API refuse (.git in any spelling) are refused',
  async ({ u, repo, dir }) => {
    const before = await refs(repo, u.token);
    const blob = git(dir, ['hash-object', '-w', '--stdin'], {}, 'x\n')
      .stdout.trim();
    const head = gitOk(dir, 'rev-parse', 'HEAD').trim();
    for (const [name, why] of [['.Git', /\.git/], ['git~1', /\.git/],
      ['a\\b', /backslash/]]) {
      const inner = git(dir, ['mktree'], {}, `100644 blob ${blob}\tconfig\n`)
        .stdout.trim();
      const top = git(dir, ['mktree'], {}, `040000 tree ${inner}\t${name}\n`
        + `100644 blob ${blob}\tok.txt\n`).stdout.trim();
      assert.match(top, /^[0-9a-f]{40}$/);
      const c = git(dir, ['commit-tree', top, '-p', head, '-m', name]).stdout
        .trim();
      gitOk(dir, 'update-ref', 'refs/heads/main', c);
      const r = git(dir, ['push', 'origin', 'main']);
      assert.notEqual(r.status, 0, name);
      assert.match(r.stderr, /remote unpack failed: tree [0-9a-f]{40}: the name/);
      assert.match(r.stderr, why, r.stderr);
      assert.deepEqual(await refs(repo, u.token), before);
    }
  });

pushTest('push: over the namespace\'s quota is refused, nothing moves',
  async ({ u, repo, dir }) => {
    const before = await refs(repo, u.token);
    const used = Number(/^used_bytes: (\d+)$/m.exec(khubctl('usage',
      u.name))[1]);
    khubctl('quota', 'set', u.name, String(used + 20000));
    try {
      write(dir, { 'q.bin': randomBytes(30000) });
      commitAll(dir, 'over the quota');
      let r = git(dir, ['push', 'origin', 'main']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /quota/i);
      assert.deepEqual(await refs(repo, u.token), before);
      khubctl('quota', 'set', u.name, 'none');
      r = git(dir, ['push', 'origin', 'main']);
      assert.equal(r.status, 0, r.stderr);
    } finally {
      khubctl('quota', 'set', u.name, 'none');
    }
  });

pushTest('push: an LFS pointer needs its object, uploaded for this repository',
  async ({ u, repo, d, url, dir }) => {
    const before = await refs(repo, u.token);
    const sha = randomBytes(32).toString('hex');
    write(dir, { 'w.bin': 'version https://git-lfs.github.com/spec/v1\n'
      + `oid sha256:${sha}\nsize 1234\n` });
    commitAll(dir, 'a pointer to nothing');
    let r = git(dir, ['push', 'origin', 'main']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /LFS object/);
    assert.deepEqual(await refs(repo, u.token), before);
    // once uploaded (the batch API, as git-lfs does), the same push lands
    const data = randomBytes(3000);
    const obj = await upload(repo, u.token, data);
    write(dir, { 'w.bin': 'version https://git-lfs.github.com/spec/v1\n'
      + `oid sha256:${obj.oid}\nsize ${obj.size}\n` });
    gitOk(dir, 'add', '-A');
    gitOk(dir, 'commit', '-q', '--amend', '-m', 'a real pointer');
    const c = gitOk(dir, 'rev-parse', 'HEAD').trim();
    r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await apiCommits(repo, u.token))[0], c);
    const res = await get(`/${repo.id}/resolve/main/w.bin`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 302);
    assert.ok(Buffer.from(await (await fetch(res.headers.location))
      .arrayBuffer()).equals(data));
  });

// ---- by hand ----

function emptyPack() {
  const head = Buffer.from('PACK\0\0\0\x02\0\0\0\0', 'latin1');
  return Buffer.concat([head, createHashSync(head)]);
}
const createHashSync = (b) => createHash('sha1').update(b).digest();
const receivePack = (repo, body, token) => request('POST',
  `/${repo.id}.git/git-receive-pack`, { body, headers: {
    'content-type': 'application/x-git-receive-pack-request',
    ...bearer(token) } });

pushTest('push: a tree naming another repository\'s private blob is refused',
  async ({ u, repo, dir }) => {
    const other = newUser();
    const theirs = await createRepo(other.token, { private: true });
    await commitOk(other.token, theirs, { files: { 's.txt': 'secret!\n' } });
    // a tree and commit naming the blob, packed without it
    const blob = git(dir, ['hash-object', '--stdin'], {}, 'secret!\n')
      .stdout.trim();
    const tree = git(dir, ['mktree', '--missing'], {},
      `100644 blob ${blob}\ts.txt\n`).stdout.trim();
    const parent = gitOk(dir, 'rev-parse', 'HEAD').trim();
    const c = git(dir, ['commit-tree', tree, '-p', parent, '-m', 'steal'])
      .stdout.trim();
    const pack = spawnSync('git', ['pack-objects', '--stdout'], { cwd: dir,
      input: `${c}\n${tree}\n`, env: gitEnv(dir) }).stdout;
    const body = Buffer.concat([pkt(`${parent} ${c} refs/heads/main\0`
      + 'report-status\n'), FLUSH, pack]);
    const res = await receivePack(repo, body, u.token);
    assert.equal(res.status, 200);
    assert.match(res.body, /unpack .*blob [0-9a-f]{40} is neither in the pack nor in this repository/);
    assert.match(res.body, /ng refs\/heads\/main/);
    assert.deepEqual(await apiCommits(repo, u.token), [parent]);
    // malformed bodies: a clear error, nothing moved
    for (const bad of [Buffer.from('zzzz'), pkt('short\n'),
      Buffer.concat([pkt(`${parent} ${c} refs/heads/main\0report-status\n`),
        FLUSH, pack.subarray(0, pack.length - 3)])]) {
      const r = await receivePack(repo, bad, u.token);
      assert.equal(r.status, 200, r.body);
      assert.match(r.body, /ERR |unpack (?!ok)/);
    }
    // the probe git sends before a large push
    const probe = await receivePack(repo, FLUSH, u.token);
    assert.equal(probe.status, 200);
    assert.equal(probe.body, '');
    assert.deepEqual(await apiCommits(repo, u.token), [parent]);
  });

// ROUNDS pushes, each racing an API commit (about 0.5 s a round here).
// Started together the API commit always wins (git push spends its first
// 100 ms or more before its pack), so the API commit starts after a delay
// spread over the last push's whole duration: every order happens, and
// the two often overlap inside the push's compare-and-set.
const ROUNDS = 50;
pushTest('push racing API commits: every acknowledged commit stays in main',
  async ({ u, repo, d, dir }) => {
    const acked = [];
    let pushesLost = 0;
    let apiLost = 0;
    let pushMs = 200;
    for (let round = 0; round < ROUNDS; round++) {
      gitOk(dir, 'pull', '-q', '--rebase', 'origin', 'main');
      write(dir, { [`push-${round}.txt`]: `${round}\n` });
      const c = commitAll(dir, `push ${round}`);
      const delay = Math.floor(((round * 7) % ROUNDS) / ROUNDS * 1.2 * pushMs);
      const t0 = Date.now();
      const [apiRes, pushRes] = await Promise.all([
        new Promise((resolve) => setTimeout(resolve, delay)).then(() =>
          commit(u.token, repo, { files: { [`api-${round}.txt`]: 'x' } })),
        new Promise((resolve) => {
          const child = spawn('git', ['push', '-q', 'origin', 'main'],
            { cwd: dir, env: gitEnv(dir), stdio: 'ignore' });
          child.on('close', (status) => {
            pushMs = Date.now() - t0;
            resolve({ status });
          });
        })]);
      if (apiRes.status === 200) acked.push(apiRes.json.commitOid);
      else apiLost++;
      if (pushRes.status === 0) acked.push(c);
      else pushesLost++;
    }
    // one of the two always lands; a push that lost is told so (ng); both
    // orders happened
    assert.ok(acked.length >= ROUNDS, `${acked.length} acknowledged`);
    assert.ok(pushesLost > 0 && pushesLost < ROUNDS,
      `${pushesLost} of ${ROUNDS} pushes lost: not a race`);
    const history = new Set(await apiCommits(repo, u.token));
    for (const c of acked) assert.ok(history.has(c), `${c} in main`);
    // and as git sees it: each an ancestor of the final main
    const fresh = freshClone(d, withAuth(`${BASE}/${repo.id}`, u), 'f');
    const main = gitOk(fresh, 'rev-parse', 'origin/main').trim();
    for (const c of acked) {
      const r = git(fresh, ['merge-base', '--is-ancestor', c, main]);
      assert.equal(r.status, 0, `${c} is an ancestor of main ${main}`);
    }
    console.log(`  # ${ROUNDS} rounds: ${pushesLost} pushes and ${apiLost} `
      + 'API commits lost their race');
  });

// ---- thin packs: deltas on objects the pack lacks ----

const sha1hex = (...parts) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const objId = (type, data) => sha1hex(`${type} ${data.length}\0`, data);
const pointerText = (oid, size) => 'version https://git-lfs.github.com/spec/'
  + `v1\noid sha256:${oid}\nsize ${size}\n`;
// A tree of [mode, name, hex id] entries, in git's order.
const treeOf = (entries) => Buffer.concat(entries.map(([mode, name, id]) =>
  Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(id, 'hex')])));
const commitText = (tree, parent, msg) => Buffer.from(`tree ${tree}\n`
  + `parent ${parent}\nauthor T <t@example.org> 1700000000 +0000\n`
  + `committer T <t@example.org> 1700000000 +0000\n\n${msg}\n`);
// git's delta (gitformat-pack): the sizes, then ['copy', offset, length]
// and ['insert', bytes] instructions.
function varint(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
function delta(baseLen, resultLen, ops) {
  const parts = [varint(baseLen), varint(resultLen)];
  for (const [op, a, b] of ops) {
    if (op === 'copy') {
      const bytes = [];
      let cmd = 0x80;
      // offset bytes (flags 0x01..0x08), then length bytes (0x10..0x40)
      for (let k = 0; k < 7; k++) {
        const byte = ((k < 4 ? a : b) >>> (8 * (k % 4))) & 0xff;
        if (byte) {
          cmd |= k < 4 ? 1 << k : 0x10 << (k - 4);
          bytes.push(byte);
        }
      }
      parts.push(Buffer.from([cmd, ...bytes]));
    } else {
      for (let i = 0; i < a.length; i += 127)
        parts.push(Buffer.from([Math.min(127, a.length - i)]),
          a.subarray(i, i + 127));
    }
  }
  return Buffer.concat(parts);
}
// base + tail, as a delta on base
const appended = (base, tail) => delta(base.length, base.length + tail.length,
  [['copy', 0, base.length], ['insert', Buffer.from(tail)]]);
const prepended = (base, head) => delta(base.length, base.length + head.length,
  [['insert', Buffer.from(head)], ['copy', 0, base.length]]);
const PACK_TYPES = { commit: 1, tree: 2, blob: 3, tag: 4 };
function objHeader(type, size) {
  const out = [];
  let b = (type << 4) | (size & 15);
  size = Math.floor(size / 16);
  while (size) {
    out.push(b | 0x80);
    b = size & 0x7f;
    size = Math.floor(size / 128);
  }
  out.push(b);
  return Buffer.from(out);
}
function ofsBytes(n) {
  const out = [n & 0x7f];
  n = Math.floor(n / 128);
  while (n) {
    n -= 1;
    out.unshift(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  return Buffer.from(out);
}
// A pack of entries: { type, data }, { ref: hex id, delta } or
// { ofs: index of an earlier entry, delta }.
function makePack(entries) {
  const parts = [];
  const offs = [];
  let off = 12;
  for (const e of entries) {
    offs.push(off);
    const head = e.ref ? Buffer.concat([objHeader(7, e.delta.length),
      Buffer.from(e.ref, 'hex')]) : e.ofs !== undefined ? Buffer.concat([
      objHeader(6, e.delta.length), ofsBytes(off - offs[e.ofs])]) :
      objHeader(PACK_TYPES[e.type], e.data.length);
    const z = deflateSync(e.delta || e.data);
    parts.push(head, z);
    off += head.length + z.length;
  }
  const hdr = Buffer.alloc(12);
  hdr.write('PACK', 0, 'latin1');
  hdr.writeUInt32BE(2, 4);
  hdr.writeUInt32BE(entries.length, 8);
  const body = Buffer.concat([hdr, ...parts]);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
const pushBody = (old, nu, pack, ref = 'refs/heads/main') => Buffer.concat([
  pkt(`${old} ${nu} ${ref}\0report-status\n`), FLUSH, pack]);
const countRows = (table, id) => sql(`SELECT COUNT(*) FROM ${table}`
  + ` WHERE oid = UNHEX('${id}')`).trim();

pushTest('push: a second push is a thin pack (deltas on what khub has), '
  + 'stored whole; a fresh clone has the same ids and bytes',
  async ({ u, repo, d, url, dir }) => {
    const lines = [];
    for (let i = 0; i < 6000; i++)
      lines.push(`line ${i} ${sha1hex(String(i))}\n`);
    const big = Buffer.from(lines.join(''));	// 300 KB: in S3
    const small = Buffer.from(lines.slice(0, 60).join(''));	// in MariaDB
    write(dir, { 'data/big.txt': big, 'small.txt': small });
    const c1 = commitAll(dir, 'big');
    let r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    const big2 = Buffer.from(big);
    big2.write('CHANGED', 100000);
    const small2 = Buffer.from(small);
    small2.write('EDIT', 1000);
    write(dir, { 'data/big.txt': big2, 'small.txt': small2 });
    const c2 = commitAll(dir, 'a few bytes');
    // what git sends for it is thin: its deltas' bases are not in it
    const thin = spawnSync('git', ['pack-objects', '--thin', '--stdout',
      '--revs'], { cwd: dir, input: `${c2}\n^${c1}\n`, env: gitEnv(dir) });
    assert.equal(thin.status, 0, thin.stderr.toString());
    const empty = join(d, 'empty');
    gitOk(d, 'init', '-q', empty);
    const idx = spawnSync('git', ['index-pack', '--stdin'], { cwd: empty,
      input: thin.stdout, env: gitEnv(empty) });
    assert.notEqual(idx.status, 0);
    assert.match(idx.stderr.toString(), /unresolved delta/);
    r = git(dir, ['push', '--progress', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /deltas completed with [1-9]\d* local objects?/);
    // once more: the bases are now objects the last push resolved
    big2.write('AGAIN', 200000);
    write(dir, { 'data/big.txt': big2 });
    const c3 = commitAll(dir, 'again');
    r = git(dir, ['push', '--progress', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /deltas completed with/);
    const fresh = freshClone(d, url, 'fresh');
    assert.equal(gitOk(fresh, 'rev-parse', 'origin/main').trim(), c3);
    assert.deepEqual((await apiCommits(repo, u.token)).slice(0, 3),
      [c3, c2, c1]);
    for (const [path, want] of [['data/big.txt', big2],
      ['small.txt', small2]]) {
      const got = spawnSync('git', ['cat-file', 'blob', `origin/main:${path}`],
        { cwd: fresh, env: gitEnv(fresh) }).stdout;
      assert.ok(got.equals(want), `${path} in the clone`);
      assert.ok((await download(repo, path, { token: u.token })).equals(want),
        `${path} from the API`);
    }
  });

pushTest('push: a thin pack by hand: deltas on this repository\'s blobs '
  + '(small, in S3, an LFS pointer), chains in any order',
  async ({ u, repo, d, url }) => {
    const a = Buffer.from('a small file of this repository\n');
    const b = randomBytes(20000);
    const lfsData = randomBytes(5000);
    const obj = await upload(repo, u.token, lfsData);
    const parent = await commitOk(u.token, repo, { files: { 'a.txt': a,
      'b.bin': b }, lfs: [{ path: 'w.bin', oid: obj.oid, size: obj.size }] });
    const ptr = Buffer.from(pointerText(obj.oid, obj.size));
    // A = a + more (on a); C = A + !! (on A, before it in the pack); D on C
    // by offset; B = x + b (on b); N = note: + the pointer (on it)
    const A = Buffer.concat([a, Buffer.from('more\n')]);
    const C = Buffer.concat([A, Buffer.from('!!\n')]);
    const D = Buffer.concat([C, Buffer.from('dd\n')]);
    const B = Buffer.concat([Buffer.from('x'), b]);
    const N = Buffer.concat([Buffer.from('note: '), ptr]);
    const ids = Object.fromEntries(Object.entries({ A, B, C, D, N })
      .map(([k, v]) => [k, objId('blob', v)]));
    const tree = treeOf([['100644', 'a.txt', ids.A], ['100644', 'b.bin', ids.B],
      ['100644', 'c.txt', ids.C], ['100644', 'd.txt', ids.D],
      ['100644', 'n.txt', ids.N], ['100644', 'w.bin', objId('blob', ptr)]]);
    const treeId = objId('tree', tree);
    const ct = commitText(treeId, parent, 'thin by hand');
    const c = objId('commit', ct);
    const pack = makePack([{ type: 'commit', data: ct },
      { type: 'tree', data: tree },
      { ref: ids.A, delta: appended(A, '!!\n') },
      { ofs: 2, delta: appended(C, 'dd\n') },
      { ref: objId('blob', a), delta: appended(a, 'more\n') },
      { ref: objId('blob', b), delta: prepended(b, 'x') },
      { ref: objId('blob', ptr), delta: prepended(ptr, 'note: ') }]);
    const res = await receivePack(repo, pushBody(parent, c, pack), u.token);
    assert.equal(res.status, 200);
    assert.match(res.body, /unpack ok/, res.body);
    assert.match(res.body, /ok refs\/heads\/main/, res.body);
    const fresh = freshClone(d, url, 'fresh');
    assert.equal(gitOk(fresh, 'rev-parse', 'origin/main').trim(), c);
    for (const [path, want] of [['a.txt', A], ['b.bin', B], ['c.txt', C],
      ['d.txt', D], ['n.txt', N]]) {
      const got = spawnSync('git', ['cat-file', 'blob', `origin/main:${path}`],
        { cwd: fresh, env: gitEnv(fresh) }).stdout;
      assert.ok(got.equals(want), path);
    }
    assert.ok((await download(repo, 'd.txt', { token: u.token })).equals(D));
    assert.ok((await download(repo, 'w.bin', { token: u.token }))
      .equals(lfsData));
    // a tree as a delta on the root tree of the commit it stands on
    const tree2 = Buffer.concat([tree, treeOf([['100644', 'z.txt', ids.A]])]);
    const ct2 = commitText(objId('tree', tree2), c, 'a tree delta');
    const c2 = objId('commit', ct2);
    const res2 = await receivePack(repo, pushBody(c, c2, makePack([
      { type: 'commit', data: ct2 }, { ref: treeId, delta: appended(tree,
        treeOf([['100644', 'z.txt', ids.A]])) }])), u.token);
    assert.match(res2.body, /unpack ok/, res2.body);
    assert.match(res2.body, /ok refs\/heads\/main/, res2.body);
    gitOk(fresh, 'fetch', '-q', 'origin');
    gitOk(fresh, 'fsck', '--strict');
    assert.equal(gitOk(fresh, 'rev-parse', 'origin/main^{tree}').trim(),
      objId('tree', tree2));
    assert.ok((await download(repo, 'z.txt', { token: u.token })).equals(A));
  });

pushTest('push: a delta on another repository\'s private object is refused '
  + 'as one on a missing object; malformed deltas are refused; nothing lands',
  async ({ u, repo }) => {
    const other = newUser();
    const theirs = await createRepo(other.token, { private: true });
    const secret = Buffer.from(`secret ${randomBytes(8).toString('hex')}\n`);
    await commitOk(other.token, theirs, { files: { 's.txt': secret } });
    const secretId = objId('blob', secret);
    const theirTree = objId('tree', treeOf([['100644', 's.txt', secretId]]));
    const mine = Buffer.from('mine, in this repository\n');
    const parent = await commitOk(u.token, repo, { files: { 'm.txt': mine } });
    // a blob as a delta on base, in a commit on main; the answer
    async function pushDelta(base, d, result) {
      const tree = treeOf([['100644', 'x.txt', objId('blob', result)]]);
      const ct = commitText(objId('tree', tree), parent, 'thin');
      const pack = makePack([{ type: 'commit', data: ct },
        { type: 'tree', data: tree }, { ref: base, delta: d }]);
      const res = await receivePack(repo, pushBody(parent,
        objId('commit', ct), pack), u.token);
      assert.equal(res.status, 200);
      assert.match(res.body, /ng refs\/heads\/main/, res.body);
      assert.equal(countRows('git_blob', objId('blob', result)), '0');
      assert.equal(countRows('git_commit', objId('commit', ct)), '0');
      return res.body;
    }
    const stolen = Buffer.concat([secret, Buffer.from('x')]);
    const theirs1 = await pushDelta(secretId, appended(secret, 'x'), stolen);
    assert.match(theirs1, new RegExp(`unpack pack: delta base ${secretId} is `
      + 'neither in the pack nor in this repository'));
    // word for word what a base nobody has gets
    const nobody = randomBytes(20).toString('hex');
    const none = await pushDelta(nobody, appended(secret, 'x'), stolen);
    assert.equal(none.replace(nobody, 'X'), theirs1.replace(secretId, 'X'));
    // their tree as the base of a tree
    const t2 = treeOf([['100644', 's.txt', secretId], ['100644', 't.txt',
      objId('blob', mine)]]);
    const ct = commitText(objId('tree', t2), parent, 'their tree');
    const tp = makePack([{ type: 'commit', data: ct }, { ref: theirTree,
      delta: appended(treeOf([['100644', 's.txt', secretId]]),
        treeOf([['100644', 't.txt', objId('blob', mine)]])) }]);
    const tr = await receivePack(repo, pushBody(parent, objId('commit', ct),
      tp), u.token);
    assert.match(tr.body, new RegExp(`unpack pack: delta base ${theirTree} is `
      + 'neither in the pack nor in this repository'), tr.body);
    // malformed deltas on a base this repository has
    const m = objId('blob', mine);
    const bad = Buffer.concat([mine, Buffer.from('x')]);
    for (const [d, why] of [
      [delta(mine.length, bad.length, [['copy', 0, mine.length + 1]]),
        /copies from outside its base/],
      [delta(mine.length + 1, bad.length, [['copy', 0, mine.length],
        ['insert', Buffer.from('x')]]), /base has another size/],
      [delta(mine.length, bad.length + 5, [['copy', 0, mine.length],
        ['insert', Buffer.from('x')]]), /shorter than announced/],
      [appended(mine, 'x').subarray(0, 4), /truncated|shorter/],
      // a result past the push's memory bound (1 GiB), refused before it
      // is made
      [delta(mine.length, 2 ** 31, [['copy', 0, mine.length]]),
        /larger than khub takes/]]) {
      const body = await pushDelta(m, d, bad);
      assert.match(body, /unpack pack: /);
      assert.match(body, why);
    }
    assert.deepEqual((await apiCommits(repo, u.token))[0], parent);
  });

pushTest('push: tags of tags come back with their ids; git and the API peel '
  + 'them to the commit; chains are bounded and must be this repository\'s',
  async ({ u, repo, d, url, dir }) => {
    write(dir, { 't.txt': 't\n' });
    const c = commitAll(dir, 'tagged');
    let r = git(dir, ['push', 'origin', 'main']);
    assert.equal(r.status, 0, r.stderr);
    const tree = gitOk(dir, 'rev-parse', 'HEAD^{tree}').trim();
    const t1 = tagOf(dir, 't1', c, 'commit');
    const t2 = tagOf(dir, 't2', t1, 'tag');
    const t3 = tagOf(dir, 't3', t2, 'tag');
    const tt = tagOf(dir, 'ttree', tree, 'tree');
    const ttt = tagOf(dir, 'tttree', tt, 'tag');
    r = git(dir, ['push', 'origin', 't1', 't2', 't3', 'ttree', 'tttree']);
    assert.equal(r.status, 0, r.stderr);
    // git sees each tag and, peeled, what the chain ends at (v2 and v0)
    for (const v of ['2', '0']) {
      const ls = gitOk(dir, '-c', `protocol.version=${v}`, 'ls-remote',
        'origin', 'refs/tags/*');
      for (const [name, id, end] of [['t1', t1, c], ['t2', t2, c],
        ['t3', t3, c], ['tttree', ttt, tree]]) {
        assert.match(ls, new RegExp(`^${id}\trefs/tags/${name}$`, 'm'));
        assert.match(ls, new RegExp(`^${end}\trefs/tags/${name}\\^\\{\\}$`,
          'm'), `${name} peeled (v${v})`);
      }
    }
    // the API lists a tag of a tag of a commit by its commit (as
    // huggingface.co lists tags), and resolves it; a chain to a tree is
    // git's only, as a tag of a tree
    const got = await refs(repo, u.token);
    assert.equal(got['refs/tags/t2'], c);
    assert.equal(got['refs/tags/t3'], c);
    assert.equal(got['refs/tags/tttree'], undefined);
    const res = await get(`/${repo.id}/resolve/t3/t.txt`,
      { headers: bearer(u.token) });
    assert.equal(res.status, 302, res.body);
    // fresh clones (v2 and v0): every tag byte for byte
    for (const v of ['2', '0']) {
      const fresh = join(d, `fresh${v}`);
      gitOk(d, '-c', `protocol.version=${v}`, 'clone', '-q', url, fresh);
      gitOk(fresh, 'fsck', '--strict');
      for (const name of ['t1', 't2', 't3', 'ttree', 'tttree'])
        assert.equal(gitOk(fresh, 'cat-file', 'tag', name),
          gitOk(dir, 'cat-file', 'tag', name), name);
      assert.equal(gitOk(fresh, 'rev-parse', 't3^{}').trim(), c);
    }
    // a tag of a tag khub has (the pack brings only it); then, once no ref
    // names t1, a tag of t1, which t2's chain still holds
    const t4 = tagOf(dir, 't4', t2, 'tag');
    r = git(dir, ['push', 'origin', 't4']);
    assert.equal(r.status, 0, r.stderr);
    r = git(dir, ['push', 'origin', ':refs/tags/t1']);
    assert.equal(r.status, 0, r.stderr);
    const t5 = tagOf(dir, 't5', t1, 'tag');
    r = git(dir, ['push', 'origin', 't5']);
    assert.equal(r.status, 0, r.stderr);
    const fresh = join(d, 'fresh2');
    gitOk(fresh, 'fetch', '-q', '--tags', 'origin');
    gitOk(fresh, 'fsck', '--strict');
    assert.equal(gitOk(fresh, 'rev-parse', 't4').trim(), t4);
    assert.equal(gitOk(fresh, 'rev-parse', 't5').trim(), t5);
    assert.equal((await refs(repo, u.token))['refs/tags/t5'], c);
    // a chain of eleven tags is refused, nothing moves
    let x = c;
    for (let i = 0; i < 11; i++)
      x = tagOf(dir, `deep${i}`, x, i ? 'tag' : 'commit');
    r = git(dir, ['push', 'origin', 'deep10']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /a chain of more than 10 tags/);
    assert.equal((await refs(repo, u.token))['refs/tags/deep10'], undefined);
    // ten are taken
    r = git(dir, ['push', 'origin', 'deep9']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await refs(repo, u.token))['refs/tags/deep9'], c);
    gitOk(fresh, 'fetch', '-q', '--tags', 'origin');
    gitOk(fresh, 'fsck', '--strict');
    assert.equal(gitOk(fresh, 'rev-parse', 'deep9^{}').trim(), c);
    // a tag of another repository's private tag: refused as a missing one
    const other = newUser();
    const theirs = await createRepo(other.token, { private: true });
    const od = join(d, 'theirs');
    gitOk(d, 'clone', '-q', withAuth(`${BASE}/${theirs.id}`, other), od);
    const theirTag = tagOf(od, 'secret', gitOk(od, 'rev-parse', 'HEAD').trim(),
      'commit');
    gitOk(od, 'push', '-q', 'origin', 'secret');
    const text = Buffer.from(`object ${theirTag}\ntype tag\ntag steal\n`
      + 'tagger T <t@example.org> 1700000000 +0000\n\nsteal\n');
    const steal = objId('tag', text);
    const rp = await receivePack(repo, pushBody('0'.repeat(40), steal,
      makePack([{ type: 'tag', data: text }]), 'refs/tags/steal'), u.token);
    assert.match(rp.body, new RegExp(`unpack tag ${theirTag} is neither in `
      + 'the pack nor in this repository'), rp.body);
    assert.equal(countRows('git_tag', steal), '0');
  });
