/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdev creation and the sysfs attributes: input syntax, range limits from
 * APXA/Na/Nd, the error codes in the kernel's order, no-ops, output
 * formats, and ap_config with rollback.
 */
#include "vfio_fixture.h"

static char buf[8192];

static const char *show(struct apv_mdev *d, const char *attr)
{
	int n = apv_mdev_show(d, attr, buf, sizeof(buf));

	CHECK(n >= 0);
	return n >= 0 ? buf : "(error)";
}

TEST(create_validates_uuid_rejects_duplicates_and_finds_case_insensitively)
{
	struct fx f;
	struct apv_mdev *d = NULL;

	fx_init(&f);
	CHECK_EQ(apv_mdev_create(f.m, "not-a-uuid", &d), -EINVAL);
	CHECK_EQ(apv_mdev_create(f.m, "11111111-2222-3333-4444-55555555555", &d), -EINVAL);
	CHECK_EQ(apv_mdev_create(f.m, "11111111x2222-3333-4444-555555555555", &d), -EINVAL);
	CHECK_EQ(apv_mdev_create(f.m, "g1111111-2222-3333-4444-555555555555", &d), -EINVAL);
	CHECK_EQ(apv_mdev_create(f.m, FX_UUID1, &d), -EEXIST);
	CHECK_EQ(apv_mdev_create(f.m, "11111111-2222-3333-4444-555555555555", &d), -EEXIST);
	CHECK_EQ(apv_mdev_create(f.m, "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", &d), 0);
	CHECK_STR(apv_mdev_uuid(d), FX_UUID2);
	CHECK(apv_mdev_find(f.m, FX_UUID2) == d);
	CHECK(apv_mdev_next(f.m, NULL) == f.mdev);
	CHECK(apv_mdev_next(f.m, f.mdev) == d);
	CHECK(apv_mdev_next(f.m, d) == NULL);
	CHECK_EQ(apv_mdev_remove(d), 0);
	CHECK(apv_mdev_find(f.m, FX_UUID2) == NULL);
	fx_fini(&f);
}

TEST(store_parses_decimal_hex_octal_with_one_trailing_newline)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init(&f);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "1"), 0);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "0x5\n"), 0);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "012"), 0); /* octal 10 */
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_domain", "+4"), 0);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_control_domain", "0X0b"), 0);
	apv_mdev_matrix(f.mdev, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, 1, 5, 10));
	CHECK(fx_mask_is(&aqm, 4, FX_NONE, FX_NONE));
	CHECK(fx_mask_is(&adm, 11, FX_NONE, FX_NONE));
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", ""), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "0x"), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "08"), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", " 1"), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "1\n\n"), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "-1"), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "abc"), -EINVAL);
	CHECK_EQ(apv_mdev_store(f.mdev, "assign_adapter", "99999999999999999999999"), -ERANGE);
	CHECK_EQ(apv_mdev_store(f.mdev, "unassign_adapter", "5"), 0);
	CHECK_EQ(apv_mdev_store(f.mdev, "unassign_domain", "4"), 0);
	CHECK_EQ(apv_mdev_store(f.mdev, "unassign_control_domain", "11"), 0);
	apv_mdev_matrix(f.mdev, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, 1, 10, FX_NONE));
	CHECK(apv_mask_empty(&aqm) && apv_mask_empty(&adm));
	fx_fini(&f);
}

TEST(unknown_attribute_enoent_wrong_direction_eacces)
{
	struct fx f;

	fx_init(&f);
	CHECK_EQ(apv_mdev_store(f.mdev, "frobnicate", "1"), -ENOENT);
	CHECK_EQ(apv_mdev_show(f.mdev, "frobnicate", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(apv_mdev_store(f.mdev, "matrix", "1"), -EACCES);
	CHECK_EQ(apv_mdev_store(f.mdev, "guest_matrix", "1"), -EACCES);
	CHECK_EQ(apv_mdev_show(f.mdev, "assign_adapter", buf, sizeof(buf)), -EACCES);
	CHECK_EQ(apv_mdev_store(f.mdev, NULL, "1"), -EINVAL);
	fx_fini(&f);
}

TEST(range_limit_with_apxa_is_na_nd)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.na = 20;
	o.hw.nd = 30;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "-20", NULL, 0), 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, 20), 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, 21), -ENODEV);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, 30), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, 31), -ENODEV);
	CHECK_EQ(apv_mdev_assign_control_domain(f.mdev, 30), 0);
	CHECK_EQ(apv_mdev_assign_control_domain(f.mdev, 31), -ENODEV);
	CHECK_EQ(apv_mdev_unassign_adapter(f.mdev, 21), -ENODEV);
	CHECK_EQ(apv_mdev_unassign_domain(f.mdev, 256), -ENODEV);
	fx_fini(&f);
}

TEST(range_limit_without_apxa_is_63_and_15)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.apxa = false;
	o.hw.na = 63;
	o.hw.nd = 15;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_bus_store_mask(f.m, true, "-63", NULL, 0), 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, 63), 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, 64), -ENODEV);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, 15), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, 16), -ENODEV);
	CHECK_EQ(apv_mdev_assign_control_domain(f.mdev, 16), -ENODEV);
	fx_fini(&f);
}

TEST(assign_queue_reserved_for_host_drivers_is_eaddrnotavail_and_rolled_back)
{
	struct fx f;
	struct fx_opts o;
	struct apv_mask apm, aqm;

	fx_opts_default(&o);
	o.keep_host = true;
	fx_init_opts(&f, &o);
	/* Adapter alone: no APQN yet, nothing to refuse. */
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, FX_D1), -EADDRNOTAVAIL);
	apv_mdev_matrix(f.mdev, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A1, FX_NONE, FX_NONE));
	CHECK(apv_mask_empty(&aqm));
	/* Control domains are not checked. */
	CHECK_EQ(apv_mdev_assign_control_domain(f.mdev, FX_D1), 0);
	fx_fini(&f);
}

TEST(assign_queue_of_another_mdev_is_eaddrinuse_and_rolled_back)
{
	struct fx f;
	struct apv_mdev *d2;
	struct apv_mask apm, aqm;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	CHECK_EQ(apv_mdev_assign_domain(d2, FX_D1), 0);
	CHECK_EQ(apv_mdev_assign_adapter(d2, FX_A1), -EADDRINUSE);
	CHECK_EQ(apv_mdev_assign_adapter(d2, FX_A3), 0); /* 0a.0004 is free */
	CHECK_EQ(apv_mdev_assign_domain(d2, FX_D2), 0);
	apv_mdev_matrix(d2, &apm, &aqm, NULL);
	CHECK(fx_mask_is(&apm, FX_A3, FX_NONE, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_D2, FX_NONE));
	/* Control domains may be shared. */
	CHECK_EQ(apv_mdev_assign_control_domain(d2, FX_CD), 0);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(assign_twice_and_unassign_unassigned_are_noops_queue_linked_once)
{
	struct fx f;
	const apv_apqn_t q = (FX_A1 << 8) | FX_D1;
	uint64_t z;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	CHECK(fx_qinfo(&f, f.mdev, q).linked);
	z = fx_resets(&f);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, FX_D1), 0);
	CHECK_EQ(apv_mdev_assign_control_domain(f.mdev, FX_CD), 0);
	CHECK_EQ(apv_mdev_unassign_adapter(f.mdev, FX_A3), 0);
	CHECK_EQ(apv_mdev_unassign_domain(f.mdev, 9), 0);
	CHECK_EQ(apv_mdev_unassign_control_domain(f.mdev, 9), 0);
	CHECK_EQ(fx_resets(&f), z);
	FX_CHECK(&f); /* counts links: each queue once */
	CHECK_STR(show(f.mdev, "matrix"), "01.0004\n01.0006\n05.0004\n05.0006\n");
	fx_fini(&f);
}

TEST(unassign_unlinks_and_frees_the_queue_for_other_mdevs)
{
	struct fx f;
	struct apv_mdev *d2;
	const apv_apqn_t q = (FX_A2 << 8) | FX_D1;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	CHECK_EQ(apv_mdev_unassign_adapter(f.mdev, FX_A2), 0);
	CHECK(!fx_qinfo(&f, f.mdev, q).linked);
	CHECK_STR(apv_matrix_queue_status(f.m, q), "unassigned");
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	CHECK_EQ(apv_mdev_assign_adapter(d2, FX_A2), 0);
	CHECK_EQ(apv_mdev_assign_domain(d2, FX_D1), 0);
	CHECK(fx_qinfo(&f, d2, q).linked);
	FX_CHECK(&f);
	fx_fini(&f);
}

/* An assign links only its new row or column; an unassign unlinks only its own. */
TEST(assign_and_unassign_link_exactly_the_bound_queues_of_the_matrix)
{
	static const unsigned ads[] = {FX_A1, FX_A2, FX_A3}, doms[] = {FX_D1, FX_D2};
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, (FX_A2 << 8) | FX_D2, FX_NIB, 3), 0);
	REQUIRE(apv_mdev_assign_adapter(f.mdev, FX_A3) == 0);
	REQUIRE(apv_mdev_unassign_domain(f.mdev, FX_D2) == 0); /* frees 05.0006's NIB and ISC */
	FX_BALANCE(&f, 0, 0, 2);
	for (unsigned a = 0; a < 3; a++)
		for (unsigned d = 0; d < 2; d++)
			CHECK_EQ(fx_qinfo(&f, f.mdev, (ads[a] << 8) | doms[d]).linked, d == 0);
	REQUIRE(apv_mdev_unassign_adapter(f.mdev, FX_A1) == 0);
	REQUIRE(apv_mdev_assign_domain(f.mdev, FX_D2) == 0);
	for (unsigned a = 0; a < 3; a++)
		for (unsigned d = 0; d < 2; d++)
			CHECK_EQ(fx_qinfo(&f, f.mdev, (ads[a] << 8) | doms[d]).linked, a != 0);
	apv_vm_get_masks(f.vm, &apm, &aqm, &adm);
	CHECK(!apv_mask_test(&apm, FX_A1) && apv_mask_test(&apm, FX_A2) &&
	      apv_mask_test(&apm, FX_A3));
	CHECK(apv_mask_test(&aqm, FX_D1) && apv_mask_test(&aqm, FX_D2));
	FX_CHECK(&f);
	apv_mdev_detach(f.mdev);
	fx_fini(&f);
}

TEST(matrix_show_formats_adapters_domains_and_both)
{
	struct fx f;

	fx_init(&f);
	CHECK_STR(show(f.mdev, "matrix"), "");
	REQUIRE(apv_mdev_assign_adapter(f.mdev, 0x0a) == 0);
	REQUIRE(apv_mdev_assign_adapter(f.mdev, 0x01) == 0);
	CHECK_STR(show(f.mdev, "matrix"), "01.\n0a.\n");
	REQUIRE(apv_mdev_unassign_adapter(f.mdev, 0x0a) == 0);
	REQUIRE(apv_mdev_unassign_adapter(f.mdev, 0x01) == 0);
	REQUIRE(apv_mdev_assign_domain(f.mdev, 0x06) == 0);
	REQUIRE(apv_mdev_assign_domain(f.mdev, 0xab) == 0);
	CHECK_STR(show(f.mdev, "matrix"), ".0006\n.00ab\n");
	REQUIRE(apv_mdev_assign_adapter(f.mdev, 0x05) == 0);
	CHECK_STR(show(f.mdev, "matrix"), "05.0006\n05.00ab\n");
	/* The guest gets only what the host has: domain ab is not configured. */
	CHECK_STR(show(f.mdev, "guest_matrix"), "05.0006\n");
	fx_fini(&f);
}

TEST(control_domains_and_ap_config_show_formats)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, 0x0b) == 0);
	REQUIRE(apv_mdev_assign_control_domain(f.mdev, 0x02) == 0);
	CHECK_STR(show(f.mdev, "control_domains"), "0002\n000b\n");
	REQUIRE(apv_bus_store_mask(f.m, true, "-0", NULL, 0) == 0);
	REQUIRE(apv_mdev_assign_adapter(f.mdev, 0) == 0);
	REQUIRE(apv_mdev_assign_domain(f.mdev, 255) == 0);
	CHECK_STR(show(f.mdev, "ap_config"),
		  "0x8000000000000000000000000000000000000000000000000000000000000000,"
		  "0x0000000000000000000000000000000000000000000000000000000000000001,"
		  "0x2010000000000000000000000000000000000000000000000000000000000000\n");
	fx_fini(&f);
}

TEST(show_into_a_too_small_buffer_is_erange)
{
	struct fx f;
	char small[8];

	fx_init(&f);
	fx_assign(&f, f.mdev);
	CHECK_EQ(apv_mdev_show(f.mdev, "matrix", small, sizeof(small)), -ERANGE);
	CHECK_STR(small, "");
	CHECK_EQ(apv_mdev_show(f.mdev, "matrix", buf, sizeof(buf)), 32);
	fx_fini(&f);
}

TEST(ap_config_store_sets_all_three_masks)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init(&f);
	/* 0x is optional, short masks fill from the left (ID 0 first). */
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", "0x44,0a,0x001\n"), 0);
	apv_mdev_matrix(f.mdev, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, 1, 5, FX_NONE));
	CHECK(fx_mask_is(&aqm, 4, 6, FX_NONE));
	CHECK(fx_mask_is(&adm, 11, FX_NONE, FX_NONE));
	CHECK_STR(show(f.mdev, "guest_matrix"), "01.0004\n01.0006\n05.0004\n05.0006\n");
	/* Round trip: what show prints, store accepts. */
	show(f.mdev, "ap_config");
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", buf), 0);
	apv_mdev_matrix(f.mdev, &apm, NULL, NULL);
	CHECK(fx_mask_is(&apm, 1, 5, FX_NONE));
	/* Shrinking through ap_config unplugs. */
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", "0x40,0x08,0"), 0);
	CHECK_STR(show(f.mdev, "guest_matrix"), "01.0004\n");
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(ap_config_store_rolls_back_on_every_error)
{
	struct fx f;
	struct apv_mdev *d2;
	struct fx_opts o;
	char before[512], after[512];

	fx_opts_default(&o);
	o.hw.na = 20;
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_mdev_show(f.mdev, "ap_config", before, sizeof(before)) > 0);
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", "0x44,0x0a"), -EINVAL);   /* 2 masks */
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", "0x4g,0x0a,0"), -EINVAL); /* not hex */
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", ""), -EINVAL);
	CHECK_EQ(apv_mdev_store(
		     f.mdev, "ap_config",
		     "0x00000000000000000000000000000000000000000000000000000000000000000,0,0"),
		 -EINVAL);							/* 65 digits */
	CHECK_EQ(apv_mdev_store(f.mdev, "ap_config", "0x000004,0,0"), -ENODEV); /* APID 21 > Na */
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	CHECK_EQ(apv_mdev_store(d2, "ap_config", "0x40,0x08,0"), -EADDRINUSE);
	CHECK_EQ(apv_mdev_store(d2, "ap_config", "0x0000000000008,0,0"), -ENODEV); /* APID 48 */
	REQUIRE(apv_mdev_show(f.mdev, "ap_config", after, sizeof(after)) > 0);
	CHECK_STR(after, before);
	REQUIRE(apv_mdev_show(d2, "ap_config", after, sizeof(after)) > 0);
	CHECK_STR(after, "0x0000000000000000000000000000000000000000000000000000000000000000,"
			 "0x0000000000000000000000000000000000000000000000000000000000000000,"
			 "0x0000000000000000000000000000000000000000000000000000000000000000\n");
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(features_attribute_matches_the_kernel_driver)
{
	CHECK_STR(apv_matrix_features(), "guest_matrix hotplug ap_config");
}

TEST_MAIN
