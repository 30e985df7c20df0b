/*
 * kerr.h: the error of domain code that answers nothing itself. It holds
 * what a front door needs to say "no" its own way: the HTTP status the API
 * answers with, the Hub's error code (X-Error-Code), and a message. The
 * API maps it with resp_kerr(); khubctl prints the message.
 */
#ifndef KHUB_KERR_H
#define KHUB_KERR_H

struct db;

#include <stdbool.h>

struct kerr {
	int		 status;	/* 400, 404, 409, 500, 503 ... */
	const char	*code;		/* "BadRequest", "NotFound" ... */
	char		 msg[256];
	bool		 hidden;	/* msg names internals: logs only */
};

/* Fills e (a message the caller may see) and returns -1, so that
 * `return kerr_set(...)` fails a call. */
int	kerr_set(struct kerr *e, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A database failure: 503 when it is unreachable, else 500, with the
 * detail in the message, hidden (khubctl shows it; the API logs it). -1. */
int	kerr_db(struct kerr *e, struct db *db);

#endif
