/*
 * api_repo.c: opening a request's repository (repo.h's rules) and
 * answering what they refuse.
 */
#include <string.h>

#include "api_repo.h"
#include "auth.h"
#include "filelist.h"
#include "hub.h"
#include "mirror.h"
#include "names.h"

static void
not_found(struct req *r)
{
	struct kerr e;

	repo_not_found(&e, r->who == NULL);
	resp_kerr(r, &e);
}

/*
 * A read of a repository that is not here: the mirror's upstreams may have
 * it (unless ?fallback=false). 0: it is here now, look again; 1: answered.
 */
static int
pull(struct req *r, enum access need)
{
	struct dctx d;
	struct kerr e;
	const char *fb = req_query(r, "fallback");
	int rc;

	if (need != ACCESS_READ || !mirror_enabled(&r->hub->conf) ||
	    (fb != NULL && !strcmp(fb, "false"))) {
		not_found(r);
		return 1;
	}
	d = req_dctx(r);
	if ((rc = mirror_pull(&d, repo_type_name(r->args.type), r->args.ns,
	    r->args.name, &e)) < 0)
		resp_kerr(r, &e);
	else if (rc == 1)
		not_found(r);
	return rc == 0 ? 0 : 1;
}

struct repo *
repo_open_rev(struct req *r, enum access need, const char *rev)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct repo_token tok;
	struct repo_ask q;
	struct repo *repo;
	struct dctx d;
	struct kerr e;
	bool pulled = false;
	int token;

	/* A token is looked up with the repository (one round trip); the
	 * rest (a session cookie) first. */
	memset(hash, 0, sizeof(hash));
	if ((token = auth_token_pending(r, hash)) < 0 ||
	    (token == 0 && auth_identify(r) != 0))
		return NULL;
	if (!name_ascii(r->args.ns) || !name_ascii(r->args.name)) {
		if (token && auth_identify(r) != 0)
			return NULL;
		not_found(r);	/* a name no repository can have */
		return NULL;
	}
again:
	d = req_dctx(r);
	memset(&q, 0, sizeof(q));
	q.type = r->args.type;
	q.ns = r->args.ns;
	q.name = r->args.name;
	q.rev = rev;
	q.user_id = r->who != NULL ? r->who->user_id : 0;
	q.token_hash = token ? hash : NULL;
	if (repo_find(&d, &q, &repo, &tok, &e) != 0) {
		resp_kerr(r, &e);
		return NULL;
	}
	if (token && auth_token_found(r, tok.p, tok.stored, tok.slen,
	    hash) != 0)
		return NULL;
	if (repo == NULL) {
		/* not here: an upstream hub may have it (mirror.c) */
		if (!pulled && pull(r, need) == 0) {
			pulled = true;
			token = 0;	/* r->who is known now */
			goto again;
		}
		if (r->status == 0)
			not_found(r);
		return NULL;
	}
	repo_grant(repo, r->who);
	if (repo_allow(repo, r->who, need, &e) != 0) {
		resp_kerr(r, &e);
		return NULL;
	}
	return repo;
}

struct repo *
repo_open(struct req *r, enum access need)
{
	return repo_open_rev(r, need, NULL);
}

int
repo_resolve(struct req *r, struct repo *repo, const char *rev,
    struct rev *out)
{
	struct dctx d = req_dctx(r);
	struct kerr e;

	if (repo_rev(&d, repo, rev, out, &e) != 0) {
		resp_kerr(r, &e);
		return -1;
	}
	return 0;
}

struct repo *
repo_open_page(struct req *r, const char *rev, size_t *offset,
    struct rev *out)
{
	struct repo *repo;
	const char *cursor = req_query(r, "cursor");
	/* in the arena: repo_rev() keeps it as repo->rev_asked */
	char *hex = arena_alloc(r->a, OID_HEX + 1);
	bool paged = cursor != NULL && *cursor != '\0';

	*offset = 0;
	if (paged && tree_cursor_parse(cursor, offset, hex) != 0) {
		resp_error(r, 400, "BadRequest", "Invalid cursor");
		return NULL;
	}
	if ((repo = repo_open_rev(r, ACCESS_READ, rev)) == NULL)
		return NULL;
	if (paged) {
		/* not the ref repo_find() looked up: the commit itself */
		repo->rev_is_ref = false;
		rev = hex;
	}
	if (repo_resolve(r, repo, rev, out) != 0)
		return NULL;
	return repo;
}

char *
repo_url(struct req *r, const struct repo *repo)
{
	return arena_printf(r->a, "%s/%s%s", r->endpoint,
	    repo_type_prefix(repo->type), repo->full);
}
