/*
 * check.h: the unit tests' whole framework.
 *
 *	static void test_thing(void) { CHECK(1 + 1 == 2); }
 *	int main(void) { RUN(test_thing); return check_done("thing"); }
 *
 * A test passes when none of its CHECKs failed. check_done() prints
 * "SUITE: N passed, N failed" and returns the exit status; tests/run adds the
 * suites up.
 */
#ifndef KHUB_CHECK_H
#define KHUB_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_cur_failed;

#define CHECK(c) do {							\
	if (!(c)) {							\
		check_cur_failed++;					\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *check_a_ = (a), *check_b_ = (b);			\
	if (check_a_ == NULL || check_b_ == NULL ?			\
	    check_a_ != check_b_ : strcmp(check_a_, check_b_) != 0) {	\
		check_cur_failed++;					\
		fprintf(stderr, "%s:%d: check failed: %s == %s\n"	\
		    "  got:      %s\n  expected: %s\n", __FILE__, __LINE__,\
		    #a, #b, check_a_ ? check_a_ : "(null)",		\
		    check_b_ ? check_b_ : "(null)");			\
	}								\
} while (0)

#define RUN(fn) do {							\
	check_cur_failed = 0;						\
	fn();								\
	if (check_cur_failed) {						\
		check_failed++;						\
		fprintf(stderr, "FAIL %s\n", #fn);			\
	} else								\
		check_passed++;						\
} while (0)

static inline int
check_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_passed,
	    check_failed);
	return check_failed ? 1 : 0;
}

#endif
