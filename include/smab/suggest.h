/* suggest.h - "did you mean": the known name closest to a mistyped word. */
#ifndef SMAB_SUGGEST_H
#define SMAB_SUGGEST_H

/* The name of names[0..n-1] that 'word' most likely meant: fewest edits
 * (an insertion, deletion, substitution or swap of two neighbouring letters
 * counts one), at most two, and fewer than the word has letters; the first
 * of equals.  NULL if none is that close. */
/* Edits between a and b (insertion, deletion, substitution, or a swap of
 * two neighbouring letters); 99 when either is longer than 63 bytes. */
int smab_edit_distance(const char *a, const char *b);

const char *smab_suggest(const char *word, const char *const *names, int n);

#endif
