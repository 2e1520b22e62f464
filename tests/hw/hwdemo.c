/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hwdemo: one RSA-2048 request through the AP hardware model, step by step,
 * on the virtual clock. A CEX8A accelerator at APID 1 with usage domain 6:
 * reset the queue, enable interrupts with a NIB, enqueue a CRT request,
 * let time pass, see the NIB and the interrupt, dequeue the reply and
 * check it with OpenSSL (s^e mod n must give the message back).
 * Exit status 0 when every step behaved as the architecture says.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include <apvirt/crypto.h>
#include <apvirt/hw.h>

#define APID 1
#define APQI 6
#define L 256 /* RSA-2048 */

#define MEM_BASE UINT64_C(0x10000)
#define MEM_SIZE 0x8000
#define NIB_ADDR (MEM_BASE + 0x80)
#define MSG_ADDR (MEM_BASE + 0x1000)
#define BUF_ADDR (MEM_BASE + 0x4000)

static struct apv_clock *clk;
static int failures;

static void step(const char *fmt, const char *what)
{
	printf("[t=%9" PRIu64 " ns] %s%s\n", apv_clock_now(clk), fmt, what ? what : "");
}

static void expect(int ok, const char *what)
{
	printf("    %s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static const char *status(uint32_t apqsw, struct apv_result res)
{
	static char buf[96];
	char sw[64];

	snprintf(buf, sizeof(buf), "cc %u, %s", res.cc, apv_apqsw_format(apqsw, sw, sizeof(sw)));
	return buf;
}

static struct apv_hw_irq last_irq;
static unsigned nirq;

static void on_irq(void *ctx, const struct apv_hw_irq *irq)
{
	(void)ctx;
	last_irq = *irq;
	nirq++;
	printf("    -> adapter interruption: APQN %02x.%04x, ISC %u%s\n", apv_apqn_apid(irq->apqn),
	       apv_apqn_apqi(irq->apqn), irq->isc, irq->gisa_valid ? " (GISA)" : "");
}

struct key {
	BIGNUM *n, *e, *p, *q, *dp, *dq, *u;
};

static int make_key(struct key *k, BN_CTX *ctx)
{
	BIGNUM *p1 = BN_new(), *q1 = BN_new(), *phi = BN_new(), *d = BN_new();
	int ok = 0;

	k->n = BN_new();
	k->e = BN_new();
	k->p = BN_new();
	k->q = BN_new();
	k->dp = BN_new();
	k->dq = BN_new();
	k->u = BN_new();
	if (!p1 || !q1 || !phi || !d || !k->n || !k->e || !k->p || !k->q || !k->dp || !k->dq ||
	    !k->u || !BN_set_word(k->e, 65537))
		goto out;
	do {
		if (!BN_generate_prime_ex(k->p, L * 4, 0, NULL, NULL, NULL) ||
		    !BN_generate_prime_ex(k->q, L * 4, 0, NULL, NULL, NULL))
			goto out;
		if (BN_cmp(k->p, k->q) < 0)
			BN_swap(k->p, k->q);
		BN_mul(k->n, k->p, k->q, ctx);
		BN_sub(p1, k->p, BN_value_one());
		BN_sub(q1, k->q, BN_value_one());
		BN_mul(phi, p1, q1, ctx);
	} while (BN_num_bytes(k->n) != L || !BN_mod_inverse(d, k->e, phi, ctx));
	ok = BN_mod(k->dp, d, p1, ctx) && BN_mod(k->dq, d, q1, ctx) &&
	     BN_mod_inverse(k->u, k->q, k->p, ctx) != NULL;
out:
	BN_free(p1);
	BN_free(q1);
	BN_free(phi);
	BN_clear_free(d);
	return ok;
}

static void free_key(struct key *k)
{
	BN_free(k->n);
	BN_free(k->e);
	BN_clear_free(k->p);
	BN_clear_free(k->q);
	BN_clear_free(k->dp);
	BN_clear_free(k->dq);
	BN_clear_free(k->u);
}

int main(void)
{
	static uint8_t mem[MEM_SIZE];
	struct apv_flat_storage flat = {.mem = mem, .base = MEM_BASE, .size = MEM_SIZE};
	struct apv_storage st = apv_flat_storage(&flat);
	struct apv_hw_config cfg;
	struct apv_adapter_config a;
	struct apv_regs r;
	struct apv_result res;
	const apv_apqn_t apqn = apv_apqn(APID, APQI);
	uint8_t p[L / 2], q[L / 2], dp[L / 2], dq[L / 2], u[L / 2], m[L], s[L];
	uint8_t req[APV_T50_MAX_LEN];
	uint64_t gr2;
	uint32_t w;
	char line[160];
	struct key k;
	BN_CTX *ctx = BN_CTX_new();
	struct apv_hw *hw;

	clk = apv_clock_new_virtual();
	apv_hw_config_default(&cfg);
	hw = clk ? apv_hw_new(&cfg, clk) : NULL;
	apv_adapter_config_default(&a);
	if (!ctx || !hw || apv_hw_add_adapter(hw, APID, &a) || apv_hw_add_domain(hw, APQI)) {
		fprintf(stderr, "hwdemo: cannot set up the host\n");
		return 1;
	}
	apv_hw_set_irq_handler(hw, on_irq, NULL);
	printf("apvirt AP hardware demo (virtual clock: time moves only when the demo lets it)\n\n");
	snprintf(line, sizeof(line), "host: APXA, QCI, APFT, AQIC; adapter %02x = %sA, 4K ME/CRT, usage domain %u",
		 APID, apv_ap_type_name(a.at), APQI);
	step(line, NULL);

	w = apv_hw_tapq(hw, apqn, true, &gr2);
	snprintf(line, sizeof(line), "TAPQ(T) %02x.%04x: %s, hwinfo 0x%016" PRIx64, APID, APQI,
		 status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)), gr2);
	step(line, NULL);

	/* 1. reset: RC02 while it runs, RC00 once reset_ns has passed */
	w = apv_hw_rapq(hw, apqn);
	step("RAPQ: ", status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)));
	w = apv_hw_tapq(hw, apqn, false, NULL);
	step("TAPQ: ", status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)));
	expect(apv_apqsw_get_rc(w) == APV_RC_RESET_IN_PROGRESS, "reset in progress (RC02)");
	apv_clock_sleep(clk, cfg.reset_ns);
	w = apv_hw_tapq(hw, apqn, false, NULL);
	step("TAPQ: ", status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)));
	expect(apv_apqsw_get_rc(w) == APV_RC_NORMAL, "reset complete (RC00), queue empty");

	/* 2. interrupts: AQIC with ISC 6 and a NIB; the I bit follows irq_ns later */
	struct apv_aqic_ctrl c = {.ir = true, .isc = APV_AP_ISC};
	w = apv_hw_aqic(hw, apqn, c, NIB_ADDR, &st);
	snprintf(line, sizeof(line), "AQIC enable, ISC %u, NIB at 0x%" PRIx64 ": ", APV_AP_ISC, NIB_ADDR);
	step(line, status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)));
	apv_clock_sleep(clk, cfg.irq_ns);
	w = apv_hw_tapq(hw, apqn, false, NULL);
	step("TAPQ: ", status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)));
	expect(apv_apqsw_decode(w).i, "interrupts enabled (I bit on)");

	/* 3. an RSA-2048 CRT request (a private-key operation) */
	step("generating an RSA-2048 key with OpenSSL", NULL);
	if (!make_key(&k, ctx)) {
		fprintf(stderr, "hwdemo: key generation failed\n");
		return 1;
	}
	BIGNUM *bm = BN_new();
	if (!bm || !BN_rand_range(bm, k.n) || BN_bn2binpad(bm, m, L) < 0 ||
	    BN_bn2binpad(k.p, p, L / 2) < 0 || BN_bn2binpad(k.q, q, L / 2) < 0 ||
	    BN_bn2binpad(k.dp, dp, L / 2) < 0 || BN_bn2binpad(k.dq, dq, L / 2) < 0 ||
	    BN_bn2binpad(k.u, u, L / 2) < 0) {
		fprintf(stderr, "hwdemo: cannot encode the key\n");
		return 1;
	}
	size_t len = apv_t50_build_crt(req, sizeof(req), p, q, dp, dq, u, m, L);
	memcpy(mem + (MSG_ADDR - MEM_BASE), req, len);
	memset(&r, 0, sizeof(r));
	r.gr[0] = apqn | APV_GR0_NQAP_LAST;
	apv_psmid_to_pair(&r, 4, UINT64_C(0x0000CAFE00000001));
	r.gr[2] = MSG_ADDR;
	r.gr[3] = len;
	res = apv_hw_nqap(hw, &r, 4, 2, &st);
	snprintf(line, sizeof(line), "NQAP type 50 CRB2 (%zu bytes), psmid 0x%016" PRIx64 ": ", len,
		 UINT64_C(0x0000CAFE00000001));
	step(line, status(apv_apqsw_from_gr1(r.gr[1]), res));
	expect(res.kind == APV_RES_DONE && res.cc == 0, "request accepted");

	/* 4. let the adapter work */
	step("NIB byte before: ", mem[NIB_ADDR - MEM_BASE] ? "set" : "0");
	snprintf(line, sizeof(line), "advancing the clock by %" PRIu64 " ns", cfg.reply_ns);
	step(line, NULL);
	apv_clock_sleep(clk, cfg.reply_ns);
	step("NIB byte after:  ", mem[NIB_ADDR - MEM_BASE] ? "set" : "0");
	expect(mem[NIB_ADDR - MEM_BASE] != 0, "NIB set by the adapter");
	expect(nirq == 1 && last_irq.apqn == apqn && last_irq.isc == APV_AP_ISC,
	       "one interruption raised for the queue on ISC 6");

	/* 5. dequeue and verify: s^e mod n == m */
	memset(&r, 0, sizeof(r));
	r.gr[0] = apqn | APV_GR0_DQAP_FIRST;
	r.gr[4] = BUF_ADDR;
	r.gr[5] = 4096;
	res = apv_hw_dqap(hw, &r, 6, 4, &st);
	size_t got = 4096 - r.gr[5];
	snprintf(line, sizeof(line), "DQAP: %zu bytes, psmid 0x%016" PRIx64 ", ", got,
		 apv_psmid_from_pair(&r, 6));
	step(line, status(apv_apqsw_from_gr1(r.gr[1]), res));
	expect(res.kind == APV_RES_DONE && res.cc == 0, "reply dequeued");
	int prc = apv_t80_parse(mem + (BUF_ADDR - MEM_BASE), got, s, L);
	expect(prc == 0, "type 80 reply accepted as zcrypt would");
	BIGNUM *bs = BN_bin2bn(s, L, NULL), *chk = BN_new();
	int good = prc == 0 && bs && chk && BN_mod_exp(chk, bs, k.e, k.n, ctx) && BN_cmp(chk, bm) == 0;
	expect(good, "OpenSSL: signature^65537 mod n == message");

	w = apv_hw_tapq(hw, apqn, false, NULL);
	step("TAPQ: ", status(w, apv_done(apv_apqsw_get_rc(w) ? 3 : 0)));

	BN_free(bs);
	BN_free(chk);
	BN_free(bm);
	free_key(&k);
	BN_CTX_free(ctx);
	apv_hw_set_irq_handler(hw, NULL, NULL);
	apv_hw_free(hw);
	apv_clock_free(clk);
	printf("\n%s\n", failures ? "hwdemo: FAILED" : "hwdemo: all steps as expected");
	return failures ? 1 : 0;
}
