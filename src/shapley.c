/* shapley.c - coalitions, Shapley values, the core, convexity (shapley.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "smab/rng.h"
#include "smab/shapley.h"

int smab_coal_size(uint32_t mask)
{
	return __builtin_popcount(mask);
}

static int by_size_then_value(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int sa = smab_coal_size(a), sb = smab_coal_size(b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a < b ? -1 : a > b;
}

int smab_coal_sort(uint32_t *masks, int n)
{
	if (n <= 0)
		return 0;
	qsort(masks, (size_t)n, sizeof *masks, by_size_then_value);
	int k = 1;
	for (int i = 1; i < n; i++)
		if (masks[i] != masks[k - 1])
			masks[k++] = masks[i];
	return k;
}

int smab_coal_sizes(int M, const int *sizes, int nsizes, uint32_t *masks)
{
	int n = 0;
	for (uint32_t s = 1; s < (1u << M); s++)
		for (int i = 0; i < nsizes; i++)
			if (smab_coal_size(s) == sizes[i]) {
				masks[n++] = s;
				break;
			}
	return smab_coal_sort(masks, n);
}

int smab_coal_all(int M, uint32_t *masks)
{
	int n = 0;
	for (uint32_t s = 1; s < (1u << M); s++)
		masks[n++] = s;
	return smab_coal_sort(masks, n);
}

void smab_coal_perms(uint64_t seed, int M, int n, int *perm)
{
	smab_rng_key key = {seed, SMAB_RNG_ALL_POINTS, UINT32_MAX};
	gsl_rng *r = smab_rng_alloc();
	smab_rng_seek(r, &key, SMAB_RNG_PLAN, 0, 0);
	for (int k = 0; k < n; k++) {
		int *p = perm + (size_t)k * (size_t)M;
		for (int i = 0; i < M; i++)
			p[i] = i;
		for (int i = M - 1; i > 0; i--) {     /* Fisher-Yates */
			int j = (int)gsl_rng_uniform_int(r, (unsigned long)i + 1);
			int t = p[i];
			p[i] = p[j];
			p[j] = t;
		}
	}
	smab_rng_free(&r);
}

int smab_coal_perm_masks(int M, int n, const int *perm, uint32_t *masks)
{
	int c = 0;
	for (int k = 0; k < n; k++) {
		uint32_t s = 0;
		for (int i = 0; i < M; i++) {
			s |= 1u << perm[(size_t)k * (size_t)M + (size_t)i];
			masks[c++] = s;
		}
	}
	return smab_coal_sort(masks, c);
}
