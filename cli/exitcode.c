/* The one table from a library status to the command's exit status and a
 * hint on what to do next, and the one way failures reach stderr. Exit
 * statuses follow sysexits(3) so scripts can tell "fix your config" from
 * "try again later". */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "error.h"

static const struct {
	askcred_status status;
	int exit_code;
	const char *hint;   /* NULL: nothing useful to add */
	int hint_if_silent; /* the hint only when the module said nothing */
} table[] = {
	{ASKCRED_OK, EXIT_OK, NULL, 0},
	{ASKCRED_IGNORE, EXIT_NOT_FOUND,
	 "no line of the stack handles this operation; check the stack file",
	 1},
	{ASKCRED_NOT_FOUND, EXIT_NOT_FOUND,
	 "check that the stack's sources are configured (run with -v)", 0},
	{ASKCRED_DENIED, EXIT_DENIED,
	 "the token policy refused the credential; see the policy named "
	 "above",
	 0},
	{ASKCRED_INVALID, EXIT_INVALID,
	 "the credential was rejected; replace the token or run "
	 "'askcred refresh'",
	 0},
	{ASKCRED_EXPIRED, EXIT_INVALID,
	 "the credential has expired; replace the token or run "
	 "'askcred refresh'",
	 0},
	{ASKCRED_UNAVAILABLE, EXIT_UNAVAILABLE, "try again later", 0},
	{ASKCRED_CONFIG_ERROR, EXIT_CONFIG, NULL, 0},
	{ASKCRED_CACHE_ERROR, EXIT_INTERNAL,
	 "check the cache directory's owner and permissions", 0},
	{ASKCRED_NO_MEMORY, EXIT_INTERNAL, NULL, 0},
	{ASKCRED_ABI_MISMATCH, EXIT_CONFIG,
	 "install a module built for this version of askcred", 0},
	{ASKCRED_INTERNAL, EXIT_INTERNAL, "this is a bug; please report it", 0},
};

#define N_TABLE (sizeof(table) / sizeof(table[0]))

/* A status this build does not know is treated as internal, as the ABI
 * asks of hosts. */
static size_t lookup(askcred_status status)
{
	for (size_t i = 0; i < N_TABLE; i++)
		if (table[i].status == status)
			return i;
	for (size_t i = 0; i < N_TABLE; i++)
		if (table[i].status == ASKCRED_INTERNAL)
			return i;
	return 0;
}

int exit_code_for(askcred_status status)
{
	return table[lookup(status)].exit_code;
}

void sanitize_text(char *dst, size_t size, const char *src)
{
	size_t i = 0, o = 0;

	for (; src != NULL && src[i] != '\0' && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		/* U+0080..U+009F in UTF-8 (C2 80..C2 9F) are the C1
		 * controls: U+009B is CSI to many terminals. */
		if (c == 0xc2 && (unsigned char)src[i + 1] >= 0x80 &&
		    (unsigned char)src[i + 1] <= 0x9f) {
			dst[o++] = '?';
			i++;
			continue;
		}
		dst[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[o] = '\0';
}

/* --json was given: failures are also one JSON object on stdout, so a
 * script reading stdout gets an answer either way. */
static int json_errors;

void set_json_errors(int on)
{
	json_errors = on;
}

void json_error_out(int exit_code, const char *status, const char *doing,
		    const char *message, const char *where, const char *hint)
{
	json_object *o, *e;

	if (!json_errors)
		return;
	o = json_object_new_object();
	e = json_object_new_object();
	if (o == NULL || e == NULL ||
	    json_object_object_add(o, "error", e) != 0) {
		json_object_put(e);
		json_object_put(o);
		return;
	}
	json_object_object_add(e, "exit", json_object_new_int(exit_code));
	json_object_object_add(e, "status", json_object_new_string(status));
	if (doing != NULL && *doing != '\0')
		json_object_object_add(e, "doing",
				       json_object_new_string(doing));
	json_object_object_add(e, "message",
			       json_object_new_string(message ? message : ""));
	if (where != NULL && *where != '\0')
		json_object_object_add(e, "where",
				       json_object_new_string(where));
	if (hint != NULL && *hint != '\0')
		json_object_object_add(e, "hint", json_object_new_string(hint));
	printf("%s\n", json_object_to_json_string_ext(
			       o, JSON_C_TO_STRING_PLAIN |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int report_failure(const char *what, askcred_status status,
		   const struct askcred_error *err)
{
	return report_failure_hint(what, status, err, NULL);
}

int report_failure_hint(const char *what, askcred_status status,
			const struct askcred_error *err, const char *hint)
{
	char message[ASKCRED_ERROR_MESSAGE_MAX];
	char where[ASKCRED_ERROR_WHERE_MAX];
	char doing[256];

	/* what may carry a path or stack name the user typed. */
	sanitize_text(doing, sizeof(doing), what);
	message[0] = where[0] = '\0';
	if (err != NULL) {
		sanitize_text(message, sizeof(message), err->message);
		sanitize_text(where, sizeof(where), err->where);
	}
	if (hint == NULL &&
	    (message[0] == '\0' || !table[lookup(status)].hint_if_silent))
		hint = table[lookup(status)].hint;
	fprintf(stderr, "askcred: %s: %s%s%s%s%s%s\n", doing,
		message[0] != '\0'	   ? message
		: status == ASKCRED_IGNORE ? "nothing in the stack handled it"
					   : status_name(status),
		where[0] != '\0' ? " (" : "", where,
		where[0] != '\0' ? ")" : "", hint != NULL ? "; " : "",
		hint != NULL ? hint : "");
	json_error_out(exit_code_for(status), status_name(status), doing,
		       message[0] != '\0' ? message : status_name(status),
		       where, hint);
	return exit_code_for(status);
}
