/* error: how a failure is described. Formatting, the where field,
 * truncation of long text (always NUL-terminated, never past the field),
 * prefixes, older callers' smaller structs, and status names. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "tap.h"

static void err_set_formats_code_where_and_message(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	is_int(err_set(&err, ASKCRED_CONFIG_ERROR, "/etc/x.conf",
		       "bad value %d for %s", 7, "lifetime"),
	       ASKCRED_CONFIG_ERROR, "err_set_returns_the_code");
	is_int(err.code, ASKCRED_CONFIG_ERROR, "err_set_stores_the_code");
	is_str(err.where, "/etc/x.conf", "err_set_stores_where");
	is_str(err.message, "bad value 7 for lifetime",
	       "err_set_formats_the_message");
	err_set(&err, ASKCRED_INTERNAL, NULL, "no place");
	is_str(err.where, "", "err_set_with_null_where_leaves_it_empty");
	is_int(err_set(NULL, ASKCRED_EXPIRED, "w", "m"), ASKCRED_EXPIRED,
	       "err_set_on_null_still_returns_the_code");
}

static void err_set_line_names_file_and_line(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	err_set_line(&err, ASKCRED_CONFIG_ERROR, "stack.conf", 12,
		     "unknown option '%s'", "colour");
	is_str(err.where, "stack.conf:12",
	       "err_set_line_where_is_file_colon_line");
	is_str(err.message, "unknown option 'colour'",
	       "err_set_line_formats_the_message");
}

/* Fields are filled to their size less one, then NUL; the bytes after
 * the struct (a canary) are untouched. */
static void long_text_is_truncated_inside_its_field(void)
{
	struct {
		struct askcred_error err;
		char canary[16];
	} s;
	char long_where[1000], long_msg[1000];

	memset(&s, 0, sizeof(s));
	s.err.struct_size = sizeof(s.err);
	memset(s.canary, 'C', sizeof(s.canary));
	memset(long_where, 'w', sizeof(long_where) - 1);
	long_where[sizeof(long_where) - 1] = '\0';
	memset(long_msg, 'm', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';

	err_set(&s.err, ASKCRED_CONFIG_ERROR, long_where, "%s", long_msg);
	is_int((long long)strlen(s.err.where), ASKCRED_ERROR_WHERE_MAX - 1,
	       "a_long_where_is_truncated_to_its_field");
	is_int((long long)strlen(s.err.message), ASKCRED_ERROR_MESSAGE_MAX - 1,
	       "a_long_message_is_truncated_to_its_field");
	ok(s.err.message[0] == 'm' && s.err.where[0] == 'w',
	   "truncation_keeps_the_beginning");
	ok(memcmp(s.canary, "CCCCCCCCCCCCCCCC", 16) == 0,
	   "truncation_writes_nothing_past_the_struct");

	err_set_line(&s.err, ASKCRED_CONFIG_ERROR, long_where, 4242, "x");
	is_int((long long)strlen(s.err.where), ASKCRED_ERROR_WHERE_MAX - 1,
	       "err_set_line_truncates_a_long_file_name");
}

static void err_prefix_adds_context(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char long_msg[ASKCRED_ERROR_MESSAGE_MAX];

	err_set(&err, ASKCRED_CACHE_ERROR, "f", "bad tag");
	err_prefix(&err, "loading %s", "f.cache");
	is_str(err.message, "loading f.cache: bad tag",
	       "err_prefix_puts_context_before_the_message");
	is_str(err.where, "f", "err_prefix_keeps_where");
	is_int(err.code, ASKCRED_CACHE_ERROR, "err_prefix_keeps_the_code");

	memset(long_msg, 'm', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	err_set(&err, ASKCRED_CACHE_ERROR, "f", "%s", long_msg);
	err_prefix(&err, "ctx");
	ok(strncmp(err.message, "ctx: mmm", 8) == 0 &&
		   strlen(err.message) == ASKCRED_ERROR_MESSAGE_MAX - 1,
	   "err_prefix_on_a_full_message_keeps_the_prefix_and_truncates_the_"
	   "end");
}

/* A caller built against an older, smaller struct: nothing is written
 * past the size it declares. */
static void a_smaller_struct_is_not_written(void)
{
	struct askcred_error err;

	memset(&err, 'Z', sizeof(err));
	err.struct_size = 8; /* struct_size and code only */
	is_int(err_set(&err, ASKCRED_DENIED, "where", "message"),
	       ASKCRED_DENIED, "a_smaller_struct_still_gets_the_return_code");
	ok(err.where[0] == 'Z' && err.message[0] == 'Z',
	   "a_smaller_struct_is_not_written_past_its_size");
	err_clear(&err);
	ok(err.where[0] == 'Z', "err_clear_respects_a_smaller_struct");
}

static void err_clear_resets(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	err_set(&err, ASKCRED_DENIED, "w", "m");
	err_clear(&err);
	ok(err.code == ASKCRED_OK && err.where[0] == '\0' &&
		   err.message[0] == '\0',
	   "err_clear_resets_code_where_and_message");
}

static void status_names(void)
{
	int named = 0;

	for (int s = 0; s < ASKCRED_STATUS_COUNT; s++)
		named += status_name((askcred_status)s) != NULL &&
			 strcmp(status_name((askcred_status)s),
				"unknown status") != 0 &&
			 status_name((askcred_status)s)[0] != '\0';
	is_int(named, ASKCRED_STATUS_COUNT, "every_status_has_a_name");
	is_str(status_name(ASKCRED_UNAVAILABLE), "unavailable, try again later",
	       "status_name_of_unavailable");
	is_str(status_name((askcred_status)ASKCRED_STATUS_COUNT),
	       "unknown status", "status_name_out_of_range_is_unknown");
	is_str(status_name((askcred_status)-1), "unknown status",
	       "status_name_negative_is_unknown");
}

int main(void)
{
	err_set_formats_code_where_and_message();
	err_set_line_names_file_and_line();
	long_text_is_truncated_inside_its_field();
	err_prefix_adds_context();
	a_smaller_struct_is_not_written();
	err_clear_resets();
	status_names();
	return tap_done();
}
