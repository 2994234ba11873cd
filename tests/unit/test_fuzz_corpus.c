/* test_fuzz_corpus.c - every input of the fuzz corpus (tests/fuzz/corpus:
 * the experiments, the reproducers of the fuzzing pass and what the fuzzer
 * found) through the fuzz target's own entry function, so a fixed crash
 * stays fixed: under ASan and UBSan in 'make asan', plainly in 'make check'.
 * No fuzzing here; each input runs once and must take less than a second
 * or two. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_util.h"
#include "../fuzz/fuzz_config.h"

/* The corpus, found from this file's path as make compiles it (relative to
 * the repository's root, where the tests run). */
#define CORPUS "tests/unit/../fuzz/corpus"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Run one input; it must not take more than 'most' seconds. */
static void replay(const char *name, const uint8_t *data, size_t size, double most)
{
	double t0 = now();
	smab_fuzz_config(data, size);
	double secs = now() - t0;
	ck_assert_msg(secs < most, "%s took %.2f s", name, secs);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

START_TEST(corpus_replays)
{
	struct dirent **ent;
	int n = scandir(CORPUS, &ent, NULL, by_name);
	ck_assert_msg(n >= 0, "cannot read %s: %s (run from the repository's root)", CORPUS,
	              strerror(errno));
	int files = 0;
	for (int i = 0; i < n; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", CORPUS, ent[i]->d_name);
		FILE *f = ent[i]->d_name[0] == '.' ? NULL : fopen(path, "rb");
		free(ent[i]);
		if (!f)
			continue;
		uint8_t *buf = smab_xmalloc(1 << 20);
		size_t len = fread(buf, 1, 1 << 20, f);
		fclose(f);
		replay(path, buf, len, 2.0);
		free(buf);
		files++;
	}
	free(ent);
	/* the experiments alone are 25 files: a corpus that lost them is broken */
	ck_assert_int_ge(files, 40);
}
END_TEST

/* The reproducers too large to keep in the corpus, made here. */
START_TEST(large_reproducers_replay)
{
	size_t n = 100000, len = 2 * n + 64;
	uint8_t *t = smab_xmalloc(len);
	/* 100000 nested lists in the file, then in a --set value */
	size_t k = (size_t)snprintf((char *)t, len, "\nsuite: drift\nparams: {means: ");
	memset(t + k, '[', n);
	memset(t + k + n, ']', n);
	replay("100000 nested lists", t, k + 2 * n, 1.0);
	k = (size_t)snprintf((char *)t, len, "params.means=");
	memset(t + k, '[', n);
	k += n;
	k += (size_t)snprintf((char *)t + k, len - k, "\nsuite: drift\n");
	replay("100000 nested lists in --set", t, k, 1.0);
	free(t);
}
END_TEST

static Suite *corpus_suite(void)
{
	Suite *s = suite_create("fuzz_corpus");
	TCase *tc = tcase_create("replay");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, corpus_replays);
	tcase_add_test(tc, large_reproducers_replay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return smab_check_main(corpus_suite());
}
