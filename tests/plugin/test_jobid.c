/* Token names (plugin/jobid.c): what a name says about its job, names
 * from before the pid namespace was recorded, names that are not ours,
 * which jobs gc may judge from here, and the fields askcred tokens shows. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobid.h"
#include "tap.h"

static const struct {
	const char *name;
	int ours, is_job;
	long pid;
	unsigned long long start, pidns;
} names[] = {
	{"askcred/h1/default~0123abcd", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/42.777.4026531836/nightly~0123abcd", 1, 1, 42,
	 777, 4026531836ULL},
	/* Before the pid namespace was recorded. */
	{"askcred/h1/default/job/42.777/nightly~0123abcd", 1, 1, 42, 777, 0},
	/* Ours, but no job field that can be read: never judged a job. */
	{"askcred/h1/default/job/0.777/x~0123abcd", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/42/x~0123abcd", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/42.777.1.2/x~0123abcd", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/42.-1/x~0123abcd", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/42.777x/x~0123abcd", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/99999999999999999999.1/x~0", 1, 0, 0, 0, 0},
	{"askcred/h1/default/job/42.777.", 1, 0, 0, 0, 0},
	{"askcred//default~0", 0, 0, 0, 0, 0},
	{"ci-token", 0, 0, 0, 0, 0},
};

/* What `askcred tokens` shows of a name: host, entry, job, purpose. */
static const struct {
	const char *name;
	int ours;
	const char *host, *entry, *job, *purpose;
} fields[] = {
	{"askcred/h1/default~0123abcd", 1, "h1", "default", "", ""},
	{"askcred/h1/ci/job/42.777.4026531836/nightly~0123abcd", 1, "h1", "ci",
	 "42.777.4026531836", "nightly"},
	{"askcred/h1/ci/job/42.777/nightly~0123abcd", 1, "h1", "ci", "42.777",
	 "nightly"},
	/* An empty nonce: the fields still decode. */
	{"askcred/h1/ci/job/42.777.1/nightly-part~", 1, "h1", "ci", "42.777.1",
	 "nightly-part"},
	/* Cut before the job field's '/': not readable as a job (as
	 * jobid_parse() says), so all of it is the entry. */
	{"askcred/h1/ci/job/42.777.1~0123abcd", 1, "h1", "ci/job/42.777.1", "",
	 ""},
	/* No nonce at all (another tool's name in our shape). */
	{"askcred/h1/default", 1, "h1", "default", "", ""},
	/* An unreadable job field is no job: all of it is the entry. */
	{"askcred/h1/ci/job/x/y~0", 1, "h1", "ci/job/x/y", "", ""},
	{"hub-token-alice", 0, "", "", "", ""},
};

int main(void)
{
	struct askcred_request req = {.struct_size = sizeof(req)};
	unsigned long long start = 0;
	struct jobid j;
	struct stat ns;
	char name[JOBID_NAME_MAX], self[64];
	FILE *f;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int ours = jobid_parse(names[i].name, &j);

		tap_ok(ours == names[i].ours && j.is_job == names[i].is_job &&
			       (!j.is_job || (j.pid == names[i].pid &&
					      j.start == names[i].start &&
					      j.pidns == names[i].pidns)),
		       "%s: ours %d, job %d (pid %ld, start %llu, pidns %llu)",
		       names[i].name, ours, j.is_job, j.pid, j.start, j.pidns);
	}

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct jobid_text t;
		int ours = jobid_fields(fields[i].name, &t);

		tap_ok(ours == fields[i].ours &&
			       strcmp(t.host, fields[i].host) == 0 &&
			       strcmp(t.entry, fields[i].entry) == 0 &&
			       strcmp(t.job, fields[i].job) == 0 &&
			       strcmp(t.purpose, fields[i].purpose) == 0,
		       "fields of %s: ours %d, host '%s', entry '%s', job "
		       "'%s', "
		       "purpose '%s'",
		       fields[i].name, ours, t.host, t.entry, t.job, t.purpose);
	}

	/* A job's name made here is a job of this process, alive. */
	req.flags = ASKCRED_REQ_NO_CACHE;
	req.purpose = "nightly run/1";
	tap_is_int(jobid_token_name("default", &req, name, sizeof(name)), 0,
		   "a job's token name is made");
	tap_ok(jobid_parse(name, &j) && j.is_job && j.pid == (long)getpid(),
	       "it names this process: %s", name);
	tap_ok(stat("/proc/self/ns/pid", &ns) == 0 &&
		       j.pidns == (unsigned long long)ns.st_ino,
	       "and its pid namespace (%llu)", j.pidns);
	tap_ok(strstr(name, "/nightly_run_1~") != NULL,
	       "the purpose's '/' and ' ' cannot add a field");
	tap_is_int(jobid_alive(&j), 1, "this process's job is alive");

	snprintf(self, sizeof(self), "/proc/%ld/stat", (long)getpid());
	f = fopen(self, "r");
	tap_ok(f != NULL &&
		       fscanf(f,
			      "%*d %*s %*c %*d %*d %*d %*d %*d %*u "
			      "%*u %*u %*u %*u %*u %*u %*d %*d %*d "
			      "%*d %*d %*d %llu",
			      &start) == 1 &&
		       start == j.start,
	       "its start time is field 22 of %s", self);
	if (f != NULL)
		fclose(f);

	j.start++;
	tap_is_int(jobid_alive(&j), 0,
		   "the same pid with another start time is gone (pid reused)");
	j.start--;
	j.pidns++;
	tap_is_int(jobid_alive(&j), 1,
		   "a job of another pid namespace cannot be judged from here: "
		   "alive");
	j.pidns = 0;
	j.start++;
	tap_is_int(jobid_alive(&j), 0,
		   "a name from before the pid namespace is judged by pid and "
		   "start time");
	return tap_done();
}
