/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host commands: the machine's AP configuration (host, adapter, domain,
 * control_domain), run-time configuration changes, fault injection, and
 * the AP bus (rescan, apmask/aqmask, per-queue bind and unbind).
 */
#include "scenario_internal.h"

#include <errno.h>
#include <string.h>

/* ---- host --------------------------------------------------------------------------- */

enum {
	H_AP = 0,
	H_APXA,
	H_QCI,
	H_APFT,
	H_AQIC,
	H_AIV,
	H_GISA,
	H_NA,
	H_ND,
	H_RESET,
	H_IRQ,
	H_REPLY
};

static const struct apv_opt host_opts[] = {
    {"ap", APV_OPT_BOOL, H_AP, 0, NULL, NULL},
    {"apxa", APV_OPT_BOOL, H_APXA, 0, NULL, NULL},
    {"qci", APV_OPT_BOOL, H_QCI, 0, NULL, NULL},
    {"apft", APV_OPT_BOOL, H_APFT, 0, NULL, NULL},
    {"aqic", APV_OPT_BOOL, H_AQIC, 0, NULL, NULL},
    {"aiv", APV_OPT_BOOL, H_AIV, 0, NULL, NULL},
    {"gisa", APV_OPT_BOOL, H_GISA, 0, NULL, NULL},
    {"na", APV_OPT_NUM, H_NA, 255, NULL, "a maximum adapter number"},
    {"nd", APV_OPT_NUM, H_ND, 255, NULL, "a maximum domain number"},
    {"reset", APV_OPT_DUR, H_RESET, 0, NULL, NULL},
    {"irq", APV_OPT_DUR, H_IRQ, 0, NULL, NULL},
    {"reply", APV_OPT_DUR, H_REPLY, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_host(struct apv_pcur *c)
{
	return apv_pc_opts(c, host_opts);
}

static int exec_host(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	if (w->host_fixed)
		return apv_w_fail(w, "'host' must come before every command that uses the host "
				     "(the host is already running)");
	struct apv_hw_config *h = &w->hwcfg;
	if (v[H_AP].kind)
		w->ap_installed = v[H_AP].u;
	if (v[H_APXA].kind) {
		h->apxa = v[H_APXA].u;
		/* Without APXA the architecture caps the IDs at 63 and 15. */
		if (!h->apxa && !v[H_NA].kind && h->na > 63)
			h->na = 63;
		if (!h->apxa && !v[H_ND].kind && h->nd > 15)
			h->nd = 15;
	}
	if (v[H_QCI].kind)
		h->qci = v[H_QCI].u;
	if (v[H_APFT].kind)
		h->apft = v[H_APFT].u;
	if (v[H_AQIC].kind)
		h->aqic = v[H_AQIC].u;
	if (v[H_NA].kind)
		h->na = (uint8_t)v[H_NA].u;
	if (v[H_ND].kind)
		h->nd = (uint8_t)v[H_ND].u;
	if (v[H_RESET].kind)
		h->reset_ns = v[H_RESET].u;
	if (v[H_IRQ].kind)
		h->irq_ns = v[H_IRQ].u;
	if (v[H_REPLY].kind)
		h->reply_ns = v[H_REPLY].u;
	if (v[H_AIV].kind)
		w->kcfg.aiv = v[H_AIV].u;
	if (v[H_GISA].kind)
		w->kcfg.use_gisa = v[H_GISA].u;
	return apv_world_need_hw(w);
}

/* ---- adapter / domain / control_domain ------------------------------------------------- */

enum { A_IDS = 0, A_TYPE, A_MODE, A_QD, A_ND, A_ML, A_4K, A_CONFIG, A_SERIAL };
static const char *const ap_types[] = {"cex4", "cex5", "cex6", "cex7", "cex8", NULL};
static const char *const ap_modes[] = {"accel", "cca", "ep11", NULL};

static const struct apv_opt adapter_opts[] = {
    {"type", APV_OPT_ENUM, A_TYPE, 0, ap_types, NULL},
    {"mode", APV_OPT_ENUM, A_MODE, 0, ap_modes, NULL},
    {"qd", APV_OPT_NUM, A_QD, 15, NULL, "a queue depth"},
    {"nd", APV_OPT_NUM, A_ND, 255, NULL, "a number of domains"},
    {"ml", APV_OPT_NUM, A_ML, 15, NULL, "a message length in 4K units"},
    {"4k", APV_OPT_BOOL, A_4K, 0, NULL, NULL},
    {"config", APV_OPT_BOOL, A_CONFIG, 0, NULL, NULL},
    {"serial", APV_OPT_STR, A_SERIAL, 0, NULL, "a serial number"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_adapter(struct apv_pcur *c)
{
	if (apv_pc_ids(c, A_IDS, "adapter numbers (like 5 or 5-6)", 255) < 0)
		return -1;
	if (apv_pc_opts(c, adapter_opts) < 0)
		return -1;
	const struct apv_val *sn = &c->step->v[A_SERIAL];
	if (sn->kind && strlen(sn->s) > APV_EP11_SERIAL_LEN)
		return apv_pc_fail_val(c, sn->tok,
				       "a serial number has at most 16 characters (CCA cards: 8)");
	return 0;
}

static int exec_adapter(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	struct apv_adapter_config a;
	unsigned id;
	char why[64];
	if (apv_world_need_hw(w) < 0)
		return -1;
	apv_adapter_config_default(&a);
	if (v[A_TYPE].kind)
		a.at = (uint8_t)(APV_AT_CEX4 + v[A_TYPE].u);
	if (v[A_MODE].kind)
		a.mode = (enum apv_ap_mode)v[A_MODE].u;
	if (v[A_QD].kind)
		a.qd = (uint8_t)v[A_QD].u;
	if (v[A_ND].kind)
		a.nd = (uint8_t)v[A_ND].u;
	if (v[A_ML].kind)
		a.ml = (uint8_t)v[A_ML].u;
	if (v[A_4K].kind)
		a.mex4k = a.crt4k = v[A_4K].u;
	if (v[A_SERIAL].kind)
		snprintf(a.serial, sizeof(a.serial), "%s", v[A_SERIAL].s);
	apv_mask_for_each(id, &v[A_IDS].m)
	{
		int rc = apv_hw_add_adapter(w->hw, id, &a);
		if (rc == 0 && v[A_CONFIG].kind && !v[A_CONFIG].u)
			rc = apv_hw_configure_adapter(w->hw, id, false);
		if (rc) {
			snprintf(why, sizeof(why), "adapter %u", id);
			apv_w_action(w, rc, why);
			return 0;
		}
	}
	return 0;
}

enum { D_IDS = 0, D_CONFIG };
static const struct apv_opt domain_opts[] = {
    {"config", APV_OPT_BOOL, D_CONFIG, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct apv_opt no_opts[] = {{NULL, 0, 0, 0, NULL, NULL}};

static int parse_domain(struct apv_pcur *c)
{
	if (apv_pc_ids(c, D_IDS, "domain numbers (like 4 or 4-6)", 255) < 0)
		return -1;
	return apv_pc_opts(c, domain_opts);
}

static int parse_cdom(struct apv_pcur *c)
{
	if (apv_pc_ids(c, D_IDS, "control domain numbers (like 4 or 4-6)", 255) < 0)
		return -1;
	return apv_pc_opts(c, no_opts);
}

static int exec_domain(struct apv_world *w, const struct apv_step *s)
{
	bool control = strcmp(s->cmd->name, "control_domain") == 0;
	unsigned id;
	char why[64];
	if (apv_world_need_hw(w) < 0)
		return -1;
	apv_mask_for_each(id, &s->v[D_IDS].m)
	{
		int rc =
		    control ? apv_hw_add_control_domain(w->hw, id) : apv_hw_add_domain(w->hw, id);
		if (rc == 0 && !control && s->v[D_CONFIG].kind && !s->v[D_CONFIG].u)
			rc = apv_hw_configure_domain(w->hw, id, false);
		if (rc) {
			snprintf(why, sizeof(why), "%sdomain %u", control ? "control " : "", id);
			apv_w_action(w, rc, why);
			return 0;
		}
	}
	return 0;
}

/* ---- configure adapter|domain ID on|off ------------------------------------------------ */

static int parse_configure(struct apv_pcur *c)
{
	bool adapter = strcmp(c->step->cmd->sub, "adapter") == 0;
	if (apv_pc_num(c, 0, adapter ? "an adapter number" : "a domain number", 255) < 0)
		return -1;
	if (apv_pc_word(c, 1, "state", apv_scn_onoff) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_configure(struct apv_world *w, const struct apv_step *s)
{
	bool adapter = strcmp(s->cmd->sub, "adapter") == 0;
	bool on = s->v[1].u == 0;
	if (apv_world_need_hw(w) < 0)
		return -1;
	int rc = adapter ? apv_hw_configure_adapter(w->hw, (unsigned)s->v[0].u, on)
			 : apv_hw_configure_domain(w->hw, (unsigned)s->v[0].u, on);
	apv_w_action(w, rc, NULL);
	return 0;
}

/* ---- fault APQN KIND [count=N] ---------------------------------------------------------- */

enum { F_APQN = 0, F_KIND, F_ARG, F_COUNT, F_FOR };
static const char *const fault_words[] = {
    "none", "busy", "reset", "deconfigured", "checkstop", "aqic-rc07", "aqic-rc", "slow", NULL};
static const enum apv_hw_fault fault_kinds[] = {
    APV_FAULT_NONE,	 APV_FAULT_BUSY,      APV_FAULT_RESET,	 APV_FAULT_DECONFIGURED,
    APV_FAULT_CHECKSTOP, APV_FAULT_AQIC_RC07, APV_FAULT_AQIC_RC, APV_FAULT_SLOW};
static const struct apv_opt fault_opts[] = {
    {"count", APV_OPT_NUM, F_COUNT, 1000000, NULL, "a count"},
    {"for", APV_OPT_DUR, F_FOR, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_fault(struct apv_pcur *c)
{
	const char *what = "a fault (none, busy, reset, deconfigured, checkstop, aqic-rc07, "
			   "aqic-rc=RC or slow=DURATION)";
	char prev[64];
	if (apv_pc_apqn(c, F_APQN) < 0)
		return -1;
	if (!apv_pc_more(c)) {
		apv_pc_need(c, what);
		return -1;
	}
	const struct apv_tok *t = &c->step->st.tok[c->i];
	const char *word = t->key ? t->key : t->text;
	int kind = -1;
	for (int i = 0; fault_words[i]; i++)
		if (strcmp(word, fault_words[i]) == 0)
			kind = i;
	if (kind < 0 || t->quoted) {
		char got[64];
		return apv_pc_fail(c, t, "expected %s after '%s', got '%s'", what,
				   apv_pc_prev(c, prev, sizeof(prev)),
				   apv_tok_show(t, got, sizeof(got)));
	}
	bool needs_value =
	    fault_kinds[kind] == APV_FAULT_AQIC_RC || fault_kinds[kind] == APV_FAULT_SLOW;
	if (needs_value && !t->key)
		return apv_pc_fail(c, t, "fault '%s' needs a value (%s=...)", word, word);
	if (!needs_value && t->key)
		return apv_pc_fail(c, t, "fault '%s' takes no value", word);
	c->step->v[F_KIND] =
	    (struct apv_val){.kind = APV_V_NUM, .u = (uint64_t)fault_kinds[kind], .tok = t};
	if (fault_kinds[kind] == APV_FAULT_AQIC_RC) {
		uint64_t rc;
		int e = apv_scn_parse_num(t->text, 255, &rc);
		if (e < 0)
			return apv_pc_fail_val(
			    c, t, "expected a response code (0-255) for 'aqic-rc', got '%s'",
			    t->text);
		c->step->v[F_ARG] = (struct apv_val){.kind = APV_V_NUM, .u = rc, .tok = t};
	} else if (fault_kinds[kind] == APV_FAULT_SLOW) {
		uint64_t ns;
		int e = apv_scn_parse_dur(t->text, &ns);
		if (e == -ENOENT)
			return apv_pc_fail_val(c, t, "duration '%s' needs a unit: ns, us, ms or s",
					       t->text);
		if (e < 0)
			return apv_pc_fail_val(
			    c, t, "expected a duration (like 5ms) for 'slow', got '%s'", t->text);
		c->step->v[F_ARG] = (struct apv_val){.kind = APV_V_NUM, .u = ns, .tok = t};
	}
	c->i++;
	if (apv_pc_opts(c, fault_opts) < 0)
		return -1;
	const struct apv_val *d = &c->step->v[F_FOR];
	if (d->kind && fault_kinds[kind] == APV_FAULT_NONE)
		return apv_pc_fail(c, d->tok,
				   "'fault ... none' clears every fault: it takes no 'for'");
	if (d->kind && d->u == 0)
		return apv_pc_fail_val(c, d->tok,
				       "'for' needs a duration above 0 (leave it out for "
				       "a fault that lasts)");
	return 0;
}

static int exec_fault(struct apv_world *w, const struct apv_step *s)
{
	struct apv_hw_fault_spec f = {0};
	if (apv_world_need_hw(w) < 0)
		return -1;
	f.kind = (enum apv_hw_fault)s->v[F_KIND].u;
	f.count = s->v[F_COUNT].kind ? (unsigned)s->v[F_COUNT].u : 0;
	if (f.kind == APV_FAULT_AQIC_RC)
		f.rc = (uint8_t)s->v[F_ARG].u;
	if (f.kind == APV_FAULT_SLOW)
		f.ns = s->v[F_ARG].u;
	f.for_ns = s->v[F_FOR].kind ? s->v[F_FOR].u : 0;
	apv_w_action(w, apv_hw_inject(w->hw, (apv_apqn_t)s->v[F_APQN].u, &f), NULL);
	return 0;
}

/* ---- the AP bus --------------------------------------------------------------------------- */

static int exec_rescan(struct apv_world *w, const struct apv_step *s)
{
	(void)s;
	if (apv_world_need_matrix(w) < 0)
		return -1;
	apv_bus_rescan(w->matrix);
	return 0;
}

static int parse_busmask(struct apv_pcur *c)
{
	if (apv_pc_str(c, 0, "a mask (0x... bitmap, or +N,-M edits)") < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_busmask(struct apv_world *w, const struct apv_step *s)
{
	char why[256] = "";
	if (apv_world_need_matrix(w) < 0)
		return -1;
	bool adapters = strcmp(s->cmd->sub, "apmask") == 0;
	int rc = apv_bus_store_mask(w->matrix, adapters, s->v[0].s, why, sizeof(why));
	apv_w_action(w, rc, why);
	return 0;
}

/* ---- bind / unbind APQN: one queue device's driver -------------------------------------- */

static const char *const bind_drivers[] = {"host", "vfio_ap", NULL};

static int parse_bind(struct apv_pcur *c)
{
	bool bind = strcmp(c->step->cmd->name, "bind") == 0;
	if (apv_pc_apqn(c, 0) < 0)
		return -1;
	if ((bind || apv_pc_more(c)) && apv_pc_word(c, 1, "driver", bind_drivers) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_bind(struct apv_world *w, const struct apv_step *s)
{
	/* The driver words are in enum order after APV_DRV_NONE. */
	enum apv_queue_driver drv =
	    s->v[1].kind ? (enum apv_queue_driver)(s->v[1].u + 1) : APV_DRV_NONE;
	apv_apqn_t q = (apv_apqn_t)s->v[0].u;
	if (apv_world_need_matrix(w) < 0)
		return -1;
	int rc = strcmp(s->cmd->name, "bind") == 0 ? apv_bus_bind(w->matrix, q, drv)
						   : apv_bus_unbind(w->matrix, q, drv);
	apv_w_action(w, rc, NULL);
	return 0;
}

static int parse_ap(struct apv_pcur *c)
{
	if (apv_pc_word(c, 0, "state", apv_scn_onoff) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_ap(struct apv_world *w, const struct apv_step *s)
{
	if (apv_world_need_hw(w) < 0)
		return -1;
	w->ap_installed = s->v[0].u == 0;
	apv_hw_set_installed(w->hw, w->ap_installed);
	return 0;
}

const struct apv_cmd apv_scn_cmds_host[] = {
    {"host", NULL,
     "host [apxa=on|off] [na=N] [nd=N] [qci|apft|aqic|aiv|gisa|ap=on|off] [reset|irq|reply=DUR]",
     "the machine: facilities and timings (before anything uses the host)", parse_host, exec_host,
     0},
    {"adapter", NULL,
     "adapter IDS [type=cex4..cex8] [mode=accel|cca|ep11] [qd=N] [nd=N] [ml=N] [4k=on|off] "
     "[config=on|off] [serial=S]",
     "define adapters", parse_adapter, exec_adapter, APV_CMD_ACTION},
    {"domain", NULL, "domain IDS [config=on|off]", "define usage domains", parse_domain,
     exec_domain, APV_CMD_ACTION},
    {"control_domain", NULL, "control_domain IDS", "define control domains", parse_cdom,
     exec_domain, APV_CMD_ACTION},
    {"configure", "adapter", "configure adapter ID on|off",
     "configure/deconfigure an adapter at run time", parse_configure, exec_configure,
     APV_CMD_ACTION},
    {"configure", "domain", "configure domain ID on|off",
     "configure/deconfigure a domain at run time", parse_configure, exec_configure, APV_CMD_ACTION},
    {"fault", NULL,
     "fault APQN none|busy|reset|deconfigured|checkstop|aqic-rc07|aqic-rc=RC|slow=DUR [count=N] "
     "[for=DUR]",
     "inject a hardware fault into a queue", parse_fault, exec_fault, APV_CMD_ACTION},
    {"ap_instructions", NULL, "ap_instructions on|off",
     "the host's AP instructions appear/disappear (PQAP raises an operation exception)", parse_ap,
     exec_ap, 0},
    {"rescan", NULL, "rescan", "the AP bus re-reads the configuration (hot plug)", apv_pc_end,
     exec_rescan, 0},
    {"unbind", NULL, "unbind APQN [vfio_ap|host]",
     "release one queue device from its driver (.../drivers/DRIVER/unbind)", parse_bind, exec_bind,
     APV_CMD_ACTION},
    {"bind", NULL, "bind APQN vfio_ap|host", "bind one queue device to a driver (.../bind)",
     parse_bind, exec_bind, APV_CMD_ACTION},
    {"bus", "apmask", "bus apmask MASK", "/sys/bus/ap/apmask (0x... or +N,-M)", parse_busmask,
     exec_busmask, APV_CMD_ACTION},
    {"bus", "aqmask", "bus aqmask MASK", "/sys/bus/ap/aqmask (0x... or +N,-M)", parse_busmask,
     exec_busmask, APV_CMD_ACTION},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
