/*
 * gated.h: gated repositories. A gated repository's metadata stays
 * readable by whoever may read it; its files only by its owner, the
 * members of its organization, and the users whose access request was
 * accepted ("auto": at once; "manual": by a writer). Functions return 0,
 * or -1 with *e filled (kerr.h); none answers a request.
 */
#ifndef KHUB_GATED_H
#define KHUB_GATED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dctx.h"
#include "kerr.h"

/* repo.gated as stored. */
enum gate { GATE_OFF = 0, GATE_AUTO = 1, GATE_MANUAL = 2 };

/* The Hub's spelling of a gate: "auto", "manual", or NULL (false). */
const char	*gate_name(enum gate);
/* The gate a stored repo.gated value means (anything unknown: off). */
enum gate	 gate_of(int64_t stored);

enum gate_verdict {
	GATE_PASS,		/* may read the files */
	GATE_LOGIN,		/* anonymous: log in first */
	GATE_ASK,		/* no accepted request: ask for access */
	GATE_PENDING,		/* asked, not answered yet */
	GATE_REJECTED		/* asked, and refused */
};

/*
 * Whether the caller (d->user_id; member: the caller owns the repository
 * or is a member of its organization) may read the files of repository
 * repo_id gated g. No database round trip for an ungated repository, a
 * member or an anonymous caller; else one.
 */
int	 gate_verdict(const struct dctx *, int64_t repo_id, enum gate g,
	    bool member, enum gate_verdict *v, struct kerr *);

/*
 * The caller asks for access to repository repo_id gated g (fields: the
 * answers of the form as a JSON object's text, or NULL). "auto" accepts
 * at once, "manual" leaves it pending; *status gets which. 400 when the
 * repository is not gated or the caller is a member (member), 409 when
 * the caller asked already.
 */
int	 gate_ask(const struct dctx *, int64_t repo_id, enum gate g,
	    bool member, const char *fields, const char **status,
	    struct kerr *);

/*
 * Moves user's request for repository repo_id (gated g) to status
 * ("pending": a cancel, "accepted", "rejected" with reason, at most
 * GATE_REASON_MAX characters, or NULL). 400 for a repository not gated, a
 * bad status or reason; 404 for an unknown user, no request, or a request
 * in that status already (the Hub's answers).
 */
#define GATE_REASON_MAX	200
int	 gate_handle(const struct dctx *, int64_t repo_id, enum gate g,
	    const char *user, const char *status, const char *reason,
	    struct kerr *);
/*
 * Gives user access to repository repo_id (gated g, owned by namespace
 * owner_id) without a request of theirs: their request, if any, becomes
 * accepted. 400 when not gated or when user has access already (accepted,
 * or a member), 404 for an unknown user. *name gets the user's name.
 */
int	 gate_grant(const struct dctx *, int64_t repo_id, enum gate g,
	    int64_t owner_id, const char *user, char **name, struct kerr *);

/* One access request, as a list shows it. */
struct gate_req {
	int64_t		 id;		/* the page cursor */
	char		*user, *fullname, *email;	/* email may be NULL */
	char		*status, *fields, *reason;	/* fields, reason: NULL */
	int64_t		 created_ms;
};
/*
 * The requests of repository repo_id (gated g) in status, oldest first,
 * after request id `after` (0: from the first), at most want into *out
 * (in d->a), *n of them. 400 when not gated or for a bad status.
 */
int	 gate_list(const struct dctx *, int64_t repo_id, enum gate g,
	    const char *status, int64_t after, size_t want,
	    struct gate_req **out, size_t *n, struct kerr *);

#endif
