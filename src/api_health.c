/*
 * api_health.c: for load balancers and operators: GET /api/health (is the
 * database reachable, is the bucket reachable, and if not, which) and
 * GET /metrics (Prometheus).
 */
#include "api.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "metrics.h"
#include "router.h"
#include "s3.h"

void
api_health(struct req *r)
{
	char s3err[256];
	int dbok, s3ok;
	json_object *o;

	dbok = db_ping(r->hub->db) == 0;
	s3ok = s3_check(r->hub->s3, s3err, sizeof(s3err)) == 0;
	if (!dbok || !s3ok) {
		resp_error(r, 503, "ServiceUnavailable", "%s%s%s%s%s",
		    dbok ? "" : "database unavailable: ",
		    dbok ? "" : db_error(r->hub->db),
		    !dbok && !s3ok ? "; " : "",
		    s3ok ? "" : "S3 unavailable: ", s3ok ? "" : s3err);
		return;
	}
	o = jobj();
	jset(o, "status", jstr("ok"));
	jset(o, "database", jstr("ok"));
	jset(o, "s3", jstr("ok"));
	resp_json(r, 200, o);
}

/* The scraper: from [server] metrics_allow, or with metrics_token. */
static bool
metrics_caller(struct req *r)
{
	return req_from(r, r->hub->conf.metrics_allow) ||
	    req_bearer_is(r, r->hub->conf.metrics_token);
}

void
api_metrics(struct req *r)
{
	const char *names[METRICS_ROUTES] = { NULL };
	struct buf b;

	if (!metrics_caller(r)) {
		resp_error(r, 403, "Forbidden", "Metrics are for the addresses "
		    "in metrics_allow or the metrics_token");
		return;
	}
	router_patterns(names, METRICS_ROUTES - 1);
	buf_init(&b, r->a);
	if (metrics_render(&b, names, METRICS_ROUTES) != 0) {
		resp_error(r, 503, "ServiceUnavailable", "Metrics are off: "
		    "this worker has no slot in the metrics file (see the log)");
		return;
	}
	resp_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data,
	    b.len);
}
