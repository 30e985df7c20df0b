/*
 * test_discussions.c: which revisions name a pull request's ref (one
 * spelling per number: refs/pr/N is a branch row named so, and another
 * spelling must not reach another row).
 */
#include "check.h"
#include "discussions.h"

static void
test_pr_of_rev(void)
{
	CHECK(discussion_pr_of_rev("refs/pr/1") == 1);
	CHECK(discussion_pr_of_rev("refs/pr/187") == 187);
	CHECK(discussion_pr_of_rev("refs/pr/100000000") == 100000000);
	CHECK(discussion_pr_of_rev("refs/pr/") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/0") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/01") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/1a") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/1/") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/-1") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/ 1") == 0);
	CHECK(discussion_pr_of_rev("refs/pr/99999999999999999999") == 0);
	CHECK(discussion_pr_of_rev("refs/heads/1") == 0);
	CHECK(discussion_pr_of_rev("pr/1") == 0);
	CHECK(discussion_pr_of_rev("main") == 0);
	CHECK(discussion_pr_of_rev("") == 0);
}

int
main(void)
{
	RUN(test_pr_of_rev);
	return check_done("discussions");
}
