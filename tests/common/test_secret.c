/* secret and the growing read buffer: every buffer that held secret bytes
 * is wiped before it goes back to the allocator. The program is linked
 * with -Wl,--wrap=free (tests/common/Makefile.inc): the wrapper looks at
 * each block common/ frees, while it is still allocated, so no freed
 * memory is read (no use after free). It sees only the bytes that
 * malloc_usable_size() says the block has. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "safefile.h"
#include "secret.h"
#include "tap.h"

#define MARK "S3cr3t-MARK"

void __real_free(void *p);
void __wrap_free(void *p);

static struct {
	int armed;
	unsigned frees;	  /* blocks freed while armed */
	unsigned unwiped; /* of which still held the mark */
	unsigned nonzero; /* of which had a byte left non-zero ... */
	size_t check_len; /* ... among the first check_len (0: none) */
} seen;

void __wrap_free(void *p)
{
	if (seen.armed && p != NULL) {
		size_t n = malloc_usable_size(p);
		const unsigned char *b = p;
		int any = 0;

		seen.frees++;
		for (size_t i = 0; i < n && i < seen.check_len; i++)
			any |= b[i] != 0;
		seen.nonzero += any;
		seen.unwiped += memmem(p, n, MARK, strlen(MARK)) != NULL;
	}
	__real_free(p);
}

static void arm(void)
{
	memset(&seen, 0, sizeof(seen));
	seen.armed = 1;
}

static void secret_clear_wipes_before_free(void)
{
	struct secret s = SECRET_INIT;

	if (secret_set(&s, MARK, strlen(MARK)) != 0)
		tap_bail("out of memory");
	is_int((long long)s.len, (long long)strlen(MARK),
	       "secret_set_keeps_the_length");
	ok(s.buf[s.len] == '\0' && strcmp(s.buf, MARK) == 0,
	   "secret_set_copies_and_nul_terminates");
	arm();
	secret_clear(&s);
	seen.armed = 0;
	is_int(seen.frees, 1, "secret_clear_frees_its_buffer");
	is_int(seen.unwiped, 0, "secret_clear_wipes_before_free");
	ok(s.buf == NULL && s.len == 0, "secret_clear_leaves_it_empty");
	secret_clear(&s); /* twice is fine */
}

static void secret_set_wipes_the_old_value(void)
{
	struct secret s = SECRET_INIT;

	if (secret_set(&s, MARK, strlen(MARK)) != 0)
		tap_bail("out of memory");
	arm();
	if (secret_set(&s, "other", 5) != 0)
		tap_bail("out of memory");
	seen.armed = 0;
	ok(seen.frees == 1 && seen.unwiped == 0,
	   "secret_set_over_a_value_wipes_the_old_one (%u freed, %u unwiped)",
	   seen.frees, seen.unwiped);
	is_str(s.buf, "other", "secret_set_over_a_value_holds_the_new_one");
	secret_clear(&s);
}

static void secret_adopt_wipes_the_old_value(void)
{
	struct secret s = SECRET_INIT;
	char *buf = strdup("adopted");

	if (buf == NULL || secret_set(&s, MARK, strlen(MARK)) != 0)
		tap_bail("out of memory");
	arm();
	secret_adopt(&s, buf, 7);
	seen.armed = 0;
	ok(seen.frees == 1 && seen.unwiped == 0,
	   "secret_adopt_wipes_the_value_it_replaces");
	ok(s.buf == buf && s.len == 7, "secret_adopt_takes_the_buffer");
	secret_clear(&s);
}

static void free_wiped_zeroes_the_whole_length(void)
{
	char *p = malloc(64);

	if (p == NULL)
		tap_bail("out of memory");
	memset(p, 'x', 64);
	arm();
	seen.check_len = 64;
	free_wiped(p, 64);
	free_wiped(NULL, 10); /* NULL is fine */
	seen.armed = 0;
	ok(seen.frees == 1 && seen.nonzero == 0,
	   "free_wiped_zeroes_the_whole_length");
}

/* read_fd_all grows 4096 -> 8192 -> 16384 by copying: the content is kept
 * across each growth and each outgrown buffer is wiped. */
static void read_grows_keeping_content_and_wiping_old_buffers(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char path[] = "/tmp/askcred-secret-XXXXXX";
	size_t want_len = 10000, len = 0, mark_len = strlen(MARK);
	char *want = malloc(want_len), *got = NULL;
	int fd = mkstemp(path);
	askcred_status rc;

	if (want == NULL || fd < 0)
		tap_bail("setup: %s", strerror(errno));
	for (size_t i = 0; i < want_len; i++)
		want[i] = MARK[i % mark_len];
	if (write_fd_all(fd, want, want_len) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0)
		tap_bail("write: %s", strerror(errno));
	arm();
	rc = read_fd_all(fd, path, 1 << 20, &got, &len, &err);
	seen.armed = 0;
	is_int(rc, ASKCRED_OK, "read_fd_all_reads_past_its_first_buffer");
	ok(len == want_len && got != NULL && memcmp(got, want, len) == 0 &&
		   got[len] == '\0',
	   "read_fd_all_keeps_the_content_across_growth (%zu bytes)", len);
	is_int(seen.frees, 2, "read_fd_all_outgrew_two_buffers");
	is_int(seen.unwiped, 0, "read_fd_all_wipes_each_outgrown_buffer");
	free_wiped(got, len + 1);

	/* Past max: the partial buffer is wiped too. */
	if (lseek(fd, 0, SEEK_SET) != 0)
		tap_bail("lseek");
	got = NULL;
	arm();
	rc = read_fd_all(fd, path, 5000, &got, &len, &err);
	seen.armed = 0;
	is_int(rc, ASKCRED_CONFIG_ERROR, "read_fd_all_refuses_past_max");
	has_str(err.message, "larger than 5000 bytes",
		"read_fd_all_refuses_past_max: says the limit");
	ok(got == NULL && seen.unwiped == 0,
	   "read_fd_all_refusing_wipes_what_it_read (%u freed, %u unwiped)",
	   seen.frees, seen.unwiped);
	close(fd);
	unlink(path);
	free(want);
}

static void fingerprint_is_short_stable_and_not_the_secret(void)
{
	char a[FINGERPRINT_LEN], b[FINGERPRINT_LEN];

	fingerprint(MARK, strlen(MARK), a);
	fingerprint(MARK, strlen(MARK), b);
	is_int((long long)strlen(a), 16, "fingerprint_is_16_hex_characters");
	is_str(a, b, "fingerprint_is_stable");
	fingerprint("other", 5, b);
	ok(strcmp(a, b) != 0 && strstr(a, "S3cr") == NULL,
	   "fingerprint_differs_by_secret_and_does_not_contain_it");
}

static void secret_equals_compares_length_and_bytes(void)
{
	struct secret s = SECRET_INIT, empty = SECRET_INIT;

	if (secret_set(&s, "tok-abc", 7) != 0)
		tap_bail("secret_set");
	ok(secret_equals(&s, "tok-abc", 7), "secret_equals_same_bytes");
	ok(!secret_equals(&s, "tok-abd", 7), "secret_equals_other_bytes");
	ok(!secret_equals(&s, "tok-ab", 6), "secret_equals_a_prefix_is_not");
	ok(!secret_equals(&s, "tok-abcd", 8), "secret_equals_longer_is_not");
	ok(secret_equals(&empty, "", 0), "secret_equals_empty_holds_none");
	ok(!secret_equals(&empty, "x", 1), "secret_equals_empty_is_not_x");
	secret_clear(&s);
}

int main(void)
{
	secret_clear_wipes_before_free();
	secret_set_wipes_the_old_value();
	secret_adopt_wipes_the_old_value();
	free_wiped_zeroes_the_whole_length();
	read_grows_keeping_content_and_wiping_old_buffers();
	fingerprint_is_short_stable_and_not_the_secret();
	secret_equals_compares_length_and_bytes();
	return tap_done();
}
