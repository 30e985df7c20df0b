/*
 * hub.h: what one worker process holds across requests. Nothing here is
 * state another machine would need: the configuration, and connections
 * (MariaDB, libcurl) that are opened lazily and reopened when lost.
 */
#ifndef KHUB_HUB_H
#define KHUB_HUB_H

#include <stdbool.h>

#include "conf.h"

struct db;
struct s3;

struct hub {
	struct conf	 conf;
	bool		 configured;	/* conf loaded and valid */
	char		*conf_path;
	struct db	*db;		/* one MariaDB connection */
	struct s3	*s3;		/* one libcurl handle, SigV4 keys */
};



/*
 * Loads the configuration at path and prepares the connections (nothing
 * connects yet). Returns 0, or -1 with one line naming what is wrong in err.
 */
int	hub_configure(struct hub *, const char *path, char *err, size_t errlen);
void	hub_close(struct hub *);
#endif
