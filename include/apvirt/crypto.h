/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the Crypto Express accelerator ("CEXnA") message engine.
 *
 * Type 50 requests (MEB1-3, CRB1-3) in, type 80 replies or type 82 error
 * replies out, byte for byte as zcrypt's msgtype50 expects them. All
 * multi-byte fields are big-endian. Arithmetic is OpenSSL libcrypto with
 * constant-time exponentiation; CRT is Garner's form with u = q^-1 mod p.
 *
 * The message builders and the reply parser are what a guest driver
 * (zcrypt's msgtype50) does; the guest model and tests use them.
 */
#ifndef APVIRT_CRYPTO_H
#define APVIRT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	APV_T50_TYPE = 0x50,
	APV_T80_TYPE = 0x80,
	APV_T82_TYPE = 0x82,
	APV_T88_TYPE = 0x88,
};

enum apv_t50_keyblock {
	APV_KB_MEB1 = 0x0001,
	APV_KB_MEB2 = 0x0002,
	APV_KB_MEB3 = 0x0003,
	APV_KB_CRB1 = 0x0011,
	APV_KB_CRB2 = 0x0012,
	APV_KB_CRB3 = 0x0013,
};

/* Reply codes carried in byte 4 of a type 82 reply. */
enum apv_t82_code {
	APV_T82_MACHINE_FAILURE = 0x10,
	APV_T82_WRONG_MSG_TYPE = 0x20,
	APV_T82_MALFORMED = 0x22,      /* bad message, reserved fields */
	APV_T82_BAD_LENGTH = 0x23,     /* msg_len does not match */
	APV_T82_BAD_KEYBLOCK = 0x24,   /* unknown keyblock type */
	APV_T82_OPERAND_INVALID = 0x82, /* input >= modulus, zero operands */
	APV_T82_OPERAND_SIZE = 0x84,
	APV_T82_EVEN_MODULUS = 0x85,
};

/* Sizes. */
#define APV_T50_HDR 16
#define APV_T80_HDR 16
#define APV_T82_LEN 8
#define APV_T50_MAX_LEN 0x710   /* CRB3 */
#define APV_T80_MAX_LEN 0x210   /* never larger: zcrypt BUG_ON beyond */
#define APV_CEX_REPLY_MAX APV_T80_MAX_LEN

/* Total length of a type 50 message with keyblock kb, 0 if kb is unknown. */
size_t apv_t50_len(unsigned kb);
/* Block size B for keyblock kb (128/256/512), 0 if unknown. */
size_t apv_t50_block(unsigned kb);

/*
 * Per-thread engine state (OpenSSL BN_CTX and scratch numbers), so that a
 * request does no allocation once the context is warm. Not thread-safe:
 * one per worker.
 */
struct apv_cex;
struct apv_cex *apv_cex_new(void);
void apv_cex_free(struct apv_cex *c);

/*
 * Process one request message. Writes the reply (type 80, or a type 82
 * error reply for malformed requests and bad operands) into `reply`,
 * which must hold APV_CEX_REPLY_MAX bytes, and returns its length.
 * Never fails: every input yields a reply.
 */
size_t apv_cex_process(struct apv_cex *c, const uint8_t *req, size_t req_len, uint8_t *reply);

/* ---- the driver side (what zcrypt's msgtype50 does) -------------------- */

/*
 * Build a type 50 mod-exp request: result = msg^exp mod mod, all L bytes
 * big-endian. Returns the message length, or 0 if L is 0 or > 512 or
 * `cap` is too small.
 */
size_t apv_t50_build_me(uint8_t *out, size_t cap, const uint8_t *exp, const uint8_t *mod,
			const uint8_t *msg, size_t L);
/*
 * Build a type 50 CRT request. p, q, dp, dq, u are S = (L+1)/2 bytes each,
 * big-endian (u = q^-1 mod p); msg is L bytes. Returns the length or 0.
 */
size_t apv_t50_build_crt(uint8_t *out, size_t cap, const uint8_t *p, const uint8_t *q,
			 const uint8_t *dp, const uint8_t *dq, const uint8_t *u, const uint8_t *msg,
			 size_t L);

/*
 * Check a reply as zcrypt does and extract the L-byte result.
 * Returns 0, or the type 82/88 reply code (> 0), or -EMSGSIZE / -EIO for a
 * reply zcrypt would reject (bad length, unknown type). A type 82/88 whose
 * code byte is 0 gives -EIO, since 0 would read as success.
 */
int apv_t80_parse(const uint8_t *reply, size_t len, uint8_t *result, size_t L);

#ifdef __cplusplus
}
#endif
#endif
