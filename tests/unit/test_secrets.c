/*
 * test_secrets.c: token shape and hashing, password hashing, names, arena.
 */
#include "arena.h"
#include "check.h"
#include "names.h"
#include "secrets.h"

static void
test_token_shape(void)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	token_generate(a);
	token_generate(b);
	CHECK(strlen(a) == 37);
	CHECK(strncmp(a, "hf_", 3) == 0);
	CHECK(strcmp(a, b) != 0);
	CHECK(token_wellformed(a, strlen(a)));
	CHECK(!token_wellformed(a, 36));
	CHECK(!token_wellformed("hf_short", 8));
	CHECK(!token_wellformed("xx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 37));
	CHECK(!token_wellformed("hf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1", 37));
	CHECK(token_wellformed("hf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAz", 37));
}

static void
test_token_hash(void)
{
	unsigned char h[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 1];

	/* SHA-256("abc"), FIPS 180-2 */
	token_hash("abc", 3, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_password(void)
{
	char stored[crypto_pwhash_STRBYTES];

	CHECK(password_hash("correct horse", stored) == 0);
	CHECK(strncmp(stored, "$argon2id$", 10) == 0);
	CHECK(password_verify("correct horse", stored));
	CHECK(!password_verify("correct horsf", stored));
}

static void
test_names(void)
{
	CHECK(name_invalid("alice") == NULL);
	CHECK(name_invalid("A.b_c-9") == NULL);
	CHECK(name_invalid("") != NULL);
	CHECK(name_invalid("-a") != NULL);
	CHECK(name_invalid("a.") != NULL);
	CHECK(name_invalid("a--b") != NULL);
	CHECK(name_invalid("a..b") != NULL);
	CHECK(name_invalid("a b") != NULL);
	CHECK(name_invalid("a/b") != NULL);
	CHECK(name_invalid("api") == NULL && name_reserved("api"));
	CHECK(name_reserved("Datasets") && !name_reserved("alice"));
	CHECK(name_invalid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") == NULL);
	CHECK(name_invalid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") != NULL);
}

static int cleaned;

static void
count_cleanup(void *p)
{
	(void)p;
	cleaned++;
}

static void
test_arena(void)
{
	struct arena a;
	struct buf b;
	size_t held;
	int i;
	char *big;

	arena_init(&a, 1024);
	held = arena_held(&a);
	for (i = 0; i < 1000; i++)
		CHECK(arena_alloc(&a, 100) != NULL);
	big = arena_alloc(&a, 100000);
	big[99999] = 'x';
	arena_on_reset(&a, count_cleanup, NULL);
	buf_init(&b, &a);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0 && b.len == 3890);
	CHECK(arena_held(&a) > 100000);
	arena_reset(&a);
	CHECK(cleaned == 1);
	/* back to the first block only: no growth across requests */
	CHECK(arena_held(&a) == held);
	CHECK_STR(arena_printf(&a, "%s-%d", "x", 5), "x-5");
	arena_free(&a);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_token_shape);
	RUN(test_token_hash);
	RUN(test_password);
	RUN(test_names);
	RUN(test_arena);
	return check_done("secrets");
}
