/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protected virtualization of a running VM: `pv enable VM` is
 * KVM_PV_ENABLE (the VM lock, every intercept in flight finished first),
 * `expect pv` shows the result, including NIB pages that were pinned at
 * the conversion and so could not be made secure.
 */
#include "scenario_internal.h"

static int parse_pv_enable(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_pv_enable(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	apv_w_action(w, apv_vm_pv_enable(vm->vm), NULL);
	return 0;
}

enum { PV_VM = 0, PV_PROTECTED, PV_PINNED };
static const struct apv_opt pv_opts[] = {
    {"protected", APV_OPT_BOOL, PV_PROTECTED, 0, NULL, NULL},
    {"pinned", APV_OPT_NUM, PV_PINNED, UINT64_MAX, NULL, "a number of pages"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_expect_pv(struct apv_pcur *c)
{
	if (apv_pc_vm(c, PV_VM) < 0)
		return -1;
	return apv_x_parse_fields(c, pv_opts);
}

static int exec_expect_pv(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[PV_VM].s);
	if (!vm)
		return -1;
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS] = {0};
	act[PV_PROTECTED] = apv_vm_is_protected(vm->vm);
	act[PV_PINNED] = apv_vm_pv_pinned_pages(vm->vm);
	return apv_x_check_fields(w, s, pv_opts, act, m);
}

const struct apv_cmd apv_scn_cmds_pv[] = {
    {"pv", "enable", "pv enable VM",
     "KVM_PV_ENABLE: the running VM becomes protected (pages secure unless shared)",
     parse_pv_enable, exec_pv_enable, APV_CMD_ACTION},
    {"expect", "pv", "expect pv VM [protected=yes|no] [pinned=N]",
     "protected or not; pages left unsecured because they were pinned at the conversion",
     parse_expect_pv, exec_expect_pv, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
