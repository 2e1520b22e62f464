/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AP bus view: binding by apmask/aqmask, the in_use refusal, unbind
 * with zeroize, host configuration changes (removal with and without a VM,
 * additions after the scan), queue status, types.
 */
#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;

static uint64_t cfg_signals(struct fx *f)
{
	struct apv_matrix_stats s;

	apv_matrix_stats(f->m, &s);
	return s.cfg_notifications;
}

TEST(default_masks_leave_every_queue_with_the_host_drivers)
{
	struct fx f;
	struct fx_opts o;
	struct apv_mask ap, aq;

	fx_opts_default(&o);
	o.keep_host = true;
	fx_init_opts(&f, &o);
	apv_bus_get_masks(f.m, &ap, &aq);
	CHECK(apv_mask_weight(&ap) == 256 && apv_mask_weight(&aq) == 256);
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_HOST);
	CHECK(apv_matrix_queue_status(f.m, Q) == NULL);
	CHECK_EQ(apv_bus_queue_driver(f.m, (0x02 << 8) | FX_D1), APV_DRV_NONE); /* no adapter 02 */
	fx_fini(&f);
}

TEST(a_queue_goes_to_vfio_ap_when_its_apid_or_its_apqi_is_released)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.keep_host = true;
	fx_init_opts(&f, &o);
	/* Release domain 6 only: every adapter's queue 6 moves, queue 4 stays. */
	CHECK_EQ(apv_bus_store_mask(f.m, false, "-6", NULL, 0), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A1 << 8) | FX_D2), APV_DRV_VFIO_AP);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A3 << 8) | FX_D2), APV_DRV_VFIO_AP);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A1 << 8) | FX_D1), APV_DRV_HOST);
	/* Release adapter 1 as well: its queue 4 moves too. */
	CHECK_EQ(apv_bus_store_mask(f.m, true, "-1", NULL, 0), 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A1 << 8) | FX_D1), APV_DRV_VFIO_AP);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A2 << 8) | FX_D1), APV_DRV_HOST);
	CHECK_STR(apv_matrix_queue_status(f.m, (FX_A1 << 8) | FX_D1), "unassigned");
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(mask_store_syntax_bitmap_and_edits)
{
	struct fx f;
	struct apv_mask ap, aq;

	fx_init(&f);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "0xffff\n", NULL, 0), 0);
	apv_bus_get_masks(f.m, &ap, NULL);
	CHECK_EQ(apv_mask_weight(&ap), 16);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A2 << 8) | FX_D1), APV_DRV_HOST);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "-0x1-5,+3,-0x0a\n", NULL, 0), 0);
	apv_bus_get_masks(f.m, &ap, &aq);
	CHECK(apv_mask_test(&ap, 0) && apv_mask_test(&ap, 3) && !apv_mask_test(&ap, 1) &&
	      !apv_mask_test(&ap, 5) && !apv_mask_test(&ap, 10) && apv_mask_test(&ap, 15));
	CHECK_EQ(apv_mask_weight(&aq), 256);
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A2 << 8) | FX_D1), APV_DRV_VFIO_AP);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+256", NULL, 0), -EINVAL);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+5-3", NULL, 0), -EINVAL);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "*5", NULL, 0), -EINVAL);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+x", NULL, 0), -EINVAL);
	CHECK_EQ(apv_bus_store_mask(f.m, false, "0xzz", NULL, 0), -EINVAL);
	apv_bus_get_masks(f.m, &ap, NULL);
	CHECK(!apv_mask_test(&ap, 5));
	fx_fini(&f);
}

TEST(reserving_an_assigned_queue_is_ebusy_names_it_and_changes_nothing)
{
	struct fx f;
	char why[160] = "";
	struct apv_mask ap, aq;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+5", why, sizeof(why)), -EBUSY);
	CHECK_STR(why, "queue 05.0004 cannot be reserved for the host drivers: mdev " FX_UUID1 " has it");
	apv_bus_get_masks(f.m, &ap, &aq);
	CHECK(!apv_mask_test(&ap, 5));
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A2 << 8) | FX_D1), APV_DRV_VFIO_AP);
	/* Releasing a domain from the host drivers is no problem; reserving it back is. */
	CHECK_EQ(apv_bus_store_mask(f.m, false, "-4", why, sizeof(why)), 0);
	CHECK_EQ(apv_bus_store_mask(f.m, false, "+4", why, sizeof(why)), 0);
	/* An adapter with no assigned queue can go back to the host. */
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+10", why, sizeof(why)), 0);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(unbinding_vfio_queues_zeroizes_them_and_hands_them_to_the_host)
{
	struct fx f;
	uint64_t z;

	fx_init(&f);
	z = fx_resets(&f);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+10", NULL, 0), 0);
	CHECK_EQ(fx_resets(&f) - z, 2); /* 0a.0004 and 0a.0006 */
	CHECK_EQ(apv_bus_queue_driver(f.m, (FX_A3 << 8) | FX_D1), APV_DRV_HOST);
	CHECK(apv_matrix_queue_status(f.m, (FX_A3 << 8) | FX_D1) == NULL);
	fx_fini(&f);
}

TEST(host_adapter_removal_unplugs_attached_guest_frees_irqs_without_zapq)
{
	struct fx f;
	struct apv_mask apm;
	uint64_t z;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, (FX_A2 << 8) | FX_D1, FX_NIB2, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_configure_adapter(f.hw, FX_A1, false) == 0);
	z = fx_resets(&f);
	apv_bus_rescan(f.m);
	/* The adapter's queues are gone from the host: no ZAPQ, only the resources go. */
	CHECK_EQ(fx_resets(&f), z);
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A2, FX_NONE, FX_NONE));
	CHECK_EQ(apv_bus_queue_driver(f.m, Q), APV_DRV_NONE);
	FX_BALANCE(&f, 1, 1, 2);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 1);
	FX_CHECK(&f);
	/* The adapter comes back: plugged in again after the scan. */
	REQUIRE(apv_hw_configure_adapter(f.hw, FX_A1, true) == 0);
	apv_bus_rescan(f.m);
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	FX_BALANCE(&f, 2, 2, 2);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(host_config_removal_works_for_an_mdev_without_a_vm)
{
	struct fx f;
	struct apv_mask apm, aqm;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_hw_configure_adapter(f.hw, FX_A2, false) == 0);
	REQUIRE(apv_hw_configure_domain(f.hw, FX_D2, false) == 0);
	apv_bus_rescan(f.m);
	apv_mdev_shadow(f.mdev, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_NONE, FX_NONE));
	/* The administrator's matrix is untouched. */
	apv_mdev_matrix(f.mdev, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	FX_CHECK(&f);
	/* Attaching later gives the guest only what is left. */
	fx_attach(&f);
	apv_vm_get_masks(f.vm, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(host_domain_added_is_plugged_without_unplugging_the_other_adapters)
{
	struct fx f;
	struct apv_mask aqm;
	int cfg = eventfd(0, EFD_NONBLOCK);
	uint64_t z;

	REQUIRE(cfg >= 0);
	fx_init(&f);
	REQUIRE(apv_hw_configure_domain(f.hw, FX_D2, false) == 0);
	apv_bus_rescan(f.m);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_CFG_CHG_IRQ_INDEX, cfg) == 0);
	REQUIRE(apv_hw_configure_domain(f.hw, FX_D2, true) == 0);
	z = fx_resets(&f);
	apv_bus_rescan(f.m);
	apv_vm_get_masks(f.vm, NULL, &aqm, NULL);
	CHECK(fx_mask_is(&aqm, FX_D1, FX_D2, FX_NONE));
	/* One change for the guest; no adapter left it on the way, nothing was reset. */
	CHECK_EQ(fx_eventfd_take(cfg), 1);
	CHECK_EQ(fx_resets(&f), z);
	CHECK(fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 1, 1, 2);
	close(cfg);
	fx_fini(&f);
}

TEST(new_adapter_appearing_in_the_host_is_probed_linked_and_plugged)
{
	struct fx f;
	struct apv_adapter_config ac;
	struct apv_mask apm;
	const apv_apqn_t nq = (0x20 << 8) | FX_D1;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "-32", NULL, 0), 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, 0x20), 0);
	fx_attach(&f);
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(!apv_mask_test(&apm, 0x20));
	apv_adapter_config_default(&ac);
	ac.at = APV_AT_CEX4;
	REQUIRE(apv_hw_add_adapter(f.hw, 0x20, &ac) == 0);
	CHECK_EQ(apv_bus_queue_driver(f.m, nq), APV_DRV_NONE); /* not scanned yet */
	apv_bus_rescan(f.m);
	CHECK_EQ(apv_bus_queue_driver(f.m, nq), APV_DRV_VFIO_AP);
	CHECK(fx_qinfo(&f, f.mdev, nq).linked);
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(apv_mask_test(&apm, 0x20));
	CHECK_STR(apv_matrix_queue_status(f.m, nq), "in use");
	CHECK_AQIC(&f, fx_enable(&f, nq, FX_NIB, 6), 0);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(rescan_without_host_change_resets_and_signals_nothing)
{
	struct fx f;
	uint64_t z, c;

	fx_init_attached(&f);
	z = fx_resets(&f);
	c = cfg_signals(&f);
	apv_bus_rescan(f.m);
	CHECK_EQ(fx_resets(&f), z);
	CHECK_EQ(cfg_signals(&f), c);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(queue_status_unassigned_assigned_in_use)
{
	struct fx f;

	fx_init(&f);
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "unassigned");
	fx_assign(&f, f.mdev);
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "assigned");
	fx_attach(&f);
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "in use");
	CHECK_STR(apv_matrix_queue_status(f.m, (FX_A3 << 8) | FX_D1), "unassigned");
	CHECK(apv_matrix_queue_status(f.m, 0x7777) == NULL);
	fx_fini(&f);
}

TEST(only_ap_types_10_to_14_bind_to_vfio_ap)
{
	struct fx f;
	struct vfio_ap_queue q = {.apqn = (FX_A1 << 8) | 0x30};

	/* The hardware model only builds CEX4..CEX8, so the rule is checked directly. */
	fx_init(&f);
	for (unsigned t = 0; t < 20; t++) {
		q.type = (uint8_t)t;
		CHECK_EQ(vfio_ap_driver_for(f.m, &q),
			 t >= 10 && t <= 14 ? APV_DRV_VFIO_AP : APV_DRV_NONE);
	}
	/* Reserved for the host: the host driver gets it whatever the type. */
	q.apqn = (0x30 << 8) | 1;
	q.type = 3;
	CHECK_EQ(vfio_ap_driver_for(f.m, &q), APV_DRV_HOST);
	fx_fini(&f);
}

TEST(host_without_qci_gives_the_guest_nothing)
{
	struct fx f;
	struct fx_opts o;
	struct apv_mask apm;

	fx_opts_default(&o);
	o.hw.qci = false;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, FX_D1), 0);
	fx_attach(&f);
	apv_vm_get_masks(f.vm, &apm, NULL, NULL);
	CHECK(apv_mask_empty(&apm));
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 1);
	fx_fini(&f);
}

TEST_MAIN
