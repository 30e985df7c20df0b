/*
 * migrate.c: applies the built-in migrations under a named lock, so two
 * khubctl runs (or two machines) never apply one twice.
 */
#include <stdbool.h>
#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "migrate.h"

static const char SQL_VERSION_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(100) NOT NULL,"
    " applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
    ") ENGINE=InnoDB";
static const struct db_stmt SQL_CURRENT = DB_READ("", "i",
    "SELECT COALESCE(MAX(version), 0) FROM schema_version");
static const struct db_stmt SQL_APPLIED = DB_READ("", "i",
    "SELECT version FROM schema_version");
static const struct db_stmt SQL_RECORD = DB_WRITE("is",
    "INSERT INTO schema_version (version, name) VALUES (?, ?)");
static const struct db_stmt SQL_LOCK = DB_READ("", "i",
    "SELECT GET_LOCK('khub_migrate', 60)");
static const struct db_stmt SQL_UNLOCK = DB_READ("", "",
    "DO RELEASE_LOCK('khub_migrate')");

static int
current(struct db *db, struct arena *a)
{
	struct db_res *res;
	int64_t v = -1;

	if (db_exec_text(db, SQL_VERSION_TABLE) != 0 ||
	    db_exec(db, a, &res, &SQL_CURRENT) != 0 ||
	    db_row(res, db_out_i(&v)) != 1)
		return -1;
	return (int)v;
}

int
migrate_current(struct db *db)
{
	struct arena a;
	int v;

	arena_init(&a, 1024);
	v = current(db, &a);
	arena_free(&a);
	return v;
}

/*
 * Which of migrations[] the database has, into done[0..nmigrations).
 * By version, not by the newest one: migrations are numbered on branches
 * (006 on one, 007 on another), and a database that got 007 first must
 * still get 006 when both are merged.
 */
static int
applied(struct db *db, struct arena *a, bool *done)
{
	struct db_res *res;
	int64_t v;
	size_t i;
	int rc;

	for (i = 0; i < nmigrations; i++)
		done[i] = false;
	if (db_exec(db, a, &res, &SQL_APPLIED) != 0)
		return -1;
	while ((rc = db_row(res, db_out_i(&v))) == 1)
		for (i = 0; i < nmigrations; i++)
			if (migrations[i].version == v)
				done[i] = true;
	return rc;
}

int
migrate(struct db *db, int verbose, char *err, size_t errlen)
{
	struct db_res *res;
	struct arena a;
	int64_t locked = 0;
	int have, newest = nmigrations ? migrations[nmigrations - 1].version
	    : 0, rc = -1;
	size_t i, k;
	bool *done;

	arena_init(&a, 4096);
	if (db_exec(db, &a, &res, &SQL_LOCK) != 0 ||
	    db_row(res, db_out_i(&locked)) != 1 || locked != 1) {
		snprintf(err, errlen, "cannot take the migration lock: %s",
		    locked == 0 ? "another migration is running" :
		    db_error(db));
		goto out;
	}
	if ((have = current(db, &a)) < 0) {
		snprintf(err, errlen, "cannot read schema_version: %s",
		    db_error(db));
		goto unlock;
	}
	if (have > newest) {
		snprintf(err, errlen, "the database schema is version %d, "
		    "newer than this khub knows (%d): upgrade khub", have,
		    newest);
		goto unlock;
	}
	done = arena_alloc(&a, (nmigrations + 1) * sizeof(*done));
	if (applied(db, &a, done) != 0) {
		snprintf(err, errlen, "cannot read schema_version: %s",
		    db_error(db));
		goto unlock;
	}
	for (i = 0; i < nmigrations; i++) {
		const struct migration *m = &migrations[i];

		if (done[i])
			continue;
		/* DDL commits implicitly in MariaDB: each statement is written
		 * to be safe to run again if a migration stops midway. */
		for (k = 0; m->statements[k] != NULL; k++)
			if (db_exec_text(db, m->statements[k]) != 0) {
				snprintf(err, errlen, "migration %03d-%s, "
				    "statement %zu: %s", m->version, m->name,
				    k + 1, db_error(db));
				goto unlock;
			}
		if (db_exec(db, &a, NULL, &SQL_RECORD,
		    db_i((int64_t)m->version), db_s(m->name)) != 0) {
			snprintf(err, errlen, "migration %03d-%s: cannot "
			    "record it: %s", m->version, m->name, db_error(db));
			goto unlock;
		}
		if (verbose)
			printf("applied %03d-%s\n", m->version, m->name);
	}
	rc = 0;
unlock:
	db_exec(db, &a, NULL, &SQL_UNLOCK);
out:
	arena_free(&a);
	return rc;
}
