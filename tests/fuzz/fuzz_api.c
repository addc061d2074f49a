/*
 * Fuzz target: every answer the provider parses. Each input is given, as
 * the body of a 2xx answer, to the AskUI token calls' parsers (create,
 * list, lookup) and the broker's; as an exec command's output to the
 * answer parser (plugin/base/answer.h); and, as the body of an error answer,
 * to the extraction of AskUI's "detail". One body through all of
 * them: they share json_parse_strict() and the field readers of jsonval.h,
 * and a body meant for one is exactly the hostile input for another.
 *
 * Invariants: an accepted answer gives a usable record (a token, our
 * workspace, a UUID id); a refusal names a reason; and no message or
 * detail ever quotes the token the seeds carry (FUZZ_TOKEN), wherever the
 * fuzzer moves it in the body.
 */
#include "config.h"

#include <string.h>

#include "answer.h"
#include "askui_api.h"
#include "broker.h"
#include "fuzz.h"
#include "fuzz_record.h"
#include "http.h"

#define FUZZ_TOKEN "U4IiJRhZscdBA4VFOLCpWw"
/* The broker's clock: 2026-11-28T00:00:00Z. */
#define FUZZ_NOW 1795824000

static void check_message(const struct askcred_error *err)
{
	fuzz_check(err->message[0] != '\0');
	fuzz_check(
		!fuzz_contains(err->message, FUZZ_TOKEN, strlen(FUZZ_TOKEN)));
	fuzz_check(!fuzz_contains(err->where, FUZZ_TOKEN, strlen(FUZZ_TOKEN)));
}

static int is_uuid_text(const char *s)
{
	return strlen(s) == ASKCRED_UUID_LEN && s[8] == '-' && s[13] == '-' &&
	       s[18] == '-' && s[23] == '-';
}

static int has_control(const struct secret *s)
{
	for (size_t i = 0; i < s->len; i++)
		if ((unsigned char)s->buf[i] < 0x20 || s->buf[i] == 0x7f)
			return 1;
	return 0;
}

static void created(const char *body, size_t len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;
	askcred_status rc;

	memset(&r, 0, sizeof(r));
	rc = api_parse_created(body, len, FUZZ_WS, &r, &err);
	fuzz_note("created", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		check_message(&err);
		fuzz_check(fuzz_record_cleared(&r));
		return;
	}
	fuzz_check(strcmp(r.workspace_id, FUZZ_WS) == 0);
	fuzz_check(strcmp(r.source, "mint") == 0);
	fuzz_check(is_uuid_text(r.token_id));
	fuzz_check(r.token.len > 0 && !has_control(&r.token));
	fuzz_check(r.expires_at >= 0);
	record_clear(&r);
}

static void list(const char *body, size_t len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_token_info *l = NULL;
	size_t n = 0;
	askcred_status rc;

	rc = api_parse_list(body, len, &l, &n, &err);
	fuzz_note("list", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		check_message(&err);
		return;
	}
	fuzz_check(n <= API_LIST_MAX);
	for (size_t i = 0; i < n; i++) {
		fuzz_check(is_uuid_text(l[i].id));
		fuzz_check(l[i].name[0] != '\0');
		fuzz_check(l[i].expires_at >= 0);
	}
	api_token_list_free(l);
}

static void lookup(const char *body, size_t len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char id[ASKCRED_UUID_LEN + 1] = "";
	askcred_status rc;

	rc = api_parse_lookup(body, len, id, &err);
	fuzz_note("lookup", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK)
		check_message(&err);
	else
		fuzz_check(is_uuid_text(id));
}

/* The credential answer of a broker or an exec command (answer.h): the
 * same checks, whichever read it. */
static void check_answer(const char *stage, askcred_status rc,
			 struct token_record *r,
			 const struct askcred_error *err)
{
	fuzz_note(stage, rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		check_message(err);
		fuzz_check(fuzz_record_cleared(r));
		return;
	}
	fuzz_check(is_uuid_text(r->workspace_id));
	fuzz_check(strcmp(r->source, stage) == 0);
	fuzz_check(r->token.len > 0 && !has_control(&r->token));
	fuzz_check(r->expires_at == 0 || r->expires_at > FUZZ_NOW);
	record_clear(r);
}

static void broker(const char *body, size_t len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;

	memset(&r, 0, sizeof(r));
	check_answer("broker", broker_parse(body, len, FUZZ_NOW, &r, &err), &r,
		     &err);
}

/* An exec command's stdout, which the provider core reads. */
static void exec_output(const char *body, size_t len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;

	memset(&r, 0, sizeof(r));
	check_answer("exec",
		     answer_parse(body, len, "output of the command", "exec",
				  FUZZ_NOW, &r, &err),
		     &r, &err);
}

/* An error answer whose detail may quote the credential we sent. */
static void detail(const char *body, size_t len)
{
	struct secret tok = {(char *)FUZZ_TOKEN, sizeof(FUZZ_TOKEN) - 1};
	const struct secret *secrets[1] = {&tok};
	char out[HTTP_DETAIL_MAX];

	memset(out, 'x', sizeof(out));
	http_error_detail(body, len, secrets, 1, out);
	fuzz_note("detail", out[0] != '\0');
	fuzz_check(memchr(out, '\0', sizeof(out)) != NULL);
	fuzz_check(!fuzz_contains(out, FUZZ_TOKEN, strlen(FUZZ_TOKEN)));
	for (size_t i = 0; out[i] != '\0'; i++)
		fuzz_check((unsigned char)out[i] >= 0x20 &&
			   (unsigned char)out[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;

	created(body, size);
	list(body, size);
	lookup(body, size);
	broker(body, size);
	exec_output(body, size);
	detail(body, size);
	return 0;
}
