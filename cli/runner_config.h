/* The AskUI runner's config with the job's token filled in: askcred exec
 * --runner-config FILE writes a copy of FILE whose only change is
 * queue.credentials.access_token, to a private file the command gets the
 * path of, and removes it when the command ends. */
#ifndef ASKCRED_CLI_RUNNER_CONFIG_H
#define ASKCRED_CLI_RUNNER_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include <askcred/provider.h>

#include "secret.h"

/* Edit the config text (len bytes, NUL-terminated) read from file (for
 * messages, "file:line") so that queue.credentials.access_token is the
 * token. JSON (text starting with '{') goes through json-c; anything else
 * is YAML, parsed by libyaml and edited as text at the bytes it names,
 * and refused with ASKCRED_CONFIG_ERROR where that cannot be done safely. *out
 * (a wiped secret) is the caller's. Messages never hold the token. */
askcred_status runner_config_edit(const char *file, const char *text,
				  size_t len, const char *token,
				  size_t token_len, struct secret *out,
				  struct askcred_error *err);

/* runner_yaml.c: the YAML half of runner_config_edit(). */
askcred_status runner_yaml_edit(const char *file, const char *text, size_t len,
				const char *token, size_t token_len,
				struct secret *out, struct askcred_error *err);

/* A written copy: its path, the directory we made for it, if any, and the
 * copy held open with an exclusive flock(2) for as long as this askcred
 * lives. The lock, not the pid in the name, is what tells a gc that the
 * copy is still in use: a lock is seen the same from every pid namespace,
 * a pid is not. */
struct runner_file {
	char path[PATH_MAX];
	char dir[PATH_MAX]; /* "" when the file went to $XDG_RUNTIME_DIR */
	int fd;		    /* -1 when none */
};
#define RUNNER_FILE_INIT                                                       \
	{                                                                      \
		"", "", -1                                                     \
	}

/* Read src, edit it with the token, write the copy to a new file of mode
 * 0600 in $XDG_RUNTIME_DIR (when it is ours and mode 0700) or else in a
 * fresh mkdtemp directory under $TMPDIR (or /tmp). The edited text is wiped
 * from memory before returning. rf is filled even on failure, so
 * runner_file_remove() can always be called. */
askcred_status runner_file_write(struct runner_file *rf, const char *src,
				 const char *token, size_t token_len,
				 struct askcred_error *err);

/* exec --renew: write the copy anew from src with another token, at the
 * same path, atomically (a new locked file in the same directory renamed
 * over it). On failure the old copy stays as it was. */
askcred_status runner_file_rewrite(struct runner_file *rf, const char *src,
				   const char *token, size_t token_len,
				   struct askcred_error *err);

/* Remove the file and the directory we made. Safe to call twice. 0, or
 * -1 with errno from the first removal that failed. */
int runner_file_remove(struct runner_file *rf);

/* askcred gc: remove the copies an askcred killed before it could clean
 * up left behind (in $XDG_RUNTIME_DIR and $TMPDIR/askcred-XXXXXX): files of
 * ours named like runner_file_write() names them whose lock nobody holds
 * (the askcred that wrote them is gone, in whatever pid namespace it
 * ran). cb hears of each one removed. Returns how many. */
typedef void (*runner_swept_cb)(void *ctx, const char *path, long pid);
int runner_file_sweep(runner_swept_cb cb, void *ctx);

#endif
