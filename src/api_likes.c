/*
 * api_likes.c: likes (likes.c) over HTTP: like and unlike (POST and
 * DELETE .../like, a write token), a user's likes and a repository's
 * likers, in pages that follow Link: rel="next" (huggingface_hub's
 * paginate()). A private repository the caller may not read is
 * RepoNotFound here as everywhere, and stays out of a user's likes.
 */
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "jsonutil.h"
#include "likes.h"

#define LIKES_PAGE	100	/* likes a page, unless ?limit= */
#define LIKES_PAGE_MAX	1000

void
api_like(struct req *r)
{
	struct repo *repo = r->repo;
	struct dctx x;
	struct kerr e;

	if (auth_require_write(r) != 0)
		return;
	x = req_dctx(r);
	if (likes_set(&x, repo->id, r->method == M_POST, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	resp_json(r, 200, jobj());
}

/* Sets the Link of the page after items[0..n) when the query found more
 * than limit (it is asked for limit + 1). */
static void
link_next(struct req *r, const char *path, const struct like_item *items,
    size_t n, size_t limit)
{
	if (n > limit)
		resp_link_next(r, path, arena_printf(r->a, "%lld",
		    (long long)items[limit - 1].id));
}

void
api_user_likes(struct req *r)
{
	struct like_item *it;
	json_object *a, *o, *repo;
	struct dctx x;
	struct kerr e;
	size_t limit, n, i;
	int64_t before;

	if (req_page(r, LIKES_PAGE, LIKES_PAGE_MAX, &limit, &before) != 0)
		return;
	x = req_dctx(r);
	if (likes_of_user(&x, r->args.arg, before, limit + 1, &it, &n,
	    &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	a = jarr();
	for (i = 0; i < n && i < limit; i++) {
		o = jobj();
		repo = jobj();
		jset(o, "createdAt", jstr(iso_time_ms(r->a, it[i].created_ms)));
		jset(repo, "name", jstr(repo_id_of(r->a, it[i].ns,
		    it[i].name)));
		jset(repo, "type", jstr(it[i].type));
		jset(o, "repo", repo);
		json_object_array_add(a, o);
	}
	link_next(r, arena_printf(r->a, "/api/users/%s/likes", r->args.arg),
	    it, n, limit);
	resp_json(r, 200, a);
}

void
api_repo_likers(struct req *r)
{
	struct like_item *it;
	struct repo *repo = r->repo;
	json_object *a, *o;
	struct dctx x;
	struct kerr e;
	size_t limit, n, i;
	int64_t before;

	if (req_page(r, LIKES_PAGE, LIKES_PAGE_MAX, &limit, &before) != 0)
		return;
	x = req_dctx(r);
	if (likes_of_repo(&x, repo->id, before, limit + 1, &it, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	a = jarr();
	for (i = 0; i < n && i < limit; i++) {
		o = jobj();
		jset(o, "user", jstr(it[i].user));
		jset(o, "fullname", jstr(it[i].fullname));
		/* khub keeps no pictures: the key the clients require */
		jset(o, "avatarUrl", jstr(""));
		jset(o, "type", jstr("user"));
		json_object_array_add(a, o);
	}
	link_next(r, arena_printf(r->a, "/api/%s/%s/likers",
	    repo_type_plural(repo->type), repo->full), it, n, limit);
	resp_json(r, 200, a);
}
