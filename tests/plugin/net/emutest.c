#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "emutest.h"
#include "error.h"
#include "http.h"
#include "safefile.h"
#include "tap.h"

const char *emu_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		tap_bail("%s is not set: run this test through its .sh wrapper",
			 name);
	return v;
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_count;
static char log_last[ASKCRED_ERROR_MESSAGE_MAX];

static void emu_log(void *ctx, int level, const char *message)
{
	(void)ctx;
	pthread_mutex_lock(&log_lock);
	log_count++;
	snprintf(log_last, sizeof(log_last), "%s", message);
	printf("# net log %d: %s\n", level, message);
	fflush(stdout);
	pthread_mutex_unlock(&log_lock);
}

int emu_log_count(void)
{
	int n;

	pthread_mutex_lock(&log_lock);
	n = log_count;
	pthread_mutex_unlock(&log_lock);
	return n;
}

const char *emu_log_last(void)
{
	return log_last;
}

void emu_config(struct net_config *cfg)
{
	*cfg = (struct net_config){sizeof(*cfg)};
	cfg->base_url = emu_env("ASKCRED_TEST_URL");
	cfg->ca_file = emu_env("ASKCRED_TEST_CA");
	cfg->proxy = ""; /* never an http_proxy from the environment */
	cfg->timeout_ms = 10000;
	cfg->max_attempts = 3;
	cfg->retry_base_ms = 50;
	cfg->log = emu_log;
}

void emu_parent(struct secret *out)
{
	static const struct file_rules rules = {"parent token file", 077, 1,
						4096};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const char *path = emu_env("ASKCRED_TEST_PARENT_FILE");
	char *buf = NULL;
	size_t len = 0;

	if (safe_read_file(path, &rules, &buf, &len, &err) != ASKCRED_OK)
		tap_bail("%s: %s", err.where, err.message);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	secret_set(out, buf, len);
	free_wiped(buf, len + 1);
}

/* The control endpoint, through the module's own client. */
static void control(const char *method, const char *what, const char *json,
		    struct http_response *resp)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct net_config cfg;
	struct net_client *c = NULL;
	char url[256];

	emu_config(&cfg);
	cfg.max_attempts = 1;
	snprintf(url, sizeof(url), "https://127.0.0.1:%s/_emulator/%s",
		 emu_env("ASKCRED_TEST_PORT"), what);
	if (http_client_new(&cfg, &c, &err) != ASKCRED_OK ||
	    http_perform(
		    c,
		    &(struct http_request){.method = method,
					   .url = url,
					   .body = json,
					   .body_len = json ? strlen(json) : 0},
		    resp, &err) != ASKCRED_OK)
		tap_bail("emulator control %s: %s", what, err.message);
	if (resp->status != 200)
		tap_bail("emulator control %s: HTTP %ld", what, resp->status);
	http_client_free(c);
}

void emu_fault(const char *json)
{
	struct http_response resp;

	control("POST", "fault", json, &resp);
	http_response_clear(&resp);
}

void emu_reset(void)
{
	struct http_response resp;

	control("POST", "reset", "{}", &resp);
	http_response_clear(&resp);
}

long emu_count(const char *what)
{
	struct http_response resp;
	struct json_object *root, *calls = NULL, *v = NULL;
	long n = 0;

	control("GET", "counters", NULL, &resp);
	root = json_tokener_parse(resp.body);
	if (strcmp(what, "connections") == 0)
		calls = root;
	else
		json_object_object_get_ex(root, "calls", &calls);
	if (calls != NULL && json_object_object_get_ex(calls, what, &v))
		n = (long)json_object_get_int64(v);
	json_object_put(root);
	http_response_clear(&resp);
	return n;
}

void emu_clock(struct timespec *start)
{
	clock_gettime(CLOCK_MONOTONIC, start);
}

double emu_elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}
