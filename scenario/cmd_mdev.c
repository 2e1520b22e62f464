/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio_ap commands: mdev create/remove, sysfs attribute writes under the
 * kernel's names, attach/detach (VFIO open/close with a KVM), the VFIO
 * ioctls, and loading/unloading the module.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <string.h>

static const char *const mdev_attrs[] = {
    "assign_adapter",	     "unassign_adapter",	"assign_domain", "unassign_domain",
    "assign_control_domain", "unassign_control_domain", "ap_config",	 NULL};

/* ---- mdev create UUID [as NAME] -------------------------------------------------------- */

static int parse_create(struct apv_pcur *c)
{
	if (apv_pc_str(c, 0, "a UUID (like 11111111-2222-3333-4444-555555555555)") < 0)
		return -1;
	const char *alias = NULL;
	const struct apv_tok *as = apv_pc_peek(c);
	if (as) {
		if (strcmp(as->text, "as") != 0 || as->quoted)
			return apv_pc_end(c);
		c->i++;
		const struct apv_tok *t = apv_pc_need(c, "a name for the mdev");
		if (!t || apv_pc_newname(c, t, "mdev") < 0)
			return -1;
		c->step->v[1] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
		alias = t->text;
	}
	if (apv_pc_end(c) < 0)
		return -1;
	return apv_pc_define_mdev(c, alias, c->step->v[0].s);
}

static int exec_create(struct apv_world *w, const struct apv_step *s)
{
	const char *uuid = s->v[0].s;
	const char *name = s->v[1].kind ? s->v[1].s : uuid;
	if (apv_world_need_matrix(w) < 0)
		return -1;
	struct apv_wmdev *wm = apv_world_add_mdev(w, name, uuid);
	if (!wm)
		return apv_w_fail(w, "out of memory");
	struct apv_mdev *mdev = NULL;
	int rc = apv_mdev_create(w->matrix, uuid, &mdev);
	if (rc == 0) {
		wm->mdev = mdev;
		apv_world_mdev_created(w, wm);
	}
	apv_w_action(w, rc, NULL);
	return 0;
}

/* ---- mdev remove NAME ------------------------------------------------------------------- */

static int parse_remove(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0 || apv_pc_end(c) < 0)
		return -1;
	apv_pc_forget(c, c->step->v[0].s, false);
	return 0;
}

static int exec_remove(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	int rc = apv_mdev_remove(wm->mdev);
	if (rc == 0)
		wm->mdev = NULL;
	apv_w_action(w, rc, NULL);
	return 0;
}

/* ---- mdev NAME ATTRIBUTE VALUE -------------------------------------------------------------- */

static int parse_attr(struct apv_pcur *c)
{
	c->i = 1;
	if (apv_pc_mdev(c, 0) < 0)
		return -1;
	if (apv_pc_word(c, 1, "mdev attribute", mdev_attrs) < 0)
		return -1;
	if (apv_pc_str(c, 2, "a value") < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_attr(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	apv_w_action(w, apv_mdev_store(wm->mdev, s->v[1].s, s->v[2].s), NULL);
	return 0;
}

/* ---- attach / detach ----------------------------------------------------------------------------
 */

static int parse_attach(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0 || apv_pc_vm(c, 1) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_attach(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	struct apv_wvm *vm = wm ? apv_x_need_vm(w, s->v[1].s) : NULL;
	if (!vm)
		return -1;
	apv_w_action(w, apv_mdev_attach(wm->mdev, vm->vm), NULL);
	return 0;
}

static int parse_detach(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_detach(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	apv_mdev_detach(wm->mdev);
	return 0;
}

/* ---- vfio reset|unmap|on_request
 * ------------------------------------------------------------------ */

static int exec_reset(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	apv_w_action(w, apv_mdev_reset(wm->mdev), NULL);
	return 0;
}

static int parse_unmap(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0 || apv_pc_num(c, 1, "an IOVA (guest address)", UINT64_MAX) < 0 ||
	    apv_pc_num(c, 2, "a length in bytes", UINT64_MAX) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_unmap(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	apv_mdev_dma_unmap(wm->mdev, s->v[1].u, s->v[2].u);
	return 0;
}

static const char *const req_policies[] = {"detach", "ignore", NULL};

static int parse_on_request(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0 || apv_pc_word(c, 1, "request policy", req_policies) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_on_request(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	wm->on_request = (enum apv_on_request)s->v[1].u;
	return 0;
}

/* ---- load / unload vfio_ap
 * -------------------------------------------------------------------------- */

static const char *const modules[] = {"vfio_ap", NULL};

static int parse_module(struct apv_pcur *c)
{
	if (apv_pc_word(c, 0, "module", modules) < 0 || apv_pc_end(c) < 0)
		return -1;
	if (strcmp(c->step->cmd->name, "unload") == 0)
		apv_pc_forget_all_mdevs(c);
	return 0;
}

static int exec_load(struct apv_world *w, const struct apv_step *s)
{
	(void)s;
	return apv_world_need_matrix(w);
}

static int exec_unload(struct apv_world *w, const struct apv_step *s)
{
	(void)s;
	apv_world_unload_matrix(w);
	return 0;
}

const struct apv_cmd apv_scn_cmds_mdev[] = {
    {"mdev", "create", "mdev create UUID [as NAME]",
     "create a vfio_ap mdev (echo UUID > .../create)", parse_create, exec_create, APV_CMD_ACTION},
    {"mdev", "remove", "mdev remove MDEV", "remove an mdev (echo 1 > .../remove)", parse_remove,
     exec_remove, APV_CMD_ACTION},
    {"mdev", NULL, "mdev MDEV ATTRIBUTE VALUE",
     "write an mdev attribute (assign_adapter, ap_config, ...)", parse_attr, exec_attr,
     APV_CMD_ACTION},
    {"attach", NULL, "attach MDEV VM", "open the VFIO device with the VM's KVM (QEMU start)",
     parse_attach, exec_attach, APV_CMD_ACTION},
    {"detach", NULL, "detach MDEV", "close the VFIO device (QEMU exit)", parse_detach, exec_detach,
     0},
    {"vfio", "reset", "vfio reset MDEV", "VFIO_DEVICE_RESET", parse_detach, exec_reset,
     APV_CMD_ACTION},
    {"vfio", "unmap", "vfio unmap MDEV IOVA LENGTH", "DMA unmap notification", parse_unmap,
     exec_unmap, 0},
    {"vfio", "on_request", "vfio on_request MDEV detach|ignore",
     "what user space does when asked to release the device", parse_on_request, exec_on_request, 0},
    {"load", NULL, "load vfio_ap", "load vfio_ap now (it scans the bus)", parse_module, exec_load,
     0},
    {"unload", NULL, "unload vfio_ap", "module unload: every mdev is removed", parse_module,
     exec_unload, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
