/* cfgload.c - an experiment file's bytes and libyaml's view of them:
 * reading the file, a cheap scan of the text against the limits before
 * libyaml builds a document from it, and a YAML syntax error turned into a
 * located message.
 *
 * The limits keep a hostile or mistaken input from costing more than a
 * moment: libyaml has no nesting limit and its scanner does work
 * proportional to the flow depth for every token (100 000 nested '[' took
 * 20 s), the document tree and every walk over it grow with the node count,
 * and /dev/zero never ends.  An experiment file is a page of YAML, so the
 * limits are far above any real one (cfg.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* 1 if an event carries an anchor (&name) or is an alias (*name). */
static int has_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_ALIAS_EVENT: return 1;
	case YAML_SCALAR_EVENT: return ev->data.scalar.anchor != NULL;
	case YAML_SEQUENCE_START_EVENT: return ev->data.sequence_start.anchor != NULL;
	case YAML_MAPPING_START_EVENT: return ev->data.mapping_start.anchor != NULL;
	default: return 0;
	}
}

/* libyaml's event parser is run over the text, and stopped at the first
 * event past a limit.  Stopping early is what keeps it cheap: the scanner
 * looks at most 1024 characters ahead for a simple key, so it has seen
 * about that much more than MAX_DEPTH levels when the limit stops it. */
int cfg_scan(const char *text, size_t len, int value, char *why, size_t whylen,
             int *line, int *col)
{
	*line = *col = 0;
	if (len > MAX_TEXT_BYTES) {
		snprintf(why, whylen, "larger than 4 MiB (%d bytes), the limit for an "
		         "experiment file or a --set value", MAX_TEXT_BYTES);
		return -1;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		snprintf(why, whylen, "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int depth = 0, nodes = 0, rc = 0, done = 0;
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev))
			break;      /* a syntax error: the loader reports it */
		yaml_mark_t at = ev.start_mark;
		yaml_event_type_t t = ev.type;
		int opens = t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT;
		done = t == YAML_STREAM_END_EVENT;
		depth += opens - (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT);
		if (opens && depth > MAX_DEPTH) {
			snprintf(why, whylen, "lists and mappings nested more than %d deep "
			         "(the limit)", MAX_DEPTH);
			rc = -1;
		} else if ((opens || t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT) &&
		           ++nodes > MAX_NODES) {
			snprintf(why, whylen, "more than %d YAML nodes (values, lists and "
			         "mappings; the limit)", MAX_NODES);
			rc = -1;
		} else if (value && has_anchor(&ev)) {
			/* An alias makes a graph of the tree: '&a [*a]' is a list
			 * inside itself, nine aliases of nine make 9^9 nodes when
			 * copied.  A value on a command line has no use for them. */
			snprintf(why, whylen, "anchors and aliases (&name, *name) are not "
			         "allowed in a --set value");
			rc = -1;
		}
		yaml_event_delete(&ev);
		if (rc) {
			*line = (int)at.line + 1;
			*col = (int)at.column + 1;
		}
	}
	yaml_parser_delete(&p);
	return rc;
}

/* Why a file that is not a regular one cannot be read as text. */
static const char *not_regular(mode_t m)
{
	return S_ISDIR(m) ? "is a directory" : S_ISFIFO(m) ? "is not a regular file (a FIFO)"
	       : S_ISCHR(m) || S_ISBLK(m) ? "is not a regular file (a device)"
	       : S_ISSOCK(m) ? "is not a regular file (a socket)" : "is not a regular file";
}

/* Opened without blocking, so a FIFO with no writer is refused rather than
 * waited on; at most MAX_TEXT_BYTES + 1 bytes are read, so a file that
 * grows while it is read cannot exhaust memory either. */
int cfg_read_file(const char *path, char **text, size_t *len, smab_errors *err)
{
	*text = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		smab_errors_add(err, 0, 0, NULL, "cannot read file: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return SMAB_EIO;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_TEXT_BYTES) {
		if (!S_ISREG(st.st_mode))
			smab_errors_add(err, 0, 0, NULL, "cannot read file: it %s; an experiment "
			                "file must be a regular file", not_regular(st.st_mode));
		else
			smab_errors_add(err, 0, 0, NULL, "the file is larger than 4 MiB (%d bytes), "
			                "the limit for an experiment file", MAX_TEXT_BYTES);
		close(fd);
		return SMAB_EINVAL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = smab_xmalloc(cap);
	for (;;) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int errnum = errno;
			close(fd);
			free(buf);
			smab_errors_add(err, 0, 0, NULL, "cannot read file: %s", strerror(errnum));
			return SMAB_EIO;
		}
		n += (size_t)got;
		if (got == 0 || n > MAX_TEXT_BYTES)
			break;
		if (n == cap) {
			cap = 2 * cap > (size_t)MAX_TEXT_BYTES + 1 ? (size_t)MAX_TEXT_BYTES + 1 : 2 * cap;
			buf = smab_xrealloc(buf, cap);
		}
	}
	close(fd);
	if (n > MAX_TEXT_BYTES) {
		free(buf);
		smab_errors_add(err, 0, 0, NULL, "the file is larger than 4 MiB (%d bytes), "
		                "the limit for an experiment file", MAX_TEXT_BYTES);
		return SMAB_EINVAL;
	}
	*text = buf;
	*len = n;
	return SMAB_OK;
}
