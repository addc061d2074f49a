/* safefile: each refusal, seen directly. The program is linked with
 * -Wl,--wrap=open (tests/common/Makefile.inc) so a test can swap a path
 * component right before the open() that safefile makes: a deterministic
 * stand-in for an attacker racing between a check and the open. The
 * tests run as root (as CI does) and also as nobody in a child. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "rmtree.h"
#include "safefile.h"
#include "secret.h"
#include "tap.h"

#define NOBODY 65534

static char root[256];
static const struct file_rules secret_rules = {"test file", 077, 0, 0};
static const struct file_rules config_rules = {"config file", 022, 1, 0};

/* ---- the swap hook ---- */

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);

/* When set, run once right before / right after the next open(). */
static void (*before_open)(void);
static void (*after_open)(void);

int __wrap_open(const char *path, int flags, ...)
{
	void (*hook)(void) = before_open, (*after)(void) = after_open;
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	before_open = NULL;
	after_open = NULL;
	if (hook != NULL)
		hook();
	fd = __real_open(path, flags, mode);
	if (after != NULL)
		after();
	return fd;
}

/* ---- helpers ---- */

static const char *at(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", root, name);
	return buf[i];
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = __real_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) != 0 || close(fd) != 0)
		tap_bail("cannot write %s: %s", path, strerror(errno));
}

/* safe_read_file; the content or "[status: message]" in out. */
static askcred_status try_read(const char *path, const struct file_rules *rules,
			       char *out, size_t size,
			       struct askcred_error *err)
{
	askcred_status rc;
	char *buf = NULL;
	size_t len = 0;

	err_clear(err);
	rc = safe_read_file(path, rules, &buf, &len, err);
	if (rc == ASKCRED_OK)
		snprintf(out, size, "%s", buf);
	else
		snprintf(out, size, "[%s: %s]", status_name(rc), err->message);
	free_wiped(buf, len + 1);
	return rc;
}

static void refused(const char *path, const struct file_rules *rules,
		    const char *why, const char *name)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char got[512];

	is_int(try_read(path, rules, got, sizeof(got), &err),
	       ASKCRED_CONFIG_ERROR, "%s", name);
	has_str(err.message, why, "%s: the message says why", name);
	is_str(err.where, path, "%s: the error names the file", name);
}

/* ---- the checks ---- */

static void safefile_reads_a_private_file(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char got[512];

	put(at("good"), "GOOD", 0600);
	is_int(try_read(at("good"), &secret_rules, got, sizeof(got), &err),
	       ASKCRED_OK, "safefile_reads_a_private_file");
	is_str(got, "GOOD", "safefile_reads_a_private_file: the content");
	is_int(try_read(at("missing"), &secret_rules, got, sizeof(got), &err),
	       ASKCRED_NOT_FOUND,
	       "safefile_reports_a_missing_file_as_not_found");
}

static void safefile_refuses_symlink(void)
{
	if (symlink(at("good"), at("link")) != 0)
		tap_bail("symlink: %s", strerror(errno));
	refused(at("link"), &secret_rules, "symbolic link",
		"safefile_refuses_symlink");
}

static void safefile_refuses_hard_link(void)
{
	put(at("linked"), "LINKED", 0600);
	if (link(at("linked"), at("linked2")) != 0)
		tap_bail("link: %s", strerror(errno));
	refused(at("linked"), &secret_rules, "2 hard links",
		"safefile_refuses_nlink_2_hard_link");
}

static void safefile_refuses_foreign_owner(void)
{
	put(at("foreign"), "FOREIGN", 0600);
	if (chown(at("foreign"), NOBODY, NOBODY) != 0)
		tap_bail("chown: %s", strerror(errno));
	refused(at("foreign"), &secret_rules, "owned by uid 65534",
		"safefile_refuses_foreign_owner");
	refused(at("foreign"), &config_rules, "owned by uid 65534",
		"safefile_refuses_foreign_owner_even_where_root_is_allowed");
}

/* As nobody: a root-owned file is foreign unless the rules allow root. */
static void safefile_as_nobody_refuses_root_owned_unless_allowed(void)
{
	int status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		tap_skip(2, "not root: cannot drop to nobody");
		return;
	}
	put(at("pub/rootfile"), "ROOT", 0644);
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		char got[512];
		int bits = 0;

		if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
			_exit(99);
		if (try_read(at("pub/rootfile"), &secret_rules, got,
			     sizeof(got), &err) == ASKCRED_CONFIG_ERROR &&
		    strstr(err.message, "owned by uid 0, expected uid 65534"))
			bits |= 1;
		if (try_read(at("pub/rootfile"), &config_rules, got,
			     sizeof(got), &err) == ASKCRED_OK &&
		    strcmp(got, "ROOT") == 0)
			bits |= 2;
		_exit(bits);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && (WEXITSTATUS(status) & 1),
	   "safefile_as_nobody_refuses_a_root_owned_secret (status %d)",
	   status);
	ok(WIFEXITED(status) && (WEXITSTATUS(status) & 2),
	   "safefile_as_nobody_reads_a_root_owned_config_where_root_is_"
	   "allowed");
}

static void safefile_refuses_group_or_world_writable(void)
{
	put(at("gw"), "GW", 0620);
	refused(at("gw"), &config_rules,
		"permissions 0620 for config file are too open: it is "
		"writable by group; run chmod 0600",
		"safefile_refuses_group_writable_and_calls_it_group");
	put(at("ww"), "WW", 0602);
	refused(at("ww"), &config_rules, "permissions 0602",
		"safefile_refuses_world_writable");
	put(at("gr"), "GR", 0640);
	refused(at("gr"), &secret_rules,
		"it is readable by group; run chmod 0600 on it",
		"safefile_refuses_a_group_readable_secret_and_says_the_fix");
}

static void safefile_refuses_fifo_without_hanging(void)
{
	int status = 0;
	pid_t pid;

	if (mkfifo(at("fifo"), 0600) != 0)
		tap_bail("mkfifo: %s", strerror(errno));
	/* In a child with an alarm: a hang ends the child, not the test. */
	pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		char got[512];

		alarm(30);
		_exit(try_read(at("fifo"), &secret_rules, got, sizeof(got),
			       &err) == ASKCRED_CONFIG_ERROR &&
				      strstr(err.message,
					     "not a regular file") != NULL
			      ? 0
			      : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "safefile_refuses_fifo_without_hanging (status %d%s)", status,
	   WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ? ": hung" : "");
}

/* conf/ holds our good file; evil/ a file of the same name that must not
 * be read. The hook swaps conf/ for a symlink to evil/ right before the
 * open and back right after it: by the time of any check the path shows
 * the good file again, so only checks on the descriptor (fstat, not
 * stat) see what was opened. */
static char evil_dir[512];

static void swap_conf_for_evil(void)
{
	if (rename(at("conf"), at("conf.real")) != 0 ||
	    symlink(evil_dir, at("conf")) != 0)
		tap_bail("swap: %s", strerror(errno));
}

static void unswap(void)
{
	if (unlink(at("conf")) != 0 || rename(at("conf.real"), at("conf")) != 0)
		tap_bail("unswap: %s", strerror(errno));
}

static void swapped(const char *evil, const char *why, const char *name)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char got[512], path[512];
	askcred_status rc;

	snprintf(evil_dir, sizeof(evil_dir), "%s", evil);
	before_open = swap_conf_for_evil;
	after_open = unswap;
	/* A copy: the hooks' own at() calls reuse its rotating buffers. */
	snprintf(path, sizeof(path), "%s", at("conf/file"));
	rc = try_read(path, &secret_rules, got, sizeof(got), &err);
	ok(before_open == NULL && after_open == NULL,
	   "%s: swapped before the open and back after it", name);
	is_int(rc, ASKCRED_CONFIG_ERROR, "%s", name);
	has_str(err.message, why, "%s: the message says why (%s)", name,
		err.message);
	ok(strstr(got, "EVIL") == NULL, "%s: the swapped-in file is not read",
	   name);
}

static void safefile_refuses_a_path_component_swapped_during_the_open(void)
{
	char got[512];
	struct askcred_error err = ASKCRED_ERROR_INIT;

	if (mkdir(at("conf"), 0700) != 0 || mkdir(at("evil-owner"), 0700) ||
	    mkdir(at("evil-link"), 0700) || mkdir(at("evil-fifo"), 0700) ||
	    mkdir(at("evil-perm"), 0700))
		tap_bail("mkdir: %s", strerror(errno));
	put(at("conf/file"), "GOOD", 0600);
	is_int(try_read(at("conf/file"), &secret_rules, got, sizeof(got), &err),
	       ASKCRED_OK, "unswapped, conf/file reads");

	put(at("evil-owner/file"), "EVIL", 0600);
	if (chown(at("evil-owner/file"), NOBODY, NOBODY) != 0)
		tap_bail("chown: %s", strerror(errno));
	swapped(at("evil-owner"), "owned by uid 65534",
		"safefile_refuses_a_foreign_file_behind_a_directory_swapped_"
		"for_a_symlink_during_the_open");

	put(at("evil-perm/file"), "EVIL", 0666);
	swapped(at("evil-perm"), "too open",
		"safefile_refuses_an_open_file_behind_a_swapped_directory");

	put(at("evil-target"), "EVIL", 0600);
	if (symlink(at("evil-target"), at("evil-link/file")) != 0)
		tap_bail("symlink: %s", strerror(errno));
	swapped(at("evil-link"), "symbolic link",
		"safefile_refuses_a_symlink_behind_a_swapped_directory");

	if (mkfifo(at("evil-fifo/file"), 0600) != 0)
		tap_bail("mkfifo: %s", strerror(errno));
	swapped(at("evil-fifo"), "not a regular file",
		"safefile_refuses_a_fifo_behind_a_swapped_directory_without_"
		"hanging");
}

static void safe_check_dir_refusals(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;

	if (mkdir(at("d-ok"), 0700) != 0 || mkdir(at("d-gw"), 0770) ||
	    chmod(at("d-gw"), 0770) || mkdir(at("d-foreign"), 0700) ||
	    chown(at("d-foreign"), NOBODY, NOBODY) ||
	    symlink(at("d-ok"), at("d-link")))
		tap_bail("setup dirs: %s", strerror(errno));
	is_int(safe_check_dir(at("d-ok"), "test dir", &err), ASKCRED_OK,
	       "safe_check_dir_accepts_a_private_directory");
	is_int(safe_check_dir(at("d-gw"), "test dir", &err),
	       ASKCRED_CONFIG_ERROR, "safe_check_dir_refuses_group_writable");
	has_str(err.message, "writable by group or others",
		"safe_check_dir_refuses_group_writable: says why");
	is_int(safe_check_dir(at("d-foreign"), "test dir", &err),
	       ASKCRED_CONFIG_ERROR, "safe_check_dir_refuses_foreign_owner");
	is_int(safe_check_dir(at("d-link"), "test dir", &err),
	       ASKCRED_CONFIG_ERROR, "safe_check_dir_refuses_a_symlink");
	has_str(err.message, "symbolic link",
		"safe_check_dir_refuses_a_symlink: says so");
}

static void safefile_refuses_a_file_over_max_size(void)
{
	static const struct file_rules small = {"small file", 077, 0, 4};

	put(at("big"), "12345", 0600);
	refused(at("big"), &small, "5 bytes, more than the 4 allowed",
		"safefile_refuses_a_file_over_max_size");
}

/* safe_read_state: absent is empty, a text cut short is damaged. */
static void safe_read_state_cases(void)
{
	static const struct file_rules state = {"test state file", 077, 0, 64};
	static const char nul[] = "magic\0x\n";
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char *buf = (char *)"stale";
	size_t len = 7;
	int fd;

	is_int(safe_read_state(at("nostate"), &state, &buf, &len, &err),
	       ASKCRED_OK, "safe_read_state: a missing file is not an error");
	ok(buf == NULL && len == 0 && err.code == ASKCRED_OK,
	   "safe_read_state: ... and reads as nothing");

	put(at("state"), "magic\nline 2\n", 0600);
	is_int(safe_read_state(at("state"), &state, &buf, &len, &err),
	       ASKCRED_OK, "safe_read_state: whole lines are read");
	is_str(buf, "magic\nline 2\n", "safe_read_state: the content");
	free_wiped(buf, len + 1);

	put(at("cut"), "magic\nline", 0600);
	is_int(safe_read_state(at("cut"), &state, &buf, &len, &err),
	       ASKCRED_CACHE_ERROR,
	       "safe_read_state: a file without its last newline is damaged");
	ok(buf == NULL, "safe_read_state: ... and nothing is handed back");
	is_str(err.message, "malformed test state file",
	       "safe_read_state: ... the message names the kind of file");
	has_str(err.where, ":1", "safe_read_state: ... at line 1");

	put(at("empty"), "", 0600);
	is_int(safe_read_state(at("empty"), &state, &buf, &len, &err),
	       ASKCRED_CACHE_ERROR,
	       "safe_read_state: an empty file is damaged");

	fd = __real_open(at("nul"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			 0600);
	if (fd < 0 || write(fd, nul, sizeof(nul) - 1) != sizeof(nul) - 1 ||
	    close(fd) != 0)
		tap_bail("cannot write %s: %s", at("nul"), strerror(errno));
	is_int(safe_read_state(at("nul"), &state, &buf, &len, &err),
	       ASKCRED_CACHE_ERROR, "safe_read_state: a NUL byte is damage");

	put(at("open"), "magic\n", 0644);
	is_int(safe_read_state(at("open"), &state, &buf, &len, &err),
	       ASKCRED_CACHE_ERROR,
	       "safe_read_state: a refused file is a cache error");
	ok(buf == NULL, "safe_read_state: ... and nothing is handed back");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	/* A foreign owner needs chown, which needs root (CI runs as root). */
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to chown files to nobody\n");
		return 0;
	}
	snprintf(root, sizeof(root), "%s/askcred-safefile-XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(root) == NULL || chmod(root, 0711) != 0 ||
	    mkdir(at("pub"), 0755) != 0)
		tap_bail("mkdtemp: %s", strerror(errno));

	safefile_reads_a_private_file();
	safefile_refuses_symlink();
	safefile_refuses_hard_link();
	safefile_refuses_foreign_owner();
	safefile_as_nobody_refuses_root_owned_unless_allowed();
	safefile_refuses_group_or_world_writable();
	safefile_refuses_fifo_without_hanging();
	safefile_refuses_a_path_component_swapped_during_the_open();
	safe_check_dir_refusals();
	safefile_refuses_a_file_over_max_size();
	safe_read_state_cases();

	test_rmtree(root);
	return tap_done();
}
