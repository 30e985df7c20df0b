/*
 * gitobj.h: git's object ids and formats, so that every blob, tree and
 * commit id khub hands out is the one git itself would compute.
 */
#ifndef KHUB_GITOBJ_H
#define KHUB_GITOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "hex.h"

#define OID_LEN		20
#define OID_HEX		40
#define SHA256_LEN	32

struct oid {
	unsigned char	 b[OID_LEN];
};

/* Tree entry modes, as git writes them (octal). */
#define MODE_FILE	0100644
#define MODE_EXEC	0100755
#define MODE_LINK	0120000
#define MODE_DIR	040000

struct tree_entry {
	const char	*name;		/* not NUL-terminated inside raw data */
	size_t		 namelen;
	unsigned	 mode;
	struct oid	 oid;
};

struct tree {
	struct tree_entry *e;
	size_t		 n;
};

/* Lower-case hex into out[OID_HEX + 1]. */
void	 oid_hex(const struct oid *, char *out);
char	*oid_hex_a(struct arena *, const struct oid *);
/* Parses exactly 40 hex digits (either case); 0 or -1. */
int	 oid_parse(struct oid *, const char *hex, size_t len);
bool	 oid_eq(const struct oid *, const struct oid *);

/* sha1("<type> <len>\0" + data): the id of any git object. */
void	 git_object_oid(struct oid *, const char *type, const void *data,
	    size_t len);
/* The blob id of a file's bytes. */
void	 git_blob_oid(struct oid *, const void *data, size_t len);

/* The LFS pointer file of an object (its blob id is the tree's oid for an
 * LFS file; its length is the pointerSize). */
void	 lfs_pointer(struct buf *, const unsigned char sha256[SHA256_LEN],
	    uint64_t size);

/*
 * Parses a tree in git's raw format ("<octal mode> <name>\0<20 bytes>"...)
 * into out, entries pointing into raw (which must outlive out). Strict:
 * entries in git order, no empty name, '/', or NUL in a name, known modes.
 * Returns 0 or -1.
 */
int	 tree_parse(struct tree *out, struct arena *, const void *raw,
	    size_t len);
/*
 * The next subtree (mode 40000) of a tree in raw format from *pos on, into
 * out, *pos moved past it: 1, or 0 at the end. Lenient (any tree stored
 * must be walkable, gc.c): a malformed rest ends the walk (-1).
 */
int	 tree_next_subtree(const void *raw, size_t len, size_t *pos,
	    struct oid *out);
/* Appends the raw format of t (entries must be in git order). */
void	 tree_write(struct buf *, const struct tree *);
/* Sorts entries into git order (folders compare as if "name/"). */
void	 tree_sort(struct tree *);
/* Index of the entry named name (file or folder), or -1: binary search. */
long	 tree_find(const struct tree *, const char *name, size_t len);
/* git's order of two entries. */
int	 tree_entry_cmp(const struct tree_entry *, const struct tree_entry *);

/*
 * A commit object. khub's own commits are the fields alone (committer =
 * author, +0000); a pushed commit may hold what the fields cannot say (a
 * separate committer, a time zone, gpgsig, encoding, other headers, no
 * final newline): then raw is its exact text, and the fields are what the
 * API shows of it.
 */
struct commit_info {
	struct oid	 tree;
	struct oid	 parent;	/* the first parent */
	bool		 has_parent;
	const struct oid *more_parents;	/* the parents after the first */
	size_t		 nmore;
	const char	*author_name, *author_email;
	int64_t		 time;		/* the author's, Unix seconds */
	const char	*message;	/* ends with '\n' once written */
	const char	*raw;		/* NULL, or the exact text */
	size_t		 rawlen;
};

/* The exact text git would store for c: raw when set, else the text the
 * fields make. */
void	 commit_write(struct buf *, const struct commit_info *);
/*
 * Parses commit text strictly, as git fsck checks it: "tree", any
 * "parent" lines, "author" and "committer" idents ("Name <email> <Unix
 * seconds> <+-hhmm>", no zero-padded or overflowing date), then any other
 * headers (continuation lines start with a space), no NUL before the
 * message. Fills c (strings in the arena); sets c->raw to a copy of text
 * when commit_write() of the fields alone would not give it back. Returns
 * 0, or -1 with *why (when why is not NULL) a static string.
 */
int	 commit_parse(struct commit_info *c, struct arena *, const char *text,
	    size_t len, const char **why);
/* An annotated tag object's header (its text is kept whole: raw). */
struct tag_info {
	struct oid	 object;	/* what it tags */
	const char	*type;		/* "commit", "tree", "blob" or "tag" */
	const char	*name;
};
/*
 * Parses tag text strictly, as git fsck checks it: "object", "type" (one
 * of the four), "tag" (a non-empty name), then an optional "tagger"
 * ident, any other headers, no NUL before the message. Fills t (strings
 * in the arena). Returns 0, or -1 with *why (when why is not NULL).
 */
int	 tag_parse(struct tag_info *t, struct arena *, const char *text,
	    size_t len, const char **why);

/* c's parent number k (0: the first), or NULL past the last. */
const struct oid *commit_parent(const struct commit_info *c, size_t k);

#endif
