/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instruction boundary under fuzzing: a host with CEX adapters, KVM
 * and vfio_ap with an mdev attached to a VM, built per input from a few
 * header bytes (host facilities, AIV/GISA, the VM's facility set, PV,
 * APIE, adapter type and mode), then a sequence of operations:
 * instructions with arbitrary opcode, R1/R2, GR0-GR15 and PSW state,
 * guest memory writes, clock steps, fault injection, administrator
 * actions and vCPU interruption state.
 *
 * After every operation (so after every instruction): apv_kvm_check and
 * apv_matrix_check pass, no balance is negative, no hook call is in
 * flight and (lock-order builds) the thread holds no lock; an instruction ends
 * as exactly one of DONE / PGM / EXIT, a program exception or an exit
 * leaves the registers untouched, and a DONE of a queue instruction has
 * its APQSW in GR1 bits 32-63 (bits 0-31 zero) with CC 3 for any non-zero
 * response code. At the end everything is torn down and every pin, ISC
 * registration, hook and VM reference must be back to zero.
 *
 * Every header bit names something to switch OFF, so an all-zero input
 * is the fully featured stack.
 *
 * Each input builds its world from nothing and tears it down, so an input
 * behaves the same alone as in a campaign and every finding replays from
 * its file. What is kept between inputs holds no state of the model: the
 * guest memory (the harness owns it, as QEMU owns guest RAM, and zeroes it
 * per input) and the allocator's heap (not trimmed back to the system
 * after every input in builds without ASan).
 *
 * The number of instructions executed (instruction-boundary executions,
 * each followed by the invariant checks) is printed at exit.
 */
#include <malloc.h>
#include <string.h>

#include "apvirt/kvm.h"
#include "apvirt/testing.h"
#include "apvirt/vfio_ap.h"
#include "fuzz_input.h"

#define MEM_SIZE UINT64_C(0x10000)
#define MAX_OPS 64
#define UUID "f0220000-0000-4000-8000-000000000001"

enum { A1 = 0x01, A2 = 0x05, A3 = 0x0a, A4 = 0x80, D1 = 0x04, D2 = 0x06, D3 = 0x47, CD = 0x0b };

static const unsigned adapters[] = {A1, A2, A3, A4};
static const unsigned domains[] = {D1, D2, D3};

/* Guest RAM, page aligned like a host's. */
static uint8_t guest_mem[MEM_SIZE] __attribute__((aligned(4096)));
/* Instruction-boundary executions and inputs run by this process. */
static unsigned long long n_insns, n_inputs;

/* FUZZ_TRACE=1 in the environment prints every operation (for triage). */
static bool trace;
#define TRACE(...)                                                                           \
	do {                                                                                 \
		if (trace)                                                                   \
			fprintf(stderr, __VA_ARGS__);                                        \
	} while (0)

struct world {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m;
	struct apv_vm *vm;
	struct apv_vcpu *v[2];
	struct apv_mdev *mdev;
	bool apxa;
	unsigned ops;
};

static void on_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	(void)ctx;
	(void)vcpu;
	(void)int_word;
}

static apv_apqn_t pick_apqn(struct fz *f)
{
	static const apv_apqn_t table[] = {
	    (A1 << 8) | D1, (A1 << 8) | D2, (A2 << 8) | D1, (A2 << 8) | D2, (A3 << 8) | D1,
	    (A4 << 8) | D3, (A1 << 8) | D3, (A4 << 8) | D1, (0x02 << 8) | D1, (A1 << 8) | CD,
	    0x0000,	    0xFFFF,
	};
	uint8_t i = fz_u8(f);

	if (i < 0xF0)
		return table[i % (sizeof(table) / sizeof(table[0]))];
	return fz_u16(f);
}

/* Guest addresses worth trying: aligned, unaligned, at the edge, outside. */
static uint64_t pick_addr(struct fz *f)
{
	static const uint64_t table[] = {
	    0x1000, 0x1001, 0x2000, 0x2004, 0x4000, 0x8000, MEM_SIZE - 1, MEM_SIZE - 0x80,
	    MEM_SIZE,	 MEM_SIZE + 0x1000, 0, 0xFFFFFFFFFFFFF000ull,
	};
	uint8_t i = fz_u8(f);

	if (i < 0xF0)
		return table[i % (sizeof(table) / sizeof(table[0]))];
	return fz_u64(f);
}

static uint64_t pick_len(struct fz *f)
{
	/* Zero, tiny, the six type 50 sizes, a type 80 reply, over the 12 KiB ML limit. */
	static const uint64_t table[] = {0,     1,     8,	   0x190, 0x1D0, 0x310, 0x390,
					 0x610, 0x710, 0x210, 0x50,  0x3000, 0x3001};
	uint8_t i = fz_u8(f);

	if (i < 0xC0)
		return table[i % (sizeof(table) / sizeof(table[0]))];
	return fz_u16(f);
}

static uint64_t gr0_structured(struct fz *f, uint16_t opcode)
{
	uint8_t fc = fz_u8(f), flags = fz_u8(f);
	uint64_t gr0 = pick_apqn(f);

	if (opcode == APV_OP_PQAP)
		gr0 |= (uint64_t)(fc < 0xF0 ? fc % 9 : fc) << APV_GR0_FC_SHIFT;
	else if (opcode == APV_OP_NQAP && !(flags & 0x40))
		gr0 |= APV_GR0_NQAP_LAST;
	else if (opcode == APV_OP_DQAP && !(flags & 0x40))
		gr0 |= APV_GR0_DQAP_FIRST;
	if (flags & 0x01)
		gr0 |= APV_GR0_T;
	if (flags & 0x02)
		gr0 |= APV_GR0_F;
	if (flags & 0x04)
		gr0 |= (uint64_t)(fz_u8(f) & 0x7F) << 16; /* bits 41-47 */
	if (flags & 0x08)
		gr0 |= (uint64_t)fz_u8(f) << 24 & 0xF0000000u; /* bits 32-35 */
	if (flags & 0x10)
		gr0 |= fz_u64(f) & 0xFFFFFFFF00000000ull; /* ignored high half */
	return gr0;
}

static void set_pair(struct apv_regs *r, unsigned reg, uint64_t even, uint64_t odd)
{
	if (reg < 16)
		r->gr[reg] = even;
	if (reg + 1 < 16)
		r->gr[reg + 1] = odd;
}

static bool queue_instruction(uint16_t opcode, uint64_t gr0)
{
	unsigned fc = apv_gr0_fc(gr0);

	if (opcode == APV_OP_NQAP || opcode == APV_OP_DQAP)
		return true;
	return opcode == APV_OP_PQAP && fc <= APV_FC_AQIC;
}

/* Every invariant, after every operation. */
static void check_world(struct world *w, const char *after)
{
	char err[512] = "";
	struct apv_balance b;

	if (apv_kvm_check(w->kvm, err, sizeof(err)))
		FZ_FAIL("apv_kvm_check after %s: %s", after, err);
	if (apv_matrix_check(w->m, err, sizeof(err)))
		FZ_FAIL("apv_matrix_check after %s: %s", after, err);
	apv_account_balance(apv_kvm_account(w->kvm), &b);
	if (b.pins < 0 || b.isc_regs < 0 || b.vm_refs < 0 || b.hooks < 0 || b.hook_calls != 0)
		FZ_FAIL("balance after %s: %s", after, apv_balance_format(&b, err, sizeof(err)));
#ifdef APV_DEBUG_LOCKS
	for (unsigned c = 0; c < APV_LOCK_CLASSES; c++)
		if (apv_lockorder_held((enum apv_lock_class)c))
			FZ_FAIL("%s still held after %s", apv_lock_class_name((enum apv_lock_class)c),
				after);
#endif
}

static void op_instruction(struct world *w, struct fz *f)
{
	static const uint16_t ops[] = {APV_OP_PQAP, APV_OP_NQAP, APV_OP_DQAP};
	uint8_t sel = fz_u8(f), rr = fz_u8(f);
	struct apv_vcpu *v = w->v[(sel >> 2) & 1];
	struct apv_regs *r = apv_vcpu_regs(v), before;
	struct apv_psw *psw = apv_vcpu_psw(v);
	uint16_t opcode = (sel & 3) == 3 ? fz_u16(f) : ops[sel & 3];
	unsigned r1 = rr >> 4, r2 = rr & 15;
	uint8_t cc_before;
	struct apv_result res;

	psw->problem_state = (sel & 0x38) == 0x38;
	if (sel & 0x40) {
		for (unsigned i = 0; i < 16; i++)
			r->gr[i] = fz_u64(f);
	} else {
		r->gr[0] = gr0_structured(f, opcode);
		if (opcode == APV_OP_PQAP) {
			uint8_t c = fz_u8(f);
			struct apv_aqic_ctrl ctrl = {.ir = c & 1, .isc = (c >> 1) & 7,
						     .gisc = (c >> 4) & 7};

			r->gr[1] = apv_aqic_ctrl_encode(ctrl);
			if (c & 0x80)
				r->gr[1] ^= fz_u64(f);
			r->gr[2] = pick_addr(f);
		} else {
			set_pair(r, r1, fz_u64(f), fz_u64(f));
			set_pair(r, r2, pick_addr(f), pick_len(f));
		}
	}
	before = *r;
	cc_before = psw->cc;
	res = apv_vcpu_execute(v, opcode, r1, r2);
	n_insns++;
	TRACE("insn %04x r%u,r%u vcpu%u%s gr0=%016llx gr1=%016llx gr2=%016llx -> kind %d cc %u "
	      "pgm %u gr1=%016llx\n",
	      opcode, r1, r2, (sel >> 2) & 1, psw->problem_state ? " problem" : "",
	      (unsigned long long)before.gr[0], (unsigned long long)before.gr[1],
	      (unsigned long long)before.gr[2], (int)res.kind, res.cc, res.pgm,
	      (unsigned long long)r->gr[1]);
	switch (res.kind) {
	case APV_RES_DONE:
		if (psw->cc != res.cc)
			FZ_FAIL("PSW cc %u differs from the result's %u", psw->cc, res.cc);
		if (queue_instruction(opcode, before.gr[0])) {
			uint8_t rc = apv_apqsw_get_rc(apv_apqsw_from_gr1(r->gr[1]));

			if (r->gr[1] >> 32)
				FZ_FAIL("opcode %04x fc %u: GR1 bits 0-31 not zero: %016llx", opcode,
					apv_gr0_fc(before.gr[0]), (unsigned long long)r->gr[1]);
			if (rc && res.cc != 3)
				FZ_FAIL("opcode %04x: rc %02x with cc %u", opcode, rc, res.cc);
			if (!rc && res.cc != 0 && !(opcode == APV_OP_DQAP && res.cc == 1))
				FZ_FAIL("opcode %04x: rc 00 with cc %u", opcode, res.cc);
		}
		break;
	case APV_RES_PGM:
	case APV_RES_EXIT:
		if (memcmp(&before, r, sizeof(before)))
			FZ_FAIL("opcode %04x: a %s changed the registers", opcode,
				res.kind == APV_RES_PGM ? "program exception" : "exit");
		if (psw->cc != cc_before)
			FZ_FAIL("opcode %04x: a %s changed the cc", opcode,
				res.kind == APV_RES_PGM ? "program exception" : "exit");
		if (res.kind == APV_RES_PGM && res.pgm != APV_PGM_OPERATION &&
		    res.pgm != APV_PGM_PRIVILEGED_OP && res.pgm != APV_PGM_SPECIFICATION &&
		    res.pgm != 0x05)
			FZ_FAIL("unexpected program interruption code %u", res.pgm);
		break;
	default:
		FZ_FAIL("result kind %d", (int)res.kind);
	}
	psw->problem_state = false;
}

static void op_mem(struct world *w, struct fz *f)
{
	uint64_t addr = fz_u16(f) % MEM_SIZE;
	size_t want = fz_u16(f) % 0x800, got;
	const uint8_t *p = fz_bytes(f, want, &got);

	if (got > MEM_SIZE - addr)
		got = (size_t)(MEM_SIZE - addr);
	TRACE("mem %04llx len %zu\n", (unsigned long long)addr, got);
	if (got && apv_storage_write(apv_vm_storage(w->vm), addr, p, got))
		FZ_FAIL("guest memory write inside the memslot failed");
}

static void op_fault(struct world *w, struct fz *f)
{
	uint8_t k = fz_u8(f);
	struct apv_hw_fault_spec s = {
	    .kind = (enum apv_hw_fault)(k % 8),
	    .count = (k >> 3) & 3,
	    .rc = fz_u8(f),
	    .ns = (uint64_t)fz_u8(f) * 1000,
	};

	apv_apqn_t q = pick_apqn(f);

	TRACE("fault %04x kind %d count %u rc %02x ns %llu -> %d\n", q, (int)s.kind, s.count, s.rc,
	      (unsigned long long)s.ns, apv_hw_inject(w->hw, q, &s));
}

/*
 * Administrator actions wait (like the kernel) for a queue reset to end;
 * a fault that keeps a queue busy or resetting forever would make that
 * wait endless, so faults are cleared first, as an administrator would.
 */
static void clear_faults(struct world *w)
{
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	for (unsigned a = 0; a < 4; a++)
		for (unsigned d = 0; d < 3; d++)
			(void)apv_hw_inject(w->hw, apv_apqn(adapters[a], domains[d]), &none);
}

static void op_admin(struct world *w, struct fz *f)
{
	uint8_t k = fz_u8(f), arg = fz_u8(f);
	unsigned ad = adapters[arg % 4], dom = domains[arg % 3];

	clear_faults(w);
	TRACE("admin %u arg %02x (adapter %02x domain %02x)\n", k % 12, arg, ad, dom);
	switch (k % 12) {
	case 0:
		(void)apv_mdev_attach(w->mdev, w->vm);
		break;
	case 1:
		apv_mdev_detach(w->mdev);
		break;
	case 2:
		(void)apv_mdev_reset(w->mdev);
		break;
	case 3:
		apv_mdev_dma_unmap(w->mdev, pick_addr(f) & ~UINT64_C(0xFFF), (uint64_t)fz_u16(f) << 4);
		break;
	case 4:
		(void)apv_hw_configure_adapter(w->hw, ad, arg & 0x80);
		apv_bus_rescan(w->m);
		break;
	case 5:
		(void)apv_hw_configure_domain(w->hw, dom, arg & 0x80);
		apv_bus_rescan(w->m);
		break;
	case 6:
		(void)(arg & 0x80 ? apv_mdev_assign_adapter(w->mdev, ad)
				  : apv_mdev_unassign_adapter(w->mdev, ad));
		break;
	case 7:
		(void)(arg & 0x80 ? apv_mdev_assign_domain(w->mdev, dom)
				  : apv_mdev_unassign_domain(w->mdev, dom));
		break;
	case 8:
		(void)apv_vm_set_apie(w->vm, arg & 1);
		break;
	case 9:
		(void)apv_vm_pv_set_shared(w->vm, pick_addr(f), arg & 1);
		break;
	case 10:
		(void)apv_vm_set_unpinnable(w->vm, pick_addr(f), arg & 1);
		break;
	default:
		apv_vm_set_nested_intercept(w->vm, arg & 1);
		break;
	}
}

static void op_vcpu(struct world *w, struct fz *f)
{
	uint8_t k = fz_u8(f);
	struct apv_vcpu *v = w->v[k & 1];

	TRACE("vcpu%u io %d cr6 %d running %d deliver %d\n", k & 1, !!(k & 2), !!(k & 4),
	      !!(k & 8), !!(k & 32));
	apv_vcpu_psw(v)->io_enabled = k & 2;
	if (k & 4)
		apv_vcpu_set_cr6(v, fz_u8(f));
	if (k & 8)
		apv_vcpu_set_running(v, k & 16);
	if (k & 32)
		(void)apv_vcpu_deliver_pending(v);
}

static void step(struct world *w, struct fz *f)
{
	uint8_t op = fz_u8(f);

	switch (op % 10) {
	case 4:
		op_mem(w, f);
		break;
	case 5: {
		uint64_t v = fz_u8(f);

		TRACE("clock +%llu ns\n", (unsigned long long)(v * v * 100));
		apv_clock_sleep(w->clk, v * v * 100);
		break;
	}
	case 6:
		op_fault(w, f);
		break;
	case 7:
		op_admin(w, f);
		break;
	case 8:
		op_vcpu(w, f);
		break;
	default:
		op_instruction(w, f);
		break;
	}
}

static void build(struct world *w, struct fz *f)
{
	uint8_t h0 = fz_u8(f), h1 = fz_u8(f), h2 = fz_u8(f);
	struct apv_hw_config hc;
	struct apv_adapter_config ac;
	struct apv_kvm_config kc;
	struct apv_vm_config vc;
	struct apv_mask apm, aqm;

	memset(w, 0, sizeof(*w));
	trace = getenv("FUZZ_TRACE") != NULL;
	TRACE("host %02x vm %02x adapters %02x\n", h0, h1, h2);
	w->clk = apv_clock_new_virtual();
	apv_hw_config_default(&hc);
	hc.apxa = !(h0 & 1);
	hc.qci = !(h0 & 2);
	hc.apft = !(h0 & 4);
	hc.aqic = !(h0 & 8);
	hc.reset_ns = 20 * APV_NSEC_PER_USEC;
	w->apxa = hc.apxa;
	w->hw = apv_hw_new(&hc, w->clk);
	if (!w->clk || !w->hw)
		FZ_FAIL("host setup");
	apv_adapter_config_default(&ac);
	ac.at = (uint8_t)(APV_AT_CEX8 - (h2 & 7) % 5);
	ac.mode = (enum apv_ap_mode)(((h2 >> 3) & 3) % 3);
	ac.mex4k = ac.crt4k = !(h2 & 0x20);
	ac.qd = (uint8_t)((h2 >> 6) == 0 ? 7 : (h2 >> 6) - 1);
	for (unsigned a = 0; a < 4; a++)
		if (w->apxa || adapters[a] < 64)
			if (apv_hw_add_adapter(w->hw, adapters[a], &ac))
				FZ_FAIL("add adapter %02x", adapters[a]);
	for (unsigned d = 0; d < 3; d++)
		if (w->apxa || domains[d] < 16)
			if (apv_hw_add_domain(w->hw, domains[d]))
				FZ_FAIL("add domain %u", domains[d]);
	(void)apv_hw_add_control_domain(w->hw, CD);
	apv_kvm_config_default(&kc);
	kc.aiv = !(h0 & 0x10);
	kc.use_gisa = !(h0 & 0x20);
	w->kvm = apv_kvm_new(w->hw, &kc);
	w->m = w->kvm ? apv_matrix_new(w->kvm) : NULL;
	if (!w->m)
		FZ_FAIL("kvm / matrix setup");
	memset(&apm, 0xFF, sizeof(apm));
	memset(&aqm, 0xFF, sizeof(aqm));
	for (unsigned a = 0; a < 4; a++)
		apv_mask_clear(&apm, adapters[a]);
	if (apv_bus_set_masks(w->m, &apm, &aqm, NULL, 0))
		FZ_FAIL("bus masks");

	apv_vm_config_default(&vc);
	if (h1 & 1)
		apv_fac_clear(&vc.fac, APV_FAC_QCI);
	if (h1 & 2)
		apv_fac_clear(&vc.fac, APV_FAC_APFT);
	if (h1 & 4)
		apv_fac_clear(&vc.fac, APV_FAC_AQIC);
	if (h1 & 8)
		apv_fac_clear(&vc.fac, APV_FAC_MSAX3);
	vc.pv = h1 & 0x10;
	vc.name = "fuzz";
	w->vm = apv_vm_new(w->kvm, &vc);
	memset(guest_mem, 0, sizeof(guest_mem));
	if (!w->vm || apv_vm_add_memslot(w->vm, 0, MEM_SIZE, guest_mem))
		FZ_FAIL("VM setup");
	if (!(h1 & 0x20) && apv_vm_set_apie(w->vm, true))
		FZ_FAIL("APIE");
	for (unsigned i = 0; i < 2; i++) {
		w->v[i] = apv_vcpu_new(w->vm, i);
		if (!w->v[i])
			FZ_FAIL("vCPU");
		apv_vcpu_set_irq_handler(w->v[i], on_irq, NULL);
	}
	if (apv_mdev_create(w->m, UUID, &w->mdev))
		FZ_FAIL("mdev create");
	for (unsigned a = 0; a < 4; a++)
		if (adapters[a] != A3 && (w->apxa || adapters[a] < 64))
			(void)apv_mdev_assign_adapter(w->mdev, adapters[a]);
	for (unsigned d = 0; d < 3; d++)
		if (!(d == 1 && (h1 & 0x80)) && (w->apxa || domains[d] < 16))
			(void)apv_mdev_assign_domain(w->mdev, domains[d]);
	(void)apv_mdev_assign_control_domain(w->mdev, CD);
	if (!(h1 & 0x40) && apv_mdev_attach(w->mdev, w->vm))
		FZ_FAIL("attach");
	if (h0 & 0x40)
		apv_hw_set_installed(w->hw, false);
	check_world(w, "setup");
}

static void teardown(struct world *w)
{
	struct apv_balance b;
	char buf[128];

	clear_faults(w);
	apv_hw_set_installed(w->hw, true);
	apv_mdev_detach(w->mdev);
	check_world(w, "detach");
	apv_account_balance(apv_kvm_account(w->kvm), &b);
	if (b.pins || b.isc_regs || b.hooks || b.hook_calls || b.vm_refs != 1)
		FZ_FAIL("balance after detach: %s", apv_balance_format(&b, buf, sizeof(buf)));
	apv_matrix_free(w->m);
	for (unsigned i = 0; i < 2; i++)
		apv_vcpu_free(w->v[i]);
	apv_vm_put(w->vm);
	apv_account_balance(apv_kvm_account(w->kvm), &b);
	if (!apv_balance_zero(&b))
		FZ_FAIL("balance at the end: %s", apv_balance_format(&b, buf, sizeof(buf)));
	apv_kvm_free(w->kvm);
	apv_hw_free(w->hw);
	apv_clock_free(w->clk);
}

static void report(void)
{
	fprintf(stderr, "fuzz_insn: %llu instruction-boundary executions in %llu inputs\n", n_insns,
		n_inputs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
#if !defined(__has_feature) || !__has_feature(address_sanitizer)
	/*
	 * glibc gives the top of the heap back after each input's teardown
	 * and faults it in again on the next build: keep it.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
	atexit(report);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct world w;

	n_inputs++;
	build(&w, &f);
	for (unsigned i = 0; i < MAX_OPS && fz_more(&f); i++) {
		step(&w, &f);
		check_world(&w, "an operation");
	}
	teardown(&w);
	return 0;
}
