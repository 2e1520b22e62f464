/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-queue driver unbind and bind (the driver core's sysfs files): the
 * queue's whole adapter leaves the guest and is reset with its interrupt
 * resources, the link goes; binding it again links and plugs it; the
 * errnos of the driver core and the AP bus's probe; bus mask changes
 * leave an unbound queue alone unless it changes sides.
 */
#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;
static const apv_apqn_t Q_ROW = (FX_A1 << 8) | FX_D2; /* same adapter, other domain */
static const apv_apqn_t Q_OTHER = (FX_A2 << 8) | FX_D1;

/* A configuration-change eventfd on the fixture's mdev (what QEMU installs). */
static int cfg_eventfd(struct fx *f)
{
	int fd = eventfd(0, EFD_NONBLOCK);

	REQUIRE(fd >= 0);
	REQUIRE(apv_mdev_set_irqs(f->mdev, APV_VFIO_AP_CFG_CHG_IRQ_INDEX, fd) == 0);
	return fd;
}

TEST(unbinding_a_queue_in_use_unplugs_its_adapter_resets_the_row_and_frees_its_irq)
{
	struct fx f;
	struct apv_mask apm, aqm;
	uint64_t z;
	int fd;

	fx_init_attached(&f);
	fd = cfg_eventfd(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q_OTHER, FX_NIB2, 6), 0);
	fx_settle(&f);
	FX_BALANCE(&f, 2, 2, 2);
	z = fx_resets(&f);

	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_VFIO_AP), 0);
	/* The APCB cannot hide one APQN: adapter 01 leaves, domains stay. */
	apv_vm_get_masks(f.vm, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A2, FX_NONE, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_D2, FX_NONE));
	CHECK_EQ(fx_eventfd_take(fd), 1);
	/* Both queues of the adapter were zeroized; the unbound one's pin and ISC are gone. */
	CHECK_EQ(fx_resets(&f) - z, 2);
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 1, 1, 2);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_NONE);
	CHECK(apv_matrix_queue_status(f.m, Q) == NULL);
	CHECK(!fx_qinfo(&f, f.mdev, Q).linked);
	CHECK(fx_qinfo(&f, f.mdev, Q_ROW).linked);
	CHECK(!fx_qinfo(&f, f.mdev, Q_ROW).in_shadow);
	CHECK_STR(apv_matrix_queue_status(f.m, Q_ROW), "assigned");
	/* The guest no longer has the adapter: the hook answers RC01 for both its queues. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 1);
	CHECK_AQIC(&f, fx_enable(&f, Q_ROW, FX_NIB, 6), 1);
	/* The other adapter is untouched. */
	CHECK(fx_hw_irq(&f, Q_OTHER));
	FX_CHECK(&f);
	fx_fini(&f);
	close(fd);
}

TEST(binding_it_again_links_it_and_plugs_the_adapter_back)
{
	struct fx f;
	struct apv_mask apm;
	int fd;

	fx_init_attached(&f);
	fd = cfg_eventfd(&f);
	REQUIRE(apv_bus_unbind(f.m, Q, APV_DRV_VFIO_AP) == 0);
	CHECK_EQ(fx_eventfd_take(fd), 1);
	CHECK_EQ(apv_bus_bind(f.m, Q, APV_DRV_VFIO_AP), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_VFIO_AP);
	CHECK(fx_qinfo(&f, f.mdev, Q).linked);
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "in use");
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK_EQ(fx_eventfd_take(fd), 1);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	FX_BALANCE(&f, 1, 1, 2);
	FX_CHECK(&f);
	fx_fini(&f);
	close(fd);
}

TEST(unbinding_an_assigned_queue_of_an_unattached_mdev_resets_only_it)
{
	struct fx f;
	struct apv_mask apm;
	uint64_t z;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	z = fx_resets(&f);
	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_NONE), 0);
	CHECK_EQ(fx_resets(&f) - z, 2); /* the shadow lost adapter 01: its row */
	apv_mdev_shadow(f.mdev, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A2, FX_NONE, FX_NONE));
	/* Attaching now gives the guest adapter 05 only. */
	fx_attach(&f);
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A2, FX_NONE, FX_NONE));
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(unbind_and_bind_errnos_follow_the_driver_core_and_the_ap_bus_probe)
{
	struct fx f;

	fx_init_attached(&f);
	/* No such queue device. */
	CHECK_EQ(apv_bus_unbind(f.m, 0x7777, APV_DRV_NONE), -ENODEV);
	CHECK_EQ(apv_bus_bind(f.m, 0x7777, APV_DRV_VFIO_AP), -ENODEV);
	/* Not bound to the driver named. */
	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_HOST), -ENODEV);
	/* Already has a driver. */
	CHECK_EQ(apv_bus_bind(f.m, Q, APV_DRV_VFIO_AP), -EBUSY);
	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_VFIO_AP), 0);
	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_NONE), -ENODEV);
	/* The masks give it to vfio_ap: the host driver's probe refuses. */
	CHECK_EQ(apv_bus_bind(f.m, Q, APV_DRV_HOST), -ENODEV);
	CHECK_EQ(apv_bus_bind(f.m, Q, APV_DRV_NONE), -EINVAL);
	CHECK_EQ(apv_bus_unbind(f.m, Q, (enum apv_queue_driver)7), -EINVAL);
	CHECK_EQ(apv_bus_unbind(NULL, Q, APV_DRV_NONE), -EINVAL);
	CHECK_EQ(apv_bus_bind(NULL, Q, APV_DRV_HOST), -EINVAL);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_NONE);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(a_host_queue_unbinds_and_binds_only_to_the_host_driver)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.keep_host = true;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_VFIO_AP), -ENODEV);
	CHECK_EQ(apv_bus_unbind(f.m, Q, APV_DRV_HOST), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_NONE);
	CHECK_EQ(apv_bus_bind(f.m, Q, APV_DRV_VFIO_AP), -ENODEV); /* reserved for the host */
	CHECK_EQ(apv_bus_bind(f.m, Q, APV_DRV_HOST), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_HOST);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(a_mask_change_leaves_an_unbound_queue_alone_unless_it_changes_sides)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(apv_bus_unbind(f.m, Q, APV_DRV_VFIO_AP) == 0);
	/* Unrelated change (adapter 0a back to the host): 01.0004 stays without a driver. */
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+10", NULL, 0), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_NONE);
	FX_CHECK(&f);
	/* Adapter 01 back to the host: the queue changes sides and is reprobed. */
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+1", NULL, 0), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_HOST);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q_ROW), APV_DRV_HOST);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(rescan_does_not_rebind_an_unbound_queue)
{
	struct fx f;

	fx_init_attached(&f);
	REQUIRE(apv_bus_unbind(f.m, Q, APV_DRV_VFIO_AP) == 0);
	apv_bus_rescan(f.m);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_NONE);
	CHECK(!fx_qinfo(&f, f.mdev, Q).linked);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST_MAIN
