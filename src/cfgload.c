/* cfgload.c - an experiment file's bytes and libyaml's view of them:
 * reading the file, and a YAML syntax error turned into a located message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

/* A libyaml failure as one error at its mark.  Reader errors (bad UTF-8)
 * carry only a byte offset, so the line and column are counted here. */
void cfg_yaml_problem(cfg *c, const yaml_parser_t *p, const char *text)
{
	int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
	const char *what = p->problem ? p->problem : "out of memory";
	if (p->error == YAML_READER_ERROR) {
		line = col = 1;
		for (size_t i = 0; i < p->problem_offset; i++, col++)
			if (text[i] == '\n') {
				line++;
				col = 0;
			}
	}
	if (p->context)
		smab_errors_add(c->err, line, col, NULL, "invalid YAML: %s %s started at %d:%d",
		                what, p->context, (int)p->context_mark.line + 1,
		                (int)p->context_mark.column + 1);
	else
		smab_errors_add(c->err, line, col, NULL, "invalid YAML: %s", what);
}

int cfg_read_file(const char *path, char **text, size_t *len, smab_errors *err)
{
	*text = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		smab_errors_add(err, 0, 0, NULL, "cannot read file: %s", strerror(errno));
		return SMAB_EIO;
	}
	size_t n = 0, cap = 4096;
	char *buf = smab_xmalloc(cap);
	for (;;) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		buf = smab_xrealloc(buf, cap);
	}
	if (ferror(f)) {
		int errnum = errno;
		fclose(f);
		free(buf);
		smab_errors_add(err, 0, 0, NULL, "cannot read file: %s", strerror(errnum));
		return SMAB_EIO;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return SMAB_OK;
}
