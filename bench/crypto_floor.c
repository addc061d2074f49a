/* The floor under any process that decrypts an askcred cache file with
 * OpenSSL 3: load libcrypto and fetch the three algorithm kinds the cache
 * needs (AES-256-GCM, HKDF, and HMAC for the host id), then exit. OpenSSL
 * 3.0 builds its algorithm tables on each kind's first fetch, which costs
 * more than some peers' whole operation; bench/run.sh times this program
 * beside them so the comparison says where the time goes. */
#include "config.h"

#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

int main(void)
{
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	int ok = cipher != NULL && kdf != NULL && mac != NULL;

	EVP_CIPHER_free(cipher);
	EVP_KDF_free(kdf);
	EVP_MAC_free(mac);
	puts(ok ? "fetched" : "missing");
	return ok ? 0 : 1;
}
