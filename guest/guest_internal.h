/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal structures of the guest AP bus model. One lock (g->lock)
 * covers everything here except the interruption signal, which has its
 * own small lock so that an adapter interruption can be taken while a
 * driver thread holds g->lock inside an instruction.
 */
#ifndef APV_GUEST_INTERNAL_H
#define APV_GUEST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "apvirt/base.h"
#include "apvirt/guest.h"

/* What a queue, or a whole driving pass, waits for next; higher wins. */
enum gq_wait {
	GQ_AGAIN = -1, /* run the state machine again right away */
	GQ_NONE = 0,   /* nothing to wait for */
	GQ_IRQ,	       /* the adapter interruption will tell */
	GQ_LOW,	       /* poll again after LOW_TIMEOUT */
	GQ_HIGH,       /* poll again after HIGH_TIMEOUT */
};

/* Why a driving pass runs (for the counters). */
enum gq_wake { WAKE_CALL = 0, WAKE_POLL, WAKE_LOW, WAKE_WATCHDOG, WAKE_IRQ };

enum req_state { REQ_FREE = 0, REQ_QUEUED, REQ_PENDING, REQ_DONE };

struct req_list {
	struct apv_guest_req *head, *tail;
	unsigned n;
};

struct gq {
	struct apv_guest *g;
	apv_apqn_t apqn;
	enum apv_guest_qstate state;
	bool driven;
	uint64_t hwinfo;
	struct apv_tapq_hwinfo hi;
	unsigned qd;	   /* in-flight limit */
	unsigned inflight; /* sent and not read back, cancelled ones included */
	unsigned max_mod;  /* largest L in bytes */
	uint32_t max_msg;  /* the card's message size limit: ML x 4 KiB, ML 0 = 12 KiB */
	uint32_t rep_len;  /* DQAP buffer: max_msg, as far as the reply area holds it */
	bool irq_on;	   /* I bit last seen */
	bool irq_refused;  /* AQIC refused: poll until the next reset */
	bool zap_wait;	   /* removal: waiting for the ZAPQ to finish */
	bool in_config;	   /* rescan bookkeeping */
	uint8_t last_rc;
	uint64_t t_state;    /* start of the current reset or I-bit wait */
	uint64_t t_progress; /* last reply, or first send onto an empty queue */
	enum gq_wait last_wait;
	struct req_list requestq; /* not yet sent */
	struct req_list pendingq; /* sent, reply not read */
	struct apv_guest_queue_stats st;
};

struct apv_guest {
	struct apv_guest_platform p;
	struct apv_guest_config cfg;
	struct apv_mutex lock;
	struct apv_regs regs;

	bool probed, removed, ap_instr;
	bool fac_qci, fac_apft, fac_aqic, qci_used, apxa, irq;
	unsigned max_apid, max_apqi;

	struct gq **q; /* sorted by APQN */
	unsigned nq, capq;

	uint64_t nib, qci_addr, req_addr, rep_addr;
	uint32_t rep_room; /* bytes at rep_addr the driver may use */
	uint32_t psmid_counter;
	unsigned active;    /* submitted, not done */
	uint64_t completed; /* requests finished, any result */
	bool in_irq_pass;   /* the current pass follows an interruption */
	bool kick;	    /* a request moved queues: run the pass again */
	uint64_t next_scan;
	struct apv_guest_stats st;

	/* interruption signal and completion wakeups */
	struct apv_mutex wait_mu;
	pthread_cond_t wait_cv;
	bool irq_pending;   /* under wait_mu */
	uint64_t irq_count; /* under wait_mu */
	uint64_t gen;	    /* completions, under wait_mu */
};

/* Internal functions stay out of libapvirt's exported symbols. */
#pragma GCC visibility push(hidden)

/* ---- insn.c: the instructions ------------------------------------------------- */

struct insn_out {
	bool pgm; /* program exception (or exit) instead of a status */
	uint16_t pgm_code;
	uint8_t cc;
	uint32_t apqsw;
	struct apv_apqsw s;
};

struct insn_out gi_pqap(struct apv_guest *g, unsigned fc, apv_apqn_t apqn, bool t, uint64_t gr1,
			uint64_t gr2, uint64_t *gr2_out);
struct insn_out gi_tapq(struct apv_guest *g, apv_apqn_t apqn, uint64_t *hwinfo);
struct insn_out gi_nqap(struct apv_guest *g, apv_apqn_t apqn, uint64_t psmid, uint64_t addr,
			uint32_t len);
/* DQAP into buflen bytes at rep_addr. *len: bytes stored; *residual: GR2
 * (reply left on the queue). cont: go on with the reply the previous DQAP
 * could not store in full. */
struct insn_out gi_dqap(struct apv_guest *g, apv_apqn_t apqn, bool cont, uint32_t buflen,
			uint64_t *psmid, uint32_t *len, uint64_t *residual);

/* ---- queue.c: the per-queue state machine ---------------------------------------- */

struct gq *gq_new(struct apv_guest *g, apv_apqn_t apqn, uint64_t hwinfo);
void gq_free(struct gq *q);
/* Set hwinfo and whether the accelerator driver serves the queue. */
void gq_set_hwinfo(struct gq *q, uint64_t hwinfo);
/* Start the bring-up (RESET_START) of a driven queue. */
void gq_start(struct gq *q);
/* Run the state machine until it has to wait. */
enum gq_wait gq_run(struct gq *q);
bool gq_online(const struct gq *q);
bool gq_settled(const struct gq *q);
/* Take the queue offline: state, rc, and requests fail over elsewhere. */
void gq_offline(struct gq *q, enum apv_guest_qstate state, uint8_t rc);

/* ---- request.c ------------------------------------------------------------------- */

void req_list_add_tail(struct req_list *l, struct apv_guest_req *r);
void req_list_add_head(struct req_list *l, struct apv_guest_req *r);
void req_list_del(struct req_list *l, struct apv_guest_req *r);
/* Finish r with result (removes it from whatever list holds it). */
void req_complete(struct apv_guest *g, struct apv_guest_req *r, int result);
/* Move r (off any list) to another online queue, or fail it. exclude may be NULL. */
void req_failover(struct apv_guest *g, struct apv_guest_req *r, struct gq *exclude);
/* Build the type 50 message of r into out; returns its length or 0. */
size_t req_build(const struct apv_guest_req *r, uint8_t *out, size_t cap);
/* Handle a reply read for r (r on q's pendingq). */
void req_reply(struct gq *q, struct apv_guest_req *r, const uint8_t *reply, uint32_t len);
/* L of a request. */
uint32_t req_len(const struct apv_guest_req *r);

/* ---- drive.c --------------------------------------------------------------------- */

/* Completion wakeup for other waiting threads. */
void gd_completed(struct apv_guest *g);
/* Drive until pred(g, arg) holds (checked under g->lock) or timeout. 0 or -ETIMEDOUT. */
int gd_drive_until(struct apv_guest *g, bool (*pred)(struct apv_guest *g, void *arg), void *arg,
		   uint64_t timeout_ns);
/* The adapter interruption handler given to the platform. */
void gd_airq(void *arg);

/* ---- scan.c ---------------------------------------------------------------------- */

/* Read the configuration and create/refresh queues; under g->lock. */
void gs_scan(struct apv_guest *g);
struct gq *gs_find(struct apv_guest *g, apv_apqn_t apqn);

static inline uint64_t g_now(struct apv_guest *g)
{
	return apv_clock_now(g->p.clock);
}

#pragma GCC visibility pop

#endif
