/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the coprocessor tests: a card context (mode, domain,
 * serial, keys, a CPACF wrapping key), one call that runs a request and
 * checks the reply's framing as zcrypt's receive path does, and byte
 * accessors.
 */
#ifndef APV_TEST_CARD_UTIL_H
#define APV_TEST_CARD_UTIL_H

#include <errno.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "testlib.h"

#define DOM 11

static inline unsigned be16(const uint8_t *p) { return ((unsigned)p[0] << 8) | p[1]; }
static inline uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const uint8_t MK1[APV_MK_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t MK2[APV_MK_LEN] = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
					0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
					0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7,
					0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF};
static const uint8_t MK3[APV_MK_LEN] = {0x33};

/*
 * A stand-in for the host's CPACF wrapping (hw's is tested with hw): XOR
 * with a fixed pattern, then a fixed WKVP. Enough to tell that the card
 * hands it the clear key and places its output.
 */
static const uint8_t test_wkvp[32] = {0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7,
				      0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF,
				      0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
				      0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static inline int test_wrap(void *ctx, const uint8_t *clear, size_t len, uint8_t *protkey)
{
	for (size_t i = 0; i < len; i++)
		protkey[i] = clear[i] ^ (uint8_t)(0x5A + 3 * i);
	memcpy(protkey + len, ctx, 32);
	return 0;
}

static inline void card_init(struct apv_card_ctx *card, enum apv_card_mode mode)
{
	memset(card, 0, sizeof(*card));
	card->mode = mode;
	card->domain = DOM;
	memcpy(card->serial, mode == APV_CARD_EP11 ? "93APVX0000000011" : "93APV011", mode == APV_CARD_EP11 ? 16 : 8);
	card->cpacf.wrap = test_wrap;
	card->cpacf.ctx = (void *)test_wkvp;
}

/* Make the current register hold `key` (through SET + CHANGE, as an administrator does). */
static inline void card_set_current(struct apv_card_ctx *card, const uint8_t *key)
{
	bool ep11 = card->mode == APV_CARD_EP11;

	REQUIRE(apv_card_keys_apply(&card->keys, ep11, APV_MK_OP_SET, key) == 0);
	if (ep11)
		REQUIRE(apv_card_keys_apply(&card->keys, ep11, APV_MK_OP_COMMIT, NULL) == 0);
	REQUIRE(apv_card_keys_apply(&card->keys, ep11, APV_MK_OP_CHANGE, NULL) == 0);
}

static uint8_t card_reply[APV_CARD_REPLY_MAX];

/*
 * Run a request; returns the reply length and fills *v. A type 86 must
 * pass apv_t86_parse (the receive path); its length must be what zcrypt
 * copies (offset2 + count2 for CCA, offset1 + count1 for EP11).
 */
static inline size_t card_run(struct apv_cex *c, const struct apv_card_ctx *card,
			      const uint8_t *req, size_t len, struct apv_t86_view *v)
{
	size_t n = apv_card_process(c, card, req, len, card_reply, sizeof(card_reply));
	bool ep11 = card->mode == APV_CARD_EP11;

	CHECK(n >= 8 && n <= APV_CARD_REPLY_MAX);
	memset(v, 0, sizeof(*v));
	if (n >= 2 && card_reply[1] == APV_T86_TYPE) {
		CHECK_EQ(apv_t86_parse(card_reply, n, ep11, v), 0);
		CHECK_EQ(card_reply[2], 0x02);
		CHECK_EQ(card_reply[4], 0);
		CHECK_EQ(be32(card_reply + 20), 0x30);
		if (ep11)
			CHECK_EQ(n, 0x30 + be32(card_reply + 16));
		else
			CHECK_EQ(n, be32(card_reply + 28) + be32(card_reply + 24));
	} else {
		CHECK_EQ(n, APV_T82_LEN);
		v->type = card_reply[1];
		v->code = card_reply[4];
	}
	return n;
}

#endif
