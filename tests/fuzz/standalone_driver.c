/*
 * standalone_driver.c: a main() for a fuzz harness without libFuzzer (as
 * libgit2's fuzzers/standalone_driver.c): feeds every file named, or every
 * file of every folder named, to LLVMFuzzerTestOneInput once, and prints
 * "fuzz_NAME: N passed, 0 failed". An input that crashes ends the program,
 * which tests/run counts as a failure.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t size = 0, cap = 0, k;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (size == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		k = fread(data + size, 1, cap - size, f);
		size += k;
	} while (k > 0);
	fclose(f);
	/* An exact-size copy: ASan sees a read past the input's end. */
	{
		unsigned char *exact = malloc(size ? size : 1);

		if (exact == NULL)
			abort();
		if (size)
			memcpy(exact, data, size);
		free(data);
		LLVMFuzzerTestOneInput(exact, size);
		free(exact);
	}
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order. Returns files run, -1 on error. */
static long
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, i;
	long ran = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (names[n] = strdup(e->d_name)) == NULL)
			abort();
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) != 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	long passed = 0, k;
	int i, failed = 0;

	name = name ? name + 1 : argv[0];
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			failed++;
			continue;
		}
		k = S_ISDIR(st.st_mode) ? run_dir(argv[i]) :
		    run_file(argv[i]) == 0 ? 1 : -1;
		if (k < 0)
			failed++;
		else
			passed += k;
	}
	printf("%s: %ld passed, %d failed\n", name, passed, failed);
	return failed ? 1 : 0;
}
