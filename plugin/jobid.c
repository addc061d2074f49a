#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "jobid.h"

/* Keep [A-Za-z0-9.-_]; anything else becomes '_' so a label can never add
 * a '/' (a field separator) or a control character to a name. */
static void clean(const char *in, char *out, size_t size)
{
	size_t i = 0;

	for (; in != NULL && in[i] != '\0' && i + 1 < size; i++) {
		unsigned char ch = (unsigned char)in[i];

		out[i] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
				 "TU"
				 "VWXYZ0123456789.-_",
				 ch) != NULL &&
			  ch != '\0')
				 ? (char)ch
				 : '_';
	}
	out[i] = '\0';
	if (i == 0)
		snprintf(out, size, "-");
}

void jobid_host(char *buf, size_t size)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	clean(host, buf, size < 41 ? size : 41);
}

/* Field 22 of /proc/<pid>/stat: the start time, in clock ticks after
 * boot. The command name (field 2) may hold spaces and parentheses, so
 * fields are counted from the last ')'; each later field is one word. A
 * line that does not have 22 fields, or whose field 22 is not a number,
 * is an error: a start time of 0 would match every reused pid. */
static int start_time(long pid, unsigned long long *out)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	p++;
	for (int field = 3;; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return -1;
		if (field == 22)
			break;
		p += strcspn(p, " ");
	}
	if (*p < '0' || *p > '9')
		return -1;
	v = strtoull(p, &end, 10);
	if (*end != ' ' && *end != '\n' && *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* The inode number of our pid namespace, or 0 when it cannot be read. */
static unsigned long long pid_namespace(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == 0
		       ? (unsigned long long)st.st_ino
		       : 0;
}

int jobid_token_name(const char *entry, const struct askcred_request *req,
		     char *buf, size_t size)
{
	char host[41], ent[41], purpose[41], base[JOBID_NAME_MAX];
	unsigned char nonce[JOBID_NONCE_LEN / 2];
	unsigned long long start = 0;
	size_t len;

	if (size < JOBID_NAME_MAX || RAND_bytes(nonce, (int)sizeof(nonce)) != 1)
		return -1;
	jobid_host(host, sizeof(host));
	clean(entry, ent, sizeof(ent));
	if ((req->flags & ASKCRED_REQ_NO_CACHE) == 0) {
		snprintf(base, sizeof(base), JOBID_PREFIX "%s/%s", host, ent);
	} else {
		(void)start_time((long)getpid(), &start);
		clean(req->purpose, purpose, 33);
		snprintf(base, sizeof(base),
			 JOBID_PREFIX "%s/%s/job/%ld.%llu.%llu/%s", host, ent,
			 (long)getpid(), start, pid_namespace(), purpose);
	}
	/* The nonce makes the name unique, so a token whose id the create
	 * answer garbled can still be found (and deleted) by its name; the
	 * base is cut so that the whole stays within AskUI's 128. */
	len = strlen(base);
	if (len > JOBID_NAME_MAX - 2 - JOBID_NONCE_LEN)
		len = JOBID_NAME_MAX - 2 - JOBID_NONCE_LEN;
	snprintf(buf, size, "%.*s~", (int)len, base);
	for (size_t i = 0; i < sizeof(nonce); i++)
		snprintf(buf + len + 1 + 2 * i, 3, "%02x", nonce[i]);
	return 0;
}

/* "<pid>.<start>[.<pidns>]/" at p, digits only. 0, or -1. */
static int job_field(const char *p, struct jobid *out)
{
	unsigned long long v[3] = {0, 0, 0};
	int n = 0;
	char *end;

	for (;;) {
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		v[n++] = strtoull(p, &end, 10);
		if (errno != 0)
			return -1;
		if (*end == '/')
			break;
		if (*end != '.' || n == 3)
			return -1;
		p = end + 1;
	}
	if (n < 2 || v[0] == 0 || v[0] > LONG_MAX)
		return -1;
	out->pid = (long)v[0];
	out->start = v[1];
	out->pidns = v[2];
	return 0;
}

int jobid_parse(const char *name, struct jobid *out)
{
	const char *p, *slash;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (strncmp(name, JOBID_PREFIX, strlen(JOBID_PREFIX)) != 0)
		return 0;
	p = name + strlen(JOBID_PREFIX);
	slash = strchr(p, '/');
	if (slash == NULL || slash == p)
		return 0;
	n = (size_t)(slash - p);
	if (n >= sizeof(out->host))
		return 0;
	memcpy(out->host, p, n);
	out->host[n] = '\0';
	p = strstr(slash, "/job/");
	if (p != NULL && job_field(p + 5, out) == 0)
		out->is_job = 1;
	return 1;
}

/* Copy n bytes of src into dst (size), cut to fit. */
static void field_copy(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int jobid_fields(const char *name, struct jobid_text *out)
{
	struct jobid j;
	const char *p, *end, *job, *slash;

	memset(out, 0, sizeof(*out));
	if (!jobid_parse(name, &j))
		return 0;
	snprintf(out->host, sizeof(out->host), "%s", j.host);
	p = name + strlen(JOBID_PREFIX) + strlen(j.host) + 1;
	/* The nonce follows the last '~'; fields never hold one. */
	end = strrchr(p, '~');
	if (end == NULL)
		end = p + strlen(p);
	job = j.is_job ? strstr(p, "/job/") : NULL;
	if (job == NULL || job > end) {
		field_copy(out->entry, sizeof(out->entry), p,
			   (size_t)(end - p));
		return 1;
	}
	field_copy(out->entry, sizeof(out->entry), p, (size_t)(job - p));
	job += 5;
	slash = strchr(job, '/');
	if (slash == NULL || slash > end)
		slash = end;
	field_copy(out->job, sizeof(out->job), job, (size_t)(slash - job));
	if (slash < end)
		field_copy(out->purpose, sizeof(out->purpose), slash + 1,
			   (size_t)(end - slash - 1));
	return 1;
}

int jobid_alive(const struct jobid *j)
{
	unsigned long long now_start, ns = pid_namespace();

	if (j->pidns != 0 && ns != 0 && j->pidns != ns)
		return 1;
	if (start_time(j->pid, &now_start) != 0)
		return 0;
	return now_start == j->start;
}
