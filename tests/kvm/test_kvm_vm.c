/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VM and vCPU basics: the effective facility list, the CRYCB format, VM
 * references and their accounting, vCPU registers and lifetime, and the
 * invariant checker's messages for each kind of leak.
 */
#include "kvm_fixture.h"
#include "kvm_hook.h"

static struct apv_vm *vm_with(struct fx *f, bool f12, bool f15, bool f65, bool f76)
{
	struct apv_vm_config c;

	memset(&c, 0, sizeof(c));
	if (f12)
		apv_fac_set(&c.fac, APV_FAC_QCI);
	if (f15)
		apv_fac_set(&c.fac, APV_FAC_APFT);
	if (f65)
		apv_fac_set(&c.fac, APV_FAC_AQIC);
	if (f76)
		apv_fac_set(&c.fac, APV_FAC_MSAX3);
	c.name = "other";
	return apv_vm_new(f->kvm, &c);
}

TEST(vm_default_config_requests_12_15_65_76)
{
	struct apv_vm_config c;

	apv_vm_config_default(&c);
	CHECK(apv_fac_test(&c.fac, 12));
	CHECK(apv_fac_test(&c.fac, 15));
	CHECK(apv_fac_test(&c.fac, 65));
	CHECK(apv_fac_test(&c.fac, 76));
	CHECK(!apv_fac_test(&c.fac, 0));
	CHECK(!c.pv);
	CHECK(!apv_fac_test(&c.fac, 256)); /* out of range is simply absent */
}

TEST(vm_facility_65_only_with_request_host_aiv_and_hardware_aqic)
{
	struct fx f;
	struct apv_vm *vm;

	fx_init(&f);
	CHECK(apv_vm_has_facility(f.vm, 65));
	vm = vm_with(&f, true, true, false, true);
	REQUIRE(vm);
	CHECK(!apv_vm_has_facility(vm, 65)); /* not requested */
	CHECK(apv_vm_has_facility(vm, 12));
	CHECK(apv_fac_test(apv_vm_facilities(vm), 15));
	apv_vm_put(vm);
	fx_fini(&f);
}

TEST(vm_facilities_the_machine_lacks_are_not_offered)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.qci = false;
	o.hw.apft = false;
	fx_init_opts(&f, &o);
	CHECK(!apv_vm_has_facility(f.vm, APV_FAC_QCI));
	CHECK(!apv_vm_has_facility(f.vm, APV_FAC_APFT));
	CHECK(apv_vm_has_facility(f.vm, APV_FAC_AQIC));
	CHECK(apv_vm_has_facility(f.vm, APV_FAC_MSAX3));
	fx_fini(&f);
}

TEST(vm_facility_65_kept_without_use_gisa_but_vm_has_no_gisa)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.kvm.use_gisa = false;
	fx_init_opts(&f, &o);
	/* Like the kernel: 65 follows AIV, the GISA follows use_gisa. */
	CHECK(apv_vm_has_facility(f.vm, APV_FAC_AQIC));
	CHECK_EQ(apv_vm_gisa(f.vm), 0);
	fx_fini(&f);
}

TEST(vm_crycb_format_follows_facility_76_and_host_apxa)
{
	struct fx f;
	struct fx_opts o;
	struct apv_vm *vm;

	fx_init(&f);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 2);
	vm = vm_with(&f, true, true, true, false);
	REQUIRE(vm);
	CHECK_EQ(apv_vm_crycb_format(vm), 0);
	apv_vm_put(vm);
	fx_fini(&f);

	fx_opts_default(&o);
	o.hw.apxa = false;
	o.hw.na = 63;
	o.hw.nd = 15;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 1);
	fx_fini(&f);

	/* kvm_s390_apxa_installed() reads APXA from QCI: no facility 12, no format 2. */
	fx_opts_default(&o);
	o.hw.qci = false;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 1);
	fx_fini(&f);
}

TEST(vm_name_copied_and_defaulted)
{
	struct fx f;
	char name[16] = "temporary";
	struct apv_vm_config c;
	struct apv_vm *vm;

	fx_init(&f);
	CHECK_STR(apv_vm_name(f.vm), "guest");
	apv_vm_config_default(&c);
	c.name = name;
	vm = apv_vm_new(f.kvm, &c);
	REQUIRE(vm);
	strcpy(name, "changed");
	CHECK_STR(apv_vm_name(vm), "temporary");
	CHECK(apv_vm_kvm(vm) == f.kvm);
	apv_vm_put(vm);
	vm = apv_vm_new(f.kvm, NULL);
	REQUIRE(vm);
	CHECK(apv_vm_name(vm) != NULL && apv_vm_name(vm)[0] != '\0');
	apv_vm_put(vm);
	CHECK(apv_vm_new(NULL, NULL) == NULL);
	CHECK(apv_vcpu_new(NULL, 0) == NULL);
	fx_fini(&f);
}

TEST(vm_references_counted_in_account)
{
	struct fx f;
	struct apv_balance b;
	struct apv_account *a;

	fx_init(&f);
	a = apv_kvm_account(f.kvm);
	apv_account_balance(a, &b);
	CHECK_EQ(b.vm_refs, 1);
	apv_vm_get(f.vm);
	apv_vm_get(f.vm);
	apv_account_balance(a, &b);
	CHECK_EQ(b.vm_refs, 3);
	apv_vm_put(f.vm);
	apv_vm_put(f.vm);
	apv_account_balance(a, &b);
	CHECK_EQ(b.vm_refs, 1);
	fx_fini(&f);
}

TEST(vcpu_keeps_its_vm_alive)
{
	struct fx f;
	struct apv_vm *vm;
	struct apv_vcpu *v;

	fx_init(&f);
	vm = apv_vm_new(f.kvm, NULL);
	REQUIRE(vm);
	v = apv_vcpu_new(vm, 3);
	REQUIRE(v);
	apv_vm_put(vm); /* the creator's reference goes first */
	CHECK(apv_vcpu_vm(v) == vm);
	CHECK_EQ(apv_vcpu_id(v), 3);
	CHECK_STR(apv_vm_name(apv_vcpu_vm(v)), apv_vm_name(vm));
	apv_vcpu_free(v); /* frees the VM; ASan would see a leak otherwise */
	fx_fini(&f);
}

TEST(vcpu_registers_psw_and_stats_start_clear)
{
	struct fx f;
	struct apv_vcpu_stats st;

	fx_init(&f);
	for (int i = 0; i < 16; i++)
		CHECK_U64(f.r->gr[i], 0);
	CHECK(!f.psw->problem_state);
	CHECK_EQ(f.psw->cc, 0);
	CHECK_EQ(apv_vcpu_cr6(f.v), 0);
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.exits + st.pgm + st.interpreted + st.interrupts + st.pqap_intercepts, 0);
	fx_fini(&f);
}

TEST(vcpu_result_is_exactly_one_kind_and_counted)
{
	struct fx f;
	struct apv_vcpu_stats st;

	fx_init(&f);
	CHECK_DONE(fx_pqap(&f, apv_gr0_pqap(APV_FC_TAPQ, 0x0102, false, false), 0, 0), 0);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(0x2A, 0, false, false), 0, 0), APV_PGM_SPECIFICATION);
	apv_vm_set_apie(f.vm, false);
	CHECK_EXIT(fx_pqap(&f, apv_gr0_pqap(APV_FC_TAPQ, 0x0102, false, false), 0, 0));
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.interpreted, 2);
	CHECK_EQ(st.pgm, 1);
	CHECK_EQ(st.exits, 1);
	fx_fini(&f);
}

/* ---- apv_kvm_check ------------------------------------------------------------------- */

TEST(kvm_check_passes_with_balanced_live_resources)
{
	struct fx f;
	struct test_hook h;
	char err[256];
	uint64_t host;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 6), 5);
	CHECK_EQ(apv_vm_pin(f.vm, 0x1000, &host), 0);
	apv_vm_get(f.vm);
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(apv_kvm_check(f.kvm, NULL, 0), 0);
	apv_vm_put(f.vm);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), 0);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(kvm_check_reports_isc_registration_leaked_by_freed_vm)
{
	struct fx f;
	struct apv_vm *vm;
	char err[256];

	fx_init(&f);
	vm = apv_vm_new(f.kvm, NULL);
	REQUIRE(vm);
	CHECK_EQ(apv_vm_gisc_register(vm, 6), 5);
	apv_vm_put(vm);
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "ISC") != NULL);
	apv_account_inc(apv_kvm_account(f.kvm), APV_ACCT_ISC_UNREGS);
	fx_fini(&f);
}

TEST(kvm_check_reports_hook_left_published_on_freed_vm)
{
	struct fx f;
	struct apv_vm *vm;
	struct test_hook h;
	char err[256];

	fx_init(&f);
	vm = apv_vm_new(f.kvm, NULL);
	REQUIRE(vm);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(vm, &h.hook);
	apv_vm_put(vm);
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "hook") != NULL);
	apv_account_inc(apv_kvm_account(f.kvm), APV_ACCT_HOOK_CLEARS);
	fx_fini(&f);
}

TEST(kvm_check_reports_vm_reference_imbalance_and_negative_counts)
{
	struct fx f;
	char err[256];
	struct apv_account *a;

	fx_init(&f);
	a = apv_kvm_account(f.kvm);
	apv_account_inc(a, APV_ACCT_VM_GETS); /* a reference the VMs do not hold */
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "VM references") != NULL);
	apv_account_inc(a, APV_ACCT_VM_PUTS);
	apv_account_inc(a, APV_ACCT_UNPINS); /* more unpins than pins */
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "negative") != NULL);
	apv_account_inc(a, APV_ACCT_PINS);
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), 0);
	fx_fini(&f);
}

TEST(kvm_accessors_and_host_irq_handler_reset)
{
	struct fx f;

	fx_init(&f);
	CHECK(apv_kvm_hw(f.kvm) == f.hw);
	CHECK(apv_kvm_clock(f.kvm) == f.clk);
	CHECK(apv_kvm_host_storage(f.kvm) != NULL);
	CHECK_EQ(apv_kvm_gal_interrupts(f.kvm), 0);
	CHECK(apv_kvm_new(NULL, NULL) == NULL);
	apv_kvm_free(NULL);
	fx_fini(&f);
}

TEST_MAIN
