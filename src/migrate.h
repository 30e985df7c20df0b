/*
 * migrate.h: the schema, as numbered migrations built into the binary
 * (from sql/NNN-*.sql by contrib/dev/embed-sql).
 */
#ifndef KHUB_MIGRATE_H
#define KHUB_MIGRATE_H

#include <stddef.h>

struct db;

struct migration {
	int		 version;
	const char	*name;
	const char	**statements;	/* NULL-terminated */
};

extern const struct migration migrations[];
extern const size_t nmigrations;

/*
 * Brings the database to the newest schema this binary knows: applies each
 * missing migration in order, recording it in schema_version. Idempotent;
 * refuses (-1, message in err) a database newer than the binary. Prints one
 * line per migration applied to stdout when verbose.
 */
int	 migrate(struct db *, int verbose, char *err, size_t errlen);
/* The schema version found in the database (0 for none), or -1. */
int	 migrate_current(struct db *);

#endif
