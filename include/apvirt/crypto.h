/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the Crypto Express message engines: the accelerator ("CEXnA")
 * here at the top, the CCA ("CEXnC") and EP11 ("CEXnP") coprocessors
 * further down, behind one entry, apv_card_process.
 *
 * Type 50 requests (MEB1-3, CRB1-3) in, type 80 replies or type 82 error
 * replies out, byte for byte as zcrypt's msgtype50 expects them. All
 * multi-byte fields are big-endian. Arithmetic is OpenSSL libcrypto with
 * constant-time exponentiation; CRT is Garner's form with u = q^-1 mod p.
 *
 * The message builders and the reply parser are what a guest driver
 * (zcrypt's msgtype50) does; the guest model and tests use them.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_CRYPTO_H
#define APVIRT_CRYPTO_H

#include <stdbool.h>
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
 * code byte is 0 gives -EIO, since 0 would read as success. -EINVAL for a
 * NULL reply, or a NULL result with L > 0.
 */
int apv_t80_parse(const uint8_t *reply, size_t len, uint8_t *result, size_t L);

/* ---- coprocessors: CCA and EP11 (type 6 requests, type 86 replies) ----- */

/*
 * What a card runs as; the values equal enum apv_ap_mode's in hw.h, which
 * selects the mode per adapter.
 */
enum apv_card_mode {
	APV_CARD_ACCEL = 0,
	APV_CARD_CCA = 1,
	APV_CARD_EP11 = 2,
};

enum {
	APV_T6_TYPE = 0x06,
	APV_T86_TYPE = 0x86,
};

#define APV_T6_HDR 0x58        /* type 6 header; the CPRB follows */
#define APV_T86_HDR 0x30       /* type 86 header; the reply CPRB follows */
#define APV_CCA_CPRB_LEN 0xDC  /* CPRBX, version 2 */
#define APV_EP11_CPRB_LEN 0x20 /* EP11 CPRB, version 4 */
/*
 * Largest reply a coprocessor writes: the 4096 random bytes of an RNG
 * reply after its header, CPRB and parameter block, rounded up. Every
 * other reply (FQ, RSA up to 4096 bits, keys, EP11 info) is shorter.
 */
#define APV_CARD_REPLY_MAX 0x1200

#define APV_CCA_SERIAL_LEN 8
#define APV_EP11_SERIAL_LEN 16
#define APV_MK_LEN 32          /* AES master key, EP11 wrapping key */
#define APV_CCA_MKVP_LEN 8     /* AES MKVP as FQ reports it and tokens carry it */
#define APV_EP11_WKVP_LEN 32   /* EP11 wrapping-key verification pattern */
#define APV_CCA_AES_TOKEN_LEN 64
#define APV_EP11_BLOB_LEN 256

/*
 * Key registers of one domain of one card. CCA: the AES master key's new,
 * current and old registers. EP11: the current and the new (pending)
 * wrapping key. An empty register holds zeros.
 */
enum apv_mk_reg { APV_MK_NEW = 0, APV_MK_CUR = 1, APV_MK_OLD = 2 };
struct apv_card_keys {
	bool aes_set[3];               /* by enum apv_mk_reg */
	uint8_t aes[3][APV_MK_LEN];
	bool wk_set[2];                /* EP11: [0] current, [1] new */
	bool wk_committed;             /* EP11: the new wrapping key is committed */
	uint8_t wk[2][APV_MK_LEN];
};

/* Administrator operations on the registers (apv_card_keys_apply). */
enum apv_mk_op {
	APV_MK_OP_SET,    /* load `key` into the new register (EP11: uncommitted) */
	APV_MK_OP_COMMIT, /* EP11: commit the new wrapping key; CCA: nothing to do, -EINVAL */
	APV_MK_OP_CHANGE, /* new -> current, current -> old (EP11: committed new -> current) */
	APV_MK_OP_CLEAR,  /* empty every register */
};
/*
 * Apply op to the CCA AES master key (ep11 false) or to the EP11 wrapping
 * key. -ENOENT: CHANGE/COMMIT with an empty new register; -EPERM: EP11
 * CHANGE of an uncommitted key; -EINVAL: bad arguments (NULL k, an unknown
 * op, SET without a key, CCA COMMIT).
 */
int apv_card_keys_apply(struct apv_card_keys *k, bool ep11, enum apv_mk_op op,
			const uint8_t key[APV_MK_LEN]);
/* The AES MKVP of a master key (first 8 bytes of its SHA-256). Both: NULL does nothing. */
void apv_cca_mkvp(const uint8_t key[APV_MK_LEN], uint8_t mkvp[APV_CCA_MKVP_LEN]);
/* The 32-byte verification pattern of an EP11 wrapping key (SHA-256). */
void apv_ep11_wkvp(const uint8_t key[APV_MK_LEN], uint8_t wkvp[APV_EP11_WKVP_LEN]);

/*
 * The host CPU's CPACF wrapping key, as far as the cards need it: `wrap`
 * turns a clear key of len bytes into a protected key (len encrypted
 * bytes, then the 32-byte WKVP) and returns 0, or a negative errno. The
 * host supplies it (hw: apv_hw_cpacf_wrap); NULL where the host has none,
 * and conversions to protected keys then fail with the card's codes.
 */
struct apv_card_cpacf {
	int (*wrap)(void *ctx, const uint8_t *clear, size_t len, uint8_t *protkey);
	void *ctx;
};

/* One request's view of its card and domain (a snapshot, copied by hw). */
struct apv_card_ctx {
	enum apv_card_mode mode;
	uint16_t domain;
	char serial[APV_EP11_SERIAL_LEN + 1]; /* CCA uses the first 8 characters */
	struct apv_card_keys keys;
	struct apv_card_cpacf cpacf;
};

/*
 * The one entry for every mode: process a request message for a queue of
 * card `card` and write the reply (at most `cap` bytes, cap >=
 * APV_CARD_REPLY_MAX for coprocessors, APV_CEX_REPLY_MAX for an
 * accelerator). Accelerators take type 50 and answer type 80/82;
 * coprocessors take type 6 and answer type 86 (type 82 for a message they
 * cannot frame). Never fails: every input yields a well-formed reply (a
 * NULL card is an accelerator; a NULL c, a bad mode or a too small cap get
 * a type 82), except a NULL reply or cap < APV_T82_LEN: 0, nothing written.
 */
size_t apv_card_process(struct apv_cex *c, const struct apv_card_ctx *card, const uint8_t *req,
			size_t req_len, uint8_t *reply, size_t cap);

/* ---- the driver side of type 6 (zcrypt's msgtype6, ccamisc, ep11misc) --- */

/*
 * Wrap a CCA request parameter block into a type 6 message: header with
 * agent "CA" and the parm's function code, CPRB version 2 for `domain`,
 * then the parm. rpl_max is the reply CPRB+parm buffer the caller offers,
 * data_max the reply data buffer (RNG: 4096, else 0). Returns the length
 * or 0 if cap is too small or an argument is out of range.
 */
size_t apv_t6_build_cca(uint8_t *out, size_t cap, unsigned domain, const uint8_t *parm,
			size_t parm_len, size_t rpl_max, size_t data_max);
/* Same for EP11: agent "XC", CPRB version 4 with flags, then the payload. */
size_t apv_t6_build_ep11(uint8_t *out, size_t cap, unsigned domain, uint8_t flags,
			 const uint8_t *payload, size_t payload_len, size_t rpl_max);

/* A type 86 reply as zcrypt's receive path checks it. */
struct apv_t86_view {
	uint8_t type;         /* 0x86, or 0x82/0x88/0x87 for an error reply */
	uint8_t code;         /* reply code of an error reply */
	uint16_t rtcode;      /* CCA CPRB return / reason code */
	uint16_t rscode;
	uint32_t ep11_rc;     /* EP11 CPRB ret_code */
	const uint8_t *parm;  /* CCA: reply parm; EP11: reply payload */
	size_t parm_len;
	const uint8_t *data;  /* CCA reply data block (RNG) */
	size_t data_len;
};
/*
 * 0 and *v filled for a type 86 zcrypt would accept for an `ep11` (or CCA)
 * request; the type 82/88/87 reply code (> 0) for an error reply;
 * -EMSGSIZE / -EIO where zcrypt would refuse it or take the queue offline;
 * -EINVAL for a NULL reply or v.
 */
int apv_t86_parse(const uint8_t *reply, size_t len, bool ep11, struct apv_t86_view *v);

/*
 * Requests as Linux builds them (zcrypt's msgtype6 and ccamisc, pkey's
 * EP11 calls), each a whole type 6 message for `domain`. They return the
 * message length, or 0 for bad arguments or a too small `cap`.
 */
/* FQ STATICSA (sb false) or STATICSB. */
size_t apv_cca_build_fq(uint8_t *out, size_t cap, unsigned domain, bool sb);
/* RL RANDOM: 4096 random bytes asked for, as zcrypt's hwrng does. */
size_t apv_cca_build_rng(uint8_t *out, size_t cap, unsigned domain);
/* PK MRP: msg^exp mod mod, L bytes each (1..512). */
size_t apv_cca_build_me(uint8_t *out, size_t cap, unsigned domain, const uint8_t *exp,
			const uint8_t *mod, const uint8_t *msg, size_t L);
/* PD ZERO-PAD: p, q, dp, dq, u of S = (L+1)/2 bytes (u = q^-1 mod p), msg L bytes. */
size_t apv_cca_build_crt(uint8_t *out, size_t cap, unsigned domain, const uint8_t *p,
			 const uint8_t *q, const uint8_t *dp, const uint8_t *dq, const uint8_t *u,
			 const uint8_t *msg, size_t L);
/* KG: a random AES DATA secure key of 128, 192 or 256 bits. */
size_t apv_cca_build_kg(uint8_t *out, size_t cap, unsigned domain, unsigned bits);
/* CM: clear key (16, 24, 32 bytes) to an AES DATA secure key. */
size_t apv_cca_build_cm(uint8_t *out, size_t cap, unsigned domain, const uint8_t *key, size_t n);
/* US: 64-byte AES DATA secure key token to a CPACF protected key. */
size_t apv_cca_build_us(uint8_t *out, size_t cap, unsigned domain,
			const uint8_t token[APV_CCA_AES_TOKEN_LEN]);
/* EP11 get_xcp_info: query 1 (module) or 3 (domain). */
size_t apv_ep11_build_info(uint8_t *out, size_t cap, unsigned domain, unsigned query);
/* EP11 GenerateKey CKM_AES_KEY_GEN, `bytes` 16/24/32, boolean attributes `flags` (0: pkey's default). */
size_t apv_ep11_build_genkey(uint8_t *out, size_t cap, unsigned domain, unsigned bytes,
			     uint32_t flags);
/* EP11 WrapKey CKM_IBM_CPACF_WRAP of a key blob (special flag set). */
size_t apv_ep11_build_wrap(uint8_t *out, size_t cap, unsigned domain, const uint8_t *blob,
			   size_t blob_len);
/* EP11 GenerateRandom of n bytes. */
size_t apv_ep11_build_random(uint8_t *out, size_t cap, unsigned domain, unsigned n);
/*
 * EP11 reply payload as Linux's check_reply_pl reads it: 0 and the data
 * string (*data, *dlen), the non-zero return value as a positive number
 * in *rv with -EIO, or -EMSGSIZE/-EIO for a malformed payload; -EINVAL
 * for a NULL v (rv, data and dlen may each be NULL: not reported).
 */
int apv_ep11_reply_data(const struct apv_t86_view *v, uint32_t *rv, const uint8_t **data,
			size_t *dlen);

#ifdef __cplusplus
}
#endif
#endif
