/*
 * repo.c: repository lookup with the caller's rights in one query, the
 * rules of who may do what, and revisions. The front doors answer
 * (api_repo.c).
 */
#include <string.h>

#include "db.h"
#include "hub.h"
#include "mirror.h"
#include "names.h"
#include "repo.h"
#include "secrets.h"

/*
 * The caller's token (when the request has one: its hash, else bytes no
 * token has), the repository, the caller's role in its namespace (the
 * token's user, else the second parameter: a session's) and the ref the
 * revision may name, in one round trip: one row always, each part NULL
 * when there is none.
 */
static const struct db_stmt SQL_OPEN = DB_READ("iibssssss",
    AUTH_TOKEN_KINDS "isissiiiuiiiisbbsbiu",
    "SELECT k.token_id, k.token_name, k.token_role, k.token_hash,"
    " k.token_created_ms, k.user_id, k.user_name, k.user_fullname,"
    " k.user_email, k.token_expires_ms,"
    " r.id, r.type, r.owner_id, n.name, r.name, r.private, r.gated,"
    " r.disabled, COALESCE(r.lfs_multipart_threshold, 0), r.downloads,"
    " r.likes, FLOOR(UNIX_TIMESTAMP(r.created_at) * 1000),"
    " FLOOR(UNIX_TIMESTAMP(r.updated_at) * 1000),"
    " (SELECT m.role FROM org_member m"
    "   WHERE m.org_id = r.owner_id AND m.user_id = COALESCE(k.user_id, ?)),"
    " b.target,"
    /* an annotated tag (pushed by git) names its object: peeled (a
    * chain of tags: git_tag.peeled) */
    " COALESCE((SELECT COALESCE(g.peeled, g.object) FROM git_tag g"
    "  WHERE g.oid = t.target), t.target), mr.upstream,"
    " mv.target, mv.checked_at > NOW(3) - INTERVAL ? SECOND,"
    " COALESCE(rc.seq, 0)"
    " FROM (SELECT 1) one"
    " LEFT JOIN (" AUTH_TOKEN_SELECT ") k ON 1"
    " LEFT JOIN (repo r JOIN namespace n ON n.id = r.owner_id)"
    "  ON n.name = ? AND r.type = ? AND r.name = ?"
    " LEFT JOIN mirror_repo mr ON mr.repo_id = r.id"
    " LEFT JOIN ref b ON b.repo_id = r.id AND b.kind = 'branch' AND b.name = ?"
    " LEFT JOIN ref t ON t.repo_id = r.id AND t.kind = 'tag' AND t.name = ?"
    /* a tag of a tree or a blob is git's only: no revision */
    "  AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.oid = t.target"
    "   AND COALESCE(g.peeled_type, g.type) <> 'commit')"
    " LEFT JOIN mirror_rev mv ON mv.repo_id = r.id AND mv.rev = ?"
    " LEFT JOIN repo_change rc ON rc.repo_id = r.id");
static const struct db_stmt SQL_REF = DB_READ("iss", "sb",
    "SELECT kind, COALESCE((SELECT COALESCE(g.peeled, g.object)"
    "  FROM git_tag g WHERE g.oid = ref.target), target) FROM ref"
    " WHERE repo_id = ?"
    " AND ((kind = 'branch' AND name = ?) OR (kind = 'tag' AND name = ?))"
    " AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.oid = ref.target"
    "  AND COALESCE(g.peeled_type, g.type) <> 'commit')"
    " ORDER BY kind LIMIT 1");
static const struct db_stmt SQL_COMMIT_PREFIX = DB_READ("ibb", "b",
    "SELECT oid FROM repo_commit WHERE repo_id = ? AND oid BETWEEN ? AND ?"
    " LIMIT 2");

/* Splits a revision into the branch and tag names it may denote. */
static void
ref_names(const char *rev, const char **branch, const char **tag)
{
	*branch = *tag = rev;
	if (!strcmp(rev, "HEAD")) {
		/* the default branch (the JS client's default revision) */
		*branch = "main";
		*tag = "";
	} else if (!strncmp(rev, "refs/heads/", 11)) {
		*branch = rev + 11;
		*tag = "";
	} else if (!strncmp(rev, "refs/tags/", 10)) {
		*tag = rev + 10;
		*branch = "";
	}
}

int
repo_find(const struct dctx *x, const struct repo_ask *q, struct repo **out,
    struct repo_token *tok, struct kerr *e)
{
	static const unsigned char none[TOKEN_HASH_LEN];
	const char *branch = "", *tag = "";
	struct principal *p;
	struct repo *repo;
	struct db_res *res;
	char *type, *role;
	void *bt, *tt, *mt;
	size_t bl, tl, ml;
	int64_t priv, gated, disabled, mfresh;
	int rc;

	*out = NULL;
	memset(tok, 0, sizeof(*tok));
	if (!name_ascii(q->ns) || !name_ascii(q->name))
		return 0;	/* no repository has it; nor a token looked up */
	if (q->rev != NULL)
		ref_names(q->rev, &branch, &tag);
	if (db_exec(x->hub->db, x->a, &res, &SQL_OPEN, db_i(q->user_id),
	    db_i((int64_t)x->hub->conf.mirror_fresh), db_b(q->token_hash !=
	    NULL ? q->token_hash : none, q->token_hash != NULL ?
	    (size_t)TOKEN_HASH_LEN : (size_t)0), db_s(q->ns),
	    db_s(repo_type_name(q->type)), db_s(q->name), db_s(branch),
	    db_s(tag), db_s(q->rev != NULL ? q->rev : "")) != 0)
		return kerr_db(e, x->hub->db);
	repo = arena_zalloc(x->a, sizeof(*repo));
	p = arena_zalloc(x->a, sizeof(*p));
	rc = db_row(res, AUTH_TOKEN_COLS(p, &tok->stored, &tok->slen),
	    db_out_i(&repo->id), db_out_s(&type), db_out_i(&repo->owner_id),
	    db_out_s(&repo->ns), db_out_s(&repo->name), db_out_i(&priv),
	    db_out_i(&gated), db_out_i(&disabled),
	    db_out_u(&repo->lfs_multipart_threshold),
	    db_out_i(&repo->downloads), db_out_i(&repo->likes),
	    db_out_i(&repo->created_ms), db_out_i(&repo->updated_ms),
	    db_out_s(&role), db_out_b(&bt, &bl), db_out_b(&tt, &tl),
	    db_out_s(&repo->mirror), db_out_b(&mt, &ml), db_out_i(&mfresh),
	    db_out_u(&repo->change_seq));
	if (rc <= 0)
		return kerr_db(e, x->hub->db);
	if (q->token_hash != NULL)
		tok->p = p;
	if (repo->id == 0)
		return 0;
	repo->type = q->type;
	repo->private_ = priv != 0;
	repo->gated = gate_of(gated);
	repo->disabled = disabled != 0;
	repo->full = repo_id_of(x->a, repo->ns, repo->name);
	repo->role = role;
	repo->rev_asked = q->rev;
	if (bt != NULL && bl == OID_LEN) {
		repo->rev_is_ref = true;
		repo->rev_kind = "branch";
		memcpy(repo->rev_target.b, bt, OID_LEN);
	} else if (tt != NULL && tl == OID_LEN) {
		repo->rev_is_ref = true;
		repo->rev_kind = "tag";
		memcpy(repo->rev_target.b, tt, OID_LEN);
	}
	/* A mirror's refs are upstream's: repo_rev() asks for them,
	 * starting from what this query found of the last answer. */
	if (repo->mirror != NULL && q->rev != NULL) {
		repo->rev_is_ref = true;
		repo->mirror_seen.looked = true;
		repo->mirror_seen.known = mt != NULL && ml == OID_LEN;
		repo->mirror_seen.fresh = mfresh != 0;
		if (repo->mirror_seen.known)
			memcpy(repo->mirror_seen.commit.b, mt, OID_LEN);
	}
	*out = repo;
	return 0;
}

void
repo_grant(struct repo *repo, const struct principal *who)
{
	enum access acc = ACCESS_NONE;
	const char *role = repo->role;

	if (who != NULL) {
		if (repo->owner_id == who->user_id)
			acc = ACCESS_ADMIN;
		else if (role != NULL)
			acc = !strcmp(role, "admin") ? ACCESS_ADMIN :
			    !strcmp(role, "write") ? ACCESS_WRITE : ACCESS_READ;
		/* A read token reads, whatever its owner may do. */
		if (acc > ACCESS_READ && strcmp(who->token_role, "write"))
			acc = ACCESS_READ;
	}
	if (acc == ACCESS_NONE && !repo->private_)
		acc = ACCESS_READ;
	repo->access = acc;
	repo->member = who != NULL && (repo->owner_id == who->user_id ||
	    role != NULL);
}

int
repo_not_found(struct kerr *e, bool anonymous)
{
	/* The Hub's answer depends on the caller, never on the repository:
	 * a private repository's existence does not show. */
	return kerr_set(e, anonymous ? 401 : 404, "RepoNotFound", "Repository "
	    "not found");
}

int
repo_allow(const struct repo *repo, const struct principal *who,
    enum access need, struct kerr *e)
{
	if (repo->access == ACCESS_NONE)
		return repo_not_found(e, who == NULL);
	if (repo->mirror != NULL && need > ACCESS_READ)
		/* upstream's history, for everyone to read, no one to change */
		return kerr_set(e, 403, "Forbidden", "%s is a read-only mirror "
		    "of %s: it cannot be changed here", repo->full,
		    repo->mirror);
	if (repo->access >= need)
		return 0;
	if (who == NULL)
		return kerr_set(e, 401, "Unauthorized", "You must be "
		    "authenticated to write to %s", repo->full);
	return kerr_set(e, 403, "Forbidden", "You don't have the rights to "
	    "%s %s", need == ACCESS_ADMIN ? "administer" : "write to",
	    repo->full);
}

/* repo_rev() of a mirror: upstream's answer, or the last one. */
static int
mirror_rev(struct dctx *x, struct repo *repo, const char *rev,
    struct rev *out, struct kerr *e)
{
	size_t n = strlen(rev);
	/* what repo_find() found, if it looked for this rev */
	const struct mirror_seen *seen = repo->mirror_seen.looked &&
	    repo->rev_asked != NULL && !strcmp(repo->rev_asked, rev) ?
	    &repo->mirror_seen : NULL;

	if (mirror_revision(x, repo->id, repo->mirror,
	    repo_type_name(repo->type), repo->full, rev, seen, &out->commit,
	    e) != 0) {
		if (!strcmp(e->code, "RepoNotFound"))	/* by caller, as ever */
			return repo_not_found(e, x->user_id == 0);
		return -1;
	}
	repo->rev_asked = rev;
	repo->rev_is_ref = false;	/* not the ref row: upstream's answer */
	repo->mirror_seen.looked = repo->mirror_seen.known = true;
	repo->mirror_seen.fresh = true;	/* for this request */
	repo->mirror_seen.commit = out->commit;
	if (n >= 7 && n <= OID_HEX && strspn(rev, "0123456789abcdef") == n) {
		out->kind = "commit";
		out->name = oid_hex_a(x->a, &out->commit);
	} else {
		out->kind = !strncmp(rev, "refs/tags/", 10) ? "tag" : "branch";
		out->name = rev;
	}
	return 0;
}

int
repo_rev(struct dctx *x, struct repo *repo, const char *rev,
    struct rev *out, struct kerr *e)
{
	unsigned char lo[OID_LEN], hi[OID_LEN];
	struct db *db = x->hub->db;
	struct db_res *res;
	size_t n = strlen(rev), i;
	void *oid;
	size_t olen;
	int rc, rows = 0;

	if (!rev_valid(rev))
		return kerr_set(e, 400, "BadRequest", "Invalid rev id: %s",
		    rev);
	if (repo->mirror != NULL)
		return mirror_rev(x, repo, rev, out, e);
	if (repo->rev_asked == NULL || strcmp(repo->rev_asked, rev) != 0) {
		/* Not the revision repo_find() looked up: look now. */
		const char *branch, *tag;
		char *kind;

		ref_names(rev, &branch, &tag);
		if (db_exec(db, x->a, &res, &SQL_REF, db_i(repo->id),
		    db_s(branch), db_s(tag)) != 0 || (rc = db_row(res,
		    db_out_s(&kind), db_out_b(&oid, &olen))) < 0)
			return kerr_db(e, db);
		repo->rev_asked = rev;
		repo->rev_is_ref = rc == 1 && olen == OID_LEN;
		if (repo->rev_is_ref) {
			repo->rev_kind = kind;
			memcpy(repo->rev_target.b, oid, OID_LEN);
		}
	}
	if (repo->rev_is_ref) {
		out->commit = repo->rev_target;
		out->kind = repo->rev_kind;
		out->name = rev;
		return 0;
	}
	/* A commit id of this repository, whole or its first 7+ digits. */
	if (n >= 7 && n <= OID_HEX && strspn(rev, "0123456789abcdef") == n) {
		memset(lo, 0, sizeof(lo));
		memset(hi, 0xff, sizeof(hi));
		for (i = 0; i < n; i++) {
			unsigned v = (unsigned)(rev[i] <= '9' ? rev[i] - '0' :
			    rev[i] - 'a' + 10);

			if (i % 2 == 0) {
				lo[i / 2] = (unsigned char)(v << 4);
				hi[i / 2] = (unsigned char)(v << 4 | 0xf);
			} else {
				lo[i / 2] |= (unsigned char)v;
				hi[i / 2] = (unsigned char)((hi[i / 2] & 0xf0) |
				    v);
			}
		}
		if (db_exec(db, x->a, &res, &SQL_COMMIT_PREFIX, db_i(repo->id),
		    db_b(lo, sizeof(lo)), db_b(hi, sizeof(hi))) != 0)
			return kerr_db(e, db);
		while ((rc = db_row(res, db_out_b(&oid, &olen))) == 1) {
			if (olen == OID_LEN)
				memcpy(out->commit.b, oid, OID_LEN);
			rows++;
		}
		if (rc < 0)
			return kerr_db(e, db);
		if (rows == 1) {
			out->kind = "commit";
			out->name = oid_hex_a(x->a, &out->commit);
			return 0;
		}
	}
	return kerr_set(e, 404, "RevisionNotFound", "Invalid rev id: %s", rev);
}

char *
repo_id_of(struct arena *a, const char *ns, const char *name)
{
	return *ns == '\0' ? arena_strdup(a, name) :
	    arena_printf(a, "%s/%s", ns, name);
}

