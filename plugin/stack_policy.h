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

struct instance;

/* Register inst's policy arguments under (stack name, entry). Refuses
 * with ASKCRED_CONFIG_ERROR, naming the first argument that differs, when
 * an open instance of the same stack and entry has other ones. */
askcred_status stack_policy_join(struct instance *inst,
				 struct askcred_error *err);
/* Undo stack_policy_join(); harmless when it did not succeed. */
void stack_policy_leave(struct instance *inst);

#endif
