/* Unit tests of the grid code engine: parser, formatter, navigation.
 * test/unit/test_gridcode.c */
#include "unit.h"
#include "gridcode.h"

static shegu_gridcode_status
parse(const char *s, shegu_gridcode *out, shegu_gridcode_error *err)
{
	return shegu_gridcode_parse(s, strlen(s), out, err);
}

/* Parse s and format it back. */
static const char *
roundtrip(const char *s)
{
	static char buf[SHEGU_GRIDCODE_BUFLEN];
	shegu_gridcode c;

	if (parse(s, &c, NULL) != SHEGU_GC_OK)
		return "(error)";
	shegu_gridcode_format(c, buf);
	return buf;
}

static void
test_accepts(void)
{
	shegu_gridcode c = 0;

	CHECK_STR(roundtrip("43"), "43", "province");
	CHECK_STR(roundtrip("4305"), "4305", "city");
	CHECK_STR(roundtrip("430528"), "430528", "county");
	CHECK_STR(roundtrip("430528101"), "430528101", "township");
	CHECK_STR(roundtrip("430528101002"), "430528101002", "community");
	CHECK_STR(roundtrip("430528101002003"), "430528101002003", "basic grid");
	CHECK_STR(roundtrip("430528101002003007"), "430528101002003007", "micro-grid");
	CHECK_STR(roundtrip("430528000000"), "430528", "padded county is the county");
	CHECK_STR(roundtrip("430528000000000000"), "430528", "fully padded county");
	CHECK_STR(roundtrip("43-05-28-101-002-003-007"), "430528101002003007", "dashes");
	CHECK_STR(roundtrip("43 05 28 101 002"), "430528101002", "spaces");
	CHECK_STR(roundtrip("430528.101.002"), "430528101002", "dots at segment ends");
	CHECK_STR(roundtrip("  430528101  "), "430528101", "surrounding white space");
	CHECK_STR(roundtrip("4305-28"), "430528", "separator after the city");
	CHECK_STR(roundtrip("82"), "82", "Macao");
	CHECK_STR(roundtrip("71"), "71", "Taiwan");
	CHECK_INT(parse("430528101002", &c, NULL), SHEGU_GC_OK, "status ok");
	CHECK_INT(c, 430528101002000000LL, "stored zero-padded");
}

static void
expect_error(const char *s, shegu_gridcode_status want, int position, const char *what)
{
	shegu_gridcode c = 0;
	shegu_gridcode_error err;
	shegu_gridcode_status st = parse(s, &c, &err);

	CHECK_INT(st, want, what);
	CHECK_INT(err.status, want, "error records the status");
	if (position >= 0)
		CHECK_INT(err.position, position, "error position");
}

static void
test_rejects(void)
{
	shegu_gridcode_error err;
	shegu_gridcode c;

	expect_error("", SHEGU_GC_EMPTY, -1, "empty");
	expect_error("   ", SHEGU_GC_EMPTY, -1, "only spaces");
	expect_error("4", SHEGU_GC_BAD_LENGTH, -1, "one digit");
	expect_error("4305281", SHEGU_GC_BAD_LENGTH, -1, "seven digits");
	expect_error("4305281010", SHEGU_GC_BAD_LENGTH, -1, "ten digits");
	expect_error("4305281010020030071", SHEGU_GC_TOO_LONG, 19, "nineteen digits");
	expect_error("43a528", SHEGU_GC_NON_DIGIT, 3, "letter");
	expect_error("43_0528", SHEGU_GC_NON_DIGIT, 3, "underscore");
	expect_error("4\xe2\x80\x94" "30528", SHEGU_GC_NON_DIGIT, 2, "em dash");
	expect_error("4305\xef\xbc\x92" "8", SHEGU_GC_NON_DIGIT, 5, "full-width digit");
	expect_error("4-30528", SHEGU_GC_BAD_SEPARATOR, 2, "separator inside a segment");
	expect_error("43--0528", SHEGU_GC_BAD_SEPARATOR, 3, "two separators");
	expect_error("-430528", SHEGU_GC_BAD_SEPARATOR, 1, "leading separator");
	expect_error("430528-", SHEGU_GC_BAD_SEPARATOR, 7, "trailing separator");
	expect_error("99", SHEGU_GC_UNKNOWN_PROVINCE, -1, "province 99");
	expect_error("00", SHEGU_GC_UNKNOWN_PROVINCE, -1, "province 00");
	expect_error("000000", SHEGU_GC_UNKNOWN_PROVINCE, -1, "all zeros");
	expect_error("10", SHEGU_GC_UNKNOWN_PROVINCE, -1, "province 10");
	expect_error("430528000002", SHEGU_GC_ZERO_GAP, -1, "village under no township");
	expect_error("430028", SHEGU_GC_ZERO_GAP, -1, "county under no city");

	parse("430528000002", &c, &err);
	CHECK_INT(err.level, 5, "gap: the non-zero level is village");
	CHECK_INT(err.zero_level, 4, "gap: the zero level is township");
	parse("99", &c, &err);
	CHECK_INT(err.province, 99, "unknown province is named");
	parse("4305281", &c, &err);
	CHECK_INT(err.ndigits, 7, "digit count is named");
	parse("43a528", &c, &err);
	CHECK_STR(err.character, "a", "culprit character is named");
	parse("4305\xef\xbc\x92" "8", &c, &err);
	CHECK_STR(err.character, "\xef\xbc\x92", "multi-byte culprit kept whole");
}

static void
test_navigation(void)
{
	shegu_gridcode g,
				t,
				m,
				p;

	parse("430528101002003", &g, NULL);
	parse("430528101", &t, NULL);
	parse("430528101002003007", &m, NULL);
	parse("43", &p, NULL);

	CHECK_INT(shegu_gridcode_level(p), 1, "level of a province");
	CHECK_INT(shegu_gridcode_level(t), 4, "level of a township");
	CHECK_INT(shegu_gridcode_level(g), 6, "level of a grid");
	CHECK_INT(shegu_gridcode_level(m), 7, "level of a micro-grid");
	CHECK_INT(shegu_gridcode_parent(m), g, "parent of the micro-grid");
	CHECK_INT(shegu_gridcode_parent(p), SHEGU_GRIDCODE_NONE, "a province has no parent");
	CHECK_INT(shegu_gridcode_ancestor(g, 4), t, "township ancestor");
	CHECK_INT(shegu_gridcode_ancestor(g, 6), g, "own level is itself");
	CHECK_INT(shegu_gridcode_ancestor(g, 7), SHEGU_GRIDCODE_NONE, "no deeper ancestor");
	CHECK_INT(shegu_gridcode_ancestor(g, 0), SHEGU_GRIDCODE_NONE, "level 0");
	CHECK_INT(shegu_gridcode_segment(g, 4), 101, "township segment");
	CHECK_INT(shegu_gridcode_segment(g, 6), 3, "grid segment");
	CHECK_INT(shegu_gridcode_segment(g, 7), 0, "micro segment of a grid is zero");
	CHECK_INT(shegu_gridcode_subtree_last(t), 430528101999999999LL, "subtree end");
	CHECK_INT(shegu_gridcode_subtree_last(m), m, "a micro-grid is its own subtree");
	CHECK(shegu_gridcode_contains(t, g), "township contains grid");
	CHECK(shegu_gridcode_contains(g, g), "contains itself");
	CHECK(!shegu_gridcode_contains(g, t), "grid does not contain township");
	CHECK(shegu_gridcode_contains(p, m), "province contains micro-grid");
	CHECK(t < g && g < m, "descendants sort after the ancestor");
	CHECK_INT(shegu_gridcode_to_int(g), 430528101002003LL, "integer form");
	CHECK_INT(shegu_gridcode_to_int(p), 43, "integer form of a province");
}

static void
test_integers(void)
{
	shegu_gridcode c = 0;
	shegu_gridcode_error err;

	CHECK_INT(shegu_gridcode_from_int(430528, &c, &err), SHEGU_GC_OK, "county from int");
	CHECK_INT(c, 430528000000000000LL, "county value");
	CHECK_INT(shegu_gridcode_from_int(430528101002003007LL, &c, &err), SHEGU_GC_OK, "18 digits");
	CHECK_INT(shegu_gridcode_from_int(4305281, &c, &err), SHEGU_GC_BAD_LENGTH, "7 digits");
	CHECK_INT(shegu_gridcode_from_int(0, &c, &err), SHEGU_GC_OUT_OF_RANGE, "zero");
	CHECK_INT(shegu_gridcode_from_int(-43, &c, &err), SHEGU_GC_OUT_OF_RANGE, "negative");
	CHECK_INT(shegu_gridcode_from_int(1000000000000000000LL, &c, &err), SHEGU_GC_OUT_OF_RANGE,
			  "19 digits");
	CHECK_INT(shegu_gridcode_from_int(430528000002LL, &c, &err), SHEGU_GC_ZERO_GAP, "gap");
	CHECK_INT(shegu_gridcode_check(430528000000000000LL, &err), SHEGU_GC_OK, "check ok");
	CHECK_INT(shegu_gridcode_check(999999999999999999LL, &err), SHEGU_GC_UNKNOWN_PROVINCE,
			  "check unknown province");
}

/* Every valid code survives format → parse, and order equals pre-order. */
static void
test_roundtrip_all_levels(void)
{
	int			bad = 0;
	shegu_gridcode prev = 0;
	unsigned	seed = 12345;

	for (int i = 0; i < 200000; i++)
	{
		shegu_gridcode c = 0,
					back = 0;
		char		buf[SHEGU_GRIDCODE_BUFLEN];
		int			level;

		seed = seed * 1103515245u + 12345u;
		level = 1 + (int) ((seed >> 16) % 7);
		c = 43;
		for (int l = 2; l <= level; l++)
		{
			int			w = shegu_gridcode_segment_width(l);
			int			mod = (w == 2) ? 99 : 999;

			seed = seed * 1103515245u + 12345u;
			c = c * (w == 2 ? 100 : 1000) + 1 + (int) ((seed >> 8) % (unsigned) mod);
		}
		for (int k = shegu_gridcode_level_digits(level); k < SHEGU_GRIDCODE_DIGITS; k++)
			c *= 10;
		shegu_gridcode_format(c, buf);
		if (shegu_gridcode_parse(buf, strlen(buf), &back, NULL) != SHEGU_GC_OK || back != c
			|| shegu_gridcode_level(c) != level)
			bad++;
		if (shegu_gridcode_contains(c, prev) && prev < c)
			bad++;
		prev = c;
	}
	CHECK_INT(bad, 0, "200000 random codes round-trip");
}

int
main(void)
{
	test_accepts();
	test_rejects();
	test_navigation();
	test_integers();
	test_roundtrip_all_levels();
	return UNIT_DONE();
}
