/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interruption routes: a reply reaches its VM through what the AQIC
 * resolved (the NIB page's host address, the VM's GISA) without looking
 * at any other VM, and the route's lifetime follows the NIB pin through
 * disable, a disable that does not take, reset, detach, DMA unmap of the
 * NIB (what removing guest memory does) and conversion to protected.
 */
#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

#include <apvirt/testing.h>

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;  /* 01.0004 */
static const apv_apqn_t Q2 = (FX_A2 << 8) | FX_D2; /* 05.0006 */

struct irq_log {
	unsigned n;
	uint32_t word;
};

static void vcpu_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	struct irq_log *l = ctx;

	(void)vcpu;
	l->n++;
	l->word = int_word;
}

/* The fixture's vCPU in SIE with every ISC enabled, counting its adapter interruptions. */
static void vcpu_ready(struct fx *f, struct irq_log *log)
{
	memset(log, 0, sizeof(*log));
	apv_vcpu_set_irq_handler(f->v, vcpu_irq, log);
	apv_vcpu_psw(f->v)->io_enabled = true;
	apv_vcpu_set_cr6(f->v, 0xFF);
	apv_vcpu_set_running(f->v, true);
}

static void vcpu_stop(struct fx *f)
{
	apv_vcpu_set_running(f->v, false);
	apv_vcpu_set_irq_handler(f->v, NULL, NULL);
}

static uint8_t nib_byte(struct fx *f, uint64_t gpa)
{
	return *(volatile uint8_t *)apv_vm_hva(f->vm, gpa);
}

static void nib_clear(struct fx *f, uint64_t gpa)
{
	*(volatile uint8_t *)apv_vm_hva(f->vm, gpa) = 0;
}

/* Put one request on the host queue (as the guest's NQAP would); its reply comes reply_ns later. */
static void send(struct fx *f, apv_apqn_t q)
{
	uint8_t msg[64];
	struct apv_flat_storage fs = {.mem = msg, .base = 0, .size = sizeof(msg)};
	struct apv_storage st = apv_flat_storage(&fs);
	struct apv_regs r = {0};

	memset(msg, 0x5A, sizeof(msg));
	r.gr[0] = APV_GR0_NQAP_LAST | q;
	r.gr[7] = sizeof(msg);
	CHECK_EQ(apv_hw_nqap(f->hw, &r, 4, 6, &st).kind, APV_RES_DONE);
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(r.gr[1])), 0);
}

static struct apv_irq_route *route_of(struct fx *f, apv_apqn_t q)
{
	struct vfio_ap_queue *vq = vfio_ap_queue_at(f->m, q);

	return vq ? vq->route : NULL;
}

TEST(reply_with_64_vms_reaches_its_vm_without_looking_at_another)
{
	struct fx f;
	struct apv_vm *others[63];
	struct irq_log log;
	uint64_t visits, stores = 0, raises = 0;

	fx_init_attached(&f);
	for (unsigned i = 0; i < 63; i++) {
		others[i] = apv_vm_new(f.kvm, NULL);
		REQUIRE(others[i]);
		REQUIRE(apv_vm_add_memslot(others[i], 0, FX_MEM, NULL) == 0);
	}
	vcpu_ready(&f, &log);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 3), 0);
	fx_settle(&f);
	REQUIRE(route_of(&f, Q));
	nib_clear(&f, FX_NIB);
	visits = apv_kvm_vm_visits(f.kvm);
	send(&f, Q);
	fx_settle(&f);
	/* Stored, raised, taken by the vCPU at once: and no VM was searched for. */
	CHECK_EQ(nib_byte(&f, FX_NIB), 1);
	CHECK_EQ(log.n, 1);
	CHECK_U64(log.word, UINT32_C(0x80000000) | (3u << 27));
	CHECK_U64(apv_kvm_vm_visits(f.kvm) - visits, 0);
	apv_irq_route_stats(route_of(&f, Q), &stores, &raises);
	CHECK_U64(stores, 2); /* the AQIC's probe of the NIB, then the reply's */
	CHECK_U64(raises, 1);
	CHECK_U64(apv_kvm_stray_irqs(f.kvm), 0);
	vcpu_stop(&f);
	for (unsigned i = 0; i < 63; i++)
		apv_vm_put(others[i]);
	fx_fini(&f);
}

/* The counter the test above relies on does count: the host storage searches every VM. */
TEST(the_host_storage_searches_the_vms_the_route_does_not)
{
	struct fx f;
	struct apv_vm *other;
	uint64_t host, visits;
	uint8_t b = 0;

	fx_init(&f);
	other = apv_vm_new(f.kvm, NULL);
	REQUIRE(other);
	REQUIRE(apv_vm_add_memslot(other, 0, FX_MEM, NULL) == 0);
	REQUIRE(apv_vm_pin(f.vm, FX_NIB, &host) == 0);
	visits = apv_kvm_vm_visits(f.kvm);
	CHECK_EQ(apv_storage_read(apv_kvm_host_storage(f.kvm), host, &b, 1), 0);
	CHECK(apv_kvm_vm_visits(f.kvm) - visits >= 1);
	CHECK_EQ(apv_vm_unpin(f.vm, FX_NIB), 0);
	apv_vm_put(other);
	fx_fini(&f);
}

TEST(route_stores_only_to_its_pinned_page_and_nothing_once_let_go)
{
	struct fx f;
	struct apv_irq_route *r = NULL;
	uint64_t host;
	uint8_t one = 1;

	fx_init(&f);
	CHECK_EQ(apv_vm_irq_route_get(f.vm, Q, FX_MEM + 0x1000, &r), -EFAULT);
	CHECK(!r);
	CHECK_EQ(apv_vm_irq_route_get(NULL, Q, FX_NIB, &r), -EINVAL);
	REQUIRE(apv_vm_pin(f.vm, FX_NIB, &host) == 0);
	REQUIRE(apv_vm_irq_route_get(f.vm, Q, FX_NIB, &r) == 0);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host, &one, 1), 0);
	CHECK_EQ(nib_byte(&f, FX_NIB), 1);
	/* Another page of the same VM, and a range running off the page, are not the route's. */
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host + 0x1000, &one, 1), -EFAULT);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host - (FX_NIB & 0xFFF) + 0xFFF, &one,
				   2),
		 -EFAULT);
	/* Unpinned: refused, although the route is still held. */
	CHECK_EQ(apv_vm_unpin(f.vm, FX_NIB), 0);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host, &one, 1), -EFAULT);
	REQUIRE(apv_vm_pin(f.vm, FX_NIB, &host) == 0);
	apv_irq_route_put(r);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host, &one, 1), -EFAULT);
	CHECK_EQ(apv_vm_unpin(f.vm, FX_NIB), 0);
	apv_irq_route_put(NULL);
	fx_fini(&f);
}

TEST(route_of_a_protected_guest_stores_to_shared_pages_only)
{
	struct fx f;
	struct fx_opts o;
	struct apv_irq_route *r = NULL;
	uint64_t host;
	uint8_t one = 1;

	fx_opts_default(&o);
	o.vm.pv = true;
	fx_init_opts(&f, &o);
	REQUIRE(apv_vm_pin(f.vm, FX_NIB, &host) == 0);
	REQUIRE(apv_vm_irq_route_get(f.vm, Q, FX_NIB, &r) == 0);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host, &one, 1), -EFAULT);
	REQUIRE(apv_vm_pv_set_shared(f.vm, FX_NIB, true) == 0);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host, &one, 1), 0);
	/* Made secure again under a route that is still held: refused at once. */
	REQUIRE(apv_vm_pv_set_shared(f.vm, FX_NIB, false) == 0);
	CHECK_EQ(apv_storage_write(apv_irq_route_storage(r), host, &one, 1), -EFAULT);
	apv_irq_route_put(r);
	CHECK_EQ(apv_vm_unpin(f.vm, FX_NIB), 0);
	fx_fini(&f);
}

/* A conversion while interrupts are on: the pinned NIB stays reachable, as the host storage says. */
TEST(conversion_to_protected_keeps_the_pinned_nib_reachable_through_the_route)
{
	struct fx f;
	struct irq_log log;

	fx_init_attached(&f);
	vcpu_ready(&f, &log);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 3), 0);
	fx_settle(&f);
	REQUIRE(apv_vm_pv_enable(f.vm) == 0);
	nib_clear(&f, FX_NIB);
	send(&f, Q);
	fx_settle(&f);
	CHECK_EQ(nib_byte(&f, FX_NIB), 1);
	CHECK_EQ(log.n, 1);
	/* The disable lets go of route and pin: the page may become secure now. */
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	CHECK(!route_of(&f, Q));
	CHECK_EQ(apv_vm_pv_pinned_pages(f.vm), 0);
	vcpu_stop(&f);
	fx_fini(&f);
}

TEST(disable_lets_go_of_the_route_and_later_replies_reach_nothing)
{
	struct fx f;
	struct irq_log log;

	fx_init_attached(&f);
	vcpu_ready(&f, &log);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 3), 0);
	fx_settle(&f);
	REQUIRE(route_of(&f, Q));
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	CHECK(!route_of(&f, Q));
	CHECK(!fx_hw_irq(&f, Q));
	nib_clear(&f, FX_NIB);
	send(&f, Q);
	fx_settle(&f);
	CHECK_EQ(nib_byte(&f, FX_NIB), 0);
	CHECK_EQ(log.n, 0);
	FX_BALANCE(&f, 0, 0, 2);
	vcpu_stop(&f);
	fx_fini(&f);
}

/*
 * The queue stays busy, so every AQIC(disable) answers RC05 and
 * vfio_ap gives up and lets go of pin and route while the hardware still
 * has interrupts on. A reply that then completes finds a route that
 * stores and raises nothing; once the route is bound again for another
 * queue and page, the old queue still reaches neither.
 */
TEST(disable_that_does_not_take_leaves_the_hardware_a_route_that_reaches_nothing)
{
	struct fx f;
	struct irq_log log;
	struct apv_hw_fault_spec slow = {.kind = APV_FAULT_SLOW, .ns = APV_NSEC_PER_SEC};
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	struct apv_irq_route *stale;
	uint64_t stray;

	fx_init_attached(&f);
	vcpu_ready(&f, &log);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 3), 0);
	fx_settle(&f);
	stale = route_of(&f, Q);
	REQUIRE(stale);
	REQUIRE(apv_hw_inject(f.hw, Q, &slow) == 0);
	send(&f, Q);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	fx_disable(&f, Q);
	CHECK(!route_of(&f, Q));
	CHECK(fx_hw_irq(&f, Q)); /* the hardware never saw the disable */
	FX_BALANCE(&f, 0, 0, 2);
	/* The freed route goes to the next enable: another queue, another page. */
	CHECK_AQIC(&f, fx_enable(&f, Q2, FX_NIB2, 4), 0);
	fx_settle(&f);
	CHECK(route_of(&f, Q2) == stale);
	REQUIRE(apv_hw_inject(f.hw, Q, &none) == 0);
	nib_clear(&f, FX_NIB);
	nib_clear(&f, FX_NIB2);
	stray = apv_kvm_stray_irqs(f.kvm);
	apv_clock_sleep(f.clk, 2 * APV_NSEC_PER_SEC); /* the slow reply completes */
	CHECK_EQ(nib_byte(&f, FX_NIB), 0);
	CHECK_EQ(nib_byte(&f, FX_NIB2), 0);
	CHECK_EQ(log.n, 0);
	CHECK_U64(apv_kvm_stray_irqs(f.kvm) - stray, 1);
	/* Q2's own replies still arrive. */
	send(&f, Q2);
	fx_settle(&f);
	CHECK_EQ(nib_byte(&f, FX_NIB2), 1);
	CHECK_EQ(log.n, 1);
	vcpu_stop(&f);
	fx_fini(&f);
}

TEST(reset_lets_go_of_the_route)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 3), 0);
	fx_settle(&f);
	REQUIRE(route_of(&f, Q));
	CHECK_EQ(apv_mdev_reset(f.mdev), 0);
	CHECK(!route_of(&f, Q));
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(dma_unmap_of_the_nib_lets_go_of_the_route)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 3), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q2, FX_NIB2, 4), 0);
	fx_settle(&f);
	apv_mdev_dma_unmap(f.mdev, FX_NIB & ~UINT64_C(0xFFF), 0x1000);
	CHECK(!route_of(&f, Q));
	CHECK(route_of(&f, Q2)); /* its NIB is elsewhere */
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

/* Detach with interrupts on, then the VM goes: the route's reference does not keep it. */
TEST(detach_and_vm_free_with_interrupts_on)
{
	struct fx f;
	struct apv_vm *vm2;
	struct apv_vcpu *v2;
	struct apv_mdev *d2;
	struct apv_regs *r;
	struct apv_aqic_ctrl c = {.ir = true, .isc = 2};

	fx_init_attached(&f);
	vm2 = apv_vm_new(f.kvm, NULL);
	REQUIRE(vm2);
	REQUIRE(apv_vm_add_memslot(vm2, 0, FX_MEM, NULL) == 0);
	REQUIRE(apv_vm_set_apie(vm2, true) == 0);
	v2 = apv_vcpu_new(vm2, 0);
	REQUIRE(v2);
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	REQUIRE(apv_mdev_assign_adapter(d2, FX_A3) == 0);
	REQUIRE(apv_mdev_assign_domain(d2, FX_D1) == 0);
	REQUIRE(apv_mdev_assign_domain(d2, FX_D2) == 0);
	REQUIRE(apv_mdev_attach(d2, vm2) == 0);
	r = apv_vcpu_regs(v2);
	r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, (FX_A3 << 8) | FX_D1, false, false);
	r->gr[1] = apv_aqic_ctrl_encode(c);
	r->gr[2] = FX_NIB;
	REQUIRE(apv_vcpu_execute(v2, APV_OP_PQAP, 0, 0).kind == APV_RES_DONE);
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(r->gr[1])), 0);
	fx_settle(&f);
	CHECK(route_of(&f, (FX_A3 << 8) | FX_D1));
	apv_mdev_detach(d2);
	CHECK(!route_of(&f, (FX_A3 << 8) | FX_D1));
	CHECK(!fx_hw_irq(&f, (FX_A3 << 8) | FX_D1));
	/* A reply on the queue now reaches no VM; then the VM is freed (ASan watches). */
	send(&f, (FX_A3 << 8) | FX_D1);
	fx_settle(&f);
	apv_vcpu_free(v2);
	apv_vm_put(vm2);
	CHECK_EQ(apv_mdev_remove(d2), 0);
	send(&f, (FX_A3 << 8) | FX_D2);
	fx_settle(&f);
	fx_fini(&f);
}

TEST_MAIN
