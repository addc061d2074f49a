/* dlopen, ABI checks and provider instances. The checks follow sudo's
 * plugin loader: look at the major version and the table size before
 * calling anything, and use only members the table declares. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "loader.h"
#include "log.h"

/* The table up to and including the last ABI 1.0 member. */
#define PROVIDER_V1_SIZE                                                       \
	(offsetof(struct askcred_provider, status) +                           \
	 sizeof(((struct askcred_provider *)0)->status))

/* The table up to the last member of ABI 1.<minor>; a later minor than
 * this host knows needs at least every member the host knows. */
#define PROVIDER_END(member)                                                   \
	(offsetof(struct askcred_provider, member) +                           \
	 sizeof(((struct askcred_provider *)0)->member))
static size_t provider_size_of_minor(uint32_t minor)
{
	switch (minor) {
	case 0:
		return PROVIDER_V1_SIZE;
	case 1:
		return PROVIDER_END(gc);
	default:
		return PROVIDER_END(tokens);
	}
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

askcred_status module_resolve(const char *word, const char *module_dir,
			      char **path, const char *file, unsigned line,
			      struct askcred_error *err)
{
	const char *ext;
	size_t n;

	*path = NULL;
	if (word[0] == '/') {
		*path = strdup(word);
		goto done;
	}
	if (strchr(word, '/') != NULL)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "module \"%.60s\" is a relative path; "
				    "give an absolute path or a bare name "
				    "found in the module directory",
				    word);
	if (strcmp(word, ".") == 0 || strcmp(word, "..") == 0)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "\"%s\" is not a module name", word);
	ext = has_suffix(word, ".so") ? "" : ".so";
	n = strlen(module_dir) + 1 + strlen(word) + strlen(ext) + 1;
	if ((*path = malloc(n)) != NULL)
		snprintf(*path, n, "%s/%s%s", module_dir, word, ext);
done:
	if (*path == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, file, "out of memory");
	return ASKCRED_OK;
}

/* dlopen runs the file's constructors, so refuse a file anyone but its
 * owner (us or root) could have replaced. dlopen has no descriptor form,
 * so this is a check on the path; the directory is the real guard. */
static askcred_status check_module_file(const char *path, const char *file,
					unsigned line,
					struct askcred_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "cannot load module %s: %s", path,
				    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "module %s is not a regular file", path);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "module %s is owned by uid %u, neither "
				    "you nor root",
				    path, (unsigned)st.st_uid);
	if ((st.st_mode & 002) != 0)
		return err_set_line(err, ASKCRED_CONFIG_ERROR, file, line,
				    "module %s is writable by others "
				    "(chmod o-w)",
				    path);
	return ASKCRED_OK;
}

static askcred_status check_table(const struct askcred_provider *p,
				  const char *path, const char *file,
				  unsigned line, struct askcred_error *err)
{
	if (p == NULL)
		return err_set_line(err, ASKCRED_ABI_MISMATCH, file, line,
				    "module %s does not speak provider ABI "
				    "%u (its entry point returned nothing); "
				    "install a build for this askcred",
				    path, ASKCRED_ABI_MAJOR);
	if (p->struct_size < offsetof(struct askcred_provider, abi_version) +
				     sizeof(p->abi_version))
		return err_set_line(err, ASKCRED_ABI_MISMATCH, file, line,
				    "module %s declares a provider table of "
				    "%u bytes, too small to hold a version",
				    path, (unsigned)p->struct_size);
	if (ASKCRED_ABI_MAJOR_OF(p->abi_version) != ASKCRED_ABI_MAJOR)
		return err_set_line(err, ASKCRED_ABI_MISMATCH, file, line,
				    "module %s is built for provider ABI "
				    "%u.%u; this host speaks %u.%u",
				    path, ASKCRED_ABI_MAJOR_OF(p->abi_version),
				    ASKCRED_ABI_MINOR_OF(p->abi_version),
				    ASKCRED_ABI_MAJOR, ASKCRED_ABI_MINOR);
	if (p->struct_size < PROVIDER_V1_SIZE)
		return err_set_line(err, ASKCRED_ABI_MISMATCH, file, line,
				    "module %s declares a provider table of "
				    "%u bytes, smaller than the %zu of ABI "
				    "1.0",
				    path, (unsigned)p->struct_size,
				    PROVIDER_V1_SIZE);
	/* A table that claims a minor must hold that minor's members: the
	 * host calls a member only when struct_size covers it, so a short
	 * table would silently lose operations its version promises. */
	if (p->struct_size <
	    provider_size_of_minor(ASKCRED_ABI_MINOR_OF(p->abi_version)))
		return err_set_line(err, ASKCRED_ABI_MISMATCH, file, line,
				    "module %s declares provider ABI %u.%u "
				    "but a table of %u bytes, smaller than "
				    "the %zu that version needs",
				    path, ASKCRED_ABI_MAJOR_OF(p->abi_version),
				    ASKCRED_ABI_MINOR_OF(p->abi_version),
				    (unsigned)p->struct_size,
				    provider_size_of_minor(ASKCRED_ABI_MINOR_OF(
					    p->abi_version)));
	if (p->open == NULL || p->close == NULL || p->release == NULL)
		return err_set_line(err, ASKCRED_ABI_MISMATCH, file, line,
				    "module %s lacks open, close or release",
				    path);
	return ASKCRED_OK;
}

askcred_status module_load(struct askcred_stack *st, const char *path,
			   struct module **out, unsigned line,
			   struct askcred_error *err)
{
	struct module *m;
	askcred_provider_entry_fn entry;
	askcred_status rc;
	void *dl = NULL, *sym;
	char *copy = NULL;

	for (m = st->modules; m != NULL; m = m->next)
		if (strcmp(m->path, path) == 0) {
			*out = m;
			return ASKCRED_OK;
		}
	rc = check_module_file(path, st->where_file, line, err);
	if (rc != ASKCRED_OK)
		goto out;
	dlerror();
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL) {
		const char *why = dlerror();

		rc = err_set_line(err, ASKCRED_CONFIG_ERROR, st->where_file,
				  line, "cannot load module: %s",
				  why ? why : path);
		goto out;
	}
	/* POSIX: a function pointer travels through void * from dlsym. */
	sym = dlsym(dl, ASKCRED_PROVIDER_ENTRY_SYMBOL);
	if (sym == NULL) {
		rc = err_set_line(err, ASKCRED_CONFIG_ERROR, st->where_file,
				  line,
				  "module %s has no %s(); it is not an "
				  "askcred provider",
				  path, ASKCRED_PROVIDER_ENTRY_SYMBOL);
		goto out;
	}
	memcpy(&entry, &sym, sizeof(entry));
	m = calloc(1, sizeof(*m));
	copy = strdup(path);
	if (m == NULL || copy == NULL) {
		free(m);
		rc = err_set(err, ASKCRED_NO_MEMORY, st->where_file,
			     "out of memory");
		goto out;
	}
	m->ops = entry(ASKCRED_ABI_VERSION);
	rc = check_table(m->ops, path, st->where_file, line, err);
	if (rc != ASKCRED_OK) {
		free(m);
		goto out;
	}
	m->path = copy;
	m->dl = dl;
	m->next = st->modules;
	st->modules = m;
	host_log(st, ASKCRED_LOG_DEBUG, "%s:%u: loaded %s (%s %s)",
		 st->where_file, line, path, m->ops->name ? m->ops->name : "?",
		 m->ops->version ? m->ops->version : "?");
	*out = m;
	dl = NULL;
	copy = NULL;
out:
	free(copy);
	if (dl != NULL)
		dlclose(dl);
	return rc;
}

static int same_args(const struct module_open *in, const struct module *mod,
		     int argc, char *const *argv)
{
	if (in->mod != mod || in->argc != argc)
		return 0;
	for (int i = 0; i < argc; i++)
		if (strcmp(in->argv[i], argv[i]) != 0)
			return 0;
	return 1;
}

static void instance_free(struct module_open *in)
{
	if (in == NULL)
		return;
	for (int i = 0; i < in->argc; i++)
		free(in->argv[i]);
	free(in->argv);
	free(in);
}

static struct module_open *instance_new(struct askcred_stack *st,
					struct module *mod, int argc,
					char *const *argv, unsigned line)
{
	struct module_open *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return NULL;
	in->argv = calloc((size_t)argc + 1, sizeof(*in->argv));
	if (in->argv == NULL)
		goto fail;
	for (; in->argc < argc; in->argc++)
		if ((in->argv[in->argc] = strdup(argv[in->argc])) == NULL)
			goto fail;
	in->mod = mod;
	in->line = line;
	in->file = st->where_file;
	in->stack = st;
	in->host.struct_size = sizeof(in->host);
	in->host.abi_version = ASKCRED_ABI_VERSION;
	in->host.log = instance_log;
	in->host.log_ctx = in;
	in->host.host_name = st->host_name;
	in->host.stack_name = st->name;
	in->host.labels = st->labels;
	return in;
fail:
	instance_free(in);
	return NULL;
}

askcred_status instance_get(struct askcred_stack *st, struct module *mod,
			    int argc, char *const *argv, unsigned line,
			    struct module_open **out, struct askcred_error *err)
{
	struct askcred_error perr = ASKCRED_ERROR_INIT;
	struct module_open *in, **link;
	askcred_status rc;

	for (in = st->instances; in != NULL; in = in->next)
		if (same_args(in, mod, argc, argv)) {
			*out = in;
			return ASKCRED_OK;
		}
	in = instance_new(st, mod, argc, argv, line);
	if (in == NULL)
		return err_set(err, ASKCRED_NO_MEMORY, st->where_file,
			       "out of memory");
	rc = mod->ops->open(&in->host, in->argc, (const char *const *)in->argv,
			    &in->handle, &perr);
	if (rc != ASKCRED_OK) {
		char where[ASKCRED_ERROR_WHERE_MAX];

		/* The module's own words say what to fix; the stack line
		 * says where. */
		if ((unsigned)rc >= ASKCRED_STATUS_COUNT ||
		    rc == ASKCRED_IGNORE)
			rc = ASKCRED_CONFIG_ERROR;
		snprintf(where, sizeof(where), "%s", perr.where);
		err_set_line(
			err, rc, st->where_file, line,
			"module %s did not open with these arguments%s%s: %s",
			mod->path, where[0] ? " at " : "", where,
			perr.message[0] ? perr.message : status_name(rc));
		instance_free(in);
		return rc;
	}
	/* Appended, so status and invalidate walk the stack's order. */
	for (link = &st->instances; *link != NULL; link = &(*link)->next)
		;
	*link = in;
	*out = in;
	return ASKCRED_OK;
}

void loader_unload(struct askcred_stack *st)
{
	while (st->instances != NULL) {
		struct module_open *in = st->instances;

		st->instances = in->next;
		in->mod->ops->close(in->handle);
		instance_free(in);
	}
	while (st->modules != NULL) {
		struct module *m = st->modules;

		st->modules = m->next;
		dlclose(m->dl);
		free(m->path);
		free(m);
	}
}
