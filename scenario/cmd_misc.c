/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time, output and inspection: advance the virtual clock, echo a line,
 * show listings and state while writing or debugging a scenario.
 */
#include "scenario_internal.h"

#include <apvirt/guest.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int exec_advance(struct apv_world *w, const struct apv_step *s)
{
	if (apv_world_need_hw(w) < 0)
		return -1;
	apv_clock_sleep(w->clock, s->v[0].u);
	return 0;
}

static int parse_echo(struct apv_pcur *c)
{
	c->i = c->step->st.ntok;
	return 0;
}

static int exec_echo(struct apv_world *w, const struct apv_step *s)
{
	FILE *f = apv_w_out(w);
	char buf[256];
	for (int i = 1; i < s->st.ntok; i++)
		fprintf(f, "%s%s", i > 1 ? " " : "", apv_tok_show(&s->st.tok[i], buf, sizeof(buf)));
	fputc('\n', f);
	return 0;
}

/* ---- show ---------------------------------------------------------------------------------- */

static const char *const show_what[] = {"ls",	 "mdevs", "balance", "vcpu", "queue",
					"guest", "time",  "stats",   NULL};
enum { SH_LS, SH_MDEVS, SH_BALANCE, SH_VCPU, SH_QUEUE, SH_GUEST, SH_TIME, SH_STATS };

static int parse_show(struct apv_pcur *c)
{
	if (apv_pc_word(c, 0, "thing to show", show_what) < 0)
		return -1;
	switch (c->step->v[0].u) {
	case SH_VCPU:
	case SH_GUEST:
	case SH_STATS:
		if (apv_pc_vcpu(c, 1) < 0)
			return -1;
		break;
	case SH_QUEUE:
		if (apv_pc_apqn(c, 1) < 0)
			return -1;
		break;
	}
	return apv_pc_end(c);
}

static void show_vcpu(FILE *f, struct apv_vcpu *v, const char *name)
{
	const struct apv_regs *r = apv_vcpu_regs(v);
	const struct apv_psw *p = apv_vcpu_psw(v);
	struct apv_vcpu_stats st;
	apv_vcpu_stats(v, &st);
	fprintf(f, "%s: psw %s cc=%u io=%s wait=%s cr6=0x%02x\n", name,
		p->problem_state ? "problem" : "supervisor", p->cc, p->io_enabled ? "on" : "off",
		p->wait ? "on" : "off", apv_vcpu_cr6(v));
	for (unsigned i = 0; i < 16; i++)
		fprintf(f, "  GR%-2u %016" PRIx64 "%s", i, r->gr[i], i % 4 == 3 ? "\n" : "");
	fprintf(f,
		"  intercepts=%" PRIu64 " exits=%" PRIu64 " pgm=%" PRIu64 " interpreted=%" PRIu64
		" interrupts=%" PRIu64 "\n",
		st.pqap_intercepts, st.exits, st.pgm, st.interpreted, st.interrupts);
}

/* The counters along the path of one vCPU's requests: guest, KVM, vfio_ap, balance. */
static int show_stats(struct apv_world *w, FILE *f, const char *spec)
{
	struct apv_wvm *vm;
	unsigned id;
	struct apv_vcpu *v = apv_x_need_vcpu(w, spec, &vm, &id);
	char buf[160];
	if (!v)
		return -1;
	if (vm->guest[id]) {
		struct apv_guest_stats g;
		apv_guest_stats(vm->guest[id], &g);
		fprintf(f,
			"guest %s: requests %" PRIu64 ", replies %" PRIu64 ", failed %" PRIu64
			", adapter interruptions %" PRIu64 " (NIB set %" PRIu64 "), polls %" PRIu64
			"\n",
			spec, g.requests, g.replies, g.failed, g.interrupts, g.nib_set, g.polls);
		fprintf(f,
			"guest %s: PQAP %" PRIu64 ", NQAP %" PRIu64 ", DQAP %" PRIu64
			"; verified against OpenSSL %" PRIu64 ", mismatches %" PRIu64 "\n",
			spec, g.pqap, g.nqap, g.dqap, vm->gstats[id].verified,
			vm->gstats[id].mismatches);
	}
	struct apv_vcpu_stats st;
	apv_vcpu_stats(v, &st);
	fprintf(f,
		"kvm   %s: AQIC intercepts %" PRIu64 ", interpreted %" PRIu64 ", exits %" PRIu64
		", program exceptions %" PRIu64 ", interruptions delivered %" PRIu64 "\n",
		spec, st.pqap_intercepts, st.interpreted, st.exits, st.pgm, st.interrupts);
	if (w->matrix) {
		struct apv_matrix_stats ms;
		apv_matrix_stats(w->matrix, &ms);
		fprintf(f,
			"vfio_ap: AQIC enable %" PRIu64 ", disable %" PRIu64
			", queue resets %" PRIu64 "\n",
			ms.aqic_enable, ms.aqic_disable, ms.resets);
	}
	struct apv_balance b;
	apv_world_balance(w, &b);
	fprintf(f, "balance: %s\n", apv_balance_format(&b, buf, sizeof(buf)));
	return 0;
}

static int exec_show(struct apv_world *w, const struct apv_step *s)
{
	FILE *f = apv_w_out(w);
	char buf[160];
	switch (s->v[0].u) {
	case SH_LS:
		if (apv_world_need_hw(w) < 0)
			return -1;
		apv_lszcrypt(f, w->hw, w->matrix);
		return 0;
	case SH_MDEVS:
		if (apv_world_need_matrix(w) < 0)
			return -1;
		apv_mdev_list(f, w->matrix);
		return 0;
	case SH_BALANCE: {
		struct apv_balance b;
		apv_world_balance(w, &b);
		fprintf(f, "balance: %s\n", apv_balance_format(&b, buf, sizeof(buf)));
		return 0;
	}
	case SH_VCPU: {
		struct apv_vcpu *v = apv_x_need_vcpu(w, s->v[1].s, NULL, NULL);
		if (!v)
			return -1;
		show_vcpu(f, v, s->v[1].s);
		return 0;
	}
	case SH_QUEUE: {
		if (apv_world_need_hw(w) < 0)
			return -1;
		struct apv_hw_queue_stats q;
		memset(&q, 0, sizeof(q));
		apv_hw_queue_stats(w->hw, (apv_apqn_t)s->v[1].u, &q);
		char st[64];
		fprintf(f,
			"%s: %s apqsw %s queued=%u replies=%u requests=%" PRIu64 " done=%" PRIu64
			" discarded=%" PRIu64 " interrupts=%" PRIu64 " aqic=%" PRIu64
			" irq=%s nib=0x%" PRIx64 "\n",
			apv_scn_apqn_str((apv_apqn_t)s->v[1].u, buf, sizeof(buf)),
			q.exists ? "exists" : "absent", apv_apqsw_format(q.apqsw, st, sizeof(st)),
			q.queued, q.replies, q.requests, q.replies_done, q.discarded, q.interrupts,
			q.aqic, q.irq_enabled ? "on" : "off", q.nib);
		return 0;
	}
	case SH_GUEST: {
		struct apv_wvm *vm;
		unsigned id;
		if (!apv_world_vcpu(w, s->v[1].s, &vm, &id) || !vm->guest[id])
			return apv_w_fail(w, "vCPU '%s' runs no guest model (use 'guest boot %s')",
					  s->v[1].s, s->v[1].s);
		int n = apv_guest_lszcrypt(vm->guest[id], NULL, 0);
		char *out = malloc((size_t)n + 1);
		if (!out)
			return apv_w_fail(w, "out of memory");
		apv_guest_lszcrypt(vm->guest[id], out, (size_t)n + 1);
		fputs(out, f);
		free(out);
		return 0;
	}
	case SH_STATS:
		return show_stats(w, f, s->v[1].s);
	case SH_TIME:
		fprintf(f, "time: %s\n",
			apv_scn_dur_str(w->clock ? apv_clock_now(w->clock) : 0, buf, sizeof(buf)));
		return 0;
	}
	return 0;
}

const struct apv_cmd apv_scn_cmds_misc[] = {
    {"advance", NULL, "advance DURATION", "let virtual time pass (hardware events run)",
     apv_pc_args_dur, exec_advance, 0},
    {"echo", NULL, "echo [TEXT...]", "print a line", parse_echo, exec_echo, 0},
    {"show", NULL, "show ls|mdevs|balance|time | show vcpu|guest|stats VCPU | show queue APQN",
     "print state (for writing and debugging scenarios)", parse_show, exec_show, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
