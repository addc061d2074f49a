/* askcred setup's files: each one either already holds exactly what setup
 * would write (left alone), is missing (written), or differs (replaced
 * only with --force). Nothing is written until every file was judged, so
 * a refusal leaves the host as it was. */
#ifndef ASKCRED_CLI_SETUP_FILES_H
#define ASKCRED_CLI_SETUP_FILES_H

#include <stddef.h>
#include <sys/types.h>

enum setup_state { SETUP_SAME, SETUP_MISSING, SETUP_DIFFERS };

struct setup_file {
	char path[4096];
	const char *what; /* "parent credential", ... for messages */
	mode_t mode;
	char *content; /* may hold a secret: wiped when freed */
	size_t len;
	enum setup_state state;
};

/* Compare f->content with the file at f->path (opened without following
 * a symlink, fstat-checked). 0, or -1 after printing why the file cannot
 * be read. */
int setup_judge(struct setup_file *f);

/* Write f->content to f->path with f->mode: through a temporary file in
 * the same directory, fsync'd and renamed over the old one. 0, or -1
 * after printing why. */
int setup_write(const struct setup_file *f);

/* mkdir -p path with mode for the directories it creates. 0 or -1. */
int setup_mkdirs(const char *path, mode_t mode);

void setup_file_free(struct setup_file *f);

#endif
