/*
 * The system calls under a cold fetch, without askcred: what reading one
 * small file the way safe_read_file() does costs (open O_NOFOLLOW, fstat,
 * geteuid, read until end, close), and what one credential page costs
 * (plugin/cred.c: an anonymous mapping marked MADV_DONTDUMP, touched, then
 * unmapped). A cold fetch reads two files (the entry's state and the entry)
 * and maps a page for the caller's credential and one for the memory
 * cache, so these put a floor under bench/abi_bench's cold fetch on the
 * machine at hand.
 *
 * Usage: bench/syscall_floor [-n ROUNDS] FILE
 * FILE: a small file to read (a cache .state file is typical). Prints the
 * median of 21 batches of ROUNDS (default 2000), in microseconds.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchtime.h"

#define BATCHES 21

static int read_once(const char *path)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW |
				    O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid()) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n == 0 ? 0 : -1;
}

static int page_once(void)
{
	long size = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (madvise(p, (size_t)size, MADV_DONTDUMP) != 0) {
		munmap(p, (size_t)size);
		return -1;
	}
	*(volatile char *)p = 1;
	return munmap(p, (size_t)size);
}

/* The median over BATCHES of the time per round of fn; -1 on failure. */
static double measure(int (*fn)(const char *), const char *arg, long rounds)
{
	double per[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		double t0 = bench_now_us();

		for (long i = 0; i < rounds; i++)
			if (fn(arg) != 0)
				return -1;
		per[b] = (bench_now_us() - t0) / (double)rounds;
	}
	bench_sort(per, BATCHES);
	return per[BATCHES / 2];
}

static int page_round(const char *unused)
{
	(void)unused;
	return page_once();
}

int main(int argc, char **argv)
{
	long rounds = 2000;
	double file_us, page_us;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt != 'n' || (rounds = strtol(optarg, NULL, 10)) < 1 ||
		    rounds > 10000000)
			goto usage;
	if (optind != argc - 1)
		goto usage;
	file_us = measure(read_once, argv[optind], rounds);
	page_us = measure(page_round, NULL, rounds);
	if (file_us < 0 || page_us < 0) {
		fprintf(stderr,
			"syscall_floor: %s: cannot read it (or map a "
			"page)\n",
			argv[optind]);
		return 1;
	}
	printf("system calls under a cold fetch, median of %d x %ld rounds "
	       "(us)\n",
	       BATCHES, rounds);
	printf("%-52s %8.2f\n",
	       "read a small file (open, fstat, geteuid, read, close)",
	       file_us);
	printf("%-52s %8.2f\n",
	       "credential page (mmap, MADV_DONTDUMP, touch, munmap)", page_us);
	printf("%-52s %8.2f\n", "two files and one page (a cold fetch's floor)",
	       2 * file_us + page_us);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n ROUNDS] FILE\n", argv[0]);
	return 2;
}
