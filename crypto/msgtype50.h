/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to crypto/: the byte layout of type 50 requests and the
 * type 80 / 82 reply encoders, shared by the engine and the driver side.
 */
#ifndef APV_CRYPTO_MSGTYPE50_H
#define APV_CRYPTO_MSGTYPE50_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header offsets of a type 50 request. */
enum {
	T50_OFF_TYPE = 1,
	T50_OFF_MSG_LEN = 2,
	T50_OFF_KEYBLOCK = 8,
};

/* Header offsets of a type 80 / 82 reply. */
enum {
	T8X_OFF_TYPE = 1,
	T8X_OFF_LEN = 2,
	T8X_OFF_CODE = 4,
};

/* Operand indexes into apv_t50_layout.off. */
enum { T50_ME_EXP, T50_ME_MOD, T50_ME_MSG };
enum { T50_CRT_P, T50_CRT_Q, T50_CRT_DP, T50_CRT_DQ, T50_CRT_U, T50_CRT_MSG };

struct apv_t50_layout {
	uint16_t kb;    /* keyblock type */
	uint16_t len;   /* total message length = msg_len */
	uint16_t block; /* B: size of the message / result field */
	bool crt;
	uint8_t nops;     /* operands: 3 (ME) or 6 (CRT) */
	uint16_t off[6];  /* operand offsets, order as the enums above */
};

/* Layout of keyblock kb, or NULL if kb is not a type 50 keyblock. */
const struct apv_t50_layout *apv_t50_layout(unsigned kb);
/* Size of operand i: B for ME operands and the CRT message, B/2 for CRT key parts. */
static inline size_t apv_t50_op_size(const struct apv_t50_layout *l, unsigned i)
{
	return (l->crt && i != T50_CRT_MSG) ? l->block / 2u : l->block;
}

/* The keyblock that zcrypt would pick for an L-byte operation, or 0. */
unsigned apv_t50_kb_for(size_t L, bool crt);

/*
 * Validate a request's framing (type, lengths, keyblock, reserved bytes).
 * Returns 0 and sets *lay, or the type 82 reply code that describes the
 * first problem found.
 */
unsigned apv_t50_check(const uint8_t *req, size_t len, const struct apv_t50_layout **lay);

/* Write an 8-byte type 82 reply carrying `code`; returns APV_T82_LEN. */
size_t apv_t82_reply(uint8_t *reply, unsigned code);
/* Write a type 80 header for a reply of total length len (result follows). */
void apv_t80_header(uint8_t *reply, size_t len);

static inline unsigned apv_be16(const uint8_t *p) { return ((unsigned)p[0] << 8) | p[1]; }
static inline void apv_put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
