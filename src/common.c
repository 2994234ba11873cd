/* common.c - the error list and allocation helpers. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smab/common.h"

void *smab_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "smab: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

void *smab_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		fprintf(stderr, "smab: out of memory (%zu x %zu bytes)\n", n, size);
		abort();
	}
	return p;
}

void *smab_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "smab: out of memory (%zu bytes)\n", n);
		abort();
	}
	return q;
}

char *smab_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(smab_xmalloc(n), s, n);
}

void smab_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void smab_errors_init(smab_errors *err, const char *file)
{
	memset(err, 0, sizeof *err);
	err->file = smab_xstrdup(file ? file : "<input>");
}

void smab_errors_clear(smab_errors *err)
{
	for (int i = 0; i < err->n; i++) {
		free(err->e[i].key);
		free(err->e[i].msg);
	}
	for (int i = 0; i < err->nwarn; i++) {
		free(err->w[i].key);
		free(err->w[i].msg);
	}
	free(err->e);
	free(err->w);
	free(err->file);
	memset(err, 0, sizeof *err);
}

static void push(smab_error **list, int *n, int *cap, int line, int col, const char *key,
                 const char *fmt, va_list ap)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*list = smab_xrealloc(*list, (size_t)*cap * sizeof **list);
	}
	char buf[1024];
	vsnprintf(buf, sizeof buf, fmt, ap);
	smab_error *e = &(*list)[(*n)++];
	e->line = line;
	e->col = col;
	e->key = key ? smab_xstrdup(key) : NULL;
	e->msg = smab_xstrdup(buf);
}

void smab_errors_add(smab_errors *err, int line, int col, const char *key,
                     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	push(&err->e, &err->n, &err->cap, line, col, key, fmt, ap);
	va_end(ap);
}

void smab_errors_warn(smab_errors *err, int line, int col, const char *key,
                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	push(&err->w, &err->nwarn, &err->wcap, line, col, key, fmt, ap);
	va_end(ap);
}

static void print_list(const smab_errors *err, const smab_error *list, int n, const char *kind,
                       FILE *out)
{
	for (int i = 0; i < n; i++) {
		const smab_error *e = &list[i];
		if (e->line > 0)
			fprintf(out, "%s:%d:%d: %s: ", err->file ? err->file : "<input>",
			        e->line, e->col, kind);
		else   /* not at a place in the file: a command-line override, an I/O error */
			fprintf(out, "%s: %s: ", err->file ? err->file : "<input>", kind);
		if (e->key)
			fprintf(out, "'%s': ", e->key);
		fprintf(out, "%s\n", e->msg);
	}
}

void smab_errors_print(const smab_errors *err, FILE *out)
{
	print_list(err, err->w, err->nwarn, "warning", out);
	print_list(err, err->e, err->n, "error", out);
}
