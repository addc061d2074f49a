/* Record comparisons for the fuzz invariants (fuzz_record.h). */
#include "config.h"

#include <string.h>

#include "fuzz_record.h"

int fuzz_record_equal(const struct token_record *a,
		      const struct token_record *b)
{
	return strcmp(a->workspace_id, b->workspace_id) == 0 &&
	       strcmp(a->token_id, b->token_id) == 0 &&
	       strcmp(a->source, b->source) == 0 &&
	       a->token.len == b->token.len &&
	       (a->token.len == 0 ||
		memcmp(a->token.buf, b->token.buf, a->token.len) == 0) &&
	       a->issued_at == b->issued_at && a->expires_at == b->expires_at &&
	       a->cached_at == b->cached_at &&
	       a->policy_serial == b->policy_serial && a->flags == b->flags;
}

int fuzz_record_cleared(const struct token_record *r)
{
	static const struct token_record zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}
