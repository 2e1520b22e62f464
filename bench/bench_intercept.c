/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 4: the PQAP(AQIC) intercept. vCPU threads issue AQIC enable +
 * disable pairs through the instruction boundary: the intercept checks,
 * the hook (hook read lock, mdevs_lock), the NIB pin, the guest ISC
 * registration, the hardware AQIC (with the NIB check through the host
 * storage), and on disable the wait for the I bit and the release.
 *
 * The hardware runs with its default timing (the I bit follows an AQIC
 * after irq_ns, 100 us), so a disable waits for the I bit the way
 * vfio_ap does (TAPQ, then a sleep, as the kernel's wait for the IRQ to
 * clear). Every queue is its own, as two vCPUs of a Linux guest would use
 * different queues. All vCPUs share one NIB address, as Linux does.
 *
 * Two numbers per pair: the wall-clock time (mostly those waits) and the
 * CPU time of every thread of the process (CLOCK_PROCESS_CPUTIME_ID) over
 * the measured interval, divided by the pairs: what the stack costs,
 * whatever else the machine runs. The figure is the CPU time.
 *
 * The baseline is the lock floor: the same locks the path must take, in
 * the same nesting, with nothing done under them:
 *   enable:  hook(read) { mdevs { irq } { queue { vms } { vms } } }
 *   disable: hook(read) { mdevs { queue } { queue } { irq } }
 * On two threads the floor runs on two threads too (shared mdevs, irq,
 * vms and hook locks; a queue lock each), and its CPU time per pair is
 * measured the same way. Target: at most 1 us of CPU per pair and at most
 * 3x the floor's.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bench.h"

#define NIB_GPA UINT64_C(0x1000)

struct vcpu_arg {
	struct apv_vcpu *v;
	apv_apqn_t apqn;
	atomic_bool *stop;
	uint64_t pairs;
	bool bad;
	pthread_t t;
};

static void *vcpu_main(void *p)
{
	struct vcpu_arg *a = p;

	while (!atomic_load_explicit(a->stop, memory_order_relaxed)) {
		if (!bench_aqic(a->v, a->apqn, true, NIB_GPA) ||
		    !bench_aqic(a->v, a->apqn, false, NIB_GPA)) {
			a->bad = true;
			break;
		}
		a->pairs++;
	}
	return NULL;
}

/* ---- the floor ------------------------------------------------------------------------ */

struct floor_locks {
	pthread_rwlock_t hook;
	pthread_mutex_t mdevs, irq, vms;
};

struct floor_arg {
	struct floor_locks *l;
	pthread_mutex_t queue;
	atomic_bool *stop;
	uint64_t pairs;
	pthread_t t;
};

static void *floor_main(void *p)
{
	struct floor_arg *a = p;
	struct floor_locks *l = a->l;

	while (!atomic_load_explicit(a->stop, memory_order_relaxed)) {
		/* enable */
		pthread_rwlock_rdlock(&l->hook);
		pthread_mutex_lock(&l->mdevs);
		pthread_mutex_lock(&l->irq);
		pthread_mutex_unlock(&l->irq);
		pthread_mutex_lock(&a->queue);
		pthread_mutex_lock(&l->vms);
		pthread_mutex_unlock(&l->vms);
		pthread_mutex_lock(&l->vms);
		pthread_mutex_unlock(&l->vms);
		pthread_mutex_unlock(&a->queue);
		pthread_mutex_unlock(&l->mdevs);
		pthread_rwlock_unlock(&l->hook);
		/* disable */
		pthread_rwlock_rdlock(&l->hook);
		pthread_mutex_lock(&l->mdevs);
		pthread_mutex_lock(&a->queue);
		pthread_mutex_unlock(&a->queue);
		pthread_mutex_lock(&a->queue);
		pthread_mutex_unlock(&a->queue);
		pthread_mutex_lock(&l->irq);
		pthread_mutex_unlock(&l->irq);
		pthread_mutex_unlock(&l->mdevs);
		pthread_rwlock_unlock(&l->hook);
		a->pairs++;
	}
	return NULL;
}

/* A measurement: wall-clock ns per pair on each thread, process CPU ns per pair. */
struct per_pair {
	double wall, cpu;
	uint64_t pairs;
};

static struct per_pair run_floor(unsigned n, double secs)
{
	struct floor_locks l;
	struct floor_arg a[2];
	atomic_bool stop = false;
	uint64_t t0, c0, pairs = 0;

	pthread_rwlock_init(&l.hook, NULL);
	pthread_mutex_init(&l.mdevs, NULL);
	pthread_mutex_init(&l.irq, NULL);
	pthread_mutex_init(&l.vms, NULL);
	t0 = bench_now();
	c0 = bench_cpu_now();
	for (unsigned i = 0; i < n; i++) {
		a[i] = (struct floor_arg){.l = &l, .stop = &stop};
		pthread_mutex_init(&a[i].queue, NULL);
		if (pthread_create(&a[i].t, NULL, floor_main, &a[i]))
			bench_die("pthread_create failed");
	}
	struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(a[i].t, NULL);
		pairs += a[i].pairs;
		pthread_mutex_destroy(&a[i].queue);
	}
	return (struct per_pair){(double)(bench_now() - t0) * n / (double)pairs,
				 (double)(bench_cpu_now() - c0) / (double)pairs, pairs};
}

static struct per_pair run_path(struct apv_vcpu **v, unsigned n, double secs)
{
	struct vcpu_arg a[2];
	atomic_bool stop = false;
	uint64_t t0, c0, pairs = 0;

	t0 = bench_now();
	c0 = bench_cpu_now();
	for (unsigned i = 0; i < n; i++) {
		a[i] = (struct vcpu_arg){.v = v[i], .apqn = apv_apqn(1, i), .stop = &stop};
		if (pthread_create(&a[i].t, NULL, vcpu_main, &a[i]))
			bench_die("pthread_create failed");
	}
	struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(a[i].t, NULL);
		if (a[i].bad)
			bench_die("an AQIC through the stack did not answer CC 0");
		pairs += a[i].pairs;
	}
	return (struct per_pair){(double)(bench_now() - t0) * n / (double)pairs,
				 (double)(bench_cpu_now() - c0) / (double)pairs, pairs};
}

static void keep_best(struct per_pair *best, struct per_pair m, bool first)
{
	if (first || m.cpu < best->cpu)
		best->cpu = m.cpu;
	if (first || m.wall < best->wall)
		best->wall = m.wall;
	best->pairs += m.pairs;
}

static bool met(const struct per_pair *p, const struct per_pair *f)
{
	return p->cpu <= 1000 && p->cpu <= 3 * f->cpu;
}

int main(void)
{
	double secs = bench_seconds(2.0);
	struct per_pair path[3] = {0}, flr[3] = {0};
	struct bench_stack s;
	struct bench_stack_opts o;
	struct apv_vcpu *v[2];
	struct apv_balance b;

	bench_print_machine();
	bench_stack_opts_default(&o);
	o.adapters = 1;
	o.domains = 2;
	o.workers = 1;
	o.guest = false;
	bench_stack_init(&s, &o);
	v[0] = s.v;
	v[1] = apv_vcpu_new(s.vm, 1);
	if (!v[1])
		bench_die("second vCPU");
	for (int round = 0; round < 2; round++) {
		for (unsigned n = 1; n <= 2; n++) {
			keep_best(&flr[n], run_floor(n, secs / 4), round == 0);
			keep_best(&path[n], run_path(v, n, secs), round == 0);
		}
	}
	apv_account_balance(apv_kvm_account(s.kvm), &b);
	if (b.pins || b.isc_regs)
		bench_die("pins or ISC registrations left after the pairs");
	apv_vcpu_free(v[1]);
	bench_stack_fini(&s);
	printf("hardware timing: default (I bit %.0f us after an AQIC)\n", o.irq_ns / 1e3);
	for (unsigned n = 1; n <= 2; n++)
		printf(
		    "%u vCPU thread%s: %.2f us CPU per enable+disable pair (all threads), %.1f us "
		    "wall per pair and thread (%" PRIu64
		    " pairs); lock floor %.0f ns CPU per pair, "
		    "%.2fx the floor\n",
		    n, n > 1 ? "s" : "", path[n].cpu / 1e3, path[n].wall / 1e3, path[n].pairs,
		    flr[n].cpu, path[n].cpu / flr[n].cpu);
	printf("figure 4, AQIC intercept pair, CPU time of all threads per pair (target <= 1 us "
	       "and <= 3x the lock floor): 1 thread %.2f us %.2fx %s, 2 threads %.2f us %.2fx %s\n",
	       path[1].cpu / 1e3, path[1].cpu / flr[1].cpu,
	       met(&path[1], &flr[1]) ? "met" : "NOT met", path[2].cpu / 1e3,
	       path[2].cpu / flr[2].cpu, met(&path[2], &flr[2]) ? "met" : "NOT met");
	return 0;
}
