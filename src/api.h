/*
 * api.h: the handlers the route table (router.c) names, by API area.
 * Each answers its request with one resp_*() call.
 */
#ifndef KHUB_API_H
#define KHUB_API_H

#include "request.h"

/* api_auth.c: who am I */
void	api_whoami(struct req *);
/* api_health.c: database and S3 reachable */
void	api_health(struct req *);

#endif
