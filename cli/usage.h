/* usage.c: usage errors, shared by main.c and request.c (and every
 * command) without either depending on the other. */
#ifndef ASKCRED_CLI_USAGE_H
#define ASKCRED_CLI_USAGE_H

/* Report an unknown option or stray argument for cmd; EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report the getopt failure c ('?' or ':') for cmd; EXIT_USAGE. Call it
 * right after getopt_long() returned c, with opterr = 0 and an optstring
 * that starts with ":" (after any "+"). */
int option_error(const char *cmd, int c, char **argv);

#endif
