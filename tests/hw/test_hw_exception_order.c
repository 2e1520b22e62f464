/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exception order on the hardware model: every program exception the
 * instruction's registers call for is recognised before any storage
 * operand is touched. Each case gives the instruction a storage that
 * fails and counts every access, together with an exception condition,
 * and asserts the exception and that the storage was never reached. The
 * queue-dependent NQAP length limit (RC15) is decided before the message
 * is read as well.
 */
#include <errno.h>

#include "hwtest.h"
#include "testlib.h"

/* A storage nothing may touch: every access fails and is counted. */
struct trap {
	unsigned reads, writes;
};

static int trap_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)addr, (void)buf, (void)len;
	((struct trap *)ctx)->reads++;
	return -EFAULT;
}

static int trap_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)addr, (void)buf, (void)len;
	((struct trap *)ctx)->writes++;
	return -EFAULT;
}

static struct apv_storage trap_storage(struct trap *t)
{
	t->reads = t->writes = 0;
	return (struct apv_storage){.read = trap_read, .write = trap_write, .ctx = t};
}

#define CHECK_PGM_UNTOUCHED(res, code, trap)                                                       \
	do {                                                                                       \
		struct apv_result r_ = (res);                                                      \
		CHECK_EQ(r_.kind, APV_RES_PGM);                                                    \
		CHECK_EQ(r_.pgm, (code));                                                          \
		CHECK_EQ((trap).reads + (trap).writes, 0);                                         \
	} while (0)

static struct apv_result pqap(struct hwt *t, uint64_t gr0, uint64_t gr1, uint64_t gr2,
			      const struct apv_storage *st)
{
	struct apv_regs r = {0};

	r.gr[0] = gr0;
	r.gr[1] = gr1;
	r.gr[2] = gr2;
	return apv_hw_pqap(t->hw, &r, st);
}

/* NQAP R1 = 4, R2 = 2 (or the given pairs), message at T_MSG. */
static struct apv_result nqap(struct hwt *t, uint64_t gr0, unsigned r1, unsigned r2, uint64_t len,
			      const struct apv_storage *st)
{
	struct apv_regs r = {0};

	r.gr[0] = gr0;
	r.gr[r2 & 15] = T_MSG;
	r.gr[(r2 + 1) & 15] = len;
	return apv_hw_nqap(t->hw, &r, r1, r2, st);
}

static struct apv_result dqap(struct hwt *t, uint64_t gr0, unsigned r1, unsigned r2, uint64_t len,
			      const struct apv_storage *st)
{
	struct apv_regs r = {0};

	r.gr[0] = gr0;
	r.gr[r2 & 15] = T_BUF;
	r.gr[(r2 + 1) & 15] = len;
	return apv_hw_dqap(t->hw, &r, r1, r2, st);
}

/* Put one request on the queue and let its reply become ready. */
static void one_reply_ready(struct hwt *t)
{
	struct apv_regs r;
	struct rsa_req q;

	rsa_me(&q, 128, 7);
	REQUIRE(hwt_nqap(t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(t, 1000000);
}

static unsigned replies_waiting(struct hwt *t)
{
	struct apv_hw_queue_stats s;

	REQUIRE(apv_hw_queue_stats(t->hw, T_APQN, &s) == 0);
	return s.replies;
}

static uint64_t requests_taken(struct hwt *t)
{
	struct apv_hw_queue_stats s;

	REQUIRE(apv_hw_queue_stats(t->hw, T_APQN, &s) == 0);
	return s.requests;
}

TEST(operation_exception_before_any_storage_access)
{
	struct hwt t;
	struct trap tr;
	struct apv_storage st = trap_storage(&tr);

	hwt_init(&t, NULL, false);
	apv_hw_set_installed(t.hw, false);
	CHECK_PGM_UNTOUCHED(pqap(&t, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, T_QCI, &st),
			    APV_PGM_OPERATION, tr);
	CHECK_PGM_UNTOUCHED(
	    pqap(&t, apv_gr0_pqap(APV_FC_AQIC, T_APQN, false, false), APV_AQIC_IR, T_NIB, &st),
	    APV_PGM_OPERATION, tr);
	CHECK_PGM_UNTOUCHED(nqap(&t, T_APQN, 4, 2, 64, &st), APV_PGM_OPERATION, tr);
	CHECK_PGM_UNTOUCHED(dqap(&t, T_APQN, 6, 4, 64, &st), APV_PGM_OPERATION, tr);
	/* Outranks the specification exceptions too. */
	CHECK_PGM_UNTOUCHED(nqap(&t, T_APQN, 3, 2, 0, &st), APV_PGM_OPERATION, tr);
	CHECK_PGM_UNTOUCHED(pqap(&t, apv_gr0_pqap(0x2A, 0, false, false), 0, T_QCI, &st),
			    APV_PGM_OPERATION, tr);
	apv_hw_set_installed(t.hw, true);
	hwt_fini(&t);
}

TEST(pqap_specification_exceptions_before_any_storage_access)
{
	struct hwt t;
	struct trap tr;
	struct apv_storage st = trap_storage(&tr);
	const unsigned bad_fcs[] = {APV_FC_QACT, APV_FC_QBAP, APV_FC_BAPQ, APV_FC_AAPQ, 0x2A, 0xFF};
	struct apv_hw_config cfg;

	hwt_init(&t, NULL, false);
	/* Function codes not offered: GR2 would be an operand, it is never used. */
	for (unsigned i = 0; i < sizeof(bad_fcs) / sizeof(bad_fcs[0]); i++)
		CHECK_PGM_UNTOUCHED(
		    pqap(&t, apv_gr0_pqap(bad_fcs[i], T_APQN, false, false), 0, T_QCI, &st),
		    APV_PGM_SPECIFICATION, tr);
	/* QCI: misaligned block, reserved GR0 bits. */
	for (unsigned off = 1; off < 8; off++)
		CHECK_PGM_UNTOUCHED(
		    pqap(&t, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, T_QCI + off, &st),
		    APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(
	    pqap(&t, apv_gr0_pqap(APV_FC_QCI, 0, false, false) | APV_BIT64(44), 0, T_QCI, &st),
	    APV_PGM_SPECIFICATION, tr);
	/* AQIC enable with a NIB: reserved GR0 bits (41 included). */
	for (unsigned bit = 41; bit <= 47; bit++)
		CHECK_PGM_UNTOUCHED(
		    pqap(&t, apv_gr0_pqap(APV_FC_AQIC, T_APQN, false, false) | APV_BIT64(bit),
			 APV_AQIC_IR | APV_AP_ISC, T_NIB, &st),
		    APV_PGM_SPECIFICATION, tr);
	/* The queue is never reached either: no AQIC was counted. */
	{
		struct apv_hw_queue_stats s;

		REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &s) == 0);
		CHECK_EQ(s.aqic, 0);
	}
	hwt_fini(&t);

	/* Machine without APXA, APFT, QCI and AQIC. */
	apv_hw_config_default(&cfg);
	cfg.apxa = false;
	cfg.apft = false;
	cfg.qci = false;
	cfg.aqic = false;
	cfg.na = 63;
	cfg.nd = 15;
	hwt_init(&t, &cfg, false);
	CHECK_PGM_UNTOUCHED(pqap(&t, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, T_QCI, &st),
			    APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(pqap(&t, apv_gr0_pqap(APV_FC_AQIC, T_APQN, false, false),
				 APV_AQIC_IR | APV_AP_ISC, T_NIB, &st),
			    APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(pqap(&t, apv_gr0_pqap(APV_FC_TAPQ, T_APQN, true, false), 0, 0, &st),
			    APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(
	    pqap(&t, apv_gr0_pqap(APV_FC_TAPQ, apv_apqn(64, 0), false, false), 0, 0, &st),
	    APV_PGM_SPECIFICATION, tr);
	hwt_fini(&t);
}

TEST(nqap_specification_exceptions_before_the_message_is_read)
{
	struct hwt t;
	struct trap tr;
	struct apv_storage st = trap_storage(&tr);
	const unsigned mbz[] = {32, 34, 35, 40};
	struct apv_hw_config cfg;

	hwt_init(&t, NULL, false);
	CHECK_PGM_UNTOUCHED(nqap(&t, T_APQN, 5, 2, 64, &st), APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(nqap(&t, T_APQN, 4, 3, 64, &st), APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(nqap(&t, T_APQN, 4, 2, 0, &st), APV_PGM_SPECIFICATION, tr);
	for (unsigned i = 0; i < sizeof(mbz) / sizeof(mbz[0]); i++)
		CHECK_PGM_UNTOUCHED(nqap(&t, T_APQN | APV_BIT64(mbz[i]), 4, 2, 64, &st),
				    APV_PGM_SPECIFICATION, tr);
	CHECK_EQ(requests_taken(&t), 0);
	hwt_fini(&t);

	apv_hw_config_default(&cfg);
	cfg.apxa = false;
	cfg.na = 63;
	cfg.nd = 15;
	hwt_init(&t, &cfg, false);
	CHECK_PGM_UNTOUCHED(nqap(&t, apv_apqn(1, 16), 4, 2, 64, &st), APV_PGM_SPECIFICATION, tr);
	hwt_fini(&t);
}

TEST(dqap_specification_exceptions_before_the_buffer_is_written)
{
	struct hwt t;
	struct trap tr;
	struct apv_storage st = trap_storage(&tr);
	const unsigned mbz[] = {33, 34, 35, 40, 41};

	hwt_init(&t, NULL, false);
	one_reply_ready(&t);
	CHECK_PGM_UNTOUCHED(dqap(&t, T_APQN, 7, 4, 64, &st), APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(dqap(&t, T_APQN, 6, 5, 64, &st), APV_PGM_SPECIFICATION, tr);
	CHECK_PGM_UNTOUCHED(dqap(&t, T_APQN, 6, 4, 0, &st), APV_PGM_SPECIFICATION, tr);
	for (unsigned i = 0; i < sizeof(mbz) / sizeof(mbz[0]); i++)
		CHECK_PGM_UNTOUCHED(dqap(&t, T_APQN | APV_BIT64(mbz[i]), 6, 4, 64, &st),
				    APV_PGM_SPECIFICATION, tr);
	/* The reply is still there for a good DQAP. */
	CHECK_EQ(replies_waiting(&t), 1);
	CHECK_EQ(dqap(&t, APV_GR0_DQAP_FIRST | T_APQN, 6, 4, 4096, &t.st).cc, 0);
	CHECK_EQ(replies_waiting(&t), 0);
	hwt_fini(&t);
}

TEST(nqap_longer_than_the_queue_limit_answers_rc15_without_reading_the_message)
{
	struct hwt t;
	struct trap tr;
	struct apv_storage st = trap_storage(&tr);
	struct apv_regs r = {0};
	struct apv_result res;

	hwt_init(&t, NULL, false);
	r.gr[0] = T_APQN;
	r.gr[2] = T_MSG;
	r.gr[3] = 3 * 4096 + 1;
	res = apv_hw_nqap(t.hw, &r, 4, 2, &st);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_MESSAGE_TOO_BIG);
	CHECK_EQ(tr.reads + tr.writes, 0);
	/* The R2 pair is left as it was: nothing was consumed. */
	CHECK_U64(r.gr[2], T_MSG);
	CHECK_U64(r.gr[3], 3 * 4096 + 1);
	CHECK_EQ(requests_taken(&t), 0);
	/* At the limit the message is read (and here fails: RC06). */
	r.gr[3] = 3 * 4096;
	res = apv_hw_nqap(t.hw, &r, 4, 2, &st);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_INVALID_ADDRESS);
	CHECK_EQ(tr.reads, 1);
	hwt_fini(&t);
}

TEST(queue_response_codes_come_before_storage_access)
{
	struct hwt t;
	struct trap tr;
	struct apv_storage st = trap_storage(&tr);
	struct apv_regs r = {0};
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	hwt_init(&t, NULL, false);
	/* No queue: RC01, nothing read or written. */
	r.gr[0] = apv_apqn(9, T_APQI);
	r.gr[2] = T_MSG;
	r.gr[3] = 64;
	CHECK_EQ(apv_hw_nqap(t.hw, &r, 4, 2, &st).cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_Q_NOT_AVAIL);
	CHECK_EQ(pqap(&t, apv_gr0_pqap(APV_FC_AQIC, apv_apqn(9, T_APQI), false, false),
		      APV_AQIC_IR | APV_AP_ISC, T_NIB, &st)
		     .cc,
		 3);
	/* A busy queue: RC05 for NQAP, DQAP and an AQIC enable, storage untouched. */
	REQUIRE(apv_hw_inject(t.hw, T_APQN, &busy) == 0);
	r.gr[0] = T_APQN;
	CHECK_EQ(apv_hw_nqap(t.hw, &r, 4, 2, &st).cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_BUSY);
	CHECK_EQ(dqap(&t, T_APQN, 6, 4, 64, &st).cc, 3);
	CHECK_EQ(pqap(&t, apv_gr0_pqap(APV_FC_AQIC, T_APQN, false, false), APV_AQIC_IR | APV_AP_ISC,
		      T_NIB, &st)
		     .cc,
		 3);
	CHECK_EQ(tr.reads + tr.writes, 0);
	REQUIRE(apv_hw_inject(t.hw, T_APQN, &none) == 0);
	hwt_fini(&t);
}

TEST_MAIN
