/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VM and vCPU commands: VM creation with facilities, vCPUs, APIE, guest
 * memory, register and PSW state, and guest instructions with explicit
 * register values (exec) or with the fields spelt out (pqap/nqap/dqap).
 */
#include "scenario_internal.h"

#include <apvirt/testing.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEM (UINT64_C(4) << 20)

/* ---- vm NAME [facilities=...] [pv] [apie=on|off] [mem=SIZE] [vcpus=N] -------------------- */

enum { VM_NAME = 0, VM_FAC, VM_PV, VM_APIE, VM_MEM, VM_VCPUS, VM_FACMASK };

static const struct apv_opt vm_opts[] = {
    {"facilities", APV_OPT_STR, VM_FAC, 0, NULL, NULL},
    {"pv", APV_OPT_FLAG, VM_PV, 0, NULL, NULL},
    {"apie", APV_OPT_BOOL, VM_APIE, 0, NULL, NULL},
    {"mem", APV_OPT_SIZE, VM_MEM, 0, NULL, NULL},
    {"vcpus", APV_OPT_NUM, VM_VCPUS, APV_SCN_MAX_VCPUS, NULL, "a number of vCPUs"},
    {NULL, 0, 0, 0, NULL, NULL},
};

/*
 * "12,15,65,76" is exactly that list; "default,-65" or "+9" edit the
 * default list (12, 15, 65, 76).
 */
static int parse_facilities(struct apv_pcur *c, const struct apv_tok *t, struct apv_mask *m)
{
	static const unsigned dflt[] = {APV_FAC_QCI, APV_FAC_APFT, APV_FAC_AQIC, APV_FAC_MSAX3};
	const char *s = t->text;
	bool edits = !strncmp(s, "default", 7) || s[0] == '+' || s[0] == '-';
	memset(m, 0, sizeof(*m));
	if (edits)
		for (size_t i = 0; i < 4; i++)
			apv_mask_set(m, dflt[i]);
	if (!*s)
		return 0;
	char *copy = strdup(s), *save = NULL;
	if (!copy)
		return apv_pc_fail(c, t, "out of memory");
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		uint64_t n;
		if (strcmp(item, "default") == 0)
			continue;
		char op = (item[0] == '+' || item[0] == '-') ? item[0] : 0;
		if (apv_scn_parse_num(item + (op ? 1 : 0), 255, &n) < 0) {
			apv_pc_fail_val(
			    c, t,
			    "expected facility numbers 0-255 (like 12,15,65,76 or default,-65) for "
			    "'facilities', got '%s'",
			    item);
			free(copy);
			return -1;
		}
		if (op == '-')
			apv_mask_clear(m, (unsigned)n);
		else
			apv_mask_set(m, (unsigned)n);
	}
	free(copy);
	return 0;
}

static int parse_vm(struct apv_pcur *c)
{
	const struct apv_tok *t = apv_pc_need(c, "a VM name");
	if (!t || apv_pc_newname(c, t, "VM") < 0)
		return -1;
	c->step->v[VM_NAME] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
	if (apv_pc_opts(c, vm_opts) < 0)
		return -1;
	if (c->step->v[VM_FAC].kind) {
		struct apv_val *fm = &c->step->v[VM_FACMASK];
		if (parse_facilities(c, c->step->v[VM_FAC].tok, &fm->m) < 0)
			return -1;
		fm->kind = APV_V_MASK;
	}
	unsigned n = c->step->v[VM_VCPUS].kind ? (unsigned)c->step->v[VM_VCPUS].u : 1;
	return apv_pc_define_vm(c, t, n >= 32 ? ~0u : (1u << n) - 1);
}

static int exec_vm(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	struct apv_vm_config cfg;
	if (apv_world_need_kvm(w) < 0)
		return -1;
	apv_vm_config_default(&cfg);
	if (v[VM_FACMASK].kind)
		memcpy(cfg.fac.b, v[VM_FACMASK].m.b, sizeof(cfg.fac.b));
	cfg.pv = v[VM_PV].kind != APV_V_NONE;
	cfg.name = v[VM_NAME].s;
	struct apv_wvm *vm = apv_world_add_vm(w, v[VM_NAME].s);
	if (!vm)
		return apv_w_fail(w, "out of memory");
	vm->vm = apv_vm_new(w->kvm, &cfg);
	if (!vm->vm) {
		apv_w_action(w, -ENOMEM, "the VM could not be created");
		return 0;
	}
	vm->mem_size = v[VM_MEM].kind ? v[VM_MEM].u : DEFAULT_MEM;
	int rc = apv_vm_add_memslot(vm->vm, 0, vm->mem_size, NULL);
	if (rc) {
		apv_w_action(w, rc, "guest memory");
		return 0;
	}
	/* QEMU turns interpretation on for a guest with AP; without host AP it cannot. */
	bool apie = v[VM_APIE].kind ? v[VM_APIE].u : true;
	rc = apv_vm_set_apie(vm->vm, apie);
	if (rc && v[VM_APIE].kind) {
		apv_w_action(w, rc, "apie");
		return 0;
	}
	unsigned n = v[VM_VCPUS].kind ? (unsigned)v[VM_VCPUS].u : 1;
	for (unsigned i = 0; i < n; i++) {
		vm->vcpu[i] = apv_vcpu_new(vm->vm, i);
		if (!vm->vcpu[i])
			return apv_w_fail(w, "cannot create vCPU %s.%u", vm->name, i);
	}
	return 0;
}

static int parse_vm_destroy(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_end(c) < 0)
		return -1;
	apv_pc_forget(c, c->step->v[0].s, true);
	return 0;
}

static int exec_vm_destroy(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	apv_world_destroy_vm(vm);
	return 0;
}

/* ---- vcpu VM.N ---------------------------------------------------------------------------------
 */

static int parse_vcpu(struct apv_pcur *c)
{
	const struct apv_tok *t = apv_pc_need(c, "a vCPU (VM.N, like g1.1)");
	if (!t || apv_pc_define_vcpu(c, t) < 0)
		return -1;
	c->step->v[0] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
	return apv_pc_end(c);
}

static int exec_vcpu(struct apv_world *w, const struct apv_step *s)
{
	const char *spec = s->v[0].s;
	const char *dot = strrchr(spec, '.');
	char name[64];
	snprintf(name, sizeof(name), "%.*s", (int)(dot - spec), spec);
	struct apv_wvm *vm = apv_x_need_vm(w, name);
	if (!vm)
		return -1;
	unsigned id = (unsigned)strtoul(dot + 1, NULL, 0);
	vm->vcpu[id] = apv_vcpu_new(vm->vm, id);
	if (!vm->vcpu[id])
		return apv_w_fail(w, "cannot create vCPU %s", spec);
	return 0;
}

/* ---- apie VM on|off -----------------------------------------------------------------------------
 */

static int exec_apie(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	apv_w_action(w, apv_vm_set_apie(vm->vm, s->v[1].u == 0), NULL);
	return 0;
}

/* Test hook of the KVM layer: the guest-ISC registration of an enable fails. */
static int exec_gisc_fail(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	apv_w_action(w, apv_vm_set_gisc_register_failure(vm->vm, s->v[1].u == 0 ? -EIO : 0), NULL);
	return 0;
}

/* Nested under a level that does not interpret AP: every AP instruction is intercepted. */
static int exec_nested(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	apv_vm_set_nested_intercept(vm->vm, s->v[1].u == 0);
	return 0;
}

/* ---- set VCPU grN=... psw=... -------------------------------------------------------------------
 */

enum { S_VCPU = 0, S_GR0 = 1, S_PSW = 17, S_CC, S_IO, S_CR6, S_RUNNING, S_WAIT };
static const char *const psw_states[] = {"supervisor", "problem", NULL};

#define GR_OPT(n)                                                                                  \
	{                                                                                          \
		"gr" #n, APV_OPT_NUM, S_GR0 + n, UINT64_MAX, NULL, "a register value"              \
	}
static const struct apv_opt set_opts[] = {
    GR_OPT(0),
    GR_OPT(1),
    GR_OPT(2),
    GR_OPT(3),
    GR_OPT(4),
    GR_OPT(5),
    GR_OPT(6),
    GR_OPT(7),
    GR_OPT(8),
    GR_OPT(9),
    GR_OPT(10),
    GR_OPT(11),
    GR_OPT(12),
    GR_OPT(13),
    GR_OPT(14),
    GR_OPT(15),
    {"psw", APV_OPT_ENUM, S_PSW, 0, psw_states, NULL},
    {"cc", APV_OPT_NUM, S_CC, 3, NULL, "a condition code"},
    {"io", APV_OPT_BOOL, S_IO, 0, NULL, NULL},
    {"cr6", APV_OPT_NUM, S_CR6, 255, NULL, "an ISC mask (0x80 >> isc)"},
    {"running", APV_OPT_BOOL, S_RUNNING, 0, NULL, NULL},
    {"wait", APV_OPT_BOOL, S_WAIT, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_set(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, S_VCPU) < 0)
		return -1;
	if (!apv_pc_more(c))
		return apv_pc_fail(
		    c, NULL,
		    "'set' needs at least one register or PSW field (like gr0=0x03000504)");
	return apv_pc_opts(c, set_opts);
}

static int exec_set(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	struct apv_vcpu *vc = apv_x_need_vcpu(w, v[S_VCPU].s, NULL, NULL);
	if (!vc)
		return -1;
	struct apv_regs *r = apv_vcpu_regs(vc);
	struct apv_psw *psw = apv_vcpu_psw(vc);
	for (unsigned i = 0; i < 16; i++)
		if (v[S_GR0 + i].kind)
			r->gr[i] = v[S_GR0 + i].u;
	if (v[S_PSW].kind)
		psw->problem_state = v[S_PSW].u == 1;
	if (v[S_CC].kind)
		psw->cc = (uint8_t)v[S_CC].u;
	if (v[S_WAIT].kind)
		psw->wait = v[S_WAIT].u;
	if (v[S_IO].kind)
		psw->io_enabled = v[S_IO].u;
	if (v[S_CR6].kind)
		apv_vcpu_set_cr6(vc, (uint8_t)v[S_CR6].u);
	if (v[S_RUNNING].kind)
		apv_vcpu_set_running(vc, v[S_RUNNING].u);
	return 0;
}

/* ---- exec VCPU pqap | nqap R1,R2 | dqap R1,R2
 * ------------------------------------------------------ */

static const char *const insns[] = {"pqap", "nqap", "dqap", NULL};
static const uint16_t opcodes[] = {APV_OP_PQAP, APV_OP_NQAP, APV_OP_DQAP};

static int parse_exec(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, 0) < 0 || apv_pc_word(c, 1, "instruction", insns) < 0)
		return -1;
	c->step->v[1].u = opcodes[c->step->v[1].u];
	if (c->step->v[1].u != APV_OP_PQAP) {
		const char *what = "registers R1,R2 (like 4,2)";
		const struct apv_tok *t = apv_pc_need(c, what);
		if (!t)
			return -1;
		char a[8], b[8];
		uint64_t r1, r2;
		const char *comma = strchr(t->text, ',');
		if (!comma || comma - t->text > 7 || strlen(comma + 1) > 7)
			return apv_pc_fail(c, t, "expected %s after '%s', got '%s'", what,
					   c->step->v[1].s, t->text);
		snprintf(a, sizeof(a), "%.*s", (int)(comma - t->text), t->text);
		snprintf(b, sizeof(b), "%s", comma + 1);
		if (apv_scn_parse_num(a, 15, &r1) < 0 || apv_scn_parse_num(b, 15, &r2) < 0)
			return apv_pc_fail(c, t,
					   "expected %s with registers 0-15 after '%s', got '%s'",
					   what, c->step->v[1].s, t->text);
		c->step->v[2] = (struct apv_val){.kind = APV_V_NUM, .u = r1, .tok = t};
		c->step->v[3] = (struct apv_val){.kind = APV_V_NUM, .u = r2, .tok = t};
	}
	return apv_pc_end(c);
}

static int exec_exec(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm;
	unsigned id;
	if (!apv_x_need_vcpu(w, s->v[0].s, &vm, &id))
		return -1;
	apv_w_execute(w, vm, id, (uint16_t)s->v[1].u, (unsigned)s->v[2].u, (unsigned)s->v[3].u);
	return 0;
}

/* ---- pqap VCPU FC [APQN] [fields]
 * ---------------------------------------------------------------------- */

enum {
	P_VCPU = 0,
	P_FC,
	P_APQN,
	P_T,
	P_F,
	P_IR,
	P_ISC,
	P_GISC,
	P_ZONE,
	P_GF,
	P_GISA,
	P_NIB,
	P_ADDR,
	P_GR1,
	P_GR2,
	P_BITS
};
static const char *const fc_names[] = {"tapq", "rapq", "zapq", "aqic", "qci",
				       "qact", "qbap", "bapq", "aapq", NULL};

static const struct apv_opt pqap_opts[] = {
    {"t", APV_OPT_FLAG, P_T, 0, NULL, NULL},
    {"f", APV_OPT_FLAG, P_F, 0, NULL, NULL},
    {"ir", APV_OPT_BOOL, P_IR, 0, NULL, NULL},
    {"isc", APV_OPT_NUM, P_ISC, 7, NULL, "an ISC (0-7)"},
    {"gisc", APV_OPT_NUM, P_GISC, 7, NULL, "a guest ISC (0-7)"},
    {"zone", APV_OPT_NUM, P_ZONE, 255, NULL, "a zone number"},
    {"gf", APV_OPT_NUM, P_GF, 3, NULL, "a GISA format (0-3)"},
    {"gisa", APV_OPT_NUM, P_GISA, 0x7FFFFFF, NULL, "a GISA origin >> 4"},
    {"nib", APV_OPT_NUM, P_NIB, UINT64_MAX, NULL, "a NIB address"},
    {"addr", APV_OPT_NUM, P_ADDR, UINT64_MAX, NULL, "an address"},
    {"gr1", APV_OPT_NUM, P_GR1, UINT64_MAX, NULL, "a register value"},
    {"gr2", APV_OPT_NUM, P_GR2, UINT64_MAX, NULL, "a register value"},
    {"gr0bits", APV_OPT_NUM, P_BITS, UINT64_MAX, NULL, "extra GR0 bits"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_pqap(struct apv_pcur *c)
{
	const char *what =
	    "a function code (tapq, rapq, zapq, aqic, qci, qact, bapq, aapq or a number)";
	char prev[64];
	if (apv_pc_vcpu(c, P_VCPU) < 0)
		return -1;
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	uint64_t fc = 256;
	for (int i = 0; fc_names[i]; i++)
		if (strcmp(t->text, fc_names[i]) == 0)
			fc = (uint64_t)i;
	if (fc == 256 && apv_scn_parse_num(t->text, 255, &fc) < 0) {
		c->i--;
		apv_pc_prev(c, prev, sizeof(prev));
		c->i++;
		return apv_pc_fail(c, t, "expected %s after '%s', got '%s'", what, prev, t->text);
	}
	c->step->v[P_FC] = (struct apv_val){.kind = APV_V_NUM, .u = fc, .tok = t};
	/* QCI names no queue; every other function needs one. */
	const struct apv_tok *q = apv_pc_peek(c);
	if (fc != APV_FC_QCI || (q && strchr(q->text, '.'))) {
		if (apv_pc_apqn(c, P_APQN) < 0)
			return -1;
	}
	return apv_pc_opts(c, pqap_opts);
}

static int exec_pqap(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	struct apv_wvm *vm;
	unsigned id;
	struct apv_vcpu *vc = apv_x_need_vcpu(w, v[P_VCPU].s, &vm, &id);
	if (!vc)
		return -1;
	struct apv_regs *r = apv_vcpu_regs(vc);
	unsigned fc = (unsigned)v[P_FC].u;
	r->gr[0] =
	    apv_gr0_pqap(fc, (apv_apqn_t)v[P_APQN].u, v[P_T].kind, v[P_F].kind) | v[P_BITS].u;
	if (fc == APV_FC_AQIC) {
		struct apv_aqic_ctrl ctl = {
		    .zone = (uint8_t)v[P_ZONE].u,
		    .ir = v[P_IR].u,
		    .gisc = (uint8_t)v[P_GISC].u,
		    .gf = (uint8_t)v[P_GF].u,
		    .gisa = (uint32_t)v[P_GISA].u,
		    .isc = (uint8_t)v[P_ISC].u,
		};
		r->gr[1] = apv_aqic_ctrl_encode(ctl);
		r->gr[2] = v[P_NIB].u;
	} else if (fc == APV_FC_QCI) {
		r->gr[2] = v[P_ADDR].u;
	}
	if (v[P_GR1].kind)
		r->gr[1] = v[P_GR1].u;
	if (v[P_GR2].kind)
		r->gr[2] = v[P_GR2].u;
	apv_w_execute(w, vm, id, APV_OP_PQAP, 0, 0);
	return 0;
}

/* ---- nqap / dqap VCPU APQN addr=... len=...
 * ------------------------------------------------------------------ */

enum { Q_VCPU = 0, Q_APQN, Q_ADDR, Q_LEN, Q_PSMID, Q_R1, Q_R2, Q_FLAG, Q_BITS };

static const struct apv_opt nqap_opts[] = {
    {"addr", APV_OPT_NUM, Q_ADDR, UINT64_MAX, NULL, "a message address"},
    {"len", APV_OPT_NUM, Q_LEN, UINT64_MAX, NULL, "a length"},
    {"psmid", APV_OPT_NUM, Q_PSMID, UINT64_MAX, NULL, "a PSMID"},
    {"r1", APV_OPT_NUM, Q_R1, 15, NULL, "a register number"},
    {"r2", APV_OPT_NUM, Q_R2, 15, NULL, "a register number"},
    {"last", APV_OPT_BOOL, Q_FLAG, 0, NULL, NULL},
    {"gr0bits", APV_OPT_NUM, Q_BITS, UINT64_MAX, NULL, "extra GR0 bits"},
    {NULL, 0, 0, 0, NULL, NULL},
};
static const struct apv_opt dqap_opts[] = {
    {"addr", APV_OPT_NUM, Q_ADDR, UINT64_MAX, NULL, "a buffer address"},
    {"len", APV_OPT_NUM, Q_LEN, UINT64_MAX, NULL, "a length"},
    {"r1", APV_OPT_NUM, Q_R1, 15, NULL, "a register number"},
    {"r2", APV_OPT_NUM, Q_R2, 15, NULL, "a register number"},
    {"first", APV_OPT_BOOL, Q_FLAG, 0, NULL, NULL},
    {"gr0bits", APV_OPT_NUM, Q_BITS, UINT64_MAX, NULL, "extra GR0 bits"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_nqdq(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, Q_VCPU) < 0 || apv_pc_apqn(c, Q_APQN) < 0)
		return -1;
	return apv_pc_opts(c, strcmp(c->step->cmd->name, "nqap") == 0 ? nqap_opts : dqap_opts);
}

static void set_reg(struct apv_regs *r, unsigned n, uint64_t v)
{
	if (n < 16)
		r->gr[n] = v;
}

static int exec_nqdq(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	bool nq = strcmp(s->cmd->name, "nqap") == 0;
	struct apv_wvm *vm;
	unsigned id;
	struct apv_vcpu *vc = apv_x_need_vcpu(w, v[Q_VCPU].s, &vm, &id);
	if (!vc)
		return -1;
	/* Default pairs as the old fixed encodings: NQAP 4,2 and DQAP 6,4. */
	unsigned r1 = v[Q_R1].kind ? (unsigned)v[Q_R1].u : (nq ? 4 : 6);
	unsigned r2 = v[Q_R2].kind ? (unsigned)v[Q_R2].u : (nq ? 2 : 4);
	bool flag = v[Q_FLAG].kind ? v[Q_FLAG].u : true;
	struct apv_regs *r = apv_vcpu_regs(vc);
	r->gr[0] = (apv_apqn_t)v[Q_APQN].u | v[Q_BITS].u;
	if (flag)
		r->gr[0] |= nq ? APV_GR0_NQAP_LAST : APV_GR0_DQAP_FIRST;
	if (nq) {
		set_reg(r, r1, (r->gr[r1] & ~UINT64_C(0xFFFFFFFF)) | (v[Q_PSMID].u >> 32));
		set_reg(r, r1 + 1, v[Q_PSMID].u & 0xFFFFFFFFu);
	} else {
		/* zcrypt clears GR2 before a DQAP: it returns the residual length. */
		r->gr[2] = 0;
	}
	set_reg(r, r2, v[Q_ADDR].u);
	set_reg(r, r2 + 1, v[Q_LEN].u);
	apv_w_execute(w, vm, id, nq ? APV_OP_NQAP : APV_OP_DQAP, r1, r2);
	return 0;
}

/* ---- mem write|share|unpinnable|slot
 * ---------------------------------------------------------------------------- */

static int parse_mem_write(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a guest address", UINT64_MAX) < 0 ||
	    apv_pc_hex(c, 2, "bytes in hex (like 0102ff)", 4096) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_mem_write(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	const char *hex = s->v[2].s;
	size_t n = strlen(hex) / 2;
	uint8_t buf[4096];
	for (size_t i = 0; i < n; i++) {
		char b[3] = {hex[2 * i], hex[2 * i + 1], 0};
		buf[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	apv_w_action(w, apv_storage_write(apv_vm_storage(vm->vm), s->v[1].u, buf, n), NULL);
	return 0;
}

static int parse_mem_flag(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a guest address", UINT64_MAX) < 0 ||
	    apv_pc_word(c, 2, "state", apv_scn_onoff) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_mem_flag(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	bool on = s->v[2].u == 0;
	int rc = strcmp(s->cmd->sub, "share") == 0 ? apv_vm_pv_set_shared(vm->vm, s->v[1].u, on)
						   : apv_vm_set_unpinnable(vm->vm, s->v[1].u, on);
	apv_w_action(w, rc, NULL);
	return 0;
}

static int parse_mem_slot(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_num(c, 1, "a guest address", UINT64_MAX) < 0)
		return -1;
	const struct apv_tok *t = apv_pc_need(c, "a size (like 1M)");
	if (!t)
		return -1;
	if (apv_scn_parse_size(t->text, &c->step->v[2].u) < 0)
		return apv_pc_fail(c, t, "expected a size (like 1M) after '%s', got '%s'",
				   c->step->v[1].tok->text, t->text);
	c->step->v[2].kind = APV_V_NUM;
	return apv_pc_end(c);
}

static int exec_mem_slot(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm = apv_x_need_vm(w, s->v[0].s);
	if (!vm)
		return -1;
	apv_w_action(w, apv_vm_add_memslot(vm->vm, s->v[1].u, s->v[2].u, NULL), NULL);
	return 0;
}

/* ---- deliver VCPU
 * --------------------------------------------------------------------------------------------------
 */

static int exec_deliver(struct apv_world *w, const struct apv_step *s)
{
	struct apv_vcpu *vc = apv_x_need_vcpu(w, s->v[0].s, NULL, NULL);
	if (!vc)
		return -1;
	apv_vcpu_deliver_pending(vc);
	return 0;
}

const struct apv_cmd apv_scn_cmds_vm[] = {
    {"vm", "destroy", "vm destroy VM",
     "free the vCPUs and drop the VM (mdevs keep their reference)", parse_vm_destroy,
     exec_vm_destroy, 0},
    {"vm", NULL, "vm NAME [facilities=LIST] [pv] [apie=on|off] [mem=SIZE] [vcpus=N]",
     "create a VM (facilities default 12,15,65,76; vCPU 0; 4M at 0)", parse_vm, exec_vm,
     APV_CMD_ACTION},
    {"vcpu", NULL, "vcpu VM.N", "add a vCPU", parse_vcpu, exec_vcpu, 0},
    {"nested", NULL, "nested VM on|off",
     "run nested: every AP instruction is intercepted (z/VM-like)", apv_pc_args_vm_onoff,
     exec_nested, 0},
    {"apie", NULL, "apie VM on|off", "KVM_S390_VM_CRYPTO_ENABLE/DISABLE_APIE", apv_pc_args_vm_onoff,
     exec_apie, APV_CMD_ACTION},
    {"set", NULL,
     "set VCPU [grN=V]... [psw=problem|supervisor] [cc=N] [io=on|off] [cr6=M] [running=on|off]",
     "set registers and PSW fields", parse_set, exec_set, 0},
    {"exec", NULL, "exec VCPU pqap | nqap R1,R2 | dqap R1,R2",
     "execute an instruction with the registers as set", parse_exec, exec_exec, APV_CMD_INSN},
    {"pqap", NULL,
     "pqap VCPU FC [APQN] [t] [f] [ir=0|1] [isc=N] [nib=A] [gisc|zone|gf|gisa=N] [addr=A] "
     "[gr1|gr2|gr0bits=V]",
     "PQAP with GR0-GR2 filled from the fields", parse_pqap, exec_pqap, APV_CMD_INSN},
    {"nqap", NULL, "nqap VCPU APQN addr=A len=N [psmid=N] [r1=N] [r2=N] [last=on|off] [gr0bits=V]",
     "NQAP (default pairs 4,2)", parse_nqdq, exec_nqdq, APV_CMD_INSN},
    {"dqap", NULL, "dqap VCPU APQN addr=A len=N [r1=N] [r2=N] [first=on|off] [gr0bits=V]",
     "DQAP (default pairs 6,4)", parse_nqdq, exec_nqdq, APV_CMD_INSN},
    {"mem", "write", "mem write VM ADDR HEXBYTES", "write guest memory", parse_mem_write,
     exec_mem_write, APV_CMD_ACTION},
    {"mem", "share", "mem share VM ADDR on|off", "protected guest: share/unshare a page",
     parse_mem_flag, exec_mem_flag, APV_CMD_ACTION},
    {"mem", "unpinnable", "mem unpinnable VM ADDR on|off", "make pinning of a page fail",
     parse_mem_flag, exec_mem_flag, APV_CMD_ACTION},
    {"mem", "slot", "mem slot VM ADDR SIZE", "add a memslot", parse_mem_slot, exec_mem_slot,
     APV_CMD_ACTION},
    {"gisc", "fail", "gisc fail VM on|off", "make guest ISC registration fail (test hook)",
     apv_pc_args_vm_onoff, exec_gisc_fail, APV_CMD_ACTION},
    {"deliver", NULL, "deliver VCPU", "deliver pending adapter interruptions (SIE entry)",
     apv_pc_args_vcpu, exec_deliver, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
