/* test_param.c - parameter choices and the one value formatter. */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "smab/param.h"

static const smab_param_decl enum_d = {"noise", SMAB_P_ENUM, "gaussian", 0, 0,
                                       "gaussian|bernoulli|uniform", "test"};

START_TEST(test_choices)
{
	ck_assert_int_eq(smab_param_choice(&enum_d, "gaussian"), 0);
	ck_assert_int_eq(smab_param_choice(&enum_d, "uniform"), 2);
	ck_assert_int_eq(smab_param_choice(&enum_d, "gauss"), -1);
	ck_assert_int_eq(smab_param_choice(&enum_d, ""), -1);
	char buf[16];
	smab_param_choice_name(&enum_d, 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "bernoulli");
	smab_param_choice_name(&enum_d, 7, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* Shortest text that reads back exactly: 15, 16 or 17 digits as needed. */
START_TEST(test_real_str)
{
	static const struct {
		double x;
		const char *want;
	} c[] = {
		{0.1, "0.1"}, {20000, "20000"}, {-2.5e-7, "-2.5e-07"},
		{1.0 / 3.0, "0.3333333333333333"},           /* 16 digits */
		{0.1 + 0.2, "0.30000000000000004"},          /* 17 digits */
	};
	char buf[32];
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		smab_real_str(c[i].x, buf, sizeof buf);
		ck_assert_str_eq(buf, c[i].want);
		ck_assert(strtod(buf, NULL) == c[i].x);
	}
}
END_TEST

static void expect(const smab_param_decl *d, smab_value v, int digits, const char *want)
{
	char *s = smab_value_str(d, &v, digits);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_value_str)
{
	const smab_param_decl i = {.type = SMAB_P_INT}, r = {.type = SMAB_P_REAL},
	                      b = {.type = SMAB_P_BOOL}, v = {.type = SMAB_P_VEC};
	double vec[3] = {0.5, 0.1 + 0.2, 0};
	expect(&i, (smab_value){.x = 1e6}, 0, "1000000");   /* never 1e+06 */
	expect(&r, (smab_value){.x = 0.1 + 0.2}, 0, "0.30000000000000004");
	expect(&r, (smab_value){.x = 0.1 + 0.2}, 6, "0.3");
	expect(&b, (smab_value){.x = 1}, 0, "true");
	expect(&b, (smab_value){.x = 0}, 0, "false");
	expect(&enum_d, (smab_value){.x = 2}, 0, "uniform");
	expect(&v, (smab_value){.n = 0}, 0, "[]");
	expect(&v, (smab_value){.n = 3, .v = vec}, 0, "[0.5, 0.30000000000000004, 0]");
	expect(&v, (smab_value){.n = 3, .v = vec}, 6, "[0.5, 0.3, 0]");
	/* Long vectors of the longest elements (24 characters) fit. */
	double big[100];
	for (int k = 0; k < 100; k++)
		big[k] = -1.0 / 3.0 * 1e-300;
	char one[32];
	smab_real_str(big[0], one, sizeof one);
	ck_assert_uint_eq(strlen(one), 24);
	char *s = smab_value_str(&v, &(smab_value){.n = 100, .v = big}, 0);
	ck_assert_uint_eq(strlen(s), 2 + 100 * 24 + 99 * 2);
	ck_assert(strncmp(s + 1, one, 24) == 0);
	free(s);
}
END_TEST

static Suite *param_suite(void)
{
	Suite *s = suite_create("param");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_choices);
	tcase_add_test(tc, test_real_str);
	tcase_add_test(tc, test_value_str);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(param_suite()); }
