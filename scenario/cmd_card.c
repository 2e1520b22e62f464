/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Coprocessor cards in scenarios: the administrator's key registers
 * (CCA AES master keys, EP11 wrapping keys) per queue, secure keys made
 * on a card and kept under a name, their conversion to protected keys,
 * and expectations about registers and keys.
 *
 *   masterkey set APQN HEX        load the new register (32 bytes)
 *   masterkey commit APQN         EP11: commit the new wrapping key
 *   masterkey change APQN         new -> current -> old
 *   masterkey clear APQN          empty every register
 *   card keygen APQN NAME [bits=128|192|256]
 *   card protkey APQN NAME
 *   expect masterkey APQN [new=...] [cur=...] [old=...] [cur_vp=HEX] ...
 *   expect seckey NAME APQN mk=current|old|none
 *
 * The card requests go through the host's NQAP/DQAP as the host's own
 * zcrypt would send them (the builders of the driver side), on the
 * queue named; the replies are checked as zcrypt checks them.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "apvirt/hw.h"

/* ---- masterkey -------------------------------------------------------------------------- */

static int parse_mk_set(struct apv_pcur *c)
{
	if (apv_pc_apqn(c, 0) < 0 || apv_pc_hex(c, 1, "a 32-byte key in hex", APV_MK_LEN) < 0)
		return -1;
	if (strlen(c->step->v[1].tok->text) != 2 * APV_MK_LEN)
		return apv_pc_fail(c, c->step->v[1].tok, "a key is 32 bytes (64 hex digits), got %zu",
				   strlen(c->step->v[1].tok->text) / 2);
	return apv_pc_end(c);
}

static int parse_mk_other(struct apv_pcur *c)
{
	if (apv_pc_apqn(c, 0) < 0)
		return -1;
	return apv_pc_end(c);
}

static void unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char b[3] = {s[2 * i], s[2 * i + 1], 0};
		out[i] = (uint8_t)strtoul(b, NULL, 16);
	}
}

static int exec_mk(struct apv_world *w, const struct apv_step *s)
{
	static const char *const subs[] = {"set", "commit", "change", "clear"};
	uint8_t key[APV_MK_LEN];
	enum apv_mk_op op = APV_MK_OP_SET;
	char why[64];

	if (apv_world_need_hw(w) < 0)
		return -1;
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(s->cmd->sub, subs[i]) == 0)
			op = (enum apv_mk_op)i;
	if (op == APV_MK_OP_SET)
		unhex(s->v[1].tok->text, key, APV_MK_LEN);
	int rc = apv_hw_master_key(w->hw, (apv_apqn_t)s->v[0].u, op,
				   op == APV_MK_OP_SET ? key : NULL);
	snprintf(why, sizeof(why), "masterkey %s %02x.%04x", s->cmd->sub,
		 apv_apqn_apid((apv_apqn_t)s->v[0].u), apv_apqn_apqi((apv_apqn_t)s->v[0].u));
	apv_w_action(w, rc, rc ? why : NULL);
	return 0;
}

/* ---- card requests through the host's queue --------------------------------------------- */

#define CARD_MEM (32u * 1024u)
#define CARD_REQ 0x1000u
#define CARD_REP 0x5000u
#define CARD_BASE 0x100000u

/* Send one request on the host queue and wait (on the scenario's clock) for its reply. */
static int card_request(struct apv_world *w, apv_apqn_t q, uint8_t *mem, size_t len,
			size_t *rlen)
{
	struct apv_flat_storage f = {mem, CARD_BASE, CARD_MEM};
	struct apv_storage st = apv_flat_storage(&f);
	struct apv_regs r = {0};
	struct apv_result res;

	r.gr[0] = q;
	r.gr[2] = CARD_BASE + CARD_REQ;
	r.gr[3] = len;
	apv_psmid_to_pair(&r, 4, 0xC0DE);
	res = apv_hw_nqap(w->hw, &r, 4, 2, &st);
	if (res.kind != APV_RES_DONE || res.cc)
		return apv_w_fail(w, "NQAP on queue %02x.%04x did not take the request (cc %u)",
				  apv_apqn_apid(q), apv_apqn_apqi(q), res.cc);
	for (int i = 0; i < 1000; i++) {
		r.gr[0] = q;
		r.gr[2] = CARD_BASE + CARD_REP;
		r.gr[3] = CARD_MEM - CARD_REP;
		res = apv_hw_dqap(w->hw, &r, 4, 2, &st);
		if (res.kind == APV_RES_DONE && res.cc == 0) {
			*rlen = CARD_MEM - CARD_REP - r.gr[3];
			return 0;
		}
		apv_clock_sleep(w->clock, 1000000);
	}
	return apv_w_fail(w, "no reply from queue %02x.%04x within 1 s", apv_apqn_apid(q),
			  apv_apqn_apqi(q));
}

struct apv_wseckey {
	char name[32];
	bool ep11;
	size_t len;
	uint8_t key[APV_EP11_BLOB_LEN];
};

static struct apv_wseckey *seckey_find(struct apv_world *w, const char *name)
{
	for (size_t i = 0; i < w->nseckeys; i++)
		if (strcmp(w->seckeys[i].name, name) == 0)
			return &w->seckeys[i];
	return NULL;
}

enum { K_APQN = 0, K_NAME, K_BITS };
static const char *const key_bits[] = {"128", "192", "256", NULL};
static const struct apv_opt keygen_opts[] = {
    {"bits", APV_OPT_ENUM, K_BITS, 0, key_bits, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_keygen(struct apv_pcur *c)
{
	if (apv_pc_apqn(c, K_APQN) < 0 || apv_pc_str(c, K_NAME, "a name for the key") < 0)
		return -1;
	if (strlen(c->step->v[K_NAME].s) >= 32)
		return apv_pc_fail(c, c->step->v[K_NAME].tok, "a key name has at most 31 characters");
	return apv_pc_opts(c, keygen_opts);
}

/* The card's answer as an action result: 0, or -EIO with the codes in `why`. */
static void card_result(struct apv_world *w, bool ep11, int prc, const struct apv_t86_view *v,
			uint32_t rv, const char *what)
{
	char why[96];

	if (prc) {
		snprintf(why, sizeof(why), "%s: reply refused as zcrypt would (%d)", what, prc);
		apv_w_action(w, -EIO, why);
	} else if (!ep11 && v->rtcode) {
		snprintf(why, sizeof(why), "%s: CCA return/reason code %u/%u", what, v->rtcode,
			 v->rscode);
		apv_w_action(w, -EIO, why);
	} else if (ep11 && rv) {
		snprintf(why, sizeof(why), "%s: EP11 return value 0x%08x", what, rv);
		apv_w_action(w, -EIO, why);
	} else {
		apv_w_action(w, 0, NULL);
	}
}

static int exec_keygen(struct apv_world *w, const struct apv_step *s)
{
	static uint8_t mem[CARD_MEM];
	apv_apqn_t q = (apv_apqn_t)s->v[K_APQN].u;
	unsigned bits = s->v[K_BITS].kind ? 128 + 64 * (unsigned)s->v[K_BITS].u : 256;
	struct apv_hw_mk_info info;
	struct apv_t86_view v;
	struct apv_wseckey *k;
	const uint8_t *d = NULL;
	size_t len, rlen = 0, dl = 0;
	uint32_t rv = 0;
	int prc;

	if (apv_world_need_hw(w) < 0)
		return -1;
	if (apv_hw_master_key_info(w->hw, q, &info) < 0 || info.mode == APV_MODE_ACCEL)
		return apv_w_fail(w, "queue %02x.%04x is not a coprocessor queue", apv_apqn_apid(q),
				  apv_apqn_apqi(q));
	bool ep11 = info.mode == APV_MODE_EP11;
	len = ep11 ? apv_ep11_build_genkey(mem + CARD_REQ, CARD_REP - CARD_REQ, apv_apqn_apqi(q),
					   bits / 8, 0)
		   : apv_cca_build_kg(mem + CARD_REQ, CARD_REP - CARD_REQ, apv_apqn_apqi(q), bits);
	if (card_request(w, q, mem, len, &rlen) < 0)
		return -1;
	prc = apv_t86_parse(mem + CARD_REP, rlen, ep11, &v);
	if (!prc && ep11)
		prc = apv_ep11_reply_data(&v, &rv, &d, &dl) == -EIO && rv ? 0 : prc;
	card_result(w, ep11, prc, &v, rv, "card keygen");
	if (w->action_rc)
		return 0;
	k = seckey_find(w, s->v[K_NAME].s);
	if (!k) {
		struct apv_wseckey *n = realloc(w->seckeys, (w->nseckeys + 1) * sizeof(*n));
		if (!n)
			return apv_w_fail(w, "out of memory");
		w->seckeys = n;
		k = &n[w->nseckeys++];
		memset(k, 0, sizeof(*k));
		snprintf(k->name, sizeof(k->name), "%s", s->v[K_NAME].s);
	}
	k->ep11 = ep11;
	if (ep11) {
		k->len = dl < sizeof(k->key) ? dl : sizeof(k->key);
		memcpy(k->key, d, k->len);
	} else {
		k->len = APV_CCA_AES_TOKEN_LEN;
		memcpy(k->key, v.parm + 12, k->len);
	}
	return 0;
}

static int parse_protkey(struct apv_pcur *c)
{
	if (apv_pc_apqn(c, K_APQN) < 0 || apv_pc_str(c, K_NAME, "the name of a key") < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_protkey(struct apv_world *w, const struct apv_step *s)
{
	static uint8_t mem[CARD_MEM];
	apv_apqn_t q = (apv_apqn_t)s->v[K_APQN].u;
	struct apv_wseckey *k;
	struct apv_t86_view v;
	const uint8_t *d;
	size_t len, rlen = 0, dl;
	uint32_t rv = 0;
	int prc;

	if (apv_world_need_hw(w) < 0)
		return -1;
	k = seckey_find(w, s->v[K_NAME].s);
	if (!k)
		return apv_w_fail(w, "no key '%s' (make one with 'card keygen APQN %s')",
				  s->v[K_NAME].s, s->v[K_NAME].s);
	len = k->ep11 ? apv_ep11_build_wrap(mem + CARD_REQ, CARD_REP - CARD_REQ, apv_apqn_apqi(q),
					    k->key, k->len)
		      : apv_cca_build_us(mem + CARD_REQ, CARD_REP - CARD_REQ, apv_apqn_apqi(q),
					 k->key);
	if (card_request(w, q, mem, len, &rlen) < 0)
		return -1;
	prc = apv_t86_parse(mem + CARD_REP, rlen, k->ep11, &v);
	if (!prc && k->ep11)
		prc = apv_ep11_reply_data(&v, &rv, &d, &dl) == -EIO && rv ? 0 : prc;
	card_result(w, k->ep11, prc, &v, rv, "card protkey");
	return 0;
}

/* ---- expectations --------------------------------------------------------------------------- */

enum { M_APQN = 0, M_NEW, M_CUR, M_OLD, M_NEWVP, M_CURVP, M_OLDVP };
static const char *const new_states[] = {"empty", "full", "uncommitted", "committed", NULL};
static const char *const cur_states[] = {"invalid", "valid", NULL};
static const struct apv_opt mk_opts[] = {
    {"new", APV_OPT_ENUM, M_NEW, 0, new_states, NULL},
    {"cur", APV_OPT_ENUM, M_CUR, 0, cur_states, NULL},
    {"old", APV_OPT_ENUM, M_OLD, 0, cur_states, NULL},
    {"new_vp", APV_OPT_STR, M_NEWVP, 0, NULL, "a verification pattern in hex"},
    {"cur_vp", APV_OPT_STR, M_CURVP, 0, NULL, "a verification pattern in hex"},
    {"old_vp", APV_OPT_STR, M_OLDVP, 0, NULL, "a verification pattern in hex"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_expect_mk(struct apv_pcur *c)
{
	if (apv_pc_apqn(c, M_APQN) < 0 || apv_pc_opts(c, mk_opts) < 0)
		return -1;
	for (int i = M_NEWVP; i <= M_OLDVP; i++) {
		const struct apv_val *v = &c->step->v[i];
		if (v->kind) {
			size_t n = strlen(v->s);
			if (n == 0 || n % 2 || n > 64 || strspn(v->s, "0123456789abcdefABCDEF") != n)
				return apv_pc_fail_val(c, v->tok,
						       "expected hex digits (up to 32 bytes), got '%s'",
						       v->s);
		}
	}
	return 0;
}

static void hexstr(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

static int exec_expect_mk(struct apv_world *w, const struct apv_step *s)
{
	static const char *const regs[3] = {"new", "cur", "old"};
	apv_apqn_t q = (apv_apqn_t)s->v[M_APQN].u;
	struct apv_hw_mk_info info;
	char want[128], got[128], vp[65];

	if (apv_world_need_hw(w) < 0)
		return -1;
	if (apv_hw_master_key_info(w->hw, q, &info) < 0 || info.mode == APV_MODE_ACCEL)
		return apv_w_fail(w, "queue %02x.%04x is not a coprocessor queue", apv_apqn_apid(q),
				  apv_apqn_apqi(q));
	bool ep11 = info.mode == APV_MODE_EP11;
	for (int r = 0; r < 3; r++) {
		const struct apv_val *sv = &s->v[M_NEW + r], *vv = &s->v[M_NEWVP + r];
		const char *state;
		bool set;
		const uint8_t *p;
		size_t n;

		if (ep11) {
			if (r == 2 && (sv->kind || vv->kind))
				return apv_w_fail(w, "an EP11 domain has no old wrapping key register");
			set = info.wk_set[r == 0 ? 1 : 0];
			p = info.wkvp[r == 0 ? 1 : 0];
			n = APV_EP11_WKVP_LEN;
			state = r == 0 ? (!set ? "empty" : info.wk_committed ? "committed" : "uncommitted")
				       : (set ? "valid" : "invalid");
		} else {
			set = info.aes_set[r];
			p = info.aes_mkvp[r];
			n = APV_CCA_MKVP_LEN;
			state = r == 0 ? (set ? "full" : "empty") : (set ? "valid" : "invalid");
		}
		if (sv->kind) {
			const char *ws = (r == 0 ? new_states : cur_states)[sv->u];
			if (strcmp(ws, state) != 0) {
				snprintf(want, sizeof(want), "%s register %s", regs[r], ws);
				snprintf(got, sizeof(got), "%s register %s", regs[r], state);
				return apv_w_expect_fail(w, want, got);
			}
		}
		if (vv->kind) {
			hexstr(p, n, vp);
			if (strncasecmp(vp, vv->s, strlen(vv->s)) != 0 || !set) {
				snprintf(want, sizeof(want), "%s verification pattern %s", regs[r], vv->s);
				snprintf(got, sizeof(got), "%s verification pattern %s", regs[r],
					 set ? vp : "(register empty)");
				return apv_w_expect_fail(w, want, got);
			}
		}
	}
	return 0;
}

enum { S_NAME = 0, S_APQN, S_MK };
static const char *const mk_match[] = {"current", "old", "none", NULL};
static const struct apv_opt seckey_opts[] = {
    {"mk", APV_OPT_ENUM, S_MK, 0, mk_match, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_expect_seckey(struct apv_pcur *c)
{
	if (apv_pc_str(c, S_NAME, "the name of a key") < 0 || apv_pc_apqn(c, S_APQN) < 0 ||
	    apv_pc_opts(c, seckey_opts) < 0)
		return -1;
	if (!c->step->v[S_MK].kind)
		return apv_pc_fail(c, c->step->v[S_NAME].tok, "expect seckey needs mk=current|old|none");
	return 0;
}

/*
 * Which register of the queue made the key, as pkey decides it: the
 * token's MKVP (CCA, 8 bytes at 8) against the current and, if valid, the
 * old AES MKVP; the blob's WKVP (EP11, 16 bytes at 32) against the first
 * half of the current wrapping key's.
 */
static int exec_expect_seckey(struct apv_world *w, const struct apv_step *s)
{
	apv_apqn_t q = (apv_apqn_t)s->v[S_APQN].u;
	struct apv_hw_mk_info info;
	struct apv_wseckey *k;
	const char *got = "none";
	char want[96], have[96];

	if (apv_world_need_hw(w) < 0)
		return -1;
	k = seckey_find(w, s->v[S_NAME].s);
	if (!k)
		return apv_w_fail(w, "no key '%s'", s->v[S_NAME].s);
	if (apv_hw_master_key_info(w->hw, q, &info) < 0)
		return apv_w_fail(w, "no queue %02x.%04x", apv_apqn_apid(q), apv_apqn_apqi(q));
	if (k->ep11 != (info.mode == APV_MODE_EP11) || info.mode == APV_MODE_ACCEL)
		return apv_w_fail(w, "key '%s' is not for the mode of queue %02x.%04x", k->name,
				  apv_apqn_apid(q), apv_apqn_apqi(q));
	if (k->ep11) {
		if (info.wk_set[0] && memcmp(k->key + 32, info.wkvp[0], 16) == 0)
			got = "current";
	} else if (info.aes_set[APV_MK_CUR] &&
		   memcmp(k->key + 8, info.aes_mkvp[APV_MK_CUR], APV_CCA_MKVP_LEN) == 0) {
		got = "current";
	} else if (info.aes_set[APV_MK_OLD] &&
		   memcmp(k->key + 8, info.aes_mkvp[APV_MK_OLD], APV_CCA_MKVP_LEN) == 0) {
		got = "old";
	}
	if (strcmp(got, mk_match[s->v[S_MK].u]) == 0)
		return 0;
	snprintf(want, sizeof(want), "key %s made under the %s key", k->name, mk_match[s->v[S_MK].u]);
	snprintf(have, sizeof(have), "key %s made under the %s key", k->name, got);
	return apv_w_expect_fail(w, want, have);
}

void apv_world_free_seckeys(struct apv_world *w)
{
	free(w->seckeys);
	w->seckeys = NULL;
	w->nseckeys = 0;
}

const struct apv_cmd apv_scn_cmds_card[] = {
    {"masterkey", "set", "masterkey set APQN HEX",
     "load a 32-byte key into the new master-key (EP11: wrapping-key) register", parse_mk_set,
     exec_mk, APV_CMD_ACTION},
    {"masterkey", "commit", "masterkey commit APQN", "EP11: commit the new wrapping key",
     parse_mk_other, exec_mk, APV_CMD_ACTION},
    {"masterkey", "change", "masterkey change APQN",
     "new key becomes current, current becomes old", parse_mk_other, exec_mk, APV_CMD_ACTION},
    {"masterkey", "clear", "masterkey clear APQN", "empty every key register of the queue",
     parse_mk_other, exec_mk, APV_CMD_ACTION},
    {"card", "keygen", "card keygen APQN NAME [bits=128|192|256]",
     "a secure AES key (CCA KG, EP11 GenerateKey) kept as NAME", parse_keygen, exec_keygen,
     APV_CMD_ACTION},
    {"card", "protkey", "card protkey APQN NAME",
     "convert key NAME to a protected key (CCA US, EP11 WrapKey)", parse_protkey, exec_protkey,
     APV_CMD_ACTION},
    {"expect", "masterkey",
     "expect masterkey APQN [new=empty|full|uncommitted|committed] [cur|old=valid|invalid] "
     "[new_vp|cur_vp|old_vp=HEX]",
     "the queue's key registers and verification patterns (a prefix of the pattern is enough)",
     parse_expect_mk, exec_expect_mk, 0},
    {"expect", "seckey", "expect seckey NAME APQN mk=current|old|none",
     "which master key of the queue made key NAME (as pkey's verify decides)",
     parse_expect_seckey, exec_expect_seckey, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
