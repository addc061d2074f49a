#!/bin/sh
# Allocation failure in libcurl's code that OpenSSL calls back during a
# mint (the new-session callback, run for each TLS 1.3 session ticket):
# every k of those allocations only (FAILMALLOC_ONLY, failmalloc.c), so
# the few that a full sweep meets at one k in thousands are all met, in
# seconds. libcurl 7.88's Curl_ssl_addsessionid() frees the host name a
# cache slot still points to when copying the SSL settings fails, and
# the next ticket frees it again: a double free that glibc only sometimes
# notices (in curl_easy_cleanup, much later), and that failmalloc's
# quarantine catches every time. The client turns libcurl's session
# cache off (apply_defaults, plugin/net/http_client.c), so the callback
# allocates nothing.
FAULTS_ALLOC_RANGE=mint:1-1000
FAILMALLOC_ONLY='libcurl<libssl'
export FAULTS_ALLOC_RANGE FAILMALLOC_ONLY
. "$top_srcdir/tests/faults/test_alloc.sh"
