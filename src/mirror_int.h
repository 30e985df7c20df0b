/*
 * mirror_int.h: what mirror.c and mirror_fill.c share, nothing else.
 */
#ifndef KHUB_MIRROR_INT_H
#define KHUB_MIRROR_INT_H

#include <stdbool.h>

#include "dctx.h"
#include "kerr.h"
#include "upstream.h"

struct conf;

/* The token configured for upstream, or NULL. */
const char	*mirror_token(const struct conf *, const char *upstream);
/* Whether upstream is still one of [mirror]'s. */
bool		 mirror_configured(const struct conf *, const char *upstream);
/* A type's URL prefix: "", "datasets/", "spaces/". */
const char	*mirror_prefix(const char *type);
/* Logs which upstream failed and how (err), fills e (504 for a timeout,
 * else 502); -1. */
int		 mirror_failed(struct kerr *e, int rc, const char *upstream,
		    const char *err);
/* A GET of upstream's API: 0 with an answer of status 200, 3xx, 401, 403
 * or 404 in *out; -1 with e (mirror_failed()) for anything else. */
int		 mirror_api(struct dctx *, const char *upstream,
		    const char *url, struct up_resp *out, struct kerr *e);

struct blob_info;
/* mirror_lfs_want(), copying the object now whatever its size (or waiting
 * for whoever copies it): 0 or -1. */
int		 mirror_lfs_fill(struct dctx *, const char *upstream,
		    const char *type, const char *full, const char *commit,
		    const char *path, struct blob_info *b, struct kerr *e);

#endif
