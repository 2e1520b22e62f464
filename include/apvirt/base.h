/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — shared services below every layer: the clock, lock-order
 * checking, resource accounting and the log.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_BASE_H
#define APVIRT_BASE_H

#include <apvirt/clock.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- lock order ----------------------------------------------------------
 *
 * Every mutex and rw lock of the library belongs to a class, and the
 * classes are ranked: a thread may only take a lock whose class ranks
 * above every class it already holds (so no two locks of one class are
 * ever held together). A leaf class is stronger: nothing at all may be
 * taken while holding it. And the PQAP hook lock has a rule of its own:
 * under it only mdevs_lock and the classes below mdevs_lock may be taken
 * (the hook handler's rule). docs/locking.md has the table, what each
 * lock protects and who takes it. With APV_DEBUG_LOCKS each thread keeps
 * the classes it holds and a violation aborts with both lock names.
 */
enum apv_lock_class {
	APV_LOCK_GUEST = 0,    /* guest model: the driver lock */
	APV_LOCK_MDEV_OPEN,    /* vfio_ap: per-mdev open_lock (attach/detach) */
	APV_LOCK_HOOK,	       /* kvm: per-VM PQAP hook rw lock */
	APV_LOCK_BUS,	       /* vfio_ap: matrix device bus_lock */
	APV_LOCK_GUESTS,       /* vfio_ap: matrix device guests_lock */
	APV_LOCK_VM,	       /* kvm: kvm->lock */
	APV_LOCK_MDEVS,	       /* vfio_ap: matrix device mdevs_lock */
	APV_LOCK_SIE,	       /* kvm: per-VM SIE rw lock (the APCB in use) */
	APV_LOCK_HW_CONFIG,    /* hw: the host AP configuration */
	APV_LOCK_HW_VENGINE,   /* hw: the virtual-clock engine */
	APV_LOCK_HW_QUEUE,     /* hw: one AP queue */
	APV_LOCK_KVM_VMS,      /* kvm: the VM list */
	APV_LOCK_KVM_ROUTE,    /* kvm: one queue's interruption route (leaf) */
	APV_LOCK_VM_MEM,       /* kvm: a VM's memslots (leaf) */
	APV_LOCK_KVM_IRQ,      /* kvm: a VM's GISA, IPM, vCPU delivery state */
	APV_LOCK_KVM_GIB,      /* kvm: the GIB alert list (leaf) */
	APV_LOCK_KVM_HOST_IRQ, /* kvm: the host interrupt handler (leaf) */
	APV_LOCK_HW_IRQ_FN,    /* hw: the adapter interrupt handler (leaf) */
	APV_LOCK_HW_ENGINE,    /* hw: the real-clock work list (leaf) */
	APV_LOCK_GUEST_MEM,    /* guest: flat memory of the hw platform (leaf) */
	APV_LOCK_GUEST_AIRQ,   /* guest: the platform's adapter-interrupt handler (leaf) */
	APV_LOCK_GUEST_WAIT,   /* guest: waiters for interruptions and completions (leaf) */
	APV_LOCK_LOG,	       /* base: a log's handler and rate limits */
	APV_LOCK_CLOCK,	       /* base: the clock's timer list (leaf) */
	APV_LOCK_VM_PV,	       /* kvm: a VM's conversion to protected, its waiters (leaf) */
	APV_LOCK_HW_CPACF,     /* hw: the CPACF wrapping key (leaf) */
	APV_LOCK_CLASSES
};

/* The class's lock name ("mdevs_lock"), or NULL for a value that is no class. */
const char *apv_lock_class_name(enum apv_lock_class c);
/* True if nothing may be taken while a lock of class c is held. */
bool apv_lock_class_leaf(enum apv_lock_class c);

/* Record that the calling thread is about to take / has dropped a lock. */
void apv_lockorder_acquire(enum apv_lock_class c);
void apv_lockorder_release(enum apv_lock_class c);
/* True if the calling thread holds a lock of class c (debug builds; else true). */
bool apv_lockorder_held(enum apv_lock_class c);

struct apv_mutex {
	pthread_mutex_t m;
	enum apv_lock_class cls;
};
void apv_mutex_init(struct apv_mutex *m, enum apv_lock_class cls);
void apv_mutex_destroy(struct apv_mutex *m);
void apv_mutex_lock(struct apv_mutex *m);
void apv_mutex_unlock(struct apv_mutex *m);
/* Condition waits on a class-checked mutex (the thread keeps the class while it waits). */
void apv_cond_wait(pthread_cond_t *cv, struct apv_mutex *m);
/* 0 or ETIMEDOUT; abstime on the clock cv was created with. */
int apv_cond_timedwait(pthread_cond_t *cv, struct apv_mutex *m, const struct timespec *abstime);

/*
 * Writer-preferring: a stream of readers must not starve a writer. The
 * pthread_rwlock_t lives in opaque storage, because strict ISO C (what an
 * embedder may compile this header with) does not declare the type.
 */
struct apv_rwlock {
	union {
		long long align;
		unsigned char bytes[64];
	} storage;
	enum apv_lock_class cls;
};
void apv_rwlock_init(struct apv_rwlock *l, enum apv_lock_class cls);
void apv_rwlock_destroy(struct apv_rwlock *l);
void apv_rwlock_rdlock(struct apv_rwlock *l);
void apv_rwlock_wrlock(struct apv_rwlock *l);
void apv_rwlock_unlock(struct apv_rwlock *l);

/* ---- accounting ----------------------------------------------------------
 *
 * Every pin, ISC registration, VM reference and hook call is counted here,
 * in one place. Counters only grow; a balance is the difference. The
 * record is opaque: its counters are atomics, which C++ cannot share.
 */
struct apv_account;

enum apv_account_counter {
	APV_ACCT_PINS = 0,     /* NIB page pins ... */
	APV_ACCT_UNPINS,       /* ... and unpins */
	APV_ACCT_ISC_REGS,     /* GISA guest-ISC registrations ... */
	APV_ACCT_ISC_UNREGS,   /* ... and unregistrations */
	APV_ACCT_VM_GETS,      /* VM references taken by mdevs ... */
	APV_ACCT_VM_PUTS,      /* ... and dropped */
	APV_ACCT_HOOK_SETS,    /* PQAP hook publications ... */
	APV_ACCT_HOOK_CLEARS,  /* ... and clears */
	APV_ACCT_HOOK_CALLS,   /* calls into the hook ... */
	APV_ACCT_HOOK_RETURNS, /* ... and returns from it */
	APV_ACCT_COUNTERS
};

/* A record with every counter at zero; NULL when out of memory. */
struct apv_account *apv_account_new(void);
void apv_account_free(struct apv_account *a);
/* Count one event (lock-free; safe from any thread). Unknown counters are ignored. */
void apv_account_inc(struct apv_account *a, enum apv_account_counter c);
/* The counter's value; 0 for an unknown counter. */
long apv_account_get(const struct apv_account *a, enum apv_account_counter c);

struct apv_balance {
	long pins;	 /* pinned NIB pages still held */
	long isc_regs;	 /* guest ISC registrations still held */
	long vm_refs;	 /* VM references still held by mdevs */
	long hooks;	 /* hooks still published */
	long hook_calls; /* hook calls in flight */
};

void apv_account_balance(const struct apv_account *a, struct apv_balance *out);
bool apv_balance_zero(const struct apv_balance *b);
/* "pins=0 isc=0 vmrefs=0 hooks=0 calls=0". Returns buf. */
char *apv_balance_format(const struct apv_balance *b, char *buf, size_t len);

/* ---- log -----------------------------------------------------------------
 *
 * Every message of the stack goes through one apv_log, owned by the host
 * object (apv_hw_log()); nothing is printed on its own. The embedder
 * installs a handler; without one, messages are dropped. Levels are the
 * kernel's numbers. docs/log.md lists every message.
 *
 * Why per host and not process-wide: a process may hold several hosts
 * (tests, fuzzers, a scenario per thread), each on its own clock; rate
 * limits run on that clock, and each embedder wants its own host's
 * messages only.
 *
 * Threads: messages come from any thread (administrator calls, vCPU
 * threads, the hardware's workers and the real clock's timer thread).
 * Handler calls are serialised, in the order the messages were made; the
 * handler runs with apvirt's locks held, so it must not call into apvirt
 * and must not block for long. When apv_log_set_handler() returns, the old
 * handler is running nowhere and will not be called again.
 */
enum apv_log_level {
	APV_LOG_ERR = 3,
	APV_LOG_WARNING = 4,
	APV_LOG_NOTICE = 5,
	APV_LOG_INFO = 6,
	APV_LOG_DEBUG = 7,
};

struct apv_log_record {
	enum apv_log_level level;
	const char *subsystem; /* "vfio_ap", "vfio_ap_mdev", "kvm", "ap" */
	const char *device;    /* the device the message is about (an mdev UUID), or NULL */
	const char *message;   /* one line, without prefix or newline */
	uint64_t time_ns;      /* the host's clock (virtual or real) */
};

/* rec and its strings are valid during the call only. */
typedef void (*apv_log_fn)(void *ctx, const struct apv_log_record *rec);

struct apv_log;

/* clock may be NULL (time 0; rate limits then never open a new interval). */
struct apv_log *apv_log_new(struct apv_clock *clock);
void apv_log_free(struct apv_log *log);
/* Records above max_level are not even formatted. fn NULL: drop everything. */
void apv_log_set_handler(struct apv_log *log, apv_log_fn fn, void *ctx,
			 enum apv_log_level max_level);
/*
 * The line the kernel's log would show: "SUBSYSTEM DEVICE: MESSAGE" for a
 * device, "SUBSYSTEM: MESSAGE" otherwise. Returns the length snprintf gives.
 */
int apv_log_format(const struct apv_log_record *rec, char *buf, size_t len);
/* "err", "warn", "notice", "info", "debug"; "?" for anything else. */
const char *apv_log_level_name(enum apv_log_level level);
/* Those names (also "warning", "error") or 3-7. 0 or -EINVAL. */
int apv_log_level_parse(const char *s, enum apv_log_level *out);
/* A handler that writes "LEVEL: LINE\n" to the FILE * given as ctx. */
void apv_log_to_file(void *ctx, const struct apv_log_record *rec);

/* For the layers: make one message (dev may be NULL). */
void apv_log_emit(struct apv_log *log, enum apv_log_level level, const char *subsys,
		  const char *dev, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void apv_log_vemit(struct apv_log *log, enum apv_log_level level, const char *subsys,
		   const char *dev, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* Would a message of this level reach a handler? (to skip expensive preparation) */
bool apv_log_enabled(struct apv_log *log, enum apv_log_level level);

/*
 * Rate limiting, as the kernel's printk_ratelimited: at most `burst`
 * messages per `interval_ns` of the log's clock; the rest are counted, and
 * the count is reported ("NAME: N messages suppressed", at the level of
 * the suppressed messages) with the first message of the next interval or
 * by apv_ratelimit_flush(). The state lives in the object that makes the
 * messages and is protected by the log's lock. interval APV_RATELIMIT_ONCE
 * with burst 1 is the kernel's *_ONCE: one message, no report.
 */
#define APV_RATELIMIT_INTERVAL_NS (5 * APV_NSEC_PER_SEC) /* DEFAULT_RATELIMIT_INTERVAL */
#define APV_RATELIMIT_BURST 10				 /* DEFAULT_RATELIMIT_BURST */
#define APV_RATELIMIT_ONCE UINT64_MAX

struct apv_ratelimit {
	const char *name; /* names the suppressed messages in the report */
	uint64_t interval_ns;
	unsigned burst;
	/* private */
	uint64_t begin;
	unsigned printed, missed;
	enum apv_log_level missed_level;
	const char *missed_subsys;
	bool started;
};
void apv_ratelimit_init(struct apv_ratelimit *rl, const char *name, uint64_t interval_ns,
			unsigned burst);
/* Like apv_log_emit, subject to rl. True if the message was let through. */
bool apv_log_ratelimited(struct apv_log *log, struct apv_ratelimit *rl, enum apv_log_level level,
			 const char *subsys, const char *dev, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Report what rl suppressed and not yet reported (its owner is going away). */
void apv_ratelimit_flush(struct apv_log *log, struct apv_ratelimit *rl);

#ifdef __cplusplus
}
#endif
#endif
