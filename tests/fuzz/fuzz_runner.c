/*
 * Fuzz target: the AskUI runner config edit of askcred exec
 * --runner-config (cli/runner_config.h): JSON through json-c, YAML through
 * libyaml and one splice of the text.
 *
 * Invariants: an accepted edit holds the token exactly once, unless the
 * input held it already (an alias could copy it elsewhere; aliases are
 * refused); a refusal names fuzz.yaml,
 * says why, carries no output, and no message quotes the token.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "runner_config.h"

#define FUZZ_FILE "fuzz.yaml"
/* A token no seed holds, with bytes the YAML quoting must escape. */
static const char token[] = "fz\"Tok\\en-7Q";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct secret out = SECRET_INIT;
	char *text = malloc(size + 1);
	askcred_status rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = runner_config_edit(FUZZ_FILE, text, size, token, sizeof(token) - 1,
				&out, &err);
	fuzz_note("edit", rc == ASKCRED_OK);
	if (rc == ASKCRED_OK) {
		/* Quoted, the token reads fz\"Tok\\en-7Q in either language. */
		static const char quoted[] = "fz\\\"Tok\\\\en-7Q";
		const char *first = strstr(out.buf, quoted);

		fuzz_check(first != NULL);
		/* Once, unless the input wrote it already (a key, a value
		 * the edit leaves alone). */
		fuzz_check(strstr(first + 1, quoted) == NULL ||
			   fuzz_contains(text, quoted, sizeof(quoted) - 1) ||
			   fuzz_contains(text, token, sizeof(token) - 1));
	} else {
		fuzz_check(out.buf == NULL);
		fuzz_check(strncmp(err.where, FUZZ_FILE, strlen(FUZZ_FILE)) ==
			   0);
		fuzz_check(
			!fuzz_contains(err.message, token, sizeof(token) - 1));
		fuzz_check(err.message[0] != '\0');
	}
	secret_clear(&out);
	free(text);
	return 0;
}
