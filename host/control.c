/* PAM control flags and the dispatch verdict. */
#include "config.h"

#include <string.h>

#include "control.h"
#include "error.h"

#define ACT_UNSET 0xff

/* Status names as they appear in bracket controls. "success" is accepted
 * too, so a Linux-PAM habit does not become a config error. */
static const struct {
	const char *word;
	askcred_status status;
} value_words[] = {
	{"ok", ASKCRED_OK},
	{"success", ASKCRED_OK},
	{"ignore", ASKCRED_IGNORE},
	{"not_found", ASKCRED_NOT_FOUND},
	{"denied", ASKCRED_DENIED},
	{"invalid", ASKCRED_INVALID},
	{"expired", ASKCRED_EXPIRED},
	{"unavailable", ASKCRED_UNAVAILABLE},
	{"config_error", ASKCRED_CONFIG_ERROR},
	{"cache_error", ASKCRED_CACHE_ERROR},
	{"no_memory", ASKCRED_NO_MEMORY},
	{"abi_mismatch", ASKCRED_ABI_MISMATCH},
	{"internal", ASKCRED_INTERNAL},
};

static const char *const action_words[] = {
	[ACT_IGNORE] = "ignore", [ACT_OK] = "ok",   [ACT_DONE] = "done",
	[ACT_BAD] = "bad",	 [ACT_DIE] = "die",
};

static void fill_unset(struct control *c, unsigned char action)
{
	for (int i = 0; i < ASKCRED_STATUS_COUNT; i++)
		if (c->act[i] == ACT_UNSET)
			c->act[i] = action;
}

/* The four keywords, exactly Linux-PAM's tables (pam_handlers.c). */
static int keyword_control(const char *word, struct control *c)
{
	unsigned char on_ok, other;

	if (strcmp(word, "required") == 0) {
		on_ok = ACT_OK;
		other = ACT_BAD;
	} else if (strcmp(word, "requisite") == 0) {
		on_ok = ACT_OK;
		other = ACT_DIE;
	} else if (strcmp(word, "sufficient") == 0) {
		on_ok = ACT_DONE;
		other = ACT_IGNORE;
	} else if (strcmp(word, "optional") == 0) {
		on_ok = ACT_OK;
		other = ACT_IGNORE;
	} else {
		return -1;
	}
	memset(c->act, other, sizeof(c->act));
	c->act[ASKCRED_OK] = on_ok;
	c->act[ASKCRED_IGNORE] = ACT_IGNORE;
	return 0;
}

static int lookup_action(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(action_words) / sizeof(*action_words);
	     i++)
		if (strlen(action_words[i]) == n &&
		    memcmp(action_words[i], s, n) == 0)
			return (int)i;
	return -1;
}

/* -1: unknown; ASKCRED_STATUS_COUNT: "default". */
static int lookup_value(const char *s, size_t n)
{
	if (n == 7 && memcmp(s, "default", 7) == 0)
		return ASKCRED_STATUS_COUNT;
	for (size_t i = 0; i < sizeof(value_words) / sizeof(*value_words); i++)
		if (strlen(value_words[i].word) == n &&
		    memcmp(value_words[i].word, s, n) == 0)
			return (int)value_words[i].status;
	return -1;
}

static askcred_status bracket_control(const char *word, struct control *c,
				      const char *file, unsigned line,
				      struct askcred_error *err)
{
	size_t len = strlen(word);
	const char *p = word + 1, *end = word + len - 1;
	int fallback = -1, pairs = 0;

	if (len < 2 || word[len - 1] != ']')
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "control \"%.40s\" has no closing ']'",
				    word);
	memset(c->act, ACT_UNSET, sizeof(c->act));
	while (p < end) {
		const char *tok, *eq;
		size_t n;
		int value, action;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		n = (size_t)(p - tok);
		eq = memchr(tok, '=', n);
		if (eq == NULL)
			return err_set_line(err, ASKCRED_CONFIG_ERROR, file,
					    line,
					    "control item \"%.*s\" is not "
					    "value=action",
					    (int)(n > 40 ? 40 : n), tok);
		value = lookup_value(tok, (size_t)(eq - tok));
		if (value < 0)
			return err_set_line(
				err, ASKCRED_CONFIG_ERROR, file, line,
				"unknown value \"%.*s\" in control; use a "
				"status name (ok, ignore, not_found, denied, "
				"invalid, expired, unavailable, config_error, "
				"cache_error, no_memory, abi_mismatch, "
				"internal) or default",
				(int)(eq - tok > 40 ? 40 : eq - tok), tok);
		action = lookup_action(eq + 1, (size_t)(tok + n - eq - 1));
		if (action < 0)
			return err_set_line(
				err, ASKCRED_CONFIG_ERROR, file, line,
				"unknown action \"%.*s\" in control; use ok, "
				"done, bad, die or ignore (jumps and reset "
				"are not supported)",
				(int)(tok + n - eq - 1 > 40 ? 40
							    : tok + n - eq - 1),
				eq + 1);
		if (value == ASKCRED_STATUS_COUNT)
			fallback = action;
		else
			c->act[value] = (unsigned char)action;
		pairs++;
	}
	if (pairs == 0)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "empty control \"[]\"; name at least "
				    "one value=action");
	/* As in Linux-PAM, what is neither named nor covered by default is
	 * bad; an ignore result is always ignored. */
	fill_unset(c, fallback >= 0 ? (unsigned char)fallback : ACT_BAD);
	c->act[ASKCRED_IGNORE] = ACT_IGNORE;
	return ASKCRED_OK;
}

askcred_status control_parse(const char *word, struct control *c,
			     const char *file, unsigned line,
			     struct askcred_error *err)
{
	if (word[0] == '[')
		return bracket_control(word, c, file, line, err);
	if (keyword_control(word, c) == 0)
		return ASKCRED_OK;
	return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
			    "unknown control \"%.40s\"; use required, "
			    "requisite, sufficient, optional or "
			    "[value=action ...]",
			    word);
}

void verdict_init(struct verdict *v)
{
	v->impression = IMP_UNDEF;
	v->status = ASKCRED_NOT_FOUND;
	v->status_from = -1;
}

enum action verdict_step(struct verdict *v, const struct control *c,
			 askcred_status rc, int step, int *stop, int *counted)
{
	enum action a;

	*stop = 0;
	*counted = 0;
	/* A status from a newer ABI is a value we cannot reason about. */
	if ((unsigned)rc >= ASKCRED_STATUS_COUNT)
		rc = ASKCRED_INTERNAL;
	a = rc == ASKCRED_IGNORE ? ACT_IGNORE : (enum action)c->act[rc];
	switch (a) {
	case ACT_OK:
	case ACT_DONE:
		if (v->impression == IMP_UNDEF ||
		    (v->impression == IMP_SUCCESS && v->status == ASKCRED_OK)) {
			v->impression = IMP_SUCCESS;
			v->status = rc;
			v->status_from = step;
			*counted = 1;
		}
		if (a == ACT_DONE && v->impression != IMP_FAILURE)
			*stop = 1;
		break;
	case ACT_BAD:
	case ACT_DIE:
		if (v->impression != IMP_FAILURE) {
			v->impression = IMP_FAILURE;
			/* A success the control calls bad must not leak
			 * out as a success. */
			v->status = rc == ASKCRED_OK ? ASKCRED_DENIED : rc;
			v->status_from = step;
			*counted = 1;
		}
		if (a == ACT_DIE)
			*stop = 1;
		break;
	case ACT_IGNORE:
		break;
	}
	return a;
}

askcred_status verdict_result(const struct verdict *v)
{
	if (v->impression == IMP_UNDEF)
		return ASKCRED_NOT_FOUND;
	if (v->status == ASKCRED_OK && v->impression != IMP_SUCCESS)
		return ASKCRED_DENIED;
	return v->status;
}
