/*
 * secrets.h: access tokens and passwords. Only hashes are ever stored.
 */
#ifndef KHUB_SECRETS_H
#define KHUB_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

/* "hf_" and 34 letters, like the Hub's: about 194 bits of randomness. */
#define TOKEN_PREFIX	"hf_"
#define TOKEN_LEN	37
#define TOKEN_HASH_LEN	32

/* A new random token (libsodium randombytes) into out[TOKEN_LEN + 1]. */
void	 token_generate(char *out);
/* Whether s[0..n) has a token's shape; cheap, before any lookup. */
bool	 token_wellformed(const char *s, size_t n);
/* The stored form of a token: SHA-256 of its text. */
void	 token_hash(const char *s, size_t n, unsigned char out[TOKEN_HASH_LEN]);
/* argon2id (crypto_pwhash_str) of a password into out; 0 or -1 (memory). */
int	 password_hash(const char *pw, char out[crypto_pwhash_STRBYTES]);
/* Constant-time check of a password against its stored hash. */
bool	 password_verify(const char *pw, const char *stored);

#endif
