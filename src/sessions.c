/*
 * sessions.c: logging in and out (sessions.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sessions.h"

/* A failed login answers no sooner than this after it began, so that
 * neither the user's existence nor the work done shows in the timing. */
#define LOGIN_FAIL_MS		400

static const struct db_stmt SQL_LOGIN_NAME = DB_READ("s", "issssii",
    "SELECT id, name, fullname, email, password_hash, disabled,"
    " FLOOR(UNIX_TIMESTAMP(created_at) * 1000)"
    " FROM namespace WHERE name = ? AND kind = 'user'");
static const struct db_stmt SQL_LOGIN_EMAIL = DB_READ("s", "issssii",
    "SELECT id, name, fullname, email, password_hash, disabled,"
    " FLOOR(UNIX_TIMESTAMP(created_at) * 1000)"
    " FROM namespace WHERE email = ? AND kind = 'user'");
static const struct db_stmt SQL_SESSION_PURGE = DB_WRITE("i",
    "DELETE FROM session WHERE user_id = ? AND expires_at <= NOW(3)");
static const struct db_stmt SQL_SESSION_ADD = DB_WRITE("ib",
    "INSERT INTO session (user_id, hash, expires_at)"
    " VALUES (?, ?, NOW(3) + INTERVAL 30 DAY)");
static const struct db_stmt SQL_SESSION_END = DB_WRITE("b",
    "DELETE FROM session WHERE hash = ?");

/* Milliseconds on the monotonic clock. */
static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until the monotonic clock reads at least until_ms. */
static void
sleep_until(int64_t until_ms)
{
	struct timespec ts;
	int64_t left;

	while ((left = until_ms - mono_ms()) > 0) {
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			return;
	}
}

int
session_login(struct db *db, struct arena *a, const char *login,
    const char *password, char sid[SESSION_LEN + 1], struct session_user *u,
    struct kerr *e)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct db_res *res;
	char *stored;
	int64_t start = mono_ms(), disabled;
	int rc, ok;

	memset(u, 0, sizeof(*u));
	/* Names hold no '@': a login with one is an email address. */
	if (db_exec(db, a, &res, strchr(login, '@') != NULL ? &SQL_LOGIN_EMAIL :
	    &SQL_LOGIN_NAME, db_s(login)) != 0 ||
	    (rc = db_row(res, db_out_i(&u->id), db_out_s(&u->name),
	    db_out_s(&u->fullname), db_out_s(&u->email), db_out_s(&stored),
	    db_out_i(&disabled), db_out_i(&u->created_ms))) < 0)
		return kerr_db(e, db);
	/* The same work whether the user exists or not. */
	if (rc == 1 && stored != NULL)
		ok = password_verify(password, stored);
	else {
		password_verify_dummy(password);
		ok = 0;
	}
	if (!ok) {
		sleep_until(start + LOGIN_FAIL_MS);
		return kerr_set(e, 401, "Unauthorized", "Invalid username or "
		    "password");
	}
	/* Only who knows the password learns the account is disabled. */
	if (disabled) {
		sleep_until(start + LOGIN_FAIL_MS);
		return kerr_set(e, 403, "Forbidden", "This account is "
		    "disabled");
	}
	session_generate(sid);
	token_hash(sid, SESSION_LEN, hash);
	if (db_exec(db, a, NULL, &SQL_SESSION_PURGE, db_i(u->id)) != 0 ||
	    db_exec(db, a, NULL, &SQL_SESSION_ADD, db_i(u->id), db_b(hash,
	    sizeof(hash))) != 0) {
		sodium_memzero(sid, SESSION_LEN + 1);
		return kerr_db(e, db);
	}
	return 0;
}

int
session_end(struct db *db, struct arena *a, const char *sid, size_t len,
    struct kerr *e)
{
	unsigned char hash[TOKEN_HASH_LEN];

	token_hash(sid, len, hash);
	if (db_exec(db, a, NULL, &SQL_SESSION_END, db_b(hash,
	    sizeof(hash))) != 0)
		return kerr_db(e, db);
	return 0;
}
