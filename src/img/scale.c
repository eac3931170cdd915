/* Resizing for previews (see scale.h). Each axis gets a table of taps
 * (first source index, count, 14-bit weights summing to exactly 1 << 14);
 * each output row is the weighted sum of the source rows it covers (kept
 * as value x 256), then filtered across. A 512x512 slice shrinks to
 * 360x360 in about half a millisecond, and an identity or exact 2:1 scale
 * gives exact results. Must not depend on a terminal or use floating
 * point in the inner loops. */
#include "config.h"

#include "img/scale.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define WEIGHT_BITS 14
#define WEIGHT_ONE  (1 << WEIGHT_BITS)

struct taps {
	unsigned *first;  /* per destination index */
	unsigned *count;  /* per destination index */
	unsigned stride;  /* weights per destination index */
	uint16_t *weight; /* dst x stride */
};

static void taps_free(struct taps *t)
{
	free(t->first);
	free(t->count);
	free(t->weight);
}

/* Rounds w[0..n) (summing to about 1) to integers summing to WEIGHT_ONE:
 * the rounding residue goes to the largest weight. */
static void taps_quantise(const double *w, unsigned n, uint16_t *out)
{
	int sum = 0;
	unsigned big = 0;

	for (unsigned k = 0; k < n; k++) {
		int q = (int)lround(w[k] * WEIGHT_ONE);

		if (q < 0)
			q = 0;
		out[k] = (uint16_t)q;
		sum += q;
		if (w[k] > w[big])
			big = k;
	}
	out[big] = (uint16_t)(out[big] + (WEIGHT_ONE - sum));
}

static void taps_make(unsigned src, unsigned dst, struct taps *t)
{
	double scale = (double)src / dst;
	double *w;

	t->stride = src > dst ? (unsigned)ceil(scale) + 2 : 2;
	t->first = xcalloc(dst, sizeof *t->first);
	t->count = xcalloc(dst, sizeof *t->count);
	t->weight = xcalloc((size_t)dst * t->stride, sizeof *t->weight);
	w = xcalloc(t->stride, sizeof *w);
	for (unsigned i = 0; i < dst; i++) {
		unsigned n = 0, first;

		if (src == dst) {
			first = i;
			w[n++] = 1.0;
		} else if (src > dst) {
			/* Destination pixel i covers [i*scale, (i+1)*scale). */
			double lo = i * scale, hi = (i + 1) * scale;
			unsigned last;

			first = (unsigned)floor(lo);
			last = (unsigned)ceil(hi);
			if (last > src)
				last = src;
			for (unsigned j = first; j < last && n < t->stride; j++) {
				double a = j > lo ? j : lo, b = j + 1 < hi ? j + 1 : hi;

				w[n++] = b > a ? (b - a) / scale : 0.0;
			}
		} else {
			double x = (i + 0.5) * scale - 0.5, f;

			if (x < 0)
				x = 0;
			first = (unsigned)floor(x);
			f = x - first;
			if (src == 1) {
				first = 0;
				w[n++] = 1.0;
			} else if (first >= src - 1) {
				/* Past the last centre: two taps all the same, so
				 * every enlarging tap is a pair. */
				first = src - 2;
				w[n++] = 0.0;
				w[n++] = 1.0;
			} else {
				w[n++] = 1.0 - f;
				w[n++] = f;
			}
		}
		t->first[i] = first;
		t->count[i] = n;
		taps_quantise(w, n, t->weight + (size_t)i * t->stride);
	}
	free(w);
}

void image_fit(unsigned src_w, unsigned src_h, unsigned max_w, unsigned max_h, unsigned *w,
               unsigned *h)
{
	uint64_t fw, fh;

	if (src_w == 0 || src_h == 0 || max_w == 0 || max_h == 0) {
		*w = 1;
		*h = 1;
		return;
	}
	/* Full width first; if that is too tall, full height. */
	fw = max_w;
	fh = ((uint64_t)src_h * max_w + src_w / 2) / src_w;
	if (fh > max_h) {
		fh = max_h;
		fw = ((uint64_t)src_w * max_h + src_h / 2) / src_h;
		if (fw > max_w)
			fw = max_w;
	}
	*w = fw < 1 ? 1 : (unsigned)fw;
	*h = fh < 1 ? 1 : (unsigned)fh;
}

/* One output row from the vertically filtered row mid (src_w x channels,
 * value x 256): 14-bit horizontal taps, back to 8 bits. */
static void row_horizontal(const uint32_t *mid, const struct taps *tx, unsigned dst_w,
                           unsigned channels, unsigned char *d)
{
	if (channels == 1 && tx->stride == 2) {
		/* Enlarging: always two taps (or one source column). */
		for (unsigned x = 0; x < dst_w; x++) {
			const uint16_t *wt = tx->weight + (size_t)x * 2;
			const uint32_t *p = mid + tx->first[x];
			uint32_t acc = p[0] * wt[0];

			if (tx->count[x] == 2)
				acc += p[1] * wt[1];
			d[x] = (unsigned char)((acc + (1u << 21)) >> 22);
		}
		return;
	}
	if (channels == 1) {
		for (unsigned x = 0; x < dst_w; x++) {
			const uint16_t *wt = tx->weight + (size_t)x * tx->stride;
			const uint32_t *p = mid + tx->first[x];
			uint32_t acc = 0;

			for (unsigned k = 0; k < tx->count[x]; k++)
				acc += p[k] * wt[k];
			d[x] = (unsigned char)((acc + (1u << 21)) >> 22);
		}
		return;
	}
	for (unsigned x = 0; x < dst_w; x++) {
		const uint16_t *wt = tx->weight + (size_t)x * tx->stride;
		const uint32_t *p = mid + (size_t)tx->first[x] * channels;

		for (unsigned c = 0; c < channels; c++) {
			uint32_t acc = 0;

			for (unsigned k = 0; k < tx->count[x]; k++)
				acc += p[k * channels + c] * wt[k];
			d[x * channels + c] = (unsigned char)((acc + (1u << 21)) >> 22);
		}
	}
}

unsigned char *image_scale(const unsigned char *src, unsigned src_w, unsigned src_h,
                           unsigned channels, unsigned dst_w, unsigned dst_h)
{
	struct taps tx, ty;
	uint32_t *acc;
	unsigned char *dst;
	size_t src_row, dst_row;

	if (src == NULL || src_w == 0 || src_h == 0 || channels == 0 || dst_w == 0 || dst_h == 0)
		return NULL;
	dst = xmalloc((size_t)dst_w * dst_h * channels);
	if (src_w == dst_w && src_h == dst_h) {
		memcpy(dst, src, (size_t)dst_w * dst_h * channels);
		return dst;
	}
	taps_make(src_w, dst_w, &tx);
	taps_make(src_h, dst_h, &ty);
	src_row = (size_t)src_w * channels;
	dst_row = (size_t)dst_w * channels;
	acc = xreallocarray(NULL, src_row, sizeof *acc);

	/* Per output row: the source rows it covers, weighted into one row of
	 * value x 256 (8-bit x 14-bit, rounded by 6 bits: at most 65280, so
	 * the horizontal sums of 14-bit weights stay under 2^32), then across. */
	for (unsigned y = 0; y < dst_h; y++) {
		const uint16_t *wt = ty.weight + (size_t)y * ty.stride;
		const unsigned char *s = src + (size_t)ty.first[y] * src_row;

		for (size_t i = 0; i < src_row; i++)
			acc[i] = (uint32_t)s[i] * wt[0];
		for (unsigned k = 1; k < ty.count[y]; k++) {
			const unsigned char *sk = s + k * src_row;
			uint32_t w = wt[k];

			for (size_t i = 0; i < src_row; i++)
				acc[i] += sk[i] * w;
		}
		for (size_t i = 0; i < src_row; i++)
			acc[i] = (acc[i] + (1u << 5)) >> 6;
		row_horizontal(acc, &tx, dst_w, channels, dst + (size_t)y * dst_row);
	}
	free(acc);
	taps_free(&tx);
	taps_free(&ty);
	return dst;
}
