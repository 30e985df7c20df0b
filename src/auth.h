/*
 * auth.h: who is calling. Tokens come as "Authorization: Bearer hf_..." or,
 * from git-lfs, as HTTP Basic with the token as the password.
 */
#ifndef KHUB_AUTH_H
#define KHUB_AUTH_H

#include <stdint.h>

#include "request.h"

struct principal {
	int64_t		 user_id;
	char		*name, *fullname, *email;
	int64_t		 token_id;
	char		*token_name;
	char		*token_role;	/* "read" or "write" */
	int64_t		 token_created_ms;	/* Unix time, milliseconds */
};

/*
 * Identifies the caller into r->who (NULL: anonymous). Returns 0, or answers
 * itself (401 for a token that is malformed, unknown, expired or revoked;
 * 503 when the database is down) and returns -1.
 */
int	 auth_identify(struct req *);
/* auth_identify, and 401 for an anonymous caller. */
int	 auth_require(struct req *);

#endif
