/* The 18-digit hierarchical grid code (网格编码): parse, format and navigate.
 * src/engine/gridcode.c — pure C, no PostgreSQL headers. */
#include "gridcode.h"

#include <string.h>

/* Digits in a code down to each level; index 0 is unused. */
static const int level_digits[SHEGU_GRIDCODE_LEVELS + 1] = {0, 2, 4, 6, 9, 12, 15, 18};

static const char *const level_names[SHEGU_GRIDCODE_LEVELS + 1] = {
	"", "province", "city", "county", "township", "village", "grid", "micro-grid"
};

/* 10^k for k = 0..18 */
static const int64_t pow10_table[SHEGU_GRIDCODE_DIGITS + 1] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL,
	10000000000000LL, 100000000000000LL, 1000000000000000LL,
	10000000000000000LL, 100000000000000000LL, 1000000000000000000LL
};

/* GB/T 2260 province-level codes (including 71 Taiwan, 81 Hong Kong, 82 Macao). */
static const unsigned char provinces[] = {
	11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
	41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
	71, 81, 82
};

static bool
is_separator(char c)
{
	return c == '-' || c == ' ' || c == '.';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Is n a digit count at which some level ends? Returns that level or 0. */
static int
level_of_digits(int n)
{
	for (int level = 1; level <= SHEGU_GRIDCODE_LEVELS; level++)
		if (level_digits[level] == n)
			return level;
	return 0;
}

static void
clear_error(shegu_gridcode_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static shegu_gridcode_status
fail(shegu_gridcode_error *err, shegu_gridcode_status status)
{
	if (err)
		err->status = status;
	return status;
}

/* Copy the (possibly multi-byte UTF-8) character at s into err->character. */
static void
note_character(shegu_gridcode_error *err, const char *s, size_t avail)
{
	size_t		n = 1;
	unsigned char c = (unsigned char) s[0];

	if (c >= 0xF0)
		n = 4;
	else if (c >= 0xE0)
		n = 3;
	else if (c >= 0xC0)
		n = 2;
	if (n > avail)
		n = avail;
	memcpy(err->character, s, n);
	err->character[n] = '\0';
}

bool
shegu_gridcode_province_known(int p)
{
	for (size_t i = 0; i < sizeof(provinces); i++)
		if (provinces[i] == p)
			return true;
	return false;
}

int
shegu_gridcode_level_digits(int level)
{
	return (level >= 1 && level <= SHEGU_GRIDCODE_LEVELS) ? level_digits[level] : 0;
}

int
shegu_gridcode_segment_width(int level)
{
	return (level >= 1 && level <= SHEGU_GRIDCODE_LEVELS)
		? level_digits[level] - level_digits[level - 1] : 0;
}

const char *
shegu_gridcode_level_name(int level)
{
	return (level >= 1 && level <= SHEGU_GRIDCODE_LEVELS) ? level_names[level] : "";
}

int
shegu_gridcode_segment(shegu_gridcode code, int level)
{
	int			end = shegu_gridcode_level_digits(level);

	if (end == 0)
		return 0;
	return (int) ((code / pow10_table[SHEGU_GRIDCODE_DIGITS - end])
				  % pow10_table[shegu_gridcode_segment_width(level)]);
}

/*
 * May the zero segment at zero_level be skipped because the segment right below it
 * (at zero_level + 1) is non-zero?  Only where real division codes skip a level:
 *  - city 00 above a county in 81 Hong Kong and 82 Macao, whose districts hang directly
 *    under the region (810001 中西区, 820001 花地玛堂区);
 *  - county 00 between a non-zero city and a township: a prefecture-level city without
 *    counties (不设区的地级市), whose towns hang directly under it (441900003 东城街道 of
 *    东莞市, 442000001 of 中山市, 460400100 of 儋州市).
 * A single zero segment only; every other zero segment ends the code.
 */
static bool
zero_segment_skippable(shegu_gridcode code, int zero_level)
{
	int			province = shegu_gridcode_segment(code, 1);

	if (zero_level == 2)
		return province == 81 || province == 82;
	if (zero_level == 3)
		return shegu_gridcode_segment(code, 2) != 0;
	return false;
}

shegu_gridcode_status
shegu_gridcode_check(shegu_gridcode code, shegu_gridcode_error *err)
{
	int			zero_level = 0;

	clear_error(err);
	if (code < 0 || code >= pow10_table[SHEGU_GRIDCODE_DIGITS])
		return fail(err, SHEGU_GC_OUT_OF_RANGE);
	if (!shegu_gridcode_province_known(shegu_gridcode_segment(code, 1)))
	{
		if (err)
			err->province = shegu_gridcode_segment(code, 1);
		return fail(err, SHEGU_GC_UNKNOWN_PROVINCE);
	}
	for (int level = 2; level <= SHEGU_GRIDCODE_LEVELS; level++)
	{
		if (shegu_gridcode_segment(code, level) == 0)
		{
			if (zero_level == 0)
				zero_level = level;
		}
		else if (zero_level != 0)
		{
			if (zero_level == level - 1 && zero_segment_skippable(code, zero_level))
			{
				zero_level = 0;
				continue;
			}
			if (err)
			{
				err->level = level;
				err->zero_level = zero_level;
			}
			return fail(err, SHEGU_GC_ZERO_GAP);
		}
	}
	return SHEGU_GC_OK;
}

shegu_gridcode_status
shegu_gridcode_parse(const char *s, size_t len, shegu_gridcode *out,
					 shegu_gridcode_error *err)
{
	size_t		begin = 0,
				end = len;
	int			ndigits = 0;
	int64_t		value = 0;
	int			position = 0;	/* character position, counted in characters */
	bool		after_digit = false;
	shegu_gridcode_status status;

	clear_error(err);
	while (begin < end && is_space(s[begin]))
		begin++;
	while (end > begin && is_space(s[end - 1]))
		end--;
	if (begin == end)
		return fail(err, SHEGU_GC_EMPTY);

	/* Positions are reported in characters of the whole input, white space included. */
	for (size_t i = 0; i < begin; i++)
		position++;

	for (size_t i = begin; i < end; i++)
	{
		char		c = s[i];

		if (((unsigned char) c & 0xC0) != 0x80)
			position++;
		if (c >= '0' && c <= '9')
		{
			if (ndigits == SHEGU_GRIDCODE_DIGITS)
			{
				if (err)
				{
					err->position = position;
					err->ndigits = ndigits + 1;
				}
				return fail(err, SHEGU_GC_TOO_LONG);
			}
			value = value * 10 + (c - '0');
			ndigits++;
			after_digit = true;
		}
		else if (is_separator(c))
		{
			/* One separator, between two digits, where a segment ends. */
			bool		next_is_digit = (i + 1 < end && s[i + 1] >= '0' && s[i + 1] <= '9');

			if (!after_digit || !next_is_digit || level_of_digits(ndigits) == 0
				|| ndigits == SHEGU_GRIDCODE_DIGITS)
			{
				if (err)
				{
					err->position = position;
					note_character(err, s + i, end - i);
				}
				return fail(err, SHEGU_GC_BAD_SEPARATOR);
			}
			after_digit = false;
		}
		else
		{
			if (err)
			{
				err->position = position;
				note_character(err, s + i, end - i);
			}
			return fail(err, SHEGU_GC_NON_DIGIT);
		}
	}

	if (level_of_digits(ndigits) == 0)
	{
		if (err)
			err->ndigits = ndigits;
		return fail(err, SHEGU_GC_BAD_LENGTH);
	}
	value *= pow10_table[SHEGU_GRIDCODE_DIGITS - ndigits];
	status = shegu_gridcode_check(value, err);
	if (status != SHEGU_GC_OK)
		return status;
	*out = value;
	return SHEGU_GC_OK;
}

shegu_gridcode_status
shegu_gridcode_from_int(int64_t v, shegu_gridcode *out, shegu_gridcode_error *err)
{
	int			ndigits = 0;

	clear_error(err);
	if (v <= 0 || v >= pow10_table[SHEGU_GRIDCODE_DIGITS])
		return fail(err, SHEGU_GC_OUT_OF_RANGE);
	while (ndigits < SHEGU_GRIDCODE_DIGITS && pow10_table[ndigits] <= v)
		ndigits++;
	if (level_of_digits(ndigits) == 0)
	{
		if (err)
			err->ndigits = ndigits;
		return fail(err, SHEGU_GC_BAD_LENGTH);
	}
	v *= pow10_table[SHEGU_GRIDCODE_DIGITS - ndigits];
	if (shegu_gridcode_check(v, err) != SHEGU_GC_OK)
		return err ? err->status : SHEGU_GC_ZERO_GAP;
	*out = v;
	return SHEGU_GC_OK;
}

int
shegu_gridcode_level(shegu_gridcode code)
{
	for (int level = SHEGU_GRIDCODE_LEVELS; level > 1; level--)
		if (shegu_gridcode_segment(code, level) != 0)
			return level;
	return 1;
}

int64_t
shegu_gridcode_to_int(shegu_gridcode code)
{
	return code / pow10_table[SHEGU_GRIDCODE_DIGITS
							  - level_digits[shegu_gridcode_level(code)]];
}

int
shegu_gridcode_format(shegu_gridcode code, char *buf)
{
	int			n = level_digits[shegu_gridcode_level(code)];
	int64_t		v = code;

	/* Always 18 digits; then cut to the code's own level. */
	for (int i = SHEGU_GRIDCODE_DIGITS - 1; i >= 0; i--)
	{
		int64_t		d = v % 10;

		buf[i] = (char) ('0' + (d < 0 ? -d : d));
		v /= 10;
	}
	buf[n] = '\0';
	return n;
}

int64_t
shegu_gridcode_county(shegu_gridcode code)
{
	char		buf[SHEGU_GRIDCODE_BUFLEN];
	int			n = shegu_gridcode_format(code, buf);
	int64_t		county = 0;

	for (int i = 0; i < 6; i++)
		county = county * 10 + (i < n ? buf[i] - '0' : 0);
	return county;
}

shegu_gridcode
shegu_gridcode_ancestor(shegu_gridcode code, int level)
{
	int64_t		unit;

	if (level < 1 || level > shegu_gridcode_level(code))
		return SHEGU_GRIDCODE_NONE;
	/* A skipped (zero) segment names no unit: 441900003 has no county. */
	if (shegu_gridcode_segment(code, level) == 0)
		return SHEGU_GRIDCODE_NONE;
	unit = pow10_table[SHEGU_GRIDCODE_DIGITS - level_digits[level]];
	return (code / unit) * unit;
}

shegu_gridcode
shegu_gridcode_parent(shegu_gridcode code)
{
	/* The nearest level above with a non-zero segment: 441900003 → 4419, 810001 → 81. */
	for (int level = shegu_gridcode_level(code) - 1; level >= 1; level--)
		if (shegu_gridcode_segment(code, level) != 0)
			return shegu_gridcode_ancestor(code, level);
	return SHEGU_GRIDCODE_NONE;
}

shegu_gridcode
shegu_gridcode_subtree_last(shegu_gridcode code)
{
	int			level = shegu_gridcode_level(code);

	return code + pow10_table[SHEGU_GRIDCODE_DIGITS - level_digits[level]] - 1;
}

bool
shegu_gridcode_contains(shegu_gridcode a, shegu_gridcode b)
{
	return b >= a && b <= shegu_gridcode_subtree_last(a);
}

const char *
shegu_gridcode_status_name(shegu_gridcode_status status)
{
	switch (status)
	{
		case SHEGU_GC_OK:
			return "ok";
		case SHEGU_GC_EMPTY:
			return "empty";
		case SHEGU_GC_NON_DIGIT:
			return "non-digit";
		case SHEGU_GC_BAD_SEPARATOR:
			return "misplaced separator";
		case SHEGU_GC_TOO_LONG:
			return "too long";
		case SHEGU_GC_BAD_LENGTH:
			return "wrong length";
		case SHEGU_GC_UNKNOWN_PROVINCE:
			return "unknown province";
		case SHEGU_GC_ZERO_GAP:
			return "non-zero segment below a zero one that may not be skipped";
		case SHEGU_GC_OUT_OF_RANGE:
			return "out of range";
	}
	return "unknown";
}
