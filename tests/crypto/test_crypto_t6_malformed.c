/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Malformed type 6 requests, one class at a time: what cannot be framed
 * gets an 8-byte type 82 with the reply code of the first problem; what
 * is framed but has a broken parameter block gets a type 86 with the
 * mode's error codes. Then every truncation and many byte flips of valid
 * requests: always one well-formed reply, never beyond the buffer.
 */
#include "card_util.h"

static uint8_t req[8192];

static unsigned t82_code(struct apv_cex *c, const struct apv_card_ctx *card, size_t len)
{
	struct apv_t86_view v;

	card_run(c, card, req, len, &v);
	return v.type == 0x82 ? v.code : 0;
}

TEST(framing_errors_get_type_82_with_the_first_problem)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx cca, ep;
	size_t len;

	REQUIRE(c);
	card_init(&cca, APV_CARD_CCA);
	card_init(&ep, APV_CARD_EP11);
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	CHECK_EQ(t82_code(c, &cca, 1), APV_T82_BAD_LENGTH);
	CHECK_EQ(t82_code(c, &cca, 0x57), APV_T82_BAD_LENGTH);
	req[1] = 0x50;
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_WRONG_MSG_TYPE);
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put32(req + 16, 0x5C);
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_MALFORMED);   /* offset1 */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	CHECK_EQ(t82_code(c, &ep, len), APV_T82_MALFORMED);    /* "CA" to an EP11 card */
	req[34] = 1;
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_MALFORMED);   /* agent tail not zero */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put32(req + 56, (uint32_t)(len - 0x58 + 1));
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_BAD_LENGTH);  /* ToCardLen1 beyond the message */
	put32(req + 56, 219);
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_BAD_LENGTH);  /* shorter than a CPRB */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put32(req + 60, 8);
	put32(req + 20, (uint32_t)len - 4);
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_BAD_LENGTH);  /* data block beyond the message */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put32(req + 72, 100);
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_BAD_LENGTH);  /* no room for a reply CPRB */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put16(req + 0x58, 0xDD);
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_MALFORMED);   /* CPRB length */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	req[0x58 + 2] = 0x04;
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_MALFORMED);   /* CPRB version */
	len = apv_ep11_build_info(req, sizeof(req), DOM, 1);
	CHECK_EQ(t82_code(c, &cca, len), APV_T82_MALFORMED);   /* "XC" to a CCA card */
	req[0x58 + 2] = 0x02;
	CHECK_EQ(t82_code(c, &ep, len), APV_T82_MALFORMED);
	/* EP11: a reply buffer too small for even an error reply (found by fuzz_cprb) */
	len = apv_ep11_build_info(req, sizeof(req), DOM, 1);
	put32(req + 72, 32 + 21);
	CHECK_EQ(t82_code(c, &ep, len), APV_T82_BAD_LENGTH);
	put32(req + 72, 32 + 22);
	req[0x58 + 32] = 0x31; /* an error reply, which just fits */
	CHECK_EQ(t82_code(c, &ep, len), 0);
	/* a type 6 to an accelerator: the accelerator's own refusal */
	struct apv_card_ctx acc;
	card_init(&acc, APV_CARD_ACCEL);
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	CHECK_EQ(t82_code(c, &acc, len), APV_T82_WRONG_MSG_TYPE);
	apv_cex_free(c);
}

TEST(broken_parameter_blocks_get_cca_codes_and_broken_payloads_ep11_codes)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx cca, ep;
	struct apv_t86_view v;
	size_t len;
	const uint8_t *d;
	size_t dl;
	uint32_t rv = 0;

	REQUIRE(c);
	card_init(&cca, APV_CARD_CCA);
	card_init(&ep, APV_CARD_EP11);
	/* parm length beyond ToCardLen1 */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put32(req + 0x58 + 12, 17);
	card_run(c, &cca, req, len, &v);
	CHECK_EQ(v.rtcode, 8);
	CHECK_EQ(v.rscode, 72);
	/* rule-array length not 2 + 8n */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put16(req + 0x58 + 220 + 2, 9);
	card_run(c, &cca, req, len, &v);
	CHECK_EQ(v.rscode, 35);
	/* VUD length beyond the parm */
	len = apv_cca_build_rng(req, sizeof(req), DOM);
	put16(req + 0x58 + 220 + 12, 200);
	card_run(c, &cca, req, len, &v);
	CHECK_EQ(v.rscode, 72);
	/* VUD length below its own field */
	put16(req + 0x58 + 220 + 12, 1);
	card_run(c, &cca, req, len, &v);
	CHECK_EQ(v.rscode, 72);
	/* EP11: payload length beyond ToCardLen1 */
	len = apv_ep11_build_info(req, sizeof(req), DOM, 1);
	put32(req + 0x58 + 28, 200);
	card_run(c, &ep, req, len, &v);
	REQUIRE(v.type == APV_T86_TYPE);
	CHECK_EQ(apv_ep11_reply_data(&v, &rv, &d, &dl), -EIO);
	CHECK_EQ(rv, 0x07);
	apv_cex_free(c);
}

/* Check one reply for the invariants the fuzz target also asserts. */
static void check_any(const struct apv_card_ctx *card, size_t n)
{
	struct apv_t86_view v;

	REQUIRE(n >= 8 && n <= APV_CARD_REPLY_MAX);
	if (card_reply[1] == APV_T86_TYPE)
		CHECK_EQ(apv_t86_parse(card_reply, n, card->mode == APV_CARD_EP11, &v), 0);
	else
		CHECK(n == 8 && card_reply[1] == 0x82 && card_reply[4] != 0);
}

TEST(every_truncation_and_byte_flip_yields_one_well_formed_reply)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx cca, ep;
	static uint8_t good[8192];
	uint8_t tok[64] = {1, 0, 0, 0, 4};
	size_t lens[6];
	unsigned seed = 1;

	REQUIRE(c);
	card_init(&cca, APV_CARD_CCA);
	card_init(&ep, APV_CARD_EP11);
	card_set_current(&cca, MK1);
	card_set_current(&ep, MK1);
	for (int kind = 0; kind < 6; kind++) {
		const struct apv_card_ctx *card = kind < 4 ? &cca : &ep;
		size_t len;

		switch (kind) {
		case 0: len = apv_cca_build_rng(good, sizeof(good), DOM); break;
		case 1: len = apv_cca_build_kg(good, sizeof(good), DOM, 256); break;
		case 2: len = apv_cca_build_us(good, sizeof(good), DOM, tok); break;
		case 3: {
			uint8_t e[16] = {[15] = 3}, n[16], m[16] = {[15] = 2};
			memset(n, 0xFB, 16);
			len = apv_cca_build_me(good, sizeof(good), DOM, e, n, m, 16);
			break;
		}
		case 4: len = apv_ep11_build_genkey(good, sizeof(good), DOM, 32, 0); break;
		default: len = apv_ep11_build_info(good, sizeof(good), DOM, 3); break;
		}
		REQUIRE(len);
		lens[kind] = len;
		for (size_t cut = 0; cut <= len; cut++) {
			memcpy(req, good, len);
			check_any(card, apv_card_process(c, card, req, cut, card_reply, sizeof(card_reply)));
		}
		for (int i = 0; i < 3000; i++) {
			memcpy(req, good, len);
			for (int f = 0; f < 1 + i % 4; f++) {
				seed = seed * 1103515245u + 12345u;
				req[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 4) & 7));
			}
			check_any(card, apv_card_process(c, card, req, len, card_reply, sizeof(card_reply)));
		}
	}
	(void)lens;
	/* NULL arguments and small reply buffers */
	CHECK_EQ(apv_card_process(c, &cca, NULL, 100, card_reply, sizeof(card_reply)), 8);
	CHECK_EQ(apv_card_process(c, &cca, good, 100, card_reply, 100), 8);
	CHECK_EQ(card_reply[4], APV_T82_MACHINE_FAILURE);
	CHECK_EQ(apv_card_process(c, &cca, good, 100, NULL, 100), 0);
	CHECK_EQ(apv_card_process(NULL, &cca, good, 100, card_reply, sizeof(card_reply)), 8);
	apv_cex_free(c);
}

TEST_MAIN
