/* A minimal TAP-style harness for the pure-C engine tests (no server needed).
 * test/unit/unit.h — each test_*.c includes it and ends main() with UNIT_DONE(). */
#ifndef SHEGU_UNIT_H
#define SHEGU_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int	unit_passed = 0;
static int	unit_failed = 0;

static void
unit_report(int ok, const char *file, int line, const char *what)
{
	if (ok)
		unit_passed++;
	else
		unit_failed++;
	printf("%s %d - %s", ok ? "ok" : "not ok", unit_passed + unit_failed, what);
	if (!ok)
		printf("  (%s:%d)", file, line);
	printf("\n");
}

/* CHECK(condition, description) */
#define CHECK(cond, what) unit_report((cond) ? 1 : 0, __FILE__, __LINE__, (what))

/* CHECK_INT(actual, expected, description): prints both on failure. */
#define CHECK_INT(actual, expected, what) \
	do { \
		long long a_ = (long long) (actual), e_ = (long long) (expected); \
		unit_report(a_ == e_, __FILE__, __LINE__, (what)); \
		if (a_ != e_) printf("#   got %lld, expected %lld\n", a_, e_); \
	} while (0)

/* CHECK_STR(actual, expected, description) */
#define CHECK_STR(actual, expected, what) \
	do { \
		const char *a_ = (actual), *e_ = (expected); \
		int ok_ = (a_ && e_ && strcmp(a_, e_) == 0); \
		unit_report(ok_, __FILE__, __LINE__, (what)); \
		if (!ok_) printf("#   got \"%s\", expected \"%s\"\n", a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
	} while (0)

/* CHECK_NEAR(actual, expected, tolerance, description) */
#define CHECK_NEAR(actual, expected, tol, what) \
	do { \
		double a_ = (double) (actual), e_ = (double) (expected); \
		int ok_ = fabs(a_ - e_) <= (tol); \
		unit_report(ok_, __FILE__, __LINE__, (what)); \
		if (!ok_) printf("#   got %.17g, expected %.17g (tolerance %g)\n", a_, e_, (double) (tol)); \
	} while (0)

/* Last line of every test binary: the plain "N passed, N failed" summary; exit status. */
#define UNIT_DONE() \
	(printf("%d passed, %d failed\n", unit_passed, unit_failed), unit_failed == 0 ? 0 : 1)

#endif							/* SHEGU_UNIT_H */
