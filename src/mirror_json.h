/*
 * mirror_json.h: reading an upstream hub's answers (untrusted bytes) into
 * checked values. Each parser takes the body and its length, copies what
 * it keeps into the arena, and returns 0, or -1 with a line for the log in
 * err: a wrong type, a bad id, a path git would refuse, too many entries.
 * Nothing of a refused answer is kept.
 */
#ifndef KHUB_MIRROR_JSON_H
#define KHUB_MIRROR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "gitobj.h"

/* The largest answer body read from upstream (a page of a tree of 1,000
 * entries with LFS facts is about 300 KB). */
#define MIRROR_BODY_MAX		(8u << 20)
/* The most refs (branches and tags together) a mirror keeps. */
#define MIRROR_REFS_MAX		10000
/* The largest file size believed (1 PiB). */
#define MIRROR_SIZE_MAX		(UINT64_C(1) << 50)

/* /api/{type}s/{id}[/revision/{rev}]: what a mirror needs of a repo. */
struct up_info {
	struct oid	 sha;		/* the revision's commit */
	bool		 private_;
	bool		 gated;		/* false, or "auto"/"manual" */
	bool		 disabled;
	int64_t		 created_ms;	/* 0 when absent */
};

struct up_ref {
	char		*name;
	bool		 tag;
	struct oid	 target;
};

/* A tree entry of a recursive listing. */
struct up_entry {
	char		*path;		/* path_invalid() == NULL */
	bool		 dir;
	struct oid	 oid;		/* git blob or tree id */
	uint64_t	 size;		/* the file's (LFS: the object's) */
	bool		 lfs;
	unsigned char	 sha256[SHA256_LEN];	/* when lfs */
};

struct up_commit {
	struct oid	 id;
	char		*title, *message, *author;
	int64_t		 time;		/* Unix seconds */
};

int	 mirror_parse_info(struct arena *, const char *body, size_t len,
	    struct up_info *, char *err, size_t errlen);
/* /refs: branches, then tags, appended to *v (*n of them, growing). */
int	 mirror_parse_refs(struct arena *, const char *body, size_t len,
	    struct up_ref **v, size_t *n, char *err, size_t errlen);
/* One page of /tree/{sha}?recursive=true, appended to *v (*n, growing,
 * at most max in all). An LFS file's oid must be its pointer's blob id. */
int	 mirror_parse_tree(struct arena *, const char *body, size_t len,
	    struct up_entry **v, size_t *n, size_t max, char *err,
	    size_t errlen);
/* One page of /commits/{sha}, appended to *v (*n, at most max in all). */
int	 mirror_parse_commits(struct arena *, const char *body, size_t len,
	    struct up_commit **v, size_t *n, size_t max, char *err,
	    size_t errlen);
/* "2025-01-20T10:15:32.123Z" (fraction optional) to Unix milliseconds;
 * 0 or -1. */
int	 mirror_parse_time(const char *s, int64_t *ms);

#endif
