/*
 * secrets.c: tokens (random letters, stored as SHA-256) and passwords
 * (argon2id). A token has 194 bits of entropy, so a fast hash is enough for
 * it; passwords are chosen by people and get a slow one.
 */
#include <string.h>

#include "secrets.h"

static const char letters[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void
token_generate(char *out)
{
	size_t i, plen = sizeof(TOKEN_PREFIX) - 1;

	memcpy(out, TOKEN_PREFIX, plen);
	/* randombytes_uniform: no modulo bias. */
	for (i = plen; i < TOKEN_LEN; i++)
		out[i] = letters[randombytes_uniform(sizeof(letters) - 1)];
	out[TOKEN_LEN] = '\0';
}

bool
token_wellformed(const char *s, size_t n)
{
	size_t i, plen = sizeof(TOKEN_PREFIX) - 1;

	if (n != TOKEN_LEN || memcmp(s, TOKEN_PREFIX, plen) != 0)
		return false;
	for (i = plen; i < n; i++)
		if (strchr(letters, s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

void
token_hash(const char *s, size_t n, unsigned char out[TOKEN_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)s, n);
}

int
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool
password_verify(const char *pw, const char *stored)
{
	return crypto_pwhash_str_verify(stored, pw, strlen(pw)) == 0;
}
