/*
 * test_gitobj.c: object ids against what git itself computes (expected
 * values made with git hash-object, write-tree and commit-tree).
 */
#include <sodium.h>

#include "check.h"
#include "gitobj.h"

static char hex[OID_HEX + 1];

static const char *
hexof(const struct oid *o)
{
	oid_hex(o, hex);
	return hex;
}

static void
test_blobs(void)
{
	struct oid o;

	git_blob_oid(&o, "", 0);
	CHECK_STR(hexof(&o), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	git_blob_oid(&o, "hello\n", 6);
	CHECK_STR(hexof(&o), "ce013625030ba8dba906f756967f9e9ca394464a");
	git_blob_oid(&o, "y", 1);
	CHECK_STR(hexof(&o), "e25f1814e51579d5f55c0f1fe0135ddb28a47f4a");
}

static void
test_sha1_lengths(void)
{
	/* Every padding case: lengths around the 55/56/64-byte edges. */
	static const struct { size_t n; const char *hex; } cases[] = {
		{ 55, "d1985ddc2983785702b9a90effd5aff2f7cfdca4" },
		{ 56, "1f973e890f52da1f22fa7e5620a628bc4ee74cb3" },
		{ 63, "487e57f9763ebddbed2027c4452510c0ae0f95ff" },
		{ 64, "71b7a71962774fa5c721e1163f935cb61a0e09e6" },
		{ 65, "44171c1993ae70a544a8e910b00347eed4b8e8f2" },
		{ 1000, "a50be72b20f0e3f078d252e8e56b11b4bec67509" },
	};
	unsigned char data[1000];
	struct oid o;
	size_t i;

	memset(data, 'a', sizeof(data));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* blob ids of n 'a's, from git hash-object */
		git_blob_oid(&o, data, cases[i].n);
		CHECK_STR(hexof(&o), cases[i].hex);
	}
}

static void
test_tree(void)
{
	struct tree_entry e[3];
	struct tree t = { e, 3 }, back;
	struct arena a;
	struct buf b;
	struct oid o;

	/* given out of order: git order puts "d.txt" before folder "d" */
	e[0].name = "d"; e[0].namelen = 1; e[0].mode = MODE_DIR;
	oid_parse(&e[0].oid, "da981995a0f17908b3f6795c1e0c28a7e96b8a11", 40);
	e[1].name = "a.txt"; e[1].namelen = 5; e[1].mode = MODE_FILE;
	oid_parse(&e[1].oid, "ce013625030ba8dba906f756967f9e9ca394464a", 40);
	e[2].name = "d.txt"; e[2].namelen = 5; e[2].mode = MODE_FILE;
	oid_parse(&e[2].oid, "e25f1814e51579d5f55c0f1fe0135ddb28a47f4a", 40);
	tree_sort(&t);
	CHECK(!strcmp(t.e[0].name, "a.txt") && !strcmp(t.e[1].name, "d.txt")
	    && !strcmp(t.e[2].name, "d"));
	arena_init(&a, 1024);
	buf_init(&b, &a);
	tree_write(&b, &t);
	git_object_oid(&o, "tree", b.data, b.len);
	CHECK_STR(hexof(&o), "0ad4e7bfcf323f8117f07f56d50ba6e627171648");

	CHECK(tree_parse(&back, &a, b.data, b.len) == 0);
	CHECK(back.n == 3);
	CHECK(tree_find(&back, "d", 1) == 2);
	CHECK(tree_find(&back, "d.txt", 5) == 1);
	CHECK(tree_find(&back, "a.txt", 5) == 0);
	CHECK(tree_find(&back, "b", 1) == -1);
	CHECK(tree_find(&back, "d.tx", 4) == -1);

	git_object_oid(&o, "tree", "", 0);
	CHECK_STR(hexof(&o), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
	arena_free(&a);
}

static void
test_tree_parse_strict(void)
{
	struct arena a;
	struct tree t;
	struct buf b;

	arena_init(&a, 1024);
#define RAW(s)	do { buf_init(&b, &a); buf_add(&b, s, sizeof(s) - 1); } while (0)
	RAW("100644 x\0" "aaaaaaaaaaaaaaaaaaaa");
	CHECK(tree_parse(&t, &a, b.data, b.len) == 0 && t.n == 1);
	RAW("100644 x\0" "aaaaaaaaaaaaaaaaaaa");		/* short id */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100645 x\0" "aaaaaaaaaaaaaaaaaaaa");		/* bad mode */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100644 \0" "aaaaaaaaaaaaaaaaaaaa");		/* empty name */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100644 a/b\0" "aaaaaaaaaaaaaaaaaaaa");		/* slash */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100644 b\0" "aaaaaaaaaaaaaaaaaaaa"
	    "100644 a\0" "aaaaaaaaaaaaaaaaaaaa");		/* order */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100644 a\0" "aaaaaaaaaaaaaaaaaaaa"
	    "100644 a\0" "aaaaaaaaaaaaaaaaaaaa");		/* duplicate */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("0100644 a\0" "aaaaaaaaaaaaaaaaaaaa");		/* leading 0 */
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	/* a file and a folder of one name, adjacent or apart (the fuzzer's
	 * find: git fsck calls it duplicateEntries) */
	RAW("100644 a\0" "aaaaaaaaaaaaaaaaaaaa"
	    "40000 a\0" "aaaaaaaaaaaaaaaaaaaa");
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100644 a\0" "aaaaaaaaaaaaaaaaaaaa"
	    "100644 a-b\0" "aaaaaaaaaaaaaaaaaaaa"
	    "40000 a\0" "aaaaaaaaaaaaaaaaaaaa");
	CHECK(tree_parse(&t, &a, b.data, b.len) == -1);
	RAW("100644 a-b\0" "aaaaaaaaaaaaaaaaaaaa"
	    "40000 a\0" "aaaaaaaaaaaaaaaaaaaa"
	    "100644 a0\0" "aaaaaaaaaaaaaaaaaaaa");	/* fine */
	CHECK(tree_parse(&t, &a, b.data, b.len) == 0 && t.n == 3);
#undef RAW
	arena_free(&a);
}

static void
test_commits(void)
{
	struct commit_info c;
	struct arena a;
	struct buf b;
	struct oid o, first;

	memset(&c, 0, sizeof(c));
	oid_parse(&c.tree, "0ad4e7bfcf323f8117f07f56d50ba6e627171648", 40);
	c.author_name = "alice";
	c.author_email = "a@x.org";
	c.time = 1700000000;
	c.message = "initial commit";
	arena_init(&a, 1024);
	buf_init(&b, &a);
	commit_write(&b, &c);
	git_object_oid(&first, "commit", b.data, b.len);
	CHECK_STR(hexof(&first), "fe3d485cde7fdfb2a2051ee0d41b0345807f451a");

	c.has_parent = true;
	c.parent = first;
	c.time = 1700000001;
	c.message = "second\n\nbody text\n";
	buf_init(&b, &a);
	commit_write(&b, &c);
	git_object_oid(&o, "commit", b.data, b.len);
	CHECK_STR(hexof(&o), "36f0d3ff6ca261968cf4406fa5c9ccd8e28c9180");
	arena_free(&a);
}

/* A merge by git itself, with a committer and time zones of its own. */
static const char MERGE[] =
    "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
    "parent 72d7b7b221a4378392c998129945c10db81fbcd6\n"
    "parent 0585d5d8219feda6d74e6db7c5c3aba17af61e0a\n"
    "author Alice <a@x.org> 1700000000 +0200\n"
    "committer Carol <c@x.org> 1700000100 -0130\n"
    "\n"
    "merge b\n";

#define S_(x)	x, sizeof(x) - 1

static const char NUL_HEADER[] = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    "\nauthor A <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n"
    "x\0y\n\nmessage\n";

static void
test_exact_commits(void)
{
	struct commit_info c;
	struct arena a;
	struct buf b;
	struct oid o;
	const char *why = NULL;
	char *text;

	arena_init(&a, 1024);
	CHECK(commit_parse(&c, &a, MERGE, strlen(MERGE), &why) == 0);
	CHECK(c.has_parent && c.nmore == 1 && c.raw != NULL);
	CHECK_STR(hexof(commit_parent(&c, 1)),
	    "0585d5d8219feda6d74e6db7c5c3aba17af61e0a");
	CHECK(commit_parent(&c, 2) == NULL);
	CHECK_STR(c.author_name, "Alice");
	CHECK(c.time == 1700000000);
	buf_init(&b, &a);
	commit_write(&b, &c);
	git_object_oid(&o, "commit", b.data, b.len);
	CHECK_STR(hexof(&o), "77f80a5b2ed7c90bb8a189149f422dad5fb4b022");

	/* the same merge by khub's own rules: two parents, no raw */
	text = arena_printf(&a, "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	    "\nparent 72d7b7b221a4378392c998129945c10db81fbcd6\n"
	    "parent 0585d5d8219feda6d74e6db7c5c3aba17af61e0a\n"
	    "author A <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n\nm\n");
	CHECK(commit_parse(&c, &a, text, strlen(text), NULL) == 0);
	CHECK(c.raw == NULL && c.nmore == 1);
	buf_init(&b, &a);
	commit_write(&b, &c);
	CHECK(b.len == strlen(text) && !memcmp(b.data, text, b.len));

	/* extra headers (gpgsig with continuation lines) and no final LF */
	text = arena_printf(&a, "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	    "\nauthor A <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n"
	    "encoding ISO-8859-1\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n"
	    " abc\n -----END PGP SIGNATURE-----\n\nno newline");
	CHECK(commit_parse(&c, &a, text, strlen(text), NULL) == 0);
	CHECK(c.raw != NULL && !c.has_parent);
	CHECK_STR(c.message, "no newline");
	buf_init(&b, &a);
	commit_write(&b, &c);
	CHECK(b.len == strlen(text) && !memcmp(b.data, text, b.len));

	/* git fsck's refusals */
#define BADC(t) CHECK(commit_parse(&c, &a, t, strlen(t), &why) == -1 && \
	    why != NULL)
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author A <a@x.org> 1 +0000\n\nno committer\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee490\n"
	    "author A <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author A <a@x.org> 01 +0000\ncommitter A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author A <a@x.org> 1 +000\ncommitter A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author A<a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author A <a@x.org> 99999999999999999999 +0000\n"
	    "committer A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "parent 0585d5d8219feda6d74e6db7c5c3aba17af61e0\n"
	    "author A <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000\n\n");
	BADC("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	    "author A <a@x.org> 1 +0000\ncommitter A <a@x.org> 1 +0000");
#undef BADC
	CHECK(commit_parse(&c, &a, NUL_HEADER, sizeof(NUL_HEADER) - 1,
	    &why) == -1);
	arena_free(&a);
}

static void
test_tags(void)
{
	struct tag_info t;
	struct arena a;
	const char *why;
	static const char tag[] =
	    "object 1d0db7a885a795240e49aebe7b3f6bbd828cd6c9\n"
	    "type commit\ntag v2\n"
	    "tagger a <a@x> 1764751000 +0000\n\nrelease two\n";

	arena_init(&a, 1024);
	CHECK(tag_parse(&t, &a, tag, strlen(tag), &why) == 0);
	CHECK_STR(t.type, "commit");
	CHECK_STR(t.name, "v2");
	CHECK_STR(hexof(&t.object), "1d0db7a885a795240e49aebe7b3f6bbd828cd6c9");
	/* no tagger (old tags), no message */
	CHECK(tag_parse(&t, &a, S_("object 1d0db7a885a795240e49aebe7b3f6bbd82"
	    "8cd6c9\ntype tree\ntag x\n"), &why) == 0);
#define BADT(x) CHECK(tag_parse(&t, &a, S_(x), &why) == -1 && why != NULL)
	BADT("object 1d0db7a885a795240e49aebe7b3f6bbd828cd6c\ntype commit\n"
	    "tag v\n\n");
	BADT("object 1d0db7a885a795240e49aebe7b3f6bbd828cd6c9\ntype thing\n"
	    "tag v\n\n");
	BADT("object 1d0db7a885a795240e49aebe7b3f6bbd828cd6c9\ntype commit\n"
	    "tag \n\n");
	BADT("object 1d0db7a885a795240e49aebe7b3f6bbd828cd6c9\ntype commit\n"
	    "tag v\ntagger nobody\n\n");
	BADT("type commit\nobject 1d0db7a885a795240e49aebe7b3f6bbd828cd6c9\n"
	    "tag v\n\n");
	BADT("object 1d0db7a885a795240e49aebe7b3f6bbd828cd6c9\ntype commit\n"
	    "tag v");
#undef BADT
	arena_free(&a);
}

static void
test_lfs_pointer(void)
{
	unsigned char sha[SHA256_LEN];
	struct arena a;
	struct buf b;
	struct oid o;

	crypto_hash_sha256(sha, (const unsigned char *)"hello", 5);
	arena_init(&a, 1024);
	buf_init(&b, &a);
	lfs_pointer(&b, sha, 5);
	CHECK(strncmp(b.data, "version https://git-lfs.github.com/spec/v1\n"
	    "oid sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e7304"
	    "3362938b9824\nsize 5\n", b.len) == 0);
	git_blob_oid(&o, b.data, b.len);
	CHECK_STR(hexof(&o), "d1ca116d6733584c13cb8bb50b21d5b5b81ee28f");
	arena_free(&a);
}

static void
test_hex(void)
{
	struct oid o;
	unsigned char two[2];

	CHECK(oid_parse(&o, "CE013625030BA8DBA906F756967F9E9CA394464A", 40)
	    == 0);
	CHECK_STR(hexof(&o), "ce013625030ba8dba906f756967f9e9ca394464a");
	CHECK(oid_parse(&o, "ce01", 4) == -1);
	CHECK(oid_parse(&o, "ge013625030ba8dba906f756967f9e9ca394464a", 40)
	    == -1);
	CHECK(hex_decode(two, 2, "00ff", 4) == 0 && two[1] == 0xff);
}

/* The subtrees of a raw tree, leniently: what gc walks (gc.h). */
static void
test_tree_subtrees(void)
{
	static const char raw[] =
	    "100644 a\0aaaaaaaaaaaaaaaaaaaa"
	    "40000 d\0dddddddddddddddddddd"
	    "160000 m\0mmmmmmmmmmmmmmmmmmmm"
	    "40000 e\0eeeeeeeeeeeeeeeeeeee";
	struct oid o;
	size_t pos = 0;

	CHECK(tree_next_subtree(raw, sizeof(raw) - 1, &pos, &o) == 1);
	CHECK(o.b[0] == 'd' && o.b[19] == 'd');
	CHECK(tree_next_subtree(raw, sizeof(raw) - 1, &pos, &o) == 1);
	CHECK(o.b[0] == 'e');
	CHECK(tree_next_subtree(raw, sizeof(raw) - 1, &pos, &o) == 0);
	pos = 0;
	CHECK(tree_next_subtree("", 0, &pos, &o) == 0);
	/* cut in an id: the walk ends */
	pos = 0;
	CHECK(tree_next_subtree(raw, 40, &pos, &o) == -1);
	/* "040000" is not git's mode of a folder */
	pos = 0;
	CHECK(tree_next_subtree("040000 d\0dddddddddddddddddddd", 29, &pos,
	    &o) == 0);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_blobs);
	RUN(test_sha1_lengths);
	RUN(test_tree);
	RUN(test_tree_parse_strict);
	RUN(test_tree_subtrees);
	RUN(test_commits);
	RUN(test_exact_commits);
	RUN(test_tags);
	RUN(test_lfs_pointer);
	RUN(test_hex);
	return check_done("gitobj");
}
