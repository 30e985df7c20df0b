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
/* Browser sessions: 32 random bytes as 64 lowercase hex digits (the
 * session_id cookie); stored, like tokens, as SHA-256 (token_hash). */
#define SESSION_LEN	64

/* A new random session id into out[SESSION_LEN + 1]. */
void	 session_generate(char *out);
/* Whether s[0..n) has a session id's shape. */
bool	 session_wellformed(const char *s, size_t n);
/* argon2id (crypto_pwhash_str) of a password into out; 0 or -1 (memory). */
int	 password_hash(const char *pw, char out[crypto_pwhash_STRBYTES]);
/* Constant-time check of a password against its stored hash. */
bool	 password_verify(const char *pw, const char *stored);
/*
 * password_verify against a fixed hash whose password nobody knows, at the
 * same cost: a login for an unknown user takes as long as a wrong password.
 */
void	 password_verify_dummy(const char *pw);

#endif
