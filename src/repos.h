/*
 * repos.h: managing a repository, the same rules for every front door
 * (the API's create, delete, move and settings, the settings page,
 * khubctl repo create): who may put repositories in a namespace,
 * creating, deleting, moving and renaming, visibility, the gate and the
 * LFS settings. Functions return 0, or -1 with *e filled (kerr.h); none
 * answers a request. The caller has checked the admin right on the
 * repository (repo_open with ACCESS_ADMIN), or, to create one, that the
 * namespace takes it (repos_namespace_writable).
 */
#ifndef KHUB_REPOS_H
#define KHUB_REPOS_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "dctx.h"
#include "kerr.h"
#include "names.h"

struct commit_op;

/*
 * Creates repository ns/name (ns "": a canonical one) of the given type
 * in namespace ns_id, its first commit (by author, email: NULL for none)
 * holding ops[0..nops) (bytes already stored with commit_store_regular())
 * and, unless one of them is .gitattributes, the Hub's default one: ops
 * has room for nops + 1. All or nothing. 400 for a name name_invalid()
 * refuses, or a canonical one name_reserved() keeps; 409 RepoExists (the
 * API adds the existing one's "url"), 503/500; else 0 and *id.
 */
int	 repos_create(struct dctx *, int64_t ns_id, const char *ns,
	    enum repo_type, const char *name, bool private_,
	    int64_t multipart_threshold, const char *author, const char *email,
	    struct commit_op *ops, size_t nops, int64_t *id, struct kerr *);

/*
 * Whether user_id (with a write token or a session: can_write) may create
 * or move repositories into namespace ns: their own, or an organization
 * where they write. *id gets the namespace's id. 404 NotFound for no such
 * namespace, 403 Forbidden otherwise.
 */
int	 repos_namespace_writable(struct db *, struct arena *, int64_t user_id,
	    bool can_write, const char *ns, int64_t *id, struct kerr *);
/* Deletes the repository: its refs and membership rows go with it; its
 * objects stay, shared by content with other repositories. */
int	 repos_delete(struct db *, struct arena *, int64_t repo_id,
	    struct kerr *);
/* Moves the repository to namespace ns_id under name: 400 for a name
 * that cannot be, 409 RepoExists when that namespace has one so named. */
int	 repos_move(struct db *, struct arena *, int64_t repo_id,
	    int64_t ns_id, const char *name, struct kerr *);

/* Settings to change: an int -1 (a flag 0) leaves it as it is. */
struct repos_settings {
	int		 private_;	/* 0 or 1 */
	int		 gated;		/* enum gate (gated.h) */
	bool		 set_threshold, set_multipart, set_patterns;
	const char	*threshold;	/* decimal bytes, or NULL: default */
	const char	*multipart;
	const char	*patterns;	/* one a line, or NULL: none */
};

/* Changes every setting s names, or none of them (one transaction). */
int	 repos_settings(struct db *, struct arena *, int64_t repo_id,
	    const struct repos_settings *s, struct kerr *);

#endif
