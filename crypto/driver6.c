/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver side of type 6 / type 86, as zcrypt's msgtype6 and the CCA
 * and EP11 helpers of zcrypt and pkey do it: building requests and
 * checking replies the way the receive path does.
 */
#include <errno.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "msgtype6.h"

/* The reply buffer zcrypt's queues have by default (12 KiB) and what it keeps back. */
#define DRV_REPLY_BUF (12u * 1024u)

static size_t round4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

size_t apv_t6_build_cca(uint8_t *out, size_t cap, unsigned domain, const uint8_t *parm,
			size_t parm_len, size_t rpl_max, size_t data_max)
{
	size_t tc1 = APV_CCA_CPRB_LEN + parm_len, len = APV_T6_HDR + round4(tc1);
	uint8_t *cprb;

	if (!out || !parm || parm_len < 2 || domain > 0xFFFF || cap < len ||
	    rpl_max < APV_CCA_CPRB_LEN || rpl_max > 0xFFFFFF || data_max > 0xFFFFFF)
		return 0;
	memset(out, 0, len);
	out[T6_OFF_TYPE] = APV_T6_TYPE;
	t6_put_be32(out + T6_OFF_OFFSET1, APV_T6_HDR);
	out[T6_OFF_AGENT] = 'C';
	out[T6_OFF_AGENT + 1] = 'A';
	memcpy(out + T6_OFF_FUNC, parm, 2);
	t6_put_be32(out + T6_OFF_TOCARD1, (uint32_t)tc1);
	t6_put_be32(out + T6_OFF_FROMCARD1, (uint32_t)rpl_max);
	t6_put_be32(out + T6_OFF_FROMCARD2, (uint32_t)data_max);
	cprb = out + APV_T6_HDR;
	t6_put_be16(cprb + CPRB_OFF_LEN, APV_CCA_CPRB_LEN);
	cprb[CPRB_OFF_VER] = CCA_CPRB_VERSION;
	cprb[CPRB_OFF_FUNC_ID] = 'T';
	cprb[CPRB_OFF_FUNC_ID + 1] = '2';
	t6_put_be32(cprb + CPRB_OFF_REQ_PARML, (uint32_t)parm_len);
	t6_put_be32(cprb + CPRB_OFF_RPL_MSGBL, (uint32_t)rpl_max);
	t6_put_be32(cprb + CPRB_OFF_RPL_DATAL, (uint32_t)data_max);
	t6_put_be16(cprb + CPRB_OFF_DOMAIN, domain);
	memcpy(cprb + APV_CCA_CPRB_LEN, parm, parm_len);
	return len;
}

size_t apv_t6_build_ep11(uint8_t *out, size_t cap, unsigned domain, uint8_t flags,
			 const uint8_t *payload, size_t payload_len, size_t rpl_max)
{
	size_t tc1 = APV_EP11_CPRB_LEN + payload_len, len = APV_T6_HDR + round4(tc1);
	uint8_t *cprb;

	if (!out || !payload || domain > 0xFFFF || cap < len || rpl_max < APV_EP11_CPRB_LEN ||
	    rpl_max > 0xFFFFFF)
		return 0;
	memset(out, 0, len);
	out[T6_OFF_TYPE] = APV_T6_TYPE;
	t6_put_be32(out + T6_OFF_OFFSET1, APV_T6_HDR);
	out[T6_OFF_AGENT] = 'X';
	out[T6_OFF_AGENT + 1] = 'C';
	t6_put_be16(out + T6_OFF_RQID, 1);
	t6_put_be32(out + T6_OFF_TOCARD1, (uint32_t)tc1);
	t6_put_be32(out + T6_OFF_FROMCARD1, (uint32_t)rpl_max);
	cprb = out + APV_T6_HDR;
	t6_put_be16(cprb + EP11_OFF_LEN, APV_EP11_CPRB_LEN);
	cprb[EP11_OFF_VER] = EP11_CPRB_VERSION;
	cprb[EP11_OFF_FLAGS] = flags;
	cprb[EP11_OFF_FUNC_ID] = 'T';
	cprb[EP11_OFF_FUNC_ID + 1] = '4';
	t6_put_be32(cprb + EP11_OFF_TARGET, domain);
	t6_put_be32(cprb + EP11_OFF_RET, 0xFFFFFFFFu);
	t6_put_be32(cprb + EP11_OFF_PAYLEN, (uint32_t)payload_len);
	memcpy(cprb + APV_EP11_CPRB_LEN, payload, payload_len);
	return len;
}

int apv_t86_parse(const uint8_t *reply, size_t len, bool ep11, struct apv_t86_view *v)
{
	size_t c1, o1, c2, o2;

	if (!reply || !v)
		return -EINVAL;
	if (len < 8)
		return -EMSGSIZE;
	memset(v, 0, sizeof(*v));
	v->type = reply[T86_OFF_TYPE];
	if (v->type == 0x82 || v->type == 0x88 || (ep11 && v->type == 0x87)) {
		v->code = reply[T86_OFF_CODE];
		return v->code ? v->code : -EIO;
	}
	if (v->type != APV_T86_TYPE || len < APV_T86_HDR + 3)
		return -EIO;
	if (reply[APV_T86_HDR + 2] != (ep11 ? EP11_CPRB_VERSION : CCA_CPRB_VERSION))
		return -EIO; /* zcrypt: unknown response type, queue offline */
	if (reply[T86_OFF_CODE]) {
		v->code = reply[T86_OFF_CODE];
		return v->code;
	}
	c1 = t6_be32(reply + T86_OFF_COUNT1);
	o1 = t6_be32(reply + T86_OFF_OFFSET1);
	c2 = t6_be32(reply + T86_OFF_COUNT2);
	o2 = t6_be32(reply + T86_OFF_OFFSET2);
	if (o1 != APV_T86_HDR || c1 > len - o1)
		return -EMSGSIZE;
	if (ep11) {
		if (c1 < APV_EP11_CPRB_LEN)
			return -EMSGSIZE;
		v->ep11_rc = t6_be32(reply + o1 + EP11_OFF_RET);
		v->parm = reply + o1 + APV_EP11_CPRB_LEN;
		v->parm_len = c1 - APV_EP11_CPRB_LEN;
		return 0;
	}
	/* zcrypt copies offset2 + count2 bytes: the data block must follow the parm. */
	if (c1 < APV_CCA_CPRB_LEN || o2 < o1 + c1 || o2 > len || c2 > len - o2)
		return -EMSGSIZE;
	v->rtcode = (uint16_t)t6_be16(reply + o1 + CPRB_OFF_RTCODE);
	v->rscode = (uint16_t)t6_be16(reply + o1 + CPRB_OFF_RSCODE);
	v->parm = reply + o1 + APV_CCA_CPRB_LEN;
	v->parm_len = c1 - APV_CCA_CPRB_LEN;
	v->data = reply + o2;
	v->data_len = c2;
	return 0;
}

/* ---- CCA requests ---------------------------------------------------------- */

/* Reply CPRB+parm room of ccamisc's requests (PARMBSIZE 512) and of FQ (4112). */
#define CCA_PARMB 512
#define CCA_FQ_PARMB 4112

static size_t put_rules(uint8_t *p, const char *verb, const char *rules)
{
	size_t n = rules ? strlen(rules) : 0;

	memcpy(p, verb, 2);
	t6_put_be16(p + 2, (unsigned)(2 + n));
	if (n)
		memcpy(p + 4, rules, n);
	return 4 + n;
}

size_t apv_cca_build_fq(uint8_t *out, size_t cap, unsigned domain, bool sb)
{
	uint8_t parm[4 + 8 + 2 + 4096 + 2];
	size_t n;

	memset(parm, 0, sizeof(parm));
	n = put_rules(parm, "FQ", sb ? "STATICSB" : "STATICSA");
	t6_put_be16(parm + n, 4098);
	n += 4098;
	t6_put_be16(parm + n, 2);
	n += 2;
	return apv_t6_build_cca(out, cap, domain, parm, n, APV_CCA_CPRB_LEN + CCA_FQ_PARMB, 0);
}

size_t apv_cca_build_rng(uint8_t *out, size_t cap, unsigned domain)
{
	uint8_t parm[16] = {0};
	size_t n = put_rules(parm, "RL", "RANDOM  ");

	t6_put_be16(parm + n, 2);
	t6_put_be16(parm + n + 2, 2);
	return apv_t6_build_cca(out, cap, domain, parm, n + 4, APV_CCA_CPRB_LEN + 16, 4096);
}

/* zcrypt's ICA requests: FromCardLen1 = 0x77C - 88 (the reply buffer it uses for them). */
#define ICA_FROM1 (0x77C - APV_T6_HDR)

size_t apv_cca_build_me(uint8_t *out, size_t cap, unsigned domain, const uint8_t *exp,
			const uint8_t *mod, const uint8_t *msg, size_t L)
{
	uint8_t parm[4 + 8 + 2 + 512 + 6 + 8 + 12 + 1024];
	size_t n, tok, len;

	if (!exp || !mod || !msg || L == 0 || L > 512)
		return 0;
	memset(parm, 0, sizeof(parm));
	n = put_rules(parm, "PK", "MRP     ");
	t6_put_be16(parm + n, (unsigned)(L + 2));
	memcpy(parm + n + 2, msg, L);
	n += 2 + L;
	tok = 8 + 12 + 2 * L;
	t6_put_be16(parm + n, (unsigned)(tok + 6));
	t6_put_be16(parm + n + 2, (unsigned)(tok + 4));
	n += 6;
	parm[n] = 0x1E;
	t6_put_be16(parm + n + 2, (unsigned)tok);
	parm[n + 8] = 0x04;
	t6_put_be16(parm + n + 10, (unsigned)(12 + 2 * L));
	t6_put_be16(parm + n + 14, (unsigned)L);
	t6_put_be16(parm + n + 16, (unsigned)(8 * L));
	t6_put_be16(parm + n + 18, (unsigned)L);
	memcpy(parm + n + 20, exp, L);
	memcpy(parm + n + 20 + L, mod, L);
	n += tok;
	len = apv_t6_build_cca(out, cap, domain, parm, n, ICA_FROM1, 0);
	if (len)
		t6_put_be32(out + APV_T6_HDR + CPRB_OFF_RPL_MSGBL, (uint32_t)n);
	return len;
}

size_t apv_cca_build_crt(uint8_t *out, size_t cap, unsigned domain, const uint8_t *p,
			 const uint8_t *q, const uint8_t *dp, const uint8_t *dq, const uint8_t *u,
			 const uint8_t *msg, size_t L)
{
	uint8_t parm[4 + 8 + 2 + 512 + 6 + 8 + 132 + 5 * 264 + 8 + 512 + 12 + 3];
	size_t n, S, g, pad, sec, tok, len, k;

	if (!p || !q || !dp || !dq || !u || !msg || L == 0 || L > 512)
		return 0;
	S = (L + 1) / 2;
	g = S + 8;
	pad = (8 - (3 * g + 2 * S) % 8) % 8;
	sec = 132 + 3 * g + 2 * S + pad + L;
	tok = 8 + sec + 12 + 3;
	memset(parm, 0, sizeof(parm));
	n = put_rules(parm, "PD", "ZERO-PAD");
	t6_put_be16(parm + n, (unsigned)(L + 2));
	memcpy(parm + n + 2, msg, L);
	n += 2 + L;
	t6_put_be16(parm + n, (unsigned)(tok + 6));
	t6_put_be16(parm + n + 2, (unsigned)(tok + 4));
	n += 6;
	parm[n] = 0x1E;
	t6_put_be16(parm + n + 2, (unsigned)tok);
	k = n + 8;
	parm[k] = 0x08;
	t6_put_be16(parm + k + 2, (unsigned)sec);
	parm[k + 28] = 0x40;
	parm[k + 50] = 0x80;
	t6_put_be16(parm + k + 54, (unsigned)g);
	t6_put_be16(parm + k + 56, (unsigned)S);
	t6_put_be16(parm + k + 58, (unsigned)g);
	t6_put_be16(parm + k + 60, (unsigned)S);
	t6_put_be16(parm + k + 62, (unsigned)g);
	t6_put_be16(parm + k + 64, (unsigned)L);
	t6_put_be16(parm + k + 70, (unsigned)pad);
	k += 132;
	memcpy(parm + k + 8, p, S);
	k += g;
	memcpy(parm + k, q, S);
	k += S;
	memcpy(parm + k + 8, dp, S);
	k += g;
	memcpy(parm + k, dq, S);
	k += S;
	memcpy(parm + k + 8, u, S);
	k += g + pad;
	memset(parm + k, 0xFF, L);
	k += L;
	parm[k] = 0x04;
	t6_put_be16(parm + k + 2, 0x000F);
	t6_put_be16(parm + k + 6, 3);
	t6_put_be16(parm + k + 8, (unsigned)(8 * L));
	parm[k + 12] = 0x01;
	parm[k + 14] = 0x01;
	n += tok;
	len = apv_t6_build_cca(out, cap, domain, parm, n, ICA_FROM1, 0);
	if (len)
		t6_put_be32(out + APV_T6_HDR + CPRB_OFF_RPL_MSGBL, (uint32_t)n);
	return len;
}

size_t apv_cca_build_kg(uint8_t *out, size_t cap, unsigned domain, unsigned bits)
{
	uint8_t parm[4 + 34 + 2 + 6 * 68];
	const char *len;
	size_t n;

	switch (bits) {
	case 128: len = "KEYLN16 "; break;
	case 192: len = "KEYLN24 "; break;
	case 256: len = "KEYLN32 "; break;
	default: return 0;
	}
	memset(parm, 0, sizeof(parm));
	n = put_rules(parm, "KG", NULL);
	t6_put_be16(parm + n, 34);
	memcpy(parm + n + 2, "OP      ", 8);
	memcpy(parm + n + 10, len, 8);
	memcpy(parm + n + 18, "AESDATA ", 8);
	n += 34;
	t6_put_be16(parm + n, 2 + 6 * 68);
	n += 2;
	for (int i = 0; i < 6; i++, n += 68) {
		t6_put_be16(parm + n, 68);
		t6_put_be16(parm + n + 2, i == 2 ? 0x30 : 0x10);
	}
	return apv_t6_build_cca(out, cap, domain, parm, n, APV_CCA_CPRB_LEN + CCA_PARMB, 0);
}

size_t apv_cca_build_cm(uint8_t *out, size_t cap, unsigned domain, const uint8_t *key, size_t kn)
{
	uint8_t parm[4 + 8 + 2 + 32 + 2 + 68];
	size_t n;

	if (!key || (kn != 16 && kn != 24 && kn != 32))
		return 0;
	memset(parm, 0, sizeof(parm));
	n = put_rules(parm, "CM", "AES     ");
	t6_put_be16(parm + n, (unsigned)(2 + kn));
	memcpy(parm + n + 2, key, kn);
	n += 2 + kn;
	t6_put_be16(parm + n, 70);
	t6_put_be16(parm + n + 2, 68);
	t6_put_be16(parm + n + 4, 0x30);
	n += 70;
	return apv_t6_build_cca(out, cap, domain, parm, n, APV_CCA_CPRB_LEN + CCA_PARMB, 0);
}

size_t apv_cca_build_us(uint8_t *out, size_t cap, unsigned domain,
			const uint8_t token[APV_CCA_AES_TOKEN_LEN])
{
	uint8_t parm[4 + 6 + 6 + APV_CCA_AES_TOKEN_LEN];
	size_t n;

	if (!token)
		return 0;
	memset(parm, 0, sizeof(parm));
	n = put_rules(parm, "US", NULL);
	t6_put_be16(parm + n, 6);
	t6_put_be16(parm + n + 2, 4);
	t6_put_be16(parm + n + 4, 1);
	n += 6;
	t6_put_be16(parm + n, 6 + APV_CCA_AES_TOKEN_LEN);
	t6_put_be16(parm + n + 2, 4 + APV_CCA_AES_TOKEN_LEN);
	memcpy(parm + n + 6, token, APV_CCA_AES_TOKEN_LEN);
	n += 6 + APV_CCA_AES_TOKEN_LEN;
	return apv_t6_build_cca(out, cap, domain, parm, n, APV_CCA_CPRB_LEN + CCA_PARMB, 0);
}

/* ---- EP11 requests --------------------------------------------------------- */

#define EP11_FLAG_SPECIAL 0x20
#define EP11_RPL_MAX (DRV_REPLY_BUF - 48)

struct pl {
	uint8_t b[512];
	size_t n;
	bool bad;
};

static void pl_start(struct pl *p, unsigned api, unsigned fn, unsigned domain)
{
	p->n = 4; /* 30 82 LL LL, filled in by pl_end */
	p->bad = false;
	p->b[0] = 0x30;
	p->b[1] = 0x82;
	p->b[4] = 0x04;
	p->b[5] = 0x04;
	t6_put_be32(p->b + 6, ((uint32_t)api << 16) | fn);
	p->b[10] = 0x04;
	p->b[11] = 0x04;
	t6_put_be32(p->b + 12, domain);
	p->n = 16;
}

static void pl_bytes(struct pl *p, const uint8_t *v, size_t n)
{
	size_t hdr = n < 0x80 ? 2 : n < 0x100 ? 3 : 4;

	if (p->bad || p->n + hdr + n > sizeof(p->b)) {
		p->bad = true;
		return;
	}
	p->b[p->n++] = 0x04;
	if (n >= 0x100) {
		p->b[p->n++] = 0x82;
		p->b[p->n++] = (uint8_t)(n >> 8);
	} else if (n >= 0x80) {
		p->b[p->n++] = 0x81;
	}
	p->b[p->n++] = (uint8_t)n;
	if (n)
		memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void pl_u32(struct pl *p, uint32_t v)
{
	uint8_t b[4];

	t6_put_be32(b, v);
	pl_bytes(p, b, 4);
}

static size_t pl_end(struct pl *p, uint8_t *out, size_t cap, unsigned domain, uint8_t flags)
{
	if (p->bad)
		return 0;
	t6_put_be16(p->b + 2, (unsigned)(p->n - 4));
	return apv_t6_build_ep11(out, cap, domain, flags, p->b, p->n, EP11_RPL_MAX);
}

size_t apv_ep11_build_info(uint8_t *out, size_t cap, unsigned domain, unsigned query)
{
	struct pl p;

	pl_start(&p, 1, 38, domain);
	pl_u32(&p, query);
	pl_u32(&p, 0);
	return pl_end(&p, out, cap, domain, 0);
}

size_t apv_ep11_build_genkey(uint8_t *out, size_t cap, unsigned domain, unsigned bytes,
			     uint32_t flags)
{
	struct pl p;
	uint8_t attr[20];

	if (bytes != 16 && bytes != 24 && bytes != 32)
		return 0;
	if (!flags)
		flags = 0x00200C00u;
	pl_start(&p, 4, 21, domain);
	pl_u32(&p, 0);
	pl_u32(&p, bytes);
	pl_u32(&p, 0x00001080u);
	t6_put_be32(attr, 0x10010000u);
	t6_put_be32(attr + 4, flags);
	t6_put_be32(attr + 8, flags);
	t6_put_be32(attr + 12, 0x161);
	t6_put_be32(attr + 16, bytes);
	pl_bytes(&p, attr, sizeof(attr));
	pl_bytes(&p, NULL, 0);
	return pl_end(&p, out, cap, domain, 0);
}

size_t apv_ep11_build_wrap(uint8_t *out, size_t cap, unsigned domain, const uint8_t *blob,
			   size_t blob_len)
{
	struct pl p;
	uint8_t mech[20];

	if (!blob || blob_len > 400)
		return 0;
	pl_start(&p, 4, 33, domain);
	pl_u32(&p, 0);
	t6_put_be32(mech, 0x80060001u);
	for (int i = 0; i < 16; i++)
		mech[4 + i] = (uint8_t)(0x11 * i);
	pl_bytes(&p, mech, sizeof(mech));
	pl_bytes(&p, blob, blob_len);
	pl_bytes(&p, NULL, 0);
	pl_bytes(&p, NULL, 0);
	return pl_end(&p, out, cap, domain, EP11_FLAG_SPECIAL);
}

size_t apv_ep11_build_random(uint8_t *out, size_t cap, unsigned domain, unsigned n)
{
	struct pl p;

	pl_start(&p, 1, 4, domain);
	pl_u32(&p, n);
	return pl_end(&p, out, cap, domain, 0);
}

/* A BER length as Linux's check_reply_pl accepts it. */
static bool rd_len(const uint8_t **p, const uint8_t *end, size_t *len, bool long_only)
{
	const uint8_t *q = *p;

	if (q >= end)
		return false;
	if (*q == 0x82 && end - q >= 3) {
		*len = ((size_t)q[1] << 8) | q[2];
		*p = q + 3;
		return true;
	}
	if (long_only)
		return false;
	if (*q == 0x81 && end - q >= 2) {
		*len = q[1];
		*p = q + 2;
		return true;
	}
	if (*q < 0x80) {
		*len = *q;
		*p = q + 1;
		return true;
	}
	return false;
}

int apv_ep11_reply_data(const struct apv_t86_view *v, uint32_t *rv, const uint8_t **data,
			size_t *dlen)
{
	const uint8_t *p, *end;
	size_t len;

	if (!v)
		return -EINVAL;
	if (!v->parm || v->parm_len < 2)
		return -EMSGSIZE;
	p = v->parm;
	end = v->parm + v->parm_len;
	if (*p++ != 0x30 || !rd_len(&p, end, &len, false) || len > (size_t)(end - p) || len < 18)
		return -EIO;
	end = p + len;
	for (int i = 0; i < 3; i++, p += 6) {
		if (end - p < 6 || p[0] != 0x04 || p[1] != 0x04)
			return -EIO;
		if (i == 2 && rv)
			*rv = t6_be32(p + 2);
	}
	if (t6_be32(p - 4))
		return -EIO;
	if (p == end) {
		if (data)
			*data = NULL;
		if (dlen)
			*dlen = 0;
		return 0;
	}
	if (*p++ != 0x04 || !rd_len(&p, end, &len, true) || len > (size_t)(end - p))
		return -EIO;
	if (data)
		*data = p;
	if (dlen)
		*dlen = len;
	return 0;
}
