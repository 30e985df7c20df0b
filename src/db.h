/*
 * db.h: the worker's one MariaDB connection and its prepared statements.
 *
 * The connection opens on first use and reopens when the server went away
 * (a statement outside a transaction is then retried once). Statements are
 * prepared once per connection, cached by their SQL text, and always run
 * with placeholders: parameters never become SQL.
 *
 * Parameter and column formats, one letter each:
 *	s	const char * (NUL-terminated; NULL for SQL NULL); out:
 *		char ** in the arena, NULL for SQL NULL
 *	b	const void *, size_t (bytes); out: void **, size_t *
 *	i	int64_t; out: int64_t * (0 for SQL NULL)
 *	u	uint64_t; out: uint64_t *
 *	n	SQL NULL (no argument); out: skip this column
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
 * Runs sql with the parameters described by fmt. On success returns 0 and,
 * if out is not NULL, a cursor over the result (buffered; freed at the
 * arena's reset or by db_done). Returns -1 on error; db_unavailable() then
 * tells whether the server could not be reached.
 */
int		 db_exec(struct db *, struct arena *, struct db_res **out,
		    const char *sql, const char *fmt, ...);
/* A parameter of db_execv(): kind is one of the format letters above. */
struct db_param {
	char		 kind;
	const void	*p;		/* 's' (NUL-terminated), 'b' */
	size_t		 len;		/* 'b' */
	int64_t		 i;		/* 'i', 'u' */
};
/*
 * db_exec() with the parameters in an array, as many as MariaDB takes
 * (65,535; db_exec() takes 32): for multi-row INSERTs. sql must stay at
 * its address (a static string), as for db_exec(): statements are cached
 * by it. The whole statement must fit in the server's max_allowed_packet.
 */
int		 db_execv(struct db *, struct arena *, struct db_res **out,
		    const char *sql, const struct db_param *, size_t n);
/*
 * A multi-row statement: head, then a row of placeholders (such as
 * "(?, ?)") per row, joined by commas. Declare one static per statement
 * (texts starts empty: they are built on first use and kept, as prepared
 * statements are cached by their text's address).
 */
#define DB_ROWS_MAX	1024		/* rows per statement */
struct db_rows {
	const char	*head;		/* "INSERT INTO t (a, b) VALUES " */
	const char	*row;		/* "(?, ?)" */
	unsigned	 nparams;	/* placeholders in row */
	char		*texts[11];	/* for 2^k rows, k <= 10 */
};
/*
 * Runs st for nrows rows whose parameters are ps[0..nrows * st->nparams),
 * as statements of 2^k rows, at most DB_ROWS_MAX each (1000 rows: six
 * statements; eleven texts to prepare whatever the counts). The caller
 * keeps each call's bytes under the server's max_allowed_packet. Returns
 * 0, or -1 as db_exec() (some statements may have run).
 */
int		 db_exec_rows(struct db *, struct arena *, struct db_rows *st,
		    const struct db_param *ps, size_t nrows);
/*
 * The next row into the pointers described by fmt. Returns 1 for a row, 0
 * at the end, -1 on error.
 */
int		 db_row(struct db_res *, const char *fmt, ...);
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
