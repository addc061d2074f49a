/* One policy for every line of a stack (issue 11). The policy and the audit
 * are module arguments, given per line; a line without them (a refresh
 * line, say) would be a path around the policy. So every instance of one
 * stack and entry must carry the same policy arguments, or it does not
 * open.
 *
 * Why here and not in the host's stack parser: the host knows nothing of
 * a module's arguments (docs/stack-file.md); only this module knows which
 * of its arguments make up the policy, and the check then holds for every
 * host that loads it. Instances are told apart by the host's stack_name
 * (askcred_host), so two open stacks with the same name must agree too,
 * which errs on the side of refusing.
 *
 * Threads: safe (one mutex over a process-wide list). */
#ifndef ASKCRED_PLUGIN_STACK_POLICY_H
#define ASKCRED_PLUGIN_STACK_POLICY_H

#include <askcred/provider.h>

struct plugin_config;
struct stack_policy_member;

/* Register cfg's policy arguments (its gate slice) under (stack, entry),
 * stack being the host's stack_name (NULL: nothing to compare with, and
 * *member is NULL). Refuses with ASKCRED_CONFIG_ERROR, naming the first
 * argument that differs, when an open instance of the same stack and entry
 * has other ones. *member is the caller's, for stack_policy_leave(). */
askcred_status stack_policy_join(const char *stack,
				 const struct plugin_config *cfg,
				 struct stack_policy_member **member,
				 struct askcred_error *err);
/* Undo stack_policy_join() and set *member to NULL; harmless when it did
 * not succeed. */
void stack_policy_leave(struct stack_policy_member **member);

#endif
