/*
 * gitslots.h: at most [server] git_workers git requests at once on this
 * machine, so that long clones and pushes cannot take every worker from
 * the API.
 *
 * A slot is a byte of a file in shared memory (named after the hub,
 * fresh_shm_name()) locked with fcntl(2): the kernel releases it when
 * the worker lets go, or dies, so a crashed clone never keeps one.
 */
#ifndef KHUB_GITSLOTS_H
#define KHUB_GITSLOTS_H

#include "conf.h"

/*
 * Takes a slot for this worker: 1 (held until gitslot_give()), 0 when all
 * git_workers slots are taken, or 1 without one when there is no bound
 * (git_workers 0) or no shared memory to keep it in (logged once).
 */
int	 gitslot_take(const struct conf *);
/* Lets the slot this worker holds go (none: nothing). */
void	 gitslot_give(void);

#endif
