/*
 * accounts.h: users as an administrator manages them, the same rules for
 * every front door (khubctl, the admin API, registration): names, e-mail
 * addresses, passwords, disabling, quotas and usage. Functions return 0,
 * or -1 with *e filled (kerr.h); none answers a request.
 */
#ifndef KHUB_ACCOUNTS_H
#define KHUB_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "kerr.h"

#define ACCOUNT_PASSWORD_MIN	8
#define ACCOUNT_PASSWORD_MAX	1024
#define ACCOUNT_FULLNAME_MAX	255	/* characters: the column's size */

struct account {
	int64_t		 id;
	char		*name, *fullname, *email;	/* email may be NULL */
	bool		 disabled;
	bool		 site_admin;	/* the admin API takes its write tokens */
	bool		 default_quota;	/* quota_bytes unset */
	uint64_t	 quota_bytes;
};

struct usage {
	int64_t		 repos;
	uint64_t	 used, quota;	/* quota 0: none */
	bool		 default_quota;
};

/*
 * Creates user name (email may be NULL for khubctl, fullname NULL for
 * "", password NULL for a user who logs in with tokens only) after the
 * checks registration makes: 400 for a bad or reserved name, e-mail or a
 * short password, 409 Conflict for a taken name or e-mail. *id gets the
 * new user's id.
 */
int	 account_create(struct db *, struct arena *, const char *name,
	    const char *email, const char *fullname, const char *password,
	    int64_t *id, struct kerr *);
/* The id of user or organization name (kind "user", "org", or NULL for
 * either); 404 NotFound otherwise. */
int	 account_find(struct db *, struct arena *, const char *name,
	    const char *kind, int64_t *id, struct kerr *);
/* Every user, by name, into *out (arena memory), *n of them. */
int	 account_list(struct db *, struct arena *, struct account **out,
	    size_t *n, struct kerr *);
/* Disables or enables a user (a disabled one's tokens and sessions stop
 * working; auth.c checks it on every request). */
int	 account_set_disabled(struct db *, struct arena *, const char *name,
	    bool disabled, struct kerr *);
/* Makes a user a site admin or an ordinary user again: the admin API
 * takes a site admin's write tokens (api_admin.c); 404 NotFound for an
 * organization or no one. */
int	 account_set_site_admin(struct db *, struct arena *, const char *name,
	    bool on, struct kerr *);
/* Whether user id is a site admin now: *yes is false for a disabled user,
 * an organization or an id no one has. */
int	 account_is_site_admin(struct db *, struct arena *, int64_t id,
	    bool *yes, struct kerr *);
/* A new password; the user's browser sessions end with the old one. */
int	 account_set_password(struct db *, struct arena *, const char *name,
	    const char *password, struct kerr *);
/* The quota of a user or organization: bytes, or the server's default
 * (none true). */
int	 account_set_quota(struct db *, struct arena *, const char *name,
	    bool none, uint64_t bytes, struct kerr *);
/* What a user or organization stores: repositories, bytes, its quota
 * (default_quota: the server's [server] default_quota). */
int	 account_usage(struct db *, struct arena *, const char *name,
	    uint64_t default_quota, struct usage *, struct kerr *);

struct repo_size {
	char		*type, *name;	/* "model", "dataset", "space" */
	bool		 private_;
	uint64_t	 bytes;		/* every file it references, once */
};

struct storage {
	int64_t		 users, orgs, repos, blobs;
	uint64_t	 bytes;		/* distinct blobs: what S3 holds */
};

/* The repositories of a user or organization with their sizes, by type
 * and name. */
int	 account_repos(struct db *, struct arena *, const char *name,
	    struct repo_size **out, size_t *n, struct kerr *);
/* Totals of the whole hub. */
int	 account_storage(struct db *, struct arena *, struct storage *,
	    struct kerr *);

#endif
