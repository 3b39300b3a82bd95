/* The 18-digit hierarchical grid code (网格编码): parse, format and navigate.
 * src/engine/gridcode.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_GRIDCODE_H
#define SHEGU_ENGINE_GRIDCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A code is held as its 18 digits read as one integer, zero-padded on the right:
 *   province 2 | city 2 | county 2 | township 3 | village 3 | grid 3 | micro-grid 3
 * so 430528101002 (a community) is 430528101002000000.  Numeric order is then a
 * pre-order walk of the hierarchy: every subtree is one contiguous range that starts
 * at its root.  0 is never a valid code and serves as "none".
 *
 * A zero segment ends the code, except where real division codes skip a level:
 * city 00 above a district of 81 Hong Kong / 82 Macao (810001), and county 00 between
 * a city and a township of a city without counties (441900003).  The level of a code
 * is the position of its last non-zero segment; a skipped level has no ancestor.
 */
typedef int64_t shegu_gridcode;

#define SHEGU_GRIDCODE_NONE		((shegu_gridcode) 0)
#define SHEGU_GRIDCODE_LEVELS	7
#define SHEGU_GRIDCODE_DIGITS	18
#define SHEGU_GRIDCODE_BUFLEN	(SHEGU_GRIDCODE_DIGITS + 1)

typedef enum shegu_gridcode_status
{
	SHEGU_GC_OK = 0,
	SHEGU_GC_EMPTY,				/* nothing but white space */
	SHEGU_GC_NON_DIGIT,			/* a character that is neither digit nor separator */
	SHEGU_GC_BAD_SEPARATOR,		/* a separator not between two segments */
	SHEGU_GC_TOO_LONG,			/* more than 18 digits */
	SHEGU_GC_BAD_LENGTH,		/* a digit count that ends no level */
	SHEGU_GC_UNKNOWN_PROVINCE,	/* first two digits are no GB/T 2260 province */
	SHEGU_GC_ZERO_GAP,			/* a non-zero segment below a zero one not skippable */
	SHEGU_GC_OUT_OF_RANGE		/* an integer form that is negative or too large */
} shegu_gridcode_status;

/* What went wrong, with enough to say where. */
typedef struct shegu_gridcode_error
{
	shegu_gridcode_status status;
	int			position;		/* 1-based character position of the culprit, or 0 */
	char		character[5];	/* the culprit character (UTF-8), NUL-terminated */
	int			ndigits;		/* digits seen (BAD_LENGTH, TOO_LONG) */
	int			level;			/* ZERO_GAP: level of the non-zero segment */
	int			zero_level;		/* ZERO_GAP: level of the zero segment above it */
	int			province;		/* UNKNOWN_PROVINCE: the two digits */
} shegu_gridcode_error;

/* Parse text (len bytes, not necessarily NUL-terminated).  On failure *err says why. */
extern shegu_gridcode_status shegu_gridcode_parse(const char *s, size_t len,
												  shegu_gridcode *out,
												  shegu_gridcode_error *err);

/* The integer form has the same digits as the canonical text: 430528 is the county. */
extern shegu_gridcode_status shegu_gridcode_from_int(int64_t v, shegu_gridcode *out,
													 shegu_gridcode_error *err);
extern int64_t shegu_gridcode_to_int(shegu_gridcode code);

/* Check a held value (e.g. from the binary wire form). */
extern shegu_gridcode_status shegu_gridcode_check(shegu_gridcode code,
												  shegu_gridcode_error *err);

/* Canonical shortest text into buf (SHEGU_GRIDCODE_BUFLEN bytes); returns its length. */
extern int	shegu_gridcode_format(shegu_gridcode code, char *buf);

/*
 * The county (县) number of a grid: the first six digits of its code, zero-padded for a province
 * or city code (430528 for 430528101002003, 430000 for 43).  The same as SQL's
 * shegu.incident_county, the distribution key of incidents on Citus.
 */
extern int64_t shegu_gridcode_county(shegu_gridcode code);

/* A one-line English description of a failed parse/check, for tests and tools. */
extern const char *shegu_gridcode_status_name(shegu_gridcode_status status);

/* Level 1 (province) .. 7 (micro-grid) of a valid code. */
extern int	shegu_gridcode_level(shegu_gridcode code);

/* Digits in the code down to a level (2, 4, 6, 9, 12, 15, 18), and a segment's width. */
extern int	shegu_gridcode_level_digits(int level);
extern int	shegu_gridcode_segment_width(int level);

/* English segment name of a level ("province" .. "micro-grid"). */
extern const char *shegu_gridcode_level_name(int level);

/* The value of one segment (0 when the code stops above that level or skips it). */
extern int	shegu_gridcode_segment(shegu_gridcode code, int level);

/* The ancestor at a level (the code itself at its own level); NONE when deeper
 * than the code or when the code skips that level (zero segment). */
extern shegu_gridcode shegu_gridcode_ancestor(shegu_gridcode code, int level);

/* The parent: the nearest ancestor (skipped levels are passed over); NONE for a province. */
extern shegu_gridcode shegu_gridcode_parent(shegu_gridcode code);

/* The last code value of the subtree rooted at code: the subtree is [code, last]. */
extern shegu_gridcode shegu_gridcode_subtree_last(shegu_gridcode code);

/* a is b or an ancestor of b. */
extern bool shegu_gridcode_contains(shegu_gridcode a, shegu_gridcode b);

/* Is p (1..99) a province code of GB/T 2260? */
extern bool shegu_gridcode_province_known(int p);

#endif							/* SHEGU_ENGINE_GRIDCODE_H */
