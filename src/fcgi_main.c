/*
 * fcgi_main.c: khub.fcgi, the FastCGI application.
 *
 * Three ways to run:
 *  - spawned by a web server (lighttpd bin-path, Apache mod_fcgid) or by
 *    spawn-fcgi: the listening socket is file descriptor 0;
 *  - standalone: khub.fcgi --listen ADDR --workers N, its own prefork pool
 *    on ADDR (":9000", "127.0.0.1:9000" or a unix socket path);
 * each worker then loops: accept a request, answer it, free its arena.
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <mysql.h>
#include <sodium.h>

#include "arena.h"
#include "cache.h"
#include "db.h"
#include "downloads.h"
#include "fresh.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"
#include "mirror.h"
#include "prefork.h"
#include "request.h"
#include "router.h"
#include "s3.h"

/* Above this much arena memory in one request, free heap goes back to the
 * system after it. */
#define ARENA_TRIM_BYTES	(8u << 20)

static struct hub hub;
static volatile sig_atomic_t stop_requested;
static jmp_buf over_jump;

/* The arena's handler past request_memory (see handle()). */
static void
over_limit(void *arg)
{
	(void)arg;
	longjmp(over_jump, 1);
}

/* logrotate's postrotate: the log files again by name. */
static void
on_hup(int sig)
{
	(void)sig;
	log_reopen_request();
}

static void
on_term(int sig)
{
	stop_requested = sig;
	/* Makes libfcgi's accept loop return instead of retrying. */
	FCGX_ShutdownPending();
}

/* This worker's slot of the shared counters (GET /metrics). */
static void
attach_metrics(void)
{
	char err[600];

	if (metrics_attach(&hub.conf, hub.conf_path, err, sizeof(err)) != 0)
		log_warn("%s; /metrics will be off in this worker", err);
}

/* What a configuration that loads may still get wrong, said at start. */
static void
warn_config(void)
{
	if (!s3_upload_keys_own(hub.s3))
		log_warn("[s3] upload_access_key is not set: upload URLs are "
		    "signed with the main keys, so a client can read (copy) "
		    "any object of the bucket through one and make it public; "
		    "give them keys that may only put objects under %s (see "
		    "README)", S3_UPLOAD_PREFIX);
}

/*
 * The configuration may come from a FastCGI parameter (KHUB_CONFIG set by
 * the web server per request) when the environment named none: load it on
 * the first request. Returns 0 when the hub is configured.
 */
static int
configure_from_request(FCGX_Request *fr)
{
	static char last_err[512];
	const char *path = FCGX_GetParam("KHUB_CONFIG", fr->envp);

	if (hub.configured)
		return 0;
	if (path == NULL || *path == '\0')
		path = conf_default_path();
	if (hub_configure(&hub, path, last_err, sizeof(last_err)) == 0) {
		log_info("configured from %s", path);
		attach_metrics();
		warn_config();
		return 0;
	}
	log_error("%s", last_err);
	return -1;
}

static void
handle(struct arena *a, FCGX_Request *fr)
{
	/* Static: it must keep its value across the longjmp below. */
	static struct req r;

	if (configure_from_request(fr) != 0) {
		FCGX_PutS("Status: 500 Internal Server Error\r\n"
		    "Content-Type: application/json\r\n"
		    "X-Error-Code: ServerMisconfigured\r\n"
		    "X-Error-Message: khub has no valid configuration (see "
		    "the error log)\r\n\r\n"
		    "{\"error\":\"khub has no valid configuration (see the "
		    "error log)\"}", fr->out);
		return;
	}
	/* Past the memory ceiling, the arena jumps back here: the request
	 * is answered 413 (unless its answer already began) and the worker
	 * lives on. Its open transaction is rolled back; what it allocated
	 * goes with the arena's reset. */
	memset(&r, 0, sizeof(r));
	fresh_request();
	if (setjmp(over_jump) != 0) {
		arena_set_limit(a, 0, NULL, NULL);
		db_rollback(hub.db);
		if (r.status == 0)
			resp_error(&r, 413, "RequestTooLarge", "This request "
			    "needs more than the %llu bytes of memory one "
			    "request may use (request_memory): ask for less "
			    "at a time", (unsigned long long)
			    hub.conf.request_memory);
		log_warn("a request went past request_memory (%llu bytes)",
		    (unsigned long long)hub.conf.request_memory);
		req_end(&r);
		return;
	}
	arena_set_limit(a, (size_t)hub.conf.request_memory, over_limit, NULL);
	if (req_begin(&r, &hub, a, fr) == 0)
		router_dispatch(&r);
	arena_set_limit(a, 0, NULL, NULL);
	/* a handler's bug must not hold rows locked for the next request */
	if (hub.configured && db_in_transaction(hub.db)) {
		log_error("request %s left a transaction open: rolled back",
		    r.id);
		db_rollback(hub.db);
	}
	req_end(&r);
}

/* A worker: answers requests on listen_fd until told to stop. */
static int
worker(int listen_fd, void *arg)
{
	struct sigaction sa;
	FCGX_Request fr;
	struct arena a;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* Apache's graceful stop */
	sa.sa_handler = on_hup;
	sa.sa_flags = SA_RESTART;	/* accept goes on waiting */
	sigaction(SIGHUP, &sa, NULL);

	if (FCGX_InitRequest(&fr, listen_fd, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		return 1;
	}
	arena_init(&a, 32768);
	if (hub.configured)
		attach_metrics();
	while (!stop_requested && FCGX_Accept_r(&fr) >= 0) {
		size_t held;

		handle(&a, &fr);
		FCGX_Finish_r(&fr);
		/* The answer is out: now the work nobody waits for. */
		held = arena_held(&a);
		arena_reset(&a);
		/* A large request (a commit of 100,000 files) leaves freed heap
		 * behind, pinned by long-lived cache entries: give it back. */
		if (held > ARENA_TRIM_BYTES)
			malloc_trim(0);
		cache_trim();
		if (hub.configured) {
			struct dctx d = { &hub, &a, 0, "mirror" };

			downloads_flush(hub.db, false);
			mirror_idle(&d);	/* a mirror's queued fill */
			arena_reset(&a);
		}
	}
	if (hub.configured)
		downloads_flush(hub.db, true);
	FCGX_Free(&fr, 1);
	arena_free(&a);
	hub_close(&hub);
	mysql_library_end();
	curl_global_cleanup();
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: khub.fcgi [-c CONFIG] [--listen ADDR [--workers N]] | "
	    "--version\n"
	    "  Spawned by a web server or spawn-fcgi, it serves the socket on\n"
	    "  fd 0. With --listen it runs its own pool of N workers (default\n"
	    "  the number of CPUs) on ADDR: ':9000', '127.0.0.1:9000' or a\n"
	    "  unix socket path. The configuration is -c, else $KHUB_CONFIG,\n"
	    "  else the KHUB_CONFIG FastCGI parameter, else %s.\n",
	    KHUB_DEFAULT_CONFIG);
}

int
main(int argc, char *argv[])
{
	const char *listen_addr = NULL, *config = NULL;
	char err[512];
	long workers = sysconf(_SC_NPROCESSORS_ONLN);
	int i, fd;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen_addr = argv[++i];
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			char *end;

			workers = strtol(argv[++i], &end, 10);
			if (*end != '\0' || workers < 1 || workers > 1024) {
				fprintf(stderr, "khub.fcgi: --workers must be "
				    "1 to 1024\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--version") && argc == 2) {
			printf("khub.fcgi %s\n", KHUB_VERSION);
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "khub.fcgi: cannot initialise libraries\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);	/* a client gone is an error code */
	if (FCGX_Init() != 0) {
		fprintf(stderr, "khub.fcgi: FCGX_Init failed\n");
		return 1;
	}
	/*
	 * Named configuration (-c or $KHUB_CONFIG) or an existing default
	 * file: load it now, and stop here if it is wrong. Otherwise wait for
	 * the web server's KHUB_CONFIG parameter on the first request.
	 */
	if (config == NULL && (getenv("KHUB_CONFIG") != NULL ||
	    access(KHUB_DEFAULT_CONFIG, F_OK) == 0))
		config = conf_default_path();
	if (config != NULL &&
	    hub_configure(&hub, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "khub.fcgi: %s\n", err);
		return 1;
	}
	if (config != NULL)
		warn_config();
	if (listen_addr == NULL) {
		if (FCGX_IsCGI()) {
			fprintf(stderr, "khub.fcgi: not started as FastCGI "
			    "(no listening socket on fd 0); use --listen\n");
			usage();
			return 2;
		}
		return worker(0, NULL);
	}
	if ((fd = FCGX_OpenSocket(listen_addr, 1024)) < 0) {
		fprintf(stderr, "khub.fcgi: cannot listen on %s: %s\n",
		    listen_addr, strerror(errno));
		return 1;
	}
	return prefork_run(fd, (int)workers, worker, NULL);
}
