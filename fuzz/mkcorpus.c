/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the binary seed corpora: fuzz_mkcorpus DIR writes DIR/cex (type
 * 50 requests of every keyblock with real RSA keys, plus broken ones) and
 * DIR/insn (operation sequences in fuzz_insn.c's input format: bring a
 * queue up, enable interruptions, send a request, read the reply, and
 * variations with faults, administrator actions and other host or VM
 * features). The text corpora (scenario, mdevctl) are plain files.
 *
 * The insn encoders below mirror the decoder in fuzz_insn.c; a change
 * there needs the same change here.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apvirt/arch.h"
#include "apvirt/crypto.h"

static const char *outdir;

static void put_file(const char *sub, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- keys ------------------------------------------------------------------------------ */

struct key {
	size_t L, S;
	uint8_t n[512], e[512], d[512], p[256], q[256], dp[256], dq[256], u[256];
};

static BIGNUM *param(EVP_PKEY *pk, const char *name)
{
	BIGNUM *b = NULL;

	if (!EVP_PKEY_get_bn_param(pk, name, &b)) {
		fprintf(stderr, "key parameter %s\n", name);
		exit(1);
	}
	return b;
}

static void keygen(struct key *k, int bits)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk = NULL;
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *u = BN_new();
	int L, S;

	if (!kc || !bc || !u || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(kc, bits) <= 0 || EVP_PKEY_generate(kc, &pk) <= 0) {
		fprintf(stderr, "RSA key generation\n");
		exit(1);
	}
	n = param(pk, OSSL_PKEY_PARAM_RSA_N);
	e = param(pk, OSSL_PKEY_PARAM_RSA_E);
	d = param(pk, OSSL_PKEY_PARAM_RSA_D);
	p = param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1);
	q = param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2);
	dp = param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1);
	dq = param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2);
	if (!BN_mod_inverse(u, q, p, bc)) {
		fprintf(stderr, "q^-1 mod p\n");
		exit(1);
	}
	k->L = (size_t)bits / 8;
	k->S = k->L / 2;
	L = (int)k->L;
	S = (int)k->S;
	BN_bn2binpad(n, k->n, L);
	BN_bn2binpad(e, k->e, L);
	BN_bn2binpad(d, k->d, L);
	BN_bn2binpad(p, k->p, S);
	BN_bn2binpad(q, k->q, S);
	BN_bn2binpad(dp, k->dp, S);
	BN_bn2binpad(dq, k->dq, S);
	BN_bn2binpad(u, k->u, S);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(u);
	BN_CTX_free(bc);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(kc);
}

static void message(uint8_t *m, size_t L, unsigned seed)
{
	for (size_t i = 0; i < L; i++)
		m[i] = (uint8_t)(seed * 37u + i * 11u + 5u);
	m[0] = 0;
}

/* ---- cex -------------------------------------------------------------------------------- */

static size_t build_me(uint8_t *out, const struct key *k, bool priv, unsigned seed)
{
	uint8_t msg[512];

	message(msg, k->L, seed);
	return apv_t50_build_me(out, APV_T50_MAX_LEN, priv ? k->d : k->e, k->n, msg, k->L);
}

static size_t build_crt(uint8_t *out, const struct key *k, unsigned seed)
{
	uint8_t msg[512];

	message(msg, k->L, seed);
	return apv_t50_build_crt(out, APV_T50_MAX_LEN, k->p, k->q, k->dp, k->dq, k->u, msg, k->L);
}

/*
 * fuzz_cex also reads every input as a reply (apv_t80_parse): the engine's
 * own type 80 for each block size, an error reply of each type, and a
 * type 80 whose length field disagrees with its length.
 */
static void reply_corpus(const struct key *keys)
{
	uint8_t m[APV_T50_MAX_LEN], r[APV_CEX_REPLY_MAX];
	struct apv_cex *cex = apv_cex_new();
	char name[64];
	size_t n;

	if (!cex) {
		fprintf(stderr, "fuzz_mkcorpus: no engine\n");
		exit(1);
	}
	for (int i = 0; i < 3; i++) {
		n = apv_cex_process(cex, m, build_me(m, &keys[i], false, 11), r);
		snprintf(name, sizeof(name), "reply-t80-%zu", keys[i].L * 8);
		put_file("cex", name, r, n);
	}
	r[2] ^= 1;
	put_file("cex", "reply-t80-bad-length", r, n);
	n = apv_cex_process(cex, m, 1, r); /* too short: a type 82 */
	put_file("cex", "reply-t82", r, n);
	r[1] = 0x88;
	put_file("cex", "reply-t88", r, n);
	r[4] = 0;
	put_file("cex", "reply-t88-no-code", r, n);
	apv_cex_free(cex);
}

static void cex_corpus(const struct key *keys)
{
	uint8_t m[APV_T50_MAX_LEN];
	char name[64];
	size_t n;

	for (int i = 0; i < 3; i++) {
		const struct key *k = &keys[i];

		n = build_me(m, k, false, 1);
		snprintf(name, sizeof(name), "me-%zu-public", k->L * 8);
		put_file("cex", name, m, n);
		n = build_me(m, k, true, 2);
		snprintf(name, sizeof(name), "me-%zu-private", k->L * 8);
		put_file("cex", name, m, n);
		n = build_crt(m, k, 3);
		snprintf(name, sizeof(name), "crt-%zu", k->L * 8);
		put_file("cex", name, m, n);
	}
	/* A short operand right-aligned in a bigger block, and broken requests. */
	n = apv_t50_build_me(m, sizeof(m), keys[0].e + 64, keys[0].n + 64, keys[0].n + 64, 64);
	m[n - 64 + 63] = 3; /* some message below the modulus */
	m[n - 64] = 0;
	put_file("cex", "me-512-in-meb1", m, n);
	n = build_me(m, &keys[0], false, 4);
	m[1] = 0x51;
	put_file("cex", "wrong-type", m, n);
	n = build_me(m, &keys[0], false, 5);
	put_file("cex", "truncated", m, n - 1);
	n = build_crt(m, &keys[0], 6);
	m[9] = 0x14;
	put_file("cex", "bad-keyblock", m, n);
	n = build_me(m, &keys[0], false, 7);
	memset(m + 0x10, 0, 128);
	put_file("cex", "zero-exponent", m, n);
	n = build_me(m, &keys[0], false, 8);
	memset(m + 0x110, 0xFF, 128);
	put_file("cex", "message-above-modulus", m, n);
	n = build_crt(m, &keys[0], 9);
	m[0x10 + 63] &= 0xFE; /* even p */
	put_file("cex", "even-prime", m, n);
	n = build_me(m, &keys[0], false, 10);
	m[6] = 1;
	put_file("cex", "reserved-byte", m, n);
	reply_corpus(keys);
}

/* ---- insn (fuzz_insn.c input format) -------------------------------------------------------- */

struct seq {
	uint8_t b[8192];
	size_t n;
};

static void b8(struct seq *s, unsigned v)
{
	if (s->n < sizeof(s->b))
		s->b[s->n++] = (uint8_t)v;
}

static void b16(struct seq *s, unsigned v)
{
	b8(s, v >> 8);
	b8(s, v);
}

static void b64(struct seq *s, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		b8(s, (unsigned)(v >> (8 * i)));
}

/* Table indexes of fuzz_insn.c. */
enum { Q_01_04 = 0, Q_01_06 = 1, Q_05_04 = 2, Q_05_06 = 3, Q_0A_04 = 4, Q_80_47 = 5 };
enum { AD_NIB = 0, AD_QCI = 2, AD_QCI_BAD = 3, AD_MSG = 4, AD_BUF = 5, AD_OUTSIDE = 8 };
enum { LEN_MEB1 = 3, LEN_CRB1 = 4, LEN_T80 = 9, LEN_SMALL = 10 };

static void header(struct seq *s, unsigned h0, unsigned h1, unsigned h2)
{
	s->n = 0;
	b8(s, h0);
	b8(s, h1);
	b8(s, h2);
}

/* PQAP with function code fc on queue q; c = AQIC controls byte; addr index. */
static void pqap(struct seq *s, unsigned vcpu, unsigned fc, unsigned flags, unsigned q, unsigned c,
		 unsigned addr)
{
	b8(s, 0);
	b8(s, vcpu << 2);
	b8(s, 0);
	b8(s, fc);
	b8(s, flags);
	b8(s, q);
	b8(s, c);
	b8(s, addr);
}

static void aqic(struct seq *s, unsigned q, bool on, unsigned isc)
{
	pqap(s, 0, APV_FC_AQIC, 0, q, (on ? 1u : 0u) | (isc << 1), AD_NIB);
}

static void nqdq(struct seq *s, bool nqap, unsigned r1, unsigned r2, unsigned q, unsigned addr,
		 unsigned len)
{
	b8(s, 0);
	b8(s, nqap ? 1 : 2);
	b8(s, r1 << 4 | r2);
	b8(s, 0);
	b8(s, 0);
	b8(s, q);
	b64(s, 0x12345678);
	b64(s, 0x9abcdef0);
	b8(s, addr);
	b8(s, len);
}

static void mem(struct seq *s, unsigned addr, const uint8_t *p, size_t n)
{
	b8(s, 4);
	b16(s, addr);
	b16(s, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		b8(s, p[i]);
}

static void tick(struct seq *s, unsigned v)
{
	b8(s, 5);
	b8(s, v);
}

static void fault(struct seq *s, unsigned kind, unsigned count, unsigned rc, unsigned q)
{
	b8(s, 6);
	b8(s, kind | count << 3);
	b8(s, rc);
	b8(s, 10);
	b8(s, q);
}

static void admin(struct seq *s, unsigned k, unsigned arg)
{
	b8(s, 7);
	b8(s, k);
	b8(s, arg);
}

static void vcpu_irq(struct seq *s, unsigned vcpu)
{
	b8(s, 8);
	b8(s, vcpu | 2 | 4 | 8 | 16 | 32);
	b8(s, 0xFF);
}

/* Bring a queue up like a guest does, send a request, read the reply. */
static void request(struct seq *s, const uint8_t *msg, size_t n, unsigned lenidx)
{
	vcpu_irq(s, 0);
	pqap(s, 0, APV_FC_TAPQ, 1, Q_01_04, 0, 0);
	pqap(s, 0, APV_FC_RAPQ, 0, Q_01_04, 0, 0);
	tick(s, 20);
	aqic(s, Q_01_04, true, 6);
	tick(s, 20);
	mem(s, 0x4000, msg, n);
	nqdq(s, true, 4, 2, Q_01_04, AD_MSG, lenidx);
	tick(s, 40);
	nqdq(s, false, 6, 4, Q_01_04, AD_BUF, LEN_T80);
	aqic(s, Q_01_04, false, 0);
	tick(s, 20);
}

static void insn_corpus(const struct key *keys)
{
	struct seq s;
	uint8_t m[APV_T50_MAX_LEN];
	size_t n1 = build_me(m, &keys[0], false, 11);

	header(&s, 0, 0, 0);
	request(&s, m, n1, LEN_MEB1);
	put_file("insn", "request-irq", s.b, s.n);

	header(&s, 0, 0, 0);
	pqap(&s, 0, APV_FC_QCI, 0, Q_01_04, 0, AD_QCI);
	pqap(&s, 1, APV_FC_QCI, 0, Q_01_04, 0, AD_QCI_BAD);
	pqap(&s, 0, APV_FC_TAPQ, 1, Q_80_47, 0, 0);
	pqap(&s, 0, APV_FC_TAPQ, 1, Q_0A_04, 0, 0);
	pqap(&s, 0, APV_FC_ZAPQ, 2, Q_05_06, 0, 0);
	pqap(&s, 0, 5, 0, Q_01_04, 0, 0);
	put_file("insn", "pqap-functions", s.b, s.n);

	/* AQIC: enable twice (RC07), an unbacked NIB, a disable, a re-enable on another ISC. */
	header(&s, 0, 0, 0);
	aqic(&s, Q_05_04, true, 3);
	aqic(&s, Q_05_04, true, 3);
	pqap(&s, 1, APV_FC_AQIC, 0, Q_05_06, 1, AD_OUTSIDE);
	tick(&s, 20);
	aqic(&s, Q_05_04, false, 0);
	aqic(&s, Q_05_04, true, 5);
	put_file("insn", "aqic-sequence", s.b, s.n);

	/* Faults against AQIC, then administrator actions under enabled interrupts. */
	header(&s, 0, 0, 0);
	aqic(&s, Q_01_06, true, 2);
	fault(&s, 5, 1, 0, Q_01_06); /* AQIC_RC07 once */
	aqic(&s, Q_01_06, false, 0);
	fault(&s, 6, 2, 0x08, Q_01_06); /* AQIC_RC 08 twice */
	aqic(&s, Q_01_06, false, 0);
	fault(&s, 1, 0, 0, Q_01_04); /* busy */
	aqic(&s, Q_01_04, true, 1);
	admin(&s, 2, 0); /* VFIO reset */
	aqic(&s, Q_01_04, true, 1);
	admin(&s, 3, 0); /* DMA unmap */
	b8(&s, AD_NIB);
	b16(&s, 0x100);
	admin(&s, 6, 1); /* unassign adapter 05 */
	admin(&s, 4, 0); /* adapter 01 deconfigured + rescan */
	admin(&s, 4, 0x80);
	admin(&s, 1, 0); /* detach */
	aqic(&s, Q_01_04, true, 1);
	admin(&s, 0, 0); /* attach */
	aqic(&s, Q_01_04, true, 1);
	put_file("insn", "faults-admin", s.b, s.n);

	/* A CRT request with the reply read through too small a buffer, on a PV guest. */
	header(&s, 0, 0x10, 0);
	admin(&s, 9, 1); /* share the NIB page */
	b8(&s, AD_NIB);
	{
		size_t n = build_crt(m, &keys[0], 12);

		request(&s, m, n, LEN_CRB1);
		mem(&s, 0x4000, m, n);
		nqdq(&s, true, 4, 2, Q_05_06, AD_MSG, LEN_CRB1);
		tick(&s, 40);
		nqdq(&s, false, 6, 4, Q_05_06, AD_BUF, LEN_SMALL);
	}
	put_file("insn", "crt-pv", s.b, s.n);

	/* No AIV, no facility 65, problem state, odd registers, raw registers. */
	header(&s, 0x10, 0x04, 0);
	aqic(&s, Q_01_04, true, 6);
	b8(&s, 0);
	b8(&s, 0x38); /* problem state PQAP */
	b8(&s, 0);
	b8(&s, APV_FC_AQIC);
	b8(&s, 0);
	b8(&s, Q_01_04);
	b8(&s, 1);
	b8(&s, AD_NIB);
	nqdq(&s, true, 5, 3, Q_01_04, AD_MSG, LEN_MEB1);
	b8(&s, 0);
	b8(&s, 0x40 | 3); /* raw opcode and registers */
	b8(&s, 0x42);
	b16(&s, 0xB2AF);
	for (int i = 0; i < 16; i++)
		b64(&s, (uint64_t)i * 0x0101010101010101ull);
	put_file("insn", "exceptions", s.b, s.n);

	/* No APXA, CEX6 coprocessor mode, nested intercepts, APIE toggled. */
	header(&s, 0x01, 0, 0x08 | 2);
	admin(&s, 11, 1);
	pqap(&s, 0, APV_FC_TAPQ, 1, Q_01_04, 0, 0);
	admin(&s, 11, 0);
	admin(&s, 8, 0);
	pqap(&s, 0, APV_FC_TAPQ, 1, Q_01_04, 0, 0);
	admin(&s, 8, 1);
	request(&s, m, n1, LEN_MEB1);
	put_file("insn", "no-apxa-cca-nested", s.b, s.n);
}

/* ---- cprb: a selector byte (bit 0 EP11, bits 1-3 keys) then a type 6 request ---------- */

static void put_cprb(const char *name, uint8_t sel, const uint8_t *m, size_t n)
{
	static uint8_t b[16384];

	b[0] = sel;
	memcpy(b + 1, m, n);
	put_file("cprb", name, b, n + 1);
}

static void cprb_corpus(const struct key *keys)
{
	static uint8_t m[16384];
	uint8_t tok[64] = {1, 0, 0, 0, 4}, blob[256] = {0}, clear[32] = {7};
	const struct key *k = &keys[0];
	size_t n;

	n = apv_cca_build_fq(m, sizeof(m), 6, false);
	put_cprb("cca-fq-a", 0x06, m, n);
	n = apv_cca_build_fq(m, sizeof(m), 6, true);
	put_cprb("cca-fq-b", 0x0E, m, n);
	n = apv_cca_build_rng(m, sizeof(m), 6);
	put_cprb("cca-rng", 0x00, m, n);
	n = apv_cca_build_me(m, sizeof(m), 6, k->e, k->n, k->n + 1, k->L);
	put_cprb("cca-me", 0x00, m, n);
	n = apv_cca_build_crt(m, sizeof(m), 6, k->p, k->q, k->dp, k->dq, k->u, k->n + 1, k->L);
	put_cprb("cca-crt", 0x00, m, n);
	n = apv_cca_build_kg(m, sizeof(m), 6, 256);
	put_cprb("cca-kg", 0x02, m, n);
	n = apv_cca_build_cm(m, sizeof(m), 6, clear, 32);
	put_cprb("cca-cm", 0x06, m, n);
	n = apv_cca_build_us(m, sizeof(m), 6, tok);
	put_cprb("cca-us", 0x06, m, n);
	n = apv_ep11_build_info(m, sizeof(m), 6, 1);
	put_cprb("ep11-module-info", 0x01, m, n);
	n = apv_ep11_build_info(m, sizeof(m), 6, 3);
	put_cprb("ep11-domain-info", 0x0F, m, n);
	n = apv_ep11_build_genkey(m, sizeof(m), 6, 32, 0);
	put_cprb("ep11-genkey", 0x03, m, n);
	blob[64] = 0x12;
	blob[65] = 0x34;
	n = apv_ep11_build_wrap(m, sizeof(m), 6, blob, sizeof(blob));
	put_cprb("ep11-wrap", 0x03, m, n);
	n = apv_ep11_build_random(m, sizeof(m), 6, 64);
	put_cprb("ep11-random", 0x01, m, n);
}

int main(int argc, char **argv)
{
	struct key keys[3];

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_mkcorpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	keygen(&keys[0], 1024);
	keygen(&keys[1], 2048);
	keygen(&keys[2], 4096);
	cex_corpus(keys);
	insn_corpus(keys);
	cprb_corpus(keys);
	return 0;
}
