/*
 * repos.c: managing a repository (see repos.h).
 */
#include <string.h>

#include <mysqld_error.h>

#include "commit.h"
#include "fresh.h"
#include "hub.h"
#include "names.h"
#include "repos.h"

static const struct db_stmt SQL_NAMESPACE = DB_READ("is", "iss",
    "SELECT n.id, n.kind, (SELECT m.role FROM org_member m"
    " WHERE m.org_id = n.id AND m.user_id = ?) FROM namespace n"
    " WHERE n.name = ?");
static const struct db_stmt SQL_CREATE = DB_WRITE("sisii",
    "INSERT INTO repo (type, owner_id, name, private,"
    " lfs_multipart_threshold) VALUES (?, ?, ?, ?, ?)");
static const struct db_stmt SQL_DELETE = DB_WRITE("i",
    "DELETE FROM repo WHERE id = ?");
static const struct db_stmt SQL_MOVE = DB_WRITE("isi",
    "UPDATE repo SET owner_id = ?, name = ? WHERE id = ?");
static const struct db_stmt SQL_SET_PRIVATE = DB_WRITE("ii",
    "UPDATE repo SET private = ? WHERE id = ?");
static const struct db_stmt SQL_SET_GATED = DB_WRITE("ii",
    "UPDATE repo SET gated = ? WHERE id = ?");
/* Per-repository LFS settings (quota.c reads them for preupload): each
 * changes only when its flag is 1; NULL means the server's default. */
static const struct db_stmt SQL_SET_LFS = DB_WRITE("isisisi",
    "UPDATE repo SET lfs_threshold = IF(?, ?, lfs_threshold),"
    " lfs_patterns = IF(?, ?, lfs_patterns),"
    " lfs_multipart_threshold = IF(?, ?, lfs_multipart_threshold)"
    " WHERE id = ?");

/* The Hub's default .gitattributes of a new repository. */
static const char *const lfs_patterns[] = {
	"*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz",
	"*.h5", "*.joblib", "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack",
	"*.npy", "*.npz", "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle",
	"*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors",
	"saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm",
	"*.xz", "*.zip", "*.zst", "*tfevents*", NULL
};

int
repos_create(struct dctx *x, int64_t ns_id, const char *ns,
    enum repo_type type, const char *name, bool private_, int64_t thresh,
    const char *author, const char *email, struct commit_op *ops,
    size_t nops, int64_t *id, struct kerr *e)
{
	struct db *db = x->hub->db;
	struct db_res *res;
	struct oid head;
	struct buf text;
	const char *why;
	size_t i;
	bool attrs_given = false;

	if ((why = name_invalid(name)) != NULL)
		return kerr_set(e, 400, "BadRequest", "Repository name '%s' %s",
		    name, why);
	/* A canonical name is a URL's first segment: /NAME/resolve/... */
	if (*ns == '\0' && name_reserved(name))
		return kerr_set(e, 400, "BadRequest", "'%s' is reserved: no "
		    "canonical repository may be named so", name);
	/* Stored before the transaction: a failure leaves only garbage. */
	for (i = 0; i < nops; i++)
		attrs_given |= !strcmp(ops[i].path, ".gitattributes");
	if (!attrs_given) {
		buf_init(&text, x->a);
		for (i = 0; lfs_patterns[i] != NULL; i++)
			buf_printf(&text, "%s filter=lfs diff=lfs merge=lfs "
			    "-text\n", lfs_patterns[i]);
		memset(&ops[nops], 0, sizeof(ops[nops]));
		ops[nops].kind = OP_PUT;
		ops[nops].path = ".gitattributes";
		if (commit_store_regular(x, text.data, text.len, &ops[nops],
		    e) != 0)
			return -1;
		nops++;
	}
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, x->a, &res, &SQL_CREATE, db_s(repo_type_name(type)),
	    db_i(ns_id), db_s(name), db_i((int64_t)private_),
	    db_i(thresh)) != 0) {
		int rc = db_errno(db) == ER_DUP_ENTRY ? kerr_set(e, 409,
		    "RepoExists", "You already created this %s repo: %s%s%s",
		    repo_type_name(type), ns, *ns != '\0' ? "/" : "", name) :
		    kerr_db(e, db);

		db_rollback(db);
		return rc;
	}
	*id = (int64_t)db_insert_id(res);
	if (commit_initial(x, *id, author, email, ops, nops, &head, e) != 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	/* created: a file gc collected meanwhile is stored again, or 503 */
	return commit_store_again(x, ops, nops, e);
}

int
repos_namespace_writable(struct db *db, struct arena *a, int64_t user_id,
    bool can_write, const char *ns, int64_t *id, struct kerr *e)
{
	struct db_res *res;
	char *kind, *role;
	int rc;

	if (db_exec(db, a, &res, &SQL_NAMESPACE, db_i(user_id),
	    db_s(ns)) != 0 ||
	    (rc = db_row(res, db_out_i(id), db_out_s(&kind),
	    db_out_s(&role))) < 0)
		return kerr_db(e, db);
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "No user or organization "
		    "named %s", ns);
	if (!strcmp(kind, "user") ? *id != user_id :
	    role == NULL || !strcmp(role, "read"))
		return kerr_set(e, 403, "Forbidden", "You don't have the "
		    "rights to create repositories in %s", ns);
	if (!can_write)
		return kerr_set(e, 403, "Forbidden", "This token is read-only");
	return 0;
}

int
repos_delete(struct db *db, struct arena *a, int64_t repo_id,
    struct kerr *e)
{
	/* Refs, repo_commit and repo_blob go with it (ON DELETE CASCADE);
	 * its repo_change row stays, to tell the caches it changed. */
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, a, NULL, &SQL_DELETE, db_i(repo_id)) != 0 ||
	    fresh_bump(db, repo_id) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
repos_move(struct db *db, struct arena *a, int64_t repo_id, int64_t ns_id,
    const char *name, struct kerr *e)
{
	const char *why;

	if ((why = name_invalid(name)) != NULL)
		return kerr_set(e, 400, "BadRequest", "Repository name '%s' %s",
		    name, why);
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, a, NULL, &SQL_MOVE, db_i(ns_id), db_s(name),
	    db_i(repo_id)) != 0) {
		db_rollback(db);
		if (db_errno(db) == ER_DUP_ENTRY)
			return kerr_set(e, 409, "RepoExists", "A repository "
			    "called %s already exists there", name);
		return kerr_db(e, db);
	}
	if (fresh_bump(db, repo_id) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
repos_settings(struct db *db, struct arena *a, int64_t repo_id,
    const struct repos_settings *s, struct kerr *e)
{
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if ((s->private_ >= 0 && db_exec(db, a, NULL, &SQL_SET_PRIVATE,
	    db_i((int64_t)s->private_), db_i(repo_id)) != 0) ||
	    (s->gated >= 0 && db_exec(db, a, NULL, &SQL_SET_GATED,
	    db_i((int64_t)s->gated), db_i(repo_id)) != 0) ||
	    ((s->set_threshold || s->set_multipart || s->set_patterns) &&
	    db_exec(db, a, NULL, &SQL_SET_LFS, db_i((int64_t)s->set_threshold),
	    db_s(s->threshold), db_i((int64_t)s->set_patterns),
	    db_s(s->patterns), db_i((int64_t)s->set_multipart),
	    db_s(s->multipart), db_i(repo_id)) != 0) ||
	    fresh_bump(db, repo_id) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}
