/*
 * Writes the cache target's seeds into DIR (tests/fuzz/corpus/cache_file):
 * files sealed with the fixture's key and binding, the ways a real file is
 * refused, and payloads as a decrypt hands them over. Run once by hand,
 * the output committed:
 *
 *   make tests/fuzz/mkseed_cache && tests/fuzz/mkseed_cache DIR
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "cache_payload.h"
#include "error.h"
#include "fuzz_record.h"

static const char *dir;

static void put(const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wbe");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void make(struct token_record *r, const char *ws, const char *tok,
		 const char *id, const char *source, int64_t exp)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->workspace_id, sizeof(r->workspace_id), "%s", ws);
	snprintf(r->token_id, sizeof(r->token_id), "%s", id);
	snprintf(r->source, sizeof(r->source), "%s", source);
	if (secret_set(&r->token, tok, strlen(tok)) != 0)
		exit(1);
	r->issued_at = exp ? exp - 3600 : 0;
	r->cached_at = exp ? exp - 3500 : 1700000000;
	r->expires_at = exp;
	r->flags = strcmp(source, "mint") == 0 ? ASKCRED_CRED_MINTED : 0;
}

static uint8_t *seal(const struct cache_keyring *ring, const uint8_t *ctx,
		     uint64_t gen, const struct token_record *r, size_t *len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	uint8_t *img = NULL;

	if (format_seal(ring, ctx, gen, FUZZ_ENTRY, r, &img, len, &err) !=
	    ASKCRED_OK) {
		fprintf(stderr, "seal: %s\n", err.message);
		exit(1);
	}
	return img;
}

static void files(struct cache_fixture *fx)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_key other_key;
	struct cache_keyring other = {&other_key, 1};
	struct token_record mint, stat, elsewhere;
	uint8_t *img;
	size_t len;

	make(&mint, FUZZ_WS, "U4IiJRhZscdBA4VFOLCpWw",
	     "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", "mint", 1800000000);
	make(&stat, FUZZ_WS, "tok-\"quoted\"-\\slash/-\xc3\xa9", "", "static",
	     0);
	make(&elsewhere, FUZZ_OTHER_WS, "U4IiJRhZscdBA4VFOLCpWw", "", "broker",
	     1800000000);

	img = seal(&fx->ring, fx->ctx, 7, &mint, &len);
	put("minted-token", img, len);
	/* Truncated, then one tag bit flipped: both must fail to open. */
	put("truncated", img, len - 1);
	img[len - 1] ^= 0x01;
	put("tag-flipped", img, len);
	free(img);

	img = seal(&fx->ring, fx->ctx, 1, &stat, &len);
	put("static-never-expires", img, len);
	/* An unknown header flag, a version from the future. */
	img[CACHE_MAGIC_LEN + 3] = 0x80;
	put("unknown-flag", img, len);
	img[CACHE_MAGIC_LEN + 3] = 0;
	img[CACHE_MAGIC_LEN] = 2;
	put("version-2", img, len);
	free(img);

	/* Sealed for another workspace: opened as ours, refused. */
	img = seal(&fx->ring, fx->other_ctx, 3, &elsewhere, &len);
	put("other-workspace", img, len);
	free(img);

	memcpy(other_key.key, "another fuzz key, also no secret", 32);
	if (format_key_id(other_key.key, other_key.id, &err) != ASKCRED_OK)
		exit(1);
	img = seal(&other, fx->ctx, 1, &mint, &len);
	put("unknown-key", img, len);
	free(img);
	put("header-only", CACHE_MAGIC, CACHE_MAGIC_LEN);
	record_clear(&mint);
	record_clear(&stat);
	record_clear(&elsewhere);
}

static void payloads(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;
	char *enc = NULL;
	size_t len = 0;

	make(&r, FUZZ_WS, "U4IiJRhZscdBA4VFOLCpWw",
	     "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", "mint", 1800000000);
	if (payload_encode(FUZZ_ENTRY, &r, &enc, &len, &err) != ASKCRED_OK)
		exit(1);
	put("payload-minted.json", enc, len);
	free_wiped(enc, len + 1);
	record_clear(&r);
}

int main(int argc, char **argv)
{
	struct cache_fixture fx;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	cache_fixture_init(&fx);
	files(&fx);
	payloads();
	return 0;
}
