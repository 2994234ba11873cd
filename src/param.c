/* param.c - helpers over parameter declarations. */
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
