/*
 * test_db_live.c: db.c's declared statements against a real MariaDB.
 *
 *	test_db_live /path/to/khub.conf
 *
 * The [database] section of that file names the server. What is checked:
 * typed binds and typed columns round-trip (strings, bytes, integers,
 * NULLs); a declaration that disagrees with its SQL (placeholders,
 * columns), parameters or destinations of other kinds than declared, are
 * errors naming the statement, never a misread; multi-row statements;
 * a read is run again on a new connection when the old one was killed,
 * a transaction's statement never. Without an argument it says SKIP (and
 * fails under CI=true).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "conf.h"
#include "db.h"
#include "check.h"

static struct conf C;
static struct db *D;
static struct arena A;

static const struct db_stmt SQL_TABLE = DB_WRITE("",
    "CREATE TEMPORARY TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(64),"
    " data VARBINARY(64), n BIGINT UNSIGNED)");
static const struct db_stmt SQL_PUT = DB_WRITE("isbu",
    "INSERT INTO t (id, name, data, n) VALUES (?, ?, ?, ?)");
static const struct db_stmt SQL_GET = DB_READ("i", "isbu",
    "SELECT id, name, data, n FROM t WHERE id = ?");
static const struct db_stmt SQL_COUNT = DB_READ("", "i",
    "SELECT COUNT(*) FROM t");
static struct db_rows put_rows = DB_ROWS("INSERT INTO t (id, name) VALUES ",
    "(?, ?)", "is");
/* declared with one placeholder too few, one column too many */
static const struct db_stmt SQL_FEW_IN = DB_READ("", "i",
    "SELECT COUNT(*) FROM t WHERE id = ?");
static const struct db_stmt SQL_MANY_OUT = DB_READ("i", "ii",
    "SELECT COUNT(*) FROM t WHERE id = ?");
static const struct db_stmt SQL_CONN = DB_READ("", "i",
    "SELECT CONNECTION_ID()");
static const struct db_stmt SQL_KILL = DB_WRITE("i", "KILL CONNECTION ?");

static void
test_round_trip(void)
{
	struct db_res *res;
	int64_t id = 0;
	uint64_t n = 0;
	char *name = NULL;
	void *data = NULL;
	size_t dlen = 0;

	CHECK(db_exec(D, &A, NULL, &SQL_TABLE) == 0);
	CHECK(db_exec(D, &A, NULL, &SQL_PUT, db_i(1), db_s("one"),
	    db_b("a\0b", 3), db_u(UINT64_MAX)) == 0);
	/* db_s(NULL) and db_null() are SQL NULL whatever the kind */
	CHECK(db_exec(D, &A, NULL, &SQL_PUT, db_i(2), db_s(NULL), db_null(),
	    db_null()) == 0);
	CHECK(db_exec(D, &A, &res, &SQL_GET, db_i(1)) == 0);
	CHECK(db_row(res, db_out_i(&id), db_out_s(&name),
	    db_out_b(&data, &dlen), db_out_u(&n)) == 1);
	CHECK(id == 1);
	CHECK_STR(name, "one");
	CHECK(dlen == 3 && memcmp(data, "a\0b", 3) == 0);
	CHECK(n == UINT64_MAX);
	CHECK(db_row(res, db_skip(), db_skip(), db_skip(), db_skip()) == 0);
	CHECK(db_exec(D, &A, &res, &SQL_GET, db_i(2)) == 0);
	CHECK(db_row(res, db_out_i(&id), db_out_s(&name),
	    db_out_b(&data, &dlen), db_out_u(&n)) == 1);
	CHECK(id == 2 && name == NULL && data == NULL && dlen == 0 && n == 0);
}

static void
test_declarations(void)
{
	struct db_res *res;
	int64_t c;
	char *s;

	/* what the SQL has decides, before anything runs */
	CHECK(db_exec(D, &A, &res, &SQL_FEW_IN) == -1);
	CHECK(strstr(db_error(D), "declared") != NULL);
	CHECK(db_exec(D, &A, &res, &SQL_MANY_OUT, db_i(1)) == -1);
	CHECK(strstr(db_error(D), "declared") != NULL);
	/* a parameter of another kind: refused, not converted */
	CHECK(db_exec(D, &A, &res, &SQL_GET, db_s("1")) == -1);
	CHECK(strstr(db_error(D), "kinds") != NULL);
	/* a column into a destination of another kind, or too few */
	CHECK(db_exec(D, &A, &res, &SQL_COUNT) == 0);
	CHECK(db_row(res, db_out_s(&s)) == -1);
	CHECK(db_exec(D, &A, &res, &SQL_GET, db_i(1)) == 0);
	CHECK(db_row(res, db_out_i(&c)) == -1);
	/* and the connection is still good */
	CHECK(db_exec(D, &A, &res, &SQL_COUNT) == 0);
	CHECK(db_row(res, db_out_i(&c)) == 1 && c == 2);
}

static void
test_rows(void)
{
	struct db_param ps[2 * 5];
	struct db_res *res;
	int64_t c;
	int i;

	for (i = 0; i < 5; i++) {
		ps[2 * i] = db_i(10 + i);
		ps[2 * i + 1] = db_s("row");
	}
	/* 5 rows: statements of 4 and 1 */
	CHECK(db_exec_rows(D, &A, &put_rows, ps, 5) == 0);
	CHECK(db_exec(D, &A, &res, &SQL_COUNT) == 0);
	CHECK(db_row(res, db_out_i(&c)) == 1 && c == 7);
	/* a row's parameter of another kind */
	ps[3] = db_i(1);
	CHECK(db_exec_rows(D, &A, &put_rows, ps, 2) == -1);
}

/* The connection D uses, killed from another. */
static void
kill_d(void)
{
	struct db *other = db_new(&C);
	struct db_res *res;
	int64_t id = 0;

	CHECK(db_exec(D, &A, &res, &SQL_CONN) == 0);
	CHECK(db_row(res, db_out_i(&id)) == 1);
	CHECK(db_exec(other, &A, NULL, &SQL_KILL, db_i(id)) == 0);
	db_free(other);
}

static void
test_reconnect(void)
{
	struct db_res *res;
	int64_t c = -1;

	/* a read after the server dropped the connection: run again on a new
	 * one (the temporary table went with the old) */
	kill_d();
	CHECK(db_exec(D, &A, &res, &SQL_CONN) == 0);
	CHECK(db_row(res, db_out_i(&c)) == 1 && c > 0);
	/* inside a transaction: an error, never a silent second run */
	CHECK(db_begin(D) == 0);
	kill_d();
	CHECK(db_exec(D, &A, &res, &SQL_CONN) == -1);
	CHECK(db_unavailable(D));
	db_rollback(D);
	CHECK(!db_in_transaction(D));
	CHECK(db_exec(D, &A, &res, &SQL_CONN) == 0);
	CHECK(db_row(res, db_out_i(&c)) == 1 && c > 0);
}

int
main(int argc, char *argv[])
{
	char err[512];
	const char *ci = getenv("CI");

	if (argc < 2) {
		printf("db_live: SKIP: needs a khub config naming a MariaDB "
		    "(test_db_live khub.conf)\n");
		printf("db_live: 0 passed, %d failed\n",
		    ci != NULL && strcmp(ci, "true") == 0);
		return ci != NULL && strcmp(ci, "true") == 0;
	}
	if (conf_load(&C, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "db_live: %s\n", err);
		return 1;
	}
	D = db_new(&C);
	arena_init(&A, 0);
	RUN(test_round_trip);
	RUN(test_declarations);
	RUN(test_rows);
	RUN(test_reconnect);
	db_free(D);
	arena_free(&A);
	conf_free(&C);
	return check_done("db_live");
}
