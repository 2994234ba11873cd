/* check_util.h - the shared main of every Check unit-test program. */
#ifndef SMAB_CHECK_UTIL_H
#define SMAB_CHECK_UTIL_H

#include <check.h>
#include <stdlib.h>

/* Run one suite with CK_NORMAL output (the test harness reads the
 * "Checks: N, Failures: F, Errors: E" line) and exit nonzero on failure. */
static inline int smab_check_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
