/*
 * Fuzz target: the stack file grammar (host/stack_parse.h) and the AskUI
 * module's argument parser (plugin/plugin_config.h).
 *
 * The input is parsed as a stack file; the arguments of every line it
 * yields go to config_parse(), as the plugin's open() would get them. The
 * input is also split at blanks into words (at most ARGS_MAX) given to
 * config_parse() directly, so bytes a stack file refuses (control
 * characters) still reach it.
 *
 * Invariants: a refusal names fuzz.stack and the line and leaves nothing
 * parsed; parsed lines are well-formed; a refused argument is named by its
 * key, no message quotes a token-like value or bare word (module arguments
 * are where a pasted token lands by mistake), and none carries a raw
 * control byte into the host's log.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "plugin_config.h"
#include "stack_parse.h"

#define FUZZ_FILE "fuzz.stack"
#define ARGS_MAX 64

/* A value shaped like an access token: long, mixed case and digits. */
static int token_like(const char *v)
{
	int upper = 0, lower = 0, digit = 0;

	for (const char *p = v; *p; p++) {
		upper |= isupper((unsigned char)*p) != 0;
		lower |= islower((unsigned char)*p) != 0;
		digit |= isdigit((unsigned char)*p) != 0;
	}
	return strlen(v) >= 8 && upper && lower && digit;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* config_parse on argv; 1 when accepted. */
static int args(int argc, const char *const *argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct plugin_config cfg;
	askcred_status rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = config_parse(argc, argv, &cfg, &err);
	if (rc == ASKCRED_OK) {
		fuzz_check(cfg.source[0] != '\0');
		config_free(&cfg);
		return 1;
	}
	fuzz_check(rc == ASKCRED_CONFIG_ERROR || rc == ASKCRED_NO_MEMORY);
	fuzz_check(err.message[0] != '\0');
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		/* A value, or a whole word without a key: where a token
		 * pasted into the wrong place ends up. */
		const char *v = eq ? eq + 1 : argv[i];

		if (token_like(v)) {
			fuzz_check(strstr(err.message, v) == NULL);
			fuzz_check(strstr(err.where, v) == NULL);
		}
	}
	/* Messages reach the host's log: no raw control bytes in them. */
	fuzz_check(!has_control(err.message) && !has_control(err.where));
	return 0;
}

static void check_line(const struct parsed_line *pl, unsigned prev)
{
	fuzz_check(pl->line >= 1 && pl->line > prev);
	fuzz_check(pl->module != NULL && pl->module[0] != '\0');
	fuzz_check(pl->argc >= 0 && pl->argc <= STACK_ARGS_MAX);
	fuzz_check(pl->argv != NULL && pl->argv[pl->argc] == NULL);
	for (int i = 0; i < pl->argc; i++)
		fuzz_check(pl->argv[i] != NULL);
}

static void stack(const uint8_t *data, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct parsed_stack ps = {NULL, 0};
	askcred_status rc;
	unsigned prev = 0;
	int all_args = 1;

	rc = stack_parse(FUZZ_FILE, (const char *)data, size, &ps, &err);
	fuzz_note("stack", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		fuzz_check(ps.lines == NULL && ps.count == 0);
		fuzz_check(strncmp(err.where, FUZZ_FILE, strlen(FUZZ_FILE)) ==
			   0);
		fuzz_check(err.message[0] != '\0');
		return;
	}
	for (size_t i = 0; i < ps.count; i++) {
		check_line(&ps.lines[i], prev);
		prev = ps.lines[i].line;
		if (!args(ps.lines[i].argc,
			  (const char *const *)ps.lines[i].argv))
			all_args = 0;
	}
	if (ps.count > 0)
		fuzz_note("lines-config", all_args);
	parsed_stack_free(&ps);
}

/* The input as words split at blanks, NUL bytes cutting a word short. */
static void words(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *save = NULL, *w;
	const char *argv[ARGS_MAX + 1];
	int argc = 0;

	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (w = strtok_r(copy, " \t\n", &save); w && argc < ARGS_MAX;
	     w = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fuzz_note("words-config", args(argc, argv));
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	stack(data, size);
	words(data, size);
	return 0;
}
