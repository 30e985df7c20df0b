/*
 * tokens.h: issuing access tokens, the same rules for every front door
 * (the API's token settings, khubctl, the pages to come). A token is shown
 * once, when issued; only its hash is stored (secrets.h). Functions return
 * 0, or -1 with *e filled (kerr.h); none answers a request.
 */
#ifndef KHUB_TOKENS_H
#define KHUB_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "kerr.h"
#include "secrets.h"

#define TOKEN_NAME_MAX		100	/* characters */
#define TOKEN_DAYS_MAX		3650	/* the longest lifetime */

struct token_issued {
	char		 token[TOKEN_LEN + 1];	/* wipe it once shown */
	int64_t		 id;
	int64_t		 created_ms;
	int64_t		 expires_ms;		/* 0: never */
};

/* Whether role is a token's: read or write. */
bool	 token_role_valid(const char *role);
/*
 * Issues a token named name (1 to TOKEN_NAME_MAX characters of text) with
 * role for user_id, expiring at Unix time until (0: never; else in the
 * future, within TOKEN_DAYS_MAX days): 400 for a bad name, role or time.
 * *out gets the token and its record.
 */
int	 token_issue(struct db *, struct arena *, int64_t user_id,
	    const char *name, const char *role, int64_t until,
	    struct token_issued *out, struct kerr *);

/* A live token as its owner sees it (never its value). */
struct token_rec {
	int64_t		 id;
	char		*name, *role;
	int64_t		 created_ms;
	int64_t		 expires_ms;		/* 0: never */
	bool		 expired;
};

/* The user's tokens not revoked (expired ones too), oldest first, into
 * *out (arena memory), *n of them. */
int	 token_list(struct db *, struct arena *, int64_t user_id,
	    struct token_rec **out, size_t *n, struct kerr *);
/* Revokes the user's token id: 404 NotFound when the user has no such
 * live token (another user's is as unknown as a missing one). */
int	 token_revoke(struct db *, struct arena *, int64_t user_id, int64_t id,
	    struct kerr *);

#endif
