/*
 * secrets.c: tokens (random letters, stored as SHA-256) and passwords
 * (argon2id). A token has 194 bits of entropy, so a fast hash is enough for
 * it; passwords are chosen by people and get a slow one.
 */
#include <string.h>

#include "hash.h"
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
	hash_sha256(out, s, n);
}

void
session_generate(char *out)
{
	unsigned char raw[SESSION_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SESSION_LEN + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

bool
session_wellformed(const char *s, size_t n)
{
	size_t i;

	if (n != SESSION_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
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

/* The hash of 64 random hex digits, thrown away; the parameters are those
 * password_hash uses (OPSLIMIT and MEMLIMIT_INTERACTIVE). */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$tt9hd1/BerenBmaLqFXAUg$"
    "8ytKKZO/Nxk7jrdBDNacpugm1DC59YR8kwF0P9v19k0";

void
password_verify_dummy(const char *pw)
{
	(void)password_verify(pw, dummy_hash);
}
