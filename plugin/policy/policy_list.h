/* Small helpers over struct policy_list, shared by the policy files. */
#ifndef ASKCRED_PLUGIN_POLICY_LIST_H
#define ASKCRED_PLUGIN_POLICY_LIST_H

#include <stddef.h>

#include "policy.h"

/* 1 when s is among items[0..n); workspace ids compare without case. */
int policy_list_find(char *const *items, size_t n, const char *s);
/* 1 when s is among items[0..n) byte for byte: field names in "optional",
 * where a near miss must not excuse an unknown rule. */
int policy_list_find_exact(char *const *items, size_t n, const char *s);
void policy_list_free(struct policy_list *l);
/* 1 when the comma-separated labels (spaces around names ignored) contain
 * label exactly. labels may be NULL. */
int policy_labels_have(const char *labels, const char *label);

#endif
