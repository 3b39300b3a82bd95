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

/* Zero segments that real codes skip: cities without counties, Hong Kong and Macao. */
static void
test_zero_segments(void)
{
	shegu_gridcode c = 0;
	shegu_gridcode_error err;

	CHECK_STR(roundtrip("441900003"), "441900003", "东莞 township under county 00");
	CHECK_STR(roundtrip("441900003001"), "441900003001", "东莞 community");
	CHECK_STR(roundtrip("4419-00-003-001"), "441900003001", "with separators");
	CHECK_STR(roundtrip("442000001"), "442000001", "中山 township");
	CHECK_STR(roundtrip("460400100"), "460400100", "儋州 township");
	CHECK_STR(roundtrip("810001"), "810001", "Hong Kong district under city 00");
	CHECK_STR(roundtrip("820008"), "820008", "Macao parish");
	CHECK_STR(roundtrip("810001001002"), "810001001002", "below a Hong Kong district");
	CHECK_STR(roundtrip("441900000000"), "4419", "padded city is still the city");
	expect_error("430028", SHEGU_GC_ZERO_GAP, -1, "city 00 outside 81/82");
	expect_error("810000001", SHEGU_GC_ZERO_GAP, -1, "city and county both 00");
	expect_error("441900000001", SHEGU_GC_ZERO_GAP, -1, "county and township both 00");
	expect_error("441900003000001", SHEGU_GC_ZERO_GAP, -1, "village 00 is never skipped");
	expect_error("430528000002", SHEGU_GC_ZERO_GAP, -1, "township 00 is never skipped");
	expect_error("430528101002000001", SHEGU_GC_ZERO_GAP, -1, "grid 00 is never skipped");
	parse("810000001", &c, &err);
	CHECK_INT(err.level, 4, "double zero: township is the culprit");
	CHECK_INT(err.zero_level, 2, "double zero: from the city");

	parse("441900003001", &c, NULL);
	CHECK_INT(shegu_gridcode_level(c), 5, "东莞 community is level 5");
	CHECK_INT(shegu_gridcode_parent(c), 441900003000000000LL, "its parent is the township");
	CHECK_INT(shegu_gridcode_parent(441900003000000000LL), 441900000000000000LL,
			  "parent of 441900003 is 4419");
	CHECK_INT(shegu_gridcode_ancestor(c, 3), SHEGU_GRIDCODE_NONE, "no county ancestor");
	CHECK_INT(shegu_gridcode_ancestor(c, 2), 441900000000000000LL, "city ancestor");
	CHECK_INT(shegu_gridcode_ancestor(c, 4), 441900003000000000LL, "township ancestor");
	CHECK_INT(shegu_gridcode_segment(c, 3), 0, "county segment is 00");
	CHECK_INT(shegu_gridcode_to_int(c), 441900003001LL, "integer form keeps the zeros");
	CHECK_INT(shegu_gridcode_from_int(441900003LL, &c, &err), SHEGU_GC_OK, "from int");
	CHECK_INT(c, 441900003000000000LL, "from int value");
	CHECK_INT(shegu_gridcode_from_int(810001LL, &c, &err), SHEGU_GC_OK, "HK from int");
	CHECK_INT(shegu_gridcode_level(c), 3, "HK district is level 3");
	CHECK_INT(shegu_gridcode_parent(c), 810000000000000000LL, "parent of 810001 is 81");
	CHECK_INT(shegu_gridcode_ancestor(c, 2), SHEGU_GRIDCODE_NONE, "no city ancestor");
	CHECK(shegu_gridcode_contains(810000000000000000LL, c), "81 contains 810001");
	CHECK(shegu_gridcode_contains(441900000000000000LL, 441900003001000000LL),
		  "4419 contains 441900003001");
	CHECK(!shegu_gridcode_contains(441901000000000000LL, 441900003000000000LL),
		  "4419 01 does not contain 441900003");
	CHECK(441900003999999999LL < 441901000000000000LL,
		  "the county-less towns sort before any county of the city");
}

/*
 * Every code over a small alphabet of segments (0, 1, 2) at every level, in a province with
 * and one without the city-00 exception: the valid ones are exactly those whose zero
 * segments are allowed, and for every pair, a @> b iff a is b or on b's parent chain, and
 * the subtree range agrees.
 */
static void
test_zero_segments_exhaustive(void)
{
	static shegu_gridcode valid[2 * 2187];
	int			nvalid = 0,
				bad = 0;
	static const int provinces_tried[2] = {44, 81};

	for (int p = 0; p < 2; p++)
		for (int k = 0; k < 729; k++)
		{
			shegu_gridcode c = provinces_tried[p];
			int			digits[7],
						x = k;
			bool		ok = true;
			int			zero = 0;

			for (int l = 2; l <= 7; l++)
			{
				digits[l - 1] = x % 3;
				x /= 3;
				c = c * (l <= 3 ? 100 : 1000) + digits[l - 1];
			}
			/* the rule, written out independently */
			for (int l = 2; l <= 7; l++)
			{
				if (digits[l - 1] == 0)
				{
					if (zero == 0)
						zero = l;
				}
				else if (zero != 0)
				{
					bool		skip = zero == l - 1
						&& ((zero == 2 && provinces_tried[p] == 81)
							|| (zero == 3 && digits[1] != 0));

					if (!skip)
						ok = false;
					zero = 0;
				}
			}
			if ((shegu_gridcode_check(c, NULL) == SHEGU_GC_OK) != ok)
				bad++;
			if (ok)
				valid[nvalid++] = c;
		}
	CHECK_INT(bad, 0, "exactly the allowed zero segments are accepted");

	bad = 0;
	for (int i = 0; i < nvalid; i++)
	{
		shegu_gridcode b = valid[i];
		char		buf[SHEGU_GRIDCODE_BUFLEN];
		shegu_gridcode back = 0;

		shegu_gridcode_format(b, buf);
		if (shegu_gridcode_parse(buf, strlen(buf), &back, NULL) != SHEGU_GC_OK || back != b)
			bad++;
		for (int l = 1; l <= 7; l++)
		{
			shegu_gridcode a = shegu_gridcode_ancestor(b, l);

			if (l <= shegu_gridcode_level(b)
				&& (a == SHEGU_GRIDCODE_NONE) != (shegu_gridcode_segment(b, l) == 0))
				bad++;
			if (a != SHEGU_GRIDCODE_NONE
				&& (shegu_gridcode_level(a) != l || !shegu_gridcode_contains(a, b)))
				bad++;
		}
		for (int j = 0; j < nvalid; j++)
		{
			shegu_gridcode a = valid[j];
			bool		on_chain = false;

			for (shegu_gridcode q = b; q != SHEGU_GRIDCODE_NONE; q = shegu_gridcode_parent(q))
				if (q == a)
					on_chain = true;
			if (shegu_gridcode_contains(a, b) != on_chain)
				bad++;
			if ((b >= a && b <= shegu_gridcode_subtree_last(a)) != on_chain)
				bad++;
		}
	}
	CHECK(nvalid > 300, "many valid codes in the sample");
	CHECK_INT(bad, 0, "containment, subtree ranges and parent chains agree");
}

/* The county of a code, as shegu.incident_county gives it: the first six digits, zero-padded. */
static int64_t
county_of(const char *s)
{
	shegu_gridcode c;

	if (parse(s, &c, NULL) != SHEGU_GC_OK)
		return -1;
	return shegu_gridcode_county(c);
}

static void
test_county(void)
{
	CHECK_INT(county_of("430528101002003"), 430528, "county of a basic grid");
	CHECK_INT(county_of("430528101002003007"), 430528, "county of a micro-grid");
	CHECK_INT(county_of("430528"), 430528, "county of the county itself");
	CHECK_INT(county_of("4305"), 430500, "a city code, zero-padded");
	CHECK_INT(county_of("43"), 430000, "a province code, zero-padded");
	CHECK_INT(county_of("110105001002"), 110105, "county of a community in Beijing");
}

int
main(void)
{
	test_accepts();
	test_county();
	test_rejects();
	test_navigation();
	test_integers();
	test_roundtrip_all_levels();
	test_zero_segments();
	test_zero_segments_exhaustive();
	return UNIT_DONE();
}
