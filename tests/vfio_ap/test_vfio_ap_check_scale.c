/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apv_matrix_check runs after every scenario step, so its cost must grow
 * linearly with the number of mdevs: no pair of mdevs is compared. The
 * test times the check with N and 4N mdevs (each with its own queue) and
 * requires the ratio of a linear check (about 4; a quadratic one gives
 * about 16), with a wide margin for a loaded machine.
 */
#include "testlib.h"

#include <apvirt/vfio_ap.h>
#include <errno.h>
#include <time.h>

#include "common/host.h"
#include "vfio_ap_priv.h"

#define N1 800u
#define N2 (4 * N1)
#define ROUNDS 5

struct host {
	struct apv_clock *clock;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m;
};

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* mdev i holds adapter i / 64 and domain i % 64: one queue each, none shared. */
static int add_mdevs(struct apv_matrix *m, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		char uuid[40];
		struct apv_mdev *d;

		snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-000000000000", i);
		if (apv_mdev_create(m, uuid, &d) || apv_mdev_assign_adapter(d, i / 64) ||
		    apv_mdev_assign_domain(d, i % 64))
			return -1;
	}
	return 0;
}

/* The fastest of ROUNDS checks (the others met interruptions). */
static uint64_t time_check(struct apv_matrix *m)
{
	uint64_t best = UINT64_MAX;
	char why[256];

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = cpu_ns();
		int rc = apv_matrix_check(m, why, sizeof(why));
		uint64_t t = cpu_ns() - t0;

		CHECK_EQ(rc, 0);
		if (t < best)
			best = t;
	}
	return best;
}

TEST(matrix_check_is_linear_in_the_number_of_mdevs)
{
	struct host h = {0};
	unsigned apids[N2 / 64];

	for (unsigned i = 0; i < N2 / 64; i++)
		apids[i] = i;
	REQUIRE(test_host_new(&h.clock, &h.hw, false, NULL, NULL, NULL, 0, NULL, 0));
	REQUIRE((h.kvm = apv_kvm_new(h.hw, NULL)) != NULL);
	REQUIRE((h.m = apv_matrix_new(h.kvm)) != NULL);
	REQUIRE(test_release_to_vfio(h.m, apids, N2 / 64) == 0);

	REQUIRE(add_mdevs(h.m, 0, N1) == 0);
	uint64_t t1 = time_check(h.m);
	REQUIRE(add_mdevs(h.m, N1, N2) == 0);
	uint64_t t2 = time_check(h.m);
	double ratio = (double)t2 / (double)(t1 ? t1 : 1);

	printf("  check with %u mdevs: %.3f ms, with %u: %.3f ms, ratio %.2f (linear ~4, "
	       "quadratic ~16; must stay below 8)\n",
	       N1, t1 / 1e6, N2, t2 / 1e6, ratio);
	CHECK(ratio < 8.0);

	/* The check still finds a shared queue and a VM owned twice (tested elsewhere too). */
	apv_matrix_free(h.m);
	CHECK_EQ(apv_kvm_free(h.kvm), 0);
	CHECK_EQ(apv_hw_free(h.hw), 0);
	CHECK_EQ(apv_clock_free(h.clock), 0);
}

/* The linear check still finds what the pairwise one found. */
TEST(matrix_check_finds_a_shared_queue_and_a_vm_owned_twice)
{
	struct host h = {0};
	static const unsigned apids[] = {1, 2};
	struct apv_mdev *a, *b;
	struct apv_vm *vm;
	char why[256];

	REQUIRE(test_host_new(&h.clock, &h.hw, false, NULL, NULL, NULL, 0, NULL, 0));
	REQUIRE((h.kvm = apv_kvm_new(h.hw, NULL)) != NULL);
	REQUIRE((h.m = apv_matrix_new(h.kvm)) != NULL);
	REQUIRE(test_release_to_vfio(h.m, apids, 2) == 0);
	REQUIRE(apv_mdev_create(h.m, "00000001-0000-4000-8000-000000000000", &a) == 0);
	REQUIRE(apv_mdev_create(h.m, "00000002-0000-4000-8000-000000000000", &b) == 0);
	REQUIRE(apv_mdev_assign_adapter(a, 1) == 0 && apv_mdev_assign_domain(a, 3) == 0);
	REQUIRE(apv_mdev_assign_adapter(b, 2) == 0 && apv_mdev_assign_domain(b, 3) == 0);
	CHECK_EQ(apv_matrix_check(h.m, why, sizeof(why)), 0);
	/* What the sysfs interface refuses, written behind its back. */
	apv_mask_set(&b->apm, 1);
	CHECK_EQ(apv_matrix_check(h.m, why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "mdevs 00000001-0000-4000-8000-000000000000 and "
		       "00000002-0000-4000-8000-000000000000 share a queue");
	apv_mask_clear(&b->apm, 1);
	CHECK_EQ(apv_matrix_check(h.m, why, sizeof(why)), 0); /* the map was left clean */
	REQUIRE((vm = apv_vm_new(h.kvm, NULL)) != NULL);
	a->claim = b->claim = vm;
	CHECK_EQ(apv_matrix_check(h.m, why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "mdevs 00000001-0000-4000-8000-000000000000 and "
		       "00000002-0000-4000-8000-000000000000 both own one VM");
	a->claim = b->claim = NULL;
	apv_vm_put(vm);
	apv_matrix_free(h.m);
	CHECK_EQ(apv_kvm_free(h.kvm), 0);
	CHECK_EQ(apv_hw_free(h.hw), 0);
	CHECK_EQ(apv_clock_free(h.clock), 0);
}

TEST_MAIN
