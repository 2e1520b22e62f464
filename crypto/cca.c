/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CCA coprocessor ("CEXnC"): the verbs Linux's zcrypt, pkey and
 * libica send in a CPRBX, answered in a type 86 reply whose CPRB carries
 * the return and reason codes.
 *
 * Implemented verbs (subfunction codes of the parameter block):
 *   FQ  facility query, STATICSA / STATICSB: serial number, master-key
 *       register states and AES master-key verification patterns
 *   RL  random number generation, RANDOM: up to 4096 bytes (OpenSSL DRBG)
 *   PK  clear-key RSA, MRP: public-key token (modulus, exponent)
 *   PD  clear-key RSA CRT, ZERO-PAD: external private CRT token
 *   KG  generate a random AES DATA secure key (OP, KEYLNnn, AESDATA)
 *   CM  clear key to AES DATA secure key (AES)
 *   US  AES DATA secure key to CPACF protected key
 * Every other verb answers 8/90 (access control: the card's role does not
 * enable it).
 *
 * The AES DATA token (64 bytes): type 0x01, version 0x04, the MKVP of the
 * master key that enciphers it, the key enciphered with AES-256-CBC under
 * that master key (zero IV; the 32-byte field holds the key zero-padded),
 * a zero control vector, bit and byte size, and a token validation value
 * (the sum of the token's first fifteen 32-bit words). The encipherment is
 * the model's own: a real card's is internal to it, and nothing outside
 * the card reads the field.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "apvirt/crypto.h"
#include "msgtype50.h"
#include "msgtype6.h"

/* Return and reason codes. */
enum {
	RC_OK = 0,
	RC_WARN = 0,
	RC_ERR = 8,
	RC_FAIL = 12,
};
enum {
	RS_OLD_MK_USED = 10001,  /* with rc 0: the key was enciphered under the old MK */
	RS_TVV = 29,             /* internal token's validation value wrong */
	RS_KEYWORD = 33,         /* rule-array keyword not valid */
	RS_RULE_COUNT = 35,      /* rule-array count not valid */
	RS_KEY_LENGTH = 43,      /* key_length keyword not valid */
	RS_TOKEN_UNUSABLE = 47,  /* key token with data not valid */
	RS_MKVP = 48,            /* a key's MKVP matches no valid master key */
	RS_TOKEN_VERSION = 49,   /* key-token version not supported */
	RS_LENGTH = 72,          /* a length (parm, VUD, key block, token, data) not valid */
	RS_ACCESS = 90,          /* access control: the verb is not enabled */
	RS_PKA_FIELD = 770,      /* PKA key token with a field not valid */
	RS_MK_NOT_LOADED = 764,  /* with rc 12: master key not loaded */
};

#define PARM_OFF (APV_T86_HDR + APV_CCA_CPRB_LEN) /* reply parm in the reply message */

struct parm {
	const uint8_t *p;
	size_t len;
	const uint8_t *rules;
	unsigned nrules;
	const uint8_t *vud; /* starts at its length field */
	size_t vud_len;
	const uint8_t *kb;  /* starts at its length field; NULL if absent */
	size_t kb_len;
};

static size_t round4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

/*
 * Finish a reply whose parm (parm_len bytes) is already at PARM_OFF and
 * whose data (data_len bytes) is at the offset cca_data_off gave.
 */
static size_t cca_data_off(size_t parm_len)
{
	return APV_T86_HDR + round4(APV_CCA_CPRB_LEN + parm_len);
}

static size_t cca_reply(const struct t6_req *r, const struct t6_out *o, unsigned rc, unsigned rs,
			size_t parm_len, size_t data_len)
{
	uint8_t *cprb = o->reply + APV_T86_HDR;
	size_t count1 = APV_CCA_CPRB_LEN + parm_len;

	/* A reply parm that would not fit the driver's buffer is dropped for an error. */
	if (count1 > r->from1 || (data_len && data_len > r->from2)) {
		rc = RC_ERR;
		rs = RS_LENGTH;
		parm_len = data_len = 0;
		count1 = APV_CCA_CPRB_LEN;
	}
	memcpy(cprb, r->cprb, APV_CCA_CPRB_LEN);
	t6_put_be32(cprb + CPRB_OFF_RPLD_PARML, (uint32_t)parm_len);
	t6_put_be32(cprb + CPRB_OFF_RPLD_DATAL, (uint32_t)data_len);
	t6_put_be16(cprb + CPRB_OFF_RTCODE, rc);
	t6_put_be16(cprb + CPRB_OFF_RSCODE, rs);
	/* Bytes between the parm and the data block are zero, not stale. */
	memset(o->reply + APV_T86_HDR + count1, 0, cca_data_off(parm_len) - APV_T86_HDR - count1);
	return t86_finish(o->reply, count1, cca_data_off(parm_len), data_len);
}

static size_t cca_error(const struct t6_req *r, const struct t6_out *o, unsigned rc, unsigned rs)
{
	return cca_reply(r, o, rc, rs, 0, 0);
}

/* Split the request parm into verb, rule array, VUD and key block. 0 or a reason code. */
static unsigned parse_parm(const struct t6_req *r, struct parm *pm)
{
	size_t parml = t6_be32(r->cprb + CPRB_OFF_REQ_PARML);
	size_t rl, off;

	memset(pm, 0, sizeof(*pm));
	if (parml > r->cprb_room - APV_CCA_CPRB_LEN || parml < 4)
		return RS_LENGTH;
	pm->p = r->cprb + APV_CCA_CPRB_LEN;
	pm->len = parml;
	rl = t6_be16(pm->p + 2);
	if (rl < 2 || (rl - 2) % 8 || 2 + rl > parml)
		return RS_RULE_COUNT;
	pm->rules = pm->p + 4;
	pm->nrules = (unsigned)((rl - 2) / 8);
	off = 2 + rl;
	if (off + 2 > parml)
		return RS_LENGTH;
	pm->vud = pm->p + off;
	pm->vud_len = t6_be16(pm->vud);
	if (pm->vud_len < 2 || off + pm->vud_len > parml)
		return RS_LENGTH;
	off += pm->vud_len;
	if (off == parml)
		return 0;
	if (off + 2 > parml)
		return RS_LENGTH;
	pm->kb = pm->p + off;
	pm->kb_len = t6_be16(pm->kb);
	if (pm->kb_len < 2 || off + pm->kb_len > parml)
		return RS_LENGTH;
	return 0;
}

static bool rule_is(const struct parm *pm, unsigned i, const char *kw)
{
	return i < pm->nrules && memcmp(pm->rules + 8 * i, kw, 8) == 0;
}

/* Reply parm header: verb, empty rule array. Returns the bytes written (4). */
static size_t put_verb(uint8_t *p, const struct parm *pm)
{
	memcpy(p, pm->p, 2);
	t6_put_be16(p + 2, 2);
	return 4;
}

/* ---- FQ ------------------------------------------------------------------ */

#define FQ_SA_RULES 80
#define FQ_SA_VDATA 208
#define FQ_SB_RULES 104
#define FQ_SB_VDATA 240

static void put_state(uint8_t *elem, char state)
{
	memset(elem, ' ', 8);
	elem[0] = (uint8_t)state;
}

static size_t verb_fq(const struct apv_card_ctx *card, const struct t6_req *r,
		      const struct t6_out *o, const struct parm *pm)
{
	const struct apv_card_keys *k = &card->keys;
	uint8_t *p = o->reply + PARM_OFF, *rules, *vd;
	bool sb;
	size_t nr, nv, n;

	if (pm->nrules != 1)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	if (rule_is(pm, 0, "STATICSA"))
		sb = false;
	else if (rule_is(pm, 0, "STATICSB"))
		sb = true;
	else
		return cca_error(r, o, RC_ERR, RS_KEYWORD);
	nr = sb ? FQ_SB_RULES : FQ_SA_RULES;
	nv = sb ? FQ_SB_VDATA : FQ_SA_VDATA;
	memcpy(p, "FQ", 2);
	t6_put_be16(p + 2, (unsigned)(2 + nr));
	rules = p + 4;
	/* Registers the model does not have (DES, ASYM, APKA) read as empty / invalid. */
	for (size_t i = 0; i < nr / 8; i++)
		put_state(rules + 8 * i, '1');
	if (!sb) {
		memcpy(rules, card->serial, APV_CCA_SERIAL_LEN);
		put_state(rules + 56, k->aes_set[APV_MK_NEW] ? '3' : '1');
		put_state(rules + 64, k->aes_set[APV_MK_CUR] ? '2' : '1');
		put_state(rules + 72, k->aes_set[APV_MK_OLD] ? '2' : '1');
	}
	t6_put_be16(p + 4 + nr, (unsigned)(2 + nv));
	vd = p + 4 + nr + 2;
	memset(vd, 0, nv);
	if (!sb) {
		static const size_t off[3] = {196, 184, 172}; /* new, current, old */

		for (unsigned reg = 0; reg < 3; reg++)
			if (k->aes_set[reg])
				apv_cca_mkvp(k->aes[reg], vd + off[reg]);
	}
	n = 4 + nr + 2 + nv;
	t6_put_be16(p + n, 2); /* empty key block */
	n += 2;
	return cca_reply(r, o, RC_OK, 0, n, 0);
}

/* ---- RL ------------------------------------------------------------------ */

#define RNG_MAX 4096

static size_t verb_rl(const struct t6_req *r, const struct t6_out *o, const struct parm *pm)
{
	uint8_t *p = o->reply + PARM_OFF;
	size_t n, parm_len = 8, off = cca_data_off(parm_len);
	size_t want = t6_be32(r->cprb + CPRB_OFF_RPL_DATAL);

	if (pm->nrules != 1)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	if (!rule_is(pm, 0, "RANDOM  "))
		return cca_error(r, o, RC_ERR, RS_KEYWORD);
	n = RNG_MAX;
	if (want < n)
		n = want;
	if (r->from2 < n)
		n = r->from2;
	if (o->cap - off < n)
		n = o->cap - off;
	n &= ~(size_t)3; /* zcrypt hands the bytes out four at a time */
	if (!n)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	if (RAND_bytes(o->reply + off, (int)n) != 1)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	put_verb(p, pm);
	t6_put_be16(p + 4, 2); /* empty VUD */
	t6_put_be16(p + 6, 2); /* empty key block */
	return cca_reply(r, o, RC_OK, 0, parm_len, n);
}

/* ---- PK / PD: clear-key RSA through the accelerator arithmetic ----------- */

/* Skip leading zero bytes; true if what is left fits in `room` bytes. */
static bool strip(const uint8_t **p, size_t *n, size_t room)
{
	while (*n && **p == 0) {
		(*p)++;
		(*n)--;
	}
	return *n <= room;
}

/* Right-align n bytes into a zeroed field of `size` bytes. */
static void put_right(uint8_t *dst, size_t size, const uint8_t *src, size_t n)
{
	memset(dst, 0, size - n);
	memcpy(dst + size - n, src, n);
}

/*
 * Run a type 50 request through the engine and put the L-byte result into
 * the reply parm. Type 82 codes become CCA reason codes that zcrypt turns
 * into EINVAL.
 */
static size_t rsa_finish(struct apv_cex *c, const struct t6_req *r, const struct t6_out *o,
			 const struct parm *pm, const uint8_t *t50, size_t t50_len, size_t L)
{
	uint8_t *t80 = apv_scratch_t80(apv_cex_scratch(c));
	uint8_t *p = o->reply + PARM_OFF;
	size_t rlen = apv_cex_process(c, t50, t50_len, t80);
	int code = apv_t80_parse(t80, rlen, p + 6, L);

	OPENSSL_cleanse(apv_scratch_t50(apv_cex_scratch(c)), APV_T50_MAX_LEN);
	if (code == APV_T82_MACHINE_FAILURE || code < 0)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	if (code)
		return cca_error(r, o, RC_ERR, RS_PKA_FIELD);
	put_verb(p, pm);
	t6_put_be16(p + 4, (unsigned)(L + 2));
	return cca_reply(r, o, RC_OK, 0, 6 + L, 0);
}

/* Data from the VUD: L bytes, 1..512. 0 if not valid. */
static size_t rsa_data(const struct parm *pm)
{
	size_t L = pm->vud_len - 2;

	return L >= 1 && L <= 512 ? L : 0;
}

static size_t verb_pk(struct apv_cex *c, const struct t6_req *r, const struct t6_out *o,
		      const struct parm *pm)
{
	uint8_t *t50 = apv_scratch_t50(apv_cex_scratch(c));
	uint8_t exp[512];
	const uint8_t *tok, *sec, *e, *n;
	size_t L = rsa_data(pm), tlen, slen, elen, nbytes, len;

	if (pm->nrules != 1)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	if (!rule_is(pm, 0, "MRP     "))
		return cca_error(r, o, RC_ERR, RS_KEYWORD);
	/* Key block: 6-byte header, token header (8), public section (12), e, n. */
	if (!L || !pm->kb || pm->kb_len < 6 + 8 + 12)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	tok = pm->kb + 6;
	sec = tok + 8;
	tlen = t6_be16(tok + 2);
	slen = t6_be16(sec + 2);
	elen = t6_be16(sec + 6);
	nbytes = t6_be16(sec + 10);
	if (tok[0] != 0x1E || sec[0] != 0x04)
		return cca_error(r, o, RC_ERR, RS_PKA_FIELD);
	if (tlen < 8 + slen || 6 + tlen > pm->kb_len || slen < 12 + elen + nbytes)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	if (nbytes != L || elen == 0 || elen > L)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	e = sec + 12;
	n = e + elen;
	put_right(exp, L, e, elen);
	len = apv_t50_build_me(t50, APV_T50_MAX_LEN, exp, n, pm->vud + 2, L);
	OPENSSL_cleanse(exp, sizeof(exp));
	if (!len)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	return rsa_finish(c, r, o, pm, t50, len, L);
}

/* Offsets in the private external CRT section. */
enum {
	CRT_FORMAT = 28,
	CRT_P_LEN = 54,
	CRT_Q_LEN = 56,
	CRT_DP_LEN = 58,
	CRT_DQ_LEN = 60,
	CRT_U_LEN = 62,
	CRT_MOD_LEN = 64,
	CRT_PAD_LEN = 70,
	CRT_HDR = 132,
};
#define CRT_FORMAT_CLEAR 0x40

static size_t verb_pd(struct apv_cex *c, const struct t6_req *r, const struct t6_out *o,
		      const struct parm *pm)
{
	uint8_t *t50 = apv_scratch_t50(apv_cex_scratch(c));
	uint8_t f[5][256];
	const uint8_t *tok, *sec, *part;
	size_t L = rsa_data(pm), S, tlen, slen, need, len;
	size_t plen[5];

	if (pm->nrules != 1)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	if (!rule_is(pm, 0, "ZERO-PAD"))
		return cca_error(r, o, RC_ERR, RS_KEYWORD);
	if (!L || !pm->kb || pm->kb_len < 6 + 8 + CRT_HDR)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	tok = pm->kb + 6;
	sec = tok + 8;
	tlen = t6_be16(tok + 2);
	slen = t6_be16(sec + 2);
	if (tok[0] != 0x1E || sec[0] != 0x08 || sec[CRT_FORMAT] != CRT_FORMAT_CLEAR)
		return cca_error(r, o, RC_ERR, RS_PKA_FIELD);
	static const unsigned lens[5] = {CRT_P_LEN, CRT_Q_LEN, CRT_DP_LEN, CRT_DQ_LEN, CRT_U_LEN};
	need = CRT_HDR;
	for (int i = 0; i < 5; i++) {
		plen[i] = t6_be16(sec + lens[i]);
		need += plen[i];
	}
	need += t6_be16(sec + CRT_PAD_LEN) + t6_be16(sec + CRT_MOD_LEN);
	if (slen < need || tlen < 8 + slen || 6 + tlen > pm->kb_len)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	if (t6_be16(sec + CRT_MOD_LEN) != L)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	S = (L + 1) / 2;
	part = sec + CRT_HDR;
	for (int i = 0; i < 5; i++) {
		const uint8_t *v = part;
		size_t n = plen[i];

		part += plen[i];
		if (!strip(&v, &n, S)) {
			OPENSSL_cleanse(f, sizeof(f));
			return cca_error(r, o, RC_ERR, RS_PKA_FIELD);
		}
		put_right(f[i], S, v, n);
	}
	len = apv_t50_build_crt(t50, APV_T50_MAX_LEN, f[0], f[1], f[2], f[3], f[4], pm->vud + 2,
				L);
	OPENSSL_cleanse(f, sizeof(f));
	if (!len)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	return rsa_finish(c, r, o, pm, t50, len, L);
}

/* ---- AES DATA secure keys ------------------------------------------------- */

enum {
	TOK_TYPE = 0,
	TOK_VERSION = 4,
	TOK_FLAG = 6,
	TOK_MKVP = 8,
	TOK_KEY = 16,
	TOK_CV = 48,
	TOK_BITS = 56,
	TOK_BYTES = 58,
	TOK_TVV = 60,
};
#define TOK_TYPE_INTERNAL 0x01
#define TOK_VERSION_AES 0x04
#define TOK_FLAG_KEY_PRESENT 0x80

static uint32_t token_tvv(const uint8_t *t)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < TOK_TVV; i += 4)
		sum += t6_be32(t + i);
	return sum;
}

/* Encipher `key` (n bytes) under master key `mk` into token t. */
static bool token_make(struct apv_cex *c, const uint8_t *mk, const uint8_t *key, size_t n,
		       uint8_t *t)
{
	static const uint8_t zero_iv[16];
	uint8_t clear[32] = {0};
	bool ok;

	memset(t, 0, APV_CCA_AES_TOKEN_LEN);
	t[TOK_TYPE] = TOK_TYPE_INTERNAL;
	t[TOK_VERSION] = TOK_VERSION_AES;
	t[TOK_FLAG] = TOK_FLAG_KEY_PRESENT;
	apv_cca_mkvp(mk, t + TOK_MKVP);
	memcpy(clear, key, n);
	ok = apv_aes_cbc(c, true, mk, zero_iv, clear, t + TOK_KEY, 32);
	OPENSSL_cleanse(clear, sizeof(clear));
	t6_put_be16(t + TOK_BITS, (unsigned)(8 * n));
	t6_put_be16(t + TOK_BYTES, (unsigned)n);
	t6_put_be32(t + TOK_TVV, token_tvv(t));
	return ok;
}

/*
 * Open token t: 0 and the clear key in key[32] (*n bytes), *old when the
 * old master key enciphered it; else a reason code (rc 8) or, for a
 * missing current master key, RS_MK_NOT_LOADED (rc 12).
 */
static unsigned token_open(struct apv_cex *c, const struct apv_card_keys *k, const uint8_t *t,
			   uint8_t key[32], size_t *n, bool *old)
{
	static const uint8_t zero_iv[16];
	uint8_t mkvp[APV_CCA_MKVP_LEN];
	size_t bits = t6_be16(t + TOK_BITS), bytes = t6_be16(t + TOK_BYTES);
	int reg = -1;

	if (t[TOK_TYPE] != TOK_TYPE_INTERNAL)
		return RS_TOKEN_UNUSABLE;
	if (t[TOK_VERSION] != TOK_VERSION_AES)
		return RS_TOKEN_VERSION;
	if (t6_be32(t + TOK_TVV) != token_tvv(t))
		return RS_TVV;
	if ((bytes != 16 && bytes != 24 && bytes != 32) || bits != 8 * bytes)
		return RS_TOKEN_UNUSABLE;
	if (!k->aes_set[APV_MK_CUR])
		return RS_MK_NOT_LOADED;
	for (int i = APV_MK_CUR; i <= APV_MK_OLD && reg < 0; i++) {
		if (!k->aes_set[i])
			continue;
		apv_cca_mkvp(k->aes[i], mkvp);
		if (CRYPTO_memcmp(mkvp, t + TOK_MKVP, sizeof(mkvp)) == 0)
			reg = i;
	}
	if (reg < 0)
		return RS_MKVP;
	if (!apv_aes_cbc(c, false, k->aes[reg], zero_iv, t + TOK_KEY, key, 32))
		return RS_TOKEN_UNUSABLE;
	*n = bytes;
	*old = reg == APV_MK_OLD;
	return 0;
}

/* Reply of KG and CM: empty VUD, key block with one 64-byte token. */
static size_t token_reply(const struct t6_req *r, const struct t6_out *o, const struct parm *pm)
{
	uint8_t *p = o->reply + PARM_OFF;

	put_verb(p, pm);
	t6_put_be16(p + 4, 2);                              /* VUD */
	t6_put_be16(p + 6, 2 + 4 + APV_CCA_AES_TOKEN_LEN);  /* key block */
	t6_put_be16(p + 8, 4 + APV_CCA_AES_TOKEN_LEN);      /* key identifier entry */
	t6_put_be16(p + 10, 0);
	/* the token is at p + 12 already */
	return cca_reply(r, o, RC_OK, 0, 12 + APV_CCA_AES_TOKEN_LEN, 0);
}

static size_t make_token_reply(struct apv_cex *c, const struct apv_card_ctx *card,
			       const struct t6_req *r, const struct t6_out *o,
			       const struct parm *pm, const uint8_t *key, size_t n)
{
	const struct apv_card_keys *k = &card->keys;

	if (!k->aes_set[APV_MK_CUR])
		return cca_error(r, o, RC_FAIL, RS_MK_NOT_LOADED);
	if (!token_make(c, k->aes[APV_MK_CUR], key, n, o->reply + PARM_OFF + 12))
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	return token_reply(r, o, pm);
}

static size_t verb_kg(struct apv_cex *c, const struct apv_card_ctx *card, const struct t6_req *r,
		      const struct t6_out *o, const struct parm *pm)
{
	static const char *const lens[3] = {"KEYLN16 ", "KEYLN24 ", "KEYLN32 "};
	uint8_t key[32];
	size_t n = 0, rep;

	if (pm->nrules != 0)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	/* VUD: key form, key length, key type 1, key type 2 (8 bytes each). */
	if (pm->vud_len != 2 + 32 || !pm->kb)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	if (memcmp(pm->vud + 2, "OP      ", 8) != 0 || memcmp(pm->vud + 18, "AESDATA ", 8) != 0)
		return cca_error(r, o, RC_ERR, RS_KEYWORD);
	for (unsigned i = 0; i < 3; i++)
		if (memcmp(pm->vud + 10, lens[i], 8) == 0)
			n = 16 + 8 * i;
	if (!n)
		return cca_error(r, o, RC_ERR, RS_KEY_LENGTH);
	if (RAND_priv_bytes(key, (int)n) != 1)
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	rep = make_token_reply(c, card, r, o, pm, key, n);
	OPENSSL_cleanse(key, sizeof(key));
	return rep;
}

static size_t verb_cm(struct apv_cex *c, const struct apv_card_ctx *card, const struct t6_req *r,
		      const struct t6_out *o, const struct parm *pm)
{
	size_t n = pm->vud_len - 2;

	if (pm->nrules != 1)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	if (!rule_is(pm, 0, "AES     "))
		return cca_error(r, o, RC_ERR, RS_KEYWORD);
	if ((n != 16 && n != 24 && n != 32) || !pm->kb)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	return make_token_reply(c, card, r, o, pm, pm->vud + 2, n);
}

/* CPACF key block of the US reply. */
enum {
	CKB_VERSION = 0,
	CKB_ALGO = 3,
	CKB_LEN = 8,
	CKB_KEY = 10,
	CKB_ATTR_LEN = 74,
	CKB_VP_TYPE = 109,
	CKB_VP = 110,
	CKB_SIZE = 142,
};
#define CKB_VERSION_1 0x01
#define CKB_ALGO_AES 0x02

static size_t verb_us(struct apv_cex *c, const struct apv_card_ctx *card, const struct t6_req *r,
		      const struct t6_out *o, const struct parm *pm)
{
	uint8_t *p = o->reply + PARM_OFF, *ckb = p + 10;
	uint8_t key[32];
	size_t n = 0;
	bool old = false;
	unsigned rs;

	if (pm->nrules != 0)
		return cca_error(r, o, RC_ERR, RS_RULE_COUNT);
	/* Key block: u16 length, u16 attribute length, u16 flags, the token. */
	if (!pm->kb || pm->kb_len != 6 + APV_CCA_AES_TOKEN_LEN)
		return cca_error(r, o, RC_ERR, RS_LENGTH);
	rs = token_open(c, &card->keys, pm->kb + 6, key, &n, &old);
	if (rs == RS_MK_NOT_LOADED)
		return cca_error(r, o, RC_FAIL, rs);
	if (rs)
		return cca_error(r, o, RC_ERR, rs);
	if (!card->cpacf.wrap) {
		OPENSSL_cleanse(key, sizeof(key));
		return cca_error(r, o, RC_ERR, RS_ACCESS);
	}
	memset(p, 0, 10 + CKB_SIZE);
	put_verb(p, pm);
	t6_put_be16(p + 4, 6 + CKB_SIZE);
	t6_put_be16(p + 6, 4 + CKB_SIZE);
	ckb[CKB_VERSION] = CKB_VERSION_1;
	ckb[CKB_ALGO] = CKB_ALGO_AES;
	t6_put_be16(ckb + CKB_LEN, (unsigned)(n + 32));
	if (!apv_cpacf_wrap(&card->cpacf, key, n, ckb + CKB_KEY)) {
		OPENSSL_cleanse(key, sizeof(key));
		return apv_t82_reply(o->reply, APV_T82_MACHINE_FAILURE);
	}
	OPENSSL_cleanse(key, sizeof(key));
	ckb[CKB_VP_TYPE] = 0x01;
	memcpy(ckb + CKB_VP, ckb + CKB_KEY + n, 32);
	return cca_reply(r, o, RC_WARN, old ? RS_OLD_MK_USED : 0, 10 + CKB_SIZE, 0);
}

size_t apv_cca_process(struct apv_cex *c, const struct apv_card_ctx *card,
		       const struct t6_req *r, const struct t6_out *o)
{
	struct parm pm;
	unsigned rs = parse_parm(r, &pm);

	if (rs)
		return cca_error(r, o, RC_ERR, rs);
	switch (t6_be16(pm.p)) {
	case 0x4651: /* FQ */
		return verb_fq(card, r, o, &pm);
	case 0x524C: /* RL */
		return verb_rl(r, o, &pm);
	case 0x504B: /* PK */
		return verb_pk(c, r, o, &pm);
	case 0x5044: /* PD */
		return verb_pd(c, r, o, &pm);
	case 0x4B47: /* KG */
		return verb_kg(c, card, r, o, &pm);
	case 0x434D: /* CM */
		return verb_cm(c, card, r, o, &pm);
	case 0x5553: /* US */
		return verb_us(c, card, r, o, &pm);
	default:
		return cca_error(r, o, RC_ERR, RS_ACCESS);
	}
}
