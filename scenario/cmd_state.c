/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `expect` lines about the state of the stack: mdev attributes, the AP
 * bus, queues in the hardware and in vfio_ap, the VM's CRYCB masks, hook,
 * GISA and memory, counters, pins, ISC registrations and the balance.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int fail_u64(struct apv_world *w, const char *what, uint64_t want, uint64_t got)
{
	char a[96], b[96];
	snprintf(a, sizeof(a), "%s %" PRIu64, what, want);
	snprintf(b, sizeof(b), "%s %" PRIu64, what, got);
	return apv_w_expect_fail(w, a, b);
}

/* ---- expect pins [VM] N -------------------------------------------------------------------- */

static int parse_pins(struct apv_pcur *c)
{
	const struct apv_tok *t = apv_pc_peek(c);
	uint64_t dummy;
	if (t && apv_scn_parse_num(t->text, UINT64_MAX, &dummy) < 0 && apv_pc_vm(c, 1) < 0)
		return -1;
	if (apv_pc_num(c, 0, "a number of pinned pages", 1u << 30) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_pins(struct apv_world *w, const struct apv_step *s)
{
	uint64_t got = 0;
	if (s->v[1].kind) {
		struct apv_wvm *vm = apv_x_need_vm(w, s->v[1].s);
		if (!vm)
			return -1;
		got = apv_vm_pinned_pages(vm->vm);
	} else {
		struct apv_balance b;
		apv_world_balance(w, &b);
		got = (uint64_t)b.pins;
	}
	return got == s->v[0].u ? 0 : fail_u64(w, "pinned pages", s->v[0].u, got);
}

/* ---- expect isc VM GISC refs=N ------------------------------------------------------------------
 */

static const struct apv_opt isc_opts[] = {
    {"refs", APV_OPT_NUM, 2, 1u << 20, NULL, "a reference count"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_isc(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a guest ISC (0-7)", 7) < 0)
		return -1;
	return apv_x_parse_fields(c, isc_opts);
}

static int exec_isc(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	int refs = apv_vm_gisc_refcount(vm->vm, (unsigned)s->v[1].u);
	act[2] = refs < 0 ? 0 : (uint64_t)refs;
	return apv_x_check_fields(w, s, isc_opts, act, m);
}

/* ---- expect interrupts VCPU N -------------------------------------------------------------------
 */

static int parse_interrupts(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, 0) < 0 || apv_pc_num(c, 1, "a number of interruptions", UINT64_MAX) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_interrupts(struct apv_world *w, const struct apv_step *s)
{
	struct apv_vcpu *v = apv_x_need_vcpu(w, s->v[0].s, NULL, NULL);
	if (!v)
		return -1;
	uint64_t got = apv_vcpu_interrupts(v);
	return got == s->v[1].u ? 0
				: fail_u64(w, "adapter interruptions delivered", s->v[1].u, got);
}

/* ---- expect matrix|guest_matrix|control_domains|ap_config MDEV LINE... --------------------------
 */

static int parse_attr(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0)
		return -1;
	if (!apv_pc_more(c))
		return apv_pc_fail(
		    c, NULL,
		    "'expect %s' needs the expected lines (like 05.0004 05.0005, or \"\" for none)",
		    c->step->cmd->sub);
	c->step->v[1] = (struct apv_val){.kind = APV_V_NUM, .u = (uint64_t)c->i};
	while (apv_pc_more(c)) {
		const struct apv_tok *t = &c->step->st.tok[c->i];
		if (t->key && !t->quoted) {
			char got[128];
			return apv_pc_fail(c, t, "unexpected '%s' in the expected %s",
					   apv_tok_show(t, got, sizeof(got)), c->step->cmd->sub);
		}
		c->i++;
	}
	return 0;
}

/* Expected text: tokens joined by newlines; "empty" or "" is nothing. */
static char *expected_text(const struct apv_step *s)
{
	size_t n = 0;
	for (int i = (int)s->v[1].u; i < s->st.ntok; i++)
		n += strlen(s->st.tok[i].text) +
		     (s->st.tok[i].key ? strlen(s->st.tok[i].key) + 1 : 0) + 1;
	char *out = calloc(1, n + 1);
	if (!out)
		return NULL;
	for (int i = (int)s->v[1].u; i < s->st.ntok; i++) {
		const struct apv_tok *t = &s->st.tok[i];
		if (!t->quoted && strcmp(t->text, "empty") == 0)
			continue;
		if (!t->text[0] && t->quoted)
			continue;
		if (*out)
			strcat(out, "\n");
		if (t->key) {
			strcat(out, t->key);
			strcat(out, "=");
		}
		strcat(out, t->text);
	}
	return out;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
}

/* Lines shown on one line for messages: "05.0004 05.0005", or "(empty)". */
static void one_line(const char *s, char *buf, size_t len)
{
	if (!*s) {
		snprintf(buf, len, "(empty)");
		return;
	}
	size_t n = 0;
	for (; *s && n + 1 < len; s++)
		buf[n++] = *s == '\n' ? ' ' : *s;
	buf[n] = '\0';
	if (*s && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

static int exec_attr(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	size_t cap = 1u << 20;
	char *buf = malloc(cap), *want = expected_text(s);
	if (!buf || !want) {
		free(buf);
		free(want);
		return apv_w_fail(w, "out of memory");
	}
	int rc = apv_mdev_show(wm->mdev, s->cmd->sub, buf, cap);
	if (rc < 0) {
		char e[96];
		apv_w_fail(w, "reading %s of mdev '%s' failed: %s", s->cmd->sub, s->v[0].s,
			   apv_scn_errno_str(rc, e, sizeof(e)));
		free(buf);
		free(want);
		return -1;
	}
	chomp(buf);
	chomp(want);
	int ret = 0;
	if (strcmp(buf, want) != 0) {
		char a[2048], b[2048];
		one_line(want, a, sizeof(a));
		one_line(buf, b, sizeof(b));
		ret = apv_w_expect_fail(w, a, b);
	}
	free(buf);
	free(want);
	return ret;
}

/* ---- expect driver APQN vfio_ap|host|none ; expect qstatus APQN STATUS
 * --------------------------- */

static const char *const drivers[] = {"none", "host", "vfio_ap", NULL};
static const char *const qstatuses[] = {"in use", "assigned", "unassigned", "none", NULL};

static int parse_driver(struct apv_pcur *c)
{
	bool drv = strcmp(c->step->cmd->sub, "driver") == 0;
	if (apv_pc_apqn(c, 0) < 0 ||
	    apv_pc_word(c, 1, drv ? "driver" : "queue status", drv ? drivers : qstatuses) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_driver(struct apv_world *w, const struct apv_step *s)
{
	if (apv_world_need_matrix(w) < 0)
		return -1;
	apv_apqn_t q = (apv_apqn_t)s->v[0].u;
	const char *got;
	if (strcmp(s->cmd->sub, "driver") == 0) {
		got = drivers[apv_bus_queue_driver(w->matrix, q)];
	} else {
		got = apv_matrix_queue_status(w->matrix, q);
		if (!got)
			got = "none";
	}
	if (strcmp(got, s->v[1].s) == 0)
		return 0;
	return apv_w_expect_fail(w, s->v[1].s, got);
}

/* ---- expect queue APQN fields (the hardware's view)
 * ---------------------------------------------- */

enum {
	HQ_APQN = 0,
	HQ_EXISTS,
	HQ_IRQ,
	HQ_NIB,
	HQ_QUEUED,
	HQ_REPLIES,
	HQ_REQUESTS,
	HQ_DONE,
	HQ_DISC,
	HQ_INTS,
	HQ_AQIC,
	HQ_RC
};
static const struct apv_opt hq_opts[] = {
    {"exists", APV_OPT_BOOL, HQ_EXISTS, 0, NULL, NULL},
    {"irq", APV_OPT_BOOL, HQ_IRQ, 0, NULL, NULL},
    {"nib", APV_OPT_NUM, HQ_NIB, UINT64_MAX, NULL, "an address"},
    {"queued", APV_OPT_NUM, HQ_QUEUED, UINT64_MAX, NULL, NULL},
    {"replies", APV_OPT_NUM, HQ_REPLIES, UINT64_MAX, NULL, NULL},
    {"requests", APV_OPT_NUM, HQ_REQUESTS, UINT64_MAX, NULL, NULL},
    {"done", APV_OPT_NUM, HQ_DONE, UINT64_MAX, NULL, NULL},
    {"discarded", APV_OPT_NUM, HQ_DISC, UINT64_MAX, NULL, NULL},
    {"interrupts", APV_OPT_NUM, HQ_INTS, UINT64_MAX, NULL, NULL},
    {"aqic", APV_OPT_NUM, HQ_AQIC, UINT64_MAX, NULL, NULL},
    {"rc", APV_OPT_NUM, HQ_RC, 255, NULL, "a response code"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_hq(struct apv_pcur *c)
{
	if (apv_pc_apqn(c, HQ_APQN) < 0)
		return -1;
	return apv_x_parse_fields(c, hq_opts);
}

static int exec_hq(struct apv_world *w, const struct apv_step *s)
{
	if (apv_world_need_hw(w) < 0)
		return -1;
	struct apv_hw_queue_stats q;
	memset(&q, 0, sizeof(q));
	apv_hw_queue_stats(w->hw, (apv_apqn_t)s->v[HQ_APQN].u, &q);
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[HQ_EXISTS] = q.exists;
	act[HQ_IRQ] = q.irq_enabled;
	act[HQ_NIB] = q.nib;
	act[HQ_QUEUED] = q.queued;
	act[HQ_REPLIES] = q.replies;
	act[HQ_REQUESTS] = q.requests;
	act[HQ_DONE] = q.replies_done;
	act[HQ_DISC] = q.discarded;
	act[HQ_INTS] = q.interrupts;
	act[HQ_AQIC] = q.aqic;
	act[HQ_RC] = apv_apqsw_get_rc(q.apqsw);
	return apv_x_check_fields(w, s, hq_opts, act, m);
}

/* ---- expect saved MDEV APQN fields (vfio_ap's view of a queue) ----------------------------------
 */

enum { SQ_MDEV = 0, SQ_APQN, SQ_LINKED, SQ_SHADOW, SQ_NIB, SQ_ISC, SQ_RESET };
static const char *const iscs[] = {"0", "1", "2", "3", "4", "5", "6", "7", "none", NULL};
static const struct apv_opt sq_opts[] = {
    {"linked", APV_OPT_BOOL, SQ_LINKED, 0, NULL, NULL},
    {"shadow", APV_OPT_BOOL, SQ_SHADOW, 0, NULL, NULL},
    {"nib", APV_OPT_NUM, SQ_NIB, UINT64_MAX, NULL, "a guest NIB address (0 = none)"},
    {"isc", APV_OPT_ENUM, SQ_ISC, 0, iscs, NULL},
    {"reset_rc", APV_OPT_NUM, SQ_RESET, 255, NULL, "a response code"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_sq(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, SQ_MDEV) < 0 || apv_pc_apqn(c, SQ_APQN) < 0)
		return -1;
	return apv_x_parse_fields(c, sq_opts);
}

static int exec_sq(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[SQ_MDEV].s);
	if (!wm)
		return -1;
	struct apv_mdev_queue_info qi;
	memset(&qi, 0, sizeof(qi));
	qi.saved_isc = -1;
	int rc = apv_mdev_queue_info(wm->mdev, (apv_apqn_t)s->v[SQ_APQN].u, &qi);
	if (rc < 0) {
		memset(&qi, 0, sizeof(qi));
		qi.saved_isc = -1;
	}
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[SQ_LINKED] = qi.linked;
	act[SQ_SHADOW] = qi.in_shadow;
	act[SQ_NIB] = qi.saved_nib;
	act[SQ_ISC] = qi.saved_isc < 0 || qi.saved_isc > 7 ? 8 : (uint64_t)qi.saved_isc;
	act[SQ_RESET] = apv_apqsw_get_rc(qi.reset_status);
	return apv_x_check_fields(w, s, sq_opts, act, m);
}

/* ---- expect masks VM apm= aqm= adm=
 * -------------------------------------------------------------- */

static const struct apv_opt mask_opts[] = {
    {"apm", APV_OPT_IDS, 1, 255, NULL, NULL},
    {"aqm", APV_OPT_IDS, 2, 255, NULL, NULL},
    {"adm", APV_OPT_IDS, 3, 255, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_masks(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0)
		return -1;
	return apv_x_parse_fields(c, mask_opts);
}

static int exec_masks(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	memset(m, 0, sizeof(m));
	apv_vm_get_masks(vm->vm, &m[1], &m[2], &m[3]);
	return apv_x_check_fields(w, s, mask_opts, act, m);
}

/* ---- expect hook VM set|none
 * ---------------------------------------------------------------------- */

static const char *const hook_states[] = {"set", "none", NULL};

static int parse_hook(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_word(c, 1, "hook state", hook_states) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_hook(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	const char *got = apv_vm_pqap_hook(vm->vm) ? "set" : "none";
	return strcmp(got, s->v[1].s) == 0 ? 0 : apv_w_expect_fail(w, s->v[1].s, got);
}

/* ---- expect counters VCPU ... / expect vfio_ap ...
 * ------------------------------------------------- */

enum { C_VCPU = 0, C_ICPT, C_EXITS, C_PGM, C_INTERP, C_INTS };
static const struct apv_opt counter_opts[] = {
    {"intercepts", APV_OPT_NUM, C_ICPT, UINT64_MAX, NULL, NULL},
    {"exits", APV_OPT_NUM, C_EXITS, UINT64_MAX, NULL, NULL},
    {"pgm", APV_OPT_NUM, C_PGM, UINT64_MAX, NULL, NULL},
    {"interpreted", APV_OPT_NUM, C_INTERP, UINT64_MAX, NULL, NULL},
    {"interrupts", APV_OPT_NUM, C_INTS, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_counters(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, C_VCPU) < 0)
		return -1;
	return apv_x_parse_fields(c, counter_opts);
}

static int exec_counters(struct apv_world *w, const struct apv_step *s)
{
	struct apv_vcpu *v = apv_x_need_vcpu(w, s->v[C_VCPU].s, NULL, NULL);
	if (!v)
		return -1;
	struct apv_vcpu_stats st;
	apv_vcpu_stats(v, &st);
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[C_ICPT] = st.pqap_intercepts;
	act[C_EXITS] = st.exits;
	act[C_PGM] = st.pgm;
	act[C_INTERP] = st.interpreted;
	act[C_INTS] = st.interrupts;
	return apv_x_check_fields(w, s, counter_opts, act, m);
}

enum { V_EN = 0, V_DIS, V_RESETS, V_REQ, V_CFG };
static const struct apv_opt vfio_opts[] = {
    {"aqic_enable", APV_OPT_NUM, V_EN, UINT64_MAX, NULL, NULL},
    {"aqic_disable", APV_OPT_NUM, V_DIS, UINT64_MAX, NULL, NULL},
    {"resets", APV_OPT_NUM, V_RESETS, UINT64_MAX, NULL, NULL},
    {"req_notifications", APV_OPT_NUM, V_REQ, UINT64_MAX, NULL, NULL},
    {"cfg_notifications", APV_OPT_NUM, V_CFG, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_vfio(struct apv_pcur *c)
{
	return apv_x_parse_fields(c, vfio_opts);
}

static int exec_vfio(struct apv_world *w, const struct apv_step *s)
{
	if (apv_world_need_matrix(w) < 0)
		return -1;
	struct apv_matrix_stats st;
	apv_matrix_stats(w->matrix, &st);
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[V_EN] = st.aqic_enable;
	act[V_DIS] = st.aqic_disable;
	act[V_RESETS] = st.resets;
	act[V_REQ] = st.req_notifications;
	act[V_CFG] = st.cfg_notifications;
	return apv_x_check_fields(w, s, vfio_opts, act, m);
}

/* ---- expect gisa VM ipm= iam= alerted=
 * ------------------------------------------------------------ */

enum { G_VM = 0, G_IPM, G_IAM, G_ALERT, G_GAL };
static const struct apv_opt gisa_opts[] = {
    {"ipm", APV_OPT_NUM, G_IPM, 255, NULL, "a mask (0x80 >> isc)"},
    {"iam", APV_OPT_NUM, G_IAM, 255, NULL, "a mask (0x80 >> isc)"},
    {"alerted", APV_OPT_BOOL, G_ALERT, 0, NULL, NULL},
    {"gal_interrupts", APV_OPT_NUM, G_GAL, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_gisa(struct apv_pcur *c)
{
	if (apv_pc_vm(c, G_VM) < 0)
		return -1;
	return apv_x_parse_fields(c, gisa_opts);
}

static int exec_gisa(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[G_VM].s);
	if (!vm)
		return -1;
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[G_IPM] = apv_vm_gisa_ipm(vm->vm);
	act[G_IAM] = apv_vm_gisa_iam(vm->vm);
	act[G_ALERT] = apv_vm_gisa_alerted(vm->vm);
	act[G_GAL] = apv_kvm_gal_interrupts(w->kvm);
	return apv_x_check_fields(w, s, gisa_opts, act, m);
}

/* ---- expect mem VM ADDR HEX
 * -------------------------------------------------------------------------- */

static int parse_mem(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a guest address", UINT64_MAX) < 0 ||
	    apv_pc_hex(c, 2, "bytes in hex (like 01)", 256) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_mem(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	const char *hex = s->v[2].s;
	size_t n = strlen(hex) / 2;
	uint8_t buf[256];
	int rc = apv_storage_read(apv_vm_storage(vm->vm), s->v[1].u, buf, n);
	if (rc < 0) {
		char e[96];
		return apv_w_fail(w, "cannot read guest memory at 0x%" PRIx64 ": %s", s->v[1].u,
				  apv_scn_errno_str(rc, e, sizeof(e)));
	}
	char got[520];
	for (size_t i = 0; i < n; i++)
		snprintf(got + 2 * i, 3, "%02x", buf[i]);
	return strcasecmp(got, hex) == 0 ? 0 : apv_w_expect_fail(w, hex, got);
}

/* ---- expect balance zero | pins= isc= vmrefs= hooks=
 * ------------------------------------------------- */

enum { B_ZERO = 0, B_PINS, B_ISC, B_VMREFS, B_HOOKS, B_CALLS };
static const struct apv_opt bal_opts[] = {
    {"zero", APV_OPT_FLAG, B_ZERO, 0, NULL, NULL},
    {"pins", APV_OPT_NUM, B_PINS, UINT64_MAX, NULL, NULL},
    {"isc", APV_OPT_NUM, B_ISC, UINT64_MAX, NULL, NULL},
    {"vmrefs", APV_OPT_NUM, B_VMREFS, UINT64_MAX, NULL, NULL},
    {"hooks", APV_OPT_NUM, B_HOOKS, UINT64_MAX, NULL, NULL},
    {"calls", APV_OPT_NUM, B_CALLS, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_balance(struct apv_pcur *c)
{
	if (apv_x_parse_fields(c, bal_opts) < 0)
		return -1;
	if (c->step->v[B_ZERO].kind) {
		for (int i = B_PINS; i <= B_CALLS; i++)
			if (c->step->v[i].kind)
				return apv_pc_fail(c, c->step->v[i].tok,
						   "'zero' cannot be combined with counts");
	}
	return 0;
}

static int exec_balance(struct apv_world *w, const struct apv_step *s)
{
	struct apv_balance b;
	apv_world_balance(w, &b);
	char got[160];
	apv_balance_format(&b, got, sizeof(got));
	if (s->v[B_ZERO].kind)
		return apv_balance_zero(&b)
			   ? 0
			   : apv_w_expect_fail(w, "pins=0 isc=0 vmrefs=0 hooks=0 calls=0", got);
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[B_PINS] = (uint64_t)b.pins;
	act[B_ISC] = (uint64_t)b.isc_regs;
	act[B_VMREFS] = (uint64_t)b.vm_refs;
	act[B_HOOKS] = (uint64_t)b.hooks;
	act[B_CALLS] = (uint64_t)b.hook_calls;
	return apv_x_check_fields(w, s, bal_opts, act, m);
}

/* ---- expect requests MDEV N ; attached MDEV VM|none
 * ----------------------------------------------------- */

static int parse_requests(struct apv_pcur *c)
{
	if (apv_pc_mdev_ever(c, 0) < 0 ||
	    apv_pc_num(c, 1, "a number of request notifications", UINT64_MAX) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_requests(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_world_mdev(w, s->v[0].s);
	if (!wm)
		return apv_w_fail(w, "mdev '%s' was never created", s->v[0].s);
	return wm->requests == s->v[1].u
		   ? 0
		   : fail_u64(w, "request notifications", s->v[1].u, wm->requests);
}

static int parse_attached(struct apv_pcur *c)
{
	if (apv_pc_mdev(c, 0) < 0)
		return -1;
	const struct apv_tok *t = apv_pc_peek(c);
	if (t && strcmp(t->text, "none") == 0) {
		c->i++;
		c->step->v[1] = (struct apv_val){.kind = APV_V_STR, .s = "none", .tok = t};
	} else if (apv_pc_vm(c, 1) < 0) {
		return -1;
	}
	return apv_pc_end(c);
}

static int exec_attached(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wmdev *wm = apv_x_need_mdev(w, s->v[0].s);
	if (!wm)
		return -1;
	struct apv_vm *vm = apv_mdev_vm(wm->mdev);
	const char *got = vm ? apv_vm_name(vm) : "none";
	return strcmp(got, s->v[1].s) == 0 ? 0 : apv_w_expect_fail(w, s->v[1].s, got);
}

/* ---- expect crycb VM N ; facility VM N on|off ; apie VM on|off ; time DUR
 * ------------------------------ */

static int parse_crycb(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a CRYCB format (0-2)", 2) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_crycb(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	unsigned f = apv_vm_crycb_format(vm->vm);
	return f == s->v[1].u ? 0 : fail_u64(w, "CRYCB format", s->v[1].u, f);
}

static int parse_facility(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a facility number (0-255)", 255) < 0 ||
	    apv_pc_word(c, 2, "state", apv_scn_onoff) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_facility(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	bool want = s->v[2].u == 0, got = apv_vm_has_facility(vm->vm, (unsigned)s->v[1].u);
	if (want == got)
		return 0;
	char a[48], b[48];
	snprintf(a, sizeof(a), "facility %" PRIu64 " %s", s->v[1].u, want ? "on" : "off");
	snprintf(b, sizeof(b), "facility %" PRIu64 " %s", s->v[1].u, got ? "on" : "off");
	return apv_w_expect_fail(w, a, b);
}

static int exec_apie(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	const char *got = apv_vm_apie(vm->vm) ? "on" : "off";
	return strcmp(got, s->v[1].s) == 0 ? 0 : apv_w_expect_fail(w, s->v[1].s, got);
}

/* One end of a time window; col is where it starts in the token. */
static int window_end(struct apv_pcur *c, const struct apv_tok *t, const char *text, unsigned col,
		      const char *which, uint64_t *ns)
{
	struct apv_tok at = *t;
	at.col = col;
	int rc = apv_scn_parse_dur(text, ns);
	if (rc == -ENOENT)
		return apv_pc_fail(c, &at, "duration '%s' needs a unit: ns, us, ms or s", text);
	if (rc == -ERANGE)
		return apv_pc_fail(c, &at, "duration '%s' is too long", text);
	if (rc < 0)
		return apv_pc_fail(c, &at,
				   "expected a duration (like 20ms) for the %s of the window, "
				   "got '%s'",
				   which, text);
	return 0;
}

/* expect time DUR, or a window LO..HI with both ends included. */
static int parse_time(struct apv_pcur *c)
{
	const struct apv_tok *t = apv_pc_peek(c);
	const char *dots = t ? strstr(t->text, "..") : NULL;
	if (!dots)
		return apv_pc_args_dur(c);
	c->i++;
	char lo[64];
	size_t n = (size_t)(dots - t->text);
	if (n >= sizeof(lo))
		n = sizeof(lo) - 1;
	memcpy(lo, t->text, n);
	lo[n] = '\0';
	uint64_t a, b;
	if (window_end(c, t, lo, t->col, "start", &a) < 0 ||
	    window_end(c, t, dots + 2, t->col + (unsigned)(dots + 2 - t->text), "end", &b) < 0)
		return -1;
	if (b < a)
		return apv_pc_fail(c, t, "the window '%s' ends before it starts", t->text);
	c->step->v[0] = (struct apv_val){.kind = APV_V_NUM, .u = a, .tok = t};
	c->step->v[1] = (struct apv_val){.kind = APV_V_NUM, .u = b, .tok = t};
	return apv_pc_end(c);
}

static int exec_time(struct apv_world *w, const struct apv_step *s)
{
	uint64_t now = w->clock ? apv_clock_now(w->clock) : 0;
	uint64_t lo = s->v[0].u, hi = s->v[1].kind ? s->v[1].u : lo;
	if (now >= lo && now <= hi)
		return 0;
	char a[32], b[32], want[80];
	apv_scn_dur_str(lo, a, sizeof(a));
	if (s->v[1].kind)
		snprintf(want, sizeof(want), "%s..%s", a, apv_scn_dur_str(hi, b, sizeof(b)));
	else
		snprintf(want, sizeof(want), "%s", a);
	return apv_w_expect_fail(w, want, apv_scn_dur_str(now, b, sizeof(b)));
}

#define ATTR_EXPECT(a)                                                                             \
	{                                                                                          \
		"expect", a, "expect " a " MDEV LINE...",                                          \
		    "the mdev's " a " attribute, line by line", parse_attr, exec_attr, 0           \
	}

const struct apv_cmd apv_scn_cmds_state[] = {
    ATTR_EXPECT("matrix"),
    ATTR_EXPECT("guest_matrix"),
    ATTR_EXPECT("control_domains"),
    ATTR_EXPECT("ap_config"),
    {"expect", "pins", "expect pins [VM] N", "pinned NIB pages (the balance, or one VM's)",
     parse_pins, exec_pins, 0},
    {"expect", "isc", "expect isc VM GISC refs=N", "GISA guest-ISC registration count", parse_isc,
     exec_isc, 0},
    {"expect", "interrupts", "expect interrupts VCPU N",
     "adapter interruptions delivered to the vCPU", parse_interrupts, exec_interrupts, 0},
    {"expect", "driver", "expect driver APQN vfio_ap|host|none", "which driver the AP bus bound",
     parse_driver, exec_driver, 0},
    {"expect", "qstatus", "expect qstatus APQN \"in use\"|assigned|unassigned|none",
     "vfio_ap queue status attribute", parse_driver, exec_driver, 0},
    {"expect", "queue",
     "expect queue APQN [irq=on|off] [nib=A] "
     "[queued|replies|requests|done|discarded|interrupts|aqic=N] [rc=N] [exists=yes|no]",
     "the hardware's view of a queue", parse_hq, exec_hq, 0},
    {"expect", "saved",
     "expect saved MDEV APQN [linked=yes|no] [shadow=yes|no] [nib=A] [isc=N|none] [reset_rc=N]",
     "vfio_ap's view of a queue (saved NIB and ISC)", parse_sq, exec_sq, 0},
    {"expect", "masks", "expect masks VM [apm=IDS] [aqm=IDS] [adm=IDS]", "the guest's CRYCB APCB",
     parse_masks, exec_masks, 0},
    {"expect", "hook", "expect hook VM set|none", "the PQAP hook publication", parse_hook,
     exec_hook, 0},
    {"expect", "counters", "expect counters VCPU [intercepts|exits|pgm|interpreted|interrupts=N]",
     "vCPU statistics", parse_counters, exec_counters, 0},
    {"expect", "vfio_ap",
     "expect vfio_ap [aqic_enable|aqic_disable|resets|req_notifications|cfg_notifications=N]",
     "vfio_ap statistics", parse_vfio, exec_vfio, 0},
    {"expect", "gisa", "expect gisa VM [ipm=M] [iam=M] [alerted=yes|no] [gal_interrupts=N]",
     "the VM's GISA", parse_gisa, exec_gisa, 0},
    {"expect", "mem", "expect mem VM ADDR HEXBYTES", "guest memory contents (e.g. a NIB)",
     parse_mem, exec_mem, 0},
    {"expect", "balance", "expect balance zero | [pins|isc|vmrefs|hooks|calls=N]",
     "the resource balance", parse_balance, exec_balance, 0},
    {"expect", "requests", "expect requests MDEV N", "request notifications user space received",
     parse_requests, exec_requests, 0},
    {"expect", "attached", "expect attached MDEV VM|none", "which VM the mdev is attached to",
     parse_attached, exec_attached, 0},
    {"expect", "crycb", "expect crycb VM FORMAT", "CRYCB format (0, 1, 2)", parse_crycb, exec_crycb,
     0},
    {"expect", "facility", "expect facility VM N on|off", "a facility as the guest sees it",
     parse_facility, exec_facility, 0},
    {"expect", "apie", "expect apie VM on|off", "AP interpretation", apv_pc_args_vm_onoff,
     exec_apie, 0},
    {"expect", "time", "expect time DUR|LO..HI", "the virtual clock (or a window, ends included)",
     parse_time, exec_time, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
