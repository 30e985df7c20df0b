// t_61_transformers.mjs: transformers.js (@huggingface/transformers from
// npm, unchanged) loads tokenizers from khub with from_pretrained, as it
// does from the Hub: env.remoteHost pointing at khub, anonymous plain GETs of
// {model}/resolve/{revision}/{file}, following the 302 to S3. The
// tokenizers are tiny WordLevel ones written here and committed through the
// API; encode() must give the ids of the vocabulary of the revision asked.
//
// transformers.js comes from tests/integration/node_modules (tests/run runs
// `npm install --ignore-scripts` there); it is imported lazily so that a
// missing install fails these tests, not the whole suite.
import assert from 'node:assert/strict';
import {
  BASE, commitOk, createRepo, newUser, post, request, test, tokenizerFiles,
} from './lib.mjs';

let tf;
const seen = [];	// every request transformers.js made, for failures

async function transformers() {
  if (tf) return tf;
  try {
    tf = await import('@huggingface/transformers');
  } catch (e) {
    throw new Error('@huggingface/transformers is not installed: run `npm '
      + 'install --ignore-scripts` in tests/integration (' + e.message + ')');
  }
  const { env } = tf;
  env.remoteHost = `${BASE}/`;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  // every load goes to the server: no file cache across runs
  env.useFSCache = false;
  env.useBrowserCache = false;
  // the library's own fetch, traced: method, URL, status, error headers
  const base = env.fetch;
  env.fetch = async (url, init) => {
    let res;
    try {
      res = await base(url, init);
    } catch (e) {
      seen.push(`GET ${url} -> ${e.cause?.code || e.message}`);
      throw e;
    }
    let line = `GET ${url} -> ${res.status}`;
    if (res.redirected) line += ` (redirected to ${res.url.split('?')[0]})`;
    for (const h of ['x-error-code', 'x-error-message'])
      if (res.headers.get(h)) line += ` ${h}: ${res.headers.get(h)}`;
    seen.push(line);
    return res;
  };
  return tf;
}

// from_pretrained, its failure saying what the server answered.
async function load(id, opts = {}) {
  const { AutoTokenizer } = await transformers();
  const from = seen.length;
  try {
    return await AutoTokenizer.from_pretrained(id, opts);
  } catch (e) {
    throw new Error(`AutoTokenizer.from_pretrained(${id}, `
      + `${JSON.stringify(opts)}) failed: ${e && e.message}\n  requests:\n    `
      + seen.slice(from).join('\n    '), { cause: e });
  }
}

const S = {};

test('transformers.js: AutoTokenizer.from_pretrained from khub, main',
  async () => {
    const u = newUser();
    const repo = await createRepo(u.token);
    S.user = u;
    S.repo = repo;
    S.c1 = await commitOk(u.token, repo, {
      files: tokenizerFiles(['hello', 'world']), summary: 'tokenizer v1' });
    const tok = await load(repo.id);
    assert.deepEqual(tok.encode('hello world', { add_special_tokens: false }),
      [1, 2]);
    assert.deepEqual(tok.encode('world hello there'), [2, 1, 0]);
    assert.equal(tok.decode([1, 2]), 'hello world');
    // it asked khub, anonymously, for the two files at main
    for (const f of ['tokenizer.json', 'tokenizer_config.json'])
      assert.ok(seen.some((l) => l.startsWith(
        `GET ${BASE}/${repo.id}/resolve/main/${f} -> 200`)),
      `${f} fetched:\n${seen.join('\n')}`);
  });

test('transformers.js: a branch, a tag and a commit id with another '
  + 'vocabulary', async () => {
  if (!S.repo) throw new Error('skipped: the first test made no repo');
  const { user: u, repo } = S;
  let res = await post(`/api/models/${repo.id}/branch/dev`, {}, u.token);
  assert.equal(res.status, 200, res.body);
  // dev: other ids for the same words, and one more word
  const c2 = await commitOk(u.token, repo, { branch: 'dev',
    files: tokenizerFiles(['world', 'there', 'hello']),
    summary: 'tokenizer v2' });
  res = await post(`/api/models/${repo.id}/tag/dev`, { tag: 'v2' }, u.token);
  assert.equal(res.status, 200, res.body);
  // main moves on too, so that main, dev and the tag all differ from c1
  await commitOk(u.token, repo, {
    files: tokenizerFiles(['x', 'y', 'hello', 'world']),
    summary: 'tokenizer v3' });

  const cases = [
    ['dev', [3, 1]], ['v2', [3, 1]], [c2, [3, 1]], [c2.slice(0, 7), [3, 1]],
    [S.c1, [1, 2]],
  ];
  for (const [revision, ids] of cases) {
    const tok = await load(repo.id, { revision });
    assert.deepEqual(tok.encode('hello world', { add_special_tokens: false }),
      ids, `encode at ${revision}`);
  }
  const dev = await load(repo.id, { revision: 'dev' });
  assert.deepEqual(dev.encode('there hello'), [2, 3]);
  // main again, now at its newest commit: no stale answer
  const head = await load(repo.id, { revision: 'main' });
  assert.deepEqual(head.encode('hello world', { add_special_tokens: false }),
    [3, 4], 'encode at main after a new commit');
});

test('transformers.js: a private repo, a repo without a tokenizer, a missing '
  + 'revision: each fails and the trace says why', async () => {
  const u = S.user || newUser();
  // a private repo: transformers.js sends no token to a non-HF host
  const priv = await createRepo(u.token, { private: true });
  await commitOk(u.token, priv, { files: tokenizerFiles(['a']) });
  await assert.rejects(load(priv.id), (e) => {
    assert.match(e.message, /tokenizer/);
    assert.match(e.message, /x-error-code: RepoNotFound/,
      'the trace shows the server said RepoNotFound');
    return true;
  });
  // a repo without a tokenizer
  const empty = await createRepo(u.token);
  await assert.rejects(load(empty.id), (e) => {
    assert.match(e.message, /x-error-code: EntryNotFound/);
    return true;
  });
  // a missing revision
  if (S.repo)
    await assert.rejects(load(S.repo.id, { revision: 'no-such-branch' }),
      (e) => {
        assert.match(e.message, /x-error-code: RevisionNotFound/);
        return true;
      });
  // the resolve URL itself, anonymously, as transformers.js probes it
  if (S.repo) {
    const res = await request('GET',
      `/${S.repo.id}/resolve/main/tokenizer.json`,
      { headers: { range: 'bytes=0-0' } });
    assert.equal(res.status, 302, res.body);
  }
});
