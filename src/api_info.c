/*
 * api_info.c: a repository's information.
 *
 *	GET /api/{type}s/{ns}/{name}[/revision/{rev}]	repo info
 *
 * The card (README.md's front matter, card.c) gives tags, pipeline_tag,
 * library_name and cardData; the siblings are every file of the
 * revision, with sizes and LFS ids when ?blobs=1; storage is the
 * repository's, and its namespace's quota, for a caller who may write.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "api_summary.h"
#include "db.h"
#include "gitstore.h"
#include "hub.h"
#include "jsonutil.h"
#include "jtext.h"
#include "quota.h"

/* The files of a revision, in git order (= path order). */
struct files {
	struct arena	*a;
	const char	**paths;
	struct oid	*oids;		/* one array: gitstore_blobs() takes it */
	size_t		 n, pcap, ocap;
};

/* gitstore_tree_walk()'s callback: a file (not a folder, not a
 * submodule) into f. */
static int
file_add(void *arg, const char *dir, const struct tree_entry *e)
{
	struct files *f = arg;

	if (e->mode == MODE_DIR || e->mode == 0160000)
		return GS_WALK_ON;
	f->paths = arena_grow(f->a, f->paths, f->n, &f->pcap,
	    sizeof(*f->paths), 256);
	f->oids = arena_grow(f->a, f->oids, f->n, &f->ocap, sizeof(*f->oids),
	    256);
	f->paths[f->n] = gitstore_path(f->a, dir, e);
	f->oids[f->n++] = e->oid;
	return GS_WALK_ON;
}

/* Appends "siblings":[...] for the tree root; -1 on a database error. */
static int
jtext_siblings(struct req *r, struct buf *b, const struct oid *root,
    bool blobs)
{
	struct files w;
	struct blob_info *bi = NULL;
	bool *found = NULL;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.a = r->a;
	if (gitstore_tree_walk(r->hub->db, r->a, root, "", file_add, &w) != 0)
		return -1;
	if (blobs) {
		bi = arena_alloc(r->a, (w.n + 1) * sizeof(*bi));
		found = arena_alloc(r->a, (w.n + 1) * sizeof(*found));
		if (gitstore_blobs(r->hub->db, r->a, w.oids, w.n, bi,
		    found) != 0)
			return -1;
	}
	buf_adds(b, ",\"siblings\":[");
	for (i = 0; i < w.n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		buf_adds(b, "{\"rfilename\":");
		jtext_str(b, w.paths[i], strlen(w.paths[i]));
		if (blobs) {
			char hex[OID_HEX + 1];

			oid_hex(&w.oids[i], hex);
			buf_printf(b, ",\"size\":%llu,\"blobId\":\"%s\"",
			    found[i] ? (unsigned long long)bi[i].size : 0ULL,
			    hex);
			if (found[i] && bi[i].lfs) {
				char sha[2 * SHA256_LEN + 1];
				struct buf ptr;

				buf_init(&ptr, r->a);
				lfs_pointer(&ptr, bi[i].sha256, bi[i].size);
				hex_encode(sha, bi[i].sha256, SHA256_LEN);
				buf_printf(b, ",\"lfs\":{\"sha256\":\"%s\","
				    "\"size\":%llu,\"pointerSize\":%zu}", sha,
				    (unsigned long long)bi[i].size, ptr.len);
			} else
				buf_adds(b, ",\"lfs\":null");
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
	return 0;
}

/*
 * Appends "storage":{...} (or "usedStorage": N); -1 on a database error.
 * used_bytes is this repository's; the quota and what is left of it are
 * its namespace's, as quotas are counted (quota.c).
 */
static int
jtext_storage(struct req *r, struct buf *b, const struct repo *repo,
    bool used_only)
{
	uint64_t quota = 0, used, ns_used = 0;

	if (quota_repo_used(r->hub->db, r->a, repo->id, repo->updated_ms,
	    &used) != 0)
		return -1;
	if (used_only) {
		buf_printf(b, ",\"usedStorage\":%llu", (unsigned long long)used);
		return 0;
	}
	if (quota_used(r->hub->db, r->a, repo->owner_id,
	    r->hub->conf.default_quota, &ns_used, &quota) != 0)
		return -1;
	buf_printf(b, ",\"storage\":{\"used_bytes\":%llu",
	    (unsigned long long)used);
	if (quota == 0)		/* none */
		buf_adds(b, ",\"quota_bytes\":null,\"available_bytes\":null,"
		    "\"percentage_used\":null,\"effective_quota_bytes\":null");
	else
		buf_printf(b, ",\"quota_bytes\":%llu,\"available_bytes\":%llu,"
		    "\"percentage_used\":%.2f,\"effective_quota_bytes\":%llu",
		    (unsigned long long)quota, (unsigned long long)(quota >
		    ns_used ? quota - ns_used : 0), 100.0 * (double)ns_used /
		    (double)quota, (unsigned long long)quota);
	buf_adds(b, ",\"is_inheriting\":false}");
	return 0;
}

void
api_repo_info(struct req *r)
{
	/* HEAD (the JS client's default revision) is resolved by repo.c. */
	const char *asked = r->args.rev != NULL ? r->args.rev : "main",
	    *rev = asked;
	bool revform = r->args.rev != NULL, given, have_commit = false;
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct summary sum;
	struct buf b;
	char hex[OID_HEX + 1];
	unsigned f;
	int blobs;

	if ((blobs = req_query_bool(r, "blobs", 0)) < 0)
		return;
	f = expand_of(r, &given);
	if (!given)
		f = F_AUTHOR | F_SHA | F_LASTMOD | F_CREATED | F_PRIVATE |
		    F_GATED | F_DISABLED | F_DOWNLOADS | F_LIKES | F_FROM_CARD |
		    F_SIBLINGS | F_SPACES;
	if ((repo = repo_open_rev(r, ACCESS_READ, rev)) == NULL)
		return;
	/* A repository always has main; if it ever had not, its info still
	 * answers (without a commit), while a revision asked for must
	 * exist. */
	if (revform || repo->rev_is_ref) {
		if (repo_resolve(r, repo, rev, &rv) != 0)
			return;
		if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
			resp_db_error(r);
			return;
		}
		have_commit = true;
		oid_hex(&rv.commit, hex);
		resp_header(r, "X-Repo-Commit", "%s", hex);
	}
	memset(&sum, 0, sizeof(sum));
	if (have_commit && f & F_FROM_CARD)
		{
		struct dctx x = req_dctx(r);

		sum.card = card_load(&x, &ci.tree, repo->full);
	}
	card_tags(r->a, sum.card, repo->type, &sum.tags);
	sum.id = repo->id;
	sum.type = repo->type;
	sum.ns = repo->ns;
	sum.full = repo->full;
	sum.mirror = repo->mirror;
	sum.sha = have_commit ? hex : NULL;
	/* A revision was last modified by its commit. */
	sum.updated_ms = revform ? ci.time * 1000 : repo->updated_ms;
	sum.created_ms = repo->created_ms;
	sum.downloads = repo->downloads;
	sum.likes = repo->likes;
	sum.private_ = repo->private_;
	sum.gated = repo->gated;
	sum.disabled = repo->disabled;
	buf_init(&b, r->a);
	jtext_summary(r, &b, &sum, f & ~F_XET, given);
	if (f & F_SIBLINGS) {
		if (!have_commit)
			buf_adds(&b, ",\"siblings\":[]");
		else if (jtext_siblings(r, &b, &ci.tree, blobs) != 0) {
			json_object_put(sum.card);
			resp_db_error(r);
			return;
		}
	}
	if (f & F_SPACES)
		buf_adds(&b, ",\"spaces\":[]");
	if (f & F_XET || revform)
		buf_adds(&b, ",\"xetEnabled\":false");
	if (((f & F_USED) || (!given && repo->access >= ACCESS_WRITE)) &&
	    jtext_storage(r, &b, repo, given) != 0) {
		json_object_put(sum.card);
		resp_db_error(r);
		return;
	}
	if (revform) {
		buf_printf(&b, ",\"type\":\"%s\",\"revision\":",
		    repo_type_name(repo->type));
		jtext_str(&b, asked, strlen(asked));
		buf_printf(&b, ",\"commit\":{\"oid\":\"%s\",\"date\":%lld}",
		    hex, (long long)ci.time);
	}
	buf_addc(&b, '}');
	json_object_put(sum.card);
	resp_send(r, 200, "application/json", b.data, b.len);
}
