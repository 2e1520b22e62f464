/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal state of the host AP hardware model, shared by the files of
 * hw/. Nothing here is visible above the hw layer.
 *
 * Ownership and locking, in one place:
 *  - hw->config_lock serialises administrator changes (define, configure,
 *    fault injection on many queues). It is never taken on an instruction
 *    path.
 *  - hw->adapters[] and adapter->queues[] are published once with release
 *    stores and never cleared before apv_hw_free(), so an instruction finds
 *    its queue with two acquire loads and no lock.
 *  - Each queue has its own mutex. Everything that changes a queue's state
 *    (instructions, reply completion, timers, configuration changes that
 *    affect it) does so under that mutex. Configuration changes copy the
 *    adapter/domain "configured" bits into each queue under its mutex, so an
 *    instruction sees a consistent picture without the config lock.
 *  - Lock order: config_lock -> queue lock -> engine lock (real mode work
 *    list) / clock lock / storage callbacks. The interrupt handler is called
 *    with no hw lock held.
 */
#ifndef APV_HW_INTERNAL_H
#define APV_HW_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/types.h>

#include "apvirt/base.h"
#include "apvirt/crypto.h"
#include "apvirt/hw.h"

/* Addressing exception: an operand the instruction must store is not there. */
#define HW_PGM_ADDRESSING 0x05

#define HW_MAX_ID 256
/* Largest message an adapter can take: ML = 15 chunks of 4 KiB. */
#define HW_MSG_MAX APV_AP_ML_MAX
/* The NIB value stored when a reply becomes ready. */
#define HW_NIB_SET 0x01

struct hw_queue;

enum hw_slot_state {
	SLOT_FREE = 0,
	SLOT_PENDING, /* accepted by NQAP, reply not computed yet */
	SLOT_READY,   /* reply waiting for DQAP */
};

/*
 * One request/reply slot. A queue holds qd + 1 of them, allocated with the
 * queue, so NQAP and DQAP never allocate.
 */
struct hw_slot {
	struct hw_queue *q;
	enum hw_slot_state state;
	uint64_t ticket; /* unique per accepted request; stale work is dropped */
	uint64_t psmid;
	uint8_t *msg; /* slot_size bytes, in the queue's buffer block */
	size_t msg_len;
	uint8_t *reply; /* reply_size bytes, in the queue's buffer block */
	size_t reply_len;
	size_t reply_off;	/* bytes already stored by a partial DQAP */
	uint64_t ready_seq;	/* order in which replies became ready */
	uint64_t due;		/* virtual mode: when the reply is ready */
	struct apv_timer timer; /* virtual mode: completion event */
	/* real mode: on the engine's work list (engine lock) */
	struct hw_slot *work_prev, *work_next;
	bool on_work_list;
};

enum hw_irq_change {
	IRQ_STEADY = 0,
	IRQ_ENABLING,  /* AQIC(enable) accepted, I bit not on yet */
	IRQ_DISABLING, /* AQIC(disable) accepted, I bit not off yet */
};

struct hw_queue {
	struct apv_mutex lock;
	struct apv_hw *hw;
	struct hw_adapter *ad;
	apv_apqn_t apqn;

	/* mirrors of the configuration, updated under this lock */
	bool ad_configured;
	bool dom_configured;

	/* request slots */
	unsigned cap; /* qd + 1 */
	size_t slot_size;
	size_t reply_size; /* APV_CEX_REPLY_MAX (accelerator) or APV_CARD_REPLY_MAX */

	/* coprocessor key registers of this domain (CCA master keys, EP11 wrapping keys) */
	struct apv_card_keys keys;
	struct hw_slot *slots;
	uint8_t *bufs;	  /* every slot's message and reply buffer, one allocation */
	unsigned pending; /* PENDING slots */
	unsigned ready;	  /* READY slots */
	uint64_t next_ticket;
	uint64_t next_ready_seq;
	struct hw_slot *partial; /* reply partially stored by DQAP, or NULL */

	/* asynchronous reset (RAPQ/ZAPQ) */
	uint64_t reset_until; /* RC02 while now < reset_until */

	/* interruption state (AQIC) */
	bool irq_on; /* the I bit */
	enum hw_irq_change irq_change;
	uint64_t irq_due; /* when irq_change completes */
	struct apv_timer irq_timer;
	struct apv_storage nib_st; /* valid while irq_on or enabling */
	uint64_t nib;
	uint8_t isc;
	bool gisa_valid;
	uint32_t gisa;
	uint8_t gisc;
	uint8_t gf;

	/* injected faults */
	bool f_busy, f_reset, f_deconfigured, f_checkstop;
	unsigned f_aqic_rc07;	 /* remaining forced RC07 answers */
	bool f_aqic_rc07_sticky; /* count 0: until cleared */
	unsigned f_aqic_rc_count;
	bool f_aqic_rc_sticky;
	uint8_t f_aqic_rc;
	uint64_t f_slow_ns;
	/* when each fault kind ends by itself (indexed by apv_hw_fault), 0 = never */
	uint64_t f_until[APV_FAULT_SLOW + 1];
	struct apv_timer fault_timer; /* armed for the earliest f_until */

	/* statistics */
	uint64_t st_requests, st_replies_done, st_discarded, st_interrupts, st_aqic;
	uint64_t st_last_ready; /* clock time of the latest reply becoming ready */
	uint64_t st_resets;	/* RAPQ/ZAPQ accepted (each starts a reset) */
	uint64_t st_last_reset; /* clock time the latest of them was accepted */
};

struct hw_adapter {
	unsigned apid;
	struct apv_adapter_config cfg; /* cfg.serial completed with the default; never changes */
	bool configured;  /* config_lock */
	size_t msg_limit; /* ML in bytes */
	struct hw_queue *_Atomic queues[HW_MAX_ID];
};

/* Real mode: a pool of workers, each with its own crypto engine. */
struct hw_worker {
	struct apv_hw *hw;
	pthread_t thread;
	struct apv_cex *cex;
	uint8_t *req; /* HW_MSG_MAX bytes */
	uint8_t reply[APV_CARD_REPLY_MAX];
};

/* An interrupt handler as installed: one of apv_hw's two slots. */
struct hw_irq_handler {
	apv_hw_irq_fn fn;
	void *ctx;
};

struct hw_engine {
	bool real;
	/* virtual mode: one engine, used from clock callbacks */
	struct apv_mutex vlock;
	struct apv_cex *vcex;
	uint8_t *vreq;
	uint8_t vreply[APV_CARD_REPLY_MAX];
	/* real mode */
	struct apv_mutex lock;
	pthread_cond_t cond;
	bool stop;
	struct hw_slot *head, *tail;
	unsigned nworkers;
	struct hw_worker *workers;
};

/* The CPACF wrapping key (cpacf.c), under its own leaf lock. */
struct hw_cpacf {
	struct apv_mutex lock;
	bool ready; /* the contexts are keyed with wk */
	uint8_t wk[APV_CPACF_WK_LEN];
	uint8_t wkvp[APV_CPACF_WKVP_LEN];
	EVP_CIPHER_CTX *enc, *dec; /* AES-256-ECB, no padding */
};

struct apv_hw {
	struct apv_hw_config cfg;
	struct apv_clock *clock;
	struct apv_log *log;

	/* Observer of the wrapper-issued instructions; set before they run. */
	apv_hw_insn_fn insn_fn;
	void *insn_ctx;
	atomic_bool installed;

	struct apv_mutex config_lock;
	struct hw_adapter *_Atomic adapters[HW_MAX_ID];
	struct apv_mask apm_defined, apm_configured;
	struct apv_mask aqm_defined, aqm_configured;
	struct apv_mask adm_defined, adm_configured;

	/*
	 * The handler and the calls of it in flight: replacing it waits for
	 * the calls of the old one to return (apv_hw_set_irq_handler). A
	 * delivery reads the published handler without a lock: a setter
	 * fills the slot not published (under irq_fn_lock), publishes it and
	 * waits for the calls in flight, so the next setter never writes a
	 * slot a delivery may still be reading.
	 */
	struct apv_mutex irq_fn_lock;
	pthread_cond_t irq_fn_idle;
	struct hw_irq_handler irq_slots[2];
	_Atomic(const struct hw_irq_handler *) irq_handler;
	atomic_uint irq_calls;	 /* handler calls in flight */
	atomic_uint irq_waiters; /* threads waiting for irq_calls to drop */

	struct hw_engine engine;
	struct hw_cpacf cpacf;
};

/* An interrupt to deliver once every lock is dropped. */
struct hw_irq_out {
	bool raise;
	struct apv_hw_irq irq;
};

/* Internal functions stay out of libapvirt's exported symbols. */
#pragma GCC visibility push(hidden)

/* ---- queue.c: state machine ------------------------------------------- */
struct hw_queue *hw_queue_new(struct apv_hw *hw, struct hw_adapter *ad, unsigned apqi);
void hw_queue_free(struct hw_queue *q);
/* Lock-free lookup; NULL when the APQN is not defined. */
struct hw_queue *hw_queue_find(struct apv_hw *hw, apv_apqn_t apqn);
/* Response code of the checks common to every queue instruction, or 0. Queue locked. */
uint8_t hw_queue_gate(struct hw_queue *q, bool is_reset);
/* The status word's E/R/F/I bits with response code rc. Queue locked. */
uint32_t hw_queue_status(const struct hw_queue *q, uint8_t rc);
/* RAPQ/ZAPQ effect: discard everything, interrupts off, RC02 for reset_ns. Queue locked. */
void hw_queue_reset(struct hw_queue *q, bool start_timer);
/* A request's reply is in its slot: mark it ready and set the NIB. Queue locked. */
void hw_queue_reply_ready(struct hw_queue *q, struct hw_slot *s, struct hw_irq_out *out);
void hw_irq_deliver(struct apv_hw *hw, const struct hw_irq_out *out);
/* AQIC effect on an accepted change; arms the I-bit timer. Queue locked. */
void hw_queue_irq_change(struct hw_queue *q, enum hw_irq_change change);
/* Apply an I-bit change whose time has come. Queue locked. */
void hw_queue_catch_up(struct hw_queue *q);
void hw_slot_free(struct hw_queue *q, struct hw_slot *s);

/* ---- keys.c ------------------------------------------------------------- */
/* The host's CPACF wrapping key as the cards use it (valid false if none). */
void hw_cpacf_get(struct apv_hw *hw, struct apv_card_cpacf *out);

/* ---- fault.c ------------------------------------------------------------ */
/* The event that ends timed faults. */
void hw_fault_timer_fire(void *arg);

/* ---- engine.c: request processing ------------------------------------- */
int hw_engine_init(struct apv_hw *hw);
void hw_engine_fini(struct apv_hw *hw);
/* NQAP accepted slot s: schedule its reply. Queue locked. */
void hw_engine_submit(struct hw_queue *q, struct hw_slot *s);
/* A reset dropped slot s: forget any scheduled work for it. Queue locked. */
void hw_engine_forget(struct hw_queue *q, struct hw_slot *s);
/* Reply of an error type 82 for adapters that do not take type 50 messages. */
size_t hw_reply_t82(uint8_t *reply, uint8_t code);
/* The virtual-clock completion event of a slot. */
void hw_engine_slot_fire(void *arg);

/* cpacf.c: the wrapping key's state; init draws a random key. */
int hw_cpacf_init(struct apv_hw *hw);
void hw_cpacf_fini(struct apv_hw *hw);

#pragma GCC visibility pop

#endif
