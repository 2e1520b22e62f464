/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shadow APCB: matrix against host configuration and usable queues,
 * per adapter; hot plug and unplug into a running guest; every queue that
 * leaves the guest is reset and its interrupt resources freed.
 */
#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

static const apv_apqn_t Q11 = (FX_A1 << 8) | FX_D1;
static const apv_apqn_t Q21 = (FX_A2 << 8) | FX_D1;
static const apv_apqn_t Q22 = (FX_A2 << 8) | FX_D2;

static void guest_masks(struct fx *f, struct apv_mask *apm, struct apv_mask *aqm,
			struct apv_mask *adm)
{
	apv_vm_get_masks(f->vm, apm, aqm, adm);
}

TEST(shadow_is_the_matrix_within_the_host_configuration)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init(&f);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "-32", NULL, 0), 0);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_mdev_assign_adapter(f.mdev, 0x20) == 0); /* not in the host */
	REQUIRE(apv_mdev_assign_domain(f.mdev, 0x09) == 0);  /* not in the host */
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, 0x0c) == 0);
	apv_mdev_shadow(f.mdev, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_D2, FX_NONE));
	CHECK(fx_mask_is(&adm, FX_CD, FX_NONE, FX_NONE));
	fx_attach(&f);
	guest_masks(&f, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_D2, FX_NONE));
	CHECK(fx_mask_is(&adm, FX_CD, FX_NONE, FX_NONE));
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(one_unusable_apqn_takes_its_whole_adapter_out_of_the_guest)
{
	struct fx f;
	struct apv_mask apm;
	uint64_t z;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q21, FX_NIB, 6), 0);
	fx_settle(&f);
	/* 05.0006 ends a reset badly: it is no longer passable. */
	vfio_ap_queue_at(f.m, Q22)->reset_status = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
	z = fx_resets(&f);
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, 0x0c) == 0); /* any change re-filters */
	guest_masks(&f, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	/* Both queues of adapter 05 left the guest and were zeroized; 05.0004's IRQ is gone. */
	CHECK_EQ(fx_resets(&f) - z, 2);
	CHECK(!fx_hw_irq(&f, Q21));
	FX_BALANCE(&f, 0, 0, 2);
	CHECK_EQ(fx_qinfo(&f, f.mdev, Q21).saved_nib, 0);
	CHECK(fx_qinfo(&f, f.mdev, Q21).linked);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(filtering_reevaluates_the_whole_matrix_and_brings_a_recovered_adapter_back)
{
	struct fx f;
	struct apv_mask apm;

	fx_init_attached(&f);
	vfio_ap_queue_at(f.m, Q22)->reset_status = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, 0x0c) == 0);
	guest_masks(&f, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	/*
	 * A VFIO reset of the mdev zeroizes 05.0006 again; that ends normally
	 * now, and the next evaluation of the whole matrix plugs adapter 05.
	 */
	CHECK_EQ(apv_mdev_reset(f.mdev), 0);
	REQUIRE(apv_mdev_unassign_control_domain(f.mdev, 0x0c) == 0);
	guest_masks(&f, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(hot_plug_into_a_running_guest_signals_the_configuration_change)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;
	int cfg = eventfd(0, EFD_NONBLOCK);

	REQUIRE(cfg >= 0);
	fx_init(&f);
	fx_attach(&f);
	REQUIRE(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_CFG_CHG_IRQ_INDEX, cfg) == 0);
	REQUIRE(apv_mdev_assign_adapter(f.mdev, FX_A1) == 0);
	CHECK_EQ(fx_eventfd_take(cfg), 1); /* APM changed (no domain yet: no queue) */
	REQUIRE(apv_mdev_assign_domain(f.mdev, FX_D1) == 0);
	CHECK_EQ(fx_eventfd_take(cfg), 1);
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, FX_CD) == 0);
	CHECK_EQ(fx_eventfd_take(cfg), 1);
	guest_masks(&f, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_NONE, FX_NONE));
	CHECK(fx_mask_is(&adm, FX_CD, FX_NONE, FX_NONE));
	/* The guest can use the new queue at once. */
	CHECK_AQIC(&f, fx_enable(&f, Q11, FX_NIB, 6), 0);
	/* A control domain outside the host changes nothing the guest sees. */
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, 0x0c) == 0);
	CHECK_EQ(fx_eventfd_take(cfg), 0);
	close(cfg);
	fx_fini(&f);
}

TEST(unassign_adapter_unplugs_resets_its_queues_and_frees_their_irqs)
{
	struct fx f;
	struct apv_mask apm;
	uint64_t z;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q21, FX_NIB, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q11, FX_NIB2, 6), 0);
	fx_settle(&f);
	z = fx_resets(&f);
	REQUIRE(apv_mdev_unassign_adapter(f.mdev, FX_A2) == 0);
	guest_masks(&f, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	CHECK_EQ(fx_resets(&f) - z, 2);
	CHECK(!fx_hw_irq(&f, Q21));
	CHECK(fx_hw_irq(&f, Q11));
	FX_BALANCE(&f, 1, 1, 2);
	CHECK_AQIC(&f, fx_enable(&f, Q21, FX_NIB, 6), 1);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(unassign_domain_unplugs_it_from_every_adapter)
{
	struct fx f;
	struct apv_mask apm, aqm;
	uint64_t z;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q11, FX_NIB, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q22, FX_NIB2, 6), 0);
	z = fx_resets(&f);
	REQUIRE(apv_mdev_unassign_domain(f.mdev, FX_D1) == 0);
	guest_masks(&f, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D2, FX_NONE, FX_NONE));
	CHECK_EQ(fx_resets(&f) - z, 2);
	FX_BALANCE(&f, 1, 1, 2);
	CHECK_EQ(fx_qinfo(&f, f.mdev, Q22).saved_isc, 6);
	fx_fini(&f);
}

TEST(queues_not_in_the_guest_are_not_reset_on_unassign)
{
	struct fx f;
	uint64_t z;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_mdev_assign_domain(f.mdev, 0x09) == 0); /* no such domain in the host */
	z = fx_resets(&f);
	REQUIRE(apv_mdev_unassign_domain(f.mdev, 0x09) == 0);
	CHECK_EQ(fx_resets(&f), z);
	fx_fini(&f);
}

TEST(unassign_control_domain_updates_guest_adm_only)
{
	struct fx f;
	struct apv_mask apm, adm;
	uint64_t z;

	fx_init_attached(&f);
	z = fx_resets(&f);
	REQUIRE(apv_mdev_unassign_control_domain(f.mdev, FX_CD) == 0);
	guest_masks(&f, &apm, NULL, &adm);
	CHECK(apv_mask_empty(&adm));
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK_EQ(fx_resets(&f), z);
	fx_fini(&f);
}

TEST(guest_without_apxa_gets_the_shadow_truncated_by_kvm)
{
	struct fx f;
	struct fx_opts o;
	struct apv_mask apm;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3); /* CRYCB format 0: 64 APIDs, 16 domains */
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	REQUIRE(apv_vm_crycb_format(f.vm) == 0);
	guest_masks(&f, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	fx_fini(&f);
}

TEST_MAIN
