/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the guest side: a model of what a Linux guest's AP bus and the
 * zcrypt accelerator driver (cex4 queues, msgtype50) do, driven only
 * through the instruction boundary.
 *
 * The model probes for AP instructions, reads the configuration (QCI, or
 * a blind TAPQ scan), brings every accelerator queue up (RAPQ, TAPQ until
 * the reset is done, AQIC with a NIB on ISC 6 when facility 65 is there),
 * and serves RSA ME/CRT requests with NQAP/DQAP, driven by the adapter
 * interruption or by a 250 us poll.
 *
 * It sees nothing but a platform: a register set executed by someone
 * (a vCPU through KVM + vfio_ap, or the bare host hardware), a storage
 * interface for its own memory, STFLE facilities, adapter interruptions
 * for one ISC, and the clock. Two constructors build a platform over a
 * vCPU and over bare hardware.
 *
 * Threads: every entry point may be called from any thread; the driver
 * keeps one lock and executes instructions only under it. The adapter
 * interruption (on a hardware worker thread, or inside a virtual clock
 * step) only records itself and wakes the driver; the NIB is read and
 * cleared, and the queues drained, by whichever thread drives next.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_GUEST_H
#define APVIRT_GUEST_H

#include <apvirt/arch.h>
#include <apvirt/clock.h>

#ifdef __cplusplus
extern "C" {
#endif

struct apv_guest;
struct apv_vcpu;
struct apv_hw;

/* ---- the platform: the instruction boundary seen from the guest ----------- */

/* Called for every adapter interruption on the enabled ISC, on any thread. */
typedef void (*apv_guest_airq_fn)(void *arg);

struct apv_guest_platform {
	/*
	 * Execute one AP instruction (APV_OP_PQAP/NQAP/DQAP with R1, R2) on
	 * the register set *r. DONE (registers and cc updated) or PGM; a
	 * platform that cannot complete the instruction reports what the
	 * guest would see (an operation exception), never EXIT.
	 */
	struct apv_result (*execute)(void *ctx, struct apv_regs *r, uint16_t opcode, unsigned r1,
				     unsigned r2);
	/* STFLE facility nr installed for the guest. */
	bool (*has_facility)(void *ctx, unsigned nr);
	/*
	 * Enable adapter interruptions for isc (CR6) and route them to fn(arg);
	 * fn == NULL disables them. After a disable returns, fn is not
	 * running and will not be called again. 0 or -errno.
	 */
	int (*enable_isc)(void *ctx, unsigned isc, apv_guest_airq_fn fn, void *arg);
	/* Frees ctx (the guest calls it from apv_guest_free). May be NULL. */
	void (*release)(void *ctx);
	/* The guest's storage, and the range of it the driver may use for its
	 * NIB, QCI block and message buffers (at least APV_GUEST_MEM_MIN bytes). */
	struct apv_storage storage;
	uint64_t mem_base, mem_size;
	struct apv_clock *clock;
	void *ctx;
};

/* NIB + QCI block (page 0), request buffer (page 1), 12 KiB reply buffer. */
#define APV_GUEST_MEM_MIN UINT64_C(0x5000)

/*
 * A platform over a vCPU of a VM that has AP interpretation set up (KVM +
 * vfio_ap). [gpa, gpa + size) must lie in the VM's memory. Facilities are
 * the VM's, interruptions arrive through apv_vcpu_set_irq_handler() and
 * CR6; an exit to user space is turned into an operation exception, as
 * QEMU does for PQAP it does not handle. -EINVAL, -EFAULT, -ENOMEM.
 */
int apv_guest_platform_kvm(struct apv_vcpu *vcpu, uint64_t gpa, uint64_t size,
			   struct apv_guest_platform *out);
/*
 * A platform directly on the host hardware (an LPAR): the instructions are
 * apv_hw_pqap/nqap/dqap on a flat storage of `size` bytes that the
 * platform allocates, facilities come from the hardware configuration,
 * interruptions from apv_hw_set_irq_handler() (no GISA). The platform
 * installs itself as the hardware's interrupt handler. -EINVAL, -ENOMEM,
 * -EBUSY if the hardware is in use (apv_hw_in_use: a KVM runs on it).
 */
int apv_guest_platform_hw(struct apv_hw *hw, uint64_t size, struct apv_guest_platform *out);
/* Release a platform that was never handed to apv_guest_new(). */
void apv_guest_platform_release(struct apv_guest_platform *p);

/* ---- the driver ---------------------------------------------------------- */

struct apv_guest_config {
	uint32_t id;                 /* PSMID high word (zcrypt: the caller's pid) */
	bool useirq;                 /* ap.useirq: use AQIC when facility 65 is there */
	uint64_t poll_ns;            /* HIGH_TIMEOUT: 250 us */
	uint64_t low_poll_ns;        /* LOW_TIMEOUT: 40 ms */
	uint64_t reset_timeout_ns;   /* AP_RESET_TIMEOUT: 700 ms; also bounds the I-bit wait */
	uint64_t request_timeout_ns; /* no reply for this long -> RAPQ (CEX4+: 900 s) */
	uint64_t config_time_ns;     /* bus rescan while driving (30 s); 0 = never */
	uint64_t wait_timeout_ns;    /* synchronous calls give up after this (60 s) */
	unsigned max_retries;        /* -EAGAIN retries on other queues (10) */
};
void apv_guest_config_default(struct apv_guest_config *c);

/*
 * Take the platform (released by apv_guest_free, or here on failure).
 * cfg may be NULL for the defaults. -EINVAL (bad platform or memory too
 * small), -ENOMEM.
 */
int apv_guest_new(const struct apv_guest_platform *p, const struct apv_guest_config *cfg,
		  struct apv_guest **out);
/* Removes (ZAPQ) if still probed, then frees. Outstanding requests end with -ENODEV. */
void apv_guest_free(struct apv_guest *g);

/*
 * Probe and bring up: TAPQ 00.0000 (an operation exception means no AP
 * instructions: -ENODEV), QCI with facility 12 or a blind 64x16 scan,
 * TAPQ (T bit with facility 15) of every APQN, adapter interruptions
 * on ISC 6 with facility 65, then RAPQ / TAPQ / AQIC on every driven
 * queue (types 10-14 in accelerator mode), running until each queue has
 * settled or cfg.reset_timeout_ns has passed. 0, -ENODEV, -EBUSY (already
 * probed), -EINVAL after remove.
 */
int apv_guest_probe(struct apv_guest *g);
/* Re-read the configuration (what the bus does every 30 s): new queues
 * are brought up, vanished ones fail over, errored ones are reset. */
int apv_guest_rescan(struct apv_guest *g);
/*
 * ZAPQ every driven queue, fail outstanding requests with -ENODEV, wait
 * (bounded) for the resets to finish, disable the adapter interruption.
 * 0, or -ENODEV if never probed. Idempotent.
 */
int apv_guest_remove(struct apv_guest *g);

/* ---- requests ------------------------------------------------------------ */

/* struct ica_rsa_modexpo: L = inputdatalength, every operand L bytes, big-endian. */
struct apv_ica_rsa_modexpo {
	const uint8_t *inputdata;
	uint32_t inputdatalength;
	uint8_t *outputdata;
	uint32_t outputdatalength; /* >= L in, L out */
	const uint8_t *b_key;      /* exponent */
	const uint8_t *n_modulus;
};

/* struct ica_rsa_modexpo_crt: p, dp and u carry 8 leading pad bytes (libica). */
struct apv_ica_rsa_modexpo_crt {
	const uint8_t *inputdata;
	uint32_t inputdatalength; /* L, even */
	uint8_t *outputdata;
	uint32_t outputdatalength;
	const uint8_t *bp_key;     /* dp: 8 + L/2 bytes */
	const uint8_t *bq_key;     /* dq: L/2 bytes */
	const uint8_t *np_prime;   /* p: 8 + L/2 bytes */
	const uint8_t *nq_prime;   /* q: L/2 bytes */
	const uint8_t *u_mult_inv; /* q^-1 mod p: 8 + L/2 bytes */
};

enum apv_guest_req_op { APV_GUEST_ME = 1, APV_GUEST_CRT = 2 };

/* Any online queue whose size limits fit. */
#define APV_GUEST_ANY_QUEUE (-1)

/*
 * One request, owned by the caller (no allocation on the request path).
 * It must stay put until it is done or cancelled. The operands and the
 * output buffer are read and written by whichever thread drives.
 */
struct apv_guest_req {
	/* results, valid once done */
	/* 0, -EINVAL (operand, type 82), -ENODEV, -EIO, -EMSGSIZE, -ETIMEDOUT, -ECANCELED */
	int result;
	apv_apqn_t apqn;   /* queue that served (or last tried) it */
	uint64_t psmid;
	unsigned sends;    /* NQAPs accepted for it (> 1 after a re-send) */
	/* private to the driver */
	struct {
		enum apv_guest_req_op op;
		union {
			struct apv_ica_rsa_modexpo me;
			struct apv_ica_rsa_modexpo_crt crt;
		} u;
		int target;
		int state;
		unsigned retries;
		struct apv_guest_req *prev, *next;
		void *queue;
	} priv;
};

/*
 * Asynchronous: validate (as zcrypt does: L in 1..512, output >= L, CRT L
 * even; -EINVAL; NULL operands -EFAULT), pick a queue (-ENODEV if none
 * online fits), queue the request and send it if the queue has room.
 * target is an APQN or APV_GUEST_ANY_QUEUE.
 */
int apv_guest_submit_me(struct apv_guest *g, struct apv_guest_req *r,
			const struct apv_ica_rsa_modexpo *mex, int target);
int apv_guest_submit_crt(struct apv_guest *g, struct apv_guest_req *r,
			 const struct apv_ica_rsa_modexpo_crt *crt, int target);
bool apv_guest_req_done(struct apv_guest *g, const struct apv_guest_req *r);
/*
 * Drive until r is done (r == NULL: until nothing is outstanding), at most
 * timeout_ns of clock time: virtual clocks are advanced, real ones slept
 * on or waited on for the interruption. Returns r->result (0 for NULL) or
 * -ETIMEDOUT (r stays submitted).
 */
int apv_guest_wait(struct apv_guest *g, struct apv_guest_req *r, uint64_t timeout_ns);
/* One pass without waiting: handle a pending interruption, run every queue.
 * Returns the number of requests completed. */
unsigned apv_guest_poll(struct apv_guest *g);
/* Let ns of clock time pass while driving (interrupts and polls as they fall). */
void apv_guest_run(struct apv_guest *g, uint64_t ns);
/* Withdraw r (-ECANCELED); a reply that still comes is dropped as unassociated.
 * 0, or -ENOENT if r is not outstanding. */
int apv_guest_cancel(struct apv_guest *g, struct apv_guest_req *r);

/* Synchronous: submit to any queue and wait (cfg.wait_timeout_ns). */
int apv_guest_rsa_me(struct apv_guest *g, struct apv_ica_rsa_modexpo *mex);
int apv_guest_rsa_crt(struct apv_guest *g, struct apv_ica_rsa_modexpo_crt *crt);

/* ---- observation ----------------------------------------------------------- */

enum apv_guest_qstate {
	APV_GQ_UNINITIATED = 0, /* recorded, not driven (type or mode not served) */
	APV_GQ_RESET_START,     /* RAPQ to issue */
	APV_GQ_RESET_WAIT,      /* TAPQ until the reset is done */
	APV_GQ_SETIRQ_WAIT,     /* AQIC issued, waiting for the I bit */
	APV_GQ_IDLE,
	APV_GQ_WORKING,         /* requests outstanding */
	APV_GQ_QUEUE_FULL,      /* NQAP said RC10: read first */
	APV_GQ_ERROR,           /* offline until a rescan resets it */
	APV_GQ_REMOVED,         /* ZAPQ done, or gone from the configuration */
};
const char *apv_guest_qstate_name(enum apv_guest_qstate s);

struct apv_guest_queue_stats {
	uint64_t requests;     /* NQAPs accepted (re-sends included) */
	uint64_t replies;      /* replies matched to a request */
	uint64_t irq_replies;  /* ... of them, read after an adapter interruption */
	uint64_t resends;      /* requests re-sent after "no pending reply" with E = 1 */
	uint64_t polls;        /* runs of this queue from the poll timer */
	uint64_t queue_full;   /* RC10 on NQAP */
	uint64_t unassociated; /* replies with an unknown PSMID (dropped) */
	uint64_t error_replies;/* type 82/88 replies */
	uint64_t resets;       /* RAPQ/ZAPQ issued */
	uint64_t aqic;         /* AQIC enables issued */
	uint64_t timeouts;     /* request timeouts (reset) */
};

struct apv_guest_queue_info {
	apv_apqn_t apqn;
	uint8_t at;             /* AP type (14 = CEX8) */
	char type[8];           /* "CEX8A", "CEX6C"; "AT%u" for other types */
	const char *mode;       /* "Accelerator", "CCA-Coproc", "EP11-Coproc", "unknown" */
	const char *status;     /* "online", "offline", "deconfig", "chkstop" */
	bool driven;            /* bound to the accelerator driver */
	bool online;
	bool irq;               /* I bit seen on: interrupt-driven */
	enum apv_guest_qstate state;
	uint64_t hwinfo;        /* TAPQ GR2 */
	uint8_t last_rc;        /* last non-zero response code */
	unsigned qd;            /* requests kept in flight at most */
	unsigned outstanding;   /* sent, reply not yet read */
	unsigned waiting;       /* queued in the driver, not yet sent */
	struct apv_guest_queue_stats stats;
};

struct apv_guest_card_info {
	unsigned apid;
	uint8_t at;
	char type[8];
	const char *mode;
	const char *status;
	bool driven, online;
	unsigned queues;
	uint64_t requests; /* sum over its queues */
};

struct apv_guest_info {
	bool probed, removed;
	bool ap_instructions; /* TAPQ 00.0000 did not raise an exception */
	bool qci, apft, aqic; /* facilities 12, 15, 65 */
	bool qci_used;        /* configuration from QCI (false: blind scan) */
	bool apxa;
	bool irq;             /* adapter interruption registered (ap_interrupts) */
	unsigned max_apid, max_apqi;
	unsigned queues, cards, online;
	uint64_t nib;         /* NIB address in guest storage */
};

struct apv_guest_stats {
	uint64_t pqap, nqap, dqap;  /* instructions executed */
	uint64_t pgm;               /* program exceptions taken */
	uint64_t interrupts;        /* adapter interruptions received */
	uint64_t nib_set;           /* ... that found the NIB set */
	uint64_t polls;             /* poll timer expirations (250 us) */
	uint64_t low_polls;         /* low-frequency waits (40 ms) */
	uint64_t watchdog;          /* waits for an interruption that timed out */
	uint64_t requests, replies, resends, unassociated, failed;
	uint64_t rescans;
};

void apv_guest_info(struct apv_guest *g, struct apv_guest_info *out);
void apv_guest_stats(struct apv_guest *g, struct apv_guest_stats *out);
/* Queues in APQN order. idx out of range: -ENOENT. */
unsigned apv_guest_queue_count(struct apv_guest *g);
int apv_guest_queue_at(struct apv_guest *g, unsigned idx, struct apv_guest_queue_info *out);
int apv_guest_queue_find(struct apv_guest *g, apv_apqn_t apqn, struct apv_guest_queue_info *out);
unsigned apv_guest_card_count(struct apv_guest *g);
int apv_guest_card_at(struct apv_guest *g, unsigned idx, struct apv_guest_card_info *out);
/*
 * An lszcrypt-style listing (CARD.DOM TYPE MODE STATUS REQUESTS), cards
 * followed by their queues. Returns the length it needs, like snprintf.
 */
int apv_guest_lszcrypt(struct apv_guest *g, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
