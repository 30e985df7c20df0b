/*
 * db.h: the worker's one MariaDB connection and its prepared statements.
 *
 * The connection opens on first use and reopens when the server went away
 * (a statement outside a transaction is then retried once, if it only
 * reads). Statements are declared (struct db_stmt: the text, the kinds of
 * its parameters and columns, whether it only reads), prepared once per
 * connection, and always run with placeholders and typed binds:
 * parameters never become SQL.
 *
 * Kinds, one letter each:
 *	s	a NUL-terminated string (a parameter: NULL is SQL NULL);
 *		a column: in the arena, NULL for SQL NULL
 *	b	bytes, with their length
 *	i	int64_t (a column: 0 for SQL NULL)
 *	u	uint64_t
 *	n	a parameter: SQL NULL (db_null(), fits any kind); a column:
 *		not read (db_skip(), fits any kind)
 */
#ifndef KHUB_DB_H
#define KHUB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "conf.h"

struct db;
struct db_res;

/* Never fails: nothing connects until the first statement. */
struct db	*db_new(const struct conf *);
void		 db_free(struct db *);

/*
 * A statement, declared once beside the code that runs it:
 *
 *	static const struct db_stmt SQL_USER = DB_READ("s", "is",
 *	    "SELECT id, name FROM namespace WHERE name = ?");
 *
 * in: its parameters' kinds, out: its columns' kinds (letters above;
 * "" for none, and every column even if no caller reads it). When the statement is first prepared on a connection,
 * MariaDB's count of placeholders and of columns must match them; each
 * run's parameters and each row's outputs must have those kinds (an
 * error, logged, not a silent misread). reads: the statement changes
 * nothing, so it may be run again when the connection broke during it
 * (DB_READ); a DB_WRITE is never repeated, for twice is not once.
 * Statements are prepared once per connection and cached by the
 * declaration's address: declare them static (or keep them as long).
 */
struct db_stmt {
	const char	*sql;
	const char	*in;
	const char	*out;
	bool		 reads;
};
#define DB_READ(in, out, sql)	{ (sql), (in), (out), true }
#define DB_WRITE(in, sql)	{ (sql), (in), "", false }

/*
 * A parameter, typed: made by db_s(), db_b(), db_i(), db_u(), db_null(),
 * so that the compiler checks what each placeholder gets.
 */
struct db_param {
	char		 kind;
	const void	*p;		/* 's' (NUL-terminated), 'b' */
	size_t		 len;		/* 'b' */
	int64_t		 i;		/* 'i', 'u' */
};
/* A string (NULL: SQL NULL). */
static inline struct db_param
db_s(const char *s)
{
	return (struct db_param){ .kind = s != NULL ? 's' : 'n', .p = s };
}
/* n bytes at p. */
static inline struct db_param
db_b(const void *p, size_t n)
{
	return (struct db_param){ .kind = 'b', .p = p, .len = n };
}
static inline struct db_param
db_i(int64_t i)
{
	return (struct db_param){ .kind = 'i', .i = i };
}
static inline struct db_param
db_u(uint64_t u)
{
	return (struct db_param){ .kind = 'u', .i = (int64_t)u };
}
/* SQL NULL, for a placeholder of any kind. */
static inline struct db_param
db_null(void)
{
	return (struct db_param){ .kind = 'n' };
}

/*
 * A column's destination, typed: db_out_s(char **) (in the cursor's
 * arena, NULL for SQL NULL), db_out_b(void **, size_t *) (any pointer to a
 * byte pointer), db_out_i(int64_t *) and db_out_u(uint64_t *) (0 for SQL
 * NULL), db_skip() (the column is not read).
 */
struct db_col {
	char		 kind;
	void		*p;
	size_t		*len;
};
static inline struct db_col
db_out_s_(char **p)
{
	return (struct db_col){ .kind = 's', .p = p };
}
#define db_out_s(pp)	db_out_s_(_Generic((pp), const char **: (char **)(pp), \
			    default: (pp)))
static inline struct db_col
db_out_b_(void *pp, size_t *len)
{
	return (struct db_col){ .kind = 'b', .p = pp, .len = len };
}
/* pp: the address of a char *, unsigned char *, void * (const or not). */
#define db_out_b(pp, lenp) db_out_b_(_Generic((pp), char **: (pp), \
			    const char **: (pp), unsigned char **: (pp), \
			    const unsigned char **: (pp), void **: (pp), \
			    const void **: (pp)), (lenp))
static inline struct db_col
db_out_i(int64_t *p)
{
	return (struct db_col){ .kind = 'i', .p = p };
}
static inline struct db_col
db_out_u(uint64_t *p)
{
	return (struct db_col){ .kind = 'u', .p = p };
}
static inline struct db_col
db_skip(void)
{
	return (struct db_col){ .kind = 'n' };
}

/*
 * Runs st with the parameters that follow (db_s(), db_i()...: as many as
 * st->in says). On success returns 0 and, if out is not NULL, a cursor
 * over the result (buffered; freed at the arena's reset or by db_done).
 * Returns -1 on error; db_unavailable() then tells whether the server
 * could not be reached.
 */
#define db_exec(db, a, out, st, ...) \
	db_exec_((db), (a), (out), (st), \
	    (const struct db_param[]){ db_null(), ##__VA_ARGS__ } + 1, \
	    sizeof((const struct db_param[]){ db_null(), ##__VA_ARGS__ }) / \
	    sizeof(struct db_param) - 1)
/* db_exec() with the n parameters in an array: for a caller that
 * assembles them (a statement built for one of several queries). */
int		 db_exec_(struct db *, struct arena *, struct db_res **out,
		    const struct db_stmt *, const struct db_param *, size_t n);
/*
 * A multi-row statement: head, then a row of placeholders (such as
 * "(?, ?)") per row, joined by commas; in: one row's parameter kinds.
 * Declare one static per statement with DB_ROWS (its texts are built on
 * first use and kept, as prepared statements are cached by them).
 */
#define DB_ROWS_MAX	1024		/* rows per statement */
struct db_rows {
	const char	*head;		/* "INSERT INTO t (a, b) VALUES " */
	const char	*row;		/* "(?, ?)" */
	const char	*in;		/* "bi" */
	struct db_stmt	 texts[11];	/* for 2^k rows, k <= 10 */
};
#define DB_ROWS(head, row, in)	{ (head), (row), (in), { { 0 } } }
/*
 * Runs st for nrows rows whose parameters are ps[0..nrows * strlen(st->in))
 * (db_b(), db_i()...), as statements of 2^k rows, at most DB_ROWS_MAX
 * each (1000 rows: six statements; eleven texts to prepare whatever the
 * counts). The caller keeps each call's bytes under the server's
 * max_allowed_packet. Returns 0, or -1 as db_exec() (some statements may
 * have run).
 */
int		 db_exec_rows(struct db *, struct arena *, struct db_rows *st,
		    const struct db_param *ps, size_t nrows);
/*
 * The next row into the destinations that follow (db_out_s(&name)...: one
 * per column of the statement's out). Returns 1 for a row, 0 at the end,
 * -1 on error.
 */
#define db_row(res, ...) \
	db_row_((res), (const struct db_col[]){ __VA_ARGS__ }, \
	    sizeof((const struct db_col[]){ __VA_ARGS__ }) / \
	    sizeof(struct db_col))
int		 db_row_(struct db_res *, const struct db_col *, size_t n);
/* Releases a cursor before the arena's reset. */
void		 db_done(struct db_res *);
uint64_t	 db_affected(const struct db_res *);
uint64_t	 db_insert_id(const struct db_res *);

/* Transactions: while one is open, a lost connection is an error, never a
 * silent retry. */
int		 db_begin(struct db *);
/* Whether a transaction is open (db_begin() without its end yet). */
bool		 db_in_transaction(const struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * Runs fn(arg) in a transaction of its own: db_begin(), fn, db_commit().
 * fn returns 0 to commit, -1 to roll back. When fn or the commit lost a
 * deadlock (ER_LOCK_DEADLOCK: InnoDB's, and Galera's certification
 * failures arrive as one), the transaction is rolled back and fn run
 * again, DB_TX_ATTEMPTS times at most. Returns 0 (committed) or -1
 * (rolled back): db_errno() is then the database's error, ER_LOCK_DEADLOCK
 * when the last try lost one too, or 0 when fn failed for its own reason.
 */
#define DB_TX_ATTEMPTS	4
int		 db_transaction(struct db *, int (*fn)(void *arg), void *arg);

/* Whether the last error was "cannot reach the server". */
bool		 db_unavailable(const struct db *);
/* The last error's MariaDB number (e.g. 1062 duplicate key), or 0. */
unsigned	 db_errno(const struct db *);
const char	*db_error(const struct db *);
/* Connects if needed and pings; 0 or -1. */
int		 db_ping(struct db *);
/* Runs SQL text with no parameters and no result (migrations, DDL). */
int		 db_exec_text(struct db *, const char *sql);

#endif
