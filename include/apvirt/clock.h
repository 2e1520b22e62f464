/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the one clock of the stack.
 *
 * Two implementations behind one interface:
 *  - virtual: deterministic. Time moves only when someone advances it or
 *    waits; due timers run, in deadline order (ties in arming order), on
 *    the thread that advances. Scenarios and most tests use it.
 *  - real: CLOCK_MONOTONIC and a timer thread; benchmarks and QEMU.
 *
 * Timers are embedded in their owner's structure (no allocation when
 * arming), so hardware events on hot paths cost nothing extra.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_CLOCK_H
#define APVIRT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APV_NSEC_PER_USEC UINT64_C(1000)
#define APV_NSEC_PER_MSEC UINT64_C(1000000)
#define APV_NSEC_PER_SEC UINT64_C(1000000000)

struct apv_clock;

struct apv_timer {
	void (*fn)(void *arg); /* runs without any clock lock held */
	void *arg;
	/* private to the clock */
	uint64_t deadline;
	uint64_t seq;
	struct apv_timer *next;
	bool armed;
};

struct apv_clock *apv_clock_new_virtual(void);
struct apv_clock *apv_clock_new_real(void);
/*
 * Cancels nothing: every timer must be disarmed by its owner first.
 * 0 (NULL: nothing to do), or -EBUSY while an object holds the clock
 * (the hardware built on it): nothing is freed.
 */
int apv_clock_free(struct apv_clock *c);
/*
 * An object that keeps the clock (apv_hw_new does) holds it until it goes;
 * apv_clock_free refuses while any hold is left. A release without a hold
 * is ignored.
 */
void apv_clock_hold(struct apv_clock *c);
void apv_clock_release(struct apv_clock *c);
bool apv_clock_is_virtual(const struct apv_clock *c);

/* Nanoseconds since the clock was created. */
uint64_t apv_clock_now(struct apv_clock *c);

void apv_timer_init(struct apv_timer *t, void (*fn)(void *arg), void *arg);
/* Arm (or re-arm) t to fire at absolute time `deadline`. */
void apv_clock_arm(struct apv_clock *c, struct apv_timer *t, uint64_t deadline);
/*
 * Disarm; true if it was armed. In real mode, waits for a running fn to
 * return (unless called from fn itself) and disarms it again if fn re-armed
 * it meanwhile, so the timer is neither armed nor running afterwards.
 */
bool apv_clock_cancel(struct apv_clock *c, struct apv_timer *t);
bool apv_timer_armed(const struct apv_timer *t);

/*
 * Let `ns` nanoseconds pass. Virtual: moves time forward in steps,
 * running every timer that falls due on the way. Real: sleeps (spins for up to 10 us,
 * shorter than waking a thread takes).
 * Every wait in the stack goes through this call.
 */
void apv_clock_sleep(struct apv_clock *c, uint64_t ns);
/* Virtual: run timers whose deadline <= now; returns how many ran. Real: 0. */
unsigned apv_clock_run_due(struct apv_clock *c);
/* Virtual: deadline of the earliest armed timer, or UINT64_MAX. */
uint64_t apv_clock_next_deadline(struct apv_clock *c);

#ifdef __cplusplus
}
#endif
#endif
