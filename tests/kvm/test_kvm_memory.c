/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory: memslot validation, guest storage across slots, NIB page
 * pinning with per-page counts (and its errors), the host storage that
 * accepts only pinned pages, and protected-guest page sharing.
 */
#include <stdlib.h>

#include "kvm_fixture.h"

#include <apvirt/testing.h>

TEST(memslot_rejects_unaligned_empty_wrapping_and_overlapping)
{
	struct fx f;

	fx_init(&f);
	CHECK_EQ(apv_vm_add_memslot(f.vm, 0x200000, 0, NULL), -EINVAL);
	CHECK_EQ(apv_vm_add_memslot(f.vm, 0x200001, 4096, NULL), -EINVAL);
	CHECK_EQ(apv_vm_add_memslot(f.vm, 0x200000, 100, NULL), -EINVAL);
	CHECK_EQ(apv_vm_add_memslot(f.vm, UINT64_MAX - 4095, 8192, NULL), -EINVAL);
	CHECK_EQ(apv_vm_add_memslot(f.vm, 0, 4096, NULL), -EEXIST);
	CHECK_EQ(apv_vm_add_memslot(f.vm, FX_MEM - 4096, 8192, NULL), -EEXIST);
	CHECK_EQ(apv_vm_add_memslot(f.vm, FX_MEM, 4096, NULL), 0);
	fx_fini(&f);
}

/* gpa + size is 2^64 for a slot ending at the top: it wraps to 0 in a naive overlap test. */
TEST(memslot_overlap_detected_for_slots_ending_at_the_top_of_the_address_space)
{
	struct fx f;
	const uint64_t top = UINT64_MAX - 4095;

	fx_init(&f);
	CHECK_EQ(apv_vm_add_memslot(f.vm, top, 4096, NULL), 0);
	CHECK_EQ(apv_vm_add_memslot(f.vm, top, 4096, NULL), -EEXIST);
	CHECK_EQ(apv_vm_add_memslot(f.vm, top - 4096, 8192, NULL), -EEXIST);
	CHECK_EQ(apv_vm_add_memslot(f.vm, top - 4096, 4096, NULL), 0);
	fx_fini(&f);
}

TEST(memslot_table_full_enospc)
{
	struct fx f;
	int rc = 0;
	unsigned i;

	fx_init(&f);
	for (i = 1; i < 64 && rc == 0; i++)
		rc = apv_vm_add_memslot(f.vm, (uint64_t)i << 24, 4096, NULL);
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(i - 1, 32); /* 31 more slots fit after the fixture's, the 33rd does not */
	fx_fini(&f);
}

TEST(guest_storage_spans_adjacent_slots_and_faults_outside)
{
	struct fx f;
	uint8_t *own = aligned_alloc(4096, 8192);
	uint8_t in[32], out[32];
	const struct apv_storage *st;

	REQUIRE(own);
	memset(own, 0, 8192);
	fx_init(&f);
	st = apv_vm_storage(f.vm);
	CHECK_EQ(apv_vm_add_memslot(f.vm, FX_MEM, 8192, own), 0);
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i + 1);
	CHECK_EQ(apv_storage_write(st, FX_MEM - 16, in, sizeof(in)), 0);
	CHECK_EQ(apv_storage_read(st, FX_MEM - 16, out, sizeof(out)), 0);
	CHECK_MEM(in, out, sizeof(in));
	CHECK_EQ(own[0], 17); /* caller-owned memory backs the second slot */
	CHECK(apv_vm_hva(f.vm, FX_MEM) == own);
	/* Past the end, partly or wholly: nothing is written. */
	memset(out, 0xEE, sizeof(out));
	CHECK_EQ(apv_storage_write(st, FX_MEM + 8192 - 16, out, sizeof(out)), -EFAULT);
	CHECK_EQ(own[8192 - 16], 0);
	CHECK_EQ(apv_storage_read(st, UINT64_MAX - 8, out, 16), -EFAULT);
	CHECK(apv_vm_hva(f.vm, FX_MEM + 8192) == NULL);
	fx_fini(&f);
	free(own);
}

TEST(pin_counts_per_page_and_host_address_of_gpa)
{
	struct fx f;
	uint64_t h1, h2, h3;
	struct apv_balance b;

	fx_init(&f);
	CHECK_EQ(apv_vm_pin(f.vm, 0x1234, &h1), 0);
	CHECK_U64(h1, (uint64_t)(uintptr_t)apv_vm_hva(f.vm, 0x1234));
	CHECK_EQ(apv_vm_pin(f.vm, 0x1FFF, &h2), 0); /* same page */
	CHECK_EQ(apv_vm_pin(f.vm, 0x5000, &h3), 0);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 2);
	apv_account_balance(apv_kvm_account(f.kvm), &b);
	CHECK_EQ(b.pins, 3);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 2);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 1);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x5FFF), 0);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 0);
	apv_account_balance(apv_kvm_account(f.kvm), &b);
	CHECK_EQ(b.pins, 0);
	fx_fini(&f);
}

TEST(unbalanced_unpin_einval_and_count_not_wrapped)
{
	struct fx f;
	uint64_t h;

	fx_init(&f);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), -EINVAL);
	CHECK_EQ(apv_vm_unpin(f.vm, FX_MEM + 0x1000), -EINVAL); /* outside memory */
	CHECK_EQ(apv_vm_pin(f.vm, 0x1000, &h), 0);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), -EINVAL);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 0);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_UNPINS), 1);
	fx_fini(&f);
}

TEST(pin_outside_memory_or_unpinnable_efault)
{
	struct fx f;
	uint64_t h = 0x77;

	fx_init(&f);
	CHECK_EQ(apv_vm_pin(f.vm, FX_MEM, &h), -EFAULT);
	CHECK_EQ(apv_vm_pin(f.vm, UINT64_MAX, &h), -EFAULT);
	CHECK_U64(h, 0x77);
	CHECK_EQ(apv_vm_set_unpinnable(f.vm, 0x3000, true), 0);
	CHECK_EQ(apv_vm_pin(f.vm, 0x3008, &h), -EFAULT);
	CHECK_EQ(apv_vm_pin(f.vm, 0x4000, &h), 0); /* the next page is fine */
	CHECK_EQ(apv_vm_unpin(f.vm, 0x4000), 0);
	CHECK_EQ(apv_vm_set_unpinnable(f.vm, 0x3000, false), 0);
	CHECK_EQ(apv_vm_pin(f.vm, 0x3008, &h), 0);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x3008), 0);
	CHECK_EQ(apv_vm_set_unpinnable(f.vm, FX_MEM, true), -EFAULT);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_PINS), 2);
	fx_fini(&f);
}

TEST(host_storage_accepts_only_currently_pinned_pages)
{
	struct fx f;
	const struct apv_storage *hs;
	uint64_t h;
	uint8_t b = 0xAB, r = 0;
	uint8_t big[8192];
	uint8_t *p;

	fx_init(&f);
	hs = apv_kvm_host_storage(f.kvm);
	p = apv_vm_hva(f.vm, 0x2000);
	/* Not pinned: refused. */
	CHECK_EQ(apv_storage_write(hs, (uint64_t)(uintptr_t)p, &b, 1), -EFAULT);
	CHECK_EQ(apv_vm_pin(f.vm, 0x2010, &h), 0);
	CHECK_EQ(apv_storage_write(hs, h, &b, 1), 0);
	CHECK_EQ(p[0x10], 0xAB);
	CHECK_EQ(apv_storage_read(hs, h, &r, 1), 0);
	CHECK_EQ(r, 0xAB);
	/* A range running into the next, unpinned page is refused as a whole. */
	memset(big, 0x11, sizeof(big));
	CHECK_EQ(apv_storage_write(hs, h, big, 4096), -EFAULT);
	CHECK_EQ(p[0x10], 0xAB);
	/* Addresses that are no guest memory at all. */
	CHECK_EQ(apv_storage_write(hs, 0x1000, &b, 1), -EFAULT);
	CHECK_EQ(apv_storage_read(hs, (uint64_t)(uintptr_t)big, &r, 1), -EFAULT);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x2010), 0);
	CHECK_EQ(apv_storage_write(hs, h, &b, 1), -EFAULT);
	fx_fini(&f);
}

TEST(pv_pages_secure_unless_shared)
{
	struct fx f;
	struct fx_opts o;
	const struct apv_storage *hs;
	uint64_t h;
	uint8_t b = 1;

	fx_opts_default(&o);
	o.vm.pv = true;
	fx_init_opts(&f, &o);
	hs = apv_kvm_host_storage(f.kvm);
	CHECK(apv_vm_is_protected(f.vm));
	CHECK(!apv_vm_pv_is_shared(f.vm, 0x1000));
	CHECK_EQ(apv_vm_pv_set_shared(f.vm, 0x1000, true), 0);
	CHECK(apv_vm_pv_is_shared(f.vm, 0x1FFF));
	CHECK(!apv_vm_pv_is_shared(f.vm, 0x2000));
	/* The host reaches a pinned page only while it is shared. */
	CHECK_EQ(apv_vm_pin(f.vm, 0x1000, &h), 0);
	CHECK_EQ(apv_storage_write(hs, h, &b, 1), 0);
	CHECK_EQ(apv_vm_pv_set_shared(f.vm, 0x1000, false), 0);
	CHECK(!apv_vm_pv_is_shared(f.vm, 0x1000));
	CHECK_EQ(apv_storage_write(hs, h, &b, 1), -EFAULT);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_pv_set_shared(f.vm, FX_MEM, true), -EFAULT);
	CHECK(!apv_vm_pv_is_shared(f.vm, FX_MEM));
	fx_fini(&f);
}

TEST(pv_sharing_meaningless_for_unprotected_guest)
{
	struct fx f;

	fx_init(&f);
	CHECK(!apv_vm_is_protected(f.vm));
	CHECK_EQ(apv_vm_pv_set_shared(f.vm, 0x1000, true), -EINVAL);
	CHECK(apv_vm_pv_is_shared(f.vm, 0x1000));
	CHECK(!apv_vm_pv_is_shared(f.vm, FX_MEM));
	fx_fini(&f);
}

TEST(kvm_check_catches_pins_leaked_by_a_freed_vm)
{
	struct fx f;
	struct apv_vm *vm2;
	char err[256];
	uint64_t h;

	fx_init(&f);
	vm2 = apv_vm_new(f.kvm, NULL);
	REQUIRE(vm2);
	REQUIRE(apv_vm_add_memslot(vm2, 0, 65536, NULL) == 0);
	CHECK_EQ(apv_vm_pin(vm2, 0x1000, &h), 0);
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), 0);
	apv_vm_put(vm2); /* torn down with a page still pinned */
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "pinned") != NULL);
	/* Square the account by hand so the fixture's own checks hold. */
	apv_account_inc(apv_kvm_account(f.kvm), APV_ACCT_UNPINS);
	fx_fini(&f);
}

TEST(vm_stats_count_every_successful_pin_unpin_and_gisc_registration)
{
	struct fx f;
	struct apv_vm_stats st;
	uint64_t h;

	fx_init(&f);
	CHECK_EQ(apv_vm_pin(f.vm, 0x1000, &h), 0);
	CHECK_EQ(apv_vm_pin(f.vm, 0x1000, &h), 0);
	CHECK_EQ(apv_vm_pin(f.vm, FX_MEM + 0x1000, &h), -EFAULT); /* failed: not counted */
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x5000), -EINVAL);
	REQUIRE(apv_vm_gisc_register(f.vm, 3) >= 0);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 3), 0);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 3), -EINVAL);
	apv_vm_stats(f.vm, &st);
	CHECK_U64(st.pins, 2);
	CHECK_U64(st.unpins, 1);
	CHECK_U64(st.gisc_regs, 1);
	CHECK_U64(st.gisc_unregs, 1);
	/* The balance is the difference; the counts only grow. */
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	apv_vm_stats(f.vm, &st);
	CHECK_U64(st.unpins, 2);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 0);
	fx_fini(&f);
}

TEST_MAIN
