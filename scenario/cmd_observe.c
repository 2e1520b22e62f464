/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What happened over time, for reproducing a bug: the VFIO notifications
 * user space receives (SET_IRQS eventfds, `expect signal`), the
 * cumulative counts behind the resource balance (`expect account`), and
 * the instructions vfio_ap itself issued on the host (`expect issued`).
 */
#include "scenario_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Index words in the order of APV_VFIO_AP_REQ_IRQ_INDEX and _CFG_CHG_IRQ_INDEX. */
static const char *const irq_kinds[] = {"req", "cfg", NULL};

/* ---- vfio irq MDEV req|cfg on|off ------------------------------------------------------ */

static int parse_irq(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0 || apv_pc_word(c, 1, "notification", irq_kinds) < 0 ||
	    apv_pc_word(c, 2, "state", apv_scn_onoff) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_irq(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	unsigned idx = (unsigned)s->v[1].u;
	bool on = s->v[2].u == 0;
	int fd = -1;
	/* What the old eventfd got still counts. */
	apv_world_drain_signals(wm);
	if (on) {
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fd < 0)
			return apv_w_fail(w, "cannot create an eventfd: %s", strerror(errno));
	}
	int rc = apv_mdev_set_irqs(wm->mdev, idx, fd);
	if (rc) {
		if (fd >= 0)
			close(fd);
	} else {
		if (wm->sig_fd[idx] >= 0)
			close(wm->sig_fd[idx]);
		wm->sig_fd[idx] = fd;
	}
	apv_w_action(w, rc, NULL);
	return 0;
}

/* ---- expect signal MDEV req|cfg count=N ---------------------------------------------------- */

static const struct apv_opt signal_opts[] = {
    {"count", APV_OPT_NUM, 2, UINT64_MAX, NULL, "a number of signals"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_signal(struct apv_pcur *c)
{
	if (apv_pc_mdev_ever(c, 0) < 0 || apv_pc_word(c, 1, "notification", irq_kinds) < 0)
		return -1;
	return apv_x_parse_fields(c, signal_opts);
}

static int exec_signal(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_world_mdev(w, s->v[0].s);
	if (!wm)
		return apv_w_fail(w, "mdev '%s' was never created", s->v[0].s);
	apv_world_drain_signals(wm);
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS] = {0};
	act[2] = wm->signals[s->v[1].u];
	return apv_x_check_fields(w, s, signal_opts, act, m);
}

/* ---- expect account [VM] pins= unpins= isc_regs= ... ------------------------------------------
 */

enum {
	AC_VM = 0,
	AC_PINS,
	AC_UNPINS,
	AC_ISC_REGS,
	AC_ISC_UNREGS,
	AC_VM_GETS,
	AC_VM_PUTS,
	AC_HOOK_SETS,
	AC_HOOK_CLEARS,
	AC_HOOK_CALLS
};
_Static_assert(AC_HOOK_CALLS - AC_PINS == APV_ACCT_HOOK_CALLS - APV_ACCT_PINS,
	       "the account options follow the account's counters");
static const struct apv_opt account_opts[] = {
    {"pins", APV_OPT_NUM, AC_PINS, UINT64_MAX, NULL, NULL},
    {"unpins", APV_OPT_NUM, AC_UNPINS, UINT64_MAX, NULL, NULL},
    {"isc_regs", APV_OPT_NUM, AC_ISC_REGS, UINT64_MAX, NULL, NULL},
    {"isc_unregs", APV_OPT_NUM, AC_ISC_UNREGS, UINT64_MAX, NULL, NULL},
    {"vm_gets", APV_OPT_NUM, AC_VM_GETS, UINT64_MAX, NULL, NULL},
    {"vm_puts", APV_OPT_NUM, AC_VM_PUTS, UINT64_MAX, NULL, NULL},
    {"hook_sets", APV_OPT_NUM, AC_HOOK_SETS, UINT64_MAX, NULL, NULL},
    {"hook_clears", APV_OPT_NUM, AC_HOOK_CLEARS, UINT64_MAX, NULL, NULL},
    {"hook_calls", APV_OPT_NUM, AC_HOOK_CALLS, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_account(struct apv_pcur *c)
{
	if (apv_pc_peek(c) && apv_pc_vm(c, AC_VM) < 0)
		return -1;
	if (apv_x_parse_fields(c, account_opts) < 0)
		return -1;
	if (!c->step->v[AC_VM].kind)
		return 0;
	/* A VM counts its own pins and guest ISCs; references and hooks are host-wide. */
	for (int i = AC_VM_GETS; i <= AC_HOOK_CALLS; i++)
		if (c->step->v[i].kind)
			return apv_pc_fail(
			    c, c->step->v[i].tok,
			    "'%s' is counted for the host, not per VM (leave out the VM)",
			    c->step->v[i].tok->key);
	return 0;
}

static int exec_account(struct apv_world *w, const struct apv_step *s)
{
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS] = {0};
	if (s->v[AC_VM].kind) {
		struct apv_wvm *vm = apv_x_need_vm(w, s->v[AC_VM].s);
		if (!vm)
			return -1;
		struct apv_vm_stats st;
		apv_vm_stats(vm->vm, &st);
		act[AC_PINS] = st.pins;
		act[AC_UNPINS] = st.unpins;
		act[AC_ISC_REGS] = st.gisc_regs;
		act[AC_ISC_UNREGS] = st.gisc_unregs;
	} else if (w->kvm) {
		/* The option indexes follow the account's counters, in the same order. */
		const struct apv_account *a = apv_kvm_account(w->kvm);
		for (int i = AC_PINS; i <= AC_HOOK_CALLS; i++)
			act[i] = (uint64_t)apv_account_get(
			    a, (enum apv_account_counter)(APV_ACCT_PINS + (i - AC_PINS)));
	}
	return apv_x_check_fields(w, s, account_opts, act, m);
}

/* ---- expect issued [APQN] tapq= rapq= zapq= aqic= ----------------------------------------------
 */

/* Indexed by the function code: TAPQ 0, RAPQ 1, ZAPQ 2, AQIC 3. */
enum { IS_APQN = 0, IS_TAPQ, IS_RAPQ, IS_ZAPQ, IS_AQIC };
static const struct apv_opt issued_opts[] = {
    {"tapq", APV_OPT_NUM, IS_TAPQ, UINT64_MAX, NULL, NULL},
    {"rapq", APV_OPT_NUM, IS_RAPQ, UINT64_MAX, NULL, NULL},
    {"zapq", APV_OPT_NUM, IS_ZAPQ, UINT64_MAX, NULL, NULL},
    {"aqic", APV_OPT_NUM, IS_AQIC, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_issued(struct apv_pcur *c)
{
	if (apv_pc_peek(c) && apv_pc_apqn(c, IS_APQN) < 0)
		return -1;
	return apv_x_parse_fields(c, issued_opts);
}

static int exec_issued(struct apv_world *w, const struct apv_step *s)
{
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS] = {0};
	for (unsigned fc = 0; fc < 4; fc++) {
		if (!s->v[IS_APQN].kind)
			act[IS_TAPQ + fc] = w->issued[fc];
		else if (w->issued_q)
			act[IS_TAPQ + fc] = w->issued_q[(apv_apqn_t)s->v[IS_APQN].u][fc];
	}
	return apv_x_check_fields(w, s, issued_opts, act, m);
}

const struct apv_cmd apv_scn_cmds_observe[] = {
    {"vfio", "irq", "vfio irq MDEV req|cfg on|off",
     "VFIO_DEVICE_SET_IRQS: an eventfd for the request or config-change notification", parse_irq,
     exec_irq, APV_CMD_ACTION},
    {"expect", "signal", "expect signal MDEV req|cfg count=N",
     "signals the mdev's notification eventfd received (also after removal)", parse_signal,
     exec_signal, 0},
    {"expect", "account",
     "expect account [VM] [pins|unpins|isc_regs|isc_unregs=N] "
     "[vm_gets|vm_puts|hook_sets|hook_clears|hook_calls=N]",
     "cumulative counts behind the balance (a VM's own pins and ISCs)", parse_account, exec_account,
     0},
    {"expect", "issued", "expect issued [APQN] [tapq|rapq|zapq|aqic=N]",
     "instructions vfio_ap issued on the host (all queues, or one)", parse_issued, exec_issued, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
