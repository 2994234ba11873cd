/* suggest.c - "did you mean" for names typed on the command line. */
#include <string.h>

#include "smab/suggest.h"

/* Longest word compared; a longer one is taken as far from everything. */
enum { MAXLEN = 63, FAR = 99 };

/* Optimal string alignment distance: Levenshtein plus the swap of two
 * neighbouring letters as one edit, since 'drfit' for 'drift' is the
 * commonest slip of all.  Three rows of the table suffice. */
int smab_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > MAXLEN || lb > MAXLEN)
		return FAR;
	int rows[3][MAXLEN + 1];
	int *two = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			int d = sub < del ? sub : del;
			d = d < ins ? d : ins;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    two[j - 2] + 1 < d)
				d = two[j - 2] + 1;
			cur[j] = d;
		}
		int *t = two;
		two = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *smab_suggest(const char *word, const char *const *names, int n)
{
	if (!word || !names)
		return NULL;
	const char *best = NULL;
	int bestd = 3, len = (int)strlen(word);
	for (int i = 0; i < n; i++) {
		int d = smab_edit_distance(word, names[i]);
		if (d < bestd && d < len) {
			best = names[i];
			bestd = d;
		}
	}
	return best;
}
