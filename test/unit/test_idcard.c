/* Unit tests of the identity-number engine: GB 11643 numbers and GB 32100 credit codes.
 * test/unit/test_idcard.c */
#include "idcard.h"
#include "unit.h"

static shegu_idcard_status
parse(const char *s, shegu_idcard *id)
{
	return shegu_idcard_parse(s, strlen(s), 20261206, id);
}

int
main(void)
{
	shegu_idcard id;
	char		mask[SHEGU_IDCARD_LEN + 1];
	char		canon[SHEGU_USCC_LEN + 1];
	char		expected;

	/* the worked examples of GB 11643-1999 */
	CHECK_INT(parse("11010519491231002X", &id), SHEGU_IDC_OK, "GB 11643 example 11010519491231002X is valid");
	CHECK_INT(id.region, 110105, "its address code is 110105");
	CHECK_INT(id.year * 10000 + id.month * 100 + id.day, 19491231, "born 1949-12-31");
	CHECK_INT(id.sex, 2, "the even 17th digit is a woman");
	CHECK_INT(parse("440524188001010014", &id), SHEGU_IDC_OK, "GB 11643 example 440524188001010014 is valid");
	CHECK_INT(id.sex, 1, "the odd 17th digit is a man");
	CHECK_INT(parse("  11010519491231002x\t", &id), SHEGU_IDC_OK, "white space and a lower-case x are accepted");
	CHECK_STR(id.canon, "11010519491231002X", "the canonical form has an upper-case X");
	CHECK(shegu_idcard_check_char("43052819900101123") == '3', "check character of 43052819900101123 is 3");

	/* each refusal */
	CHECK_INT(parse("", &id), SHEGU_IDC_EMPTY, "empty");
	CHECK_INT(parse("   ", &id), SHEGU_IDC_EMPTY, "blank");
	CHECK_INT(parse("430528900101123", &id), SHEGU_IDC_LENGTH, "15-digit first-generation number refused");
	CHECK_INT(parse("4305281990010112345", &id), SHEGU_IDC_LENGTH, "19 characters refused");
	CHECK_INT(parse("43052819900101X233", &id), SHEGU_IDC_CHAR, "an X not in the last place");
	CHECK_INT(parse("43052819900101123A", &id), SHEGU_IDC_CHAR, "a letter other than X");
	CHECK_INT(parse("10052819900101123X", &id), SHEGU_IDC_REGION, "province 10 does not exist");
	CHECK_INT(parse("990528199001011230", &id), SHEGU_IDC_REGION, "province 99 does not exist");
	CHECK_INT(parse("430528199002301234", &id), SHEGU_IDC_DATE, "February 30th");
	CHECK_INT(parse("430528190002291234", &id), SHEGU_IDC_DATE, "1900 is no leap year");
	CHECK_INT(parse("430528200002291234", &id) == SHEGU_IDC_DATE, 0, "2000 is a leap year");
	CHECK_INT(parse("430528184001011234", &id), SHEGU_IDC_DATE, "born before 1850");
	CHECK_INT(parse("430528203001011234", &id), SHEGU_IDC_FUTURE, "born in 2030 is in the future");
	CHECK_INT(shegu_idcard_parse("430528203001011234", 18, 0, &id) == SHEGU_IDC_FUTURE, 0,
			  "today 0 skips the future test");
	CHECK_INT(parse("430528199001011234", &id), SHEGU_IDC_CHECK, "wrong check character");
	CHECK(id.check == '3', "the expected check character is reported");
	CHECK_INT(parse("11010519491231002X", &id), SHEGU_IDC_OK, "valid again");
	shegu_idcard_mask(&id, mask);
	CHECK_STR(mask, "110105********002X", "masked: address code and last four");

	/* every single-digit change of a valid number is caught by the check character */
	{
		const char *good = "440524188001010014";
		int			caught = 0,
					tried = 0;
		char		buf[19];

		for (int pos = 0; pos < 17; pos++)
			for (char d = '0'; d <= '9'; d++)
			{
				if (d == good[pos])
					continue;
				memcpy(buf, good, 19);
				buf[pos] = d;
				tried++;
				if (shegu_idcard_parse(buf, 18, 0, &id) != SHEGU_IDC_OK)
					caught++;
			}
		CHECK_INT(caught, tried, "every one-digit error is refused");
		CHECK(tried > 100, "and there were many");
	}
	CHECK(shegu_idcard_real_date(2024, 2, 29), "2024-02-29 is real");
	CHECK(!shegu_idcard_real_date(2023, 2, 29), "2023-02-29 is not");
	CHECK(!shegu_idcard_real_date(2023, 13, 1), "month 13 is not");
	CHECK(!shegu_idcard_real_date(2023, 4, 31), "April 31st is not");

	/* unified social credit codes */
	CHECK_INT(shegu_uscc_parse("91350100M000100Y43", 18, canon, &expected), SHEGU_USCC_OK,
			  "91350100M000100Y43 is valid");
	CHECK_INT(shegu_uscc_parse("91350100m000100y43", 18, canon, &expected), SHEGU_USCC_OK,
			  "lower case accepted");
	CHECK_STR(canon, "91350100M000100Y43", "and upper-cased");
	CHECK_INT(shegu_uscc_parse("91350100M000100Y44", 18, canon, &expected), SHEGU_USCC_CHECK,
			  "wrong check character");
	CHECK(expected == '3', "the expected check character is 3");
	CHECK_INT(shegu_uscc_parse("91350100I000100Y43", 18, canon, &expected), SHEGU_USCC_CHAR,
			  "the letter I is not in the alphabet");
	CHECK_INT(shegu_uscc_parse("9135", 4, canon, &expected), SHEGU_USCC_LENGTH, "too short");
	CHECK_INT(shegu_uscc_parse(" ", 1, canon, &expected), SHEGU_USCC_EMPTY, "blank");
	return UNIT_DONE();
}
