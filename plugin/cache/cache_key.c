#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "cache_key.h"
#include "error.h"
#include "safefile.h"
#include "secret.h"

#define KEY_B64_LEN 44 /* base64 of 32 bytes, one '=' of padding */
#define KEY_FILE_HEADER                                                        \
	"# askcred cache master keys: the first seals, all open\n"

static const struct file_rules key_rules = {"cache key file", 077, 0, 16384};
static const struct file_rules cred_rules = {"systemd credential", 077, 1,
					     16384};
static const struct file_rules pass_rules = {"passphrase file", 077, 0, 4096};
static const struct file_rules salt_rules = {"passphrase salt", 077, 0, 64};

void keyring_clear(struct cache_keyring *ring)
{
	free_wiped(ring->keys, ring->n * sizeof(*ring->keys));
	ring->keys = NULL;
	ring->n = 0;
}

static askcred_status ring_add(struct cache_keyring *ring, const uint8_t *key,
			       struct askcred_error *err)
{
	struct cache_key *k;

	/* Copy by hand rather than realloc so the old array can be wiped. */
	k = calloc(ring->n + 1, sizeof(*k));
	if (k == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "cache key",
			       "out of memory");
	if (ring->n > 0)
		memcpy(k, ring->keys, ring->n * sizeof(*k));
	memcpy(k[ring->n].key, key, CACHE_KEY_LEN);
	free_wiped(ring->keys, ring->n * sizeof(*k));
	ring->keys = k;
	ring->n++;
	return format_key_id(key, k[ring->n - 1].id, err);
}

/* One base64 key per line, first current; blank lines and '#' comments. */
static askcred_status parse_keys(char *buf, const char *path,
				 struct cache_keyring *ring,
				 struct askcred_error *err)
{
	uint8_t raw[CACHE_KEY_LEN + 3];
	askcred_status rc = ASKCRED_OK;
	unsigned lineno = 0;
	char *line, *save = NULL, *end;

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		end = line + strlen(line);
		while (end > line &&
		       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (end - line != KEY_B64_LEN || end[-1] != '=' ||
		    end[-2] == '=' ||
		    EVP_DecodeBlock(raw, (const unsigned char *)line,
				    KEY_B64_LEN) != CACHE_KEY_LEN + 1) {
			rc = err_set_line(err, ASKCRED_CONFIG_ERROR, path,
					  lineno, "not a base64 32-byte key");
			goto out;
		}
		if (ring->n == KEY_FILE_MAX_KEYS) {
			rc = err_set_line(err, ASKCRED_CONFIG_ERROR, path,
					  lineno, "more than %d keys",
					  KEY_FILE_MAX_KEYS);
			goto out;
		}
		rc = ring_add(ring, raw, err);
		if (rc != ASKCRED_OK)
			goto out;
	}
	if (ring->n == 0)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "key file holds no key");
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	if (rc != ASKCRED_OK)
		keyring_clear(ring);
	return rc;
}

static askcred_status load_key_file(const char *path,
				    const struct file_rules *rules,
				    struct cache_keyring *ring,
				    struct askcred_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	askcred_status rc;

	rc = safe_read_file(path, rules, &buf, &len, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = parse_keys(buf, path, ring, err);
	free_wiped(buf, len + 1);
	return rc;
}

/* Text of a key file holding a new random key followed by old ones. */
static askcred_status key_file_text(const struct cache_keyring *old, char **out,
				    size_t *out_len, struct askcred_error *err)
{
	size_t n = old ? old->n : 0, i, cap, used;
	uint8_t fresh[CACHE_KEY_LEN];
	char *text;

	if (n >= KEY_FILE_MAX_KEYS)
		n = KEY_FILE_MAX_KEYS - 1;
	cap = sizeof(KEY_FILE_HEADER) + (n + 1) * (KEY_B64_LEN + 1) + 1;
	text = malloc(cap);
	if (text == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, "cache key",
			       "out of memory");
	if (RAND_priv_bytes(fresh, sizeof(fresh)) != 1) {
		free(text);
		return err_set(err, err_openssl(), "RAND_priv_bytes",
			       "no randomness for a master key");
	}
	memcpy(text, KEY_FILE_HEADER, sizeof(KEY_FILE_HEADER) - 1);
	used = sizeof(KEY_FILE_HEADER) - 1;
	used += (size_t)EVP_EncodeBlock((unsigned char *)text + used, fresh,
					CACHE_KEY_LEN);
	text[used++] = '\n';
	for (i = 0; i < n; i++) {
		used += (size_t)EVP_EncodeBlock((unsigned char *)text + used,
						old->keys[i].key,
						CACHE_KEY_LEN);
		text[used++] = '\n';
	}
	text[used] = '\0';
	OPENSSL_cleanse(fresh, sizeof(fresh));
	*out = text;
	*out_len = used;
	(void)cap;
	return ASKCRED_OK;
}

/* Create the key file only if absent: write a temp file and link(2) it, so
 * two processes starting at once agree on one key. */
static askcred_status create_key_file(const char *path,
				      struct askcred_error *err)
{
	char tmp[FS_PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	askcred_status rc;

	rc = key_file_text(NULL, &text, &len, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = fs_write_temp(path, text, len, tmp, err);
	free_wiped(text, len + 1);
	if (rc != ASKCRED_OK)
		return rc;
	if (link(tmp, path) != 0 && errno != EEXIST)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "cannot create key file: %s", strerror(errno));
	unlink(tmp);
	if (rc == ASKCRED_OK)
		rc = fs_sync_parent(path, err);
	return rc;
}

askcred_status key_rotate(const char *key_path, struct cache_keyring *ring,
			  struct askcred_error *err)
{
	struct cache_keyring cur = {NULL, 0};
	char tmp[FS_PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	askcred_status rc;

	if (key_path == NULL || key_path[0] == '\0')
		return err_set(err, ASKCRED_CONFIG_ERROR, "key",
			       "only a key file can be rotated here");
	/* Re-read: another process may have rotated since we loaded. */
	rc = load_key_file(key_path, &key_rules, &cur, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = key_file_text(&cur, &text, &len, err);
	keyring_clear(&cur);
	if (rc != ASKCRED_OK)
		return rc;
	rc = fs_write_temp(key_path, text, len, tmp, err);
	free_wiped(text, len + 1);
	if (rc != ASKCRED_OK)
		return rc;
	if (rename(tmp, key_path) != 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, key_path,
			     "cannot replace key file: %s", strerror(errno));
		unlink(tmp);
		return rc;
	}
	rc = fs_sync_parent(key_path, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = load_key_file(key_path, &key_rules, &cur, err);
	if (rc != ASKCRED_OK)
		return rc;
	keyring_clear(ring);
	*ring = cur;
	return ASKCRED_OK;
}

static askcred_status load_credential(const char *name,
				      struct cache_keyring *ring,
				      struct askcred_error *err)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[FS_PATH_MAX];
	askcred_status rc;

	if (dir == NULL || dir[0] != '/')
		return err_set(err, ASKCRED_CONFIG_ERROR, "key_credential",
			       "CREDENTIALS_DIRECTORY is not set: not started "
			       "by systemd with LoadCredential=");
	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_set(err, ASKCRED_CONFIG_ERROR, "key_credential",
			       "bad credential name");
	rc = fs_path(path, err, "%s/%s", dir, name);
	if (rc != ASKCRED_OK)
		return rc;
	return load_key_file(path, &cred_rules, ring, err);
}

/* A per-directory random salt, created once like the key file. */
static askcred_status load_salt(const char *dir, uint8_t salt[CACHE_SALT_LEN],
				struct askcred_error *err)
{
	char path[FS_PATH_MAX], tmp[FS_PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	askcred_status rc;

	rc = fs_path(path, err, "%s/%s", dir, PASSPHRASE_SALT_NAME);
	if (rc != ASKCRED_OK)
		return rc;
	rc = safe_read_file(path, &salt_rules, &buf, &len, err);
	if (rc == ASKCRED_NOT_FOUND) {
		if (RAND_bytes(salt, CACHE_SALT_LEN) != 1)
			return err_set(err, err_openssl(), "RAND_bytes",
				       "no randomness for a salt");
		rc = fs_write_temp(path, salt, CACHE_SALT_LEN, tmp, err);
		if (rc != ASKCRED_OK)
			return rc;
		if (link(tmp, path) != 0 && errno != EEXIST)
			rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
				     "cannot create: %s", strerror(errno));
		unlink(tmp);
		if (rc != ASKCRED_OK)
			return rc;
		/* Whoever linked first wins; read back what is there. */
		rc = safe_read_file(path, &salt_rules, &buf, &len, err);
	}
	if (rc != ASKCRED_OK)
		return rc;
	if (len != CACHE_SALT_LEN)
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "salt file must hold %d bytes", CACHE_SALT_LEN);
	else
		memcpy(salt, buf, CACHE_SALT_LEN);
	free(buf);
	return rc;
}

/* scrypt costs ~100 ms, so the result is kept for the process, keyed by a
 * hash of what went in; a second cache_open() pays nothing. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t memo_in[32], memo_key[CACHE_KEY_LEN];
static int memo_valid;

static askcred_status stretch(const char *pass, size_t len,
			      const uint8_t salt[CACHE_SALT_LEN],
			      uint8_t key[CACHE_KEY_LEN],
			      struct askcred_error *err)
{
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[7], *p = params;
	uint64_t n = SCRYPT_N, maxmem = SCRYPT_MAXMEM;
	uint32_t r = SCRYPT_R, par = SCRYPT_P;
	uint8_t in[32];
	unsigned int inlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	askcred_status rc = ASKCRED_OK;

	if (md == NULL || format_sha256() == NULL ||
	    EVP_DigestInit_ex2(md, format_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, salt, CACHE_SALT_LEN) != 1 ||
	    EVP_DigestUpdate(md, pass, len) != 1 ||
	    EVP_DigestFinal_ex(md, in, &inlen) != 1) {
		/* EVP_MD_CTX_new() queues no error when it finds no memory. */
		rc = md == NULL ? ASKCRED_NO_MEMORY : err_openssl();
		EVP_MD_CTX_free(md);
		return err_set(err, rc, "SHA-256", "failed");
	}
	EVP_MD_CTX_free(md);
	pthread_mutex_lock(&memo_lock);
	if (memo_valid && CRYPTO_memcmp(memo_in, in, sizeof(in)) == 0) {
		memcpy(key, memo_key, CACHE_KEY_LEN);
		goto out;
	}
	if (format_scrypt() == NULL ||
	    (kctx = EVP_KDF_CTX_new(format_scrypt())) == NULL) {
		rc = err_set(err, err_openssl(), "scrypt",
			     "scrypt is not available");
		goto out;
	}
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						 (void *)pass, len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 (void *)salt, CACHE_SALT_LEN);
	*p++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par);
	*p++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
					   &maxmem);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, key, CACHE_KEY_LEN, params) != 1) {
		rc = err_set(err, err_openssl(), "scrypt",
			     "passphrase stretching failed");
		goto out;
	}
	memcpy(memo_in, in, sizeof(in));
	memcpy(memo_key, key, CACHE_KEY_LEN);
	memo_valid = 1;
out:
	pthread_mutex_unlock(&memo_lock);
	EVP_KDF_CTX_free(kctx);
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

static askcred_status load_passphrase(const struct cache_config *cfg,
				      const char *dir,
				      struct cache_keyring *ring,
				      struct askcred_error *err)
{
	const char *what =
		cfg->passphrase_file ? cfg->passphrase_file : "passphrase_fd";
	uint8_t salt[CACHE_SALT_LEN], key[CACHE_KEY_LEN];
	char *buf = NULL;
	size_t len = 0, cap;
	askcred_status rc;

	if (cfg->passphrase_file != NULL)
		rc = safe_read_file(cfg->passphrase_file, &pass_rules, &buf,
				    &len, err);
	else
		rc = read_fd_all(cfg->passphrase_fd, what, 4096, &buf, &len,
				 err);
	if (rc != ASKCRED_OK)
		return rc;
	cap = len + 1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, what,
			     "the passphrase is empty");
		goto out;
	}
	rc = load_salt(dir, salt, err);
	if (rc == ASKCRED_OK)
		rc = stretch(buf, len, salt, key, err);
	if (rc == ASKCRED_OK)
		rc = ring_add(ring, key, err);
out:
	OPENSSL_cleanse(key, sizeof(key));
	free_wiped(buf, cap);
	return rc;
}

askcred_status key_load(const struct cache_config *cfg, const char *dir,
			struct cache_keyring *ring, char *key_path,
			struct askcred_error *err)
{
	askcred_status rc;

	key_path[0] = '\0';
	if (cfg->key_credential != NULL)
		return load_credential(cfg->key_credential, ring, err);
	if (cfg->passphrase_file != NULL || cfg->passphrase_fd > 0)
		return load_passphrase(cfg, dir, ring, err);
	if (cfg->key_file != NULL)
		rc = fs_path(key_path, err, "%s", cfg->key_file);
	else
		rc = fs_path(key_path, err, "%s/%s", dir, DEFAULT_KEY_NAME);
	if (rc != ASKCRED_OK)
		return rc;
	rc = load_key_file(key_path, &key_rules, ring, err);
	if (rc != ASKCRED_NOT_FOUND)
		return rc;
	rc = create_key_file(key_path, err);
	if (rc != ASKCRED_OK)
		return rc;
	return load_key_file(key_path, &key_rules, ring, err);
}
