/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the benchmarks share: the whole stack on a real clock (hardware
 * with a worker pool, KVM, vfio_ap with one mdev attached to a VM, the
 * guest AP bus model on a vCPU), RSA keys in the layouts the guest driver
 * and OpenSSL want, a monotonic stopwatch and a few statistics.
 *
 * Benchmarks print numbers and never fail on them: a figure is always a
 * ratio (or a difference) against a baseline measured in the same run,
 * so a slow or busy machine moves both sides.
 */
#ifndef APV_BENCH_H
#define APV_BENCH_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apvirt/crypto.h"
#include "apvirt/guest.h"
#include "apvirt/hw.h"
#include "apvirt/kvm.h"
#include "apvirt/vfio_ap.h"

/* ---- time ------------------------------------------------------------------------ */

static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the whole process (every thread), in nanoseconds. */
static inline uint64_t bench_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Seconds per measurement: APV_BENCH_SECONDS (default `dflt`). */
static inline double bench_seconds(double dflt)
{
	const char *s = getenv("APV_BENCH_SECONDS");
	double v = s ? atof(s) : 0;

	return v > 0 ? v : dflt;
}

static inline unsigned bench_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (unsigned)n;
}

/* PQAP(AQIC) from the guest: interrupts on (NIB at nib_gpa) or off; true on CC 0. */
static inline bool bench_aqic(struct apv_vcpu *v, apv_apqn_t apqn, bool on, uint64_t nib_gpa)
{
	struct apv_regs *r = apv_vcpu_regs(v);
	struct apv_aqic_ctrl c = {.ir = on, .isc = APV_AP_ISC};
	struct apv_result res;

	r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, apqn, false, false);
	r->gr[1] = apv_aqic_ctrl_encode(c);
	r->gr[2] = on ? nib_gpa : 0;
	res = apv_vcpu_execute(v, APV_OP_PQAP, 0, 0);
	return res.kind == APV_RES_DONE && res.cc == 0;
}

static inline void bench_die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(2);
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (0..100) of v[0..n), which gets sorted. */
static inline uint64_t bench_percentile(uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* ---- RSA keys -------------------------------------------------------------------- */

struct bench_key {
	int bits;
	size_t L, S;
	EVP_PKEY *pk;
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *u; /* p > q, u = q^-1 mod p */
	uint8_t bn[512], be[512], bd[512];
	/* struct ica_rsa_modexpo_crt layout: p, dp and u carry 8 leading pad bytes */
	uint8_t np[8 + 256], nq[256], bp[8 + 256], bq[256], bu[8 + 256];
};

static inline BIGNUM *bench_key_param(EVP_PKEY *pk, const char *name)
{
	BIGNUM *b = NULL;

	return EVP_PKEY_get_bn_param(pk, name, &b) ? b : NULL;
}

static inline void bench_key_gen(struct bench_key *k, int bits)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BN_CTX *bc = BN_CTX_new();
	int L, S;

	memset(k, 0, sizeof(*k));
	k->bits = bits;
	k->L = ((size_t)bits + 7) / 8;
	k->S = (k->L + 1) / 2;
	if (!kc || !bc || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(kc, bits) <= 0 || EVP_PKEY_generate(kc, &k->pk) <= 0)
		bench_die("RSA key generation failed");
	k->n = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_N);
	k->e = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_E);
	k->d = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_D);
	k->p = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_FACTOR1);
	k->q = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_FACTOR2);
	k->dp = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_EXPONENT1);
	k->dq = bench_key_param(k->pk, OSSL_PKEY_PARAM_RSA_EXPONENT2);
	if (!k->n || !k->e || !k->d || !k->p || !k->q || !k->dp || !k->dq)
		bench_die("RSA key parameters missing");
	if (BN_cmp(k->p, k->q) < 0) {
		BIGNUM *t = k->p;

		k->p = k->q;
		k->q = t;
		t = k->dp;
		k->dp = k->dq;
		k->dq = t;
	}
	k->u = BN_new();
	if (!k->u || !BN_mod_inverse(k->u, k->q, k->p, bc))
		bench_die("q^-1 mod p failed");
	/* Secrets take OpenSSL's constant-time paths, as in the engine. */
	BN_set_flags(k->p, BN_FLG_CONSTTIME);
	BN_set_flags(k->q, BN_FLG_CONSTTIME);
	BN_set_flags(k->dp, BN_FLG_CONSTTIME);
	BN_set_flags(k->dq, BN_FLG_CONSTTIME);
	BN_set_flags(k->u, BN_FLG_CONSTTIME);
	L = (int)k->L;
	S = (int)k->S;
	if (BN_bn2binpad(k->n, k->bn, L) != L || BN_bn2binpad(k->e, k->be, L) != L ||
	    BN_bn2binpad(k->d, k->bd, L) != L || BN_bn2binpad(k->p, k->np + 8, S) != S ||
	    BN_bn2binpad(k->q, k->nq, S) != S || BN_bn2binpad(k->dp, k->bp + 8, S) != S ||
	    BN_bn2binpad(k->dq, k->bq, S) != S || BN_bn2binpad(k->u, k->bu + 8, S) != S)
		bench_die("RSA key does not fit");
	BN_CTX_free(bc);
	EVP_PKEY_CTX_free(kc);
}

static inline void bench_key_free(struct bench_key *k)
{
	BN_free(k->n);
	BN_free(k->e);
	BN_clear_free(k->d);
	BN_clear_free(k->p);
	BN_clear_free(k->q);
	BN_clear_free(k->dp);
	BN_clear_free(k->dq);
	BN_clear_free(k->u);
	EVP_PKEY_free(k->pk);
}

/* A message below the modulus. */
static inline void bench_msg(uint8_t *m, size_t L, unsigned seed)
{
	for (size_t i = 0; i < L; i++)
		m[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
	m[0] = 0;
}

static inline struct apv_ica_rsa_modexpo_crt bench_crt(const struct bench_key *k,
						       const uint8_t *msg, uint8_t *out)
{
	struct apv_ica_rsa_modexpo_crt c = {
	    .inputdata = msg,
	    .inputdatalength = (uint32_t)k->L,
	    .outputdata = out,
	    .outputdatalength = (uint32_t)k->L,
	    .bp_key = k->bp,
	    .bq_key = k->bq,
	    .np_prime = k->np,
	    .nq_prime = k->nq,
	    .u_mult_inv = k->bu,
	};
	return c;
}

static inline struct apv_ica_rsa_modexpo bench_me(const struct bench_key *k, const uint8_t *msg,
						  const uint8_t *exp, uint8_t *out)
{
	struct apv_ica_rsa_modexpo m = {
	    .inputdata = msg,
	    .inputdatalength = (uint32_t)k->L,
	    .outputdata = out,
	    .outputdatalength = (uint32_t)k->L,
	    .b_key = exp,
	    .n_modulus = k->bn,
	};
	return m;
}

/* ---- the stack --------------------------------------------------------------------- */

#define BENCH_UUID "be0c4a11-0000-4000-8000-000000000001"
#define BENCH_GUEST_MEM (1024u * 1024u)
#define BENCH_DRV_GPA UINT64_C(0x10000)

struct bench_stack_opts {
	unsigned adapters; /* CEX8A adapters 1..n, all given to the mdev */
	unsigned domains;  /* usage domains 0..n-1 */
	unsigned workers;  /* hardware worker threads (0: one per core) */
	uint64_t irq_ns;   /* hardware I-bit delay */
	uint64_t reset_ns; /* hardware RAPQ/ZAPQ duration */
	bool guest;	   /* bring the guest model up on the vCPU */
	bool useirq;	   /* guest: AQIC interrupts (false: 250 us polling) */
};

struct bench_stack {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m;
	struct apv_vm *vm;
	struct apv_vcpu *v;
	struct apv_mdev *mdev;
	struct apv_guest *g;
};

/* The hardware's timing is its default (apv_hw_config_default), what users run. */
static inline void bench_stack_opts_default(struct bench_stack_opts *o)
{
	struct apv_hw_config hc;

	apv_hw_config_default(&hc);
	memset(o, 0, sizeof(*o));
	o->adapters = 2;
	o->domains = 2;
	o->irq_ns = hc.irq_ns;
	o->reset_ns = hc.reset_ns;
	o->guest = true;
	o->useirq = true;
}

static inline void bench_stack_init(struct bench_stack *s, const struct bench_stack_opts *o)
{
	struct apv_hw_config hc;
	struct apv_adapter_config ac;
	struct apv_kvm_config kc;
	struct apv_vm_config vc;
	struct apv_mask apm, aqm;
	struct apv_guest_platform p;
	struct apv_guest_config gc;

	memset(s, 0, sizeof(*s));
	s->clk = apv_clock_new_real();
	if (!s->clk)
		bench_die("no clock");
	apv_hw_config_default(&hc);
	hc.workers = o->workers;
	hc.irq_ns = o->irq_ns;
	hc.reset_ns = o->reset_ns;
	s->hw = apv_hw_new(&hc, s->clk);
	if (!s->hw)
		bench_die("apv_hw_new failed");
	apv_adapter_config_default(&ac);
	for (unsigned a = 1; a <= o->adapters; a++)
		if (apv_hw_add_adapter(s->hw, a, &ac))
			bench_die("apv_hw_add_adapter failed");
	for (unsigned d = 0; d < o->domains; d++)
		if (apv_hw_add_domain(s->hw, d))
			bench_die("apv_hw_add_domain failed");
	apv_kvm_config_default(&kc);
	s->kvm = apv_kvm_new(s->hw, &kc);
	s->m = s->kvm ? apv_matrix_new(s->kvm) : NULL;
	if (!s->m)
		bench_die("kvm / matrix setup failed");
	/* Every adapter goes to vfio_ap. */
	memset(&apm, 0xFF, sizeof(apm));
	memset(&aqm, 0xFF, sizeof(aqm));
	for (unsigned a = 1; a <= o->adapters; a++)
		apv_mask_clear(&apm, a);
	if (apv_bus_set_masks(s->m, &apm, &aqm, NULL, 0))
		bench_die("bus masks refused");
	apv_vm_config_default(&vc);
	vc.name = "bench";
	s->vm = apv_vm_new(s->kvm, &vc);
	if (!s->vm || apv_vm_add_memslot(s->vm, 0, BENCH_GUEST_MEM, NULL) ||
	    apv_vm_set_apie(s->vm, true))
		bench_die("VM setup failed");
	s->v = apv_vcpu_new(s->vm, 0);
	if (!s->v || apv_mdev_create(s->m, BENCH_UUID, &s->mdev))
		bench_die("vCPU / mdev setup failed");
	for (unsigned a = 1; a <= o->adapters; a++)
		if (apv_mdev_assign_adapter(s->mdev, a))
			bench_die("assign_adapter failed");
	for (unsigned d = 0; d < o->domains; d++)
		if (apv_mdev_assign_domain(s->mdev, d))
			bench_die("assign_domain failed");
	if (apv_mdev_attach(s->mdev, s->vm))
		bench_die("attach failed");
	if (!o->guest)
		return;
	apv_guest_config_default(&gc);
	gc.useirq = o->useirq;
	if (apv_guest_platform_kvm(s->v, BENCH_DRV_GPA, 0x8000, &p) ||
	    apv_guest_new(&p, &gc, &s->g) || apv_guest_probe(s->g))
		bench_die("guest bring-up failed");
}

/* Tear down and say whether every pin, ISC registration and reference came back. */
static inline void bench_stack_fini(struct bench_stack *s)
{
	struct apv_balance b;

	apv_guest_free(s->g);
	apv_mdev_detach(s->mdev);
	apv_matrix_free(s->m);
	apv_vcpu_free(s->v);
	apv_vm_put(s->vm);
	apv_account_balance(apv_kvm_account(s->kvm), &b);
	if (!apv_balance_zero(&b)) {
		char buf[128];

		fprintf(stderr, "bench: balance not zero: %s\n",
			apv_balance_format(&b, buf, sizeof(buf)));
	}
	apv_kvm_free(s->kvm);
	apv_hw_free(s->hw);
	apv_clock_free(s->clk);
}

/* ---- the machine ---------------------------------------------------------------------- */

static inline void bench_print_machine(void)
{
	char line[256], model[200] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	printf("machine: %u cpus, %s, %s\n", bench_ncpu(), model, OpenSSL_version(OPENSSL_VERSION));
}

#endif
