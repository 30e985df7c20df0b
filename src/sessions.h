/*
 * sessions.h: browser sessions, the same rules for every front door (the
 * Authentication API, the login form). A session id is 32 random bytes,
 * given to the browser once (the session_id cookie, SESSION_LEN hex
 * digits) and stored only as its SHA-256 (auth.c looks it up).
 * Functions return 0, or -1 with *e filled (kerr.h); none answers.
 */
#ifndef KHUB_SESSIONS_H
#define KHUB_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "kerr.h"
#include "secrets.h"

/* How long a session lasts (the statement says it too), and its cookie. */
#define SESSION_DAYS		30

struct session_user {
	int64_t		 id;
	char		*name, *fullname, *email;	/* email may be NULL */
	int64_t		 created_ms;
};

/*
 * Logs in login (a user name, or an e-mail address when it holds '@')
 * with password: a new session into sid[SESSION_LEN + 1] and its user
 * into *u. A wrong password and an unknown user fail alike (401
 * Unauthorized, after the same work and no sooner than a fixed delay
 * from the start); a disabled account, only for who knows its password
 * (403 Forbidden).
 */
int	 session_login(struct db *, struct arena *, const char *login,
	    const char *password, char sid[SESSION_LEN + 1],
	    struct session_user *u, struct kerr *e);
/* Ends the session whose id is sid[0..len) (none: nothing to do). */
int	 session_end(struct db *, struct arena *, const char *sid, size_t len,
	    struct kerr *e);

#endif
