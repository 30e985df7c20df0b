/*
 * fuzz_prref.c: which revisions name a pull request's ref
 * (discussion_pr_of_rev(), discussions.c). A number comes back only for
 * the one spelling of it, "refs/pr/N": the rights of a commit to it
 * (its author or a writer) are decided on that number, so no other
 * spelling may reach the same ref row.
 */
#include <stdio.h>

#include "discussions.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *rev = fuzz_cstr(data, size), back[32];
	int64_t n = discussion_pr_of_rev(rev);

	FUZZ_ASSERT(n >= 0 && n <= 1000000000);
	if (n > 0) {
		snprintf(back, sizeof(back), "refs/pr/%lld", (long long)n);
		FUZZ_ASSERT(strcmp(back, rev) == 0);
	}
	free(rev);
	return 0;
}
