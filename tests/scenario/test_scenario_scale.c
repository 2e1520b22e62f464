/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory and time linear in the input. A parsed step keeps only what it
 * uses (its values, tokens and text in one block), so a script of trivial
 * steps costs a couple of hundred bytes a step, not kilobytes; and the
 * checks after each step grow linearly with the number of mdevs.
 *
 * Memory is measured in a child process started for it (the resident set
 * before and after parsing), with the address sanitizer's quarantine off
 * so that freed memory is not counted as held.
 */
#include "testlib.h"

#include <apvirt/scenario.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A step may cost at most this much, whatever the build (sanitizers included). */
#define STEP_BYTES_MAX 1024

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Child: parse n steps of "advance 1ns"; print the bytes it took per step. */
static int child(unsigned long n)
{
	static const char step[] = "advance 1ns\n";
	size_t len = 5 + n * (sizeof(step) - 1);
	char *text = malloc(len + 1), err[256];
	char *p = text;

	if (!text)
		return 1;
	memcpy(p, "host\n", 5);
	p += 5;
	for (unsigned long i = 0; i < n; i++, p += sizeof(step) - 1)
		memcpy(p, step, sizeof(step) - 1);
	*p = '\0';
	long before = rss_kib();
	struct apv_scenario *s = apv_scenario_load_string("big.apv", text, NULL, err, sizeof(err));
	long after = rss_kib();
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%.1f\n", (double)(after - before) * 1024.0 / (double)n);
	apv_scenario_free(s);
	free(text);
	return 0;
}

static double bytes_per_step(unsigned long n)
{
	char arg[32], out[] = "/tmp/apv-scale-XXXXXX";
	const char *argv[] = {"/proc/self/exe", NULL};
	char *env[256];
	int k = 0, fd = mkstemp(out), st = 0;
	double b = -1;
	pid_t pid;
	posix_spawn_file_actions_t fa;

	snprintf(arg, sizeof(arg), "APV_SCALE_CHILD=%lu", n);
	for (char **e = environ; *e && k < 250; e++)
		if (strncmp(*e, "ASAN_OPTIONS=", 13) != 0)
			env[k++] = *e;
	env[k++] = arg;
	env[k++] = (char *)"ASAN_OPTIONS=quarantine_size_mb=0:detect_leaks=1";
	env[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, (char *const *)argv, env) == 0 &&
	    waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		FILE *f = fopen(out, "r");
		if (f && fscanf(f, "%lf", &b) != 1)
			b = -1;
		if (f)
			fclose(f);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
	unlink(out);
	return b;
}

TEST(a_trivial_step_costs_less_than_a_kilobyte_and_memory_is_linear)
{
	double small = bytes_per_step(100000), large = bytes_per_step(400000);

	printf("  %.0f bytes per step with 100000 steps, %.0f with 400000 (at most %d)\n", small,
	       large, STEP_BYTES_MAX);
	REQUIRE(small > 0 && large > 0);
	CHECK(small < STEP_BYTES_MAX);
	CHECK(large < STEP_BYTES_MAX);
	/* Linear: the cost of a step does not grow with the script. */
	CHECK(large < 1.5 * small + 64);
}

TEST(parsing_time_is_linear)
{
	/* Parse 50000 and 200000 steps; the larger may take ~4x, not ~16x. */
	unsigned long n[2] = {50000, 200000};
	double t[2];

	for (int i = 0; i < 2; i++) {
		size_t len = 5 + n[i] * 12;
		char *text = malloc(len + 1), err[256];
		REQUIRE(text != NULL);
		memcpy(text, "host\n", 5);
		for (unsigned long k = 0; k < n[i]; k++)
			memcpy(text + 5 + k * 12, "advance 1ns\n", 12);
		text[len] = '\0';
		struct timespec a, b;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		struct apv_scenario *s = apv_scenario_load_string("t.apv", text, NULL, err, sizeof(err));
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		REQUIRE(s != NULL);
		CHECK_EQ(apv_scenario_nsteps(s), n[i] + 1); /* and "host" */
		apv_scenario_free(s);
		free(text);
		t[i] = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	}
	printf("  parse: %.3f s for %lu steps, %.3f s for %lu (ratio %.2f, must stay below 8)\n",
	       t[0], n[0], t[1], n[1], t[1] / t[0]);
	CHECK(t[1] / t[0] < 8.0);
}

/* The measuring child is this program, started with APV_SCALE_CHILD=N. */
__attribute__((constructor)) static void maybe_child(void)
{
	const char *n = getenv("APV_SCALE_CHILD");

	if (n) {
		fflush(stdout);
		int rc = child(strtoul(n, NULL, 10));
		fflush(stdout);
		_exit(rc);
	}
}

TEST_MAIN
