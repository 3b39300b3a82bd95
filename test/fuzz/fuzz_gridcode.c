/* libFuzzer target for the grid code text parser: never crash, and every accepted
 * input formats to a canonical text that parses back to the same code, and its parent
 * and ancestors (skipped zero levels excepted) are valid codes that contain it.
 * test/fuzz/fuzz_gridcode.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gridcode.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	shegu_gridcode code = 0,
				back = 0;
	shegu_gridcode_error err;
	char		buf[SHEGU_GRIDCODE_BUFLEN];

	if (shegu_gridcode_parse((const char *) data, size, &code, &err) != SHEGU_GC_OK)
	{
		if (err.position < 0 || (size_t) err.position > size)
			abort();
		return 0;
	}
	if (shegu_gridcode_check(code, NULL) != SHEGU_GC_OK)
		abort();
	if (shegu_gridcode_format(code, buf) != (int) strlen(buf))
		abort();
	if (shegu_gridcode_parse(buf, strlen(buf), &back, NULL) != SHEGU_GC_OK || back != code)
		abort();
	if (shegu_gridcode_parent(code) != SHEGU_GRIDCODE_NONE
		&& (!shegu_gridcode_contains(shegu_gridcode_parent(code), code)
			|| shegu_gridcode_level(shegu_gridcode_parent(code)) >= shegu_gridcode_level(code)))
		abort();
	/* Ancestors: none exactly at skipped (zero) levels; each contains the code. */
	for (int level = 1; level <= shegu_gridcode_level(code); level++)
	{
		shegu_gridcode a = shegu_gridcode_ancestor(code, level);

		if ((a == SHEGU_GRIDCODE_NONE) != (shegu_gridcode_segment(code, level) == 0))
			abort();
		if (a != SHEGU_GRIDCODE_NONE
			&& (shegu_gridcode_level(a) != level || !shegu_gridcode_contains(a, code)
				|| shegu_gridcode_check(a, NULL) != SHEGU_GC_OK))
			abort();
	}
	return 0;
}
