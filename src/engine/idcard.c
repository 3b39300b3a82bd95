/* Citizen identity numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).
 * src/engine/idcard.c — pure C, no PostgreSQL headers. */
#include "idcard.h"

#include <ctype.h>
#include <string.h>

/* Weights of ISO 7064 MOD 11-2 for positions 1-17: 2^(18-i) mod 11. */
static const int idc_weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
/* The check character for each value of the weighted sum mod 11. */
static const char idc_check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

/* Province codes of GB/T 2260 (and 83, the residence permits of Taiwan residents, and 91, the
 * 2023 permanent residence cards of foreigners, which follow the same layout). */
static bool
idc_province(int p)
{
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37)
		|| (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65)
		|| p == 71 || p == 81 || p == 82 || p == 83 || p == 91;
}

bool
shegu_idcard_real_date(int year, int month, int day)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			last;

	if (month < 1 || month > 12 || day < 1)
		return false;
	last = days[month - 1];
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		last = 29;
	return day <= last;
}

char
shegu_idcard_check_char(const char *digits17)
{
	int			sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (digits17[i] - '0') * idc_weight[i];
	return idc_check[sum % 11];
}

static int
idc_number(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Trims white space off both ends of s[0..*len). */
static const char *
idc_trim(const char *s, size_t *len)
{
	size_t		n = *len;

	while (n > 0 && isspace((unsigned char) *s))
		s++, n--;
	while (n > 0 && isspace((unsigned char) s[n - 1]))
		n--;
	*len = n;
	return s;
}

shegu_idcard_status
shegu_idcard_parse(const char *s, size_t len, int today, shegu_idcard *out)
{
	memset(out, 0, sizeof(*out));
	s = idc_trim(s, &len);
	if (len == 0)
		return SHEGU_IDC_EMPTY;
	if (len != SHEGU_IDCARD_LEN)
		return SHEGU_IDC_LENGTH;
	for (int i = 0; i < SHEGU_IDCARD_LEN; i++)
	{
		char		c = s[i];

		if (i == 17 && (c == 'x' || c == 'X'))
			c = 'X';
		else if (c < '0' || c > '9')
			return SHEGU_IDC_CHAR;
		out->canon[i] = c;
	}
	out->canon[SHEGU_IDCARD_LEN] = '\0';
	out->region = idc_number(out->canon, 6);
	if (!idc_province(out->region / 10000))
		return SHEGU_IDC_REGION;
	out->year = idc_number(out->canon + 6, 4);
	out->month = idc_number(out->canon + 10, 2);
	out->day = idc_number(out->canon + 12, 2);
	if (out->year < 1850 || !shegu_idcard_real_date(out->year, out->month, out->day))
		return SHEGU_IDC_DATE;
	if (today > 0 && out->year * 10000 + out->month * 100 + out->day > today)
		return SHEGU_IDC_FUTURE;
	out->sex = (out->canon[16] - '0') % 2 == 1 ? 1 : 2;
	out->check = shegu_idcard_check_char(out->canon);
	if (out->check != out->canon[17])
		return SHEGU_IDC_CHECK;
	return SHEGU_IDC_OK;
}

const char *
shegu_idcard_status_text(shegu_idcard_status status)
{
	switch (status)
	{
		case SHEGU_IDC_OK:
			return "it is valid";
		case SHEGU_IDC_EMPTY:
			return "it is empty";
		case SHEGU_IDC_LENGTH:
			return "it is not 18 characters long";
		case SHEGU_IDC_CHAR:
			return "it holds a character other than the digits 0-9 and a final X";
		case SHEGU_IDC_REGION:
			return "its first two digits name no province";
		case SHEGU_IDC_DATE:
			return "its digits 7-14 are not a real date of birth";
		case SHEGU_IDC_FUTURE:
			return "its date of birth is in the future";
		case SHEGU_IDC_CHECK:
			return "its check character is wrong";
	}
	return "it is not valid";
}

void
shegu_idcard_mask(const shegu_idcard *id, char *out)
{
	memcpy(out, id->canon, 6);
	memset(out + 6, '*', 8);
	memcpy(out + 14, id->canon + 14, 4);
	out[SHEGU_IDCARD_LEN] = '\0';
}

/* GB 32100: the 31 characters in order of their values 0-30. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weight[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

static int
uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_alphabet, c);
	return p ? (int) (p - uscc_alphabet) : -1;
}

shegu_uscc_status
shegu_uscc_parse(const char *s, size_t len, char *canon, char *expected)
{
	int			sum = 0;
	int			c18;

	canon[0] = '\0';
	*expected = '\0';
	s = idc_trim(s, &len);
	if (len == 0)
		return SHEGU_USCC_EMPTY;
	if (len != SHEGU_USCC_LEN)
		return SHEGU_USCC_LENGTH;
	for (int i = 0; i < SHEGU_USCC_LEN; i++)
	{
		char		c = (char) toupper((unsigned char) s[i]);

		if (uscc_value(c) < 0)
			return SHEGU_USCC_CHAR;
		canon[i] = c;
	}
	canon[SHEGU_USCC_LEN] = '\0';
	for (int i = 0; i < 17; i++)
		sum += uscc_value(canon[i]) * uscc_weight[i];
	c18 = (31 - sum % 31) % 31;
	*expected = uscc_alphabet[c18];
	return canon[17] == *expected ? SHEGU_USCC_OK : SHEGU_USCC_CHECK;
}

const char *
shegu_uscc_status_text(shegu_uscc_status status)
{
	switch (status)
	{
		case SHEGU_USCC_OK:
			return "it is valid";
		case SHEGU_USCC_EMPTY:
			return "it is empty";
		case SHEGU_USCC_LENGTH:
			return "it is not 18 characters long";
		case SHEGU_USCC_CHAR:
			return "it holds a character outside 0-9 and A-Z without I, O, S, V and Z";
		case SHEGU_USCC_CHECK:
			return "its check character is wrong";
	}
	return "it is not valid";
}
