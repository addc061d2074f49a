/* Master keys and paths: unsafe key files and directories refused the
 * OpenSSH way, key creation, rotation, passphrases and systemd
 * credentials. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_test.h"
#include "error.h"
#include "tap.h"

#define KEY_LINE "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
#define NOBODY 65534

static struct test_env env;

static askcred_status try_open(const struct cache_config *cfg,
			       struct askcred_error *err)
{
	struct cache *c = NULL;
	askcred_status rc;

	err_clear(err);
	rc = cache_open(cfg, &c, err);
	cache_close(c);
	return rc;
}

/* A fresh key file in root/name with mode; returns its path. */
static const char *key_at(const char *name, const char *text, int mode)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", env.root, name);
	unlink(path);
	if (write_file(path, text, mode) != 0)
		tap_bail("cannot write %s", path);
	return path;
}

static void unsafe_key_files_are_refused(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	char link_path[1024], hard[1024];

	cfg.key_file = key_at("k-ok", KEY_LINE, 0600);
	is_int(try_open(&cfg, &err), ASKCRED_OK, "a 0600 key file is accepted");

	cfg.key_file = key_at("k-0644", KEY_LINE, 0644);
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a key file with mode 0644 is refused");
	has_str(err.message, "permissions 0644", "the refusal names the mode");
	is_str(err.where, cfg.key_file, "the refusal names the key file");

	snprintf(link_path, sizeof(link_path), "%s/k-link", env.root);
	if (symlink(key_at("k-target", KEY_LINE, 0600), link_path) != 0)
		tap_bail("symlink");
	cfg.key_file = link_path;
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a key file that is a symlink is refused");
	has_str(err.message, "symbolic link", "the refusal says symlink");

	cfg.key_file = key_at("k-hard", KEY_LINE, 0600);
	snprintf(hard, sizeof(hard), "%s/k-hard2", env.root);
	if (link(cfg.key_file, hard) != 0)
		tap_bail("link");
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a key file with link count 2 is refused");
	has_str(err.message, "2 hard links", "the refusal gives the count");

	if (geteuid() != 0) {
		tap_skip(2, "foreign owner needs root to chown");
		return;
	}
	cfg.key_file = key_at("k-nobody", KEY_LINE, 0600);
	if (chown(cfg.key_file, NOBODY, NOBODY) != 0)
		tap_bail("chown");
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a key file owned by another user is refused");
	has_str(err.message, "owned by uid 65534",
		"the refusal names the owner");
}

static void unsafe_directories_are_refused(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	char dir[1024], link_dir[1024], open_parent[1024];

	snprintf(dir, sizeof(dir), "%s/gw", env.root);
	mkdir(dir, 0700);
	chmod(dir, 0770);
	cfg.dir = dir;
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a group-writable cache directory is refused");
	has_str(err.message, "writable by group", "the refusal says why");

	snprintf(link_dir, sizeof(link_dir), "%s/linked", env.root);
	chmod(dir, 0700);
	if (symlink(dir, link_dir) != 0)
		tap_bail("symlink");
	cfg.dir = link_dir;
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a cache directory that is a symlink is refused");
	has_str(err.message, "symbolic link", "the refusal says symlink");

	snprintf(open_parent, sizeof(open_parent), "%s/open", env.root);
	mkdir(open_parent, 0700);
	chmod(open_parent, 0777);
	snprintf(dir, sizeof(dir), "%s/open/cache", env.root);
	cfg.dir = dir;
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a cache directory under a world-writable parent is refused");
	has_str(err.message, "parent", "the refusal names the parent");
	chmod(open_parent, 0700);

	cfg.dir = "relative/cache";
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a relative cache directory is refused");
}

static void unsafe_cache_files_are_misses(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;
	struct cache *c = open_or_bail(&env.cfg);
	char path[1024], hard[1024], target[1024];

	make_record(&r, WS_A, "tok", 0);
	cache_write(c, WS_A, "default", &r, &err);
	record_clear(&r);
	snprintf(path, sizeof(path), "%s/%s@default.cache", env.dir, WS_A);

	chmod(path, 0644);
	is_int(cache_read(c, WS_A, "default", &r, &err), ASKCRED_CACHE_ERROR,
	       "a cache file with mode 0644 is refused");
	has_str(err.message, "permissions", "the refusal names permissions");
	chmod(path, 0600);

	snprintf(hard, sizeof(hard), "%s/hard", env.root);
	if (link(path, hard) != 0)
		tap_bail("link");
	is_int(cache_read(c, WS_A, "default", &r, &err), ASKCRED_CACHE_ERROR,
	       "a cache file with link count 2 is refused");
	unlink(hard);

	snprintf(target, sizeof(target), "%s/target", env.root);
	if (rename(path, target) != 0 || symlink(target, path) != 0)
		tap_bail("symlink");
	is_int(cache_read(c, WS_A, "default", &r, &err), ASKCRED_CACHE_ERROR,
	       "a cache file that is a symlink is refused");
	has_str(err.message, "symbolic link", "the refusal says symlink");
	make_record(&r, WS_A, "tok-2", 0);
	is_int(cache_write(c, WS_A, "default", &r, &err), ASKCRED_OK,
	       "writing replaces the symlink");
	record_clear(&r);
	is_int(cache_read(c, WS_A, "default", &r, &err), ASKCRED_OK,
	       "and the entry reads again");
	record_clear(&r);
	cache_close(c);
}

static void malformed_key_file_names_the_line(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	char where[1200];

	cfg.key_file =
		key_at("k-bad", "# comment\n" KEY_LINE "not-base64\n", 0600);
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a key file with a bad line is refused");
	snprintf(where, sizeof(where), "%s:3", cfg.key_file);
	is_str(err.where, where, "the refusal names file and line");
	cfg.key_file = key_at("k-empty", "# nothing\n", 0600);
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a key file without a key is refused");
}

static void default_key_is_created_once_private(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char path[1024], a[256] = "", b[256] = "";
	struct stat st;

	snprintf(path, sizeof(path), "%s/master.key", env.dir);
	is_int(try_open(&env.cfg, &err), ASKCRED_OK,
	       "first open creates a key");
	ok(lstat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "the created key file has mode 0600");
	ok(lstat(env.dir, &st) == 0 && (st.st_mode & 07777) == 0700,
	   "the cache directory has mode 0700");
	read_file(path, a, sizeof(a));
	try_open(&env.cfg, &err);
	read_file(path, b, sizeof(b));
	ok(memcmp(a, b, sizeof(a)) == 0, "a second open keeps the same key");
}

static void rotation_keeps_old_files_readable(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r;
	struct cache *c;
	char p_old[1024], p_new[1024], keys[512], only_new[128];
	unsigned char h_old[64], h_new[64];
	char *nl;

	cfg.key_file = key_at("k-rot", KEY_LINE, 0600);
	c = open_or_bail(&cfg);
	make_record(&r, WS_A, "tok-old", 0);
	cache_write(c, WS_A, "old", &r, &err);
	record_clear(&r);
	is_int(cache_rotate_key(c, &err), ASKCRED_OK, "rotation succeeds");
	is_int(cache_read(c, WS_A, "old", &r, &err), ASKCRED_OK,
	       "a file sealed with the old key still opens");
	is_str(r.token.buf, "tok-old", "with its token");
	record_clear(&r);
	make_record(&r, WS_A, "tok-new", 0);
	cache_write(c, WS_A, "new", &r, &err);
	record_clear(&r);
	snprintf(p_old, sizeof(p_old), "%s/%s@old.cache", env.dir, WS_A);
	snprintf(p_new, sizeof(p_new), "%s/%s@new.cache", env.dir, WS_A);
	read_file(p_old, h_old, sizeof(h_old));
	read_file(p_new, h_new, sizeof(h_new));
	ok(memcmp(h_old + 16, h_new + 16, 8) != 0,
	   "new writes carry the new key id");
	memset(keys, 0, sizeof(keys));
	read_file(cfg.key_file, keys, sizeof(keys) - 1);
	ok(strstr(keys, KEY_LINE) != NULL, "the old key stays in the file");
	cache_close(c);
	/* A cache holding only the new key tells "wrong key" apart. */
	nl = strchr(strchr(keys, '\n') + 1, '\n');
	snprintf(only_new, sizeof(only_new), "%.*s\n",
		 (int)(nl - strchr(keys, '\n') - 1), strchr(keys, '\n') + 1);
	cfg.key_file = key_at("k-new-only", only_new, 0600);
	c = open_or_bail(&cfg);
	is_int(cache_read(c, WS_A, "old", &r, &err), ASKCRED_CACHE_ERROR,
	       "without the old key the old file is refused");
	has_str(err.message, "unknown key", "as sealed with an unknown key");
	is_int(cache_read(c, WS_A, "new", &r, &err), ASKCRED_OK,
	       "the new file opens with the new key alone");
	record_clear(&r);
	cache_close(c);
}

static void passphrase_keys_work_and_differ(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r;
	struct cache *c;
	int fds[2];

	cfg.passphrase_file = key_at("pass", "correct horse battery\n", 0600);
	c = open_or_bail(&cfg);
	make_record(&r, WS_A, "tok-pass", 0);
	is_int(cache_write(c, WS_A, "pass", &r, &err), ASKCRED_OK,
	       "a passphrase-keyed cache writes");
	record_clear(&r);
	cache_close(c);
	cfg.passphrase_file = NULL;
	if (pipe(fds) != 0)
		tap_bail("pipe");
	if (write(fds[1], "correct horse battery", 21) != 21)
		tap_bail("write");
	close(fds[1]);
	cfg.passphrase_fd = fds[0];
	c = open_or_bail(&cfg);
	close(fds[0]);
	is_int(cache_read(c, WS_A, "pass", &r, &err), ASKCRED_OK,
	       "the same passphrase from a descriptor opens it");
	is_str(r.token.buf, "tok-pass", "with its token");
	record_clear(&r);
	cache_close(c);
	cfg.passphrase_fd = 0;
	cfg.passphrase_file = key_at("pass2", "wrong horse\n", 0600);
	c = open_or_bail(&cfg);
	is_int(cache_read(c, WS_A, "pass", &r, &err), ASKCRED_CACHE_ERROR,
	       "another passphrase cannot open it");
	has_str(err.message, "unknown key", "and is told apart as a wrong key");
	cache_close(c);
	cfg.passphrase_file = key_at("pass3", "\n", 0600);
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "an empty passphrase is refused");
	cfg.passphrase_file = key_at("pass4", "secret\n", 0644);
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a passphrase file readable by others is refused");
}

static void systemd_credential_is_the_key(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	char creds[1024];

	snprintf(creds, sizeof(creds), "%s/creds", env.root);
	mkdir(creds, 0700);
	key_at("creds/askcred-cache", KEY_LINE, 0400);
	cfg.key_credential = "askcred-cache";
	unsetenv("CREDENTIALS_DIRECTORY");
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a credential without CREDENTIALS_DIRECTORY is refused");
	has_str(err.message, "CREDENTIALS_DIRECTORY", "the refusal says why");
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	is_int(try_open(&cfg, &err), ASKCRED_OK,
	       "the systemd credential is loaded as the key");
	cfg.key_credential = "../k-ok";
	is_int(try_open(&cfg, &err), ASKCRED_CONFIG_ERROR,
	       "a credential name with a slash is refused");
	unsetenv("CREDENTIALS_DIRECTORY");
}

int main(void)
{
	env_init(&env);
	unsafe_key_files_are_refused();
	unsafe_directories_are_refused();
	unsafe_cache_files_are_misses();
	malformed_key_file_names_the_line();
	default_key_is_created_once_private();
	rotation_keeps_old_files_readable();
	passphrase_keys_work_and_differ();
	systemd_credential_is_the_key();
	env_done(&env);
	return tap_done();
}
