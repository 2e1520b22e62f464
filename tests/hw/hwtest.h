/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared fixture for the hw tests: a host with one CEX8A adapter (APID 5)
 * and usage domain 6 on a virtual clock, flat storage, an interrupt
 * recorder, and RSA requests checked against OpenSSL.
 */
#ifndef APV_TEST_HWTEST_H
#define APV_TEST_HWTEST_H

#include <pthread.h>

#include <apvirt/crypto.h>
#include <apvirt/hw.h>

#define T_APID 5
#define T_APQI 6
#define T_APQN ((apv_apqn_t)((T_APID << 8) | T_APQI))

/* Storage layout (addresses in the flat storage). */
#define T_BASE UINT64_C(0x100000)
#define T_MEM_SIZE (256u * 1024u)
#define T_NIB (T_BASE + 0x100)
#define T_NIB2 (T_BASE + 0x101)
#define T_QCI (T_BASE + 0x200)
#define T_MSG (T_BASE + 0x1000)
#define T_BUF (T_BASE + 0x20000)
/* Writes into [T_RO, T_RO + 0x100) fail: a read-only page for NIB tests. */
#define T_RO (T_BASE + 0x800)

#define T_MAX_IRQ 256

struct hwt {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_hw_config cfg;
	uint8_t *mem;
	struct apv_flat_storage flat;
	struct apv_storage st;    /* the whole buffer */
	struct apv_storage st_ro; /* same buffer, T_RO page not writable */
	pthread_mutex_t irq_lock;
	struct apv_hw_irq irqs[T_MAX_IRQ];
	unsigned nirq;
};

/* A host per cfg (NULL = default) on a virtual (or real) clock, adapter 5 + domain 6. */
void hwt_init(struct hwt *t, const struct apv_hw_config *cfg, bool real);
/* Only clock, hw and storage; no adapter, no domain. */
void hwt_init_bare(struct hwt *t, const struct apv_hw_config *cfg, bool real);
void hwt_fini(struct hwt *t);
unsigned hwt_nirq(struct hwt *t);

/* PQAP with GR0 = fc/apqn/t, GR1, GR2; returns the result, registers in *r. */
struct apv_result hwt_pqap(struct hwt *t, struct apv_regs *r, unsigned fc, apv_apqn_t apqn,
			   bool tbit, uint64_t gr1, uint64_t gr2);
uint32_t hwt_tapq(struct hwt *t, apv_apqn_t apqn);
uint8_t hwt_rc(uint32_t apqsw);

/* NQAP from pair 4/5 (psmid) and 2/3 (T_MSG, len). */
struct apv_result hwt_nqap(struct hwt *t, struct apv_regs *r, apv_apqn_t apqn, uint64_t psmid,
			   const uint8_t *msg, size_t len);
/* DQAP to pair 6/7 (psmid) and 4/5 (T_BUF, len). */
struct apv_result hwt_dqap(struct hwt *t, struct apv_regs *r, apv_apqn_t apqn, size_t len);
/* Let time pass on the virtual clock. */
void hwt_sleep(struct hwt *t, uint64_t ns);

/* ---- RSA requests -------------------------------------------------------- */

struct rsa_req {
	size_t L;
	uint8_t msg[512], exp[512], mod[512];
	uint8_t expect[512];
	uint8_t req[APV_T50_MAX_LEN];
	size_t req_len;
};
/* A random mod-exp request of L bytes with the expected result (BN_mod_exp). */
void rsa_me(struct rsa_req *q, size_t L, unsigned seed);
/* A CRT request from a fresh key of L bytes; expect = c^d mod n. */
void rsa_crt(struct rsa_req *q, size_t L, unsigned seed);
/* 0 when reply carries exactly q->expect. */
int rsa_check(const struct rsa_req *q, const uint8_t *reply, size_t len);

#endif
