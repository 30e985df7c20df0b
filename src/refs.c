/*
 * refs.c: reading a repository's refs (see refs.h).
 */
#include <string.h>

#include "refs.h"

/* An annotated tag (pushed by git) names its tag object: peeled, through
 * a chain of tags too (git_tag.peeled). A tag of a tree or a blob is
 * git's only: the API's refs are commits. */
static const struct db_stmt SQL_REFS = DB_READ("i", "ssb",
    "SELECT kind, name, COALESCE((SELECT COALESCE(g.peeled, g.object)"
    "  FROM git_tag g WHERE g.oid = ref.target), target) FROM ref"
    " WHERE repo_id = ?"
    " AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.oid = ref.target"
    "  AND COALESCE(g.peeled_type, g.type) <> 'commit')"
    " ORDER BY kind, name");

int
refs_list(struct db *db, struct arena *a, int64_t repo_id,
    struct ref_entry **out, size_t *n, struct kerr *e)
{
	struct db_res *res;
	struct ref_entry *v = NULL;
	size_t cap = 0, tlen;
	char *kind, *name;
	void *target;
	int rc;

	*n = 0;
	if (db_exec(db, a, &res, &SQL_REFS, db_i(repo_id)) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_s(&kind), db_out_s(&name),
	    db_out_b(&target, &tlen))) == 1) {
		if (tlen != OID_LEN)
			continue;
		v = arena_grow(a, v, *n, &cap, sizeof(*v), 16);
		v[*n].kind = kind;
		v[*n].name = name;
		memcpy(v[(*n)++].target.b, target, OID_LEN);
	}
	if (rc < 0)
		return kerr_db(e, db);
	*out = v;
	return 0;
}
