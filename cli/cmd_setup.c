/* askcred setup: from a workspace id and a parent token to a working
 * "default" stack. The token comes on stdin (never argv, which every user
 * of the host can read in /proc), is checked with AskUI through the
 * provider module itself (a lookup), and lands in a 0600 file next to
 * askcred.conf and the default stack. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "confpath.h"
#include "credcheck.h"
#include "output.h"
#include "secret.h"
#include "setup_files.h"

struct setup_args {
	const char *workspace;
	const char *api_url;
	const char *ca_file;
	const char *module;
	const char *config_dir;
	int system;
	int force;
	int json;
};

enum {
	OPT_WORKSPACE = 0x300,
	OPT_API_URL,
	OPT_CA_FILE,
	OPT_MODULE,
	OPT_CONFIG_DIR,
	OPT_SYSTEM,
	OPT_FORCE,
	OPT_JSON,
};

static int parse_args(int argc, char **argv, struct setup_args *a)
{
	static const struct option opts[] = {
		{"workspace", required_argument, NULL, OPT_WORKSPACE},
		{"api-url", required_argument, NULL, OPT_API_URL},
		{"ca-file", required_argument, NULL, OPT_CA_FILE},
		{"module", required_argument, NULL, OPT_MODULE},
		{"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
		{"system", no_argument, NULL, OPT_SYSTEM},
		{"force", no_argument, NULL, OPT_FORCE},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->module = "askcred_askui";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_WORKSPACE:
			a->workspace = optarg;
			break;
		case OPT_API_URL:
			a->api_url = optarg;
			break;
		case OPT_CA_FILE:
			a->ca_file = optarg;
			break;
		case OPT_MODULE:
			a->module = optarg;
			break;
		case OPT_CONFIG_DIR:
			a->config_dir = optarg;
			break;
		case OPT_SYSTEM:
			a->system = 1;
			break;
		case OPT_FORCE:
			a->force = 1;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case 'h':
			print_help("setup");
			return EXIT_OK;
		default:
			return option_error("setup", c, argv);
		}
	}
	if (optind < argc)
		return usage_error("setup",
				   "unexpected argument '%s' (the token is "
				   "read from stdin, never from arguments)",
				   argv[optind]);
	if (a->workspace == NULL || !is_uuid4(a->workspace))
		return usage_error("setup",
				   "--workspace needs the workspace id, a "
				   "UUID version 4 (AskUI Hub shows it)");
	if (a->api_url != NULL && strncmp(a->api_url, "https://", 8) != 0)
		return usage_error("setup",
				   "--api-url must be an https:// URL");
	if (a->ca_file != NULL && a->ca_file[0] != '/')
		return usage_error("setup",
				   "--ca-file must be an absolute path");
	if (a->config_dir != NULL && a->system)
		return usage_error("setup", "--system and --config-dir exclude "
					    "each other");
	if (a->config_dir != NULL && a->config_dir[0] != '/')
		return usage_error("setup",
				   "--config-dir must be an absolute path");
	return -1;
}

/* One line of stdin, echo off on a terminal. Returns the token (heap,
 * wipe it) or NULL after saying why. */
static char *read_token(size_t *len)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char buf[TOKEN_MAX_LEN + 64];
	const char *p = buf;
	size_t n = 0;
	ssize_t r;
	char *tok;

	if (tty) {
		fputs("AskUI parent token (input hidden): ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	while (n < sizeof(buf) - 1 &&
	       (r = read(STDIN_FILENO, buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
		if (memchr(buf, '\n', n) != NULL)
			break;
	}
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	buf[n] = '\0';
	if (memchr(buf, '\n', n) != NULL)
		n = (size_t)((char *)memchr(buf, '\n', n) - buf);
	if (check_token(&p, &n, "stdin", &err) != ASKCRED_OK) {
		fprintf(stderr,
			"askcred: setup: the parent token on stdin is not "
			"usable: %s; give it as the first line of stdin\n",
			err.message);
		OPENSSL_cleanse(buf, sizeof(buf));
		return NULL;
	}
	tok = strndup(p, n);
	*len = n;
	OPENSSL_cleanse(buf, sizeof(buf));
	if (tok == NULL)
		fputs("askcred: setup: out of memory\n", stderr);
	return tok;
}

/* {"workspace_id": ..., "token": ...}, the credentials file format
 * (examples/credentials/demo.json). */
static int credentials_json(const char *ws, const char *tok,
			    struct setup_file *f)
{
	json_object *o = json_object_new_object();
	json_object *t = json_object_new_string(tok);
	const char *s;
	int rc = -1;

	if (o == NULL || t == NULL ||
	    json_object_object_add(o, "workspace_id",
				   json_object_new_string(ws)) != 0)
		goto out;
	if (json_object_object_add(o, "token", json_object_get(t)) != 0) {
		json_object_put(t);
		goto out;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (s != NULL && asprintf(&f->content, "%s\n", s) >= 0) {
		f->len = strlen(f->content);
		rc = 0;
	} else {
		f->content = NULL;
	}
	/* json-c's serialization buffer held the token: wipe it. */
	if (s != NULL)
		OPENSSL_cleanse((char *)s, strlen(s));
out:
	/* So did the string object: wipe it before json-c frees it. */
	if (t != NULL)
		OPENSSL_cleanse((char *)json_object_get_string(t),
				(size_t)json_object_get_string_len(t));
	json_object_put(t);
	json_object_put(o);
	return rc;
}

static int text_file(struct setup_file *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int text_file(struct setup_file *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&f->content, fmt, ap);
	va_end(ap);
	if (n < 0) {
		f->content = NULL;
		return -1;
	}
	f->len = (size_t)n;
	return 0;
}

/* Ask AskUI whether the token exists in the workspace: a throw-away stack
 * whose static source reads the token from a private file and whose
 * validate line does an online lookup. The host configuration is left out
 * (ASKCRED_CONFIG=none): this checks the input, nothing installed. */
static int check_with_askui(struct cli *cli, const struct setup_args *a,
			    const struct setup_file *cred)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char dir[] = "/tmp/askcred-setup.XXXXXX", what[200];
	struct setup_file cf = {.what = "credentials", .mode = 0600};
	struct setup_file sf = {.what = "stack", .mode = 0600};
	const struct askcred_credential *got = NULL;
	const char *tmpdir = getenv("TMPDIR");
	char tdir[4096];
	askcred_stack *st = NULL;
	askcred_status rc = ASKCRED_INTERNAL;
	char *saved = getenv("ASKCRED_CONFIG");
	int ex = EXIT_INTERNAL;

	saved = saved ? strdup(saved) : NULL;
	/* The paths go into a stack line: no blank or '#' in them. */
	if (tmpdir != NULL && tmpdir[0] == '/' &&
	    strpbrk(tmpdir, " \t#[") == NULL &&
	    snprintf(tdir, sizeof(tdir), "%s/askcred-setup.XXXXXX", tmpdir) <
		    (int)sizeof(tdir)) {
		if (mkdtemp(tdir) == NULL)
			goto fail_dir;
	} else {
		if (mkdtemp(dir) == NULL)
			goto fail_dir;
		snprintf(tdir, sizeof(tdir), "%s", dir);
	}
	snprintf(cf.path, sizeof(cf.path), "%s/parent.json", tdir);
	snprintf(sf.path, sizeof(sf.path), "%s/check", tdir);
	cf.content = cred->content;
	cf.len = cred->len;
	if (text_file(&sf,
		      "fetch required %s source=static credentials=%s "
		      "cache=off\n"
		      "validate required %s source=static credentials=%s "
		      "cache=off online_validate=on%s%s%s%s\n",
		      a->module, cf.path, a->module, cf.path,
		      a->api_url ? " api_url=" : "",
		      a->api_url ? a->api_url : "",
		      a->ca_file ? " ca_file=" : "",
		      a->ca_file ? a->ca_file : "") != 0 ||
	    setup_write(&cf) != 0 || setup_write(&sf) != 0)
		goto out;
	setenv("ASKCRED_CONFIG", "none", 1);
	rc = askcred_stack_open(sf.path, &cli->opts, &st, &err);
	if (rc == ASKCRED_OK)
		rc = askcred_fetch(st, NULL, &got, &err);
	if (rc == ASKCRED_OK)
		rc = askcred_validate(st, got, &err);
	if (rc == ASKCRED_OK) {
		ex = EXIT_OK;
	} else {
		snprintf(what, sizeof(what),
			 "setup: checking the parent token with AskUI "
			 "(workspace %s)",
			 a->workspace);
		ex = report_failure_hint(
			what, rc, &err,
			rc == ASKCRED_INVALID || rc == ASKCRED_EXPIRED ||
					rc == ASKCRED_DENIED
				? "AskUI does not know this token in this "
				  "workspace: check both in AskUI Hub and "
				  "run setup again; nothing was written"
				: "nothing was written");
	}
out:
	if (got != NULL)
		askcred_release(st, got);
	askcred_stack_close(st);
	if (saved != NULL)
		setenv("ASKCRED_CONFIG", saved, 1);
	else
		unsetenv("ASKCRED_CONFIG");
	free(saved);
	unlink(cf.path);
	unlink(sf.path);
	rmdir(tdir);
	free(sf.content);
	return ex;
fail_dir:
	fprintf(stderr,
		"askcred: setup: cannot make a temporary directory: %s\n",
		strerror(errno));
	free(saved);
	return EXIT_INTERNAL;
}

static const char stack_text[] =
	"# askcred stack \"default\", written by askcred setup: tokens minted\n"
	"# with the parent credential. Workspace, parent credential, server\n"
	"# and policy come from askcred.conf (askcred.conf(5)).\n"
	"fetch     required  %1$s  source=mint\n"
	"validate  required  %1$s  source=mint\n"
	"refresh   required  %1$s  source=mint\n"
	"revoke    required  %1$s  source=mint\n";

/* One line of what setup did with a file: printed, or with --json kept
 * in files for the one object printed at the end. -1: out of memory. */
static int report_file(json_object *files, const struct setup_file *f,
		       const char *result)
{
	json_object *o;
	char mode[8];

	if (files == NULL) {
		if (strcmp(result, "unchanged") == 0)
			printf("unchanged: %s (%s)\n", f->path, f->what);
		else
			printf("%s: %s (%s, mode %04o)\n", result, f->path,
			       f->what, (unsigned)f->mode);
		return 0;
	}
	snprintf(mode, sizeof(mode), "%04o", (unsigned)f->mode);
	o = json_object_new_object();
	if (o == NULL || json_object_array_add(files, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return json_add_string(o, "path", f->path, strlen(f->path)) != 0 ||
			       json_add_string(o, "what", f->what,
					       strlen(f->what)) != 0 ||
			       json_add_string(o, "result", result,
					       strlen(result)) != 0 ||
			       json_add_string(o, "mode", mode, strlen(mode)) !=
				       0
		       ? -1
		       : 0;
}

/* setup --json: {"setup": {"workspace_id": ..., "files": [...]}}. */
static int print_report(const char *workspace, json_object *files)
{
	json_object *o = json_object_new_object();
	json_object *s = json_object_new_object();
	int bad;

	if (o == NULL || s == NULL) {
		json_object_put(s);
		json_object_put(files);
		bad = 1;
	} else {
		bad = json_add(o, "setup", s) != 0;
		if (bad)
			json_object_put(files);
		else
			bad = json_add_string(s, "workspace_id", workspace,
					      strlen(workspace)) != 0 ||
			      json_add(s, "files", files) != 0;
	}
	return json_print_line(o, bad) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

int cmd_setup(struct cli *cli, int argc, char **argv)
{
	struct setup_args a;
	struct setup_file files[3] = {
		{.what = "parent credential", .mode = 0600},
		{.what = "configuration", .mode = 0644},
		{.what = "default stack", .mode = 0644},
	};
	char dir[4000];
	char *tok = NULL;
	size_t toklen = 0;
	json_object *report = NULL;
	int ex = parse_args(argc, argv, &a), differ = 0, changed = 0;

	if (ex >= 0)
		return ex;
	if (a.config_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", a.config_dir);
	else if (a.system)
		snprintf(dir, sizeof(dir), "%s", ASKCRED_SYSCONF_DIR);
	else if (conf_user_dir(dir, sizeof(dir)) != 0)
		return usage_error("setup",
				   "neither XDG_CONFIG_HOME nor HOME is an "
				   "absolute path; give --config-dir");
	if (strpbrk(dir, " \t\n#") != NULL ||
	    strpbrk(a.module, " \t\n#[") != NULL ||
	    (a.api_url && strpbrk(a.api_url, " \t\n")) ||
	    (a.ca_file && strpbrk(a.ca_file, " \t\n")))
		return usage_error("setup",
				   "paths and URLs must not contain blanks "
				   "or '#' (they go into key=value lines)");
	if ((tok = read_token(&toklen)) == NULL)
		return EXIT_USAGE;
	snprintf(files[0].path, sizeof(files[0].path), "%s/parent.json", dir);
	snprintf(files[1].path, sizeof(files[1].path), "%s/%s", dir,
		 CONF_FILE_NAME);
	snprintf(files[2].path, sizeof(files[2].path), "%s/stacks/default",
		 dir);
	ex = EXIT_INTERNAL;
	if (credentials_json(a.workspace, tok, &files[0]) != 0 ||
	    text_file(&files[1],
		      "# askcred.conf, written by askcred setup; see "
		      "askcred.conf(5).\n"
		      "workspace=%s\nparent_credentials=%s\n%s%s%s%s%s%s",
		      a.workspace, files[0].path, a.api_url ? "api_url=" : "",
		      a.api_url ? a.api_url : "", a.api_url ? "\n" : "",
		      a.ca_file ? "ca_file=" : "", a.ca_file ? a.ca_file : "",
		      a.ca_file ? "\n" : "") != 0 ||
	    text_file(&files[2], stack_text, a.module) != 0) {
		fputs("askcred: setup: out of memory\n", stderr);
		goto out;
	}
	OPENSSL_cleanse(tok, toklen);
	ex = check_with_askui(cli, &a, &files[0]);
	if (ex != EXIT_OK)
		goto out;
	if (a.json) {
		report = json_object_new_array();
		if (report == NULL) {
			ex = EXIT_INTERNAL;
			fputs("askcred: setup: out of memory\n", stderr);
			goto out;
		}
	} else {
		printf("checked: the parent token is valid in workspace %s\n",
		       a.workspace);
	}
	ex = EXIT_CONFIG;
	for (size_t i = 0; i < 3; i++) {
		if (setup_judge(&files[i]) != 0)
			goto out;
		if (files[i].state == SETUP_DIFFERS && !a.force) {
			fprintf(stderr,
				"askcred: setup: the %s %s exists and "
				"differs from what setup would write; "
				"rerun with --force to replace it\n",
				files[i].what, files[i].path);
			differ = 1;
		}
	}
	if (differ)
		goto out;
	ex = EXIT_INTERNAL;
	for (size_t i = 0; i < 3; i++) {
		char parent[4096], *slash;

		if (files[i].state == SETUP_SAME) {
			if (report_file(report, &files[i], "unchanged") != 0)
				goto oom;
			continue;
		}
		snprintf(parent, sizeof(parent), "%s", files[i].path);
		if ((slash = strrchr(parent, '/')) != NULL)
			*slash = '\0';
		if (setup_mkdirs(parent, a.system ? 0755 : 0700) != 0 ||
		    setup_write(&files[i]) != 0)
			goto out;
		if (report_file(report, &files[i],
				files[i].state == SETUP_MISSING
					? "wrote"
					: "replaced") != 0)
			goto oom;
		changed = 1;
	}
	if (report != NULL) {
		ex = print_report(a.workspace, report);
		report = NULL;
		goto out;
	}
	if (!changed)
		printf("nothing to do: askcred is already set up this way\n");
	else if (a.config_dir == NULL)
		printf("try it: askcred get%s\n",
		       a.system ? " (as any user of the host: the stack is "
				  "the host's default)"
				: "");
	ex = EXIT_OK;
	goto out;
oom:
	fputs("askcred: setup: out of memory\n", stderr);
	ex = EXIT_INTERNAL;
out:
	json_object_put(report);
	if (tok != NULL)
		free_wiped(tok, toklen + 1);
	for (size_t i = 0; i < 3; i++)
		setup_file_free(&files[i]);
	return ex;
}
