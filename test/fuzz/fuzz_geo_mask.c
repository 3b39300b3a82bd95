/* libFuzzer target of the dirty-region mask: boxes read from the input (up to 96: the mask keeps
 * up to 64 as they are, more as cells); every point of every box (corners included) must be
 * covered, and every covered point must lie in a rectangle.
 * test/fuzz/fuzz_geo_mask.c */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo_mask.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *mask = NULL;
	shegu_geo_box boxes[96];
	shegu_geo_box *rects;
	size_t		n = 0,
				nr,
				k,
				j;

	if (mask == NULL && (mask = malloc(shegu_geo_mask_size())) == NULL)
		abort();
	while (size >= 16 && n < 96)	/* beyond 64 boxes the mask keeps only cells */
	{
		float		f[4];

		memcpy(f, data, 16);
		data += 16;
		size -= 16;
		if (!isfinite(f[0]) || !isfinite(f[1]) || !isfinite(f[2]) || !isfinite(f[3]))
			continue;
		boxes[n].x0 = fmin(f[0], f[2]);
		boxes[n].x1 = fmax(f[0], f[2]);
		boxes[n].y0 = fmin(f[1], f[3]);
		boxes[n].y1 = fmax(f[1], f[3]);
		n++;
	}
	shegu_geo_mask_build(mask, boxes, n);
	nr = shegu_geo_mask_rects(mask, NULL, 0);
	rects = malloc(sizeof(shegu_geo_box) * (nr + 1));
	if (shegu_geo_mask_rects(mask, rects, nr) != nr)
		abort();
	for (k = 0; k < n; k++)
	{
		/* corners, centre, and points a fraction along each box */
		for (j = 0; j < 9; j++)
		{
			double		x = boxes[k].x0 + (boxes[k].x1 - boxes[k].x0) * (double) (j % 3) / 2,
						y = boxes[k].y0 + (boxes[k].y1 - boxes[k].y0) * (double) (j / 3) / 2;
			size_t		r;
			int			in_rect = 0;

			if (j % 3 == 2)
				x = boxes[k].x1;
			if (j / 3 == 2)
				y = boxes[k].y1;
			if (!shegu_geo_mask_covers(mask, x, y))
				abort();
			for (r = 0; r < nr; r++)
				in_rect |= (x >= rects[r].x0 && x <= rects[r].x1 && y >= rects[r].y0 && y <= rects[r].y1);
			if (!in_rect)
				abort();
		}
	}
	/* points between the boxes: one the mask covers lies in a rectangle */
	for (k = 0; k + 1 < n; k++)
		for (j = 0; j < 5; j++)
		{
			double		t = (double) j / 4,
						x = boxes[k].x0 + (boxes[k + 1].x1 - boxes[k].x0) * t,
						y = boxes[k].y1 + (boxes[k + 1].y0 - boxes[k].y1) * t;
			size_t		r;
			int			in_rect = 0;

			if (!shegu_geo_mask_covers(mask, x, y))
				continue;
			for (r = 0; r < nr; r++)
				in_rect |= (x >= rects[r].x0 && x <= rects[r].x1 && y >= rects[r].y0 && y <= rects[r].y1);
			if (!in_rect)
				abort();
		}
	free(rects);
	return 0;
}
