/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The walks over every queue device (bus masks, rescan, the release of
 * vfio_ap's queues, freeing, the invariant checker) cost what the host
 * has, not the 65536 APQNs an APQN can name: measured in queue-table
 * slots examined (vfio_ap_walked), not in time.
 */
#include "vfio_ap_priv.h"
#include "common/host.h"
#include "testlib.h"

/* Two adapters and three usage domains: six queue devices. */
static const unsigned apids[] = {0x03, 0xa0};
static const unsigned apqis[] = {0x01, 0x2c, 0xff};
#define NQ 6u

static unsigned long long walked(void)
{
	return atomic_load(&vfio_ap_walked);
}

/* A whole-bus walk examines at most one slot per queue device. */
#define CHECK_WALKS(op, walks)                                                                     \
	do {                                                                                       \
		unsigned long long before_ = walked();                                             \
		op;                                                                                \
		CHECK(walked() - before_ <= (walks) * NQ);                                          \
		if (walked() - before_ > (walks) * NQ)                                             \
			fprintf(stderr, "  %s examined %llu slots\n", #op, walked() - before_);    \
	} while (0)

TEST(walks_over_the_queue_devices_cost_what_the_host_has)
{
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m = NULL;
	struct apv_mdev *mdev;
	char err[256];

	REQUIRE(test_host_new(&clk, &hw, false, NULL, NULL, apids, 2, apqis, 3));
	kvm = apv_kvm_new(hw, NULL);
	REQUIRE(kvm);
	CHECK_WALKS(m = apv_matrix_new(kvm), 0);
	REQUIRE(m);
	CHECK_WALKS(REQUIRE(test_release_to_vfio(m, apids, 2) == 0), 4);
	CHECK_EQ(apv_bus_queue_driver(m, apv_apqn(0xa0, 0xff)), APV_DRV_VFIO_AP);
	CHECK_WALKS(CHECK_EQ(apv_matrix_check(m, err, sizeof(err)), 0), 1);
	REQUIRE(apv_mdev_create(m, "11111111-2222-3333-4444-555555555555", &mdev) == 0);
	CHECK_EQ(apv_mdev_assign_adapter(mdev, 0xa0), 0);
	CHECK_EQ(apv_mdev_assign_domain(mdev, 0x2c), 0);
	/* A domain leaves and comes back: the rescan walks what exists. */
	REQUIRE(apv_hw_configure_domain(hw, 0x2c, false) == 0);
	CHECK_WALKS(apv_bus_rescan(m), 1);
	CHECK_EQ(apv_bus_queue_driver(m, apv_apqn(0xa0, 0x2c)), APV_DRV_NONE);
	REQUIRE(apv_hw_configure_domain(hw, 0x2c, true) == 0);
	CHECK_WALKS(apv_bus_rescan(m), 1);
	CHECK_EQ(apv_bus_queue_driver(m, apv_apqn(0xa0, 0x2c)), APV_DRV_VFIO_AP);
	CHECK_STR(apv_matrix_queue_status(m, apv_apqn(0xa0, 0x2c)), "assigned");
	CHECK_WALKS(CHECK_EQ(apv_matrix_check(m, err, sizeof(err)), 0), 1);
	/* Freeing: the release and the removal of every queue device. */
	CHECK_WALKS(apv_matrix_free(m), 2);
	apv_kvm_free(kvm);
	apv_hw_free(hw);
	apv_clock_free(clk);
}

TEST_MAIN
