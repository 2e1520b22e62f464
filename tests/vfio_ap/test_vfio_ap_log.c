/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What vfio_ap writes to the host's log (docs/log.md): each message of
 * the catalogue in the situation the kernel reports it, with its exact
 * text, level, subsystem and device, the *_ONCE ones once, and silence on
 * the paths where the kernel says nothing.
 */
#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

#include <apvirt/testing.h>

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1; /* 01.0004 */

#define MAXREC 32

struct lrec {
	enum apv_log_level level;
	char line[256];
};

struct sink {
	struct lrec r[MAXREC];
	int n;
};

static void collect(void *ctx, const struct apv_log_record *rec)
{
	struct sink *s = ctx;

	if (s->n < MAXREC) {
		s->r[s->n].level = rec->level;
		apv_log_format(rec, s->r[s->n].line, sizeof(s->r[s->n].line));
	}
	s->n++;
}

static void listen(struct fx *f, struct sink *s, enum apv_log_level max)
{
	memset(s, 0, sizeof(*s));
	apv_log_set_handler(apv_hw_log(f->hw), collect, s, max);
}

static void quiet(struct fx *f)
{
	apv_log_set_handler(apv_hw_log(f->hw), NULL, NULL, APV_LOG_DEBUG);
}

#define CHECK_REC(s, i, lvl, text)                                                                 \
	do {                                                                                       \
		CHECK((i) < (s)->n);                                                               \
		if ((i) < (s)->n) {                                                                \
			CHECK_EQ((s)->r[i].level, (lvl));                                          \
			CHECK_STR((s)->r[i].line, (text));                                         \
		}                                                                                  \
	} while (0)

/* Everything of a normal life (attach, enable, disable, detach) is silent. */
TEST(normal_operation_logs_nothing_even_at_debug)
{
	struct fx f;
	struct sink s;

	fx_init(&f);
	listen(&f, &s, APV_LOG_DEBUG);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	apv_mdev_detach(f.mdev);
	CHECK_EQ(s.n, 0);
	quiet(&f);
	fx_fini(&f);
}

TEST(assignment_sharing_a_queue_warns_for_every_shared_apqn)
{
	struct fx f;
	struct sink s;
	struct apv_mdev *d2;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	REQUIRE(apv_mdev_assign_domain(d2, FX_D1) == 0);
	REQUIRE(apv_mdev_assign_domain(d2, FX_D2) == 0);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_mdev_assign_adapter(d2, FX_A1), -EADDRINUSE);
	CHECK_EQ(s.n, 2);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap_mdev " FX_UUID2 ": queue 01.0004 not assigned: mdev " FX_UUID1
		  " has it already");
	CHECK_REC(&s, 1, APV_LOG_WARNING,
		  "vfio_ap_mdev " FX_UUID2 ": queue 01.0006 not assigned: mdev " FX_UUID1
		  " has it already");
	/* ap_config is checked the same way. */
	s.n = 0;
	CHECK_EQ(apv_mdev_store(d2, "ap_config", "0x4000000000000000,0x0a,0x0"), -EADDRINUSE);
	CHECK_EQ(s.n, 2);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap_mdev " FX_UUID2 ": queue 01.0004 not assigned: mdev " FX_UUID1
		  " has it already");
	/* No warning when nothing is shared, and none on a no-op. */
	s.n = 0;
	CHECK_EQ(apv_mdev_assign_adapter(d2, FX_A3), 0);
	CHECK_EQ(apv_mdev_assign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(s.n, 0);
	quiet(&f);
	CHECK_EQ(apv_mdev_remove(d2), 0);
	fx_fini(&f);
}

TEST(host_reservation_of_an_mdev_queue_warns_on_that_mdev)
{
	struct fx f;
	struct sink s;
	struct apv_mask all, aq;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	apv_bus_get_masks(f.m, &all, &aq);
	apv_mask_set(&all, FX_A2); /* give adapter 05 back to the host drivers */
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_bus_set_masks(f.m, &all, &aq, NULL, 0), -EBUSY);
	CHECK_EQ(s.n, 2);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap_mdev " FX_UUID1
		  ": queue 05.0004 not reserved for the host drivers: this mdev has it");
	CHECK_REC(&s, 1, APV_LOG_WARNING,
		  "vfio_ap_mdev " FX_UUID1
		  ": queue 05.0006 not reserved for the host drivers: this mdev has it");
	quiet(&f);
	fx_fini(&f);
}

TEST(failed_enable_warns_with_apqn_and_response_code)
{
	struct fx f;
	struct sink s;
	struct apv_hw_fault_spec bad = {.kind = APV_FAULT_AQIC_RC, .count = 1, .rc = 0x08};
	char want[128];

	fx_init_attached(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &bad) == 0);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 8);
	CHECK_EQ(s.n, 2);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap: AQIC switching interrupts of queue 01.0004 on answered rc=0x08");
	snprintf(want, sizeof(want),
		 "vfio_ap: queue 01.0004: AQIC failed with rc=0x08 (ir=1 gisc=6 isc=%u gisa=0x%x)",
		 APV_GAL_ISC, (unsigned)apv_vm_gisa(f.vm));
	CHECK_REC(&s, 1, APV_LOG_DEBUG, want);
	/* RC07 is an answer the kernel expects: only the debug line. */
	s.n = 0;
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 7);
	CHECK_EQ(s.n, 1);
	CHECK(s.n >= 1 && s.r[0].level == APV_LOG_DEBUG);
	quiet(&f);
	fx_fini(&f);
}

TEST(disable_on_a_queue_not_operational_warns_once)
{
	struct fx f;
	struct sink s;
	struct apv_hw_fault_spec dec = {.kind = APV_FAULT_AQIC_RC, .count = 2, .rc = 0x03};

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &dec) == 0);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_AQIC(&f, fx_disable(&f, Q), 3);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap: AQIC switching interrupts of queue 01.0004 off answered rc=0x03");
	CHECK_AQIC(&f, fx_disable(&f, Q), 3);
	CHECK_EQ(s.n, 1); /* the kernel's WARN_ONCE: once per host */
	quiet(&f);
	fx_fini(&f);
}

TEST(interrupts_that_stay_on_after_the_disable_warn_once)
{
	struct fx f;
	struct fx_opts o;
	struct sink s;

	fx_opts_default(&o);
	o.hw.irq_ns = APV_NSEC_PER_SEC; /* the I bit follows an AQIC only after 1 s */
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	apv_clock_sleep(f.clk, 2 * APV_NSEC_PER_SEC);
	REQUIRE(fx_hw_irq(&f, Q));
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap: interrupts of queue 01.0004 still on after 80 ms (rc=0x00)");
	quiet(&f);
	apv_clock_sleep(f.clk, 2 * APV_NSEC_PER_SEC);
	fx_fini(&f);
}

static void deconfigure_a1(void *arg)
{
	struct fx *f = arg;

	apv_hw_configure_adapter(f->hw, FX_A1, false);
}

TEST(queue_lost_while_waiting_for_interrupts_off_warns_once)
{
	struct fx f;
	struct fx_opts o;
	struct sink s;
	struct apv_timer t;

	fx_opts_default(&o);
	o.hw.irq_ns = APV_NSEC_PER_SEC;
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	apv_clock_sleep(f.clk, 2 * APV_NSEC_PER_SEC);
	/* The adapter goes while the disable polls TAPQ. */
	apv_timer_init(&t, deconfigure_a1, &f);
	apv_clock_arm(f.clk, &t, apv_clock_now(f.clk) + 10 * APV_NSEC_PER_MSEC);
	listen(&f, &s, APV_LOG_WARNING);
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_WARNING,
		  "vfio_ap: queue 01.0004 answered TAPQ with rc=0x03 while interrupts were "
		  "being switched off");
	quiet(&f);
	apv_hw_configure_adapter(f.hw, FX_A1, true);
	fx_fini(&f);
}

TEST(guest_errors_in_aqic_are_debug_messages)
{
	struct fx f;
	struct sink s;

	fx_init_attached(&f);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_AQIC(&f, fx_enable(&f, Q, 0, 6), 6);
	CHECK_REC(&s, 0, APV_LOG_DEBUG, "vfio_ap: queue 01.0004: NIB 0x0 is not guest memory");
	REQUIRE(apv_vm_set_unpinnable(f.vm, FX_NIB, true) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 6);
	CHECK_REC(&s, 1, APV_LOG_DEBUG,
		  "vfio_ap: queue 01.0004: pinning the NIB page at 0x2000 failed (-14)");
	REQUIRE(apv_vm_set_unpinnable(f.vm, FX_NIB, false) == 0);
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, -EIO) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 6);
	CHECK_REC(&s, 2, APV_LOG_DEBUG,
		  "vfio_ap: queue 01.0004: registering guest ISC 6 failed (-5)");
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, 0) == 0);
	CHECK_AQIC(&f, fx_enable(&f, (FX_A3 << 8) | FX_D1, FX_NIB, 6), 1);
	CHECK_REC(&s, 3, APV_LOG_DEBUG,
		  "vfio_ap_mdev " FX_UUID1 ": AQIC for queue 0a.0004: not a queue of the guest");
	CHECK_EQ(s.n, 4);
	/* None of it reaches a handler listening at info. */
	listen(&f, &s, APV_LOG_INFO);
	CHECK_AQIC(&f, fx_enable(&f, Q, 0, 6), 6);
	CHECK_EQ(s.n, 0);
	quiet(&f);
	fx_fini(&f);
}

TEST(aqic_of_a_vm_without_gisa_and_of_a_detached_mdev_are_debug_messages)
{
	struct fx f;
	struct fx_opts o;
	struct sink s;

	fx_opts_default(&o);
	o.kvm.use_gisa = false;
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(fx_enable(&f, Q, FX_NIB, 6).kind, APV_RES_EXIT);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_DEBUG,
		  "vfio_ap: queue 01.0004: AQIC left to user space: the VM has no GISA");
	quiet(&f);
	fx_fini(&f);

	fx_init(&f);
	fx_assign(&f, f.mdev);
	listen(&f, &s, APV_LOG_DEBUG);
	f.r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, Q, false, false);
	f.r->gr[1] = APV_AQIC_IR | APV_AP_ISC;
	f.r->gr[2] = FX_NIB;
	CHECK_EQ(f.mdev->hook.fn(&f.mdev->hook, f.v), 0);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_DEBUG,
		  "vfio_ap_mdev " FX_UUID1 ": AQIC for queue 01.0004: mdev not attached to the VM");
	quiet(&f);
	fx_fini(&f);
}

TEST(remove_of_an_attached_mdev_tells_whether_user_space_was_asked)
{
	struct fx f;
	struct sink s;
	int fd;

	fx_init_attached(&f);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	f.mdev = NULL;
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_NOTICE,
		  "vfio_ap_mdev " FX_UUID1 ": no device request notification registered: user "
		  "space is not asked before the device goes");
	quiet(&f);
	fx_fini(&f);

	fx_init_attached(&f);
	fd = eventfd(0, EFD_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE(apv_mdev_set_irqs(f.mdev, APV_VFIO_AP_REQ_IRQ_INDEX, fd) == 0);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_NOTICE,
		  "vfio_ap_mdev " FX_UUID1 ": device request passed on to user space (#0)");
	/* A detached mdev is removed without asking anyone. */
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &f.mdev) == 0);
	s.n = 0;
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	CHECK_EQ(s.n, 0);
	f.mdev = NULL;
	quiet(&f);
	close(fd);
	fx_fini(&f);
}

TEST(second_mdev_for_one_vm_is_refused_with_an_info_message)
{
	struct fx f;
	struct sink s;
	struct apv_mdev *d2;

	fx_init_attached(&f);
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_mdev_attach(d2, f.vm), -EPERM);
	CHECK_EQ(s.n, 1);
	CHECK_REC(&s, 0, APV_LOG_INFO,
		  "vfio_ap_mdev " FX_UUID2 ": not attached: the VM already uses another mdev");
	quiet(&f);
	CHECK_EQ(apv_mdev_remove(d2), 0);
	fx_fini(&f);
}

TEST(queues_taken_from_a_running_guest_are_info_messages)
{
	struct fx f;
	struct sink s;

	fx_init_attached(&f);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_mdev_unassign_adapter(f.mdev, FX_A2), 0);
	CHECK_EQ(s.n, 2);
	CHECK_REC(&s, 0, APV_LOG_INFO,
		  "vfio_ap_mdev " FX_UUID1 ": queue 05.0004 taken from the running guest");
	CHECK_REC(&s, 1, APV_LOG_INFO,
		  "vfio_ap_mdev " FX_UUID1 ": queue 05.0006 taken from the running guest");
	/* Without a guest nothing is taken from anyone. */
	apv_mdev_detach(f.mdev);
	s.n = 0;
	CHECK_EQ(apv_mdev_unassign_adapter(f.mdev, FX_A1), 0);
	CHECK_EQ(s.n, 0);
	quiet(&f);
	fx_fini(&f);
}

/* The number of milliseconds in a "not complete after N ms" line, or -1. */
static long waited_ms(const char *line, const char *apqn)
{
	char prefix[96];
	long ms = -1;

	snprintf(prefix, sizeof(prefix), "vfio_ap: reset of queue %s not complete after ", apqn);
	if (strncmp(line, prefix, strlen(prefix)) != 0)
		return -1;
	if (sscanf(line + strlen(prefix), "%ld ms", &ms) != 1)
		return -1;
	return ms;
}

/* A reset that takes long is reported every 20 ms, like the kernel's look at it. */
TEST(slow_reset_is_reported_every_20_ms_with_rc_and_flags)
{
	struct fx f;
	struct sink s;
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY, .for_ns = 100 * APV_NSEC_PER_MSEC};
	const char *tail = " ms (rc=0x05 E=1 I=0)";

	fx_init_attached(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	listen(&f, &s, APV_LOG_DEBUG);
	CHECK_EQ(apv_mdev_reset(f.mdev), 0);
	/* 100 ms busy: reports after 20, 40, 60 and 80 ms (none at once, none after it). */
	CHECK_EQ(s.n, 4);
	for (int i = 0; i < s.n && i < 4; i++) {
		long ms = waited_ms(s.r[i].line, "01.0004");
		size_t n = strlen(s.r[i].line);

		CHECK_EQ(s.r[i].level, APV_LOG_NOTICE);
		CHECK(ms >= 20 * (i + 1) && ms < 20 * (i + 2));
		CHECK(n > strlen(tail) && !strcmp(s.r[i].line + n - strlen(tail), tail));
	}
	quiet(&f);
	fx_fini(&f);
}

/* Ten per five seconds, and the count of the rest in the next interval and at unload. */
TEST(slow_reset_reports_are_rate_limited_and_the_suppressed_counted)
{
	struct fx f;
	struct sink s;
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY, .for_ns = 8 * APV_NSEC_PER_SEC};
	int waits = 0, sum = 0;

	fx_init_attached(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	listen(&f, &s, APV_LOG_NOTICE);
	CHECK_EQ(apv_mdev_reset(f.mdev), 0);
	apv_mdev_detach(f.mdev);
	/* Stays listening through the unload: its flush reports the rest. */
	fx_fini(&f);
	for (int i = 0; i < s.n && i < MAXREC; i++) {
		unsigned n;

		if (waited_ms(s.r[i].line, "01.0004") >= 0)
			waits++;
		else if (sscanf(s.r[i].line, "vfio_ap: reset wait: %u messages suppressed", &n) ==
			 1)
			sum += (int)n;
		else
			APV_TEST_FAIL("unexpected line: %s", s.r[i].line);
	}
	/* Two intervals of ten; about 400 looks in 8 s at one per 20 ms. */
	CHECK_EQ(waits, 20);
	CHECK(s.n == 22);
	CHECK(sum >= 350 && sum <= 400);
	CHECK(waited_ms(s.r[10].line, "01.0004") < 0); /* the first interval's count comes first */
	CHECK(waited_ms(s.r[11].line, "01.0004") > 5000);
}

TEST_MAIN
