/*
 * kerr.c: filling the domain error (kerr.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "db.h"
#include "kerr.h"

int
kerr_set(struct kerr *e, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	e->code = code;
	e->hidden = false;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
kerr_db(struct kerr *e, struct db *db)
{
	kerr_set(e, db_unavailable(db) ? 503 : 500, db_unavailable(db) ?
	    "ServiceUnavailable" : "InternalError", "database: %s",
	    db_error(db));
	e->hidden = true;
	return -1;
}
