/*
 * Fuzz target: the sealed cache file (plugin/cache/cache_format.h), opened
 * with a fixed test key and context (cache_fixture.h).
 *
 * An input that starts with the magic "ACRDCACH" is a whole file image:
 * header checks, key lookup, HKDF, AES-256-GCM, then the payload. Any other
 * input is taken as the plaintext a successful decrypt hands to
 * payload_decode(): mutated ciphertext never authenticates, so without this
 * the fuzzer could not reach the JSON payload parser at all.
 *
 * Invariants: a refusal leaves the record cleared and names a reason; an
 * accepted file names our workspace, re-seals to a file that opens to the
 * same record, and is refused for another workspace or entry.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "cache_payload.h"
#include "error.h"
#include "fuzz.h"
#include "fuzz_record.h"

static struct cache_fixture fx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cache_fixture_init(&fx);
	return 0;
}

static void check_refusal(askcred_status rc, const struct token_record *r,
			  const struct askcred_error *err)
{
	fuzz_check(rc == ASKCRED_CACHE_ERROR);
	fuzz_check(err->message[0] != '\0');
	fuzz_check(fuzz_record_cleared(r));
}

/* An accepted record must survive format_seal + format_open unchanged. */
static void check_reseal(const struct token_record *rec, uint64_t gen)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record again;
	uint8_t *img = NULL;
	size_t len = 0;
	uint64_t gen2 = 0;

	memset(&again, 0, sizeof(again));
	fuzz_check(format_seal(&fx.ring, fx.ctx, gen, FUZZ_ENTRY, rec, &img,
			       &len, &err) == ASKCRED_OK);
	fuzz_check(format_open(&fx.ring, fx.ctx, img, len, FUZZ_WS, FUZZ_ENTRY,
			       &again, &gen2, &err) == ASKCRED_OK);
	fuzz_check(gen2 == gen);
	fuzz_check(fuzz_record_equal(rec, &again));
	record_clear(&again);
	free(img);
}

static void open_image(const uint8_t *data, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record rec;
	struct cache_header h;
	uint64_t gen = 0;
	askcred_status rc;
	int header_ok;

	memset(&rec, 0, sizeof(rec));
	header_ok = format_parse_header(data, size, &h, &err) == ASKCRED_OK;
	fuzz_note("header", header_ok);
	err_clear(&err);
	rc = format_open(&fx.ring, fx.ctx, data, size, FUZZ_WS, FUZZ_ENTRY,
			 &rec, &gen, &err);
	fuzz_note("open", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		check_refusal(rc, &rec, &err);
		return;
	}
	fuzz_check(header_ok && gen == h.generation);
	fuzz_check(strcmp(rec.workspace_id, FUZZ_WS) == 0);
	fuzz_check(rec.token.len > 0 && rec.token.buf != NULL);
	check_reseal(&rec, gen);
	record_clear(&rec);

	/* The same bytes, bound to another workspace or entry: refused. */
	rc = format_open(&fx.ring, fx.other_ctx, data, size, FUZZ_OTHER_WS,
			 FUZZ_ENTRY, &rec, &gen, &err);
	check_refusal(rc, &rec, &err);
	rc = format_open(&fx.ring, fx.ctx, data, size, FUZZ_WS, "other", &rec,
			 &gen, &err);
	check_refusal(rc, &rec, &err);
}

static void decode_payload(const uint8_t *data, size_t size)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record rec, again;
	/* The size cache_format.c gives payload_decode(). */
	char entry[65] = "", entry2[65] = "";
	char *enc = NULL;
	size_t enc_len = 0;
	askcred_status rc;

	memset(&rec, 0, sizeof(rec));
	memset(&again, 0, sizeof(again));
	rc = payload_decode((const char *)data, size, &rec, entry,
			    sizeof(entry), &err);
	fuzz_note("payload", rc == ASKCRED_OK);
	if (rc != ASKCRED_OK) {
		fuzz_check(err.message[0] != '\0');
		fuzz_check(fuzz_record_cleared(&rec));
		return;
	}
	/* What we wrote we must read back as the same record. */
	fuzz_check(payload_encode(entry, &rec, &enc, &enc_len, &err) ==
		   ASKCRED_OK);
	fuzz_check(payload_decode(enc, enc_len, &again, entry2, sizeof(entry2),
				  &err) == ASKCRED_OK);
	fuzz_check(strcmp(entry, entry2) == 0);
	fuzz_check(fuzz_record_equal(&rec, &again));
	free_wiped(enc, enc_len + 1);
	record_clear(&again);
	record_clear(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= CACHE_MAGIC_LEN &&
	    memcmp(data, CACHE_MAGIC, CACHE_MAGIC_LEN) == 0)
		open_image(data, size);
	else
		decode_payload(data, size);
	return 0;
}
