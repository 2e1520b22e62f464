/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared fixture for the hw tests (see hwtest.h). */
#include "hwtest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

static void die(const char *what)
{
	fprintf(stderr, "hwtest: %s\n", what);
	abort();
}

static int ro_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct hwt *t = ctx;
	struct apv_storage flat = apv_flat_storage(&t->flat);

	if (addr < T_RO + 0x100 && addr + len > T_RO)
		return -EFAULT;
	return apv_storage_write(&flat, addr, buf, len);
}

static int ro_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct hwt *t = ctx;
	struct apv_storage flat = apv_flat_storage(&t->flat);

	return apv_storage_read(&flat, addr, buf, len);
}

static void record_irq(void *ctx, const struct apv_hw_irq *irq)
{
	struct hwt *t = ctx;

	pthread_mutex_lock(&t->irq_lock);
	if (t->nirq < T_MAX_IRQ)
		t->irqs[t->nirq] = *irq;
	t->nirq++;
	pthread_mutex_unlock(&t->irq_lock);
}

unsigned hwt_nirq(struct hwt *t)
{
	unsigned n;

	pthread_mutex_lock(&t->irq_lock);
	n = t->nirq;
	pthread_mutex_unlock(&t->irq_lock);
	return n;
}

void hwt_init_bare(struct hwt *t, const struct apv_hw_config *cfg, bool real)
{
	memset(t, 0, sizeof(*t));
	if (cfg)
		t->cfg = *cfg;
	else
		apv_hw_config_default(&t->cfg);
	t->mem = calloc(1, T_MEM_SIZE);
	if (!t->mem)
		die("out of memory");
	t->flat = (struct apv_flat_storage){.mem = t->mem, .base = T_BASE, .size = T_MEM_SIZE};
	t->st = apv_flat_storage(&t->flat);
	t->st_ro = (struct apv_storage){.read = ro_read, .write = ro_write, .ctx = t};
	pthread_mutex_init(&t->irq_lock, NULL);
	t->clk = real ? apv_clock_new_real() : apv_clock_new_virtual();
	if (!t->clk)
		die("no clock");
	t->hw = apv_hw_new(&t->cfg, t->clk);
	if (!t->hw)
		die("no hw");
	apv_hw_set_irq_handler(t->hw, record_irq, t);
}

void hwt_init(struct hwt *t, const struct apv_hw_config *cfg, bool real)
{
	struct apv_adapter_config a;

	hwt_init_bare(t, cfg, real);
	apv_adapter_config_default(&a);
	if (apv_hw_add_adapter(t->hw, T_APID, &a) || apv_hw_add_domain(t->hw, T_APQI))
		die("cannot define adapter 5 / domain 6");
}

void hwt_fini(struct hwt *t)
{
	/* Our handler keeps the hardware in use: it goes first (docs/api.md). */
	apv_hw_set_irq_handler(t->hw, NULL, NULL);
	apv_hw_free(t->hw);
	apv_clock_free(t->clk);
	pthread_mutex_destroy(&t->irq_lock);
	free(t->mem);
}

struct apv_result hwt_pqap(struct hwt *t, struct apv_regs *r, unsigned fc, apv_apqn_t apqn,
			   bool tbit, uint64_t gr1, uint64_t gr2)
{
	memset(r, 0, sizeof(*r));
	r->gr[0] = apv_gr0_pqap(fc, apqn, tbit, false);
	r->gr[1] = gr1;
	r->gr[2] = gr2;
	return apv_hw_pqap(t->hw, r, &t->st);
}

uint32_t hwt_tapq(struct hwt *t, apv_apqn_t apqn)
{
	return apv_hw_tapq(t->hw, apqn, false, NULL);
}

uint8_t hwt_rc(uint32_t apqsw)
{
	return apv_apqsw_get_rc(apqsw);
}

struct apv_result hwt_nqap(struct hwt *t, struct apv_regs *r, apv_apqn_t apqn, uint64_t psmid,
			   const uint8_t *msg, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (msg && len <= T_BUF - T_MSG)
		memcpy(t->mem + (T_MSG - T_BASE), msg, len);
	r->gr[0] = apqn | APV_GR0_NQAP_LAST;
	apv_psmid_to_pair(r, 4, psmid);
	r->gr[2] = T_MSG;
	r->gr[3] = len;
	return apv_hw_nqap(t->hw, r, 4, 2, &t->st);
}

struct apv_result hwt_dqap(struct hwt *t, struct apv_regs *r, apv_apqn_t apqn, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->gr[0] = apqn | APV_GR0_DQAP_FIRST;
	r->gr[4] = T_BUF;
	r->gr[5] = len;
	return apv_hw_dqap(t->hw, r, 6, 4, &t->st);
}

void hwt_sleep(struct hwt *t, uint64_t ns)
{
	apv_clock_sleep(t->clk, ns);
}

/* ---- RSA ------------------------------------------------------------------- */

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static void fill(uint8_t *b, size_t n, uint32_t *s)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)xorshift(s);
}

static void expect_modexp(struct rsa_req *q, const BIGNUM *m, const BIGNUM *e, const BIGNUM *n)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *r = BN_new();

	if (!ctx || !r || !BN_mod_exp(r, m, e, n, ctx) || BN_bn2binpad(r, q->expect, (int)q->L) < 0)
		die("BN_mod_exp");
	BN_free(r);
	BN_CTX_free(ctx);
}

void rsa_me(struct rsa_req *q, size_t L, unsigned seed)
{
	uint32_t s = seed * 2654435761u + 1;
	BIGNUM *m, *e, *n;

	memset(q, 0, sizeof(*q));
	q->L = L;
	fill(q->mod, L, &s);
	fill(q->exp, L, &s);
	fill(q->msg, L, &s);
	q->mod[0] |= 0x80;   /* full length */
	q->mod[L - 1] |= 1;  /* odd */
	q->msg[0] &= 0x3F;   /* below the modulus */
	m = BN_bin2bn(q->msg, (int)L, NULL);
	e = BN_bin2bn(q->exp, (int)L, NULL);
	n = BN_bin2bn(q->mod, (int)L, NULL);
	if (!m || !e || !n)
		die("BN_bin2bn");
	expect_modexp(q, m, e, n);
	BN_free(m);
	BN_free(e);
	BN_free(n);
	q->req_len = apv_t50_build_me(q->req, sizeof(q->req), q->exp, q->mod, q->msg, L);
	if (!q->req_len)
		die("apv_t50_build_me");
}

void rsa_crt(struct rsa_req *q, size_t L, unsigned seed)
{
	size_t S = (L + 1) / 2;
	uint8_t pb[256], qb[256], dpb[256], dqb[256], ub[256];
	uint32_t s = seed * 2654435761u + 7;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *qq = BN_new(), *n = BN_new(), *e = BN_new(), *d = BN_new();
	BIGNUM *p1 = BN_new(), *q1 = BN_new(), *phi = BN_new(), *dp = BN_new(), *dq = BN_new();
	BIGNUM *u = BN_new(), *m = NULL;

	memset(q, 0, sizeof(*q));
	q->L = L;
	if (!ctx || !p || !qq || !n || !e || !d || !p1 || !q1 || !phi || !dp || !dq || !u ||
	    !BN_set_word(e, 65537))
		die("BN_new");
	for (;;) {
		if (!BN_generate_prime_ex(p, (int)(L * 4), 0, NULL, NULL, NULL) ||
		    !BN_generate_prime_ex(qq, (int)(L * 4), 0, NULL, NULL, NULL))
			die("prime");
		if (BN_cmp(p, qq) == 0)
			continue;
		if (BN_cmp(p, qq) < 0)
			BN_swap(p, qq); /* the adapters expect p > q */
		BN_mul(n, p, qq, ctx);
		BN_sub(p1, p, BN_value_one());
		BN_sub(q1, qq, BN_value_one());
		BN_mul(phi, p1, q1, ctx);
		if (BN_num_bytes(n) == (int)L && BN_mod_inverse(d, e, phi, ctx))
			break;
	}
	BN_mod(dp, d, p1, ctx);
	BN_mod(dq, d, q1, ctx);
	if (!BN_mod_inverse(u, qq, p, ctx))
		die("q^-1 mod p");
	fill(q->msg, L, &s);
	q->msg[0] &= 0x3F;
	m = BN_bin2bn(q->msg, (int)L, NULL);
	BN_bn2binpad(n, q->mod, (int)L);
	if (!m || BN_bn2binpad(p, pb, (int)S) < 0 || BN_bn2binpad(qq, qb, (int)S) < 0 ||
	    BN_bn2binpad(dp, dpb, (int)S) < 0 || BN_bn2binpad(dq, dqb, (int)S) < 0 ||
	    BN_bn2binpad(u, ub, (int)S) < 0)
		die("BN_bn2binpad");
	expect_modexp(q, m, d, n);
	q->req_len = apv_t50_build_crt(q->req, sizeof(q->req), pb, qb, dpb, dqb, ub, q->msg, L);
	if (!q->req_len)
		die("apv_t50_build_crt");
	BN_free(m);
	BN_free(p);
	BN_free(qq);
	BN_free(n);
	BN_free(e);
	BN_free(d);
	BN_free(p1);
	BN_free(q1);
	BN_free(phi);
	BN_free(dp);
	BN_free(dq);
	BN_free(u);
	BN_CTX_free(ctx);
}

int rsa_check(const struct rsa_req *q, const uint8_t *reply, size_t len)
{
	uint8_t result[512];
	int rc = apv_t80_parse(reply, len, result, q->L);

	if (rc)
		return rc;
	return memcmp(result, q->expect, q->L) ? -1 : 0;
}
