/*
 * cachecheck: does every file of an askcred cache directory decrypt?
 *
 *   cachecheck [-w SECONDS] CACHE_DIR
 *
 * Opens the directory the way the provider does (its master.key, this
 * host's identity, this uid), then reads every "<workspace>@<entry>.cache"
 * file straight from disk (no memory cache), decrypting it. With -w it
 * keeps doing so for SECONDS while other processes write, which is how the
 * stress test counts failed decrypts under fire: the provider itself turns
 * a failed decrypt into a silent cache miss. An absent file (between a
 * remove and a rename, or before the first write) is counted, not failed.
 *
 * Prints one JSON line: files seen (summed over the passes), reads, reads
 * that decrypted, found nothing, failed, or were refused because a writer
 * renamed a new file over the one just opened (the link count check sees
 * 0 links: a known bug, counted apart); exit status 1 when any read
 * failed otherwise, 2 on usage or open errors. Never prints a token.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "record.h"

#define SUFFIX ".cache"

struct counts {
	uint64_t files, reads, ok, absent, failed, replaced;
	char first_error[ASKCRED_ERROR_MESSAGE_MAX + ASKCRED_ERROR_WHERE_MAX];
	char first_replaced[ASKCRED_ERROR_MESSAGE_MAX +
			    ASKCRED_ERROR_WHERE_MAX];
};

/* "<36-character workspace>@<entry>.cache" into its two parts. */
static int split(const char *name, char *ws, char *entry, size_t entry_size)
{
	size_t len = strlen(name), slen = strlen(SUFFIX);
	size_t elen;

	if (len <= ASKCRED_UUID_LEN + 1 + slen ||
	    name[ASKCRED_UUID_LEN] != '@' ||
	    strcmp(name + len - slen, SUFFIX) != 0)
		return 0;
	elen = len - slen - ASKCRED_UUID_LEN - 1;
	if (elen >= entry_size)
		return 0;
	memcpy(ws, name, ASKCRED_UUID_LEN);
	ws[ASKCRED_UUID_LEN] = '\0';
	memcpy(entry, name + ASKCRED_UUID_LEN + 1, elen);
	entry[elen] = '\0';
	return 1;
}

static void read_one(struct cache *c, const char *ws, const char *entry,
		     struct counts *n)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record rec = {0};
	askcred_status rc = cache_read(c, ws, entry, &rec, &err);

	n->reads++;
	if (rc == ASKCRED_OK && rec.token.len > 0 &&
	    strcmp(rec.workspace_id, ws) == 0)
		n->ok++;
	else if (rc == ASKCRED_NOT_FOUND)
		n->absent++;
	else if (strstr(err.message, " has 0 hard links") != NULL) {
		/* Opened, then renamed over by a writer before fstat():
		 * refused by the link count check, never decrypted. Kept
		 * apart from real failures (a known bug, see README). */
		if (n->replaced++ == 0)
			snprintf(n->first_replaced, sizeof(n->first_replaced),
				 "%s: %s", err.where, err.message);
	} else if (n->failed++ == 0)
		snprintf(n->first_error, sizeof(n->first_error), "%s: %s: %s",
			 entry, err.where,
			 rc == ASKCRED_OK ? "empty record" : err.message);
	record_clear(&rec);
}

/* One pass over the directory; returns -1 when it cannot be listed. */
static int pass(struct cache *c, const char *dir, struct counts *n)
{
	char ws[ASKCRED_UUID_LEN + 1], entry[80];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		if (!split(d->d_name, ws, entry, sizeof(entry)))
			continue;
		n->files++;
		read_one(c, ws, entry, n);
	}
	closedir(dp);
	return 0;
}

int main(int argc, char **argv)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg;
	struct cache *c = NULL;
	struct counts n;
	time_t until;
	long seconds = 0;
	int opt, ret = 2;

	memset(&n, 0, sizeof(n));
	while ((opt = getopt(argc, argv, "w:")) != -1) {
		if (opt != 'w' || (seconds = strtol(optarg, NULL, 10)) <= 0)
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;
	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = argv[optind];
	if (cache_open(&cfg, &c, &err) != ASKCRED_OK) {
		fprintf(stderr, "cachecheck: %s: %s\n", err.where, err.message);
		return 2;
	}
	until = time(NULL) + seconds;
	do {
		if (pass(c, cache_dir_path(c), &n) != 0) {
			fprintf(stderr, "cachecheck: %s: %s\n",
				cache_dir_path(c), strerror(errno));
			goto out;
		}
	} while (time(NULL) < until);
	printf("{\"files\": %" PRIu64 ", \"reads\": %" PRIu64
	       ", \"ok\": %" PRIu64 ", \"absent\": %" PRIu64
	       ", \"failed\": %" PRIu64 ", \"replaced_while_open\": %" PRIu64
	       "}\n",
	       n.files, n.reads, n.ok, n.absent, n.failed, n.replaced);
	if (n.replaced != 0)
		fprintf(stderr,
			"cachecheck: %" PRIu64 " read(s) refused a file "
			"replaced while open; first: %s\n",
			n.replaced, n.first_replaced);
	if (n.failed != 0)
		fprintf(stderr,
			"cachecheck: %" PRIu64 " failed read(s); first: %s\n",
			n.failed, n.first_error);
	ret = n.failed != 0 ? 1 : 0;
out:
	cache_close(c);
	return ret;
usage:
	fprintf(stderr, "usage: cachecheck [-w SECONDS] CACHE_DIR\n");
	return 2;
}
