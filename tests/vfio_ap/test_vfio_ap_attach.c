/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attach and detach (VFIO open/close), one mdev per VM, the teardown order,
 * mdev remove while attached (request notification), the VFIO device
 * ioctls and DMA unmap.
 */
#include "vfio_fixture.h"

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;
static const apv_apqn_t Q2 = (FX_A2 << 8) | FX_D2;

static struct apv_balance bal(struct fx *f)
{
	struct apv_balance b;

	fx_balance(f, &b);
	return b;
}

TEST(attach_publishes_hook_programs_shadow_and_takes_one_vm_reference)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	CHECK(apv_vm_pqap_hook(f.vm) == NULL);
	fx_attach(&f);
	CHECK(apv_mdev_vm(f.mdev) == f.vm);
	CHECK(apv_vm_pqap_hook(f.vm) != NULL);
	CHECK_EQ(bal(&f).hooks, 1);
	CHECK_EQ(bal(&f).vm_refs, 2);
	apv_vm_get_masks(f.vm, &apm, &aqm, &adm);
	CHECK(fx_mask_is(&apm, FX_A1, FX_A2, FX_NONE));
	CHECK(fx_mask_is(&aqm, FX_D1, FX_D2, FX_NONE));
	CHECK(fx_mask_is(&adm, FX_CD, FX_NONE, FX_NONE));
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "in use");
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(second_mdev_for_same_vm_is_eperm_and_never_touches_the_hook)
{
	struct fx f;
	struct apv_mdev *d2;
	struct apv_pqap_hook *h;
	long sets;

	fx_init_attached(&f);
	h = apv_vm_pqap_hook(f.vm);
	sets = apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_SETS);
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	REQUIRE(apv_mdev_assign_adapter(d2, FX_A3) == 0);
	CHECK_EQ(apv_mdev_attach(d2, f.vm), -EPERM);
	/* The kernel publishes first and checks second; here the hook never moved. */
	CHECK(apv_vm_pqap_hook(f.vm) == h);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_SETS), sets);
	CHECK(apv_mdev_vm(d2) == NULL);
	CHECK_EQ(bal(&f).vm_refs, 2);
	/* The first mdev still serves the guest. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(attach_twice_is_ebusy_and_bad_arguments_einval)
{
	struct fx f;
	struct fx_opts o;
	struct fx g;

	fx_init(&f);
	fx_attach(&f);
	CHECK_EQ(apv_mdev_attach(f.mdev, f.vm), -EBUSY);
	CHECK_EQ(apv_mdev_attach(f.mdev, NULL), -EINVAL);
	CHECK_EQ(apv_mdev_attach(NULL, f.vm), -EINVAL);
	/* A VM of another host. */
	fx_opts_default(&o);
	fx_init_opts(&g, &o);
	CHECK_EQ(apv_mdev_attach(g.mdev, f.vm), -EINVAL);
	CHECK_EQ(bal(&f).vm_refs, 2);
	fx_fini(&g);
	fx_fini(&f);
}

TEST(attach_refused_when_a_foreign_hook_owns_the_vm)
{
	struct fx f;
	struct apv_pqap_hook other = {0};

	fx_init(&f);
	apv_vm_set_pqap_hook(f.vm, &other);
	CHECK_EQ(apv_mdev_attach(f.mdev, f.vm), -EPERM);
	CHECK(apv_vm_pqap_hook(f.vm) == &other);
	apv_vm_set_pqap_hook(f.vm, NULL);
	CHECK_EQ(bal(&f).vm_refs, 1);
	fx_fini(&f);
}

TEST(detach_clears_hook_masks_resets_queues_frees_irqs_drops_vm_ref)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;
	uint64_t z;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q2, FX_NIB2, 6), 0);
	fx_settle(&f);
	FX_BALANCE(&f, 2, 2, 2);
	z = fx_resets(&f);
	apv_mdev_detach(f.mdev);
	CHECK(apv_vm_pqap_hook(f.vm) == NULL);
	CHECK_EQ(bal(&f).hooks, 0);
	apv_vm_get_masks(f.vm, &apm, &aqm, &adm);
	CHECK(apv_mask_empty(&apm) && apv_mask_empty(&aqm) && apv_mask_empty(&adm));
	/* Every linked queue (2 adapters x 2 domains) was zeroized. */
	CHECK_EQ(fx_resets(&f) - z, 4);
	CHECK(!fx_hw_irq(&f, Q) && !fx_hw_irq(&f, Q2));
	FX_BALANCE(&f, 0, 0, 1);
	CHECK(apv_mdev_vm(f.mdev) == NULL);
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "assigned");
	/* A guest AQIC now gets KVM's own RC01. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 1);
	FX_CHECK(&f);
	fx_fini(&f);
}

/*
 * Invariants 2, 3 and 9: the teardown clears the hook first, then the
 * masks, then resets the queues (their NIB pins and ISCs go only once the
 * reset is verified) and drops the VM reference last. A timer on the
 * virtual clock fires while the detach waits for the first reset and
 * records what had already happened at that moment.
 */
struct teardown_probe {
	struct fx *f;
	struct apv_timer timer;
	bool fired, hook_gone, masks_empty;
	struct apv_balance b;
	unsigned pinned_pages;
};

static void probe_teardown(void *arg)
{
	struct teardown_probe *p = arg;
	struct apv_mask apm, aqm, adm;

	/* Runs inside the detach (mdevs_lock held): only KVM and account reads here. */
	p->fired = true;
	p->hook_gone = apv_vm_pqap_hook(p->f->vm) == NULL;
	apv_vm_get_masks(p->f->vm, &apm, &aqm, &adm);
	p->masks_empty = apv_mask_empty(&apm) && apv_mask_empty(&aqm) && apv_mask_empty(&adm);
	apv_account_balance(apv_kvm_account(p->f->kvm), &p->b);
	p->pinned_pages = apv_vm_pinned_pages(p->f->vm);
}

TEST(detach_order_hook_then_masks_then_resets_then_irq_resources_then_vm_reference)
{
	struct fx f;
	struct teardown_probe p = {0};

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	FX_BALANCE(&f, 1, 1, 2);
	p.f = &f;
	apv_timer_init(&p.timer, probe_teardown, &p);
	apv_clock_arm(f.clk, &p.timer, apv_clock_now(f.clk) + 1);
	apv_mdev_detach(f.mdev);
	REQUIRE(p.fired);
	CHECK(p.hook_gone);
	CHECK(p.masks_empty);
	/* A reset is still being verified: the pin and ISC are held, and the VM reference too. */
	CHECK_EQ(p.b.pins, 1);
	CHECK_EQ(p.b.isc_regs, 1);
	CHECK_EQ(p.pinned_pages, 1);
	CHECK_EQ(p.b.vm_refs, 2);
	FX_BALANCE(&f, 0, 0, 1);
	fx_fini(&f);
}

TEST(detach_is_idempotent)
{
	struct fx f;
	uint64_t z;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	apv_mdev_detach(f.mdev); /* never attached */
	fx_attach(&f);
	apv_mdev_detach(f.mdev);
	z = fx_resets(&f);
	apv_mdev_detach(f.mdev);
	apv_mdev_detach(f.mdev);
	CHECK_EQ(fx_resets(&f), z);
	FX_BALANCE(&f, 0, 0, 1);
	CHECK_EQ(bal(&f).hooks, 0);
	/* And it can be attached again afterwards. */
	fx_attach(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

TEST(detach_drops_the_vm_reference_last_when_it_is_the_final_one)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	/* The test lets go of the VM: the mdev's reference keeps it alive. */
	apv_vcpu_free(f.v);
	apv_vm_put(f.vm);
	FX_BALANCE(&f, 1, 1, 1);
	/* Unregistering the ISC and unpinning happen before the final put frees the VM. */
	apv_mdev_detach(f.mdev);
	FX_BALANCE(&f, 0, 0, 0);
	CHECK_EQ(apv_kvm_check(f.kvm, NULL, 0), 0);
	CHECK_EQ(apv_matrix_check(f.m, NULL, 0), 0);
	apv_matrix_free(f.m);
	apv_kvm_free(f.kvm);
	apv_hw_free(f.hw);
	apv_clock_free(f.clk);
}

struct req_ctx {
	int calls;
	bool detach;
	bool attached_during;
};

static void on_request(void *ctx, struct apv_mdev *mdev)
{
	struct req_ctx *c = ctx;

#ifdef APV_DEBUG_LOCKS
	/* User space is called with no lock of the stack held: it may detach. */
	CHECK(!apv_lockorder_held(APV_LOCK_GUESTS) && !apv_lockorder_held(APV_LOCK_VM) &&
	      !apv_lockorder_held(APV_LOCK_MDEVS));
#endif
	c->calls++;
	c->attached_during = apv_mdev_vm(mdev) != NULL;
	if (c->detach)
		apv_mdev_detach(mdev);
}

TEST(remove_while_attached_requests_release_then_forces_teardown)
{
	struct fx f;
	struct req_ctx c = {0};
	int req = eventfd(0, EFD_NONBLOCK), cfg = eventfd(0, EFD_NONBLOCK);
	struct apv_matrix_stats s;

	REQUIRE(req >= 0 && cfg >= 0);
	fx_init_attached(&f);
	REQUIRE(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_REQ_IRQ_INDEX, req) == 0);
	REQUIRE(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_CFG_CHG_IRQ_INDEX, cfg) == 0);
	apv_mdev_set_request_handler(f.mdev, on_request, &c);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	f.mdev = NULL;
	CHECK_EQ(c.calls, 1);
	CHECK(c.attached_during);	       /* user space ignored it ... */
	CHECK_EQ(fx_eventfd_take(req), 1);     /* ... the request was signalled once */
	CHECK_EQ(fx_eventfd_take(cfg), 1);     /* the guest lost its queues */
	CHECK(apv_vm_pqap_hook(f.vm) == NULL); /* ... and the teardown was forced */
	FX_BALANCE(&f, 0, 0, 1);
	apv_matrix_stats(f.m, &s);
	CHECK_EQ(s.req_notifications, 1);
	CHECK(apv_mdev_find(f.m, FX_UUID1) == NULL);
	close(req);
	close(cfg);
	fx_fini(&f);
}

TEST(remove_while_attached_user_space_detaches_from_the_request)
{
	struct fx f;
	struct req_ctx c = {.detach = true};

	fx_init_attached(&f);
	apv_mdev_set_request_handler(f.mdev, on_request, &c);
	CHECK_AQIC(&f, fx_enable(&f, Q2, FX_NIB, 6), 0);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	CHECK_EQ(c.calls, 1);
	FX_BALANCE(&f, 0, 0, 1);
	CHECK_EQ(bal(&f).hooks, 0);
	fx_fini(&f);
}

TEST(remove_unattached_mdev_sends_no_request_and_zeroizes_its_queues)
{
	struct fx f;
	struct req_ctx c = {0};
	uint64_t z;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	apv_mdev_set_request_handler(f.mdev, on_request, &c);
	z = fx_resets(&f);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	CHECK_EQ(c.calls, 0);
	CHECK_EQ(fx_resets(&f) - z, 4);
	/* The queues are free for another mdev now. */
	CHECK_STR(apv_matrix_queue_status(f.m, Q), "unassigned");
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &f.mdev) == 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, FX_D1), 0);
	fx_fini(&f);
}

TEST(vfio_device_info_and_irq_info)
{
	struct fx f;
	struct apv_vfio_device_info di;
	struct apv_vfio_irq_info ii;

	fx_init(&f);
	apv_mdev_get_info(f.mdev, &di);
	CHECK_EQ(di.flags, APV_VFIO_DEVICE_FLAGS_AP | APV_VFIO_DEVICE_FLAGS_RESET);
	CHECK_EQ(di.num_regions, 0);
	CHECK_EQ(di.num_irqs, 2);
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(apv_mdev_get_irq_info(f.mdev, i, &ii), 0);
		CHECK_EQ(ii.index, i);
		CHECK_EQ(ii.flags, APV_VFIO_IRQ_INFO_EVENTFD);
		CHECK_EQ(ii.count, 1);
	}
	CHECK_EQ(apv_mdev_get_irq_info(f.mdev, 2, &ii), -EINVAL);
	fx_fini(&f);
}

TEST(set_irqs_installs_and_clears_eventfds_and_rejects_bad_input)
{
	struct fx f;
	int cfg = eventfd(0, EFD_NONBLOCK);

	REQUIRE(cfg >= 0);
	fx_init(&f);
	CHECK_EQ(apv_mdev_set_irqs(f.mdev, 2, cfg), -EINVAL);
	CHECK_EQ(apv_mdev_set_irqs(f.mdev, 0, -2), -EINVAL);
	CHECK_EQ(apv_mdev_set_irqs(f.mdev, 0, 987654), -EINVAL); /* not an open descriptor */
	CHECK_EQ(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_CFG_CHG_IRQ_INDEX, cfg), 0);
	fx_attach(&f); /* programming the guest's masks is a configuration change */
	CHECK_EQ(fx_eventfd_take(cfg), 1);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(fx_eventfd_take(cfg), 1);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, FX_D1), 0);
	CHECK_EQ(fx_eventfd_take(cfg), 1); /* the domain made 01.0004 appear */
	CHECK_EQ(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_CFG_CHG_IRQ_INDEX, -1), 0);
	CHECK_EQ(apv_mdev_assign_domain(f.mdev, FX_D2), 0);
	CHECK_EQ(fx_eventfd_take(cfg), 0);
	close(cfg);
	fx_fini(&f);
}

TEST(dma_unmap_of_the_nib_page_disables_that_queue_only)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB + 0x10, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q2, FX_NIB2, 6), 0);
	fx_settle(&f);
	apv_mdev_dma_unmap(f.mdev, 0x8000, 0x1000); /* elsewhere */
	apv_mdev_dma_unmap(f.mdev, FX_NIB, 0);	    /* empty */
	FX_BALANCE(&f, 2, 2, 2);
	apv_mdev_dma_unmap(f.mdev, FX_NIB, 0x1000);
	CHECK(!fx_hw_irq(&f, Q));
	CHECK(fx_hw_irq(&f, Q2));
	CHECK_EQ(fx_qinfo(&f, f.mdev, Q).saved_nib, 0);
	FX_BALANCE(&f, 1, 1, 2);
	/* A range running off the top of the address space still matches. */
	apv_mdev_dma_unmap(f.mdev, 0x5000, UINT64_MAX);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

/* A NIB in the last page of the address space: page + 4096 wraps to 0. */
TEST(dma_unmap_matches_a_nib_in_the_top_page_of_the_address_space)
{
	struct fx f;
	const uint64_t top = UINT64_MAX - 4095;

	fx_init_attached(&f);
	REQUIRE(apv_vm_add_memslot(f.vm, top, 4096, NULL) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, top + 0x10, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q2, UINT64_MAX, 6), 0);
	fx_settle(&f);
	FX_BALANCE(&f, 2, 2, 2);
	/* iova + len wraps to exactly 0. */
	apv_mdev_dma_unmap(f.mdev, top, 4096);
	CHECK(!fx_hw_irq(&f, Q));
	CHECK(!fx_hw_irq(&f, Q2));
	FX_BALANCE(&f, 0, 0, 2);
	/* The whole address space in one range. */
	CHECK_AQIC(&f, fx_enable(&f, Q, top, 6), 0);
	fx_settle(&f);
	apv_mdev_dma_unmap(f.mdev, 0, UINT64_MAX);
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(device_reset_zeroizes_every_queue_frees_irqs_and_keeps_the_guest_attached)
{
	struct fx f;
	uint64_t z;
	struct apv_hw_fault_spec cs = {.kind = APV_FAULT_CHECKSTOP};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	z = fx_resets(&f);
	CHECK_EQ(apv_mdev_reset(f.mdev), 0);
	CHECK_EQ(fx_resets(&f) - z, 4);
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	CHECK(apv_mdev_vm(f.mdev) == f.vm);
	/* The guest may enable again right away. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	/* A queue that does not end the reset normally makes the reset -EIO. */
	REQUIRE(apv_hw_inject(f.hw, Q2, &cs) == 0);
	CHECK_EQ(apv_mdev_reset(f.mdev), -EIO);
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_inject(f.hw, Q2, &none) == 0);
	fx_fini(&f);
}

TEST_MAIN
