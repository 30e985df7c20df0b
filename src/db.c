/*
 * db.c: MariaDB Connector/C behind a small prepared-statement API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db.h"
#include "fresh.h"
#include "log.h"
#include "metrics.h"

struct db_res;

struct cached {
	const char	*sql;		/* the declaration's text: by address */
	const struct db_stmt *d;	/* its declaration */
	MYSQL_STMT	*st;
	struct db_res	*open;		/* cursor over its current result */
};

struct db {
	const struct conf *conf;
	MYSQL		*my;
	bool		 in_tx;
	bool		 unavailable;
	unsigned	 err;
	char		 errmsg[512];
	struct cached	*stmts;
	size_t		 nstmts, cap;
	/* binds of a statement with more parameters than fit on the stack
	 * (db_exec_rows()); kept, so that a commit's hundred multi-row INSERTs
	 * do not each take another copy from the request's arena */
	MYSQL_BIND	*binds;
	size_t		 nbinds;
	struct param	*params;	/* the same for their parameters */
	size_t		 nparams;
};

struct db_res {
	struct db	*db;
	struct cached	*c;		/* NULL once released */
	struct arena	*a;
	unsigned	 ncols;
	uint64_t	 affected, insert_id;
};

/* A parameter, decoded from the format once so a retry can rebind it. */
struct param {
	char		 kind;
	const void	*p;
	unsigned long	 len;
	long long	 i;
};

struct db *
db_new(const struct conf *conf)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		oom();
	db->conf = conf;
	return db;
}

static void
set_error(struct db *db, unsigned err, const char *msg)
{
	db->err = err;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg);
	/* Client-side errors 2000-2999 mean the server is not there. */
	db->unavailable = err == CR_CONNECTION_ERROR ||
	    err == CR_CONN_HOST_ERROR || err == CR_SERVER_GONE_ERROR ||
	    err == CR_SERVER_LOST || err == CR_SERVER_LOST_EXTENDED ||
	    err == CR_UNKNOWN_HOST || err == ER_CONNECTION_KILLED ||
	    err == ER_SERVER_SHUTDOWN ||
	    /* a Galera node out of its cluster's primary component, or
	     * still joining: "WSREP has not yet prepared node for
	     * application use" */
	    err == ER_UNKNOWN_COM_ERROR;
}

/* Forgets the connection and every statement prepared on it. */
static void
disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].open != NULL)
			db->stmts[i].open->c = NULL;
		mysql_stmt_close(db->stmts[i].st);
	}
	db->nstmts = 0;
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = false;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db->stmts);
	free(db->binds);
	free(db->params);
	free(db);
}

static int
connect_db(struct db *db)
{
	const struct conf *c = db->conf;
	unsigned timeout = 3, rw_timeout = 60;
	const char *init = "SET time_zone = '+00:00', sql_mode = "
	    "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'";

	if (db->my != NULL)
		return 0;
	if ((db->my = mysql_init(NULL)) == NULL)
		oom();
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(db->my, c->db_socket ? NULL : c->db_host,
	    c->db_user, c->db_password, c->db_name,
	    c->db_socket ? 0 : c->db_port, c->db_socket, 0) == NULL) {
		set_error(db, mysql_errno(db->my), mysql_error(db->my));
		/* Any failure to connect counts as unavailable, except being
		 * refused by the server itself (bad password, no database). */
		db->unavailable = db->err != ER_ACCESS_DENIED_ERROR &&
		    db->err != ER_BAD_DB_ERROR &&
		    db->err != ER_DBACCESS_DENIED_ERROR;
		log_error("database: cannot connect: %s", db->errmsg);
		mysql_close(db->my);
		db->my = NULL;
		return -1;
	}
	return 0;
}

/* The kinds st declares: MariaDB's counts must agree with them. */
static int
check_decl(struct db *db, MYSQL_STMT *st, const struct db_stmt *d)
{
	if (mysql_stmt_param_count(st) == strlen(d->in) &&
	    mysql_stmt_field_count(st) == strlen(d->out))
		return 0;
	set_error(db, 0, "statement declared with other parameters or "
	    "columns than its SQL has");
	log_error("database: declared %zu parameters and %zu columns, the "
	    "SQL has %lu and %u: %s", strlen(d->in), strlen(d->out),
	    mysql_stmt_param_count(st), mysql_stmt_field_count(st), d->sql);
	return -1;
}

static struct cached *
prepare(struct db *db, const struct db_stmt *d)
{
	struct cached *c;
	MYSQL_STMT *st;
	size_t i;

	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].sql == d->sql)
			return &db->stmts[i];
	if ((st = mysql_stmt_init(db->my)) == NULL)
		oom();
	if (mysql_stmt_prepare(st, d->sql, strlen(d->sql)) != 0) {
		set_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (check_decl(db, st, d) != 0) {
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->nstmts == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 32;
		struct cached *n;

		/* Cursors point into the array: move them along. */
		if ((n = malloc(cap * sizeof(*n))) == NULL)
			oom();
		if (db->nstmts)
			memcpy(n, db->stmts, db->nstmts * sizeof(*n));
		for (i = 0; i < db->nstmts; i++)
			if (n[i].open != NULL)
				n[i].open->c = &n[i];
		free(db->stmts);
		db->stmts = n;
		db->cap = cap;
	}
	c = &db->stmts[db->nstmts++];
	c->sql = d->sql;
	c->d = d;
	c->st = st;
	c->open = NULL;
	return c;
}

static void
res_release(void *p)
{
	db_done(p);
}

void
db_done(struct db_res *res)
{
	if (res->c == NULL)
		return;
	mysql_stmt_free_result(res->c->st);
	res->c->open = NULL;
	res->c = NULL;
}

/* One attempt: prepare (cached), bind, execute, buffer the result. */
static int
exec_once(struct db *db, struct arena *a, struct db_res **out,
    const struct db_stmt *d, struct param *ps, unsigned np)
{
	MYSQL_BIND stack[32], *binds = stack;
	struct cached *c;
	struct db_res *res;
	unsigned i;

	if (connect_db(db) != 0)
		return -1;
	if ((c = prepare(db, d)) == NULL)
		return -1;
	if (c->open != NULL)
		db_done(c->open);
	if (np > 32) {
		if (db->nbinds < np) {
			free(db->binds);
			if ((db->binds = calloc(np, sizeof(*db->binds))) ==
			    NULL)
				oom();
			db->nbinds = np;
		}
		binds = db->binds;
	}
	memset(binds, 0, (np > 32 ? np : 32) * sizeof(*binds));
	for (i = 0; i < np; i++) {
		MYSQL_BIND *b = &binds[i];

		switch (ps[i].kind) {
		case 's':
		case 'b':
			b->buffer_type = ps[i].kind == 's' ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b->buffer = (void *)ps[i].p;
			b->buffer_length = ps[i].len;
			b->length = &ps[i].len;
			break;
		case 'i':
		case 'u':
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &ps[i].i;
			b->is_unsigned = ps[i].kind == 'u';
			break;
		default:
			b->buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	if ((np && mysql_stmt_bind_param(c->st, binds) != 0) ||
	    mysql_stmt_execute(c->st) != 0) {
		set_error(db, mysql_stmt_errno(c->st), mysql_stmt_error(c->st));
		return -1;
	}
	res = arena_zalloc(a, sizeof(*res));
	res->db = db;
	res->a = a;
	res->affected = mysql_stmt_affected_rows(c->st);
	res->insert_id = mysql_stmt_insert_id(c->st);
	/* The column count without result metadata (an allocation per
	 * execution on the hot path). */
	if ((res->ncols = mysql_stmt_field_count(c->st)) > 0) {
		if (mysql_stmt_store_result(c->st) != 0) {
			set_error(db, mysql_stmt_errno(c->st),
			    mysql_stmt_error(c->st));
			return -1;
		}
		res->c = c;
		c->open = res;
		arena_on_reset(a, res_release, res);
	}
	db->err = 0;
	db->unavailable = false;
	if (out != NULL)
		*out = res;
	else
		db_done(res);
	return 0;
}

/* Runs a statement, once more on a fresh connection when the server went
 * away outside a transaction. */
static int
run(struct db *db, struct arena *a, struct db_res **out,
    const struct db_stmt *d, struct param *ps, unsigned np)
{
	int rc;

	rc = exec_once(db, a, out, d, ps, np);
	metrics_add(MET_DB_QUERIES, 1);
	if (rc != 0 && db->unavailable && !db->in_tx && db->my != NULL &&
	    ((db->err != CR_SERVER_LOST && db->err != CR_SERVER_LOST_EXTENDED) ||
	    d->reads)) {
		/* The server went away since the last request (restart,
		 * wait_timeout): reconnect and try once more. Only a read
		 * when the connection broke during the statement: a write
		 * may have happened, and twice is not once. */
		log_warn("database: %s; reconnecting", db->errmsg);
		disconnect(db);
		rc = exec_once(db, a, out, d, ps, np);
		metrics_add(MET_DB_QUERIES, 1);
	}
	if (rc != 0)
		metrics_add(MET_DB_ERRORS, 1);
	if (rc != 0 && db->unavailable)
		disconnect(db);
	return rc;
}

/* Whether parameter kinds have[0..n) are what want declares ('n', SQL
 * NULL, fits any). */
static bool
kinds_fit(const char *want, const struct db_param *have, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (have[i].kind != 'n' && have[i].kind != want[i])
			return false;
	return true;
}

/* ps[0..n) from v, for a run of d (or of a rows text whose one row
 * takes row: ps repeats it); -1 when they do not fit. */
static int
params(struct db *db, const struct db_stmt *d, const char *row,
    const struct db_param *v, size_t n, struct param *ps)
{
	size_t i, w = strlen(row);

	if (w == 0 ? n != 0 : n % w != 0)
		goto bad;
	for (i = 0; i < n; i += w)
		if (!kinds_fit(row, v + i, w))
			goto bad;
	for (i = 0; i < n; i++) {
		ps[i].kind = v[i].kind;
		ps[i].p = v[i].p;
		ps[i].len = (unsigned long)v[i].len;
		ps[i].i = (long long)v[i].i;
		if (v[i].kind == 's')
			ps[i].len = (unsigned long)strlen(v[i].p);
		else if (v[i].kind == '\0' ||
		    strchr("biun", v[i].kind) == NULL)
			goto bad;
	}
	return 0;
bad:
	set_error(db, 0, "parameters of other kinds than declared");
	log_error("database: %zu parameters not of kinds \"%s\" for: %s", n,
	    row, d->sql);
	return -1;
}

int
db_exec_(struct db *db, struct arena *a, struct db_res **out,
    const struct db_stmt *d, const struct db_param *v, size_t n)
{
	struct param stack[32], *ps = stack;

	if (out != NULL)
		*out = NULL;
	if (n > 65535)
		abort();	/* MariaDB's limit: a programming error */
	if (n > 32) {
		/* kept in db, as the binds are: a commit runs hundreds of
		 * multi-row INSERTs */
		if (db->nparams < n) {
			free(db->params);
			if ((db->params = calloc(n, sizeof(*db->params))) ==
			    NULL)
				oom();
			db->nparams = n;
		}
		ps = db->params;
	}
	if (params(db, d, d->in, v, n, ps) != 0)
		return -1;
	return run(db, a, out, d, ps, (unsigned)n);
}

int
db_row_(struct db_res *res, const struct db_col *out, size_t n)
{
	MYSQL_BIND binds[32];
	unsigned long lens[32];
	my_bool nulls[32], errs[32];
	int64_t ints[32];
	MYSQL_STMT *st;
	const char *want;
	unsigned i;
	int rc;

	if (res->c == NULL)
		return 0;
	st = res->c->st;
	want = res->c->d->out;
	if (n != res->ncols || n > 32) {
		set_error(res->db, 0, "not as many columns read as declared");
		log_error("database: %zu columns read of %u: %s", n,
		    res->ncols, res->c->sql);
		db_done(res);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (out[i].kind != 'n' && out[i].kind != want[i]) {
			set_error(res->db, 0, "a column read as another kind "
			    "than declared");
			log_error("database: column %u read as '%c', declared "
			    "'%c': %s", i, out[i].kind, want[i], res->c->sql);
			db_done(res);
			return -1;
		}
	memset(binds, 0, sizeof(binds));
	for (i = 0; i < n; i++) {
		binds[i].length = &lens[i];
		binds[i].is_null = &nulls[i];
		binds[i].error = &errs[i];
		if (out[i].kind == 'i' || out[i].kind == 'u') {
			binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
			binds[i].buffer = &ints[i];
			binds[i].is_unsigned = out[i].kind == 'u';
		} else {
			/* Zero-length buffer: the fetch tells the length,
			 * mysql_stmt_fetch_column copies into the arena. */
			binds[i].buffer_type = MYSQL_TYPE_BLOB;
		}
	}
	if (mysql_stmt_bind_result(st, binds) != 0)
		goto fail;
	rc = mysql_stmt_fetch(st);
	if (rc == MYSQL_NO_DATA) {
		db_done(res);
		return 0;
	}
	if (rc == 1)
		goto fail;
	for (i = 0; i < n; i++) {
		switch (out[i].kind) {
		case 'i':
			*(int64_t *)out[i].p = nulls[i] ? 0 : ints[i];
			break;
		case 'u':
			*(uint64_t *)out[i].p = nulls[i] ? 0 :
			    (uint64_t)ints[i];
			break;
		case 's':
		case 'b': {
			char *p = NULL;

			if (!nulls[i]) {
				p = arena_alloc(res->a, lens[i] + 1);
				binds[i].buffer = p;
				binds[i].buffer_length = lens[i];
				if (lens[i] > 0 && mysql_stmt_fetch_column(st,
				    &binds[i], i, 0) != 0)
					goto fail;
				p[lens[i]] = '\0';
			}
			if (out[i].kind == 's')
				*(char **)out[i].p = p;
			else {
				*(void **)out[i].p = p;
				*out[i].len = nulls[i] ? 0 : lens[i];
			}
			break;
		}
		default:	/* 'n': skip */
			break;
		}
	}
	return 1;
fail:
	set_error(res->db, mysql_stmt_errno(st), mysql_stmt_error(st));
	db_done(res);
	return -1;
}

uint64_t
db_affected(const struct db_res *res)
{
	return res->affected;
}

uint64_t
db_insert_id(const struct db_res *res)
{
	return res->insert_id;
}

/* The statement of st for 2^k rows. */
static const struct db_stmt *
rows_stmt(struct db_rows *st, unsigned k)
{
	size_t rows = (size_t)1 << k, hl, rl, i;
	char *p, *text;

	if (st->texts[k].sql != NULL)
		return &st->texts[k];
	hl = strlen(st->head);
	rl = strlen(st->row);
	if ((p = text = malloc(hl + rows * (rl + 1) + 1)) == NULL)
		oom();
	memcpy(p, st->head, hl);
	p += hl;
	for (i = 0; i < rows; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, st->row, rl);
		p += rl;
	}
	*p = '\0';
	/* the row's kinds, once per row, for check_decl() */
	if ((p = malloc(rows * strlen(st->in) + 1)) == NULL)
		oom();
	for (i = 0; i < rows; i++)
		memcpy(p + i * strlen(st->in), st->in, strlen(st->in));
	p[rows * strlen(st->in)] = '\0';
	st->texts[k].in = p;
	st->texts[k].out = "";
	st->texts[k].reads = false;
	st->texts[k].sql = text;
	return &st->texts[k];
}

int
db_exec_rows(struct db *db, struct arena *a, struct db_rows *st,
    const struct db_param *ps, size_t nrows)
{
	size_t w = strlen(st->in);

	while (nrows > 0) {
		unsigned k = 0;
		size_t cnt;
		struct param *v;

		while (k < 10 && ((size_t)2 << k) <= nrows)
			k++;
		cnt = (size_t)1 << k;
		if (db->nparams < cnt * w) {
			free(db->params);
			if ((db->params = calloc(cnt * w,
			    sizeof(*db->params))) == NULL)
				oom();
			db->nparams = cnt * w;
		}
		v = db->params;
		if (params(db, rows_stmt(st, k), st->in, ps, cnt * w, v) != 0 ||
		    run(db, a, NULL, rows_stmt(st, k), v,
		    (unsigned)(cnt * w)) != 0)
			return -1;
		ps += cnt * w;
		nrows -= cnt;
	}
	return 0;
}

/* db.c's own. START TRANSACTION changes nothing yet: safe to repeat. */
static const struct db_stmt SQL_TX_BEGIN = DB_READ("", "",
    "START TRANSACTION");
static const struct db_stmt SQL_TX_COMMIT = DB_WRITE("", "COMMIT");
static const struct db_stmt SQL_TX_ROLLBACK = DB_WRITE("", "ROLLBACK");
static const struct db_stmt SQL_PING = DB_READ("", "", "DO 1");

bool
db_in_transaction(const struct db *db)
{
	return db->in_tx;
}

int
db_begin(struct db *db)
{
	struct arena a;
	int rc;

	arena_init(&a, 1024);
	rc = db_exec(db, &a, NULL, &SQL_TX_BEGIN);
	arena_free(&a);
	fresh_rolled_back();	/* nothing of an earlier one is pending */
	if (rc == 0)
		db->in_tx = true;
	return rc;
}

int
db_commit(struct db *db)
{
	struct arena a;
	int rc;

	arena_init(&a, 1024);
	rc = db_exec(db, &a, NULL, &SQL_TX_COMMIT);
	arena_free(&a);
	if (rc != 0)
		db_rollback(db);
	else
		fresh_committed();	/* tell this machine's workers */
	db->in_tx = false;
	return rc;
}

void
db_rollback(struct db *db)
{
	struct arena a;
	unsigned err = db->err;
	char msg[sizeof(db->errmsg)];
	bool unavailable = db->unavailable;

	fresh_rolled_back();
	if (!db->in_tx || db->my == NULL) {
		db->in_tx = false;
		return;
	}
	/* Keep the error that made us roll back. */
	memcpy(msg, db->errmsg, sizeof(msg));
	arena_init(&a, 1024);
	if (db_exec(db, &a, NULL, &SQL_TX_ROLLBACK) != 0)
		disconnect(db);	/* unsure state: start afresh */
	arena_free(&a);
	db->in_tx = false;
	db->err = err;
	db->unavailable = unavailable;
	memcpy(db->errmsg, msg, sizeof(msg));
}

int
db_transaction(struct db *db, int (*fn)(void *), void *arg)
{
	int attempt;

	for (attempt = 1; ; attempt++) {
		if (db_begin(db) != 0)
			return -1;
		/* an fn that fails with no statement failing leaves the last
		 * statement's err: 0 */
		if (fn(arg) == 0 && db_commit(db) == 0)
			return 0;
		db_rollback(db);
		if (db_errno(db) != ER_LOCK_DEADLOCK ||
		    attempt == DB_TX_ATTEMPTS)
			return -1;
		log_debug("database: a transaction lost a deadlock; again "
		    "(try %d)", attempt + 1);
	}
}

bool
db_unavailable(const struct db *db)
{
	return db->unavailable;
}

unsigned
db_errno(const struct db *db)
{
	return db->err;
}

const char *
db_error(const struct db *db)
{
	return db->errmsg;
}

int
db_ping(struct db *db)
{
	struct arena a;
	int rc;

	arena_init(&a, 1024);
	rc = db_exec(db, &a, NULL, &SQL_PING);
	arena_free(&a);
	return rc;
}

int
db_exec_text(struct db *db, const char *sql)
{
	MYSQL_STMT *st;

	if (connect_db(db) != 0)
		return -1;
	if ((st = mysql_stmt_init(db->my)) == NULL)
		oom();
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0 ||
	    mysql_stmt_execute(st) != 0) {
		set_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return -1;
	}
	mysql_stmt_close(st);
	return 0;
}
