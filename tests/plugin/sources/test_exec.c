/* The exec source through an instance, with tests/plugin/sources/
 * exec-helper.sh copied into a private directory under the name of the
 * behaviour each row wants. Every row also proves that the run left no
 * zombie and no descriptor behind, and that no message or log line
 * carries the token. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "cache/cache_int.h"
#include "error.h"
#include "fixture.h"
#include "instance.h"
#include "tap.h"

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define WS2 "0b7c2f5e-3d1a-4c8e-9f00-112233445566"
#define TOKEN "ZXhlYy10ZXN0LXRva2VuLXNlY3JldA"
#define TOKEN_ID "5d2f7a10-8e4b-4c3a-a1b2-c3d4e5f60718"
/* A descriptor the test leaves open without O_CLOEXEC: the command must
 * not get it anyway. */
#define LEAKY_FD 42

struct row {
	const char *name;
	const char *mode; /* exec-helper.sh behaviour, its file name */
	mode_t perm;
	const char *workspace; /* requested, or NULL */
	askcred_status want;
	const char *message; /* substring of err.message ("": any) */
	const char *not_in_message;
};

static const struct row rows[] = {
	{"exec_good_answer_is_served", "good", 0700, NULL, ASKCRED_OK, "",
	 NULL},
	{"exec_requested_workspace_is_served", "good", 0755, WS, ASKCRED_OK, "",
	 NULL},
	{"exec_other_workspace_is_not_found", "otherws", 0700, WS,
	 ASKCRED_NOT_FOUND, WS2, NULL},
	{"exec_bad_json_is_a_contract_error", "badjson", 0700, NULL,
	 ASKCRED_CONFIG_ERROR, "JSON", NULL},
	{"exec_binary_garbage_is_a_contract_error", "garbage", 0700, NULL,
	 ASKCRED_CONFIG_ERROR, "JSON", NULL},
	{"exec_missing_member_is_named_as_a_contract_error", "missing", 0700,
	 NULL, ASKCRED_CONFIG_ERROR,
	 "field token_id is missing; fix the command", NULL},
	{"exec_expired_answer_is_expired", "expired", 0700, NULL,
	 ASKCRED_EXPIRED, "expired", NULL},
	{"exec_failure_quotes_first_stderr_line", "fail", 0700, NULL,
	 ASKCRED_UNAVAILABLE, "exited with status 1: vault: permission? denied",
	 "second line"},
	{"exec_failure_redacts_the_token_it_printed", "chatty", 0700, NULL,
	 ASKCRED_UNAVAILABLE, "client: got token [redacted], then lost it",
	 NULL},
	{"exec_huge_output_is_refused", "huge", 0700, NULL, ASKCRED_UNAVAILABLE,
	 "more than 64 KiB", NULL},
	{"exec_group_writable_command_is_refused", "good", 0770, NULL,
	 ASKCRED_CONFIG_ERROR, "", NULL},
	{"exec_world_writable_command_is_refused", "good", 0707, NULL,
	 ASKCRED_CONFIG_ERROR, "", NULL},
	{"exec_command_without_execute_bit_is_config_error", "good", 0600, NULL,
	 ASKCRED_CONFIG_ERROR, "Permission denied", NULL},
	{"exec_hanging_command_is_killed", "hang", 0700, NULL,
	 ASKCRED_UNAVAILABLE, "did not finish within 1000 ms", NULL},
};

static const char *helper_source(void)
{
	static char path[PATH_MAX];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/plugin/sources/exec-helper.sh",
		 top && *top ? top : ".");
	return path;
}

/* Copy the helper to tmpdir/name with perm; the full path into buf. */
static char *install_helper(char *buf, const char *name, mode_t perm)
{
	char content[8192];
	FILE *f = fopen(helper_source(), "r");
	size_t n;

	if (f == NULL)
		tap_bail("%s: %s", helper_source(), strerror(errno));
	n = fread(content, 1, sizeof(content) - 1, f);
	fclose(f);
	content[n] = '\0';
	fixture_path(buf, name);
	unlink(buf);
	fixture_write(buf, name, content, 0700);
	/* fixture_write's mode passes through the umask; set it exactly. */
	if (chmod(buf, perm) != 0)
		tap_bail("chmod %s: %s", buf, strerror(errno));
	return buf;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		tap_bail("/proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static int no_child_left(void)
{
	int st;

	return waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

/* The contents of tmpdir/name, or "", into buf (8192 bytes). */
static const char *slurp(const char *name, char buf[8192])
{
	char path[PATH_MAX];
	FILE *f = fopen(fixture_path(path, name), "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, 8191, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* A command that answers gets 30 s: a helper script starts half a dozen
 * processes, which took over a second on a loaded machine (CI, make -j
 * beside a sanitizer build), so a 1 s limit failed the rows that expect
 * an answer. Only the hanging command gets HANG_TIMEOUT, the bound under
 * test. */
#define ANSWER_TIMEOUT "command_timeout=30s"
#define HANG_TIMEOUT "command_timeout=1s"

static struct instance *open_exec(const char *command, const char *extra)
{
	struct askcred_host host = {sizeof(host), ASKCRED_ABI_VERSION,
				    fixture_log,  NULL,
				    "test",	  "test",
				    NULL};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst = NULL;
	char arg[PATH_MAX + 16];
	const char *hang = strrchr(command, '/');
	const char *argv[5] = {"source=exec", "cache=off", arg,
			       hang != NULL && strcmp(hang, "/hang") == 0
				       ? HANG_TIMEOUT
				       : ANSWER_TIMEOUT,
			       extra};

	snprintf(arg, sizeof(arg), "command=%s", command);
	if (instance_open(&host, extra ? 5 : 4, argv, &inst, &err) !=
	    ASKCRED_OK)
		tap_bail("open: %s", err.message);
	return inst;
}

static void run_row(const struct row *r)
{
	struct askcred_request req = {sizeof(req), 0,	r->workspace,
				      "nightly",   600, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	struct instance *inst;
	struct timespec t0, t1;
	char path[PATH_MAX];
	int fds;
	askcred_status rc;

	install_helper(path, r->mode, r->perm);
	inst = open_exec(path, NULL);
	fixture_log_reset();
	fds = count_fds();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = instance_fetch(inst, &req, &cred, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	is_int(rc, r->want, "%s: status %s", r->name, status_name(r->want));
	if (r->want == ASKCRED_OK) {
		ok(cred != NULL && strcmp(cred->workspace_id, WS) == 0 &&
			   strcmp(cred->token_id, TOKEN_ID) == 0 &&
			   cred->token_len == strlen(TOKEN) &&
			   memcmp(cred->token, TOKEN, cred->token_len) == 0 &&
			   strcmp(cred->source, "exec") == 0 &&
			   cred->expires_at > (int64_t)time(NULL) + 3000,
		   "%s: workspace, id, token, source and expiry", r->name);
	} else {
		ok(cred == NULL, "%s: no credential on failure", r->name);
		has_str(err.message, r->message, "%s: message says why",
			r->name);
	}
	if (r->not_in_message != NULL)
		ok(strstr(err.message, r->not_in_message) == NULL,
		   "%s: only the first stderr line is quoted", r->name);
	ok(strstr(err.message, TOKEN) == NULL &&
		   strstr(err.where, TOKEN) == NULL &&
		   strstr(fixture_logged(), TOKEN) == NULL,
	   "%s: token appears in no message or log", r->name);
	is_int(count_fds(), fds, "%s: no descriptor leaked", r->name);
	ok(no_child_left(), "%s: the command was reaped (no zombie)", r->name);
	if (strcmp(r->mode, "hang") == 0) {
		double s = (double)(t1.tv_sec - t0.tv_sec) +
			   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		/* 1 s timeout + 1 s grace; the helper would hang for 60 s,
		 * so any bound well below that proves the kill and leaves
		 * room for a 10x slowdown. */
		tap_diag("took %.0f ms", s * 1e3);
		ok(s >= 0.9 && s < 30.0,
		   "%s: gave up after the timeout and a kill grace (%.2f s)",
		   r->name, s);
	}
	instance_release(inst, cred);
	instance_close(inst);
}

/* What the command saw: argv, a minimal environment and no descriptor
 * but its three standard ones. */
static void check_child_view(void)
{
	char env_buf[8192], buf[8192];
	const char *env = slurp("good.env", env_buf), *fds;

	is_str(slurp("good.argv", buf), "get\n", "exec_command_gets_verb_get");
	has_str(env, "PATH=/usr/bin:/bin\n", "exec_env_has_fixed_path");
	has_str(env, "ASKCRED_WORKSPACE_ID=" WS "\n",
		"exec_env_names_requested_workspace");
	has_str(env, "ASKCRED_PURPOSE=nightly\n", "exec_env_names_purpose");
	has_str(env, "ASKCRED_MIN_VALIDITY=600\n",
		"exec_env_names_min_validity");
	ok(strstr(env, "ASKCRED_TEST_SECRET") == NULL,
	   "exec_env_does_not_inherit_the_callers");
	fds = slurp("good.fds", buf);
	ok(strstr(fds, "42\n") == NULL,
	   "exec_command_inherits_no_descriptor_of_the_caller");
	/* Listed by ls, whose own directory handle is 3. */
	is_str(fds, "0\n1\n2\n3\n",
	       "exec_command_has_only_stdin_stdout_stderr");
}

static void revoke_with(const char *mode, askcred_status want,
			const char *message)
{
	struct askcred_credential cred = {
		.struct_size = sizeof(cred),
		.workspace_id = WS,
		.token_id = TOKEN_ID,
		.source = "exec",
		.token = TOKEN,
		.token_len = sizeof(TOKEN) - 1,
	};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst;
	char path[PATH_MAX], name[64], buf[8192];
	int fds = count_fds();
	askcred_status rc;

	install_helper(path, mode, 0700);
	inst = open_exec(path, NULL);
	rc = instance_revoke(inst, &cred, &err);
	is_int(rc, want, "exec_revoke_%s: status %s", mode, status_name(want));
	has_str(err.message, message, "exec_revoke_%s: message says why", mode);
	ok(strstr(err.message, TOKEN) == NULL,
	   "exec_revoke_%s: token appears in no message", mode);
	snprintf(name, sizeof(name), "%s.stdin", mode);
	is_str(slurp(name, buf),
	       "{\"workspace_id\":\"" WS "\",\"token\":\"" TOKEN
	       "\",\"token_id\":\"" TOKEN_ID "\"}\n",
	       "exec_revoke_%s: the credential arrives as JSON on stdin", mode);
	is_int(count_fds(), fds, "exec_revoke_%s: no descriptor leaked", mode);
	ok(no_child_left(), "exec_revoke_%s: no zombie", mode);
	instance_close(inst);
}

static void missing_command_is_config_error(void)
{
	struct askcred_host host = {
		sizeof(host), ASKCRED_ABI_VERSION, NULL, NULL, "test", "test",
		NULL};
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	struct instance *inst = NULL;
	const char *argv[2] = {"source=exec", "cache=off"};
	char path[PATH_MAX];

	if (instance_open(&host, 2, argv, &inst, &err) != ASKCRED_OK)
		tap_bail("open: %s", err.message);
	is_int(instance_fetch(inst, &req, &cred, &err), ASKCRED_CONFIG_ERROR,
	       "exec_without_command_is_config_error");
	is_str(err.where, "command", "exec_without_command_names_command");
	instance_close(inst);

	inst = open_exec(fixture_path(path, "nonexistent"), NULL);
	is_int(instance_fetch(inst, &req, &cred, &err), ASKCRED_CONFIG_ERROR,
	       "exec_nonexistent_command_is_config_error");
	instance_close(inst);
}

/* With cache=on an exec token is kept in the disk cache. (The cache
 * keeps no copy in memory: it has no memory tier; test_cache_store's
 * every_read_sees_the_disk shows that every read is a disk read.) */
static void disk_cache_keeps_no_token_in_memory(void)
{
	struct askcred_host host = {sizeof(host), ASKCRED_ABI_VERSION,
				    fixture_log,  NULL,
				    "test",	  "test",
				    NULL};
	struct askcred_request req = {sizeof(req), 0, WS, "nightly", 600, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	struct instance *inst = NULL;
	char path[PATH_MAX], dir[PATH_MAX], arg[PATH_MAX + 16];
	char dir_arg[PATH_MAX + 16];
	const char *argv[5] = {"source=exec", "cache=on", dir_arg, arg,
			       ANSWER_TIMEOUT};

	install_helper(path, "good", 0700);
	snprintf(arg, sizeof(arg), "command=%s", path);
	snprintf(dir_arg, sizeof(dir_arg), "cache_dir=%s",
		 fixture_path(dir, "memtier-cache"));
	if (instance_open(&host, 5, argv, &inst, &err) != ASKCRED_OK)
		tap_bail("open: %s", err.message);
	is_int(instance_fetch(inst, &req, &cred, &err), ASKCRED_OK,
	       "exec_cache_on_is_served");
	ok(inst->ctx.cache != NULL, "exec_cache_on_has_a_disk_cache");
	instance_release(inst, cred);
	instance_close(inst);
}

int main(void)
{
	int leaky = open("/dev/null", O_RDONLY);

	/* Without O_CLOEXEC on purpose: the source must close it anyway. */
	if (leaky < 0 || dup2(leaky, LEAKY_FD) < 0)
		tap_bail("/dev/null: %s", strerror(errno));
	close(leaky);
	setenv("ASKCRED_TEST_SECRET", "x", 1);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	/* rows[1] left good.* behind for a requested workspace. */
	check_child_view();
	revoke_with("good", ASKCRED_OK, "");
	revoke_with("norevoke", ASKCRED_IGNORE, "cannot revoke");
	revoke_with("revokefail", ASKCRED_UNAVAILABLE,
		    "exited with status 2: revoke failed for {");
	missing_command_is_config_error();
	disk_cache_keeps_no_token_in_memory();
	close(LEAKY_FD);
	fixture_cleanup();
	return tap_done();
}
