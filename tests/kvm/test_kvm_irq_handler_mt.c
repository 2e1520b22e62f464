/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing a vCPU's adapter-interruption handler, or the host's handler
 * for interrupts without a GISA: once the call returns, the old handler
 * is running nowhere and is never called again, so its context may be
 * freed. Outcomes only: a handler still running after the replacement
 * returned records it itself; every wait is bounded.
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "../../kvm/kvm_internal.h"
#include "kvm_fixture.h"

#define SPIN_LIMIT 200000

struct blocking {
	atomic_int entered;
	atomic_int release;
	atomic_int replaced;
	atomic_int late;
	atomic_int calls;
};

static void block_until_released(struct blocking *b)
{
	atomic_fetch_add(&b->calls, 1);
	atomic_store(&b->entered, 1);
	for (int i = 0; i < SPIN_LIMIT && !atomic_load(&b->release); i++)
		usleep(50);
	if (atomic_load(&b->replaced))
		atomic_fetch_add(&b->late, 1);
	atomic_store(&b->entered, 0);
}

static void blocking_vcpu_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	(void)vcpu;
	(void)int_word;
	block_until_released(ctx);
}

static void blocking_host_irq(void *ctx, const struct apv_hw_irq *irq)
{
	(void)irq;
	block_until_released(ctx);
}

struct raise {
	struct fx *f;
	struct apv_hw_irq irq;
};

/* What the hardware's completion path does for a GISA-designated interrupt. */
static void *raise_gisa_irq(void *arg)
{
	struct raise *r = arg;

	kvm_gisa_irq(r->f->kvm, &r->irq);
	return NULL;
}

struct remover {
	struct blocking *b;
	struct apv_vcpu *vcpu; /* or, when NULL, the host handler of kvm */
	struct apv_kvm *kvm;
	atomic_int still_running;
};

static void *remove_handler(void *arg)
{
	struct remover *r = arg;

	if (r->vcpu)
		apv_vcpu_set_irq_handler(r->vcpu, NULL, NULL);
	else
		apv_kvm_set_host_irq_handler(r->kvm, NULL, NULL);
	atomic_store(&r->b->replaced, 1);
	if (atomic_load(&r->b->entered))
		atomic_store(&r->still_running, 1);
	return NULL;
}

/* Start the removal while the handler runs, let it try to return early, then release. */
static void remove_during_call(struct blocking *b, struct remover *rm)
{
	pthread_t th;

	for (int i = 0; i < SPIN_LIMIT && !atomic_load(&b->entered); i++)
		usleep(50);
	REQUIRE(atomic_load(&b->entered));
	REQUIRE(pthread_create(&th, NULL, remove_handler, rm) == 0);
	for (int i = 0; i < 20; i++)
		usleep(1000);
	atomic_store(&b->release, 1);
	pthread_join(th, NULL);
}

TEST(vcpu_handler_removal_waits_for_a_delivery_in_flight)
{
	static struct blocking b;
	static struct remover rm;
	struct raise rs;
	struct fx f;
	pthread_t th;

	memset(&b, 0, sizeof(b));
	fx_init(&f);
	REQUIRE(apv_vm_gisc_register(f.vm, 6) == APV_GAL_ISC);
	apv_vcpu_set_irq_handler(f.v, blocking_vcpu_irq, &b);
	f.psw->io_enabled = true;
	apv_vcpu_set_cr6(f.v, 0x02);
	apv_vcpu_set_running(f.v, true);
	rs = (struct raise){.f = &f,
			    .irq = {.apqn = 0x0102, .isc = APV_GAL_ISC, .gisa_valid = true, .gisc = 6}};
	rs.irq.gisa = apv_vm_gisa(f.vm);
	REQUIRE(pthread_create(&th, NULL, raise_gisa_irq, &rs) == 0);
	rm = (struct remover){.b = &b, .vcpu = f.v};
	remove_during_call(&b, &rm);
	pthread_join(th, NULL);
	CHECK_EQ(atomic_load(&b.late), 0);
	CHECK_EQ(atomic_load(&rm.still_running), 0);
	/* The next interruption is delivered (counted) but calls nothing. */
	kvm_gisa_irq(f.kvm, &rs.irq);
	CHECK_EQ(apv_vcpu_interrupts(f.v), 2);
	CHECK_EQ(atomic_load(&b.calls), 1);
	REQUIRE(apv_vm_gisc_unregister(f.vm, 6) == 0);
	fx_fini(&f);
}

static void self_removing_vcpu_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	(void)int_word;
	apv_vcpu_set_irq_handler(vcpu, NULL, NULL);
	atomic_fetch_add((atomic_int *)ctx, 1);
}

TEST(vcpu_handler_may_remove_itself_without_waiting_for_its_own_return)
{
	static atomic_int calls;
	struct fx f;
	struct apv_hw_irq irq = {.apqn = 0x0102, .isc = APV_GAL_ISC, .gisa_valid = true, .gisc = 6};

	atomic_store(&calls, 0);
	fx_init(&f);
	REQUIRE(apv_vm_gisc_register(f.vm, 6) == APV_GAL_ISC);
	apv_vcpu_set_irq_handler(f.v, self_removing_vcpu_irq, &calls);
	f.psw->io_enabled = true;
	apv_vcpu_set_cr6(f.v, 0x02);
	apv_vcpu_set_running(f.v, true);
	irq.gisa = apv_vm_gisa(f.vm);
	kvm_gisa_irq(f.kvm, &irq);
	kvm_gisa_irq(f.kvm, &irq);
	CHECK_EQ(atomic_load(&calls), 1);
	CHECK_EQ(apv_vcpu_interrupts(f.v), 2);
	REQUIRE(apv_vm_gisc_unregister(f.vm, 6) == 0);
	fx_fini(&f);
}

/* ---- the host handler, reached through a real hardware interrupt without a GISA ---- */

#define NIB_ADDR UINT64_C(0x1000)
#define MSG_ADDR UINT64_C(0x2000)

struct advance {
	struct apv_clock *clk;
	uint64_t ns;
};

static void *advance_clock(void *arg)
{
	struct advance *a = arg;

	apv_clock_sleep(a->clk, a->ns);
	return NULL;
}

TEST(host_handler_removal_waits_for_a_call_in_flight)
{
	static struct blocking b;
	static struct remover rm;
	static uint8_t mem[0x4000];
	struct apv_flat_storage flat = {.mem = mem, .base = 0, .size = sizeof(mem)};
	struct apv_storage st = apv_flat_storage(&flat);
	struct apv_aqic_ctrl c = {.ir = true, .isc = 3};
	const struct apv_hw_config *cfg;
	struct apv_regs r;
	struct advance adv;
	struct fx f;
	pthread_t th;

	memset(&b, 0, sizeof(b));
	memset(mem, 0, sizeof(mem));
	fx_init(&f);
	cfg = apv_hw_config(f.hw);
	apv_kvm_set_host_irq_handler(f.kvm, blocking_host_irq, &b);
	/* The host's own driver enables interrupts: no GISA designation. */
	REQUIRE(apv_apqsw_get_rc(apv_hw_aqic(f.hw, 0x0102, c, NIB_ADDR, &st)) == 0);
	apv_clock_sleep(f.clk, cfg->irq_ns);
	/* Any 16 bytes get a reply (a type 82 one), and the reply an interrupt. */
	memset(&r, 0, sizeof(r));
	r.gr[0] = 0x0102 | APV_GR0_NQAP_LAST;
	r.gr[2] = MSG_ADDR;
	r.gr[3] = 16;
	REQUIRE(apv_hw_nqap(f.hw, &r, 4, 2, &st).cc == 0);
	adv = (struct advance){.clk = f.clk, .ns = cfg->reply_ns};
	REQUIRE(pthread_create(&th, NULL, advance_clock, &adv) == 0);
	rm = (struct remover){.b = &b, .kvm = f.kvm};
	remove_during_call(&b, &rm);
	pthread_join(th, NULL);
	CHECK_EQ(atomic_load(&b.late), 0);
	CHECK_EQ(atomic_load(&rm.still_running), 0);
	CHECK_EQ(atomic_load(&b.calls), 1);
	/* Interrupts off before the storage goes. */
	c.ir = false;
	REQUIRE(apv_apqsw_get_rc(apv_hw_aqic(f.hw, 0x0102, c, 0, &st)) == 0);
	apv_clock_sleep(f.clk, cfg->irq_ns);
	fx_fini(&f);
}

/* ---- freeing a handler's context right after removing it, under a stream of interrupts ---- */

#define ROUNDS 500
#define CTX_MAGIC UINT64_C(0x6b766d2d69727121)

struct counting {
	uint64_t magic;
	atomic_int calls;
};

static void counting_vcpu_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	struct counting *c = ctx;

	(void)vcpu;
	(void)int_word;
	/* A freed context is an ASan report, a reused one a wrong magic. */
	if (c->magic == CTX_MAGIC)
		atomic_fetch_add(&c->calls, 1);
}

struct stream {
	struct fx *f;
	struct apv_hw_irq irq;
	atomic_int stop;
};

static void *stream(void *arg)
{
	struct stream *s = arg;

	for (int i = 0; !atomic_load(&s->stop); i++) {
		kvm_gisa_irq(s->f->kvm, &s->irq);
		if (i % 16 == 0)
			sched_yield();
	}
	return NULL;
}

TEST(vcpu_handler_contexts_freed_right_after_removal_are_never_touched_again)
{
	static struct stream s;
	struct fx f;
	pthread_t th;
	long calls = 0;

	fx_init(&f);
	REQUIRE(apv_vm_gisc_register(f.vm, 6) == APV_GAL_ISC);
	f.psw->io_enabled = true;
	apv_vcpu_set_cr6(f.v, 0x02);
	apv_vcpu_set_running(f.v, true);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	s.irq = (struct apv_hw_irq){
		.apqn = 0x0102, .isc = APV_GAL_ISC, .gisa_valid = true, .gisc = 6};
	s.irq.gisa = apv_vm_gisa(f.vm);
	REQUIRE(pthread_create(&th, NULL, stream, &s) == 0);
	for (int round = 0; round < ROUNDS; round++) {
		struct counting *c = calloc(1, sizeof(*c));

		REQUIRE(c);
		c->magic = CTX_MAGIC;
		apv_vcpu_set_irq_handler(f.v, counting_vcpu_irq, c);
		for (int i = 0; i < 1000 && atomic_load(&c->calls) == 0; i++)
			sched_yield();
		apv_vcpu_set_irq_handler(f.v, NULL, NULL);
		calls += atomic_load(&c->calls);
		c->magic = 0;
		free(c);
	}
	atomic_store(&s.stop, 1);
	pthread_join(th, NULL);
	CHECK(calls > 0);
	apv_vcpu_set_running(f.v, false);
	REQUIRE(apv_vm_gisc_unregister(f.vm, 6) == 0);
	fx_fini(&f);
}

TEST_MAIN
