/*
 * fuzz.h: what every harness under tests/fuzz/ shares. A harness defines
 * LLVMFuzzerTestOneInput(); linked with libFuzzer (`make fuzz`) it is a
 * fuzzer, linked with standalone_driver.c (`make`) it replays the files
 * of its corpus, tests/fuzz/corpus/NAME/, as a regression test.
 */
#ifndef KHUB_FUZZ_H
#define KHUB_FUZZ_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (a copy, NUL-terminated; NULs inside stay). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input as exactly size bytes of their own (no terminator), so that
 * ASan reports a parser that reads past its length. */
static inline char *
fuzz_exact(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (s == NULL)
		abort();
	if (size)
		memcpy(s, data, size);
	return s;
}

/* A property a parser promised does not hold: a crash libFuzzer keeps. */
#define FUZZ_ASSERT(c) do { if (!(c)) abort(); } while (0)

#endif
