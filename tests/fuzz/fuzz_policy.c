/*
 * Fuzz target: the policy document parser (policy_parse) and its detached
 * signature check (policy_verify), with the fixed Ed25519 key of
 * examples/policy, whose signed example is a seed.
 *
 * Input: the document, then optionally a NUL byte and the signature (64
 * raw bytes or their base64): "doc \0 sig", split at the first NUL (a
 * JSON document has none; a raw signature may). Without
 * a NUL the whole input is the document and there is no signature to
 * check.
 *
 * Invariants: a refused document yields no policy and a message; an
 * accepted one can be evaluated, and a label override only tightens (the
 * promise policy.h makes): never a longer lifetime or grace budget, never a
 * shorter minimum validity, never more workspaces.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "fuzz.h"
#include "policy.h"

/* examples/policy/example-public-key.pem: its private half was discarded,
 * so only the committed example verifies. */
static const char example_key[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEADAycNf2US7mT+igzJ8G4sHVh9xzOxtpqCHTOCPoQ6Do=\n"
	"-----END PUBLIC KEY-----\n";

static struct policy_keys *keys;

/* policy_keys_load() reads PEM files only, so the key goes through a
 * private temporary file, removed at once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	const char *paths[1] = {path};
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/askcred-fuzz-key-XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0 ||
	    write(fd, example_key, sizeof(example_key) - 1) !=
		    (ssize_t)(sizeof(example_key) - 1) ||
	    close(fd) != 0) {
		perror(path);
		abort();
	}
	if (policy_keys_load(paths, 1, &keys, &err) != ASKCRED_OK) {
		fprintf(stderr, "policy key: %s\n", err.message);
		unlink(path);
		abort();
	}
	unlink(path);
	return 0;
}

/* The first override's label, so the merge is exercised whatever labels
 * the fuzzer invents; "production" (the example's) otherwise. */
static const char *some_label(const struct policy *p)
{
	if (p->n_overrides > 0 && p->overrides[0].label != NULL &&
	    strchr(p->overrides[0].label, ',') == NULL)
		return p->overrides[0].label;
	return "production";
}

static void check_tightens(const struct policy *p, const char *labels)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_rules base, with;
	struct policy_rules_scratch s1, s2;

	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	fuzz_check(policy_effective_rules(p, NULL, &base, &s1, &err) ==
		   ASKCRED_OK);
	fuzz_check(policy_effective_rules(p, labels, &with, &s2, &err) ==
		   ASKCRED_OK);
	/* Every rule the defaults set stays set under a label. */
	fuzz_check((with.set & base.set) == base.set);
	if (base.set & POLICY_RULE_MAX_LIFETIME)
		fuzz_check(with.max_lifetime <= base.max_lifetime);
	if (base.set & POLICY_RULE_GRACE_BUDGET)
		fuzz_check(with.grace_budget <= base.grace_budget);
	if (base.set & POLICY_RULE_MAX_CACHE_AGE)
		fuzz_check(with.max_cache_age <= base.max_cache_age);
	if (base.set & POLICY_RULE_MIN_VALIDITY)
		fuzz_check(with.min_validity >= base.min_validity);
	if (base.set & POLICY_RULE_REQUIRE_EXPIRY)
		fuzz_check(with.require_expiry >= base.require_expiry);
	if (base.set & POLICY_RULE_WORKSPACES)
		fuzz_check(with.workspaces.n <= base.workspaces.n);
	if (base.set & POLICY_RULE_SOURCES)
		fuzz_check(with.sources.n <= base.sources.n);
	policy_rules_scratch_free(&s1);
	policy_rules_scratch_free(&s2);
}

/* Judge a typical minted token for every operation. */
static void check_eval(const struct policy *p, const char *labels)
{
	struct token_view rec;
	struct policy_context ctx;
	struct policy_decision d;

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.workspace_id, sizeof(rec.workspace_id),
		 "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f");
	snprintf(rec.token_id, sizeof(rec.token_id),
		 "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f");
	snprintf(rec.source, sizeof(rec.source), "mint");
	rec.issued_at = 1800000000;
	rec.expires_at = 1800003600;
	for (int op = 0; op < POLICY_OP_COUNT; op++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;

		memset(&ctx, 0, sizeof(ctx));
		ctx.op = (enum policy_op)op;
		ctx.labels = labels;
		ctx.now = 1800000600;
		ctx.is_cached = op == POLICY_OP_CACHE_READ;
		ctx.cached_at = ctx.is_cached ? 1800000000 : 0;
		fuzz_check(policy_check(p, &ctx, &rec, &d, &err) == ASKCRED_OK);
		fuzz_check(d.reason_code[0] != '\0');
		fuzz_check(d.allowed == (d.reason == POLICY_R_OK));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const uint8_t *nul = size ? memchr(data, '\0', size) : NULL;
	size_t doc_len = nul ? (size_t)(nul - data) : size;
	struct policy *p = NULL;
	askcred_status rc;

	rc = policy_parse((const char *)data, doc_len, "fuzz", &p, &err);
	fuzz_note("parse", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		fuzz_check(p == NULL);
		fuzz_check(err.message[0] != '\0');
	} else {
		const char *label = some_label(p);

		check_tightens(p, label);
		check_eval(p, label);
		policy_free(p);
	}
	if (nul != NULL) {
		err_clear(&err);
		rc = policy_verify(keys, (const char *)data, doc_len, nul + 1,
				   size - doc_len - 1, "fuzz", &err);
		fuzz_note("verify", rc == ASKCRED_OK);
		fuzz_check(rc == ASKCRED_OK || rc == ASKCRED_DENIED);
	}
	return 0;
}
