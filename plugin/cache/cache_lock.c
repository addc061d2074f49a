#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_lock.h"
#include "clock.h"
#include "error.h"
#include "safefile.h"

static const struct file_rules lock_rules = {"cache lock file", 077, 0, 0};

int lock_table_init(struct lock_table *t)
{
	int i;

	for (i = 0; i < LOCK_STRIPES; i++)
		if (pthread_mutex_init(&t->mu[i], NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&t->mu[i]);
			return -1;
		}
	return 0;
}

void lock_table_destroy(struct lock_table *t)
{
	int i;

	for (i = 0; i < LOCK_STRIPES; i++)
		pthread_mutex_destroy(&t->mu[i]);
}

static pthread_mutex_t *stripe(struct lock_table *t, const char *path)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return &t->mu[h % LOCK_STRIPES];
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static askcred_status open_lock_file(const char *path, int *fd_out,
				     struct askcred_error *err)
{
	askcred_status rc;
	int fd;

	fd = open(path,
		  O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
			  O_NONBLOCK,
		  0600);
	if (fd < 0)
		return err_set(err, ASKCRED_CACHE_ERROR, path,
			       "cannot open lock file: %s", strerror(errno));
	rc = safe_check_fd(fd, path, &lock_rules, err);
	if (rc != ASKCRED_OK) {
		/* safe_check_fd speaks for configuration files; an unsafe lock
		 * is a cache error like a lock we cannot open at all, so the
		 * caller sees one status whatever is wrong with it. */
		char why[ASKCRED_ERROR_MESSAGE_MAX];

		snprintf(why, sizeof(why), "%s", err->message);
		err_set(err, ASKCRED_CACHE_ERROR, path, "%s", why);
		close(fd);
		return ASKCRED_CACHE_ERROR;
	}
	*fd_out = fd;
	return ASKCRED_OK;
}

/* One attempt at both levels. 1: held; 0: busy; -1: error (err set). */
static int try_once(pthread_mutex_t *mu, const char *path,
		    struct cache_lock *out, struct askcred_error *err)
{
	int fd = -1;

	if (pthread_mutex_trylock(mu) != 0)
		return 0;
	if (open_lock_file(path, &fd, err) != ASKCRED_OK) {
		pthread_mutex_unlock(mu);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(fd);
		pthread_mutex_unlock(mu);
		if (e == EWOULDBLOCK || e == EINTR)
			return 0;
		err_set(err, ASKCRED_CACHE_ERROR, path, "flock failed: %s",
			strerror(e));
		return -1;
	}
	out->mu = mu;
	out->fd = fd;
	return 1;
}

askcred_status lock_acquire(struct lock_table *t, const char *path,
			    uint32_t wait_ms, lock_wait_fn give_up, void *ctx,
			    struct cache_lock *out, struct askcred_error *err)
{
	pthread_mutex_t *mu = stripe(t, path);
	int64_t deadline = monotonic_ms() + wait_ms;
	unsigned nap = 1;
	int r;

	out->mu = NULL;
	out->fd = -1;
	for (;;) {
		r = try_once(mu, path, out, err);
		if (r == 1)
			return ASKCRED_OK;
		if (r < 0)
			return ASKCRED_CACHE_ERROR;
		if (wait_ms == 0)
			return err_set(err, ASKCRED_UNAVAILABLE, path,
				       "another caller is refreshing");
		if (monotonic_ms() >= deadline)
			return err_set(err, ASKCRED_UNAVAILABLE, path,
				       "timed out after %u ms waiting for "
				       "another refresher",
				       (unsigned)wait_ms);
		/* Short naps: a refresh usually ends within milliseconds,
		 * and waiters re-read the cache between naps. */
		sleep_ms(nap);
		if (nap < 8)
			nap *= 2;
		if (give_up != NULL && give_up(ctx))
			return ASKCRED_IGNORE;
	}
}

void lock_release(struct cache_lock *l)
{
	if (l->fd >= 0) {
		flock(l->fd, LOCK_UN);
		close(l->fd);
		l->fd = -1;
	}
	if (l->mu != NULL) {
		pthread_mutex_unlock(l->mu);
		l->mu = NULL;
	}
}
