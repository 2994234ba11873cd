/* test_rng.c - known answers and stream independence for the rng module. */
#include <math.h>
#include <gsl/gsl_randist.h>

#include "check_util.h"
#include "smab/rng.h"

/* Random123's published known-answer vectors for Philox4x64-10
 * (kat_vectors: counter, key -> output). */
START_TEST(test_philox_kat)
{
	smab_rng_key zero = {0, 0, 0};
	uint64_t c0[4] = {0, 0, 0, 0}, out[4];
	smab_rng_block(&zero, c0, out);
	ck_assert_uint_eq(out[0], 0x16554d9eca36314cULL);
	ck_assert_uint_eq(out[1], 0xdb20fe9d672d0fdcULL);
	ck_assert_uint_eq(out[2], 0xd7e772cee186176bULL);
	ck_assert_uint_eq(out[3], 0x7e68b68aec7ba23bULL);

	smab_rng_key ones = {UINT64_MAX, UINT32_MAX, UINT32_MAX};
	uint64_t c1[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
	smab_rng_block(&ones, c1, out);
	ck_assert_uint_eq(out[0], 0x87b092c3013fe90bULL);
	ck_assert_uint_eq(out[1], 0x438c3c67be8d0224ULL);
	ck_assert_uint_eq(out[2], 0x9cc7d7c69cd777b6ULL);
	ck_assert_uint_eq(out[3], 0xa09caebf594f0ba0ULL);
}
END_TEST

/* The GSL adapter hands out the low 32 bits of each Philox word, last word
 * first, from counter (block, id, purpose, call << 32). */
START_TEST(test_stream_layout)
{
	smab_rng_key k = {42, 3, 7};
	gsl_rng *r = smab_rng_alloc();
	smab_rng_seek(r, &k, SMAB_RNG_REWARD, 5, 9);
	for (uint64_t call = 0; call < 3; call++) {
		uint64_t ctr[4] = {9, 5, SMAB_RNG_REWARD, call << 32}, out[4];
		smab_rng_block(&k, ctr, out);
		for (int w = 3; w >= 0; w--)
			ck_assert_uint_eq(gsl_rng_get(r), out[w] & 0xffffffffu);
	}
	smab_rng_free(&r);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_streams_distinct_and_repeatable)
{
	gsl_rng *a = smab_rng_alloc(), *b = smab_rng_alloc();
	smab_rng_key k = {1, 2, 3};
	smab_rng_key other[] = {{2, 2, 3}, {1, 3, 3}, {1, 2, 4}};
	smab_rng_seek(a, &k, SMAB_RNG_MECH, 0, 0);
	smab_rng_seek(b, &k, SMAB_RNG_MECH, 0, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(gsl_rng_get(a), gsl_rng_get(b));
	/* Another seed, point or replication: a different stream. */
	for (int j = 0; j < 3; j++) {
		smab_rng_seek(a, &k, SMAB_RNG_MECH, 0, 0);
		smab_rng_seek(b, &other[j], SMAB_RNG_MECH, 0, 0);
		int same = 0;
		for (int i = 0; i < 100; i++)
			same += gsl_rng_get(a) == gsl_rng_get(b);
		ck_assert_int_lt(same, 3);
	}
	/* Another purpose, id or block: a different stream. */
	uint64_t alt[3][3] = {{SMAB_RNG_ENV, 0, 0}, {SMAB_RNG_MECH, 1, 0}, {SMAB_RNG_MECH, 0, 1}};
	for (int j = 0; j < 3; j++) {
		smab_rng_seek(a, &k, SMAB_RNG_MECH, 0, 0);
		smab_rng_seek(b, &k, (uint32_t)alt[j][0], alt[j][1], alt[j][2]);
		int same = 0;
		for (int i = 0; i < 100; i++)
			same += gsl_rng_get(a) == gsl_rng_get(b);
		ck_assert_int_lt(same, 3);
	}
	smab_rng_free(&a);
	smab_rng_free(&b);
}
END_TEST

/* GSL samplers on our streams have the right first two moments (bands of
 * about 5 standard errors, fixed stream: deterministic). */
START_TEST(test_gsl_samplers_moments)
{
	gsl_rng *r = smab_rng_alloc();
	smab_rng_key k = {2026, 0, 0};
	smab_rng_seek(r, &k, SMAB_RNG_TEST, 0, 0);
	const int n = 200000;
	double s = 0, s2 = 0, u = 0;
	for (int i = 0; i < n; i++) {
		double z = gsl_ran_gaussian_ziggurat(r, 1.0);
		s += z;
		s2 += z * z;
		u += gsl_rng_uniform(r);
	}
	ck_assert_double_lt(fabs(s / n), 5 / sqrt(n));
	ck_assert_double_lt(fabs(s2 / n - 1), 5 * sqrt(2.0 / n));
	ck_assert_double_lt(fabs(u / n - 0.5), 5 * sqrt(1 / 12.0 / n));
	smab_rng_free(&r);
}
END_TEST

START_TEST(test_u01)
{
	ck_assert_double_eq(smab_rng_u01(0), 0.0);
	ck_assert_double_lt(smab_rng_u01(UINT64_MAX), 1.0);
	ck_assert_double_eq(smab_rng_u01(1ULL << 63), 0.5);
}
END_TEST

static Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_philox_kat);
	tcase_add_test(tc, test_stream_layout);
	tcase_add_test(tc, test_streams_distinct_and_repeatable);
	tcase_add_test(tc, test_gsl_samplers_moments);
	tcase_add_test(tc, test_u01);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(rng_suite()); }
