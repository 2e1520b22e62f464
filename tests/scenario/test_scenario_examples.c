/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every scenario under examples/ must pass: parse, run with the invariant
 * checker after each step, and tear down to a zero balance. One case per
 * directory; a failure names the file and carries the scenario's message.
 */
#include "testlib.h"

#include <apvirt/scenario.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef APV_EXAMPLES_DIR
#error "APV_EXAMPLES_DIR must name the examples directory"
#endif

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every *.apv directly in dir; returns how many ran. */
static int run_dir(const char *sub)
{
	char dir[4096], path[4096 + 256];
	snprintf(dir, sizeof(dir), "%s%s%s", APV_EXAMPLES_DIR, *sub ? "/" : "", sub);
	DIR *d = opendir(dir);
	REQUIRE(d != NULL);
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".apv") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	static char err[1 << 16];
	struct apv_scenario_opts o;
	apv_scenario_opts_default(&o);
	o.out = fopen("/dev/null", "w");
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		struct apv_scenario *s = apv_scenario_load_file(path, err, sizeof(err));
		if (!s) {
			APV_TEST_FAIL("%s: %s", names[i], err);
			free(names[i]);
			continue;
		}
		int rc = apv_scenario_run(s, &o, err, sizeof(err));
		if (rc == 0)
			rc = apv_scenario_finish(s, err, sizeof(err));
		if (rc != 0)
			APV_TEST_FAIL("%s failed:\n%s", names[i], err);
		else
			printf("  ok %s%s%s (%zu steps)\n", sub, *sub ? "/" : "", names[i],
			       apv_scenario_nsteps(s));
		apv_scenario_free(s);
		free(names[i]);
	}
	if (o.out)
		fclose(o.out);
	return n;
}

TEST(examples_top_level_pass)
{
	CHECK(run_dir("") >= 1);
}

TEST(examples_common_setup_runs_alone)
{
	CHECK(run_dir("common") >= 2);
}

/* One scenario per rule of KVM's handle_pqap (kvm.h rules 1-10). */
TEST(examples_every_intercept_rule_passes)
{
	CHECK(run_dir("intercept") >= 10);
}

/* The points argued in the 2019 review. */
TEST(examples_review_points_pass)
{
	CHECK(run_dir("review") >= 5);
}

TEST(examples_vfio_ap_rules_pass)
{
	CHECK(run_dir("vfio_ap") >= 1);
}

/* Coprocessor cards: master keys, wrapping keys, secure keys. */
TEST(examples_cards_pass)
{
	CHECK(run_dir("cards") >= 2);
}

/* A new directory under examples/ must get its case above, or it would never run. */
TEST(examples_every_directory_has_a_case)
{
	static const char *const known[] = {"cards", "common", "intercept", "review", "vfio_ap"};
	DIR *d = opendir(APV_EXAMPLES_DIR);
	struct dirent *e;
	int dirs = 0;

	REQUIRE(d != NULL);
	while ((e = readdir(d))) {
		char p[4096 + 256];
		DIR *sub;
		bool found = false;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", APV_EXAMPLES_DIR, e->d_name);
		sub = opendir(p);
		if (!sub)
			continue;
		closedir(sub);
		dirs++;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			found |= strcmp(known[i], e->d_name) == 0;
		if (!found)
			APV_TEST_FAIL("examples/%s/ is not run by any case", e->d_name);
	}
	closedir(d);
	CHECK_EQ(dirs, 5);
}

TEST_MAIN
