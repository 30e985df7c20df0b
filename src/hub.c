/*
 * hub.c: a worker's configuration and connections.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fresh.h"
#include "hub.h"
#include "log.h"
#include "s3.h"

int
hub_configure(struct hub *h, const char *path, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	if (conf_load(&h->conf, path, err, errlen) != 0)
		return -1;
	if ((h->conf_path = strdup(path)) == NULL)
		oom();
	log_set_level(h->conf.log_level);
	if (h->conf.log_file != NULL && log_open(h->conf.log_file) != 0)
		log_error("cannot open log_file %s: %s; logging to stderr",
		    h->conf.log_file, strerror(errno));
	if (h->conf.access_log != NULL &&
	    log_access_open(h->conf.access_log) != 0) {
		log_error("cannot open access_log %s: %s; no access log",
		    h->conf.access_log, strerror(errno));
		h->conf.access_log = NULL;
	}
	h->db = db_new(&h->conf);
	fresh_init(&h->conf);
	if ((h->s3 = s3_new(&h->conf)) == NULL)
		oom();
	h->configured = true;
	return 0;
}

void
hub_close(struct hub *h)
{
	if (!h->configured)
		return;
	db_free(h->db);
	s3_free(h->s3);
	conf_free(&h->conf);
	free(h->conf_path);
	memset(h, 0, sizeof(*h));
}
