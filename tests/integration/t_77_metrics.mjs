// t_77_metrics.mjs: GET /metrics in Prometheus text format, summed over
// the stack's workers (each counts into its slot of a shared file): a known
// number of requests moves the counters by exactly that, whichever worker
// answered; LFS bytes verified and request body bytes likewise. A stranger's
// address is refused (t_80 sends one over FastCGI); loopback may scrape.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createRepo, get, newUser, post, test, upload,
} from './lib.mjs';

// name{labels} -> value, from one scrape.
async function scrape() {
  const res = await get('/metrics');
  assert.equal(res.status, 200, res.body);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const m = new Map();
  for (const line of res.body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}
const val = (m, k) => m.get(k) || 0;
const ROUTE = '/api/{type}/{id}';

test('metrics: counters move by exactly the requests made, across workers',
  async () => {
    const before = await scrape();
    for (let i = 0; i < 7; i++)
      assert.equal((await get(`/api/models/nobody/nothing-${i}`)).status, 401);
    for (let i = 0; i < 5; i++)
      assert.equal((await get('/api/health')).status, 200);
    const after = await scrape();
    const d = (k) => val(after, k) - val(before, k);
    assert.equal(d(`khub_requests_total{route="${ROUTE}",code="4xx"}`), 7);
    assert.equal(d('khub_requests_total{route="/api/health",code="2xx"}'), 5);
    assert.equal(d(`khub_request_duration_seconds_count{route="${ROUTE}"}`),
      7);
    assert.equal(d(`khub_request_duration_seconds_bucket{route="${ROUTE}",`
      + 'le="+Inf"}'), 7);
    // the scrape before this one is counted too
    assert.equal(d('khub_requests_total{route="/metrics",code="2xx"}'), 1);
    assert.ok(d('khub_db_queries_total') >= 7, 'a query per repo lookup');
    assert.ok(d('khub_s3_requests_total') >= 5, 'health asks S3');
    assert.equal(val(after, 'khub_workers'), 2, 'both workers have a slot');
    assert.ok(val(after, 'khub_worker_starts_total') >= 2);
  });

test('metrics: LFS bytes verified and request body bytes, exactly', async () => {
  const u = newUser();
  const repo = await createRepo(u.token);
  const data = randomBytes(12345);
  const before = await scrape();
  await upload(repo, u.token, data);
  const body = JSON.stringify({ files: [{ path: 'a.txt', size: 3,
    sample: Buffer.from('abc').toString('base64') }] });
  const res = await post(`/api/models/${repo.id}/preupload/main`, body,
    u.token);
  assert.equal(res.status, 200, res.body);
  const after = await scrape();
  assert.equal(val(after, 'khub_lfs_verified_bytes_total')
    - val(before, 'khub_lfs_verified_bytes_total'), data.length);
  const bodies = val(after, 'khub_request_body_bytes_total')
    - val(before, 'khub_request_body_bytes_total');
  // the preupload body, plus the batch and verify bodies of the upload
  assert.ok(bodies >= body.length && bodies < body.length + 4096,
    `body bytes ${bodies}`);
});
