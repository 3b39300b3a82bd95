/* Citizen identity numbers (公民身份号码, GB 11643-1999) and unified social credit codes
 * (统一社会信用代码, GB 32100-2015): parse, check and mask.
 * src/engine/idcard.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_IDCARD_H
#define SHEGU_ENGINE_IDCARD_H

#include <stdbool.h>
#include <stddef.h>

#define SHEGU_IDCARD_LEN	18

typedef enum shegu_idcard_status
{
	SHEGU_IDC_OK = 0,
	SHEGU_IDC_EMPTY,			/* nothing but white space */
	SHEGU_IDC_LENGTH,			/* not 18 characters (15-digit first-generation numbers included) */
	SHEGU_IDC_CHAR,				/* a character other than a digit, or an X not in the last place */
	SHEGU_IDC_REGION,			/* first two digits name no province of GB/T 2260 */
	SHEGU_IDC_DATE,				/* digits 7-14 are no real date (or before 1850) */
	SHEGU_IDC_FUTURE,			/* the birth date is after today */
	SHEGU_IDC_CHECK				/* the 18th character is not the ISO 7064 MOD 11-2 check character */
} shegu_idcard_status;

typedef struct shegu_idcard
{
	char		canon[SHEGU_IDCARD_LEN + 1];	/* 18 characters, upper-case X, NUL-terminated */
	int			region;			/* the six-digit address code (行政区划代码) */
	int			year,
				month,
				day;			/* date of birth */
	int			sex;			/* 1 male (odd 17th digit), 2 female (even), as GB/T 2261.1 */
	char		check;			/* the check character the first 17 digits call for */
} shegu_idcard;

/*
 * Parses s[0..len) (surrounding white space ignored, a lower-case x taken as X) as an 18-character
 * citizen identity number whose birth date is on or before today (yyyymmdd as an integer, e.g.
 * 20261206; 0 skips that test).  Fills *out as far as it got: on SHEGU_IDC_CHECK, out->check is
 * the character that was expected.
 */
extern shegu_idcard_status shegu_idcard_parse(const char *s, size_t len, int today, shegu_idcard *out);

/* The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of 17 digits. */
extern char shegu_idcard_check_char(const char *digits17);

/* A sentence for a status, e.g. "the check character is wrong". */
extern const char *shegu_idcard_status_text(shegu_idcard_status status);

/* The masked form shown to analysts: the address code and the last four characters, the birth
 * date and the rest hidden: 430528********1234.  out holds SHEGU_IDCARD_LEN + 1 bytes. */
extern void shegu_idcard_mask(const shegu_idcard *id, char *out);

/* Is the year/month/day a real date of the Gregorian calendar? */
extern bool shegu_idcard_real_date(int year, int month, int day);

#define SHEGU_USCC_LEN	18

typedef enum shegu_uscc_status
{
	SHEGU_USCC_OK = 0,
	SHEGU_USCC_EMPTY,
	SHEGU_USCC_LENGTH,			/* not 18 characters */
	SHEGU_USCC_CHAR,			/* a character outside 0-9 and A-Z without I, O, S, V, Z */
	SHEGU_USCC_CHECK			/* the 18th character is not the GB 32100 check character */
} shegu_uscc_status;

/*
 * Parses an 18-character unified social credit code (统一社会信用代码) into canon (19 bytes,
 * upper case); on SHEGU_USCC_CHECK, *expected is the check character the first 17 call for.
 */
extern shegu_uscc_status shegu_uscc_parse(const char *s, size_t len, char *canon, char *expected);

extern const char *shegu_uscc_status_text(shegu_uscc_status status);

#endif							/* SHEGU_ENGINE_IDCARD_H */
