/* param.c - helpers over parameter declarations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smab/param.h"

const char *smab_ptype_name(smab_ptype t)
{
	switch (t) {
	case SMAB_P_INT: return "int";
	case SMAB_P_REAL: return "real";
	case SMAB_P_BOOL: return "bool";
	case SMAB_P_ENUM: return "enum";
	case SMAB_P_VEC: return "list of reals";
	case SMAB_P_STR: return "string";
	}
	return "?";
}

/* Walk the '|'-separated choices; calls back with each one's span. */
int smab_param_choice(const smab_param_decl *d, const char *name)
{
	if (!d->choices)
		return -1;
	size_t n = strlen(name);
	int i = 0;
	for (const char *s = d->choices;; i++) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s);
		if (len == n && strncmp(s, name, n) == 0)
			return i;
		if (!bar)
			return -1;
		s = bar + 1;
	}
}

void smab_param_choice_name(const smab_param_decl *d, int i, char *buf,
                            size_t len)
{
	const char *s = d->choices ? d->choices : "";
	for (; i > 0 && s; i--) {
		s = strchr(s, '|');
		if (s)
			s++;
	}
	if (!s || len == 0) {
		if (len)
			buf[0] = '\0';
		return;
	}
	const char *bar = strchr(s, '|');
	size_t n = bar ? (size_t)(bar - s) : strlen(s);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

void smab_real_str(double x, char *buf, size_t len)
{
	for (int prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
	snprintf(buf, len, "%.17g", x);
}

static void real_str(double x, int digits, char *buf, size_t len)
{
	if (digits > 0)
		snprintf(buf, len, "%.*g", digits, x);
	else
		smab_real_str(x, buf, len);
}

char *smab_value_str(const smab_param_decl *d, const smab_value *v, int digits)
{
	char buf[64];
	switch (d->type) {
	case SMAB_P_INT:
		snprintf(buf, sizeof buf, "%.0f", v->x);
		break;
	case SMAB_P_BOOL:
		snprintf(buf, sizeof buf, "%s", v->x != 0 ? "true" : "false");
		break;
	case SMAB_P_ENUM:
		smab_param_choice_name(d, (int)v->x, buf, sizeof buf);
		break;
	case SMAB_P_REAL:
		real_str(v->x, digits, buf, sizeof buf);
		break;
	case SMAB_P_STR: {
		/* a double-quoted YAML scalar */
		const char *t = v->s ? v->s : "";
		size_t cap = 3 + 2 * strlen(t), n = 0;
		char *s = smab_xmalloc(cap);
		s[n++] = '"';
		for (; *t; t++) {
			if (*t == '"' || *t == '\\')
				s[n++] = '\\';
			s[n++] = *t;
		}
		s[n++] = '"';
		s[n] = '\0';
		return s;
	}
	case SMAB_P_VEC: {
		/* Each element takes at most 24 characters plus ", ". */
		size_t cap = 3 + (size_t)(v->n > 0 ? v->n : 0) * 26, n = 0;
		char *s = smab_xmalloc(cap);
		s[n++] = '[';
		for (int i = 0; i < v->n; i++) {
			real_str(v->v[i], digits, buf, sizeof buf);
			n += (size_t)snprintf(s + n, cap - n, "%s%s", i ? ", " : "", buf);
		}
		s[n++] = ']';
		s[n] = '\0';
		return s;
	}
	}
	return smab_xstrdup(buf);
}
