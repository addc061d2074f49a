/* The rules as one table, read by the parser (names, types, bounds), the
 * merge (which value is stricter) and describe (how to print them), so a
 * new rule is added in one place. */
#ifndef ASKCRED_PLUGIN_POLICY_TABLE_H
#define ASKCRED_PLUGIN_POLICY_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

enum rule_kind { RULE_BOOL, RULE_DURATION, RULE_UUID_LIST, RULE_NAME_LIST };

/* How two values of a rule merge: the stricter one wins. */
enum rule_strict {
	STRICT_ANY_TRUE,  /* booleans: true if either is */
	STRICT_SMALLER,	  /* durations that limit */
	STRICT_LARGER,	  /* durations that demand */
	STRICT_INTERSECT, /* allow-lists */
};

struct rule_info {
	const char *key;
	enum rule_kind kind;
	enum rule_strict strict;
	unsigned bit;  /* POLICY_RULE_* */
	size_t offset; /* in struct policy_rules */
	int64_t min;   /* durations: smallest accepted value */
};

extern const struct rule_info rule_table[];
extern const size_t rule_count;

/* The field a row describes, inside r. */
#define RULE_FIELD(r, info, type)                                              \
	((type *)(void *)((char *)(r) + (info)->offset))
#define RULE_CFIELD(r, info, type)                                             \
	((const type *)(const void *)((const char *)(r) + (info)->offset))

#endif
