/*
 * test_names.c: the one place names are checked (names.c): the kinds of
 * repository both ways, repository and user names, e-mail addresses, file
 * paths, revisions and ref names, repository ids.
 */
#include "arena.h"
#include "check.h"
#include "names.h"

static void
test_types(void)
{
	static const enum repo_type all[] = { REPO_MODEL, REPO_DATASET,
	    REPO_SPACE };
	enum repo_type t;
	size_t i;

	for (i = 0; i < 3; i++) {
		t = (enum repo_type)-1;
		CHECK(repo_type_of(repo_type_name(all[i]), &t) == 0 &&
		    t == all[i]);
		t = (enum repo_type)-1;
		CHECK(repo_type_of_plural(repo_type_plural(all[i]), &t) == 0 &&
		    t == all[i]);
	}
	CHECK_STR(repo_type_name(REPO_DATASET), "dataset");
	CHECK_STR(repo_type_plural(REPO_SPACE), "spaces");
	CHECK_STR(repo_type_prefix(REPO_MODEL), "");
	CHECK_STR(repo_type_prefix(REPO_DATASET), "datasets/");
	/* the singular is not a plural, nor the other way round */
	CHECK(repo_type_of("models", &t) == -1);
	CHECK(repo_type_of_plural("model", &t) == -1);
	CHECK(repo_type_of("Model", &t) == -1);
	CHECK(repo_type_of("", &t) == -1);
	CHECK(repo_type_of(NULL, &t) == -1);
	CHECK(repo_type_of_plural(NULL, &t) == -1);
}

static void
test_names(void)
{
	CHECK(name_invalid("bert-base_v1.2") == NULL);
	CHECK(name_invalid("") != NULL);
	CHECK(name_invalid("a--b") != NULL);
	CHECK(name_invalid("a..b") != NULL);
	CHECK(name_invalid(".a") != NULL);
	CHECK(name_invalid("a-") != NULL);
	CHECK(name_invalid("a/b") != NULL);
	CHECK(name_invalid("caf\xc3\xa9") != NULL);
	CHECK(name_reserved("api") && name_reserved("datasets"));
	CHECK(!name_reserved("alice"));
	CHECK(name_ascii("alice") && !name_ascii("caf\xc3\xa9"));
}

static void
test_email(void)
{
	CHECK(email_plausible("a@example.com"));
	CHECK(email_plausible("first.last+tag@sub.example.org"));
	CHECK(!email_plausible("a.example.com"));
	CHECK(!email_plausible("@example.com"));
	CHECK(!email_plausible("a@b@example.com"));
	CHECK(!email_plausible("a@localhost"));
	CHECK(!email_plausible("a@.example.com"));
	CHECK(!email_plausible("a@example.com."));
	CHECK(!email_plausible("a@example..com"));
	CHECK(!email_plausible("a b@example.com"));
	CHECK(!email_plausible("<a@example.com>"));
	CHECK(!email_plausible("a@example.com\n"));
}

static void
test_paths_and_refs(void)
{
	CHECK(path_invalid("a/b.txt") == NULL);
	CHECK(path_invalid("") != NULL);
	CHECK(path_invalid("/a") != NULL);
	CHECK(path_invalid("a//b") != NULL);
	CHECK(path_invalid("a/../b") != NULL);
	CHECK(path_invalid("a\\b") != NULL);
	CHECK(path_invalid(".git/config") != NULL);
	CHECK(path_invalid("x/.GIT/y") != NULL);
	CHECK(rev_valid("main") && rev_valid("refs/pr/1"));
	CHECK(!rev_valid("a..b") && !rev_valid("a b"));
	CHECK(ref_name_valid("feature/x"));
	CHECK(!ref_name_valid("x.lock") && !ref_name_valid(".x") &&
	    !ref_name_valid("@"));
	CHECK(ref_name_ambiguous("HEAD") && ref_name_ambiguous("abcd") &&
	    ref_name_ambiguous("refs/heads/x"));
	CHECK(!ref_name_ambiguous("main"));
}

static void
test_repo_ids(void)
{
	struct arena a;
	const char *ns, *name;

	arena_init(&a, 1024);
	CHECK(repo_id_split(&a, "org/bert", &ns, &name) == 0);
	CHECK_STR(ns, "org");
	CHECK_STR(name, "bert");
	CHECK(repo_id_split(&a, "gpt2", &ns, &name) == 0);
	CHECK_STR(ns, "");
	CHECK_STR(name, "gpt2");
	CHECK(repo_id_split(&a, "/bert", &ns, &name) == -1);
	CHECK(repo_id_split(&a, "org/", &ns, &name) == -1);
	CHECK(repo_id_split(&a, "a/b/c", &ns, &name) == -1);
	CHECK(repo_id_split(&a, "", &ns, &name) == -1);
	CHECK(repo_id_split(&a, NULL, &ns, &name) == -1);
	arena_free(&a);
}

int
main(void)
{
	RUN(test_types);
	RUN(test_names);
	RUN(test_email);
	RUN(test_paths_and_refs);
	RUN(test_repo_ids);
	return check_done("names");
}
