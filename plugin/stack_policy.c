#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plugin_config.h"
#include "stack_policy.h"

#define SIG_MAX 8192

struct stack_policy_member {
	char *stack, *entry;
	char *sig; /* "name=value\n" per policy argument */
	unsigned refs;
	struct stack_policy_member *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stack_policy_member *members;

/* The arguments that decide what the policy allows and what is audited. */
static void signature(const struct gate_settings *c, char *buf, size_t size)
{
	snprintf(buf, size,
		 "policy=%s\npolicy_url=%s\npolicy_keys=%s\n"
		 "policy_state_dir=%s\npolicy_refresh=%u\nlabels=%s\n"
		 "audit_file=%s\naudit_syslog=%s\naudit_required=%s\n",
		 c->policy ? c->policy : "", c->policy_url ? c->policy_url : "",
		 c->policy_keys ? c->policy_keys : "",
		 c->policy_state_dir ? c->policy_state_dir : "",
		 (unsigned)c->policy_refresh, c->labels,
		 c->audit_file ? c->audit_file : "",
		 c->audit_syslog ? "on" : "off",
		 c->audit_required ? "on" : "off");
}

/* " (none)" after "name=" with an empty value, for the message. */
static const char *none(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq != NULL && eq[1] == '\0' ? " (none)" : "";
}

/* The first line of a and b that differs, as "name=value" of each. */
static void first_difference(const char *a, const char *b, char *mine,
			     char *theirs, size_t size)
{
	while (*a != '\0' && *b != '\0') {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la) != 0) {
			snprintf(mine, size, "%.*s", (int)la, a);
			snprintf(theirs, size, "%.*s", (int)lb, b);
			return;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	snprintf(mine, size, "?");
	snprintf(theirs, size, "?");
}

static struct stack_policy_member *find(const char *stack, const char *entry)
{
	for (struct stack_policy_member *m = members; m != NULL; m = m->next)
		if (strcmp(m->stack, stack) == 0 &&
		    strcmp(m->entry, entry) == 0)
			return m;
	return NULL;
}

askcred_status stack_policy_join(const char *stack,
				 const struct plugin_config *cfg,
				 struct stack_policy_member **member,
				 struct askcred_error *err)
{
	char sig[SIG_MAX], mine[200], theirs[200];
	struct stack_policy_member *m;
	askcred_status rc = ASKCRED_OK;

	*member = NULL;
	if (stack == NULL)
		return ASKCRED_OK; /* a host that names no stack: nothing to
				    * compare with */
	signature(&cfg->gate, sig, sizeof(sig));
	pthread_mutex_lock(&lock);
	m = find(stack, cfg->entry);
	if (m != NULL && strcmp(m->sig, sig) != 0) {
		first_difference(sig, m->sig, mine, theirs, sizeof(mine));
		rc = err_set(err, ASKCRED_CONFIG_ERROR, "policy",
			     "this line has %s%s but another line of stack "
			     "%s for entry %s has %s%s; give every line the "
			     "same policy, labels and audit arguments, so "
			     "that no operation escapes the policy",
			     mine, none(mine), stack, cfg->entry, theirs,
			     none(theirs));
		goto out;
	}
	if (m == NULL) {
		m = calloc(1, sizeof(*m));
		if (m == NULL || (m->stack = strdup(stack)) == NULL ||
		    (m->entry = strdup(cfg->entry)) == NULL ||
		    (m->sig = strdup(sig)) == NULL) {
			if (m != NULL) {
				free(m->stack);
				free(m->entry);
				free(m);
			}
			rc = err_set(err, ASKCRED_NO_MEMORY, NULL,
				     "out of memory");
			goto out;
		}
		m->next = members;
		members = m;
	}
	m->refs++;
	*member = m;
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

void stack_policy_leave(struct stack_policy_member **member)
{
	struct stack_policy_member *m = *member, **link;

	if (m == NULL)
		return;
	pthread_mutex_lock(&lock);
	if (--m->refs == 0) {
		for (link = &members; *link != m; link = &(*link)->next)
			;
		*link = m->next;
		free(m->stack);
		free(m->entry);
		free(m->sig);
		free(m);
	}
	pthread_mutex_unlock(&lock);
	*member = NULL;
}
