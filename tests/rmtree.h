/* Removing the directory trees the tests and the benchmarks make. */
#ifndef ASKCRED_TESTS_RMTREE_H
#define ASKCRED_TESTS_RMTREE_H

/* Remove dir and everything below it, symlinks not followed; NULL is a
 * no-op. Errors are ignored: it runs at the end, on a private tree. */
void test_rmtree(const char *dir);

#endif
