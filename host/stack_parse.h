/* The stack file grammar (docs/stack-file.md): text in, lines out. Knows
 * nothing about modules beyond the words naming them. */
#ifndef ASKCRED_HOST_STACK_PARSE_H
#define ASKCRED_HOST_STACK_PARSE_H

#include <stddef.h>

#include <askcred/askcred.h>

#include "control.h"

#define STACK_FILE_MAX (64 * 1024)
#define STACK_LINE_MAX 4096 /* one logical line, continuations joined */
#define STACK_ARGS_MAX 32

/* What a line does: run a module, or bring in another stack's lines of
 * the same operation (pam.conf(5)'s include and substack). */
enum line_kind { LINE_MODULE = 0, LINE_INCLUDE, LINE_SUBSTACK };

struct parsed_line {
	unsigned line; /* first physical line of the logical line */
	enum askcred_op op;
	enum line_kind kind;
	int may_be_missing; /* "-fetch": skipped when the module file is not
			     * there (pam.conf(5)'s "-type") */
	struct control control;
	char *module; /* as written: a bare name or an absolute path; for
		       * include and substack, the stack's name or path */
	int argc;
	char **argv; /* argc words + NULL */
};

struct parsed_stack {
	struct parsed_line *lines;
	size_t count;
};

/* Parse len bytes of text (which may contain NUL bytes, refused) read from
 * file. On success *out holds the lines (possibly none); free it with
 * parsed_stack_free(). On failure *out is empty and err names file:line. */
askcred_status stack_parse(const char *file, const char *text, size_t len,
			   struct parsed_stack *out, struct askcred_error *err);
void parsed_stack_free(struct parsed_stack *ps);

/* "fetch" -> ASKCRED_OP_FETCH; -1 when unknown. */
int op_parse(const char *word);

#endif
