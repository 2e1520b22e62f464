/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EP11 coprocessor ("CEXnP"): functions in an EP11 CPRB (version 4)
 * whose payload is a sequence of octet strings (tag 0x04) inside a
 * sequence (tag 0x30): function ((API << 16) | number), domain, then the
 * function's parameters. The reply payload echoes function and domain,
 * carries the return value (a PKCS #11 CK_RV, IBM's vendor codes for
 * wrapping-key conditions) and, on success, one data string.
 *
 * Implemented functions:
 *    4 GenerateRandom  (length in a 4-byte parameter, at most 4096 bytes)
 *   19 EncryptSingle   (CKM_AES_CBC_PAD with a key blob: the clear-key import step)
 *   21 GenerateKey     (CKM_AES_KEY_GEN, 16/24/32 bytes: an AES key blob)
 *   33 WrapKey         (CKM_IBM_CPACF_WRAP: key blob to CPACF protected key)
 *   34 UnwrapKey       (CKM_AES_CBC_PAD under a key blob: import an AES key)
 *   38 get_xcp_info    (module info, query 1; domain info, query 3)
 * Every other function answers CKR_FUNCTION_NOT_SUPPORTED.
 *
 * Key blob (256 bytes): 32 zero bytes (session field; Linux writes its
 * header over the first 16), the first 16 bytes of the domain's wrapping
 * key verification pattern at 32, the u64 boolean attributes at 48, the
 * u64 mode at 56, magic 0x1234 at 64, a 14-byte IV at 66, the enciphered
 * key section at 80 (AES-256-CBC under the wrapping key with IV || 00 00:
 * u16 key length, key, zeros; 144 bytes) and at 224 a 32-byte MAC
 * (SHA-256 over the wrapping key and bytes 32-223). The encipherment is
 * the model's own; a blob made under another wrapping key or altered
 * answers CKR_IBM_WKID_MISMATCH or CKR_IBM_BLOB_ERROR.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "apvirt/crypto.h"
#include "msgtype50.h"
#include "msgtype6.h"

/* Return values. */
#define CKR_OK 0x00000000u
#define CKR_ARGUMENTS_BAD 0x00000007u
#define CKR_ATTRIBUTE_VALUE_INVALID 0x00000013u
#define CKR_DATA_LEN_RANGE 0x00000021u
#define CKR_FUNCTION_NOT_SUPPORTED 0x00000054u
#define CKR_KEY_SIZE_RANGE 0x00000062u
#define CKR_MECHANISM_INVALID 0x00000070u
#define CKR_MECHANISM_PARAM_INVALID 0x00000071u
#define CKR_WRAPPED_KEY_INVALID 0x00000110u
#define CKR_TEMPLATE_INCONSISTENT 0x000000D1u
#define CKR_IBM_WKID_MISMATCH 0x80010001u
#define CKR_IBM_BLOB_ERROR 0x80010004u
#define CKR_IBM_WK_NOT_INITIALIZED 0x80010009u

/* Mechanisms. */
#define CKM_AES_KEY_GEN 0x00001080u
#define CKM_AES_CBC_PAD 0x00001085u
#define CKM_IBM_CPACF_WRAP 0x80060001u

/* Functions. */
enum {
	FN_GENERATE_RANDOM = 4,
	FN_ENCRYPT_SINGLE = 19,
	FN_GENERATE_KEY = 21,
	FN_WRAP_KEY = 33,
	FN_UNWRAP_KEY = 34,
	FN_GET_XCP_INFO = 38,
};

/* Module identity the info query reports. */
#define EP11_API_ORDINAL 6
#define EP11_FW_MAJOR 8
#define EP11_FW_MINOR 2
#define EP11_OP_MODE_FIPS2021 (1ull << 7) /* op-mode bit 7 */
#define EP11_MAX_PAYLOAD 8192
#define EP11_DOMFLAG_CUR_WK 0x02
#define EP11_DOMFLAG_NEW_WK 0x04
#define EP11_DOMFLAG_COMMITTED 0x08
#define EP11_DOMFLAG_IMPRINT_LEFT 0x10

#define MODULE_INFO_LEN 196
#define DOMAIN_INFO_LEN 80
#define RNG_MAX 4096

/* Key blob layout. */
enum {
	BLOB_WKVP = 32,
	BLOB_ATTR = 48,
	BLOB_MODE = 56,
	BLOB_MAGIC = 64,
	BLOB_IV = 66,
	BLOB_ENC = 80,
	BLOB_MAC = 224,
};
#define BLOB_ENC_LEN (BLOB_MAC - BLOB_ENC)
#define BLOB_MAGIC_VALUE 0x1234

/* Where the reply data string's value starts: CPRB, then 30 82 LL LL, three 6-byte TLVs, 04 82 LL LL. */
#define REPLY_PL (APV_T86_HDR + APV_EP11_CPRB_LEN)
#define REPLY_DATA (REPLY_PL + 4 + 18 + 4)

#define MAX_PARAMS 8

struct ep11_req {
	uint32_t fn;     /* as sent: (API << 16) | number */
	uint32_t domain;
	unsigned nparams;
	const uint8_t *param[MAX_PARAMS];
	size_t plen[MAX_PARAMS];
};

/* Read a BER length at *p (within end). False if malformed. */
static bool ber_len(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *q = *p;

	if (q >= end)
		return false;
	if (*q < 0x80) {
		*len = *q;
		*p = q + 1;
		return true;
	}
	if (*q == 0x81 && end - q >= 2) {
		*len = q[1];
		*p = q + 2;
		return true;
	}
	if (*q == 0x82 && end - q >= 3) {
		*len = ((size_t)q[1] << 8) | q[2];
		*p = q + 3;
		return true;
	}
	return false;
}

/* Parse the payload. False if it is not a well-formed request. */
static bool parse_payload(const uint8_t *pl, size_t n, struct ep11_req *rq)
{
	const uint8_t *p = pl, *end = pl + n;
	size_t len;
	unsigned i = 0;

	memset(rq, 0, sizeof(*rq));
	if (n < 2 || *p++ != 0x30 || !ber_len(&p, end, &len) || len != (size_t)(end - p))
		return false;
	while (p < end) {
		const uint8_t *v;

		if (*p++ != 0x04 || !ber_len(&p, end, &len) || len > (size_t)(end - p))
			return false;
		v = p;
		p += len;
		if (i == 0 || i == 1) {
			if (len != 4)
				return false;
			if (i == 0)
				rq->fn = t6_be32(v);
			else
				rq->domain = t6_be32(v);
		} else {
			if (rq->nparams == MAX_PARAMS)
				return false;
			rq->param[rq->nparams] = v;
			rq->plen[rq->nparams++] = len;
		}
		i++;
	}
	return i >= 2;
}

/*
 * Finish the reply: payload with function, domain, return value and (on
 * success) the data string whose dlen bytes are already at REPLY_DATA.
 */
static size_t ep11_reply(const struct t6_req *r, const struct t6_out *o, const struct ep11_req *rq,
			 uint32_t rv, size_t dlen)
{
	uint8_t *cprb = o->reply + APV_T86_HDR, *pl = o->reply + REPLY_PL, *t;
	size_t pll;

	if (rv != CKR_OK)
		dlen = 0;
	pll = 4 + 18 + (rv == CKR_OK ? 4 + dlen : 0);
	if (APV_EP11_CPRB_LEN + pll > r->from1 && rv == CKR_OK) {
		rv = CKR_DATA_LEN_RANGE;
		dlen = 0;
		pll = 4 + 18;
	}
	memcpy(cprb, r->cprb, APV_EP11_CPRB_LEN);
	t6_put_be32(cprb + EP11_OFF_RET, 0);
	t6_put_be32(cprb + EP11_OFF_PAYLEN, (uint32_t)pll);
	pl[0] = 0x30;
	pl[1] = 0x82;
	t6_put_be16(pl + 2, (unsigned)(pll - 4));
	t = pl + 4;
	const uint32_t vals[3] = {rq ? rq->fn : 0, rq ? rq->domain : 0, rv};
	for (int i = 0; i < 3; i++, t += 6) {
		t[0] = 0x04;
		t[1] = 0x04;
		t6_put_be32(t + 2, vals[i]);
	}
	if (rv == CKR_OK) {
		t[0] = 0x04;
		t[1] = 0x82;
		t6_put_be16(t + 2, (unsigned)dlen);
	}
	return t86_finish(o->reply, APV_EP11_CPRB_LEN + pll, 0, 0);
}

static uint32_t param_u32(const struct ep11_req *rq, unsigned i, bool *ok)
{
	if (i >= rq->nparams || rq->plen[i] != 4) {
		*ok = false;
		return 0;
	}
	return t6_be32(rq->param[i]);
}

/* ---- blobs --------------------------------------------------------------- */

static bool blob_mac(const uint8_t wk[APV_MK_LEN], const uint8_t *blob, uint8_t mac[32])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned int len = 32;
	bool ok = m && EVP_DigestInit_ex(m, EVP_sha256(), NULL) &&
		  EVP_DigestUpdate(m, wk, APV_MK_LEN) &&
		  EVP_DigestUpdate(m, blob + BLOB_WKVP, BLOB_MAC - BLOB_WKVP) &&
		  EVP_DigestFinal_ex(m, mac, &len);

	EVP_MD_CTX_free(m);
	return ok;
}

static bool blob_make(struct apv_cex *c, const uint8_t wk[APV_MK_LEN], const uint8_t *key,
		      size_t n, uint64_t attr, uint8_t *blob)
{
	uint8_t wkvp[APV_EP11_WKVP_LEN], iv[16] = {0}, sec[BLOB_ENC_LEN] = {0};
	bool ok;

	memset(blob, 0, APV_EP11_BLOB_LEN);
	apv_ep11_wkvp(wk, wkvp);
	memcpy(blob + BLOB_WKVP, wkvp, 16);
	for (int i = 0; i < 8; i++)
		blob[BLOB_ATTR + i] = (uint8_t)(attr >> (56 - 8 * i));
	t6_put_be16(blob + BLOB_MAGIC, BLOB_MAGIC_VALUE);
	if (RAND_bytes(blob + BLOB_IV, 14) != 1)
		return false;
	memcpy(iv, blob + BLOB_IV, 14);
	t6_put_be16(sec, (unsigned)n);
	memcpy(sec + 2, key, n);
	ok = apv_aes_cbc(c, true, wk, iv, sec, blob + BLOB_ENC, BLOB_ENC_LEN) &&
	     blob_mac(wk, blob, blob + BLOB_MAC);
	OPENSSL_cleanse(sec, sizeof(sec));
	return ok;
}

/* Open a key blob: CKR_OK and the clear key (n bytes), or the return value. */
static uint32_t blob_open(struct apv_cex *c, const struct apv_card_keys *k, const uint8_t *blob,
			  size_t len, uint8_t key[32], size_t *n, uint64_t *attr)
{
	uint8_t wkvp[APV_EP11_WKVP_LEN], mac[32], iv[16] = {0}, sec[BLOB_ENC_LEN];
	uint32_t rv = CKR_OK;

	if (len < APV_EP11_BLOB_LEN || t6_be16(blob + BLOB_MAGIC) != BLOB_MAGIC_VALUE)
		return CKR_IBM_BLOB_ERROR;
	if (!k->wk_set[0])
		return CKR_IBM_WK_NOT_INITIALIZED;
	apv_ep11_wkvp(k->wk[0], wkvp);
	if (CRYPTO_memcmp(wkvp, blob + BLOB_WKVP, 16) != 0)
		return CKR_IBM_WKID_MISMATCH;
	if (!blob_mac(k->wk[0], blob, mac) || CRYPTO_memcmp(mac, blob + BLOB_MAC, 32) != 0)
		return CKR_IBM_BLOB_ERROR;
	memcpy(iv, blob + BLOB_IV, 14);
	if (!apv_aes_cbc(c, false, k->wk[0], iv, blob + BLOB_ENC, sec, BLOB_ENC_LEN))
		return CKR_IBM_BLOB_ERROR;
	*n = t6_be16(sec);
	if (*n != 16 && *n != 24 && *n != 32)
		rv = CKR_IBM_BLOB_ERROR;
	else
		memcpy(key, sec + 2, *n);
	*attr = 0;
	for (int i = 0; i < 8; i++)
		*attr = (*attr << 8) | blob[BLOB_ATTR + i];
	OPENSSL_cleanse(sec, sizeof(sec));
	return rv;
}

/* ---- functions ----------------------------------------------------------- */

static size_t fn_info(const struct apv_card_ctx *card, const struct t6_req *r,
		      const struct t6_out *o, const struct ep11_req *rq)
{
	const struct apv_card_keys *k = &card->keys;
	uint8_t *d = o->reply + REPLY_DATA;
	bool ok = true;
	uint32_t type = param_u32(rq, 0, &ok);

	param_u32(rq, 1, &ok);
	if (!ok || rq->nparams != 2)
		return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
	if (type == 1) {
		memset(d, 0, MODULE_INFO_LEN);
		t6_put_be32(d + 0, EP11_API_ORDINAL);
		d[8] = EP11_FW_MAJOR;
		d[9] = EP11_FW_MINOR;
		memcpy(d + 108, card->serial, APV_EP11_SERIAL_LEN);
		for (int i = 0; i < 8; i++)
			d[140 + i] = (uint8_t)(EP11_OP_MODE_FIPS2021 >> (56 - 8 * i));
		t6_put_be32(d + 184, EP11_MAX_PAYLOAD); /* max payload */
		return ep11_reply(r, o, rq, CKR_OK, MODULE_INFO_LEN);
	}
	if (type == 3) {
		uint32_t flags = EP11_DOMFLAG_IMPRINT_LEFT;

		memset(d, 0, DOMAIN_INFO_LEN);
		t6_put_be32(d, card->domain);
		if (k->wk_set[0]) {
			apv_ep11_wkvp(k->wk[0], d + 4);
			flags |= EP11_DOMFLAG_CUR_WK;
		}
		if (k->wk_set[1]) {
			apv_ep11_wkvp(k->wk[1], d + 36);
			flags |= EP11_DOMFLAG_NEW_WK;
			if (k->wk_committed)
				flags |= EP11_DOMFLAG_COMMITTED;
		}
		t6_put_be32(d + 68, flags);
		for (int i = 0; i < 8; i++)
			d[72 + i] = (uint8_t)(EP11_OP_MODE_FIPS2021 >> (56 - 8 * i));
		return ep11_reply(r, o, rq, CKR_OK, DOMAIN_INFO_LEN);
	}
	return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
}

static size_t fn_random(const struct t6_req *r, const struct t6_out *o, const struct ep11_req *rq)
{
	bool ok = true;
	uint32_t n = param_u32(rq, 0, &ok);

	if (!ok || rq->nparams != 1 || n == 0)
		return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
	if (n > RNG_MAX)
		return ep11_reply(r, o, rq, CKR_DATA_LEN_RANGE, 0);
	if (RAND_bytes(o->reply + REPLY_DATA, (int)n) != 1)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	return ep11_reply(r, o, rq, CKR_OK, n);
}

/*
 * Attribute block of GenerateKey: u32 header 0x10010000, u32 boolean
 * mask, u32 boolean values, u32 0x161 (CKA_VALUE_LEN), u32 key bytes.
 * UnwrapKey's adds u32 0x100 (CKA_KEY_TYPE), u32 0x1F (CKK_AES) before
 * the value length, with header 0x10020000.
 */
static uint32_t parse_attrs(const uint8_t *a, size_t n, uint64_t *bools, uint32_t *keylen)
{
	if (n == 20 && t6_be32(a) == 0x10010000u && t6_be32(a + 12) == 0x161) {
		*bools = t6_be32(a + 8);
		*keylen = t6_be32(a + 16);
		return CKR_OK;
	}
	if (n == 28 && t6_be32(a) == 0x10020000u && t6_be32(a + 12) == 0x100 &&
	    t6_be32(a + 20) == 0x161) {
		if (t6_be32(a + 16) != 0x1F)
			return CKR_TEMPLATE_INCONSISTENT;
		*bools = t6_be32(a + 8);
		*keylen = t6_be32(a + 24);
		return CKR_OK;
	}
	return CKR_TEMPLATE_INCONSISTENT;
}

static size_t fn_genkey(struct apv_cex *c, const struct apv_card_ctx *card,
			const struct t6_req *r, const struct t6_out *o, const struct ep11_req *rq)
{
	uint8_t key[32];
	uint64_t bools = 0;
	uint32_t keylen = 0, rv;
	bool ok = true, made;

	param_u32(rq, 0, &ok);
	param_u32(rq, 1, &ok);
	uint32_t mech = param_u32(rq, 2, &ok);
	if (!ok || rq->nparams < 4)
		return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
	if (mech != CKM_AES_KEY_GEN)
		return ep11_reply(r, o, rq, CKR_MECHANISM_INVALID, 0);
	rv = parse_attrs(rq->param[3], rq->plen[3], &bools, &keylen);
	if (rv)
		return ep11_reply(r, o, rq, rv, 0);
	if (keylen != 16 && keylen != 24 && keylen != 32)
		return ep11_reply(r, o, rq, CKR_KEY_SIZE_RANGE, 0);
	if (!card->keys.wk_set[0])
		return ep11_reply(r, o, rq, CKR_IBM_WK_NOT_INITIALIZED, 0);
	if (RAND_priv_bytes(key, (int)keylen) != 1)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	made = blob_make(c, card->keys.wk[0], key, keylen, bools, o->reply + REPLY_DATA);
	OPENSSL_cleanse(key, sizeof(key));
	if (!made)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	return ep11_reply(r, o, rq, CKR_OK, APV_EP11_BLOB_LEN);
}

/* A mechanism parameter: u32 mechanism, then (for CBC) a 16-byte IV. */
static uint32_t cbc_mech(const uint8_t *m, size_t n, uint32_t want, uint8_t iv[16])
{
	if (n < 4 || t6_be32(m) != want)
		return CKR_MECHANISM_INVALID;
	if (n != 20)
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(iv, m + 4, 16);
	return CKR_OK;
}

static size_t fn_encrypt(struct apv_cex *c, const struct apv_card_ctx *card,
			 const struct t6_req *r, const struct t6_out *o, const struct ep11_req *rq)
{
	uint8_t key[32], iv[16], buf[64];
	size_t n = 0, dn, padded;
	uint64_t attr;
	uint32_t rv;
	bool ok = true;

	param_u32(rq, 0, &ok);
	if (!ok || rq->nparams != 4)
		return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
	rv = cbc_mech(rq->param[1], rq->plen[1], CKM_AES_CBC_PAD, iv);
	if (rv)
		return ep11_reply(r, o, rq, rv, 0);
	dn = rq->plen[3];
	if (dn > 48)
		return ep11_reply(r, o, rq, CKR_DATA_LEN_RANGE, 0);
	rv = blob_open(c, &card->keys, rq->param[2], rq->plen[2], key, &n, &attr);
	if (rv)
		return ep11_reply(r, o, rq, rv, 0);
	/* The data is a key to import: the model keeps it short (one to three blocks). */
	padded = (dn / 16 + 1) * 16;
	memcpy(buf, rq->param[3], dn);
	memset(buf + dn, (int)(padded - dn), padded - dn);
	if (n != 32) {
		/* The model's key blobs for EncryptSingle are AES-256 KEKs. */
		OPENSSL_cleanse(key, sizeof(key));
		OPENSSL_cleanse(buf, sizeof(buf));
		return ep11_reply(r, o, rq, CKR_KEY_SIZE_RANGE, 0);
	}
	ok = apv_aes_cbc(c, true, key, iv, buf, o->reply + REPLY_DATA, padded);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	return ep11_reply(r, o, rq, CKR_OK, padded);
}

static size_t fn_unwrap(struct apv_cex *c, const struct apv_card_ctx *card,
			const struct t6_req *r, const struct t6_out *o, const struct ep11_req *rq)
{
	uint8_t kek[32], iv[16], buf[64];
	size_t n = 0, en;
	uint64_t attr, bools = 0;
	uint32_t keylen = 0, rv;
	unsigned pad;
	bool ok;

	/* attributes, mechanism, KEK blob, MAC key, PIN, wrapped key */
	if (rq->nparams != 6)
		return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
	rv = parse_attrs(rq->param[0], rq->plen[0], &bools, &keylen);
	if (!rv)
		rv = cbc_mech(rq->param[1], rq->plen[1], CKM_AES_CBC_PAD, iv);
	if (rv)
		return ep11_reply(r, o, rq, rv, 0);
	if (keylen != 16 && keylen != 24 && keylen != 32)
		return ep11_reply(r, o, rq, CKR_KEY_SIZE_RANGE, 0);
	en = rq->plen[5];
	if (en == 0 || en % 16 || en > sizeof(buf))
		return ep11_reply(r, o, rq, CKR_WRAPPED_KEY_INVALID, 0);
	rv = blob_open(c, &card->keys, rq->param[2], rq->plen[2], kek, &n, &attr);
	if (!rv && n != 32)
		rv = CKR_KEY_SIZE_RANGE;
	if (rv) {
		OPENSSL_cleanse(kek, sizeof(kek));
		return ep11_reply(r, o, rq, rv, 0);
	}
	ok = apv_aes_cbc(c, false, kek, iv, rq->param[5], buf, en);
	OPENSSL_cleanse(kek, sizeof(kek));
	pad = ok ? buf[en - 1] : 0;
	if (!ok || pad == 0 || pad > 16 || en - pad != keylen) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return ep11_reply(r, o, rq, CKR_WRAPPED_KEY_INVALID, 0);
	}
	ok = blob_make(c, card->keys.wk[0], buf, keylen, bools, o->reply + REPLY_DATA);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	return ep11_reply(r, o, rq, CKR_OK, APV_EP11_BLOB_LEN);
}

/* WrapKey reply data: version, key type, bit size, protected-key size, protected key. */
enum {
	WK_VERSION = 0,
	WK_TYPE = 18,
	WK_BITS = 22,
	WK_PKSIZE = 26,
	WK_PKEY = 42,
};
#define XCP_BLOB_PROTKEY_EXTRACTABLE 0x00200000u

static size_t fn_wrap(struct apv_cex *c, const struct apv_card_ctx *card,
		      const struct t6_req *r, const struct t6_out *o, const struct ep11_req *rq)
{
	uint8_t *d = o->reply + REPLY_DATA;
	uint8_t key[32], iv[16], blob[APV_EP11_BLOB_LEN];
	size_t n = 0;
	uint64_t attr = 0;
	uint32_t rv;
	bool ok = true;

	param_u32(rq, 0, &ok);
	if (!ok || rq->nparams != 5)
		return ep11_reply(r, o, rq, CKR_ARGUMENTS_BAD, 0);
	rv = cbc_mech(rq->param[1], rq->plen[1], CKM_IBM_CPACF_WRAP, iv);
	if (rv == CKR_MECHANISM_PARAM_INVALID && rq->plen[1] == 4)
		rv = CKR_OK; /* no IV is fine: CPACF wrapping takes none */
	if (rv)
		return ep11_reply(r, o, rq, rv, 0);
	/* Linux zeroes the blob's header bytes before sending it: the MAC does not cover them. */
	if (rq->plen[2] < APV_EP11_BLOB_LEN)
		return ep11_reply(r, o, rq, CKR_IBM_BLOB_ERROR, 0);
	memcpy(blob, rq->param[2], APV_EP11_BLOB_LEN);
	rv = blob_open(c, &card->keys, blob, sizeof(blob), key, &n, &attr);
	if (!rv && !(attr & XCP_BLOB_PROTKEY_EXTRACTABLE))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (!rv && !card->cpacf.wrap)
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	if (rv) {
		OPENSSL_cleanse(key, sizeof(key));
		return ep11_reply(r, o, rq, rv, 0);
	}
	memset(d, 0, WK_PKEY + 64);
	t6_put_be16(d + WK_VERSION, 1);
	t6_put_be32(d + WK_TYPE, 1); /* AES */
	t6_put_be32(d + WK_BITS, (uint32_t)(8 * n));
	t6_put_be32(d + WK_PKSIZE + 4, (uint32_t)(n + 32));
	ok = apv_cpacf_wrap(&card->cpacf, key, n, d + WK_PKEY);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	return ep11_reply(r, o, rq, CKR_OK, WK_PKEY + n + 32);
}

size_t apv_ep11_process(struct apv_cex *c, const struct apv_card_ctx *card,
			const struct t6_req *r, const struct t6_out *o)
{
	struct ep11_req rq;
	size_t pll = t6_be32(r->cprb + EP11_OFF_PAYLEN);

	if (pll > r->cprb_room - APV_EP11_CPRB_LEN ||
	    !parse_payload(r->cprb + APV_EP11_CPRB_LEN, pll, &rq))
		return ep11_reply(r, o, NULL, CKR_ARGUMENTS_BAD, 0);
	switch (rq.fn & 0xFFFF) {
	case FN_GET_XCP_INFO:
		return fn_info(card, r, o, &rq);
	case FN_GENERATE_RANDOM:
		return fn_random(r, o, &rq);
	case FN_GENERATE_KEY:
		return fn_genkey(c, card, r, o, &rq);
	case FN_ENCRYPT_SINGLE:
		return fn_encrypt(c, card, r, o, &rq);
	case FN_UNWRAP_KEY:
		return fn_unwrap(c, card, r, o, &rq);
	case FN_WRAP_KEY:
		return fn_wrap(c, card, r, o, &rq);
	default:
		return ep11_reply(r, o, &rq, CKR_FUNCTION_NOT_SUPPORTED, 0);
	}
}
