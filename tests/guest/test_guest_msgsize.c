/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver and a queue's message size limit, and the instruction layer
 * of the bare-hardware platform: like zcrypt, the driver reads replies
 * into a buffer the size of the card's limit (TAPQ ML x 4 KiB, ML 0 =
 * 12 KiB), as far as its reply area holds it; a message the card refuses
 * as too big (RC15) ends its request with -EINVAL. The platform's
 * instructions raise their program exceptions before any guest storage
 * is touched.
 */
#include <errno.h>

#include "guest_fixture.h"
#include "testlib.h"

#define MAXQ 4

/* A platform around the bare one that records each queue's DQAP lengths. */
struct rec {
	struct apv_guest_platform inner;
	apv_apqn_t apqn[MAXQ];
	uint64_t dqap_len[MAXQ]; /* last DQAP length seen, per queue */
	unsigned dqaps[MAXQ];
	bool force_rc15; /* answer every NQAP with RC15, as a card would for a big message */
	unsigned nqaps;
};

static int slot(struct rec *s, apv_apqn_t q)
{
	for (int i = 0; i < MAXQ; i++)
		if (s->apqn[i] == q)
			return i;
	return -1;
}

static struct apv_result rec_execute(void *ctx, struct apv_regs *r, uint16_t op, unsigned r1,
				     unsigned r2)
{
	struct rec *s = ctx;
	int i = slot(s, apv_gr0_apqn(r->gr[0]));

	if (op == APV_OP_DQAP && i >= 0) {
		s->dqap_len[i] = r->gr[r2 + 1];
		s->dqaps[i]++;
	}
	if (op == APV_OP_NQAP && s->force_rc15) {
		s->nqaps++;
		r->gr[1] = apv_gr1_from_apqsw(apv_apqsw_rc(APV_RC_MESSAGE_TOO_BIG));
		return apv_done(3);
	}
	return s->inner.execute(s->inner.ctx, r, op, r1, r2);
}

static bool rec_fac(void *ctx, unsigned nr)
{
	struct rec *s = ctx;

	return s->inner.has_facility(s->inner.ctx, nr);
}

static int rec_isc(void *ctx, unsigned isc, apv_guest_airq_fn fn, void *arg)
{
	struct rec *s = ctx;

	return s->inner.enable_isc(s->inner.ctx, isc, fn, arg);
}

static void rec_release(void *ctx)
{
	struct rec *s = ctx;

	apv_guest_platform_release(&s->inner);
}

/* Adapters 3 (ML 0), 4 (ML 1), 7 (ML 5), domain 6; a guest with `mem` bytes through *s. */
static void start(struct gfix *f, struct rec *s, uint64_t mem)
{
	static const unsigned dom[] = {6};
	struct apv_adapter_config a;
	const uint8_t mls[] = {0, 1, 5};
	const unsigned apids[] = {3, 4, 7};
	struct apv_guest_platform p;

	REQUIRE(gfix_hw(f, false, NULL, NULL, NULL, 0, dom, 1));
	for (unsigned i = 0; i < 3; i++) {
		apv_adapter_config_default(&a);
		a.ml = mls[i];
		REQUIRE(apv_hw_add_adapter(f->hw, apids[i], &a) == 0);
		s->apqn[i] = apv_apqn(apids[i], 6);
	}
	REQUIRE(apv_guest_platform_hw(f->hw, mem, &s->inner) == 0);
	p = s->inner;
	p.execute = rec_execute;
	p.has_facility = rec_fac;
	p.enable_isc = rec_isc;
	p.release = rec_release;
	p.ctx = s;
	f->p = p;
	REQUIRE(gfix_start(&p, NULL, &f->g) == 0);
}

static int me_on(struct gfix *f, apv_apqn_t q)
{
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	int rc;

	REQUIRE(k);
	rsa_test_msg(msg, k->L, 5);
	m = rsa_ica_me(k, msg, k->e, out);
	rc = apv_guest_submit_me(f->g, &r, &m, q);
	return rc ? rc : apv_guest_wait(f->g, &r, APV_NSEC_PER_SEC);
}

TEST(replies_are_read_into_a_buffer_of_the_cards_message_limit)
{
	struct gfix f;
	static struct rec s;

	memset(&s, 0, sizeof(s));
	/* 64 KiB of memory: the reply area holds every limit up to 56 KiB. */
	start(&f, &s, 0x10000);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(me_on(&f, s.apqn[i]), 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK(s.dqaps[i] > 0);
	CHECK_U64(s.dqap_len[0], 12288); /* ML 0 */
	CHECK_U64(s.dqap_len[1], 4096);	 /* ML 1 */
	CHECK_U64(s.dqap_len[2], 20480); /* ML 5 */
	gfix_free(&f);
}

TEST(a_limit_beyond_the_reply_area_is_cut_to_the_area)
{
	struct gfix f;
	static struct rec s;

	memset(&s, 0, sizeof(s));
	/* The smallest memory: 12 KiB of reply area after the NIB, QCI and request pages. */
	start(&f, &s, APV_GUEST_MEM_MIN);
	CHECK_EQ(me_on(&f, s.apqn[2]), 0);
	CHECK_EQ(me_on(&f, s.apqn[1]), 0);
	CHECK_U64(s.dqap_len[2], 12288);
	CHECK_U64(s.dqap_len[1], 4096);
	gfix_free(&f);
}

TEST(a_message_the_card_finds_too_big_ends_the_request_einval_without_retry)
{
	struct gfix f;
	static struct rec s;
	memset(&s, 0, sizeof(s));
	start(&f, &s, 0x8000);
	s.force_rc15 = true;
	CHECK_EQ(me_on(&f, s.apqn[0]), -EINVAL);
	/* The request is not the queue's fault: one NQAP, the queue stays online. */
	CHECK_EQ(s.nqaps, 1);
	s.force_rc15 = false;
	CHECK_EQ(me_on(&f, s.apqn[0]), 0);
	gfix_free(&f);
}

TEST(bare_platform_instructions_raise_exceptions_before_touching_storage)
{
	struct gfix f;
	struct apv_guest_platform p;
	struct apv_regs r;
	struct apv_result res;
	uint64_t outside;

	REQUIRE(gfix_hw(&f, false, NULL, NULL, (const unsigned[]){3}, 1, (const unsigned[]){6}, 1));
	REQUIRE(apv_guest_platform_hw(f.hw, APV_GUEST_MEM_MIN, &p) == 0);
	outside = p.mem_base + p.mem_size + 0x1000;
	/* QCI: the block outside the memory is an addressing exception ... */
	memset(&r, 0, sizeof(r));
	r.gr[0] = apv_gr0_pqap(APV_FC_QCI, 0, false, false);
	r.gr[2] = outside;
	res = p.execute(p.ctx, &r, APV_OP_PQAP, 0, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, 0x05);
	/* ... unless it is misaligned or GR0 has a reserved bit: specification first. */
	r.gr[2] = outside + 4;
	CHECK_EQ(p.execute(p.ctx, &r, APV_OP_PQAP, 0, 0).pgm, APV_PGM_SPECIFICATION);
	r.gr[0] |= APV_BIT64(43);
	r.gr[2] = outside;
	CHECK_EQ(p.execute(p.ctx, &r, APV_OP_PQAP, 0, 0).pgm, APV_PGM_SPECIFICATION);
	/* NQAP/DQAP with an operand outside memory: RC06 without the exception ... */
	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_NQAP_LAST | apv_apqn(3, 6);
	r.gr[2] = outside;
	r.gr[3] = 64;
	res = p.execute(p.ctx, &r, APV_OP_NQAP, 4, 2);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_INVALID_ADDRESS);
	/* ... and the specification exception with one. */
	CHECK_EQ(p.execute(p.ctx, &r, APV_OP_NQAP, 5, 2).pgm, APV_PGM_SPECIFICATION);
	r.gr[3] = 0;
	CHECK_EQ(p.execute(p.ctx, &r, APV_OP_NQAP, 4, 2).pgm, APV_PGM_SPECIFICATION);
	memset(&r, 0, sizeof(r));
	r.gr[0] = APV_GR0_DQAP_FIRST | APV_BIT64(34) | apv_apqn(3, 6);
	r.gr[4] = outside;
	r.gr[5] = 4096;
	CHECK_EQ(p.execute(p.ctx, &r, APV_OP_DQAP, 6, 4).pgm, APV_PGM_SPECIFICATION);
	apv_guest_platform_release(&p);
	apv_hw_free(f.hw);
	apv_clock_free(f.clock);
}

TEST_MAIN
