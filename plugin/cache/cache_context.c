#include "config.h"

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>

#include "cache_context.h"
#include "error.h"
#include "safefile.h"
#include "secret.h"

#define HOST_LABEL "askcred cache host v1"
#define CONTEXT_LABEL "askcred cache context v1"
#define MACHINE_ID_HEX 32

askcred_status context_host_id(const char *machine_id_path,
			       uint8_t out[CACHE_HOST_ID_LEN],
			       struct askcred_error *err)
{
	static const struct file_rules rules = {"machine id file", 022, 1,
						4096};
	const char *path =
		machine_id_path ? machine_id_path : DEFAULT_MACHINE_ID_PATH;
	char *buf = NULL;
	size_t len = 0, i;
	askcred_status rc;

	rc = safe_read_file(path, &rules, &buf, &len, err);
	if (rc != ASKCRED_OK)
		return rc == ASKCRED_NOT_FOUND
			       ? err_set(err, ASKCRED_CONFIG_ERROR, path,
					 "no machine id: the "
					 "cache binds files "
					 "to the host")
			       : rc;
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		len--;
	for (i = 0; i < len && isxdigit((unsigned char)buf[i]); i++)
		;
	if (len != MACHINE_ID_HEX || i != len) {
		rc = err_set_line(err, ASKCRED_CONFIG_ERROR, path, 1,
				  "machine id is not 32 hexadecimal digits");
		goto out;
	}
	rc = format_hmac(buf, len, HOST_LABEL, sizeof(HOST_LABEL) - 1, NULL, 0,
			 out);
	if (rc != ASKCRED_OK)
		rc = err_set(err, rc, "HMAC-SHA256",
			     "cannot derive the host identity");
out:
	free_wiped(buf, len + 1);
	return rc;
}

static int put_field(EVP_MD_CTX *md, const void *p, size_t len)
{
	unsigned char be[4] = {(unsigned char)(len >> 24),
			       (unsigned char)(len >> 16),
			       (unsigned char)(len >> 8), (unsigned char)len};

	return EVP_DigestUpdate(md, be, sizeof(be)) == 1 &&
	       EVP_DigestUpdate(md, p, len) == 1;
}

askcred_status context_bind(uid_t uid, const uint8_t host[CACHE_HOST_ID_LEN],
			    const char *workspace, const char *entry,
			    uint8_t out[CACHE_CTX_LEN],
			    struct askcred_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char ubuf[4] = {(unsigned char)(uid >> 24),
				 (unsigned char)(uid >> 16),
				 (unsigned char)(uid >> 8), (unsigned char)uid};
	unsigned int n = 0;
	askcred_status rc;
	int ok;

	/* The digest fetched once per process: EVP_sha256() would be looked
	 * up again by name on each init. */
	ok = md != NULL && format_sha256() != NULL &&
	     EVP_DigestInit_ex2(md, format_sha256(), NULL) == 1 &&
	     put_field(md, CONTEXT_LABEL, sizeof(CONTEXT_LABEL) - 1) &&
	     put_field(md, ubuf, sizeof(ubuf)) &&
	     put_field(md, host, CACHE_HOST_ID_LEN) &&
	     put_field(md, workspace, strlen(workspace)) &&
	     put_field(md, entry, strlen(entry)) &&
	     EVP_DigestFinal_ex(md, out, &n) == 1 && n == CACHE_CTX_LEN;
	/* EVP_MD_CTX_new() queues no error when it finds no memory. */
	rc = ok ? ASKCRED_OK : md == NULL ? ASKCRED_NO_MEMORY : err_openssl();
	EVP_MD_CTX_free(md);
	return rc == ASKCRED_OK ? rc
				: err_set(err, rc, "SHA-256",
					  "cannot compute the cache context");
}
