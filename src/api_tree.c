/*
 * api_tree.c: the files of a revision: tree and paths-info.
 *
 *	GET  /api/{type}s/{ns}/{name}/tree/{rev}[/{path}]
 *	     ?recursive=&expand=&limit=&cursor=
 *	POST /api/{type}s/{ns}/{name}/paths-info/{rev}
 *	     paths=a&paths=b&expand=  (form) or {"paths":[...],"expand":..}
 *
 * Items: {"type":"file"|"directory","oid","size","path"} with "lfs"
 * {oid,size,pointerSize} for LFS files and, with expand, "lastCommit".
 * Trees come through the object cache; blob sizes in one query a page.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "api_repo.h"
#include "db.h"
#include "gitstore.h"
#include "history.h"
#include "hub.h"
#include "jsonutil.h"
#include "jtext.h"

/* Items per tree page: the default and the most one may ask for. */
#define TREE_LIMIT		1000
#define TREE_LIMIT_EXPAND	100
#define TREE_LIMIT_MAX		10000
/* Paths one paths-info request may ask for (as many as a preupload). */
#define PATHS_INFO_MAX		1000

/* One entry to answer with, its full path from the root. */
struct item {
	const char	*path;
	struct tree_entry e;
};

struct items {
	struct item	*v;
	size_t		 n, cap;
};

static void
items_add(struct arena *a, struct items *it, const char *path,
    const struct tree_entry *e)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? 2 * it->cap : 64;
		struct item *v = arena_alloc(a, cap * sizeof(*v));

		if (it->n > 0)
			memcpy(v, it->v, it->n * sizeof(*v));
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n].path = path;
	it->v[it->n].e = *e;
	it->n++;
}

static bool
is_dir(const struct tree_entry *e)
{
	return e->mode == MODE_DIR;
}

/*
 * Writes the items as a JSON array: blob sizes (and LFS data) for files
 * in one batch, lastCommit for each when expand. Returns 0 or -1 (database
 * error, not answered).
 */
static int
write_items(struct req *r, struct buf *b, const struct items *it,
    const struct oid *commit, bool expand)
{
	struct blob_info *blobs, *fb;
	struct last_commit *lc = NULL;
	struct oid *oids, *fo;
	bool *found, *ff;
	size_t i, nf = 0;

	oids = arena_alloc(r->a, (it->n + 1) * sizeof(*oids));
	blobs = arena_alloc(r->a, (it->n + 1) * sizeof(*blobs));
	found = arena_zalloc(r->a, (it->n + 1) * sizeof(*found));
	fo = arena_alloc(r->a, (it->n + 1) * sizeof(*fo));
	fb = arena_alloc(r->a, (it->n + 1) * sizeof(*fb));
	ff = arena_alloc(r->a, (it->n + 1) * sizeof(*ff));
	for (i = 0; i < it->n; i++) {
		oids[i] = it->v[i].e.oid;
		if (!is_dir(&it->v[i].e))
			fo[nf++] = oids[i];
	}
	/* Sizes for the files only, in one batch. */
	if (gitstore_blobs(r->hub->db, r->a, fo, nf, fb, ff) != 0)
		return -1;
	for (i = 0, nf = 0; i < it->n; i++)
		if (!is_dir(&it->v[i].e)) {
			blobs[i] = fb[nf];
			found[i] = ff[nf++];
		}
	if (expand) {
		const char **paths = arena_alloc(r->a, (it->n + 1) *
		    sizeof(*paths));

		for (i = 0; i < it->n; i++)
			paths[i] = it->v[i].path;
		lc = arena_alloc(r->a, (it->n + 1) * sizeof(*lc));
		if (last_commits(r->hub->db, r->a, commit, it->n, paths, oids, lc) != 0)
			return -1;
	}
	buf_addc(b, '[');
	for (i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];
		char hex[OID_HEX + 1];

		oid_hex(&x->e.oid, hex);
		if (i > 0)
			buf_addc(b, ',');
		if (is_dir(&x->e))
			buf_printf(b, "{\"type\":\"directory\",\"oid\":\"%s\","
			    "\"size\":0,\"path\":", hex);
		else
			buf_printf(b, "{\"type\":\"file\",\"oid\":\"%s\","
			    "\"size\":%llu,\"path\":", hex, found[i] ?
			    (unsigned long long)blobs[i].size : 0ULL);
		jtext_str(b, x->path, strlen(x->path));
		if (!is_dir(&x->e) && found[i] && blobs[i].lfs) {
			char sha[2 * SHA256_LEN + 1];
			struct buf ptr;

			buf_init(&ptr, r->a);
			lfs_pointer(&ptr, blobs[i].sha256, blobs[i].size);
			hex_encode(sha, blobs[i].sha256, SHA256_LEN);
			buf_printf(b, ",\"lfs\":{\"oid\":\"%s\",\"size\":%llu,"
			    "\"pointerSize\":%zu}", sha,
			    (unsigned long long)blobs[i].size, ptr.len);
		}
		if (expand) {
			buf_addc(b, ',');
			jtext_last_commit(r->a, b, &lc[i]);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
	return 0;
}

/* A listing in progress: skip entries before the page, keep up to want. */
struct lister {
	struct req	*r;
	struct items	 it;
	size_t		 skip, want;
	bool		 recursive, more;
};

/* gitstore_tree_walk()'s callback: skips the entries before the page,
 * keeps up to want, goes into folders only for a recursive listing. */
static int
list_entry(void *arg, const char *dir, const struct tree_entry *e)
{
	struct lister *L = arg;
	int into = L->recursive && is_dir(e) ? GS_WALK_ON : GS_WALK_SKIP;

	if (e->mode == 0160000)
		return GS_WALK_SKIP;	/* a submodule: not a file here */
	if (L->it.n == L->want) {
		L->more = true;
		return GS_WALK_STOP;
	}
	if (L->skip > 0)
		L->skip--;
	else
		items_add(L->r->a, &L->it, gitstore_path(L->r->a, dir, e), e);
	return into;
}

/* A limit from the query: dflt when absent, -1 (answered) when bad. */
static long
limit_of(struct req *r, long dflt, long max)
{
	const char *s = req_query(r, "limit");
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1) {
		resp_error(r, 400, "BadRequest", "Invalid limit: %s", s);
		return -1;
	}
	return v > max ? max : v;
}

/* The route's repository (looked up with rev) at rev, resolved, its
 * commit read; answers and returns NULL on error. */
static struct repo *
at_rev(struct req *r, const char *rev, struct rev *rv,
    struct commit_info *ci)
{
	struct repo *repo = r->repo;
	char hex[OID_HEX + 1];
	int rc;

	if (repo_resolve(r, repo, rev, rv) != 0)
		return NULL;
	oid_hex(&rv->commit, hex);
	resp_header(r, "X-Repo-Commit", "%s", hex);
	if ((rc = gitstore_commit(r->hub->db, r->a, &rv->commit, ci)) != 0) {
		resp_db_error(r);
		return NULL;
	}
	return repo;
}

void
api_tree(struct req *r)
{
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct tree_entry at;
	struct lister L;
	struct buf b, link;
	char *path, hex[OID_HEX + 1];
	size_t offset = 0, n;
	long limit;
	int recursive, expand, rc;

	if ((recursive = req_query_bool(r, "recursive", 0)) < 0 ||
	    (expand = req_query_bool(r, "expand", 0)) < 0)
		return;
	if ((limit = limit_of(r, expand ? TREE_LIMIT_EXPAND : TREE_LIMIT,
	    TREE_LIMIT_MAX)) < 0)
		return;
	if ((repo = repo_open_page(r, r->args.rev, &offset, &rv)) == NULL)
		return;
	oid_hex(&rv.commit, hex);
	resp_header(r, "X-Repo-Commit", "%s", hex);
	if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
		resp_db_error(r);
		return;
	}
	/* "dir/" names the folder "dir". */
	path = arena_strdup(r->a, r->args.path);
	for (n = strlen(path); n > 0 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	if ((rc = gitstore_walk(r->hub->db, r->a, &ci.tree, path, &at)) < 0) {
		resp_db_error(r);
		return;
	}
	/* A file is not a folder to list: the Hub answers EntryNotFound
	 * (HfFileSystem relies on it to tell files from folders). */
	if (rc > 0 || !is_dir(&at)) {
		resp_error(r, 404, "EntryNotFound", "%s does not exist at "
		    "revision %s", *path ? path : "/", r->args.rev);
		return;
	}
	memset(&L, 0, sizeof(L));
	L.r = r;
	L.skip = offset;
	L.want = (size_t)limit;
	L.recursive = recursive;
	/* Depth first, in git order; missing trees: the store is damaged. */
	if (gitstore_tree_walk(r->hub->db, r->a, &at.oid, path, list_entry,
	    &L) != 0) {
		resp_db_error(r);
		return;
	}
	buf_init(&b, r->a);
	if (write_items(r, &b, &L.it, &rv.commit, expand) != 0) {
		resp_db_error(r);
		return;
	}
	if (L.more) {
		buf_init(&link, r->a);
		buf_printf(&link, "/api/%s/", repo_type_plural(repo->type));
		url_encode(&link, repo->full, strlen(repo->full), true);
		buf_adds(&link, "/tree/");
		url_encode(&link, r->args.rev, strlen(r->args.rev), false);
		if (*path) {
			buf_addc(&link, '/');
			url_encode(&link, path, strlen(path), true);
		}
		resp_link_next(r, link.data, arena_printf(r->a, "%zu.%s",
		    offset + L.it.n, hex));
	}
	resp_send(r, 200, "application/json", b.data, b.len);
}

/* The paths and expand flag of a paths-info body, form or JSON: the
 * router read it (BODY_JSON_OR_FORM, after the repository was opened),
 * every string in it UTF-8 with no NUL. */
static int
paths_body(struct req *r, const char ***paths, size_t *npaths, int *expand)
{
	size_t i, n = 0;

	*expand = -2;
	if (req_read_body(r) != 0)
		return -1;
	if (r->json != NULL) {
		json_object *o = r->json, *v;

		if (json_object_object_get_ex(o, "paths", &v)) {
			if (json_object_is_type(v, json_type_string)) {
				*paths = arena_alloc(r->a, sizeof(**paths));
				(*paths)[n++] = json_object_get_string(v);
			} else if (json_object_is_type(v, json_type_array)) {
				size_t k, m = json_object_array_length(v);

				*paths = arena_alloc(r->a, (m + 1) *
				    sizeof(**paths));
				for (k = 0; k < m; k++) {
					json_object *p =
					    json_object_array_get_idx(v, k);

					if (!json_object_is_type(p,
					    json_type_string)) {
						resp_error(r, 400, "BadRequest",
						    "paths must be strings");
						return -1;
					}
					(*paths)[n++] =
					    json_object_get_string(p);
				}
			} else {
				resp_error(r, 400, "BadRequest",
				    "paths must be a list of strings");
				return -1;
			}
		}
		if (json_object_object_get_ex(o, "expand", &v) && v != NULL) {
			if (json_object_is_type(v, json_type_boolean))
				*expand = json_object_get_boolean(v);
			else if (json_object_is_type(v, json_type_string)) {
				struct qarg q = { "expand",
				    json_object_get_string(v) };

				*expand = query_bool(&q, 1, "expand", 0);
			} else
				*expand = -1;
		}
	} else {
		*paths = arena_alloc(r->a, (r->nform + 1) * sizeof(**paths));
		for (i = 0; i < r->nform; i++)
			if (!strcmp(r->form[i].key, "paths") ||
			    !strcmp(r->form[i].key, "paths[]"))
				(*paths)[n++] = r->form[i].value;
		if (query_get(r->form, r->nform, "expand") != NULL)
			*expand = query_bool(r->form, r->nform, "expand", 0);
	}
	if (*expand == -1) {
		resp_error(r, 400, "BadRequest", "expand must be true or "
		    "false");
		return -1;
	}
	*npaths = n;
	return 0;
}

/* One path asked for: normalized, split into its folder and name. */
struct asked {
	const char	*path;
	const char	*dir;		/* "" for the root */
	const char	*name;
	size_t		 order;		/* its place in the request */
	bool		 found;
	struct tree_entry e;
};

static int
asked_path_cmp(const void *x, const void *y)
{
	const struct asked *a = x, *b = y;
	int c = strcmp(a->path, b->path);

	return c != 0 ? c : a->order < b->order ? -1 : a->order > b->order;
}

static int
asked_dir_cmp(const void *x, const void *y)
{
	const struct asked *a = x, *b = y;

	return strcmp(a->dir, b->dir);
}

static int
asked_order_cmp(const void *x, const void *y)
{
	const struct asked *a = x, *b = y;

	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * Finds the n distinct asked paths (sorted by folder) in the tree root:
 * each folder is read once, however many of its entries are asked.
 * Returns 0 or -1 (database error).
 */
static int
find_asked(struct req *r, const struct oid *root, struct asked *v, size_t n)
{
	size_t i = 0, j, k;

	while (i < n) {
		struct tree_entry d;
		struct tree t;
		int rc;

		for (j = i + 1; j < n && !strcmp(v[j].dir, v[i].dir); j++)
			;
		if ((rc = gitstore_walk(r->hub->db, r->a, root, v[i].dir,
		    &d)) < 0)
			return -1;
		if (rc == 0 && is_dir(&d)) {
			if (gitstore_tree(r->hub->db, r->a, &d.oid, &t) != 0)
				return -1;
			for (k = i; k < j; k++) {
				long x = tree_find(&t, v[k].name,
				    strlen(v[k].name));

				if (x >= 0 && t.e[x].mode != 0160000) {
					v[k].e = t.e[x];
					v[k].found = true;
				}
			}
		}
		i = j;
	}
	return 0;
}

void
api_paths_info(struct req *r)
{
	struct rev rv;
	struct commit_info ci;
	struct asked *v;
	struct items it;
	struct buf b;
	const char **paths = NULL;
	size_t npaths = 0, n = 0, u, i;
	int expand;

	if (at_rev(r, r->args.rev, &rv, &ci) == NULL)
		return;
	if (paths_body(r, &paths, &npaths, &expand) != 0)
		return;
	if (expand == -2 && (expand = req_query_bool(r, "expand", 0)) < 0)
		return;
	/* Bounded before any tree is read: each path costs a lookup and an
	 * item, and with expand a walk through history. */
	if (npaths > PATHS_INFO_MAX) {
		resp_error(r, 400, "BadRequest", "At most %d paths per "
		    "request, got %zu", PATHS_INFO_MAX, npaths);
		return;
	}
	v = arena_zalloc(r->a, (npaths + 1) * sizeof(*v));
	for (i = 0; i < npaths; i++) {
		char *p = arena_strdup(r->a, paths[i]), *slash;
		size_t len;

		/* "/a/b/" names "a/b"; the root itself is not an entry. */
		while (*p == '/')
			p++;
		for (len = strlen(p); len > 0 && p[len - 1] == '/'; len--)
			p[len - 1] = '\0';
		if (*p == '\0')
			continue;
		v[n].path = p;
		v[n].order = i;
		if ((slash = strrchr(p, '/')) != NULL) {
			v[n].dir = arena_strndup(r->a, p, (size_t)(slash - p));
			v[n].name = slash + 1;
		} else {
			v[n].dir = "";
			v[n].name = p;
		}
		n++;
	}
	/* Asked twice, answered once: sorted, the first of equal paths
	 * is the one asked first. */
	qsort(v, n, sizeof(*v), asked_path_cmp);
	for (i = 0, u = 0; i < n; i++)
		if (i == 0 || strcmp(v[i - 1].path, v[i].path) != 0)
			v[u++] = v[i];
	qsort(v, u, sizeof(*v), asked_dir_cmp);
	if (find_asked(r, &ci.tree, v, u) != 0) {
		resp_db_error(r);
		return;
	}
	/* Answered in the order asked; missing paths are simply absent. */
	qsort(v, u, sizeof(*v), asked_order_cmp);
	memset(&it, 0, sizeof(it));
	for (i = 0; i < u; i++)
		if (v[i].found)
			items_add(r->a, &it, v[i].path, &v[i].e);
	buf_init(&b, r->a);
	if (write_items(r, &b, &it, &rv.commit, expand == 1) != 0) {
		resp_db_error(r);
		return;
	}
	resp_send(r, 200, "application/json", b.data, b.len);
}
