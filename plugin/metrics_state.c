#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/cache_fs.h"
#include "credcheck.h"
#include "error.h"
#include "metrics_state.h"
#include "safefile.h"
#include "secret.h"

#define STATE_MAGIC "askcred-metrics-state 1"
/* Every line is short; the whole file at most a few KiB. */
#define STATE_MAX 16384

static const struct file_rules state_rules = {"metrics state file", 077, 0,
					      STATE_MAX};

static const char *const event_names[METRICS_EVENTS] = {
	[METRICS_MINT] = "mints",	  [METRICS_REFRESH] = "refreshes",
	[METRICS_HIT] = "cache_hits",	  [METRICS_MISS] = "cache_misses",
	[METRICS_STALE] = "stale_serves",
};

const char *metrics_event_name(enum metrics_event ev)
{
	return ev < METRICS_EVENTS ? event_names[ev] : "unknown";
}

/* A reason code becomes a label value: keep it to the policy's own
 * alphabet, so that nothing odd (let alone a secret) reaches the file. */
static void reason_word(const char *reason, char *out)
{
	size_t n = reason != NULL ? strlen(reason) : 0;

	if (n == 0 || n >= METRICS_REASON_MAX ||
	    strspn(reason, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		reason = "other";
	snprintf(out, METRICS_REASON_MAX, "%s", reason);
}

void metrics_add_refusal(struct metrics_totals *t, const char *reason,
			 uint64_t n)
{
	char code[METRICS_REASON_MAX];
	size_t i;

	reason_word(reason, code);
	for (i = 0; i < t->n_reasons; i++)
		if (strcmp(t->reasons[i].code, code) == 0)
			break;
	if (i == t->n_reasons) {
		if (t->n_reasons == METRICS_REASONS) {
			/* Full: the last slot gathers the rest. */
			i = METRICS_REASONS - 1;
			snprintf(t->reasons[i].code, METRICS_REASON_MAX,
				 "other");
		} else {
			snprintf(t->reasons[i].code, METRICS_REASON_MAX, "%s",
				 code);
			t->reasons[i].count = 0;
			t->n_reasons++;
		}
	}
	t->reasons[i].count += n;
}

void metrics_set_expiry(struct metrics_totals *t, const char *workspace,
			const char *entry, int64_t expires_at)
{
	size_t i;

	for (i = 0; i < t->n_expiry; i++)
		if (strcmp(t->expiry[i].workspace, workspace) == 0 &&
		    strcmp(t->expiry[i].entry, entry) == 0)
			break;
	if (i == t->n_expiry) {
		if (t->n_expiry == METRICS_ENTRIES)
			return;
		snprintf(t->expiry[i].workspace, sizeof(t->expiry[i].workspace),
			 "%s", workspace);
		snprintf(t->expiry[i].entry, sizeof(t->expiry[i].entry), "%s",
			 entry);
		t->n_expiry++;
	}
	t->expiry[i].expires_at = expires_at;
}

void metrics_merge(struct metrics_totals *into,
		   const struct metrics_totals *delta)
{
	for (size_t i = 0; i < METRICS_EVENTS; i++)
		into->events[i] += delta->events[i];
	for (size_t i = 0; i < delta->n_reasons; i++)
		metrics_add_refusal(into, delta->reasons[i].code,
				    delta->reasons[i].count);
	if (delta->last_askui_success > into->last_askui_success)
		into->last_askui_success = delta->last_askui_success;
	for (size_t i = 0; i < delta->n_expiry; i++)
		metrics_set_expiry(into, delta->expiry[i].workspace,
				   delta->expiry[i].entry,
				   delta->expiry[i].expires_at);
}

/* "NAME" then one space and a decimal that is the rest of the text. */
static int number(const char *s, int is_signed, uint64_t *u, int64_t *i)
{
	char *end = NULL;

	if (*s == '\0' || *s == ' ' || *s == '+' || (!is_signed && *s == '-'))
		return -1;
	errno = 0;
	if (is_signed)
		*i = strtoll(s, &end, 10);
	else
		*u = strtoull(s, &end, 10);
	return errno == 0 && end != NULL && *end == '\0' ? 0 : -1;
}

static int parse_event(struct metrics_totals *t, const char *rest)
{
	for (size_t i = 0; i < METRICS_EVENTS; i++) {
		size_t n = strlen(event_names[i]);

		if (strncmp(rest, event_names[i], n) == 0 && rest[n] == ' ')
			return number(rest + n + 1, 0, &t->events[i], NULL);
	}
	return -1;
}

static int parse_refusal(struct metrics_totals *t, const char *rest)
{
	const char *sp = strchr(rest, ' ');
	char code[METRICS_REASON_MAX];
	uint64_t n;

	if (sp == NULL || (size_t)(sp - rest) >= sizeof(code) || sp == rest ||
	    number(sp + 1, 0, &n, NULL) != 0)
		return -1;
	memcpy(code, rest, (size_t)(sp - rest));
	code[sp - rest] = '\0';
	metrics_add_refusal(t, code, n);
	return 0;
}

static int parse_expiry(struct metrics_totals *t, const char *rest)
{
	char ws[ASKCRED_UUID_LEN + 1], entry[ENTRY_NAME_MAX + 1];
	const char *sp1 = strchr(rest, ' '), *sp2;
	int64_t at;

	if (sp1 == NULL || (size_t)(sp1 - rest) != ASKCRED_UUID_LEN)
		return -1;
	sp2 = strchr(sp1 + 1, ' ');
	if (sp2 == NULL || sp2 == sp1 + 1 ||
	    (size_t)(sp2 - sp1 - 1) > ENTRY_NAME_MAX)
		return -1;
	memcpy(ws, rest, ASKCRED_UUID_LEN);
	ws[ASKCRED_UUID_LEN] = '\0';
	memcpy(entry, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	entry[sp2 - sp1 - 1] = '\0';
	if (!is_uuid4(ws) || !cache_entry_name_ok(entry) ||
	    number(sp2 + 1, 1, NULL, &at) != 0 || at <= 0)
		return -1;
	metrics_set_expiry(t, ws, entry, at);
	return 0;
}

static int parse_line(struct metrics_totals *t, const char *line)
{
	uint64_t u;

	if (strncmp(line, "event ", 6) == 0)
		return parse_event(t, line + 6);
	if (strncmp(line, "refusal ", 8) == 0)
		return parse_refusal(t, line + 8);
	if (strncmp(line, "expiry ", 7) == 0)
		return parse_expiry(t, line + 7);
	if (strncmp(line, "last_askui_success ", 19) == 0) {
		if (number(line + 19, 0, &u, NULL) != 0 || u > INT64_MAX)
			return -1;
		t->last_askui_success = (int64_t)u;
		return 0;
	}
	return -1;
}

askcred_status metrics_state_read(const char *path, struct metrics_totals *t,
				  struct askcred_error *err)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned lineno = 0;
	askcred_status rc;

	memset(t, 0, sizeof(*t));
	rc = safe_read_state(path, &state_rules, &buf, &len, err);
	if (rc != ASKCRED_OK || buf == NULL)
		return rc;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1 ? strcmp(line, STATE_MAGIC) != 0
				: parse_line(t, line) != 0)
			goto bad;
	}
	free_wiped(buf, len + 1);
	return ASKCRED_OK;
bad:
	free_wiped(buf, len + 1);
	memset(t, 0, sizeof(*t));
	return err_set_line(err, ASKCRED_CACHE_ERROR, path, lineno ? lineno : 1,
			    "malformed metrics state file");
}

askcred_status metrics_state_write(const char *path,
				   const struct metrics_totals *t,
				   struct askcred_error *err)
{
	char text[STATE_MAX], tmp[FS_PATH_MAX];
	size_t used = 0;
	askcred_status rc;
	int n;

#define ADD(...)                                                               \
	do {                                                                   \
		n = snprintf(text + used, sizeof(text) - used, __VA_ARGS__);   \
		if (n < 0 || (size_t)n >= sizeof(text) - used)                 \
			return err_set(err, ASKCRED_INTERNAL, path,            \
				       "metrics state too long");              \
		used += (size_t)n;                                             \
	} while (0)
	ADD("%s\n", STATE_MAGIC);
	for (size_t i = 0; i < METRICS_EVENTS; i++)
		ADD("event %s %" PRIu64 "\n", event_names[i], t->events[i]);
	for (size_t i = 0; i < t->n_reasons; i++)
		ADD("refusal %s %" PRIu64 "\n", t->reasons[i].code,
		    t->reasons[i].count);
	ADD("last_askui_success %" PRId64 "\n", t->last_askui_success);
	for (size_t i = 0; i < t->n_expiry; i++)
		if (t->expiry[i].expires_at > 0)
			ADD("expiry %s %s %" PRId64 "\n",
			    t->expiry[i].workspace, t->expiry[i].entry,
			    t->expiry[i].expires_at);
#undef ADD
	rc = fs_write_temp(path, text, used, tmp, err);
	if (rc != ASKCRED_OK)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = err_set(err, ASKCRED_CACHE_ERROR, path,
			     "cannot replace metrics state file: %s",
			     strerror(errno));
		unlink(tmp);
	}
	return rc;
}
