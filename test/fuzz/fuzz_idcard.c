/* libFuzzer target of the identity-number engine: any bytes are parsed without a crash, and a
 * number accepted is canonical, re-parses to itself and has a check character that agrees.
 * test/fuzz/fuzz_idcard.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idcard.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	shegu_idcard id,
				again;
	char		mask[SHEGU_IDCARD_LEN + 1];
	char		canon[SHEGU_USCC_LEN + 1];
	char		expected;

	if (shegu_idcard_parse((const char *) data, size, 20261206, &id) == SHEGU_IDC_OK)
	{
		if (strlen(id.canon) != SHEGU_IDCARD_LEN
			|| shegu_idcard_parse(id.canon, SHEGU_IDCARD_LEN, 20261206, &again) != SHEGU_IDC_OK
			|| memcmp(&id, &again, sizeof(id)) != 0
			|| shegu_idcard_check_char(id.canon) != id.canon[17])
			abort();
		shegu_idcard_mask(&id, mask);
		if (strlen(mask) != SHEGU_IDCARD_LEN || memcmp(mask, id.canon, 6) != 0)
			abort();
	}
	if (shegu_uscc_parse((const char *) data, size, canon, &expected) == SHEGU_USCC_OK
		&& (strlen(canon) != SHEGU_USCC_LEN || canon[17] != expected))
		abort();
	return 0;
}
