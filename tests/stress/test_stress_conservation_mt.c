/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole stack under concurrent load on a real clock, and the
 * conservation of requests, request by request.
 *
 * Three guests drive RSA requests, one per mdev, and check every result
 * against OpenSSL: on VM 1 the guest AP bus model (vCPU 0, mdev A:
 * adapters 01 and 05, domains 4 and 6, two submitter threads), on VM 2
 * (mdev B: adapter 0a, polling) and on VM 3 (mdev C: adapter 0c, which
 * comes and goes). vCPU 1 of VM 1 and two vCPUs of VM 2 loop on AQIC
 * enable/disable. At the same time administrator threads detach and
 * re-attach A and B, reset B, unassign and re-assign a domain of A and an
 * adapter of B, create, attach and remove mdev C, take adapter 05 out of
 * the host configuration and back, and inject hardware faults (busy,
 * reset in progress, deconfigured, checkstop, AQIC RC07 and RC08) into
 * A's and B's queues. A watchdog aborts the run (a deadlock).
 *
 * Every request gets an id in a ledger (ledger.h), and every injected
 * condition is recorded with when it held. At the end, with everything
 * quiet:
 *  - per request: answered exactly once, with the right result if it
 *    succeeded, and a failure only while an injected condition on its
 *    mdev could explain it; requests succeeded on every mdev;
 *  - the guests matched exactly one reply to each request that succeeded;
 *  - the hardware conserved requests on every queue of A, B and C: NQAPs
 *    accepted = replies dequeued + requests discarded by resets (nothing
 *    left queued after the guests' removal), the NQAPs the guests counted
 *    per request (re-sends included) are exactly the hardware's, and the
 *    replies the guests read (matched or not) exactly the ones it handed
 *    out;
 *  - every discarded request was seen by its guest (it re-sent it, moved
 *    it to another queue, or failed it);
 *  - both invariant checkers pass and every pin, ISC registration, hook
 *    and VM reference is released.
 *
 * The administrators' and submitters' choices come from one seed, random
 * unless APV_STRESS_SEED is set, and printed; APV_STRESS_LENGTH (default
 * 1) multiplies the length of the run (administrator rounds, requests,
 * the watchdog). The seed replays the same sequence of actions; the
 * threads' interleaving is the machine's. A soak:
 *     APV_STRESS_LENGTH=50 build-tsan/tests/stress/test_stress_conservation_mt
 * Run under TSan as well (the name ends in _mt): no data race.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "apvirt/guest.h"
#include "apvirt/kvm.h"
#include "apvirt/vfio_ap.h"
#include "ledger.h"
#include "testlib.h"

#define A1 0x01u
#define A2 0x05u
#define A3 0x0au
#define A4 0x0cu
#define D1 0x04u
#define D2 0x06u
#define MEM (1024u * 1024u)
#define DRV_GPA UINT64_C(0x10000)
#define UUID_A "5a000000-0000-4000-8000-00000000000a"
#define UUID_B "5b000000-0000-4000-8000-00000000000b"
#define UUID_C "5c000000-0000-4000-8000-00000000000c"
#define NGUESTS 3	/* one per mdev: A, B, C */
#define SUBMITTERS 4	/* two on A's guest, one on each other */
#define WINDOW 4
#define PER_SUBMITTER 120 /* at least (A and B); then on while the administrators are busy ... */
#define MAX_PER_SUBMITTER 20000 /* ... but never more than this, times the length */
#define NMSG 16
#define WATCHDOG_S 120 /* times the length */
#define SEC APV_NSEC_PER_SEC
#define M_A 0u /* the ledger's mdev numbers */
#define M_B 1u
#define M_C 2u

/* The run's seed and length (APV_STRESS_SEED, APV_STRESS_LENGTH). */
static unsigned g_seed, g_len = 1;

/* ---- keys and expected results ----------------------------------------------------------- */

struct key {
	size_t L, S;
	uint8_t n[128], e[128], d[128];
	uint8_t np[8 + 64], nq[64], bp[8 + 64], bq[64], u[8 + 64]; /* libica layout */
	uint8_t msg[NMSG][128], pub[NMSG][128], priv[NMSG][128];
};

static BIGNUM *param(EVP_PKEY *pk, const char *name)
{
	BIGNUM *b = NULL;

	return EVP_PKEY_get_bn_param(pk, name, &b) ? b : NULL;
}

static bool key_make(struct key *k)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk = NULL;
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *u = BN_new(), *m = BN_new(), *r = BN_new();
	bool ok;

	memset(k, 0, sizeof(*k));
	k->L = 128;
	k->S = 64;
	ok = kc && bc && u && m && r && EVP_PKEY_keygen_init(kc) > 0 &&
	     EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024) > 0 && EVP_PKEY_generate(kc, &pk) > 0;
	n = ok ? param(pk, OSSL_PKEY_PARAM_RSA_N) : NULL;
	e = ok ? param(pk, OSSL_PKEY_PARAM_RSA_E) : NULL;
	d = ok ? param(pk, OSSL_PKEY_PARAM_RSA_D) : NULL;
	p = ok ? param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1) : NULL;
	q = ok ? param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2) : NULL;
	dp = ok ? param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1) : NULL;
	dq = ok ? param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2) : NULL;
	ok = ok && n && e && d && p && q && dp && dq;
	if (ok && BN_cmp(p, q) < 0) {
		BIGNUM *t = p;

		p = q;
		q = t;
		t = dp;
		dp = dq;
		dq = t;
	}
	ok = ok && BN_mod_inverse(u, q, p, bc) && BN_bn2binpad(n, k->n, 128) == 128 &&
	     BN_bn2binpad(e, k->e, 128) == 128 && BN_bn2binpad(d, k->d, 128) == 128 &&
	     BN_bn2binpad(p, k->np + 8, 64) == 64 && BN_bn2binpad(q, k->nq, 64) == 64 &&
	     BN_bn2binpad(dp, k->bp + 8, 64) == 64 && BN_bn2binpad(dq, k->bq, 64) == 64 &&
	     BN_bn2binpad(u, k->u + 8, 64) == 64;
	for (unsigned i = 0; ok && i < NMSG; i++) {
		for (size_t j = 0; j < k->L; j++)
			k->msg[i][j] = (uint8_t)(i * 29u + j * 13u + 7u);
		k->msg[i][0] = 0;
		ok = BN_bin2bn(k->msg[i], 128, m) && BN_mod_exp(r, m, e, n, bc) &&
		     BN_bn2binpad(r, k->pub[i], 128) == 128 && BN_mod_exp(r, m, d, n, bc) &&
		     BN_bn2binpad(r, k->priv[i], 128) == 128;
	}
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(u);
	BN_free(m);
	BN_free(r);
	BN_CTX_free(bc);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(kc);
	return ok;
}

/* ---- the world ---------------------------------------------------------------------------- */

struct world {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m;
	struct apv_vm *vm1, *vm2, *vm3;
	struct apv_vcpu *g_vcpu[NGUESTS], *v1b, *v2[2];
	struct apv_mdev *a, *b;
	struct apv_guest *g[NGUESTS];
	struct key k;
	struct ledger led;

	atomic_int admins;     /* administrator threads still running */
	atomic_bool c_admin;   /* mdev C's administrator still running */
	atomic_int submitting; /* submitter threads still running */
	atomic_long bad;       /* answers outside what is allowed */
	atomic_long submitted, ok, failed, wrong, not_done, sends, enodev_submit;
	atomic_long aqic, attaches, removes;
};

static uint64_t now(struct world *w)
{
	return apv_clock_now(w->clk);
}

static size_t cond_begin(struct world *w, unsigned mdev, const char *what)
{
	return ledger_cond_begin(&w->led, mdev, what, now(w));
}

static void cond_end(struct world *w, size_t h)
{
	ledger_cond_end(&w->led, h, now(w));
}

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

static void bad(struct world *w, const char *what)
{
	fprintf(stderr, "  unexpected: %s\n", what);
	atomic_fetch_add(&w->bad, 1);
}

/* ---- the guest's users ---------------------------------------------------------------------- */

struct slot {
	struct apv_guest_req r;
	size_t id; /* in the ledger */
	bool busy;
	unsigned msg;
	bool crt;
	uint8_t out[128];
};

static int submit(struct world *w, struct apv_guest *g, struct slot *s)
{
	const struct key *k = &w->k;

	memset(s->out, 0, sizeof(s->out));
	if (s->crt) {
		struct apv_ica_rsa_modexpo_crt c = {
		    .inputdata = k->msg[s->msg], .inputdatalength = 128,
		    .outputdata = s->out,	 .outputdatalength = 128,
		    .bp_key = k->bp,		 .bq_key = k->bq,
		    .np_prime = k->np,		 .nq_prime = k->nq,
		    .u_mult_inv = k->u,
		};

		return apv_guest_submit_crt(g, &s->r, &c, APV_GUEST_ANY_QUEUE);
	}
	struct apv_ica_rsa_modexpo m = {
	    .inputdata = k->msg[s->msg], .inputdatalength = 128, .outputdata = s->out,
	    .outputdatalength = 128,	 .b_key = k->e,		 .n_modulus = k->n,
	};

	return apv_guest_submit_me(g, &s->r, &m, APV_GUEST_ANY_QUEUE);
}

static void finish(struct world *w, struct apv_guest *g, struct slot *s)
{
	int rc = apv_guest_wait(g, &s->r, 60 * SEC);

	if (rc == -ETIMEDOUT && !apv_guest_req_done(g, &s->r)) {
		/* Lost: nothing answered it in a minute (the ledger says so). Withdraw it. */
		atomic_fetch_add(&w->not_done, 1);
		apv_guest_cancel(g, &s->r);
		s->busy = false;
		return;
	}
	s->busy = false;
	atomic_fetch_add(&w->sends, s->r.sends);
	if (s->r.result == 0) {
		const uint8_t *want = s->crt ? w->k.priv[s->msg] : w->k.pub[s->msg];
		bool right = !memcmp(s->out, want, 128);

		atomic_fetch_add(&w->ok, 1);
		if (!right)
			atomic_fetch_add(&w->wrong, 1);
		ledger_answer(&w->led, s->id, 0, right, now(w));
	} else {
		atomic_fetch_add(&w->failed, 1); /* the ledger decides whether it is explained */
		ledger_answer(&w->led, s->id, s->r.result, false, now(w));
	}
}

struct sub_arg {
	struct world *w;
	unsigned guest, mdev;
	unsigned min; /* requests it issues whatever the administrators do */
	unsigned seed;
};

static void *submitter(void *p)
{
	struct sub_arg *a = p;
	struct world *w = a->w;
	struct apv_guest *g = w->g[a->guest];
	unsigned seed = a->seed, issued = 0, done = 0, next = 0;
	struct slot *slots = calloc(WINDOW, sizeof(*slots));

	if (!slots) {
		bad(w, "out of memory");
		return NULL;
	}
	for (;;) {
		struct slot *s = &slots[next];
		/* C's guest has queues only while C's administrator runs. */
		bool admins = a->mdev == M_C ? atomic_load(&w->c_admin) : atomic_load(&w->admins);
		bool more = issued < a->min || (admins && issued < MAX_PER_SUBMITTER * g_len);

		if (!more && done == issued)
			break;
		next = (next + 1) % WINDOW;
		if (s->busy) {
			finish(w, g, s);
			done++;
		}
		if (!more)
			continue;
		s->msg = rnd(&seed) % NMSG;
		s->crt = rnd(&seed) & 1;
		uint64_t t0 = now(w);
		int rc = submit(w, g, s);

		if (rc == 0) {
			s->busy = true;
			s->id = ledger_submit(&w->led, a->mdev, t0);
			issued++;
			atomic_fetch_add(&w->submitted, 1);
		} else if (rc == -ENODEV) {
			/* No queue online right now (detached, deconfigured, removed): look again. */
			atomic_fetch_add(&w->enodev_submit, 1);
			apv_guest_rescan(g);
			pause_us(500);
		} else {
			bad(w, "submit refused a valid request");
		}
	}
	free(slots);
	atomic_fetch_sub(&w->submitting, 1);
	return NULL;
}

/* ---- vCPUs looping on AQIC ------------------------------------------------------------------- */

struct vcpu_arg {
	struct world *w;
	struct apv_vcpu *v;
	const apv_apqn_t *queues;
	unsigned nq;
	uint64_t nib;
	unsigned seed, pause;
};

static void *aqic_thread(void *p)
{
	struct vcpu_arg *a = p;
	struct apv_regs *r = apv_vcpu_regs(a->v);

	for (unsigned i = 0; i < 200000 && (i < 500 || atomic_load(&a->w->admins)); i++) {
		bool on = !(i & 1);
		struct apv_aqic_ctrl c = {.ir = on, .isc = (uint8_t)(rnd(&a->seed) & 7)};
		struct apv_result res;
		uint8_t rc;

		r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, a->queues[rnd(&a->seed) % a->nq], false, false);
		r->gr[1] = apv_aqic_ctrl_encode(c);
		r->gr[2] = on ? a->nib : 0;
		res = apv_vcpu_execute(a->v, APV_OP_PQAP, 0, 0);
		rc = apv_apqsw_get_rc((uint32_t)r->gr[1]);
		if (res.kind != APV_RES_DONE || (r->gr[1] >> 32) || res.cc != (rc ? 3 : 0))
			bad(a->w, "AQIC answer outside the architecture");
		atomic_fetch_add(&a->w->aqic, 1);
		if (a->pause)
			pause_us(a->pause);
	}
	return NULL;
}

/* ---- administrators ------------------------------------------------------------------------- */

static void *attach_thread(void *p)
{
	struct world *w = p;
	unsigned seed = g_seed + 7;

	for (unsigned i = 0; i < 12 * g_len; i++) {
		size_t c;

		pause_us(2000 + rnd(&seed) % 3000);
		/* A: the guest's queues vanish (RC01) and come back. */
		c = cond_begin(w, M_A, "detach");
		apv_mdev_detach(w->a);
		pause_us(rnd(&seed) % 1000);
		if (apv_mdev_attach(w->a, w->vm1))
			bad(w, "re-attach of A");
		cond_end(w, c);
		/* B under the looping vCPUs of VM 2. */
		c = cond_begin(w, M_B, i & 1 ? "detach" : "reset");
		if (i & 1) {
			apv_mdev_detach(w->b);
			if (apv_mdev_attach(w->b, w->vm2))
				bad(w, "re-attach of B");
		} else {
			/* -EIO is allowed: a queue checkstopped by a fault fails its reset. */
			(void)apv_mdev_reset(w->b);
		}
		cond_end(w, c);
		atomic_fetch_add(&w->attaches, 1);
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

static void *assign_thread(void *p)
{
	struct world *w = p;
	unsigned seed = g_seed + 11;

	for (unsigned i = 0; i < 30 * g_len; i++) {
		int rc = 0;
		size_t c;

		switch (rnd(&seed) % 4) {
		case 0:
			c = cond_begin(w, M_A, "unassign a domain");
			rc = apv_mdev_unassign_domain(w->a, D2);
			pause_us(500);
			rc |= apv_mdev_assign_domain(w->a, D2);
			cond_end(w, c);
			break;
		case 1:
			c = cond_begin(w, M_B, "unassign an adapter");
			rc = apv_mdev_unassign_adapter(w->b, A3);
			pause_us(500);
			rc |= apv_mdev_assign_adapter(w->b, A3);
			cond_end(w, c);
			break;
		case 2:
			/* A control domain changes no usage queue: no condition. */
			rc = apv_mdev_store(w->a, rnd(&seed) & 1 ? "assign_control_domain"
								 : "unassign_control_domain",
					    "0x0b");
			break;
		default:
			/* Taking an assigned queue back for the host is refused. */
			rc = apv_bus_store_mask(w->m, true, "+1", NULL, 0) == -EBUSY ? 0 : -1;
			break;
		}
		if (rc)
			bad(w, "assignment");
		pause_us(500 + rnd(&seed) % 1500);
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

static void on_request(void *ctx, struct apv_mdev *mdev)
{
	(void)ctx;
	apv_mdev_detach(mdev); /* user space lets go, like QEMU */
}

/* C lives long enough each time for its guest to find it (it rescans every 5 ms). */
static void *remove_thread(void *p)
{
	struct world *w = p;
	unsigned seed = g_seed + 13;
	size_t gone = SIZE_MAX;

	for (unsigned i = 0; i < 10 * g_len; i++) {
		struct apv_mdev *c;

		if (apv_mdev_create(w->m, UUID_C, &c)) {
			bad(w, "create C");
			continue;
		}
		if (i & 1)
			apv_mdev_set_request_handler(c, on_request, w);
		if (apv_mdev_assign_adapter(c, A4) || apv_mdev_assign_domain(c, D1) ||
		    apv_mdev_assign_domain(c, D2) || apv_mdev_attach(c, w->vm3))
			bad(w, "set up C");
		if (gone != SIZE_MAX)
			cond_end(w, gone);
		pause_us(20000 + rnd(&seed) % 20000);
		/*
		 * Requests must succeed on every mdev. Until C has served one, its
		 * window stays open (up to 10 s): on a loaded machine its guest may
		 * not get a request through 20-40 ms windows at all.
		 */
		for (unsigned ms = 0; ms < 10000 && !ledger_ok_so_far(&w->led, M_C); ms++)
			pause_us(1000);
		gone = cond_begin(w, M_C, "remove");
		if (apv_mdev_remove(c))
			bad(w, "remove C");
		atomic_fetch_add(&w->removes, 1);
		pause_us(1000 + rnd(&seed) % 2000);
	}
	/* C stays removed: the condition stays open. */
	atomic_store(&w->c_admin, false);
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

static const apv_apqn_t a_queues[] = {(A1 << 8) | D1, (A1 << 8) | D2, (A2 << 8) | D1,
				      (A2 << 8) | D2};
static const apv_apqn_t b_queues[] = {(A3 << 8) | D1, (A3 << 8) | D2};
static const apv_apqn_t c_queues[] = {(A4 << 8) | D1, (A4 << 8) | D2};

/* Faults, each cleared before the next; the host loses adapter 05 now and then. */
static void *fault_thread(void *p)
{
	struct world *w = p;
	static const enum apv_hw_fault kinds[] = {
	    APV_FAULT_BUSY,	 APV_FAULT_RESET,     APV_FAULT_DECONFIGURED,
	    APV_FAULT_CHECKSTOP, APV_FAULT_AQIC_RC07, APV_FAULT_AQIC_RC,
	};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	unsigned seed = g_seed + 17;

	for (unsigned i = 0; i < 60 * g_len; i++) {
		bool on_a = rnd(&seed) & 1;
		apv_apqn_t q = on_a ? a_queues[rnd(&seed) % 4] : b_queues[rnd(&seed) % 2];
		struct apv_hw_fault_spec f = {
		    .kind = kinds[rnd(&seed) % (sizeof(kinds) / sizeof(kinds[0]))],
		    .count = 1 + rnd(&seed) % 3,
		    .rc = APV_RC_INVALID_GISA,
		};
		size_t c = cond_begin(w, on_a ? M_A : M_B, "fault");

		if (apv_hw_inject(w->hw, q, &f))
			bad(w, "inject");
		pause_us(100 + rnd(&seed) % 400);
		apv_hw_inject(w->hw, q, &none);
		cond_end(w, c);
		if (i % 20 == 10) {
			c = cond_begin(w, M_A, "adapter deconfigured");
			apv_hw_configure_adapter(w->hw, A2, false);
			apv_bus_rescan(w->m);
			pause_us(1000);
			apv_hw_configure_adapter(w->hw, A2, true);
			apv_bus_rescan(w->m);
			cond_end(w, c);
		}
		pause_us(200 + rnd(&seed) % 500);
	}
	atomic_fetch_sub(&w->admins, 1);
	return NULL;
}

/* ---- watchdog ------------------------------------------------------------------------------ */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond = PTHREAD_COND_INITIALIZER;
static bool wd_done;

static void *watchdog(void *p)
{
	struct timespec dl;

	(void)p;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += WATCHDOG_S * g_len;
	pthread_mutex_lock(&wd_lock);
	while (!wd_done)
		if (pthread_cond_timedwait(&wd_cond, &wd_lock, &dl) == ETIMEDOUT && !wd_done) {
			fprintf(stderr, "watchdog: not done after %u s (deadlock?); seed %u\n",
				WATCHDOG_S * g_len, g_seed);
			abort();
		}
	pthread_mutex_unlock(&wd_lock);
	return NULL;
}

/* ---- setup and the accounting -------------------------------------------------------------- */

static struct apv_vm *new_vm(struct world *w, const char *name)
{
	struct apv_vm_config vc;
	struct apv_vm *vm;

	apv_vm_config_default(&vc);
	vc.name = name;
	vm = apv_vm_new(w->kvm, &vc);
	REQUIRE(vm);
	REQUIRE(apv_vm_add_memslot(vm, 0, MEM, NULL) == 0);
	REQUIRE(apv_vm_set_apie(vm, true) == 0);
	return vm;
}

static void setup(struct world *w)
{
	struct apv_hw_config hc;
	struct apv_adapter_config ac;
	struct apv_kvm_config kc;
	struct apv_guest_config gc;
	struct apv_guest_platform p;
	struct apv_mask apm, aqm;
	static const unsigned ads[] = {A1, A2, A3, A4};

	w->clk = apv_clock_new_real();
	REQUIRE(w->clk);
	apv_hw_config_default(&hc);
	hc.workers = 2;
	hc.reset_ns = 50 * APV_NSEC_PER_USEC;
	hc.irq_ns = 10 * APV_NSEC_PER_USEC;
	w->hw = apv_hw_new(&hc, w->clk);
	REQUIRE(w->hw);
	apv_adapter_config_default(&ac);
	for (unsigned i = 0; i < 4; i++)
		REQUIRE(apv_hw_add_adapter(w->hw, ads[i], &ac) == 0);
	REQUIRE(apv_hw_add_domain(w->hw, D1) == 0);
	REQUIRE(apv_hw_add_domain(w->hw, D2) == 0);
	REQUIRE(apv_hw_add_control_domain(w->hw, 0x0b) == 0);
	apv_kvm_config_default(&kc);
	w->kvm = apv_kvm_new(w->hw, &kc);
	REQUIRE(w->kvm);
	w->m = apv_matrix_new(w->kvm);
	REQUIRE(w->m);
	memset(&apm, 0xFF, sizeof(apm));
	memset(&aqm, 0xFF, sizeof(aqm));
	for (unsigned i = 0; i < 4; i++)
		apv_mask_clear(&apm, ads[i]);
	REQUIRE(apv_bus_set_masks(w->m, &apm, &aqm, NULL, 0) == 0);

	w->vm1 = new_vm(w, "guest1");
	w->vm2 = new_vm(w, "guest2");
	w->vm3 = new_vm(w, "guest3");
	w->g_vcpu[0] = apv_vcpu_new(w->vm1, 0);
	w->v1b = apv_vcpu_new(w->vm1, 1);
	w->v2[0] = apv_vcpu_new(w->vm2, 0);
	w->v2[1] = apv_vcpu_new(w->vm2, 1);
	w->g_vcpu[1] = apv_vcpu_new(w->vm2, 2);
	w->g_vcpu[2] = apv_vcpu_new(w->vm3, 0);
	REQUIRE(w->g_vcpu[0] && w->v1b && w->v2[0] && w->v2[1] && w->g_vcpu[1] && w->g_vcpu[2]);
	REQUIRE(apv_mdev_create(w->m, UUID_A, &w->a) == 0);
	REQUIRE(apv_mdev_assign_adapter(w->a, A1) == 0);
	REQUIRE(apv_mdev_assign_adapter(w->a, A2) == 0);
	REQUIRE(apv_mdev_assign_domain(w->a, D1) == 0);
	REQUIRE(apv_mdev_assign_domain(w->a, D2) == 0);
	REQUIRE(apv_mdev_attach(w->a, w->vm1) == 0);
	REQUIRE(apv_mdev_create(w->m, UUID_B, &w->b) == 0);
	REQUIRE(apv_mdev_assign_adapter(w->b, A3) == 0);
	REQUIRE(apv_mdev_assign_domain(w->b, D1) == 0);
	REQUIRE(apv_mdev_assign_domain(w->b, D2) == 0);
	REQUIRE(apv_mdev_attach(w->b, w->vm2) == 0);

	apv_guest_config_default(&gc);
	gc.config_time_ns = 5 * APV_NSEC_PER_MSEC; /* notice vanished and returned queues soon */
	gc.wait_timeout_ns = 60 * SEC;
	for (unsigned i = 0; i < NGUESTS; i++) {
		/* B's queues have their interrupts switched by VM 2's looping vCPUs: B's guest polls. */
		gc.useirq = i != M_B;
		REQUIRE(apv_guest_platform_kvm(w->g_vcpu[i], DRV_GPA, 0x8000, &p) == 0);
		REQUIRE(apv_guest_new(&p, &gc, &w->g[i]) == 0);
		/* C does not exist yet: its guest finds no queue until a rescan does. */
		REQUIRE(apv_guest_probe(w->g[i]) == 0);
	}
}

struct hw_sums {
	uint64_t requests, done, discarded, queued;
};

static void hw_add(struct world *w, const apv_apqn_t *qs, unsigned n, struct hw_sums *s)
{
	for (unsigned i = 0; i < n; i++) {
		struct apv_hw_queue_stats st;

		if (apv_hw_queue_stats(w->hw, qs[i], &st) == 0) {
			s->requests += st.requests;
			s->done += st.replies_done;
			s->discarded += st.discarded;
			s->queued += st.queued;
		}
	}
}

static struct hw_sums hw_sums(struct world *w)
{
	struct hw_sums s = {0};

	hw_add(w, a_queues, 4, &s);
	hw_add(w, b_queues, 2, &s);
	hw_add(w, c_queues, 2, &s);
	return s;
}

/* APV_STRESS_SEED (else random) and APV_STRESS_LENGTH, printed so a failure can be replayed. */
static void seed_and_length(void)
{
	const char *s = getenv("APV_STRESS_SEED"), *l = getenv("APV_STRESS_LENGTH");
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	g_seed = s ? (unsigned)strtoul(s, NULL, 0)
		   : (unsigned)(ts.tv_nsec ^ ts.tv_sec ^ ((unsigned)getpid() << 16));
	g_len = l && atoi(l) > 0 ? (unsigned)atoi(l) : 1;
	printf("  seed %u, length %u (replay: APV_STRESS_SEED=%u APV_STRESS_LENGTH=%u)\n", g_seed,
	       g_len, g_seed, g_len);
}

TEST(stress_mt_guest_rsa_aqic_admin_faults_conserve_every_request_and_balance_to_zero)
{
	static struct world w;
	pthread_t sub[SUBMITTERS], vt[3], at, as, rt, ft, wd;
	struct vcpu_arg va[3];
	struct sub_arg sa[SUBMITTERS];
	struct apv_guest_stats gs = {0};
	struct hw_sums hs;
	struct apv_balance b;
	uint64_t guest_nqap = 0, guest_replies = 0, ok_per[LEDGER_MDEVS] = {0};
	unsigned violations;
	char e[256] = "";

	memset(&w, 0, sizeof(w));
	seed_and_length();
	ledger_init(&w.led, NGUESTS);
	REQUIRE(key_make(&w.k));
	setup(&w);
	REQUIRE(pthread_create(&wd, NULL, watchdog, NULL) == 0);
	atomic_store(&w.admins, 4);
	atomic_store(&w.c_admin, true);
	atomic_store(&w.submitting, SUBMITTERS);
	sa[0] = (struct sub_arg){&w, M_A, M_A, PER_SUBMITTER * g_len, g_seed + 1000};
	sa[1] = (struct sub_arg){&w, M_A, M_A, PER_SUBMITTER * g_len, g_seed + 1001};
	sa[2] = (struct sub_arg){&w, M_B, M_B, PER_SUBMITTER / 4 * g_len, g_seed + 1002};
	sa[3] = (struct sub_arg){&w, M_C, M_C, 0, g_seed + 1003};
	for (unsigned i = 0; i < SUBMITTERS; i++)
		REQUIRE(pthread_create(&sub[i], NULL, submitter, &sa[i]) == 0);
	va[0] = (struct vcpu_arg){&w, w.v2[0], b_queues, 2, 0x3000, g_seed + 21, 0};
	va[1] = (struct vcpu_arg){&w, w.v2[1], b_queues, 2, 0x4008, g_seed + 22, 0};
	/* VM 1's second vCPU meddles with the guest's own queues, but gently. */
	va[2] = (struct vcpu_arg){&w, w.v1b, a_queues, 4, 0x5000, g_seed + 23, 200};
	for (unsigned i = 0; i < 3; i++)
		REQUIRE(pthread_create(&vt[i], NULL, aqic_thread, &va[i]) == 0);
	REQUIRE(pthread_create(&at, NULL, attach_thread, &w) == 0);
	REQUIRE(pthread_create(&as, NULL, assign_thread, &w) == 0);
	REQUIRE(pthread_create(&rt, NULL, remove_thread, &w) == 0);
	REQUIRE(pthread_create(&ft, NULL, fault_thread, &w) == 0);

	pthread_join(at, NULL);
	pthread_join(as, NULL);
	pthread_join(rt, NULL);
	pthread_join(ft, NULL);
	for (unsigned i = 0; i < 3; i++)
		pthread_join(vt[i], NULL);
	for (unsigned i = 0; i < SUBMITTERS; i++)
		pthread_join(sub[i], NULL);

	/* Quiet now. Nothing is outstanding in any guest. */
	for (unsigned g = 0; g < NGUESTS; g++) {
		struct apv_guest_stats one;

		CHECK_EQ(apv_guest_wait(w.g[g], NULL, 10 * SEC), 0);
		apv_guest_stats(w.g[g], &one);
		gs.requests += one.requests;
		gs.replies += one.replies;
		gs.resends += one.resends;
		gs.unassociated += one.unassociated;
		for (unsigned i = 0; i < apv_guest_queue_count(w.g[g]); i++) {
			struct apv_guest_queue_info qi;

			REQUIRE(apv_guest_queue_at(w.g[g], i, &qi) == 0);
			guest_nqap += qi.stats.requests;
			guest_replies += qi.stats.replies;
		}
	}
	/*
	 * The guests remove their queues and the VMs let go of A and B: both
	 * reset the queues, so whatever the hardware still held (replies to
	 * requests that had moved on, from queues a guest had given up) is
	 * discarded now. C is gone already.
	 */
	for (unsigned g = 0; g < NGUESTS; g++) {
		apv_guest_free(w.g[g]);
		w.g[g] = NULL;
	}
	apv_mdev_detach(w.a);
	apv_mdev_detach(w.b);
	hs = hw_sums(&w);

	violations = ledger_check(&w.led, 20, ok_per);
	printf("  submitted %ld ok %ld (A %llu, B %llu, C %llu) failed %ld (enodev at submit %ld); "
	       "sends %ld resends %llu unassociated %llu; hw requests %llu replies %llu discarded "
	       "%llu; aqic %ld attach rounds %ld removes %ld; conditions injected %zu; ledger "
	       "violations %u\n",
	       atomic_load(&w.submitted), atomic_load(&w.ok), (unsigned long long)ok_per[M_A],
	       (unsigned long long)ok_per[M_B], (unsigned long long)ok_per[M_C],
	       atomic_load(&w.failed), atomic_load(&w.enodev_submit), atomic_load(&w.sends),
	       (unsigned long long)gs.resends, (unsigned long long)gs.unassociated,
	       (unsigned long long)hs.requests, (unsigned long long)hs.done,
	       (unsigned long long)hs.discarded, atomic_load(&w.aqic), atomic_load(&w.attaches),
	       atomic_load(&w.removes), w.led.nc, violations);

	CHECK_EQ(atomic_load(&w.bad), 0);
	/* Per request: answered once, right, every failure explained; every mdev served. */
	CHECK_EQ(violations, 0);
	if (violations)
		fprintf(stderr, "  replay with APV_STRESS_SEED=%u APV_STRESS_LENGTH=%u\n", g_seed,
			g_len);
	CHECK_EQ(atomic_load(&w.not_done), 0);
	CHECK_EQ(atomic_load(&w.submitted), atomic_load(&w.ok) + atomic_load(&w.failed));
	CHECK_EQ(atomic_load(&w.wrong), 0);
	CHECK(atomic_load(&w.ok) > 0);
	CHECK_U64(gs.requests, (uint64_t)atomic_load(&w.submitted));
	CHECK_U64(gs.replies, (uint64_t)atomic_load(&w.ok)); /* one matched reply per success */
	CHECK_U64(guest_replies, gs.replies);
	/* Hardware conservation: accepted = dequeued + discarded, nothing left behind. */
	CHECK_U64(hs.queued, 0);
	CHECK_U64(hs.requests, hs.done + hs.discarded);
	/* Guest and hardware agree on every NQAP and every DQAP: nothing lost or doubled. */
	CHECK_U64((uint64_t)atomic_load(&w.sends), hs.requests);
	CHECK_U64(guest_nqap, hs.requests);
	CHECK_U64(gs.replies + gs.unassociated, hs.done);
	/*
	 * Every discarded request was seen: each NQAP beyond a request's first
	 * is a re-send or a move to another queue, and a request without a
	 * matched reply ended in a failure the caller saw.
	 */
	CHECK_U64(hs.discarded + gs.replies, (uint64_t)atomic_load(&w.sends) - gs.unassociated);

	/* Quiescent stack: both checkers agree; then everything goes and the balance is zero. */
	CHECK_EQ(apv_matrix_check(w.m, e, sizeof(e)), 0);
	CHECK_EQ(apv_kvm_check(w.kvm, e, sizeof(e)), 0);
	if (e[0])
		fprintf(stderr, "  check: %s\n", e);
	apv_matrix_free(w.m); /* detaches and removes A and B */
	for (unsigned g = 0; g < NGUESTS; g++)
		apv_vcpu_free(w.g_vcpu[g]);
	apv_vcpu_free(w.v1b);
	apv_vcpu_free(w.v2[0]);
	apv_vcpu_free(w.v2[1]);
	apv_vm_put(w.vm1);
	apv_vm_put(w.vm2);
	apv_vm_put(w.vm3);
	apv_account_balance(apv_kvm_account(w.kvm), &b);
	CHECK(apv_balance_zero(&b));
	if (!apv_balance_zero(&b))
		fprintf(stderr, "  balance: %s\n", apv_balance_format(&b, e, sizeof(e)));
	CHECK_EQ(apv_kvm_check(w.kvm, NULL, 0), 0);
	apv_kvm_free(w.kvm);
	apv_hw_free(w.hw);
	apv_clock_free(w.clk);

	pthread_mutex_lock(&wd_lock);
	wd_done = true;
	pthread_cond_signal(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	pthread_join(wd, NULL);
	ledger_fini(&w.led);
}

TEST_MAIN
