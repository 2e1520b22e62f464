/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CCA coprocessor verbs, one group per verb: the facility query (serial,
 * register states, MKVPs), random numbers, clear-key RSA against OpenSSL,
 * AES DATA secure keys (generate, import, convert to protected keys) under
 * master keys that change, and the codes of every other verb.
 */
#include "card_util.h"
#include "rsa_ref.h"

static uint8_t req[16384];

/* Parsed FQ reply: rule array and verb data. */
struct fq {
	const uint8_t *rules, *vd;
	size_t nrules, nvd;
};

static bool run_fq(struct apv_cex *c, const struct apv_card_ctx *card, bool sb, struct fq *f)
{
	struct apv_t86_view v;
	size_t len = apv_cca_build_fq(req, sizeof(req), DOM, sb);
	const uint8_t *p;

	REQUIRE(len > 0);
	card_run(c, card, req, len, &v);
	if (v.type != APV_T86_TYPE || v.rtcode || v.rscode)
		return false;
	p = v.parm;
	CHECK_MEM(p, "FQ", 2);
	f->nrules = be16(p + 2) - 2;
	f->rules = p + 4;
	f->nvd = be16(p + 4 + f->nrules) - 2;
	f->vd = p + 4 + f->nrules + 2;
	CHECK(4 + f->nrules + 2 + f->nvd + 2 <= v.parm_len);
	return true;
}

TEST(fq_reports_serial_and_empty_registers_as_state_1_and_zero_mkvps)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	struct fq f;
	static const uint8_t zero[16];

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	REQUIRE(run_fq(c, &card, false, &f));
	CHECK(f.nrules >= 80);
	CHECK(f.nvd >= 204);
	CHECK_MEM(f.rules, "93APV011", 8);
	for (unsigned e = 4; e < 10; e++)
		CHECK_EQ(f.rules[8 * e], '1');
	CHECK_MEM(f.vd + 64, zero, 16);
	CHECK_MEM(f.vd + 172, zero, 8);
	CHECK_MEM(f.vd + 184, zero, 8);
	CHECK_MEM(f.vd + 196, zero, 8);
	REQUIRE(run_fq(c, &card, true, &f));
	CHECK(f.nrules >= 104);
	CHECK(f.nvd >= 240);
	for (unsigned e = 10; e < 13; e++)
		CHECK_EQ(f.rules[8 * e], '1');
	CHECK_MEM(f.vd + 208, zero, 8);
	CHECK_MEM(f.vd + 232, zero, 8);
	apv_cex_free(c);
}

TEST(fq_follows_set_change_and_clear_of_the_aes_master_key)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	uint8_t vp1[8], vp2[8], vp3[8];
	static const uint8_t zero[8];
	struct fq f;

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	apv_cca_mkvp(MK1, vp1);
	apv_cca_mkvp(MK2, vp2);
	apv_cca_mkvp(MK3, vp3);
	CHECK(memcmp(vp1, vp2, 8) != 0);
	/* new loaded: NEW full, CUR/OLD invalid */
	REQUIRE(apv_card_keys_apply(&card.keys, false, APV_MK_OP_SET, MK1) == 0);
	REQUIRE(run_fq(c, &card, false, &f));
	CHECK_EQ(f.rules[56], '3');
	CHECK_EQ(f.rules[64], '1');
	CHECK_EQ(f.rules[72], '1');
	CHECK_MEM(f.vd + 196, vp1, 8);
	CHECK_MEM(f.vd + 184, zero, 8);
	/* change: CUR = MK1, NEW empty */
	REQUIRE(apv_card_keys_apply(&card.keys, false, APV_MK_OP_CHANGE, NULL) == 0);
	REQUIRE(run_fq(c, &card, false, &f));
	CHECK_EQ(f.rules[56], '1');
	CHECK_EQ(f.rules[64], '2');
	CHECK_EQ(f.rules[72], '1');
	CHECK_MEM(f.vd + 184, vp1, 8);
	CHECK_MEM(f.vd + 196, zero, 8);
	/* second key: CUR = MK2, OLD = MK1 */
	card_set_current(&card, MK2);
	REQUIRE(run_fq(c, &card, false, &f));
	CHECK_EQ(f.rules[64], '2');
	CHECK_EQ(f.rules[72], '2');
	CHECK_MEM(f.vd + 184, vp2, 8);
	CHECK_MEM(f.vd + 172, vp1, 8);
	/* a change with an empty new register is refused and changes nothing */
	CHECK_EQ(apv_card_keys_apply(&card.keys, false, APV_MK_OP_CHANGE, NULL), -ENOENT);
	CHECK_EQ(apv_card_keys_apply(&card.keys, false, APV_MK_OP_COMMIT, NULL), -EINVAL);
	CHECK_EQ(apv_card_keys_apply(&card.keys, false, APV_MK_OP_SET, NULL), -EINVAL);
	card_set_current(&card, MK3);
	REQUIRE(run_fq(c, &card, false, &f));
	CHECK_MEM(f.vd + 184, vp3, 8);
	CHECK_MEM(f.vd + 172, vp2, 8);
	REQUIRE(apv_card_keys_apply(&card.keys, false, APV_MK_OP_CLEAR, NULL) == 0);
	REQUIRE(run_fq(c, &card, false, &f));
	for (unsigned e = 7; e < 10; e++)
		CHECK_EQ(f.rules[8 * e], '1');
	CHECK_MEM(f.vd + 172, zero, 8);
	CHECK_MEM(f.vd + 184, zero, 8);
	apv_cex_free(c);
}

TEST(rng_returns_4096_fresh_bytes_in_the_data_block)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	struct apv_t86_view v;
	static uint8_t first[4096];
	size_t len, same = 0;

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	REQUIRE(len == 0x58 + 236);
	card_run(c, &card, req, len, &v);
	REQUIRE(v.type == APV_T86_TYPE);
	CHECK_EQ(v.rtcode, 0);
	CHECK_EQ(v.rscode, 0);
	REQUIRE(v.data_len == 4096);
	memcpy(first, v.data, 4096);
	card_run(c, &card, req, len, &v);
	REQUIRE(v.data_len == 4096);
	for (size_t i = 0; i < 4096; i++)
		same += first[i] == v.data[i];
	CHECK(same < 64); /* about 16 expected */
	/* A smaller data buffer (FromCardLen2 and rpl_datal) bounds the count, in 4-byte units. */
	put32(req + 76, 1026);
	put32(req + 0x58 + 28, 1026);
	card_run(c, &card, req, len, &v);
	CHECK_EQ(v.data_len, 1024);
	/* No data buffer at all: rc 8 */
	put32(req + 76, 0);
	card_run(c, &card, req, len, &v);
	CHECK_EQ(v.rtcode, 8);
	CHECK_EQ(v.data_len, 0);
	apv_cex_free(c);
}

static void check_rsa(struct apv_cex *c, const struct apv_card_ctx *card, int bits)
{
	struct test_key k;
	struct apv_t86_view v;
	uint8_t msg[512], want[512];
	size_t len;

	REQUIRE(key_gen(&k, bits));
	REQUIRE(random_below(k.bn_n, k.L, msg));
	/* ME with the private exponent, then with the public one */
	REQUIRE(ossl_raw(&k, true, msg, want));
	len = apv_cca_build_me(req, sizeof(req), DOM, k.bn_d, k.bn_n, msg, k.L);
	REQUIRE(len);
	card_run(c, card, req, len, &v);
	REQUIRE(v.type == APV_T86_TYPE);
	CHECK_EQ(v.rtcode, 0);
	CHECK_EQ(be16(card_reply + 272), k.L + 2);
	CHECK_MEM(card_reply + 274, want, k.L);
	CHECK_EQ(v.parm_len, 6 + k.L);
	REQUIRE(ossl_raw(&k, false, msg, want));
	len = apv_cca_build_me(req, sizeof(req), DOM, k.bn_e, k.bn_n, msg, k.L);
	card_run(c, card, req, len, &v);
	CHECK_EQ(v.rtcode, 0);
	CHECK_MEM(card_reply + 274, want, k.L);
	/* CRT with p > q and swapped */
	REQUIRE(ossl_raw(&k, true, msg, want));
	len = apv_cca_build_crt(req, sizeof(req), DOM, k.bp, k.bq, k.bdp, k.bdq, k.bu, msg, k.L);
	REQUIRE(len);
	card_run(c, card, req, len, &v);
	CHECK_EQ(v.rtcode, 0);
	CHECK_EQ(be16(card_reply + 272), k.L + 2);
	CHECK_MEM(card_reply + 274, want, k.L);
	len = apv_cca_build_crt(req, sizeof(req), DOM, k.sp, k.sq, k.sdp, k.sdq, k.su, msg, k.L);
	card_run(c, card, req, len, &v);
	CHECK_EQ(v.rtcode, 0);
	CHECK_MEM(card_reply + 274, want, k.L);
	/* Input equal to the modulus: 8/770 (zcrypt: EINVAL), never a queue-offline code */
	len = apv_cca_build_me(req, sizeof(req), DOM, k.bn_e, k.bn_n, k.bn_n, k.L);
	card_run(c, card, req, len, &v);
	CHECK_EQ(v.rtcode, 8);
	CHECK_EQ(v.rscode, 770);
	key_free(&k);
}

TEST(clear_key_rsa_me_and_crt_equal_openssl)
{
	static const int sizes[] = {512, 1000, 1024, 2048, 3072, 4096};
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_rsa(c, &card, sizes[i]);
	apv_cex_free(c);
}

TEST(rsa_with_an_even_modulus_or_a_bad_token_is_einval_class)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	struct apv_t86_view v;
	uint8_t e[64] = {0}, n[64], m[64] = {0};
	size_t len;

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	memset(n, 0xF0, sizeof(n));
	e[63] = 3;
	m[63] = 2;
	len = apv_cca_build_me(req, sizeof(req), DOM, e, n, m, 64);
	card_run(c, &card, req, len, &v);
	CHECK_EQ(v.rtcode, 8);
	CHECK_EQ(v.rscode, 770);
	/* token identifier wrong */
	n[63] = 0xF1;
	len = apv_cca_build_me(req, sizeof(req), DOM, e, n, m, 64);
	req[0x58 + 220 + 12 + 2 + 64 + 6] = 0x1F;
	card_run(c, &card, req, len, &v);
	CHECK_EQ(v.rtcode, 8);
	CHECK_EQ(v.rscode, 770);
	/* modulus byte count that disagrees with the data length */
	len = apv_cca_build_me(req, sizeof(req), DOM, e, n, m, 64);
	put16(req + 0x58 + 220 + 12 + 2 + 64 + 6 + 8 + 10, 63);
	card_run(c, &card, req, len, &v);
	CHECK_EQ(v.rtcode, 8);
	CHECK_EQ(v.rscode, 72);
	apv_cex_free(c);
}

/* Run KG or CM; the token from the reply, or rc/rs. */
static unsigned run_token(struct apv_cex *c, const struct apv_card_ctx *card, size_t len,
			  uint8_t tok[64])
{
	struct apv_t86_view v;

	card_run(c, card, req, len, &v);
	REQUIRE(v.type == APV_T86_TYPE);
	if (v.rtcode)
		return (unsigned)v.rtcode << 16 | v.rscode;
	REQUIRE(v.parm_len >= 12 + 64);
	CHECK_EQ(be16(v.parm + 8), 68); /* pkey's check: token length 68 */
	memcpy(tok, v.parm + 12, 64);
	return 0;
}

static void check_token(const uint8_t *t, const uint8_t *mk, unsigned bits)
{
	uint8_t vp[8];
	uint32_t sum = 0;

	apv_cca_mkvp(mk, vp);
	CHECK_EQ(t[0], 0x01);
	CHECK_EQ(t[4], 0x04);
	CHECK_MEM(t + 8, vp, 8);
	CHECK_EQ(be16(t + 56), bits);
	CHECK_EQ(be16(t + 58), bits / 8);
	for (int i = 0; i < 60; i += 4)
		sum += be32(t + i);
	CHECK_EQ(be32(t + 60), sum);
}

TEST(kg_makes_aes_data_tokens_under_the_current_master_key)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	uint8_t t1[64], t2[64];

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	/* no current master key: 12/764 */
	CHECK_EQ(run_token(c, &card, apv_cca_build_kg(req, sizeof(req), DOM, 256), t1),
		 12u << 16 | 764);
	card_set_current(&card, MK1);
	static const unsigned bits[] = {128, 192, 256};
	for (int i = 0; i < 3; i++) {
		REQUIRE(run_token(c, &card, apv_cca_build_kg(req, sizeof(req), DOM, bits[i]), t1) == 0);
		check_token(t1, MK1, bits[i]);
		REQUIRE(run_token(c, &card, apv_cca_build_kg(req, sizeof(req), DOM, bits[i]), t2) == 0);
		CHECK(memcmp(t1 + 16, t2 + 16, 32) != 0); /* random keys */
	}
	/* a key length keyword that is not one of the three: 8/43 */
	size_t len = apv_cca_build_kg(req, sizeof(req), DOM, 128);
	memcpy(req + 0x58 + 220 + 4 + 2 + 8, "KEYLN12 ", 8);
	CHECK_EQ(run_token(c, &card, len, t1), 8u << 16 | 43);
	apv_cex_free(c);
}

/* US on token t: rc<<16|rs, and the protected key block. */
static unsigned run_us(struct apv_cex *c, const struct apv_card_ctx *card, const uint8_t *t,
		       uint8_t pk[64], size_t *pklen)
{
	struct apv_t86_view v;
	size_t len = apv_cca_build_us(req, sizeof(req), DOM, t);

	REQUIRE(len);
	card_run(c, card, req, len, &v);
	REQUIRE(v.type == APV_T86_TYPE);
	if (v.rtcode)
		return (unsigned)v.rtcode << 16 | v.rscode;
	REQUIRE(v.parm_len >= 10 + 142);
	const uint8_t *ckb = v.parm + 10;
	CHECK(ckb[0] == 1 || ckb[0] == 2);
	*pklen = be16(ckb + 8);
	CHECK(*pklen == 48 || *pklen == 56 || *pklen == 64);
	memcpy(pk, ckb + 10, 64);
	return v.rscode;
}

TEST(cm_then_us_gives_a_protected_key_with_the_wkvp_and_reports_old_mk_use)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	uint8_t clear[32], t[64], pk1[64], pk2[64];
	size_t n1 = 0, n2 = 0;

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	card_set_current(&card, MK1);
	for (int i = 0; i < 32; i++)
		clear[i] = (uint8_t)(i * 9 + 1);
	static const size_t sizes[] = {16, 24, 32};
	for (int i = 0; i < 3; i++) {
		size_t n = sizes[i];

		REQUIRE(run_token(c, &card, apv_cca_build_cm(req, sizeof(req), DOM, clear, n), t) == 0);
		check_token(t, MK1, (unsigned)(8 * n));
		CHECK_EQ(run_us(c, &card, t, pk1, &n1), 0);
		CHECK_EQ(n1, n + 32);
		CHECK_MEM(pk1 + n, test_wkvp, 32);
		CHECK(memcmp(pk1, clear, n) != 0); /* never the clear key */
	}
	/* After a master-key change the token is under the old key: rc 0, rs 10001, same key. */
	REQUIRE(run_token(c, &card, apv_cca_build_cm(req, sizeof(req), DOM, clear, 32), t) == 0);
	CHECK_EQ(run_us(c, &card, t, pk1, &n1), 0);
	card_set_current(&card, MK2);
	CHECK_EQ(run_us(c, &card, t, pk2, &n2), 10001);
	CHECK_EQ(n1, n2);
	CHECK_MEM(pk1, pk2, n1);
	/* Another change drops MK1: 8/48 */
	card_set_current(&card, MK3);
	CHECK_EQ(run_us(c, &card, t, pk2, &n2), 8u << 16 | 48);
	/* A token whose validation value was altered: 8/29 */
	REQUIRE(run_token(c, &card, apv_cca_build_cm(req, sizeof(req), DOM, clear, 16), t) == 0);
	t[63] ^= 1;
	CHECK_EQ(run_us(c, &card, t, pk2, &n2), 8u << 16 | 29);
	t[63] ^= 1;
	t[4] = 0x05;
	CHECK_EQ(run_us(c, &card, t, pk2, &n2), 8u << 16 | 49);
	/* No CPACF wrapping key on the host: 8/90 */
	REQUIRE(run_token(c, &card, apv_cca_build_cm(req, sizeof(req), DOM, clear, 16), t) == 0);
	card.cpacf.wrap = NULL;
	CHECK_EQ(run_us(c, &card, t, pk2, &n2), 8u << 16 | 90);
	/* Master keys all cleared: 12/764 */
	REQUIRE(apv_card_keys_apply(&card.keys, false, APV_MK_OP_CLEAR, NULL) == 0);
	CHECK_EQ(run_us(c, &card, t, pk2, &n2), 12u << 16 | 764);
	apv_cex_free(c);
}

/* A request whose parm is given whole. */
static size_t cca_req(const char *verb, const char *rules, size_t vud_extra)
{
	uint8_t parm[256] = {0};
	size_t n = strlen(rules);

	memcpy(parm, verb, 2);
	put16(parm + 2, (unsigned)(2 + n));
	memcpy(parm + 4, rules, n);
	put16(parm + 4 + n, (unsigned)(2 + vud_extra));
	put16(parm + 6 + n + vud_extra, 2);
	return apv_t6_build_cca(req, sizeof(req), DOM, parm, 8 + n + vud_extra, 220 + 512, 0);
}

TEST(other_verbs_keywords_and_rule_counts_get_cca_reason_codes)
{
	static const struct {
		const char *verb, *rules;
		unsigned rc, rs;
	} cases[] = {
	    {"ZZ", "", 8, 90},                  /* unknown verb */
	    {"GK", "AES     OP      ", 8, 90},  /* AES CIPHER keys: not enabled */
	    {"IP", "AES     FIRST   ", 8, 90},
	    {"AU", "EXPT-SK ", 8, 90},
	    {"FQ", "", 8, 35},                  /* FQ needs one keyword */
	    {"FQ", "STATICSC", 8, 33},
	    {"FQ", "STATICSASTATICSB", 8, 35},
	    {"RL", "ODD     ", 8, 33},
	    {"PK", "PKCS-1.2", 8, 33},
	    {"PD", "MRP     ", 8, 33},
	    {"CM", "DES     ", 8, 33},
	    {"KG", "AES     ", 8, 35},
	    {"US", "AES     ", 8, 35},
	};
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	struct apv_t86_view v;

	REQUIRE(c);
	card_init(&card, APV_CARD_CCA);
	card_set_current(&card, MK1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cca_req(cases[i].verb, cases[i].rules, 0);

		REQUIRE(len);
		card_run(c, &card, req, len, &v);
		REQUIRE(v.type == APV_T86_TYPE);
		if (v.rtcode != cases[i].rc || v.rscode != cases[i].rs)
			APV_TEST_FAIL("%s '%s': %u/%u, expected %u/%u", cases[i].verb, cases[i].rules,
				      v.rtcode, v.rscode, cases[i].rc, cases[i].rs);
	}
	apv_cex_free(c);
}

TEST_MAIN
