// t_20_process.mjs: khub.fcgi as a process: start-up with a bad
// configuration, its own prefork pool, migrations, and memory over
// 100,000 requests.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  mkdtempSync, readFileSync, renameSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import {
  ASAN, BASE, BUILD, CONFIG, STACK, bearer, get, khubctlRaw, newUser, sql,
  test, waitFor,
} from './lib.mjs';

const tmp = mkdtempSync(`${tmpdir()}/khub-test-`);
const goodConf = readFileSync(CONFIG, 'utf8');

// Starts khub.fcgi with conf text; returns {status, stderr} once it exits
// (a bad configuration must stop it at once).
function startWith(text) {
  const path = `${tmp}/bad.conf`;
  writeFileSync(path, text);
  return spawnSync(`${BUILD}/khub.fcgi`, ['--listen', '127.0.0.1:0'],
    { env: { ...process.env, KHUB_CONFIG: path }, encoding: 'utf8',
      timeout: 10000 });
}

test('a wrong configuration stops start-up with one line naming it', () => {
  const cases = [
    [goodConf.replace(/^name\s*=.*$/m, ''), /missing setting database\.name/],
    [`${goodConf}\n[server]\nlfs_treshold = 1\n`,
      /unknown setting 'lfs_treshold' in \[server\]/],
    [goodConf.replace(/^\[server\]$/m, '[server]\npresign_lifetime = soon'),
      /server\.presign_lifetime must be a whole number/],
    [goodConf.replace(/^endpoint\s*=.*$/m, 'endpoint = 127.0.0.1:1'),
      /s3\.endpoint must start with http/],
  ];
  for (const [text, re] of cases) {
    const r = startWith(text);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const r = spawnSync(`${BUILD}/khub.fcgi`, ['--listen', '127.0.0.1:0'],
    { env: { ...process.env, KHUB_CONFIG: `${tmp}/none.conf` },
      encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /none\.conf: cannot open configuration/);
});

// One FastCGI request to addr with cgi-fcgi; returns its raw answer.
function fcgi(addr, uri, headers = {}) {
  const env = { ...process.env, REQUEST_METHOD: 'GET', REQUEST_URI: uri,
    SERVER_NAME: '127.0.0.1', SERVER_PORT: '80' };
  for (const [k, v] of Object.entries(headers))
    env[`HTTP_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  return execFileSync('cgi-fcgi', ['-bind', '-connect', addr],
    { env, encoding: 'utf8', timeout: 10000 });
}

function childrenOf(pid) {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)],
    { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter(Boolean)
    .map(Number);
}

test('standalone pool: --listen --workers, restarts a dead worker, stops '
  + 'cleanly on SIGTERM', async () => {
  const port = Number(new URL(BASE).port) + 5;
  const addr = `127.0.0.1:${port}`;
  // its own access log, to see SIGHUP reach the workers
  const accessLog = `${tmp}/pool-access.log`;
  const poolConf = `${tmp}/pool.conf`;
  writeFileSync(poolConf, goodConf.replace(/^access_log *=.*$/m, '')
    .replace(/^\[server\]$/m, `[server]\naccess_log = ${accessLog}\n`
      + `metrics_file = ${tmp}/metrics`));
  const master = spawn(`${BUILD}/khub.fcgi`,
    ['--listen', addr, '--workers', '3'],
    { env: { ...process.env, KHUB_CONFIG: poolConf }, stdio: 'ignore' });
  const exited = new Promise((r) => master.on('exit', (code, sig) =>
    r({ code, sig })));
  try {
    assert.ok(await waitFor(() => childrenOf(master.pid).length === 3, 20));
    const u = newUser();
    const out = fcgi(addr, '/api/whoami-v2',
      { authorization: `Bearer ${u.token}` });
    assert.match(out, /^Status: 200 OK\r\n/);
    assert.ok(out.includes(`"name":"${u.name}"`));
    assert.match(fcgi(addr, '/api/health'), /^Status: 200 OK/);
    assert.match(fcgi(addr, '/refs%2Fpr%2F1%zz'), /^Status: 400/);

    // logrotate: the file moves, SIGHUP to the master, every worker writes
    // the new one; nobody died of the signal
    const before = childrenOf(master.pid).sort();
    assert.ok(readFileSync(accessLog, 'utf8').includes('"route":"/api/health"'));
    renameSync(accessLog, `${accessLog}.1`);
    master.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 30; i++) fcgi(addr, '/api/health');
    const lines = readFileSync(accessLog, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 30, 'every request of every worker in the '
      + 'new file');
    assert.deepEqual(childrenOf(master.pid).sort(), before);

    const [victim] = childrenOf(master.pid);
    process.kill(victim, 'SIGKILL');
    assert.ok(await waitFor(() => {
      const kids = childrenOf(master.pid);
      return kids.length === 3 && !kids.includes(victim);
    }, 20), 'the master replaced the dead worker');
    assert.match(fcgi(addr, '/api/health'), /^Status: 200 OK/);

    const workers = childrenOf(master.pid);
    master.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0, 'the master exits 0');
    for (const w of workers)
      assert.throws(() => process.kill(w, 0), 'worker stopped');
  } finally {
    // Whatever failed above: no worker may outlive the test and keep the
    // port (contrib/dev/frontends takes it next).
    let kids = [];
    try { kids = childrenOf(master.pid); } catch { /* none */ }
    for (const pid of [master.pid, ...kids])
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

test('migrate is idempotent and refuses a newer database', () => {
  let r = khubctlRaw(['migrate']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /applied/);
  assert.match(r.stdout, /schema at version \d+/);
  sql("INSERT INTO schema_version (version, name) VALUES (9999, 'future')");
  try {
    r = khubctlRaw(['migrate']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /version 9999, newer than this khub knows/);
  } finally {
    sql('DELETE FROM schema_version WHERE version = 9999');
  }
});

test('migrate applies a migration missing below the newest applied one',
  () => {
    // Migrations are numbered on branches: a database may have 007 and
    // not 006. 005 (an INSERT IGNORE) stands for the missing one here.
    const name = sql('SELECT name FROM schema_version WHERE version = 5')
      .trim();
    assert.equal(name, 'canonical');
    sql('DELETE FROM schema_version WHERE version = 5');
    const r = khubctlRaw(['migrate']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /applied 005-canonical/);
    assert.doesNotMatch(r.stdout, /applied 00[^5]/);
    assert.equal(sql('SELECT name FROM schema_version WHERE version = 5')
      .trim(), 'canonical');
  });

test('khubctl refuses bad input with a clear message', () => {
  const u = newUser();
  const cases = [
    [['user', 'add', 'bad name'], /may hold only letters/],
    [['user', 'add', u.name], /already exists/],
    [['user', 'add', u.name.toUpperCase()], /already exists/],
    [['token', 'add', 'nobody-here'], /no user named 'nobody-here'/],
    [['token', 'add', u.name, '--role', 'admin'], /--role must be read or write/],
    [['org', 'add', 'x-org-1'], /needs --owner/],
    [['org', 'member', 'no-org', u.name, '--role', 'read'],
      /no organization named 'no-org'/],
    [['user', 'add', 'pw-user-x', '--password-stdin'], /at least 8/, 'short\n'],
    [['frobnicate'], /usage/],
  ];
  for (const [args, re, input] of cases) {
    const r = khubctlRaw(args, input);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  const r = khubctlRaw(['user', 'add', `${u.name}-pw`, '--password-stdin'],
    'correct horse battery\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(sql(`SELECT password_hash FROM namespace
    WHERE name = '${u.name}-pw'`), /^\$argon2id\$/);
});

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

test('a worker\'s memory does not grow over 100,000 requests', async () => {
  const u = newUser();
  const lpid = Number(readFileSync(`${STACK}/lighttpd/lighttpd.pid`, 'utf8'));
  const workers = childrenOf(lpid);
  assert.ok(workers.length >= 1, 'lighttpd has khub.fcgi workers');
  const total = ASAN ? 20000 : 100000;
  const ab = (n) => execFileSync('ab', ['-q', '-k', '-n', String(n), '-c', '4',
    '-H', `Authorization: Bearer ${u.token}`, `${BASE}/api/whoami-v2`],
  { encoding: 'utf8', maxBuffer: 1 << 24 });
  ab(5000);                            // warm up: connections, caches
  const before = workers.map(rssKiB);
  const out = ab(total);
  const after = workers.map(rssKiB);
  assert.match(out, /Non-2xx responses|Failed requests:\s+0/);
  assert.doesNotMatch(out, /Non-2xx responses/);
  const growth = after.map((a, i) => a - before[i]);
  console.log(`  # RSS KiB before ${before.join(',')} after ${after.join(',')}`
    + ` (${total} requests over ${workers.length} workers)`);
  // ASan keeps freed memory in quarantine: only the plain build measures.
  if (!ASAN)
    for (const g of growth) assert.ok(g < 256, `worker grew ${g} KiB`);
});
