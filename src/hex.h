/*
 * hex.h: bytes as lower-case hex and back.
 */
#ifndef KHUB_HEX_H
#define KHUB_HEX_H

#include <stddef.h>

/* n bytes into out[2 * n + 1], NUL-terminated. */
void	 hex_encode(char *out, const unsigned char *p, size_t n);
/* Exactly 2 * n hex digits (either case) into out[n]; 0 or -1. */
int	 hex_decode(unsigned char *out, size_t n, const char *hex, size_t len);
/* The value of a hex digit (either case), or -1. */
int	 hex_digit(int c);

#endif
