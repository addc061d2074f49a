/* Shape checks for the two halves of an AskUI credential. AskUI guarantees
 * little about tokens, so they are treated as opaque: trimmed, bounded,
 * free of control characters. */
#ifndef ASKCRED_COMMON_CREDCHECK_H
#define ASKCRED_COMMON_CREDCHECK_H

#include <stddef.h>

#include <askcred/provider.h>

/* The longest token we accept; observed tokens are 20-22 characters. */
#define TOKEN_MAX_LEN 1024

/* A UUID version 4 in canonical lowercase-or-uppercase hex form, as the
 * Python SDK demands for workspace ids. */
int is_uuid4(const char *s);

/* Check a workspace id; where names the field or file for the message. */
askcred_status check_workspace_id(const char *s, const char *where,
				  struct askcred_error *err);

/* Trim surrounding white space in place (adjusts *p and *len) and check the
 * rest: non-empty, at most TOKEN_MAX_LEN, no control characters. The
 * message never quotes the token. */
askcred_status check_token(const char **p, size_t *len, const char *where,
			   struct askcred_error *err);

#endif
