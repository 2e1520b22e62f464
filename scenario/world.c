/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The world a scenario acts on: the virtual clock, the host hardware, the
 * KVM host, the vfio_ap matrix device, and the VMs, vCPUs, guest models
 * and mdevs the script named. Layers come up lazily, in stack order, when
 * the first command needs them, so that `host` and `adapter` lines can
 * shape the hardware before vfio_ap scans it.
 */
#include "scenario_internal.h"

#include <apvirt/guest.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct apv_world *apv_world_new(const struct apv_scenario_opts *opts)
{
	struct apv_world *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	apv_scenario_opts_default(&w->dflt);
	w->opts = opts ? opts : &w->dflt;
	apv_hw_config_default(&w->hwcfg);
	apv_kvm_config_default(&w->kcfg);
	w->ap_installed = true;
	return w;
}

FILE *apv_w_out(struct apv_world *w)
{
	return w->opts->out ? w->opts->out : stdout;
}

static int vfail(struct apv_world *w, const char *fmt, va_list ap)
{
	const struct apv_step *s = w->cur;
	int n = 0;
	if (s)
		n = snprintf(w->err, w->errlen, "%s:%u: ", s->st.file, s->st.line);
	if (n >= 0 && (size_t)n < w->errlen)
		vsnprintf(w->err + n, w->errlen - (size_t)n, fmt, ap);
	return -1;
}

int apv_w_fail(struct apv_world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(w, fmt, ap);
	va_end(ap);
	return -1;
}

int apv_w_expect_fail(struct apv_world *w, const char *expected, const char *actual)
{
	const struct apv_step *s = w->cur;
	snprintf(w->err, w->errlen, "%s:%u: %s\n  expected: %s\n  actual:   %s", s->st.file,
		 s->st.line, s->st.src, expected, actual);
	return -1;
}

void apv_w_action(struct apv_world *w, int rc, const char *why)
{
	w->have_action = true;
	w->action_rc = rc;
	w->action_step = w->cur;
	snprintf(w->action_why, sizeof(w->action_why), "%s", why && rc ? why : "");
}

/* ---- bringing layers up ---------------------------------------------------------- */

/* Every instruction vfio_ap issues on the host: counted, and traced. */
static void on_host_insn(void *ctx, const struct apv_hw_host_insn *in)
{
	struct apv_world *w = ctx;
	if (in->fc >= 4)
		return;
	w->issued[in->fc]++;
	if (!w->issued_q)
		w->issued_q = calloc(65536, sizeof(*w->issued_q));
	if (w->issued_q)
		w->issued_q[in->apqn][in->fc]++;
	apv_trace_host_insn(w, in);
}

int apv_world_need_hw(struct apv_world *w)
{
	if (w->hw)
		return 0;
	w->clock = apv_clock_new_virtual();
	if (!w->clock)
		return apv_w_fail(w, "cannot create the virtual clock");
	w->hw = apv_hw_new(&w->hwcfg, w->clock);
	if (!w->hw) {
		apv_clock_free(w->clock);
		w->clock = NULL;
		return apv_w_fail(w, "the host configuration was refused (na=%u nd=%u apxa=%s)",
				  w->hwcfg.na, w->hwcfg.nd, w->hwcfg.apxa ? "on" : "off");
	}
	apv_hw_set_installed(w->hw, w->ap_installed);
	apv_hw_set_insn_observer(w->hw, on_host_insn, w);
	/* Everything, debug included: `expect log` may look for any message. */
	apv_log_set_handler(apv_hw_log(w->hw), apv_world_log_record, w, APV_LOG_DEBUG);
	w->host_fixed = true;
	return 0;
}

int apv_world_need_kvm(struct apv_world *w)
{
	if (w->kvm)
		return 0;
	if (apv_world_need_hw(w) < 0)
		return -1;
	w->kvm = apv_kvm_new(w->hw, &w->kcfg);
	if (!w->kvm)
		return apv_w_fail(w, "cannot create the KVM host");
	return 0;
}

static void on_request(void *ctx, struct apv_mdev *mdev)
{
	struct apv_wmdev *wm = ctx;
	wm->requests++;
	if (wm->on_request == APV_REQ_DETACH)
		apv_mdev_detach(mdev);
}

int apv_world_need_matrix(struct apv_world *w)
{
	if (w->matrix)
		return 0;
	if (apv_world_need_kvm(w) < 0)
		return -1;
	w->matrix = apv_matrix_new(w->kvm);
	if (!w->matrix)
		return apv_w_fail(w, "cannot load vfio_ap (no AP instructions on the host?)");
	return 0;
}

void apv_world_unload_matrix(struct apv_world *w)
{
	if (w->matrix) {
		apv_matrix_free(w->matrix);
		w->matrix = NULL;
	}
	for (size_t i = 0; i < w->nmdevs; i++)
		w->mdevs[i]->mdev = NULL;
}

void apv_world_balance(struct apv_world *w, struct apv_balance *b)
{
	memset(b, 0, sizeof(*b));
	if (w->kvm)
		apv_account_balance(apv_kvm_account(w->kvm), b);
}

/* Install our request handler on a newly created mdev. */
void apv_world_mdev_created(struct apv_world *w, struct apv_wmdev *wm)
{
	(void)w;
	apv_mdev_set_request_handler(wm->mdev, on_request, wm);
}

void apv_world_drain_signals(struct apv_wmdev *wm)
{
	for (unsigned k = 0; k < APV_VFIO_AP_NUM_IRQS; k++) {
		uint64_t v;
		/* Non-blocking: EAGAIN means nothing arrived since the last read. */
		if (wm->sig_fd[k] >= 0 && read(wm->sig_fd[k], &v, sizeof(v)) == (ssize_t)sizeof(v))
			wm->signals[k] += v;
	}
}

/* ---- names -------------------------------------------------------------------------- */

struct apv_wvm *apv_world_vm(struct apv_world *w, const char *name)
{
	for (size_t i = w->nvms; i-- > 0;)
		if (strcmp(w->vms[i]->name, name) == 0)
			return w->vms[i];
	return NULL;
}

/* The newest live mdev of that name or UUID; else the newest dead one, for messages. */
struct apv_wmdev *apv_world_mdev(struct apv_world *w, const char *name)
{
	struct apv_wmdev *dead = NULL;
	for (size_t i = w->nmdevs; i-- > 0;) {
		struct apv_wmdev *m = w->mdevs[i];
		if (strcmp(m->name, name) != 0 && strcasecmp(m->uuid, name) != 0)
			continue;
		if (m->mdev)
			return m;
		if (!dead)
			dead = m;
	}
	return dead;
}

struct apv_vcpu *apv_world_vcpu(struct apv_world *w, const char *spec, struct apv_wvm **vmp,
				unsigned *idp)
{
	const char *dot = strrchr(spec, '.');
	char name[64];
	uint64_t id;
	if (!dot || (size_t)(dot - spec) >= sizeof(name))
		return NULL;
	memcpy(name, spec, (size_t)(dot - spec));
	name[dot - spec] = '\0';
	if (apv_scn_parse_num(dot + 1, APV_SCN_MAX_VCPUS - 1, &id) < 0)
		return NULL;
	struct apv_wvm *vm = apv_world_vm(w, name);
	if (!vm || !vm->vm)
		return NULL;
	if (vmp)
		*vmp = vm;
	if (idp)
		*idp = (unsigned)id;
	return vm->vcpu[id];
}

/* ---- invariants ------------------------------------------------------------------------ */

int apv_world_check(struct apv_world *w)
{
	char why[512];
	if (w->kvm) {
		why[0] = '\0';
		if (apv_kvm_check(w->kvm, why, sizeof(why)) < 0)
			return apv_w_fail(w, "invariant violated after '%s': %s", w->cur->st.src,
					  why);
		struct apv_balance b;
		apv_account_balance(apv_kvm_account(w->kvm), &b);
		if (b.pins < 0 || b.isc_regs < 0 || b.vm_refs < 0 || b.hooks < 0 ||
		    b.hook_calls != 0) {
			char bs[128];
			return apv_w_fail(w, "invariant violated after '%s': resource balance %s",
					  w->cur->st.src, apv_balance_format(&b, bs, sizeof(bs)));
		}
	}
	if (w->matrix) {
		why[0] = '\0';
		if (apv_matrix_check(w->matrix, why, sizeof(why)) < 0)
			return apv_w_fail(w, "invariant violated after '%s': %s", w->cur->st.src,
					  why);
	}
	return 0;
}

/* ---- teardown ----------------------------------------------------------------------------- */

void apv_world_destroy_vm(struct apv_wvm *vm)
{
	for (unsigned i = 0; i < APV_SCN_MAX_VCPUS; i++) {
		if (vm->guest[i]) {
			apv_guest_free(vm->guest[i]);
			vm->guest[i] = NULL;
		}
	}
	for (unsigned i = 0; i < APV_SCN_MAX_VCPUS; i++) {
		if (vm->vcpu[i]) {
			apv_vcpu_free(vm->vcpu[i]);
			vm->vcpu[i] = NULL;
		}
	}
	if (vm->vm) {
		apv_vm_put(vm->vm);
		vm->vm = NULL;
	}
}

/*
 * A fault left in place (a queue busy forever) would keep the teardown's
 * queue resets waiting without end: the scenario is over, so the hardware
 * is allowed to recover first.
 */
void apv_world_clear_faults(struct apv_world *w)
{
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	for (unsigned apid = 0; apid < 256; apid++) {
		if (!apv_hw_adapter_exists(w->hw, apid))
			continue;
		for (unsigned apqi = 0; apqi < 256; apqi++)
			apv_hw_inject(w->hw, apv_apqn(apid, apqi), &none);
	}
}

int apv_world_teardown(struct apv_world *w, char *err, size_t errlen)
{
	int rc = 0;
	if (err && errlen)
		err[0] = '\0';
	w->tearing_down = true;
	if (w->hw) {
		apv_world_clear_faults(w);
		apv_hw_set_installed(w->hw, true);
	}
	/* Guests first: their removal issues ZAPQs through attached mdevs. */
	for (size_t i = 0; i < w->nvms; i++) {
		for (unsigned k = 0; k < APV_SCN_MAX_VCPUS; k++) {
			if (w->vms[i]->guest[k]) {
				apv_guest_free(w->vms[i]->guest[k]);
				w->vms[i]->guest[k] = NULL;
			}
		}
	}
	apv_world_unload_matrix(w);
	for (size_t i = 0; i < w->nvms; i++)
		apv_world_destroy_vm(w->vms[i]);
	if (w->kvm) {
		char why[512] = "";
		struct apv_balance b;
		apv_account_balance(apv_kvm_account(w->kvm), &b);
		if (!apv_balance_zero(&b)) {
			char bs[128];
			snprintf(err, errlen, "resources left over at teardown: %s",
				 apv_balance_format(&b, bs, sizeof(bs)));
			rc = -1;
		} else if (apv_kvm_check(w->kvm, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "invariant violated at teardown: %s", why);
			rc = -1;
		}
		apv_kvm_free(w->kvm);
		w->kvm = NULL;
	}
	if (w->hw) {
		apv_hw_free(w->hw);
		w->hw = NULL;
	}
	if (w->clock) {
		apv_clock_free(w->clock);
		w->clock = NULL;
	}
	return rc;
}

void apv_world_free(struct apv_world *w)
{
	if (!w)
		return;
	apv_world_teardown(w, NULL, 0);
	apv_world_free_seckeys(w);
	for (size_t i = 0; i < w->nvms; i++) {
		free(w->vms[i]->name);
		free(w->vms[i]);
	}
	for (size_t i = 0; i < w->nmdevs; i++) {
		for (unsigned k = 0; k < APV_VFIO_AP_NUM_IRQS; k++)
			if (w->mdevs[i]->sig_fd[k] >= 0)
				close(w->mdevs[i]->sig_fd[k]);
		free(w->mdevs[i]->name);
		free(w->mdevs[i]);
	}
	free(w->issued_q);
	free(w->vms);
	free(w->mdevs);
	apv_rsa_keys_free(w->keys);
	apv_world_log_free(w);
	free(w);
}

struct apv_wvm *apv_world_add_vm(struct apv_world *w, const char *name)
{
	struct apv_wvm **nv = realloc(w->vms, (w->nvms + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	w->vms = nv;
	struct apv_wvm *vm = calloc(1, sizeof(*vm));
	if (!vm || !(vm->name = strdup(name))) {
		free(vm);
		return NULL;
	}
	w->vms[w->nvms++] = vm;
	return vm;
}

struct apv_wmdev *apv_world_add_mdev(struct apv_world *w, const char *name, const char *uuid)
{
	struct apv_wmdev **nm = realloc(w->mdevs, (w->nmdevs + 1) * sizeof(*nm));
	if (!nm)
		return NULL;
	w->mdevs = nm;
	struct apv_wmdev *m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(name))) {
		free(m);
		return NULL;
	}
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	m->w = w;
	for (unsigned k = 0; k < APV_VFIO_AP_NUM_IRQS; k++)
		m->sig_fd[k] = -1;
	w->mdevs[w->nmdevs++] = m;
	return m;
}

/* ---- instructions ------------------------------------------------------------------------- */

struct apv_result apv_w_execute(struct apv_world *w, struct apv_wvm *vm, unsigned id,
				uint16_t opcode, unsigned r1, unsigned r2)
{
	struct apv_vcpu *v = vm->vcpu[id];
	struct apv_insn_record *r = &w->last;
	memset(r, 0, sizeof(*r));
	r->vm = vm;
	r->vcpu = id;
	r->opcode = opcode;
	r->r1 = r1;
	r->r2 = r2;
	r->before = *apv_vcpu_regs(v);
	r->psw_before = *apv_vcpu_psw(v);
	apv_trace_hold(w);
	r->res = apv_vcpu_execute(v, opcode, r1, r2);
	r->after = *apv_vcpu_regs(v);
	r->psw_after = *apv_vcpu_psw(v);
	r->valid = true;
	w->insn_count++;
	apv_trace_insn(w, r);
	return r->res;
}
