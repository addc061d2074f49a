/* Names of the tokens askcred mints, and what they say about their job.
 * A name records the host, the cache entry and, for a per-job token, the
 * process that asked (its pid, its start time so that a reused pid is not
 * mistaken for the job, and its pid namespace, in which alone that pid
 * means anything) and the job's purpose label:
 *
 *   askcred/<host>/<entry>~<nonce>
 *   askcred/<host>/<entry>/job/<pid>.<start>.<pidns>/<purpose>~<nonce>
 *
 * <pidns> is the inode number of /proc/self/ns/pid; names from before it
 * was recorded end the job field at <start>.
 *
 * No field may hold '/' or '~'. */
#ifndef ASKCRED_PLUGIN_JOBID_H
#define ASKCRED_PLUGIN_JOBID_H

#include <stddef.h>

#include <askcred/provider.h>

/* AskUI allows 128 characters; everything we put in is ASCII. */
#define JOBID_NAME_MAX 129
#define JOBID_PREFIX "askcred/"

/* Hex digits of the random nonce that ends every name ("~<nonce>"). */
#define JOBID_NONCE_LEN 8

/* A fresh, unique name for a token minted for req (a job when
 * ASKCRED_REQ_NO_CACHE): the fields above, then "~" and a random nonce.
 * buf must hold JOBID_NAME_MAX bytes. 0, or -1 when no random bytes. */
int jobid_token_name(const char *entry, const struct askcred_request *req,
		     char *buf, size_t size);

/* What a token name says: 0 when it is not askcred's. */
struct jobid {
	char host[64];
	int is_job;
	long pid;
	unsigned long long start; /* clock ticks after boot */
	unsigned long long pidns; /* 0: not recorded */
};
int jobid_parse(const char *name, struct jobid *out);

/* The same name's fields as text, for listings (askcred tokens): host,
 * entry, and for a job token its job field ("<pid>.<start>[.<pidns>]")
 * and purpose, "" where the name has none. The nonce is dropped. 0 when
 * the name is not askcred's. Each field is cut to fit. */
struct jobid_text {
	char host[64];
	char entry[48];
	char job[64];
	char purpose[48];
};
int jobid_fields(const char *name, struct jobid_text *out);

/* This host's name as it appears in token names. */
void jobid_host(char *buf, size_t size);

/* Does the job's process still run? 1 yes, 0 no. A job from another pid
 * namespace counts as alive: its pid cannot be looked up from here, and
 * a token wrongly kept expires, while one wrongly deleted breaks a
 * running job. */
int jobid_alive(const struct jobid *j);

#endif
