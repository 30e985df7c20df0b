/*
 * orgs.h: organizations, the same rules for every front door (the API,
 * khubctl, the pages to come): names, full names, members and roles. An
 * organization always keeps at least one admin. Functions return 0, or
 * -1 with *e filled (kerr.h); none answers a request.
 */
#ifndef KHUB_ORGS_H
#define KHUB_ORGS_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "kerr.h"

#define ORG_FULLNAME_MAX	255	/* characters: the column's size */

/* Whether role is one a member may have: read, write or admin. */
bool	 org_role_valid(const char *role);
/*
 * Creates organization name (fullname NULL for "") with owner_id as its
 * first admin, both or neither: 400 for a bad or reserved name or full
 * name, 409 Conflict when a user or organization has the name. *id gets
 * the new organization's id.
 */
int	 org_create(struct db *, struct arena *, const char *name,
	    const char *fullname, int64_t owner_id, int64_t *id, struct kerr *);
/*
 * Makes user a member of organization org_id (named org, for messages)
 * with role, or changes their role; role NULL removes them. 404 for no
 * such user or, removing, no such member; 400 for a bad role or when the
 * change would leave the organization without an admin. *uname (may be
 * NULL) gets the user's name as stored.
 */
int	 org_member_set(struct db *, struct arena *, int64_t org_id,
	    const char *org, const char *user, const char *role, char **uname,
	    struct kerr *);

/* A member as the organization's members see them. */
struct org_member {
	char		*name, *fullname, *role;
};

/* The members of organization org_id, by name, into *out (arena memory),
 * *n of them. */
int	 org_members(struct db *, struct arena *, int64_t org_id,
	    struct org_member **out, size_t *n, struct kerr *);

#endif
