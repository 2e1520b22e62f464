/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to crypto/: the byte layout of type 6 requests, type 86
 * replies, the CCA CPRBX and the EP11 CPRB, shared by the card models
 * (cca.c, ep11.c), the framing (msgtype6.c) and the driver side
 * (driver6.c). Every multi-byte field is big-endian.
 */
#ifndef APV_CRYPTO_MSGTYPE6_H
#define APV_CRYPTO_MSGTYPE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apvirt/crypto.h"

/* Type 6 request header. */
enum {
	T6_OFF_TYPE = 1,
	T6_OFF_OFFSET1 = 16,
	T6_OFF_OFFSET2 = 20,
	T6_OFF_AGENT = 32,  /* 16 bytes: "CA" or "XC", then zeros */
	T6_OFF_RQID = 48,
	T6_OFF_FUNC = 52,   /* 2 ASCII characters (CCA) */
	T6_OFF_TOCARD1 = 56,
	T6_OFF_TOCARD2 = 60,
	T6_OFF_FROMCARD1 = 72,
	T6_OFF_FROMCARD2 = 76,
};

/* Type 86 reply header. */
enum {
	T86_OFF_TYPE = 1,
	T86_OFF_FORMAT = 2,
	T86_OFF_CODE = 4,
	T86_OFF_APFS = 12,
	T86_OFF_COUNT1 = 16,
	T86_OFF_OFFSET1 = 20,
	T86_OFF_COUNT2 = 24,
	T86_OFF_OFFSET2 = 28,
};
#define T86_FORMAT_NORMAL 0x02

/* CCA CPRBX offsets. */
enum {
	CPRB_OFF_LEN = 0,
	CPRB_OFF_VER = 2,
	CPRB_OFF_FUNC_ID = 6,
	CPRB_OFF_REQ_PARML = 12,
	CPRB_OFF_REQ_DATAL = 16,
	CPRB_OFF_RPL_MSGBL = 20,
	CPRB_OFF_RPLD_PARML = 24,
	CPRB_OFF_RPL_DATAL = 28,
	CPRB_OFF_RPLD_DATAL = 32,
	CPRB_OFF_RTCODE = 144,
	CPRB_OFF_RSCODE = 146,
	CPRB_OFF_DOMAIN = 170,
};
#define CCA_CPRB_VERSION 0x02

/* EP11 CPRB offsets. */
enum {
	EP11_OFF_LEN = 0,
	EP11_OFF_VER = 2,
	EP11_OFF_FLAGS = 5,
	EP11_OFF_FUNC_ID = 6,
	EP11_OFF_TARGET = 12,
	EP11_OFF_RET = 16,
	EP11_OFF_PAYLEN = 28,
};
#define EP11_CPRB_VERSION 0x04
/* An EP11 error reply's payload: 30 82 LL LL and three 6-byte TLVs. */
#define EP11_MIN_REPLY_PAYLOAD 22

static inline uint32_t t6_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void t6_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline unsigned t6_be16(const uint8_t *p) { return ((unsigned)p[0] << 8) | p[1]; }
static inline void t6_put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A framed request as the card models see it. */
struct t6_req {
	const uint8_t *msg;
	size_t len;
	const uint8_t *cprb;    /* at offset1 */
	size_t cprb_room;       /* ToCardLen1: CPRB + parameter block / payload */
	const uint8_t *data;    /* request data block (offset2), or NULL */
	size_t data_len;        /* ToCardLen2 */
	size_t from1, from2;    /* FromCardLen1 / 2: the reply buffers the driver offers */
};

/* Where a card model writes its reply: the message buffer and its size. */
struct t6_out {
	uint8_t *reply;
	size_t cap;
};

/* Internal functions stay out of libapvirt's exported symbols. */
#pragma GCC visibility push(hidden)

/* Per-engine scratch for the coprocessor verbs (cex.c owns it). */
struct apv_card_scratch;
struct apv_card_scratch *apv_cex_scratch(struct apv_cex *c);
uint8_t *apv_scratch_t50(struct apv_card_scratch *s);
uint8_t *apv_scratch_t80(struct apv_card_scratch *s);

/*
 * Write a type 86 reply around a reply CPRB+parm of count1 bytes (already
 * at reply + APV_T86_HDR) and data of count2 bytes at offset2 (CCA: also
 * already in place). Returns the total reply length.
 */
size_t t86_finish(uint8_t *reply, size_t count1, size_t offset2, size_t count2);

/* Card models: the reply length (never 0). */
size_t apv_cca_process(struct apv_cex *c, const struct apv_card_ctx *card,
		       const struct t6_req *r, const struct t6_out *o);
size_t apv_ep11_process(struct apv_cex *c, const struct apv_card_ctx *card,
			const struct t6_req *r, const struct t6_out *o);

/* AES-256-CBC without padding, n a multiple of 16; false on an OpenSSL failure. */
bool apv_aes_cbc(struct apv_cex *c, bool enc, const uint8_t key[32], const uint8_t iv[16],
		 const uint8_t *in, uint8_t *out, size_t n);

/*
 * Turn an n-byte AES key (16, 24, 32) into a protected key with the
 * host's CPACF wrapping key: out gets n + 32 bytes (encrypted key, WKVP).
 */
static inline bool apv_cpacf_wrap(const struct apv_card_cpacf *w, const uint8_t *key, size_t n,
				  uint8_t *out)
{
	return w && w->wrap && (n == 16 || n == 24 || n == 32) && w->wrap(w->ctx, key, n, out) == 0;
}

#pragma GCC visibility pop

#endif
