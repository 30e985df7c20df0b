/*
 * fresh.c: the change sequence (repo_change) and the ring that tells this
 * machine's workers at once.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "db.h"
#include "fresh.h"
#include "hash.h"
#include "log.h"

/* SYSDATE: when the row is written (after its lock was granted), not when
 * the statement began, so that a poll's window needs no room for a wait. */
#define NOW_US	"FLOOR(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000)"

static const struct db_stmt SQL_BUMP = DB_WRITE("i",
    "INSERT INTO repo_change (repo_id, seq, changed_us) VALUES (?, 1, "
    NOW_US ") ON DUPLICATE KEY UPDATE seq = seq + 1, changed_us = " NOW_US);
/* The database's clock first (repo_id -2), then what changed since. */
static const struct db_stmt SQL_POLL = DB_READ("i", "iui",
    "SELECT CAST(-2 AS SIGNED), CAST(0 AS UNSIGNED), " NOW_US
    " UNION ALL SELECT CAST(repo_id AS SIGNED), seq, changed_us"
    " FROM repo_change"
    " WHERE changed_us > ?");

/*
 * How far back each poll looks before the last one's clock: for a
 * transaction that wrote its row before the last poll and committed after
 * it, and for clocks of database servers that differ (Galera nodes each
 * stamp their own writes). A row is seen by every poll within this window:
 * harmless, its seq is the one already known.
 */
#define WINDOW_US	(5 * 1000000LL)

/* Machines whose workers answer from memory say so every BEAT_MS; one
 * heard of within ALIVE_US is waited for by fresh_barrier(). */
static const struct db_stmt SQL_BEAT = DB_WRITE("s",
    "INSERT INTO fresh_node (name, seen_us) VALUES (?, " NOW_US ")"
    " ON DUPLICATE KEY UPDATE seen_us = " NOW_US);
static const struct db_stmt SQL_OTHERS = DB_READ("si", "i",
    "SELECT 1 FROM fresh_node WHERE name <> ? AND seen_us > " NOW_US " - ?"
    " LIMIT 1");
/* Machines (or processes, without a ring) gone an hour: their rows. */
static const struct db_stmt SQL_FORGET = DB_WRITE("",
    "DELETE FROM fresh_node WHERE seen_us < " NOW_US " - 3600000000");
#define BEAT_MS		2000
#define FORGET_BEATS	30		/* about once a minute */
#define ALIVE_US	(10 * 1000000LL)

#define RING_SLOTS	4096		/* power of two */

struct ring_slot {
	_Atomic uint64_t pos;		/* its index + 1 once written */
	_Atomic int64_t	 repo_id;
};

struct ring {
	_Atomic uint64_t head;		/* slots ever claimed */
	_Atomic int64_t	 beat_ms;	/* the machine's last SQL_BEAT */
	struct ring_slot slot[RING_SLOTS];
};

static struct ring *ring;
static uint64_t ring_seen;		/* what this process has read */
static bool inited;
static char host[64];
static char ring_name[64];
static _Atomic int64_t own_beat_ms;	/* without a ring */

/* What fresh_node calls this machine: its host and ring; without a ring,
 * its host and this process (forked workers each have their own). */
static const char *
node_name(struct arena *a)
{
	if (ring != NULL)
		return arena_printf(a, "%s %s", host, ring_name);
	return arena_printf(a, "%s pid %d", host, (int)getpid());
}

/* This request's changes, for fresh_barrier(). */
static bool changed;
static int64_t changed_ms;

/* This transaction's bumps, announced when it commits. */
#define PENDING_MAX	16
static int64_t pending[PENDING_MAX];
static int npending;
static bool pending_overflow;

static int64_t last_poll_ms;		/* monotonic; 0: never */
static int64_t poll_ok_ms;		/* last successful poll */
static int64_t db_watermark_us;		/* the database's clock then */

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
fresh_shm_name(const struct conf *c, const char *what, char *name,
    size_t size)
{
	unsigned char h[HASH_SHA256_LEN];
	char id[512];
	int n;

	/* One per hub: the same database and bucket. */
	n = snprintf(id, sizeof(id), "%s|%s|%u|%s|%s|%s",
	    c->db_socket ? c->db_socket : "", c->db_host ? c->db_host : "",
	    c->db_port, c->db_name ? c->db_name : "",
	    c->s3_endpoint ? c->s3_endpoint : "",
	    c->s3_bucket ? c->s3_bucket : "");
	hash_sha256(h, id, n > 0 && (size_t)n < sizeof(id) ? (size_t)n :
	    strlen(id));
	snprintf(name, size, "/khub-%s-%02x%02x%02x%02x%02x%02x%02x%02x",
	    what, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
}

void
fresh_init(const struct conf *c)
{
	char name[64];
	struct stat st;
	void *p;
	int fd;

	if (inited)
		return;
	inited = true;
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	fresh_shm_name(c, "fresh", name, sizeof(name));
	if ((fd = shm_open(name, O_RDWR | O_CREAT, 0600)) == -1) {
		log_warn("fresh: no shared ring %s (%m): this machine's "
		    "changes are learnt by polling", name);
		return;
	}
	/* Another user's ring could only make us forget (drops), but it is
	 * not ours to read. Every process sizes it alike; a new one is
	 * zeroes: empty. */
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		log_warn("fresh: %s is not this user's alone: this machine's "
		    "changes are learnt by polling", name);
		close(fd);
		return;
	}
	if (ftruncate(fd, sizeof(struct ring)) == -1 ||
	    (p = mmap(NULL, sizeof(struct ring), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0)) == MAP_FAILED) {
		log_warn("fresh: cannot map %s (%m): this machine's changes "
		    "are learnt by polling", name);
		close(fd);
		return;
	}
	close(fd);
	ring = p;
	snprintf(ring_name, sizeof(ring_name), "%s", name + 1);
	ring_seen = atomic_load_explicit(&ring->head, memory_order_acquire);
}

/* Without a ring, this process's own news (it is its own machine). */
static int64_t own_news[PENDING_MAX];
static int nown;

static void
announce(int64_t repo_id)
{
	uint64_t i;
	struct ring_slot *s;

	if (ring == NULL) {
		if (nown < PENDING_MAX)
			own_news[nown++] = repo_id;
		else
			own_news[PENDING_MAX - 1] = FRESH_ALL;
		return;
	}
	i = atomic_fetch_add_explicit(&ring->head, 1, memory_order_acq_rel);
	s = &ring->slot[i & (RING_SLOTS - 1)];
	atomic_store_explicit(&s->repo_id, repo_id, memory_order_relaxed);
	atomic_store_explicit(&s->pos, i + 1, memory_order_release);
}

int
fresh_bump(struct db *db, int64_t repo_id)
{
	struct arena a;
	int rc;

	arena_init(&a, 512);
	rc = db_exec(db, &a, NULL, &SQL_BUMP, db_i(repo_id));
	arena_free(&a);
	if (rc != 0)
		return -1;
	if (!db_in_transaction(db)) {
		announce(repo_id);
		changed = true;
		changed_ms = mono_ms();
	} else if (npending < PENDING_MAX)
		pending[npending++] = repo_id;
	else
		pending_overflow = true;
	return 0;
}

void
fresh_committed(void)
{
	int i;

	if (pending_overflow)
		announce(FRESH_ALL);
	for (i = 0; i < npending && !pending_overflow; i++)
		announce(pending[i]);
	if (npending > 0 || pending_overflow) {
		changed = true;
		changed_ms = mono_ms();
	}
	npending = 0;
	pending_overflow = false;
}

void
fresh_rolled_back(void)
{
	npending = 0;
	pending_overflow = false;
}

/* The ring's news since the last look. */
static void
read_ring(fresh_drop_fn drop, void *arg)
{
	uint64_t head, i, pos;
	struct ring_slot *s;
	int64_t id;

	if (ring == NULL) {
		for (i = 0; i < (uint64_t)nown; i++)
			drop(own_news[i], 0, arg);
		nown = 0;
		return;
	}
	head = atomic_load_explicit(&ring->head, memory_order_acquire);
	if (head == ring_seen)
		return;
	if (head - ring_seen > RING_SLOTS) {
		drop(FRESH_ALL, 0, arg);	/* fell behind: overwritten */
		ring_seen = head;
		return;
	}
	for (i = ring_seen; i < head; i++) {
		s = &ring->slot[i & (RING_SLOTS - 1)];
		pos = atomic_load_explicit(&s->pos, memory_order_acquire);
		id = atomic_load_explicit(&s->repo_id, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		/* claimed but not written yet, or overwritten since: unsure */
		if (pos != i + 1 ||
		    atomic_load_explicit(&s->pos, memory_order_relaxed) != pos) {
			drop(FRESH_ALL, 0, arg);
			break;
		}
		drop(id, 0, arg);
	}
	ring_seen = head;
}

/* Tells the other machines, every BEAT_MS, that this one answers from
 * memory (one row per machine; a worker claims the turn). */
static void
beat(struct db *db, struct arena *a)
{
	_Atomic int64_t *last = ring != NULL ? &ring->beat_ms : &own_beat_ms;
	struct timespec ts;
	int64_t now, was;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	was = atomic_load_explicit(last, memory_order_relaxed);
	if (now - was < BEAT_MS || !atomic_compare_exchange_strong(last, &was,
	    now))
		return;
	if (db_exec(db, a, NULL, &SQL_BEAT, db_s(node_name(a))) != 0) {
		atomic_store(last, was);	/* someone tries again */
		log_warn("fresh: cannot write fresh_node: %s", db_error(db));
	} else if (now / BEAT_MS % FORGET_BEATS == 0 &&
	    db_exec(db, a, NULL, &SQL_FORGET) != 0)
		log_warn("fresh: cannot prune fresh_node: %s", db_error(db));
}

static int
poll_db(struct db *db, fresh_drop_fn drop, void *arg)
{
	struct db_res *res;
	struct arena a;
	int64_t id, us, now_us = 0;
	uint64_t seq;
	int rc;

	arena_init(&a, 4096);
	/* The first poll only reads the clock; what was remembered before
	 * it (a token that a commit used) is forgotten. */
	rc = db_exec(db, &a, &res, &SQL_POLL, db_i(db_watermark_us == 0 ?
	    INT64_MAX : db_watermark_us - WINDOW_US));
	if (rc == 0)
		while ((rc = db_row(res, db_out_i(&id), db_out_u(&seq),
		    db_out_i(&us))) == 1) {
			if (id == -2)
				now_us = us;
			else
				drop(id, seq, arg);
		}
	if (rc < 0 || now_us == 0) {
		arena_free(&a);
		return -1;
	}
	if (db_watermark_us == 0)
		drop(FRESH_ALL, 0, arg);
	db_watermark_us = now_us;
	beat(db, &a);
	arena_free(&a);
	return 0;
}

bool
fresh_sync(struct db *db, unsigned period_ms, fresh_drop_fn drop, void *arg)
{
	int64_t now = mono_ms();

	read_ring(drop, arg);
	if (last_poll_ms == 0 || now - last_poll_ms >= (int64_t)period_ms) {
		last_poll_ms = now;
		if (poll_db(db, drop, arg) == 0)
			poll_ok_ms = now;
		else
			log_warn("fresh: cannot poll repo_change: %s",
			    db_error(db));
	}
	/* current only while the last poll succeeded: then nothing older
	 * than period_ms (and a commit's own latency) is unknown here */
	return poll_ok_ms != 0 && poll_ok_ms == last_poll_ms;
}

void
fresh_request(void)
{
	changed = false;
}

void
fresh_barrier(struct db *db, unsigned period_ms)
{
	struct db_res *res;
	struct arena a;
	int64_t wait, one;
	int rc = 0;

	if (!changed || period_ms == 0)
		return;
	changed = false;
	arena_init(&a, 512);
	if (db_exec(db, &a, &res, &SQL_OTHERS, db_s(node_name(&a)),
	    db_i(ALIVE_US)) != 0 ||
	    (rc = db_row(res, db_out_i(&one))) < 0)
		rc = 1;		/* unsure: wait */
	arena_free(&a);
	if (rc == 0)
		return;
	/* every worker answering from memory polls within period_ms of
	 * answering; the margin is for their poll's round trip */
	wait = changed_ms + (int64_t)period_ms + 50 - mono_ms();
	if (wait > 0)
		nanosleep(&(struct timespec){ wait / 1000,
		    (wait % 1000) * 1000000 }, NULL);
}
