/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GISA and GIB: guest ISC registration and its errors, and adapter
 * interruptions from the hardware (a real AQIC with a GISA designation and
 * a reply becoming ready) reaching a vCPU directly, through the alert
 * list, or staying pending until CR6 / the PSW enable them.
 */
#include "kvm_fixture.h"

#include <apvirt/testing.h>

#define NIB_GPA UINT64_C(0x1000)
#define MSG_LEN 64

static const apv_apqn_t Q = 0x0102;
static const apv_apqn_t Q2 = 0x0506;

struct irq_log {
	unsigned n;
	uint32_t words[16];
	struct apv_vcpu *vcpu;
};

static void vcpu_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	struct irq_log *l = ctx;

	if (l->n < 16)
		l->words[l->n] = int_word;
	l->n++;
	l->vcpu = vcpu;
}

/* A vCPU in SIE, I/O enabled, with `cr6` and the log as its handler. */
static void vcpu_ready(struct fx *f, struct irq_log *log, uint8_t cr6, bool running)
{
	memset(log, 0, sizeof(*log));
	apv_vcpu_set_irq_handler(f->v, vcpu_irq, log);
	f->psw->io_enabled = true;
	apv_vcpu_set_cr6(f->v, cr6);
	apv_vcpu_set_running(f->v, running);
}

/* What vfio_ap does for an AQIC enable: pin the NIB, register the GISC, issue AQIC with the GISA. */
static void irq_enable(struct fx *f, apv_apqn_t q, unsigned gisc, bool reg, uint32_t gisa)
{
	uint64_t host_nib;
	struct apv_aqic_ctrl c = {.ir = true, .gisc = (uint8_t)gisc, .gisa = gisa,
				  .isc = APV_GAL_ISC};

	REQUIRE(apv_vm_pin(f->vm, NIB_GPA, &host_nib) == 0);
	if (reg)
		REQUIRE(apv_vm_gisc_register(f->vm, gisc) == APV_GAL_ISC);
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f->hw, q, c, host_nib,
					      apv_kvm_host_storage(f->kvm))),
		 APV_RC_NORMAL);
	apv_clock_sleep(f->clk, APV_NSEC_PER_MSEC);
}

static void irq_disable(struct fx *f, apv_apqn_t q, unsigned gisc, bool reg)
{
	struct apv_aqic_ctrl c = {.ir = false};

	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f->hw, q, c, 0, NULL)), APV_RC_NORMAL);
	apv_clock_sleep(f->clk, APV_NSEC_PER_MSEC);
	if (reg)
		CHECK_EQ(apv_vm_gisc_unregister(f->vm, gisc), 0);
	CHECK_EQ(apv_vm_unpin(f->vm, NIB_GPA), 0);
}

/* One request through the host hardware; its reply raises the interrupt. */
static void fire(struct fx *f, apv_apqn_t q)
{
	uint8_t msg[MSG_LEN], reply[1024];
	struct apv_flat_storage fs = {.mem = msg, .base = 0, .size = sizeof(msg)};
	struct apv_storage st = apv_flat_storage(&fs);
	struct apv_regs r = {0};

	memset(msg, 0x5A, sizeof(msg));
	r.gr[0] = APV_GR0_NQAP_LAST | q;
	r.gr[6] = 0;
	r.gr[7] = sizeof(msg);
	CHECK_EQ(apv_hw_nqap(f->hw, &r, 4, 6, &st).kind, APV_RES_DONE);
	apv_clock_sleep(f->clk, APV_NSEC_PER_MSEC);
	/* Drain the reply so the queue can take the next request. */
	fs.mem = reply;
	fs.size = sizeof(reply);
	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_DQAP_FIRST | q;
	r.gr[6] = 0;
	r.gr[7] = sizeof(reply);
	CHECK_EQ(apv_hw_dqap(f->hw, &r, 4, 6, &st).kind, APV_RES_DONE);
}

/* ---- registration ------------------------------------------------------------------ */

TEST(gisc_register_returns_host_gal_isc_and_counts_references)
{
	struct fx f;
	struct apv_balance b;

	fx_init(&f);
	CHECK(apv_vm_gisa(f.vm) != 0);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 6), APV_GAL_ISC);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 6), 5);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 2);
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0x02);
	apv_account_balance(apv_kvm_account(f.kvm), &b);
	CHECK_EQ(b.isc_regs, 2);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), 0);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 1);
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0x02); /* still referenced */
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), 0);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 0);
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0);
	/* ISC 0 is the IAM's top bit. */
	CHECK_EQ(apv_vm_gisc_register(f.vm, 0), 5);
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0x80);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 0), 0);
	fx_fini(&f);
}

TEST(gisc_register_without_gisa_enodev)
{
	for (int variant = 0; variant < 2; variant++) {
		struct fx f;
		struct fx_opts o;

		fx_opts_default(&o);
		if (variant == 0)
			o.kvm.use_gisa = false;
		else
			o.kvm.aiv = false;
		fx_init_opts(&f, &o);
		CHECK_EQ(apv_vm_gisa(f.vm), 0);
		CHECK_EQ(apv_vm_gisc_register(f.vm, 6), -ENODEV);
		CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), -ENODEV);
		CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 0);
		fx_fini(&f);
	}
}

TEST(gisc_above_7_erange)
{
	struct fx f;

	fx_init(&f);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 8), -EINVAL);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 0xFFFFFFFFu), -EINVAL);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 8), -EINVAL);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 8), -EINVAL);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_ISC_REGS), 0);
	fx_fini(&f);
}

TEST(gisc_unbalanced_unregister_einval)
{
	struct fx f;

	fx_init(&f);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), -EINVAL);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 6), 5);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), 0);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), -EINVAL);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 0);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_ISC_UNREGS), 1);
	fx_fini(&f);
}

TEST(gisc_register_injected_failure_takes_nothing_after_erange_check)
{
	struct fx f;

	fx_init(&f);
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, -EIO) == 0);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 8), -EINVAL);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 6), -EIO);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 0);
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_ISC_REGS), 0);
	CHECK_EQ(apv_vm_set_gisc_register_failure(f.vm, 1), -EINVAL);
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, 0) == 0);
	CHECK_EQ(apv_vm_gisc_register(f.vm, 6), APV_GAL_ISC);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), 0);
	fx_fini(&f);
}

TEST(gisa_origins_distinct_16_byte_aligned_below_2g)
{
	struct fx f;
	struct apv_vm *vms[4];
	struct apv_vm_config c;

	fx_init(&f);
	apv_vm_config_default(&c);
	for (int i = 0; i < 4; i++) {
		vms[i] = apv_vm_new(f.kvm, &c);
		REQUIRE(vms[i]);
	}
	for (int i = 0; i < 4; i++) {
		uint64_t origin = (uint64_t)apv_vm_gisa(vms[i]) << 4;

		CHECK(origin != 0);
		CHECK(origin < (UINT64_C(1) << 31));
		CHECK_EQ(apv_vm_gisa(vms[i]) >> 27, 0);
		CHECK(origin != (uint64_t)apv_vm_gisa(f.vm) << 4);
		for (int j = 0; j < i; j++)
			CHECK(apv_vm_gisa(vms[i]) != apv_vm_gisa(vms[j]));
	}
	for (int i = 0; i < 4; i++)
		apv_vm_put(vms[i]);
	fx_fini(&f);
}

/* ---- delivery ---------------------------------------------------------------------- */

TEST(irq_running_vcpu_with_isc_enabled_takes_it_directly)
{
	struct fx f;
	struct irq_log log;
	uint8_t *nib;

	fx_init(&f);
	vcpu_ready(&f, &log, 0x02, true);
	irq_enable(&f, Q, 6, true, apv_vm_gisa(f.vm));
	nib = apv_vm_hva(f.vm, NIB_GPA);
	CHECK_EQ(*nib, 0);
	fire(&f, Q);
	CHECK_EQ(log.n, 1);
	CHECK_U64(log.words[0], 0xB0000000u);
	CHECK(log.vcpu == f.v);
	CHECK_EQ(apv_vcpu_interrupts(f.v), 1);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0);
	CHECK(!apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_kvm_gal_interrupts(f.kvm), 0);
	CHECK(*nib != 0); /* the hardware set the guest's NIB through the pinned page */
	irq_disable(&f, Q, 6, true);
	fx_fini(&f);
}

TEST(irq_vcpu_not_running_alert_list_then_delivery_on_run)
{
	struct fx f;
	struct irq_log log;
	struct apv_vcpu_stats st;

	fx_init(&f);
	vcpu_ready(&f, &log, 0x02, false);
	irq_enable(&f, Q, 6, true, apv_vm_gisa(f.vm));
	fire(&f, Q);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0x02);
	CHECK(apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0); /* alerts once */
	CHECK_EQ(apv_kvm_gal_interrupts(f.kvm), 1);
	/* A second interrupt while alerted does not queue the GISA again. */
	fire(&f, Q);
	CHECK_EQ(apv_kvm_gal_interrupts(f.kvm), 1);
	apv_vcpu_set_running(f.v, true);
	CHECK_EQ(log.n, 1);
	CHECK_U64(log.words[0], 0xB0000000u);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0);
	CHECK(!apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0x02); /* restored */
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.interrupts, 1);
	irq_disable(&f, Q, 6, true);
	fx_fini(&f);
}

TEST(irq_isc_disabled_in_cr6_stays_pending_until_enabled)
{
	struct fx f;
	struct irq_log log;

	fx_init(&f);
	vcpu_ready(&f, &log, 0x01 /* ISC 7 only */, true);
	irq_enable(&f, Q, 6, true, apv_vm_gisa(f.vm));
	fire(&f, Q);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0x02);
	CHECK(apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_vcpu_deliver_pending(f.v), 0);
	CHECK_EQ(log.n, 0);
	apv_vcpu_set_cr6(f.v, 0x03);
	CHECK_EQ(apv_vcpu_cr6(f.v), 0x03);
	CHECK_EQ(log.n, 1);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0);
	CHECK(!apv_vm_gisa_alerted(f.vm));
	irq_disable(&f, Q, 6, true);
	fx_fini(&f);
}

TEST(irq_io_disabled_in_psw_stays_pending_until_kick)
{
	struct fx f;
	struct irq_log log;

	fx_init(&f);
	vcpu_ready(&f, &log, 0x02, false);
	f.psw->io_enabled = false;
	apv_vcpu_set_running(f.v, true);
	irq_enable(&f, Q, 6, true, apv_vm_gisa(f.vm));
	fire(&f, Q);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0x02);
	f.psw->io_enabled = true;
	CHECK_EQ(apv_vcpu_deliver_pending(f.v), 1);
	CHECK_EQ(log.n, 1);
	CHECK_EQ(apv_vcpu_deliver_pending(f.v), 0);
	irq_disable(&f, Q, 6, true);
	fx_fini(&f);
}

TEST(irq_unregistered_gisc_no_alert_stays_in_ipm)
{
	struct fx f;
	struct irq_log log;

	fx_init(&f);
	vcpu_ready(&f, &log, 0x02, false);
	irq_enable(&f, Q, 6, false, apv_vm_gisa(f.vm));
	fire(&f, Q);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0x02);
	CHECK(!apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_kvm_gal_interrupts(f.kvm), 0);
	apv_vcpu_set_running(f.v, true);
	CHECK_EQ(log.n, 1);
	irq_disable(&f, Q, 6, false);
	fx_fini(&f);
}

TEST(irq_pending_iscs_delivered_lowest_first)
{
	struct fx f;
	struct irq_log log;
	uint64_t host_nib;
	struct apv_aqic_ctrl c = {.ir = true, .gisc = 3, .isc = APV_GAL_ISC};

	fx_init(&f);
	vcpu_ready(&f, &log, 0x12, false);
	irq_enable(&f, Q2, 6, true, apv_vm_gisa(f.vm));
	/* A second queue with guest ISC 3. */
	c.gisa = apv_vm_gisa(f.vm);
	REQUIRE(apv_vm_pin(f.vm, NIB_GPA + 1, &host_nib) == 0);
	REQUIRE(apv_vm_gisc_register(f.vm, 3) == APV_GAL_ISC);
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f.hw, Q, c, host_nib, apv_kvm_host_storage(f.kvm))),
		 0);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	fire(&f, Q2);
	fire(&f, Q);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0x12);
	CHECK_EQ(apv_vcpu_deliver_pending(f.v), 2);
	CHECK_EQ(log.n, 2);
	CHECK_U64(log.words[0], 0x98000000u);
	CHECK_U64(log.words[1], 0xB0000000u);
	CHECK(!apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0x12);
	c.ir = false;
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f.hw, Q, c, 0, NULL)), 0);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 3), 0);
	CHECK_EQ(apv_vm_unpin(f.vm, NIB_GPA + 1), 0);
	irq_disable(&f, Q2, 6, true);
	fx_fini(&f);
}

TEST(irq_goes_to_a_vcpu_that_has_the_isc_enabled)
{
	struct fx f;
	struct irq_log log, log2;
	struct apv_vcpu *v2;

	fx_init(&f);
	vcpu_ready(&f, &log, 0x01, true); /* vCPU 0: ISC 7 only */
	v2 = apv_vcpu_new(f.vm, 1);
	REQUIRE(v2);
	CHECK(apv_vcpu_new(f.vm, 1) == NULL); /* ids are unique */
	memset(&log2, 0, sizeof(log2));
	apv_vcpu_set_irq_handler(v2, vcpu_irq, &log2);
	apv_vcpu_psw(v2)->io_enabled = true;
	apv_vcpu_set_cr6(v2, 0x02);
	apv_vcpu_set_running(v2, true);
	irq_enable(&f, Q, 6, true, apv_vm_gisa(f.vm));
	fire(&f, Q);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(log2.n, 1);
	CHECK(log2.vcpu == v2);
	irq_disable(&f, Q, 6, true);
	apv_vcpu_free(v2);
	fx_fini(&f);
}

struct host_log {
	unsigned n;
	struct apv_hw_irq last;
};

static void host_irq(void *ctx, const struct apv_hw_irq *irq)
{
	struct host_log *l = ctx;

	l->n++;
	l->last = *irq;
}

TEST(irq_without_gisa_goes_to_host_handler)
{
	struct fx f;
	struct irq_log log;
	struct host_log hl = {0};
	uint8_t nib = 0;
	struct apv_flat_storage fs = {.mem = &nib, .base = 0x100, .size = 1};
	struct apv_storage st = apv_flat_storage(&fs);
	struct apv_aqic_ctrl c = {.ir = true, .isc = APV_AP_ISC};

	fx_init(&f);
	vcpu_ready(&f, &log, 0xFF, true);
	apv_kvm_set_host_irq_handler(f.kvm, host_irq, &hl);
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f.hw, Q, c, 0x100, &st)), 0);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	fire(&f, Q);
	CHECK_EQ(hl.n, 1);
	CHECK(!hl.last.gisa_valid);
	CHECK_EQ(hl.last.isc, APV_AP_ISC);
	CHECK_EQ(hl.last.apqn, Q);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0);
	c.ir = false;
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f.hw, Q, c, 0, NULL)), 0);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	apv_kvm_set_host_irq_handler(f.kvm, NULL, NULL);
	fx_fini(&f);
}

TEST(irq_for_unknown_gisa_is_dropped)
{
	struct fx f;
	struct irq_log log;

	fx_init(&f);
	vcpu_ready(&f, &log, 0xFF, true);
	irq_enable(&f, Q, 6, true, apv_vm_gisa(f.vm) + 0x1000);
	fire(&f, Q);
	CHECK_EQ(log.n, 0);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0);
	irq_disable(&f, Q, 6, true);
	fx_fini(&f);
}

TEST(irq_unpinned_nib_page_not_written_by_hardware)
{
	struct fx f;
	struct irq_log log;
	uint64_t host_nib;
	uint8_t *nib;
	struct apv_aqic_ctrl c = {.ir = true, .gisc = 6, .isc = APV_GAL_ISC};

	fx_init(&f);
	vcpu_ready(&f, &log, 0x02, true);
	c.gisa = apv_vm_gisa(f.vm);
	REQUIRE(apv_vm_pin(f.vm, NIB_GPA, &host_nib) == 0);
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f.hw, Q, c, host_nib, apv_kvm_host_storage(f.kvm))),
		 0);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	/* A buggy layer above unpins while the hardware still has the address. */
	CHECK_EQ(apv_vm_unpin(f.vm, NIB_GPA), 0);
	nib = apv_vm_hva(f.vm, NIB_GPA);
	fire(&f, Q);
	CHECK_EQ(*nib, 0);
	CHECK_EQ(log.n, 1);
	c.ir = false;
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_aqic(f.hw, Q, c, 0, NULL)), 0);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	fx_fini(&f);
}

TEST_MAIN
