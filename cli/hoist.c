/* Global options written after the command ("askcred get --stack ci"):
 * moved in front of it before the global options are parsed, so a user
 * need not remember which side of the command an option goes. Only the
 * words between the command and its first operand (or "--") are looked
 * at, so nothing handed to exec's child, and no operand, is ever taken. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Global options that take a value in the next word. */
static const char *const global_with_value[] = {
	"--stack", "--stack-file", "--stack-dir", "--module-dir", "--labels",
};
/* Global options without a value. */
static const char *const global_flags[] = {"--quiet", "--verbose", "-q",
					   "-v",      "-vv",	   "-qv"};
/* Command options that take a value in the next word: that word is the
 * value, never a global option. */
static const char *const command_with_value[] = {
	"--purpose",	 "--min-validity",  "--lifetime",
	"--format",	 "--runner-config", "--on-renew",
	"--stop-signal", "--stop-timeout",  "--overlap",
};

#define N(a) (sizeof(a) / sizeof(a[0]))

static int in(const char *word, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(word, list[i]) == 0)
			return 1;
	return 0;
}

/* "--stack=ci" and friends: one word. */
static int global_with_equals(const char *word)
{
	for (size_t i = 0; i < N(global_with_value); i++) {
		size_t n = strlen(global_with_value[i]);

		if (strncmp(word, global_with_value[i], n) == 0 &&
		    word[n] == '=')
			return 1;
	}
	return 0;
}

/* Index of the command word, or argc when there is none. */
static int command_index(int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
		i += in(argv[i], global_with_value, N(global_with_value)) ? 2
									  : 1;
	return i;
}

int hoist_global_options(int argc, char **argv)
{
	int cmd = command_index(argc, argv), i, n = 0, rest = 0;
	int own_labels = 0;
	char **moved, **kept;

	if (cmd >= argc)
		return 0;
	moved = calloc((size_t)argc, sizeof(*moved));
	kept = calloc((size_t)argc, sizeof(*kept));
	if (moved == NULL || kept == NULL) {
		free(moved);
		free(kept);
		return -1;
	}
	i = cmd + 1;
	/* "policy show --stack ci": the subcommand is part of the command. */
	if (strcmp(argv[cmd], "policy") == 0 && i < argc && argv[i][0] != '-') {
		own_labels = strcmp(argv[i], "check") == 0;
		kept[rest++] = argv[i++];
	}
	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
		/* "policy check --labels" has an option of its own by that
		 * name: it stays with the command. */
		if (own_labels && strncmp(argv[i], "--labels", 8) == 0 &&
		    (argv[i][8] == '\0' || argv[i][8] == '=')) {
			kept[rest++] = argv[i++];
			if (argv[i - 1][8] == '\0' && i < argc)
				kept[rest++] = argv[i++];
		} else if (in(argv[i], global_with_value,
			      N(global_with_value)) &&
			   i + 1 < argc) {
			moved[n++] = argv[i++];
			moved[n++] = argv[i++];
		} else if (global_with_equals(argv[i]) ||
			   in(argv[i], global_flags, N(global_flags))) {
			moved[n++] = argv[i++];
		} else if (in(argv[i], command_with_value,
			      N(command_with_value)) &&
			   i + 1 < argc) {
			kept[rest++] = argv[i++];
			kept[rest++] = argv[i++];
		} else {
			kept[rest++] = argv[i++];
		}
	}
	while (i < argc)
		kept[rest++] = argv[i++];
	/* argv: globals, moved globals, command, the command's own words. */
	{
		char *command = argv[cmd];
		int at = cmd;

		for (int j = 0; j < n; j++)
			argv[at++] = moved[j];
		argv[at++] = command;
		for (int j = 0; j < rest; j++)
			argv[at++] = kept[j];
	}
	free(moved);
	free(kept);
	return n;
}
