/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Concurrency: vCPU threads loop on AQIC enable/disable through the
 * instruction boundary while other threads attach and detach mdevs, assign
 * and unassign, create and remove an attached mdev (request notification
 * included), reserve and release queues on the bus, and inject hardware
 * faults and host configuration changes. Every loop is bounded; a watchdog
 * aborts the run after 120 s, which would mean a deadlock. At the end every
 * balance is zero and both invariant checkers pass. Run under TSan too.
 *
 * Time is virtual: every sleep in the stack advances it for all threads,
 * which keeps the 20 ms reset and AQIC waits cheap.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <stdatomic.h>

#include "vfio_fixture.h"

#define A4 0x0cu
#define UUID_A FX_UUID1
#define UUID_B FX_UUID2
#define UUID_C "cccccccc-0000-1111-2222-333333333333"
#define VCPUS_PER_VM 2
#define AQIC_MIN 2000	/* per vCPU, then on until the administrators are done ... */
#define AQIC_MAX 400000 /* ... but never more than this */
/* Administrator loop counts: virtual clock, and the real clock (20 ms waits are real). */
static unsigned admin_loops, remove_loops, fault_loops;
#define WATCHDOG_S 120

struct world {
	struct fx f; /* VM 1 = f.vm; f.mdev = mdev A */
	struct apv_vm *vm2;
	struct apv_vcpu *vcpus[2][VCPUS_PER_VM];
	struct apv_mdev *b;
	atomic_int admins; /* administrator threads still running */
	atomic_long bad;   /* results outside what the architecture allows */
	atomic_long aqic_done, rc00, attach_ok, eperm, removes, requests;
};

static const apv_apqn_t queues[] = {
    (FX_A1 << 8) | FX_D1, (FX_A1 << 8) | FX_D2, (FX_A2 << 8) | FX_D1, (FX_A2 << 8) | FX_D2,
    (FX_A3 << 8) | FX_D1, (FX_A3 << 8) | FX_D2, (A4 << 8) | FX_D1,    (A4 << 8) | FX_D2,
};
#define NQ (sizeof(queues) / sizeof(queues[0]))

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7FFF;
}

static void pause_us(unsigned us)
{
	struct timespec ts = {0, (long)us * 1000};

	nanosleep(&ts, NULL);
}

/* ---- vCPUs ------------------------------------------------------------------------ */

struct vcpu_arg {
	struct world *w;
	struct apv_vcpu *v;
	uint64_t nib;
	unsigned seed;
};

static bool rc_allowed(uint8_t rc, bool enable)
{
	switch (rc) {
	case APV_RC_NORMAL:
	case APV_RC_Q_NOT_AVAIL:
	case APV_RC_RESET_IN_PROGRESS:
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
	case APV_RC_BUSY:
	case APV_RC_OTHERWISE_CHANGED:
	case APV_RC_INVALID_GISA:
		return true;
	case APV_RC_INVALID_ADDRESS:
		return enable;
	default:
		return false;
	}
}

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *a = p;
	struct apv_regs *r = apv_vcpu_regs(a->v);

	for (unsigned i = 0; i < AQIC_MAX && (i < AQIC_MIN || atomic_load(&a->w->admins)); i++) {
		apv_apqn_t q = queues[rnd(&a->seed) % NQ];
		bool enable = (i & 1) == 0;
		struct apv_aqic_ctrl c = {.ir = enable, .isc = (uint8_t)(rnd(&a->seed) & 7)};
		struct apv_result res;

		r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, q, false, false);
		r->gr[1] = apv_aqic_ctrl_encode(c);
		r->gr[2] = enable ? a->nib : 0;
		res = apv_vcpu_execute(a->v, APV_OP_PQAP, 0, 0);
		if (res.kind != APV_RES_DONE || (r->gr[1] >> 32) != 0 ||
		    !rc_allowed(apv_apqsw_get_rc((uint32_t)r->gr[1]), enable) ||
		    res.cc != (apv_apqsw_get_rc((uint32_t)r->gr[1]) ? 3 : 0))
			atomic_fetch_add(&a->w->bad, 1);
		atomic_fetch_add(&a->w->aqic_done, 1);
		if (res.kind == APV_RES_DONE && res.cc == 0)
			atomic_fetch_add(&a->w->rc00, 1);
		/* Let the hardware's I-bit change happen now and then. */
		if (rnd(&a->seed) % 4 == 0)
			apv_clock_sleep(a->w->f.clk, 20 * APV_NSEC_PER_USEC);
	}
	return NULL;
}

/* ---- administrators ------------------------------------------------------------------ */

/* Attach/detach A on VM 1 and B on VM 2 (where C competes), and a doomed second attach. */
static void *attach_thread(void *p)
{
	struct world *w = p;
	unsigned seed = 7;

	for (unsigned i = 0; i < admin_loops; i++) {
		int rc = apv_mdev_attach(w->f.mdev, w->f.vm);

		if (rc == 0)
			atomic_fetch_add(&w->attach_ok, 1);
		else
			atomic_fetch_add(&w->bad, 1);
		rc = apv_mdev_attach(w->b, w->f.vm); /* VM 1 belongs to A */
		if (rc != -EPERM)
			atomic_fetch_add(&w->bad, 1);
		rc = i & 1 ? apv_mdev_attach(w->b, w->vm2) : -EPERM;
		if (rc == -EPERM)
			atomic_fetch_add(&w->eperm, 1);
		else if (rc != 0)
			atomic_fetch_add(&w->bad, 1);
		pause_us(rnd(&seed) % 300);
		if (rnd(&seed) % 3 == 0)
			apv_mdev_reset(w->f.mdev);
		apv_mdev_detach(w->f.mdev);
		apv_mdev_detach(w->b);
		apv_mdev_detach(w->b); /* idempotent */
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

static void *assign_thread(void *p)
{
	struct world *w = p;
	unsigned seed = 11;

	for (unsigned i = 0; i < admin_loops; i++) {
		int rc = 0;

		switch (rnd(&seed) % 6) {
		case 0:
			rc = apv_mdev_unassign_adapter(w->f.mdev, FX_A2);
			break;
		case 1:
			rc = apv_mdev_assign_adapter(w->f.mdev, FX_A2);
			break;
		case 2:
			rc = apv_mdev_unassign_domain(w->b, FX_D2);
			break;
		case 3:
			rc = apv_mdev_assign_domain(w->b, FX_D2);
			break;
		case 4:
			rc = apv_mdev_store(w->f.mdev, "ap_config", "0x44,0x0a,0x0010");
			break;
		default:
			rc = apv_mdev_store(w->b,
					    rnd(&seed) & 1 ? "assign_control_domain"
							   : "unassign_control_domain",
					    "0x0b");
			break;
		}
		if (rc)
			atomic_fetch_add(&w->bad, 1);
		/* The bus: try to take an assigned queue (refused) and a free one. */
		if (apv_bus_store_mask(w->f.m, true, "+1", NULL, 0) != -EBUSY)
			atomic_fetch_add(&w->bad, 1);
		pause_us(rnd(&seed) % 200);
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

static void on_request(void *ctx, struct apv_mdev *mdev)
{
	struct world *w = ctx;

	atomic_fetch_add(&w->requests, 1);
	if (atomic_load(&w->requests) & 1)
		apv_mdev_detach(mdev); /* user space lets go; otherwise the teardown is forced */
}

/* Create C on adapter 0c, attach it to VM 2 (competing with B), remove it while attached. */
static void *remove_thread(void *p)
{
	struct world *w = p;
	unsigned seed = 13;

	for (unsigned i = 0; i < remove_loops; i++) {
		struct apv_mdev *c;
		int rc;

		if (apv_mdev_create(w->f.m, UUID_C, &c)) {
			atomic_fetch_add(&w->bad, 1);
			continue;
		}
		apv_mdev_set_request_handler(c, on_request, w);
		if (apv_mdev_assign_adapter(c, A4) || apv_mdev_assign_domain(c, FX_D1) ||
		    apv_mdev_assign_domain(c, FX_D2))
			atomic_fetch_add(&w->bad, 1);
		rc = apv_mdev_attach(c, w->vm2);
		if (rc == -EPERM)
			atomic_fetch_add(&w->eperm, 1);
		else if (rc)
			atomic_fetch_add(&w->bad, 1);
		pause_us(rnd(&seed) % 400);
		if (apv_mdev_remove(c))
			atomic_fetch_add(&w->bad, 1);
		atomic_fetch_add(&w->removes, 1);
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

/* Faults on random queues, each cleared before this thread touches a lock of the stack. */
static void *fault_thread(void *p)
{
	struct world *w = p;
	static const enum apv_hw_fault kinds[] = {
	    APV_FAULT_BUSY,	 APV_FAULT_RESET,     APV_FAULT_DECONFIGURED,
	    APV_FAULT_CHECKSTOP, APV_FAULT_AQIC_RC07, APV_FAULT_AQIC_RC,
	};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	unsigned seed = 17;

	for (unsigned i = 0; i < fault_loops; i++) {
		apv_apqn_t q = queues[rnd(&seed) % NQ];
		struct apv_hw_fault_spec f = {
		    .kind = kinds[rnd(&seed) % (sizeof(kinds) / sizeof(kinds[0]))],
		    .count = 1 + rnd(&seed) % 3,
		    .rc = 0x08,
		};

		apv_hw_inject(w->f.hw, q, &f);
		pause_us(50 + rnd(&seed) % 200);
		apv_hw_inject(w->f.hw, q, &none);
		if (i % 25 == 12) {
			/* The host loses adapter 01 for a while. */
			apv_hw_configure_adapter(w->f.hw, FX_A1, false);
			apv_bus_rescan(w->f.m);
			pause_us(200);
			apv_hw_configure_adapter(w->f.hw, FX_A1, true);
			apv_bus_rescan(w->f.m);
		}
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

/* ---- watchdog ------------------------------------------------------------------------- */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond = PTHREAD_COND_INITIALIZER;
static bool wd_done;

static void *watchdog(void *p)
{
	struct timespec dl;

	(void)p;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += WATCHDOG_S;
	pthread_mutex_lock(&wd_lock);
	while (!wd_done) {
		if (pthread_cond_timedwait(&wd_cond, &wd_lock, &dl) != 0 && !wd_done) {
			fprintf(stderr, "watchdog: no progress after %d s (deadlock?)\n",
				WATCHDOG_S);
			abort();
		}
	}
	pthread_mutex_unlock(&wd_lock);
	return NULL;
}

static void stress(bool real)
{
	static struct world w;
	struct fx_opts o;
	struct apv_adapter_config ac;
	struct vcpu_arg va[2][VCPUS_PER_VM];
	pthread_t vt[2][VCPUS_PER_VM], at, as, rt, ft, wd;
	struct apv_vm_config vc;

	memset(&w, 0, sizeof(w));
	wd_done = false;
	admin_loops = real ? 25 : 300;
	remove_loops = real ? 15 : 150;
	fault_loops = real ? 40 : 400;
	fx_opts_default(&o);
	o.real_clock = real;
	o.hw.reset_ns = 50 * APV_NSEC_PER_USEC;
	o.hw.irq_ns = 10 * APV_NSEC_PER_USEC;
	fx_init_opts(&w.f, &o);
	apv_adapter_config_default(&ac);
	REQUIRE(apv_hw_add_adapter(w.f.hw, A4, &ac) == 0);
	apv_bus_rescan(w.f.m);
	REQUIRE(apv_bus_store_mask(w.f.m, true, "-12", NULL, 0) == 0);
	apv_vm_config_default(&vc);
	vc.name = "guest2";
	w.vm2 = apv_vm_new(w.f.kvm, &vc);
	REQUIRE(w.vm2);
	REQUIRE(apv_vm_add_memslot(w.vm2, 0, FX_MEM, NULL) == 0);
	REQUIRE(apv_vm_set_apie(w.vm2, true) == 0);
	fx_assign(&w.f, w.f.mdev);
	REQUIRE(apv_mdev_create(w.f.m, UUID_B, &w.b) == 0);
	REQUIRE(apv_mdev_assign_adapter(w.b, FX_A3) == 0);
	REQUIRE(apv_mdev_assign_domain(w.b, FX_D1) == 0);
	REQUIRE(apv_mdev_assign_domain(w.b, FX_D2) == 0);

	REQUIRE(pthread_create(&wd, NULL, watchdog, NULL) == 0);
	atomic_store(&w.admins, 4);
	for (unsigned vmi = 0; vmi < 2; vmi++) {
		for (unsigned j = 0; j < VCPUS_PER_VM; j++) {
			struct apv_vm *vm = vmi ? w.vm2 : w.f.vm;

			w.vcpus[vmi][j] = (vmi == 0 && j == 0) ? w.f.v : apv_vcpu_new(vm, j);
			REQUIRE(w.vcpus[vmi][j]);
			va[vmi][j] = (struct vcpu_arg){
			    &w, w.vcpus[vmi][j], FX_NIB + 0x1000 * j + 8 * vmi, 100 + vmi * 10 + j};
			REQUIRE(pthread_create(&vt[vmi][j], NULL, vcpu_thread, &va[vmi][j]) == 0);
		}
	}
	REQUIRE(pthread_create(&at, NULL, attach_thread, &w) == 0);
	REQUIRE(pthread_create(&as, NULL, assign_thread, &w) == 0);
	REQUIRE(pthread_create(&rt, NULL, remove_thread, &w) == 0);
	REQUIRE(pthread_create(&ft, NULL, fault_thread, &w) == 0);

	pthread_join(at, NULL);
	pthread_join(as, NULL);
	pthread_join(rt, NULL);
	pthread_join(ft, NULL);
	for (unsigned vmi = 0; vmi < 2; vmi++)
		for (unsigned j = 0; j < VCPUS_PER_VM; j++)
			pthread_join(vt[vmi][j], NULL);
	pthread_mutex_lock(&wd_lock);
	wd_done = true;
	pthread_cond_signal(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	pthread_join(wd, NULL);

	CHECK_EQ(atomic_load(&w.bad), 0);
	CHECK(atomic_load(&w.aqic_done) >= 2 * VCPUS_PER_VM * AQIC_MIN);
	CHECK(atomic_load(&w.rc00) > 0);     /* the hook really served guests */
	CHECK(atomic_load(&w.requests) > 0); /* and removal met an attached mdev */
	CHECK_EQ(atomic_load(&w.attach_ok), admin_loops);
	CHECK_EQ(atomic_load(&w.removes), remove_loops);
	printf("  aqic=%ld rc00=%ld attach=%ld eperm=%ld removes=%ld requests=%ld\n",
	       atomic_load(&w.aqic_done), atomic_load(&w.rc00), atomic_load(&w.attach_ok),
	       atomic_load(&w.eperm), atomic_load(&w.removes), atomic_load(&w.requests));

	/* Quiescent: every checker agrees, then everything goes and the balance is zero. */
	FX_CHECK(&w.f);
	FX_BALANCE(&w.f, 0, 0, 2); /* nothing attached after the loops: the test's two VMs */
	for (unsigned vmi = 0; vmi < 2; vmi++)
		for (unsigned j = 0; j < VCPUS_PER_VM; j++)
			if (w.vcpus[vmi][j] != w.f.v)
				apv_vcpu_free(w.vcpus[vmi][j]);
	apv_vm_put(w.vm2);
	fx_fini(&w.f); /* checks the balance is zero with everything gone */
}

TEST(stress_mt_virtual_clock_aqic_attach_assign_remove_faults_no_race_no_deadlock_balances_zero)
{
	stress(false);
}

/* Hardware events on the clock's own thread, real 20 ms waits under the locks. */
TEST(stress_mt_real_clock_aqic_attach_assign_remove_faults_no_race_no_deadlock_balances_zero)
{
	stress(true);
}

/* ---- two attaches racing for one VM ------------------------------------------------- */

#define RACE_ROUNDS 300

struct racer {
	struct apv_mdev *mdev;
	struct apv_vm *vm;
	pthread_barrier_t *go;
	int rc[RACE_ROUNDS];
};

static void *racer_thread(void *p)
{
	struct racer *r = p;

	for (unsigned i = 0; i < RACE_ROUNDS; i++) {
		pthread_barrier_wait(r->go);
		r->rc[i] = apv_mdev_attach(r->mdev, r->vm);
		pthread_barrier_wait(r->go); /* both done: the main thread checks */
		pthread_barrier_wait(r->go); /* checked and detached: next round */
	}
	return NULL;
}

TEST(concurrent_attach_of_two_mdevs_to_one_vm_exactly_one_wins_and_owns_the_hook)
{
	struct fx f;
	struct apv_mdev *d2;
	pthread_barrier_t go;
	struct racer r1, r2;
	pthread_t t1, t2;
	long sets0;
	unsigned wins1 = 0, wins2 = 0;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_mdev_create(f.m, UUID_B, &d2) == 0);
	REQUIRE(apv_mdev_assign_adapter(d2, FX_A3) == 0);
	pthread_barrier_init(&go, NULL, 3);
	r1 = (struct racer){.mdev = f.mdev, .vm = f.vm, .go = &go};
	r2 = (struct racer){.mdev = d2, .vm = f.vm, .go = &go};
	REQUIRE(pthread_create(&t1, NULL, racer_thread, &r1) == 0);
	REQUIRE(pthread_create(&t2, NULL, racer_thread, &r2) == 0);
	for (unsigned i = 0; i < RACE_ROUNDS; i++) {
		sets0 = apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_SETS);
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&go);
		CHECK((r1.rc[i] == 0) != (r2.rc[i] == 0));
		CHECK(r1.rc[i] == 0 || r1.rc[i] == -EPERM);
		CHECK(r2.rc[i] == 0 || r2.rc[i] == -EPERM);
		/* One publication, by the winner; the loser never touched the hook. */
		CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_SETS) - sets0, 1);
		CHECK(apv_mdev_vm(r1.rc[i] == 0 ? f.mdev : d2) == f.vm);
		CHECK(apv_mdev_vm(r1.rc[i] == 0 ? d2 : f.mdev) == NULL);
		FX_CHECK(&f); /* the hook is the winner's own */
		FX_BALANCE(&f, 0, 0, 2);
		wins1 += r1.rc[i] == 0;
		wins2 += r2.rc[i] == 0;
		apv_mdev_detach(f.mdev);
		apv_mdev_detach(d2);
		pthread_barrier_wait(&go);
	}
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_barrier_destroy(&go);
	CHECK_EQ(wins1 + wins2, RACE_ROUNDS);
	printf("  wins: %u / %u\n", wins1, wins2);
	fx_fini(&f);
}

TEST_MAIN
