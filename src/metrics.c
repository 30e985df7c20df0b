/*
 * metrics.c: the shared counter file (see metrics.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "metrics.h"

#define MAGIC		0x6b6875624d455431ULL	/* "khubMET1" */
#define SLOTS		64	/* workers alive at once, per configuration */
/* Request duration buckets, seconds (Prometheus' "le"); +Inf implied. */
static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBOUNDS	(sizeof(bounds) / sizeof(bounds[0]))
#define CLASSES	5			/* 1xx..5xx */

struct slot {
	int64_t		 pid;		/* 0: never used */
	uint64_t	 c[MET__N];
	uint64_t	 req[METRICS_ROUTES][CLASSES];
	uint64_t	 hist[METRICS_ROUTES][NBOUNDS + 1];
	uint64_t	 usec[METRICS_ROUTES];	/* duration sums */
};

struct file {
	uint64_t	 magic, size;	/* another layout (an upgrade): reset */
	struct slot	 s[SLOTS];
};

static struct file *shared;
static struct slot *mine;

static void
add(uint64_t *p, uint64_t n)
{
	/* Only this process writes its slot; readers want whole values. */
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n,
	    __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int
alive(int64_t pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH);
}

int
metrics_attach(const struct conf *conf, const char *conf_path, char *err,
    size_t errlen)
{
	unsigned char h[8];
	char path[512];
	struct file *f;
	int fd, i, take = -1, restart = 0;

	if (mine != NULL && mine->pid == (int64_t)getpid())
		return 0;
	if (conf->metrics_file != NULL)
		snprintf(path, sizeof(path), "%s", conf->metrics_file);
	else {
		crypto_generichash(h, sizeof(h), (const unsigned char *)
		    conf_path, strlen(conf_path), NULL, 0);
		snprintf(path, sizeof(path), "/dev/shm/khub-%02x%02x%02x%02x"
		    "%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5],
		    h[6], h[7]);
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "metrics: %s: %s", path, strerror(errno));
		return -1;
	}
	/* One process at a time sets the file up and picks a slot. */
	while ((i = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	if (i != 0 || ftruncate(fd, sizeof(*f)) != 0 ||
	    (f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0)) == MAP_FAILED) {
		snprintf(err, errlen, "metrics: %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (f->magic != MAGIC || f->size != sizeof(*f)) {
		memset(f, 0, sizeof(*f));
		f->magic = MAGIC;
		f->size = sizeof(*f);
	}
	for (i = 0; i < SLOTS && take < 0; i++)
		if (f->s[i].pid == 0 || !alive(f->s[i].pid)) {
			take = i;
			restart = f->s[i].pid != 0;
		}
	if (take < 0) {
		snprintf(err, errlen, "metrics: all %d slots of %s in use",
		    SLOTS, path);
		flock(fd, LOCK_UN);
		munmap(f, sizeof(*f));
		close(fd);
		return -1;
	}
	f->s[take].pid = (int64_t)getpid();
	/* Unlocked by hand: the mapping keeps the file open, and with it a
	 * flock lock, after close(). */
	flock(fd, LOCK_UN);
	close(fd);
	shared = f;
	mine = &f->s[take];
	metrics_add(MET_WORKER_STARTS, 1);
	if (restart)
		metrics_add(MET_WORKER_RESTARTS, 1);
	return 0;
}

void
metrics_add(enum metric m, uint64_t n)
{
	if (mine != NULL)
		add(&mine->c[m], n);
}

void
metrics_request(size_t route, int status, double seconds)
{
	size_t b;

	if (mine == NULL)
		return;
	if (route >= METRICS_ROUTES)
		route = METRICS_ROUTES - 1;
	if (status >= 100 && status < 600)
		add(&mine->req[route][status / 100 - 1], 1);
	for (b = 0; b < NBOUNDS && seconds > bounds[b]; b++)
		;
	add(&mine->hist[route][b], 1);
	add(&mine->usec[route], (uint64_t)(seconds * 1e6));
}

static const struct {
	const char	*name, *help;
} counters[MET__N] = {
	{ "khub_db_queries_total", "SQL statements run." },
	{ "khub_db_errors_total", "SQL statements that failed." },
	{ "khub_s3_requests_total", "S3 requests khub made itself." },
	{ "khub_s3_errors_total", "S3 requests that failed or were refused." },
	{ "khub_cache_hits_total", "Object cache lookups that hit." },
	{ "khub_cache_misses_total", "Object cache lookups that missed." },
	{ "khub_request_body_bytes_total", "Request body bytes read." },
	{ "khub_lfs_verified_bytes_total", "LFS upload bytes checked." },
	{ "khub_worker_starts_total", "Worker processes started." },
	{ "khub_worker_restarts_total",
	    "Workers started in the place of one that died." },
};

int
metrics_render(struct buf *b, const char *const *names, size_t nroutes)
{
	uint64_t sum[METRICS_ROUTES][CLASSES + NBOUNDS + 2];
	uint64_t c[MET__N] = { 0 };
	size_t i, k, r, live = 0;
	const struct slot *s;

	if (shared == NULL)
		return -1;
	memset(sum, 0, sizeof(sum));
	for (i = 0; i < SLOTS; i++) {
		s = &shared->s[i];
		if (__atomic_load_n(&s->pid, __ATOMIC_RELAXED) == 0)
			continue;
		live += alive(s->pid);
		for (k = 0; k < MET__N; k++)
			c[k] += get(&s->c[k]);
		for (r = 0; r < METRICS_ROUTES; r++) {
			for (k = 0; k < CLASSES; k++)
				sum[r][k] += get(&s->req[r][k]);
			for (k = 0; k <= NBOUNDS; k++)
				sum[r][CLASSES + k] += get(&s->hist[r][k]);
			sum[r][CLASSES + NBOUNDS + 1] += get(&s->usec[r]);
		}
	}
	for (k = 0; k < MET__N; k++)
		buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		    counters[k].name, counters[k].help, counters[k].name,
		    counters[k].name, (unsigned long long)c[k]);
	buf_printf(b, "# HELP khub_workers Worker processes alive.\n"
	    "# TYPE khub_workers gauge\nkhub_workers %zu\n", live);

	buf_adds(b, "# HELP khub_requests_total Requests answered, by route "
	    "pattern and status class.\n# TYPE khub_requests_total counter\n");
	for (r = 0; r < nroutes && r < METRICS_ROUTES; r++)
		for (k = 0; k < CLASSES; k++)
			if (sum[r][k] != 0)
				buf_printf(b, "khub_requests_total{route=\"%s\","
				    "code=\"%zuxx\"} %llu\n", names[r] ?
				    names[r] : "none", k + 1,
				    (unsigned long long)sum[r][k]);
	buf_adds(b, "# HELP khub_request_duration_seconds Time from the "
	    "request's start to its answer, by route pattern.\n"
	    "# TYPE khub_request_duration_seconds histogram\n");
	for (r = 0; r < nroutes && r < METRICS_ROUTES; r++) {
		const char *name = names[r] ? names[r] : "none";
		uint64_t cum = 0;

		for (k = 0; k <= NBOUNDS; k++)
			cum += sum[r][CLASSES + k];
		if (cum == 0)
			continue;
		cum = 0;
		for (k = 0; k <= NBOUNDS; k++) {
			cum += sum[r][CLASSES + k];
			if (k < NBOUNDS)
				buf_printf(b, "khub_request_duration_seconds_"
				    "bucket{route=\"%s\",le=\"%g\"} %llu\n",
				    name, bounds[k], (unsigned long long)cum);
			else
				buf_printf(b, "khub_request_duration_seconds_"
				    "bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
				    name, (unsigned long long)cum);
		}
		buf_printf(b, "khub_request_duration_seconds_sum{route=\"%s\"} "
		    "%.6f\nkhub_request_duration_seconds_count{route=\"%s\"} "
		    "%llu\n", name, (double)sum[r][CLASSES + NBOUNDS + 1] / 1e6,
		    name, (unsigned long long)cum);
	}
	return 0;
}
