/*
 * downloads.h: download counts, gathered in the worker and written after
 * answers are sent, so counting never slows a download.
 *
 * What a worker holds here is a few seconds of counts: losing them with a
 * crashed worker loses only those counts, nothing another machine needs.
 */
#ifndef KHUB_DOWNLOADS_H
#define KHUB_DOWNLOADS_H

#include <stdbool.h>
#include <stdint.h>

struct db;

void	downloads_count(int64_t repo_id);
/* Writes the counts when a few seconds have passed (or when forced). To be
 * called between requests, after the answer went out. */
void	downloads_flush(struct db *, bool force);

#endif
