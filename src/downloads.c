/*
 * downloads.c: per-worker counters flushed in batches.
 */
#include <time.h>

#include "arena.h"
#include "db.h"
#include "downloads.h"
#include "log.h"

static const struct db_stmt SQL_ADD = DB_WRITE("ui",
    "UPDATE repo SET downloads = downloads + ? WHERE id = ?");

#define SLOTS		64
#define FLUSH_SECONDS	2

static struct {
	int64_t	 repo_id;
	uint64_t n;
} slots[SLOTS];
static int nslots;
static time_t last_flush;

void
downloads_count(int64_t repo_id)
{
	int i;

	for (i = 0; i < nslots; i++)
		if (slots[i].repo_id == repo_id) {
			slots[i].n++;
			return;
		}
	if (nslots == SLOTS)
		return;		/* flushed before the next request anyway */
	slots[nslots].repo_id = repo_id;
	slots[nslots].n = 1;
	nslots++;
}

void
downloads_flush(struct db *db, bool force)
{
	struct arena a;
	time_t now = time(NULL);
	int i;

	if (nslots == 0 || (!force && nslots < SLOTS &&
	    now - last_flush < FLUSH_SECONDS))
		return;
	last_flush = now;
	arena_init(&a, 1024);
	for (i = 0; i < nslots; i++)
		if (db_exec(db, &a, NULL, &SQL_ADD, db_u(slots[i].n),
		    db_i(slots[i].repo_id)) != 0)
			log_warn("downloads: %s", db_error(db));
	arena_free(&a);
	nslots = 0;
}
