/*
 * api_health.c: GET /api/health for load balancers and operators: is the
 * database reachable, is the bucket reachable, and if not, which.
 */
#include "api.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
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
