#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_fs.h"
#include "cache_state.h"
#include "error.h"
#include "safefile.h"

#define STATE_MAGIC_V1 "askcred-cache-state 1"
#define STATE_MAGIC "askcred-cache-state 2"

static const struct file_rules state_rules = {"cache state file", 077, 0, 1024};

/* Parse "name <decimal>" strictly: the whole rest of the line is the
 * number, in range. */
static int parse_line(const char *line, const char *name, int is_signed,
		      uint64_t *u, int64_t *s)
{
	size_t n = strlen(name);
	const char *v = line + n + 1;
	char *end = NULL;

	if (strncmp(line, name, n) != 0 || line[n] != ' ' || *v == '\0' ||
	    *v == ' ' || *v == '+')
		return -1;
	errno = 0;
	if (is_signed)
		*s = strtoll(v, &end, 10);
	else if (*v == '-')
		return -1;
	else
		*u = strtoull(v, &end, 10);
	return errno == 0 && end != NULL && *end == '\0' ? 0 : -1;
}

/* Copy text, with every byte outside printable ASCII made '?', so that one
 * value stays one line. */
static void printable(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < size; i++)
		dst[i] = src[i] < 0x20 || src[i] > 0x7e ? '?' : src[i];
	dst[i] = '\0';
}

/* "name <text>": the text may be empty and must be printable ASCII. */
static int parse_text(const char *line, const char *name, char *out,
		      size_t size)
{
	size_t n = strlen(name), i;
	const char *v = line + n + 1;

	if (strncmp(line, name, n) != 0 || line[n] != ' ' || strlen(v) >= size)
		return -1;
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return -1;
	memcpy(out, v, i + 1);
	return 0;
}

void state_set_failure(struct cache_state *st, const struct askcred_error *err)
{
	printable(st->last_where, sizeof(st->last_where), err->where);
	printable(st->last_error, sizeof(st->last_error), err->message);
}

askcred_status state_read(const char *path, struct cache_state *st,
			  struct askcred_error *err)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned lineno = 0, lines = 7;
	uint64_t u = 0;
	int64_t s = 0;
	askcred_status rc;

	memset(st, 0, sizeof(*st));
	rc = safe_read_state(path, &state_rules, &buf, &len, err);
	if (rc != ASKCRED_OK || buf == NULL)
		return rc;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		int r;

		switch (++lineno) {
		case 1:
			r = strcmp(line, STATE_MAGIC) == 0 ? 0 : -1;
			if (strcmp(line, STATE_MAGIC_V1) == 0) {
				lines = 5;
				r = 0;
			}
			break;
		case 2:
			r = parse_line(line, "generation", 0, &st->generation,
				       &s);
			break;
		case 3:
			r = parse_line(line, "outage_since", 1, &u,
				       &st->outage_since);
			break;
		case 4:
			r = parse_line(line, "next_attempt", 1, &u,
				       &st->next_attempt);
			break;
		case 5:
			r = parse_line(line, "failures", 0, &u, &s);
			st->failures =
				u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
			break;
		case 6:
			r = parse_text(line, "last_where", st->last_where,
				       sizeof(st->last_where));
			break;
		case 7:
			r = parse_text(line, "last_error", st->last_error,
				       sizeof(st->last_error));
			break;
		default:
			r = -1;
		}
		if (r != 0 || lineno > lines)
			goto bad;
	}
	if (lineno != lines || st->outage_since < 0 || st->next_attempt < 0)
		goto bad;
	free(buf);
	return ASKCRED_OK;
bad:
	free(buf);
	memset(st, 0, sizeof(*st));
	return err_set_line(err, ASKCRED_CACHE_ERROR, path, lineno ? lineno : 1,
			    "malformed cache state file");
}

askcred_status state_write_temp(const char *path, const struct cache_state *st,
				char *tmp, struct askcred_error *err)
{
	char text[1024], where[sizeof(st->last_where)];
	char why[sizeof(st->last_error)];
	int n;

	printable(where, sizeof(where), st->last_where);
	printable(why, sizeof(why), st->last_error);
	n = snprintf(text, sizeof(text),
		     STATE_MAGIC "\ngeneration %" PRIu64
				 "\noutage_since %" PRId64
				 "\nnext_attempt %" PRId64 "\nfailures %" PRIu32
				 "\nlast_where %s\nlast_error %s\n",
		     st->generation, st->outage_since, st->next_attempt,
		     st->failures, where, why);
	if (n < 0 || (size_t)n >= sizeof(text))
		return err_set(err, ASKCRED_INTERNAL, path, "state too long");
	return fs_write_temp(path, text, (size_t)n, tmp, err);
}
