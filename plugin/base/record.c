#include "config.h"

#include <string.h>

#include "record.h"

void record_clear(struct token_record *r)
{
	secret_clear(&r->token);
	memset(r, 0, sizeof(*r));
}

int record_copy(struct token_record *dst, const struct token_record *src)
{
	struct secret token = SECRET_INIT;

	if (src->token.buf != NULL &&
	    secret_set(&token, src->token.buf, src->token.len) != 0) {
		record_clear(dst);
		return -1;
	}
	record_clear(dst);
	*dst = *src;
	dst->token = token;
	return 0;
}
