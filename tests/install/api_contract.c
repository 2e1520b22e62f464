/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The API contract (docs/api.md), checked as an embedder sees the library:
 * built only from the installed headers and library. Every public function
 * is called with NULL for each object or buffer it needs and with
 * out-of-range numbers, and must answer as the contract says:
 *
 *   int (0 / -errno)        -EINVAL, nothing changed
 *   pointer                 NULL
 *   bool                    false
 *   count, size, value      0 (or the documented "none" value)
 *   void                    nothing happens
 *   instruction             the architected answer (RC01, operation exception)
 *   destructor              NULL is a no-op; an object still in use: -EBUSY
 *
 * Each case runs in its own process, so a crash is reported as that case's
 * failure and the others still run. tests/install/test_install.sh checks
 * with nm that every exported function declared in an installed header
 * appears here.
 */
#include <apvirt/arch.h>
#include <apvirt/base.h>
#include <apvirt/clock.h>
#include <apvirt/crypto.h>
#include <apvirt/guest.h>
#include <apvirt/hw.h>
#include <apvirt/kvm.h>
#include <apvirt/mdevctl.h>
#include <apvirt/scenario.h>
#include <apvirt/testing.h>
#include <apvirt/vfio_ap.h>
#include <apvirt/version.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- harness ------------------------------------------------------------------------ */

struct fx {
	struct apv_clock *clock;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_vm *vm;
	struct apv_vcpu *vcpu;
	struct apv_matrix *m;
	struct apv_mdev *mdev;
	uint8_t *mem;
};

struct ccase {
	const char *name;
	void (*fn)(struct fx *f);
};

#define MAX_CASES 512
static struct ccase cases[MAX_CASES];
static int ncases;
static int bad; /* failed checks in this (child) process */

#define CASE(name)                                                                         \
	static void case_##name(struct fx *f);                                             \
	__attribute__((constructor)) static void reg_##name(void)                          \
	{                                                                                  \
		if (ncases < MAX_CASES)                                                    \
			cases[ncases++] = (struct ccase){#name, case_##name};              \
	}                                                                                  \
	static void case_##name(struct fx *f)

static void failed(int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  line %d: %s: ", line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bad++;
}

#define EINVAL_(e)                                                                         \
	do {                                                                               \
		long long r_ = (long long)(e);                                             \
		if (r_ != -EINVAL)                                                         \
			failed(__LINE__, #e, "returned %lld, expected -EINVAL", r_);       \
	} while (0)
#define NULL_(e)                                                                           \
	do {                                                                               \
		const void *r_ = (const void *)(e);                                        \
		if (r_)                                                                    \
			failed(__LINE__, #e, "returned %p, expected NULL", r_);            \
	} while (0)
#define FALSE_(e)                                                                          \
	do {                                                                               \
		if (e)                                                                     \
			failed(__LINE__, #e, "returned true, expected false");             \
	} while (0)
#define EQ_(e, v)                                                                          \
	do {                                                                               \
		unsigned long long r_ = (unsigned long long)(e);                           \
		if (r_ != (unsigned long long)(v))                                         \
			failed(__LINE__, #e, "returned %llu, expected %llu", r_,           \
			       (unsigned long long)(v));                                   \
	} while (0)
#define TRUE_(e)                                                                           \
	do {                                                                               \
		if (!(e))                                                                  \
			failed(__LINE__, #e, "is false");                                  \
	} while (0)
/* An architected answer: an operation exception. */
#define PGM_OP_(e)                                                                         \
	do {                                                                               \
		struct apv_result r_ = (e);                                                \
		if (r_.kind != APV_RES_PGM || r_.pgm != APV_PGM_OPERATION)                 \
			failed(__LINE__, #e, "returned kind %d pgm %u, expected an "       \
					     "operation exception",                        \
			       (int)r_.kind, (unsigned)r_.pgm);                            \
	} while (0)
/* An architected answer: APQSW with RC01 (AP queue not available). */
#define RC01_(e)                                                                           \
	do {                                                                               \
		uint32_t w_ = (e);                                                         \
		if (apv_apqsw_get_rc(w_) != APV_RC_Q_NOT_AVAIL)                            \
			failed(__LINE__, #e, "returned APQSW 0x%08x, expected RC01",       \
			       (unsigned)w_);                                              \
	} while (0)

static const char uuid1[] = "11111111-2222-3333-4444-555555555555";
#define MEM_SIZE (1u << 20)

/* A host with adapter 5 and domain 4 given to vfio_ap, a VM with one vCPU, an mdev. */
static int fx_up(struct fx *f)
{
	struct apv_hw_config hc;
	struct apv_adapter_config ac;
	struct apv_vm_config vc;
	struct apv_mask ap, aq;

	memset(f, 0, sizeof(*f));
	apv_hw_config_default(&hc);
	hc.apxa = true;
	hc.na = 255;
	hc.nd = 255;
	apv_adapter_config_default(&ac);
	f->clock = apv_clock_new_virtual();
	if (!f->clock || !(f->hw = apv_hw_new(&hc, f->clock)))
		return -1;
	if (apv_hw_add_adapter(f->hw, 5, &ac) || apv_hw_add_domain(f->hw, 4) ||
	    apv_hw_add_control_domain(f->hw, 4))
		return -1;
	if (!(f->kvm = apv_kvm_new(f->hw, NULL)))
		return -1;
	apv_vm_config_default(&vc);
	vc.name = "vm1";
	if (!(f->vm = apv_vm_new(f->kvm, &vc)))
		return -1;
	f->mem = calloc(1, MEM_SIZE);
	if (!f->mem || apv_vm_add_memslot(f->vm, 0, MEM_SIZE, f->mem))
		return -1;
	if (!(f->vcpu = apv_vcpu_new(f->vm, 0)))
		return -1;
	if (!(f->m = apv_matrix_new(f->kvm)))
		return -1;
	memset(&ap, 0xFF, sizeof(ap));
	memset(&aq, 0xFF, sizeof(aq));
	apv_mask_clear(&ap, 5);
	if (apv_bus_set_masks(f->m, &ap, &aq, NULL, 0))
		return -1;
	if (apv_mdev_create(f->m, uuid1, &f->mdev))
		return -1;
	return 0;
}

/* Everything goes, in the order the contract requires; each free must succeed. */
static void fx_down(struct fx *f)
{
	if (f->mdev)
		EQ_(apv_mdev_remove(f->mdev), 0);
	if (f->m)
		apv_matrix_free(f->m);
	if (f->vcpu)
		apv_vcpu_free(f->vcpu);
	if (f->vm)
		apv_vm_put(f->vm);
	if (f->kvm)
		EQ_(apv_kvm_free(f->kvm), 0);
	if (f->hw)
		EQ_(apv_hw_free(f->hw), 0);
	if (f->clock)
		EQ_(apv_clock_free(f->clock), 0);
	free(f->mem);
}

static int run_case(const struct ccase *c)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct fx f;

		if (fx_up(&f) < 0) {
			fprintf(stderr, "  the fixture did not come up\n");
			_exit(3);
		}
		c->fn(&f);
		fx_down(&f);
		fflush(NULL);
		_exit(bad ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "  killed by signal %d\n", WTERMSIG(st));
		return -1;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int passed = 0, nfailed = 0;

	for (int i = 0; i < ncases; i++) {
		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		if (run_case(&cases[i]) == 0) {
			printf("PASS %s\n", cases[i].name);
			passed++;
		} else {
			printf("FAIL %s\n", cases[i].name);
			nfailed++;
		}
	}
	printf("%d passed, %d failed\n", passed, nfailed);
	return nfailed ? 1 : 0;
}

/* ---- arch ------------------------------------------------------------------------------ */

CASE(arch_names)
{
	(void)f;
	NULL_(apv_ap_type_name(0));
	NULL_(apv_ap_type_name(1000));
	NULL_(apv_fc_name(0x7F));
	NULL_(apv_pgm_name(0x7F));
	NULL_(apv_rc_name(0xEE));
	TRUE_(apv_rc_name(APV_RC_Q_NOT_AVAIL) != NULL);
}

CASE(arch_values)
{
	struct apv_apqsw s = apv_apqsw_decode(0);
	struct apv_aqic_ctrl c = apv_aqic_ctrl_decode(0);
	struct apv_tapq_hwinfo h = apv_tapq_hwinfo_decode(0);

	(void)f;
	TRUE_(strcmp(apv_version(), APV_VERSION_STRING) == 0);
	EQ_(apv_apqsw_encode(s), 0);
	EQ_(apv_aqic_ctrl_encode(c), 0);
	EQ_(apv_tapq_hwinfo_encode(h), 0);
}

CASE(arch_apqsw_format)
{
	char buf[64];

	(void)f;
	NULL_(apv_apqsw_format(0, NULL, 64));
	NULL_(apv_apqsw_format(0, buf, 0));
}

CASE(arch_masks)
{
	struct apv_mask m;
	char buf[64];

	(void)f;
	memset(&m, 0xAA, sizeof(m));
	apv_mask_and(NULL, &m, &m);
	apv_mask_and(&m, NULL, &m);
	apv_mask_or(NULL, &m, &m);
	apv_mask_or(&m, &m, NULL);
	apv_mask_andnot(NULL, &m, &m);
	apv_mask_andnot(&m, NULL, NULL);
	EQ_(m.b[0], 0xAA); /* nothing changed */
	FALSE_(apv_mask_empty(NULL));
	FALSE_(apv_mask_equal(NULL, &m));
	FALSE_(apv_mask_equal(&m, NULL));
	FALSE_(apv_mask_intersects(NULL, &m));
	FALSE_(apv_mask_overflows(NULL, 3));
	EQ_(apv_mask_weight(NULL), 0);
	EQ_(apv_mask_next(NULL, 0), APV_MASK_BITS);
	EQ_(apv_mask_next(&m, APV_MASK_BITS + 5), APV_MASK_BITS);
	NULL_(apv_mask_format(NULL, buf, sizeof(buf)));
	NULL_(apv_mask_format(&m, NULL, 64));
	NULL_(apv_mask_format(&m, buf, 0));
	EINVAL_(apv_mask_parse(NULL, 3, &m));
	EINVAL_(apv_mask_parse("0x1", 3, NULL));
}

CASE(arch_qci)
{
	uint8_t raw[APV_QCI_SIZE];
	struct apv_qci q;

	(void)f;
	memset(raw, 0x5A, sizeof(raw));
	apv_qci_encode(NULL, raw);
	EQ_(raw[0], 0x5A);
	memset(&q, 0, sizeof(q));
	apv_qci_encode(&q, NULL);
	apv_qci_decode(NULL, &q);
	apv_qci_decode(raw, NULL);
}

CASE(arch_flat_storage)
{
	struct apv_storage s = apv_flat_storage(NULL);
	uint8_t b[4];

	(void)f;
	/* Storage over nothing: every address lies outside it (-EFAULT). */
	EQ_(apv_storage_read(&s, 0, b, sizeof(b)), -EFAULT);
	EQ_(apv_storage_write(&s, 0, b, sizeof(b)), -EFAULT);
}

/* ---- base ------------------------------------------------------------------------------ */

CASE(base_account)
{
	struct apv_account *a = apv_account_new();
	struct apv_balance b;
	char buf[128];

	(void)f;
	TRUE_(a != NULL);
	apv_account_free(NULL);
	apv_account_inc(NULL, APV_ACCT_PINS);
	apv_account_inc(a, APV_ACCT_COUNTERS);
	apv_account_inc(a, (enum apv_account_counter)-1);
	EQ_(apv_account_get(NULL, APV_ACCT_PINS), 0);
	EQ_(apv_account_get(a, APV_ACCT_COUNTERS), 0);
	EQ_(apv_account_get(a, APV_ACCT_PINS), 0);
	memset(&b, 0x11, sizeof(b));
	apv_account_balance(NULL, &b);
	EQ_(b.pins, 0x1111111111111111ull);
	apv_account_balance(a, NULL);
	FALSE_(apv_balance_zero(NULL));
	NULL_(apv_balance_format(NULL, buf, sizeof(buf)));
	apv_account_balance(a, &b);
	NULL_(apv_balance_format(&b, NULL, 10));
	NULL_(apv_balance_format(&b, buf, 0));
	apv_account_free(a);
}

CASE(base_locks)
{
	struct apv_mutex m;
	struct apv_rwlock l;
	struct timespec ts = {0, 0};
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

	(void)f;
	apv_mutex_init(NULL, APV_LOCK_GUEST);
	apv_mutex_lock(NULL);
	apv_mutex_unlock(NULL);
	apv_mutex_destroy(NULL);
	apv_rwlock_init(NULL, APV_LOCK_SIE);
	apv_rwlock_rdlock(NULL);
	apv_rwlock_wrlock(NULL);
	apv_rwlock_unlock(NULL);
	apv_rwlock_destroy(NULL);
	apv_mutex_init(&m, APV_LOCK_CLOCK);
	apv_cond_wait(NULL, &m);
	apv_cond_wait(&cv, NULL);
	EINVAL_(apv_cond_timedwait(NULL, &m, &ts));
	EINVAL_(apv_cond_timedwait(&cv, NULL, &ts));
	apv_mutex_lock(&m);
	EINVAL_(apv_cond_timedwait(&cv, &m, NULL));
	apv_mutex_unlock(&m);
	apv_mutex_destroy(&m);
	apv_rwlock_init(&l, APV_LOCK_SIE);
	apv_rwlock_destroy(&l);
	pthread_cond_destroy(&cv);
}

CASE(base_lockorder)
{
	(void)f;
	NULL_(apv_lock_class_name(APV_LOCK_CLASSES));
	NULL_(apv_lock_class_name((enum apv_lock_class)-1));
	FALSE_(apv_lock_class_leaf(APV_LOCK_CLASSES));
	apv_lockorder_acquire(APV_LOCK_CLASSES);
	FALSE_(apv_lockorder_held(APV_LOCK_CLASSES));
	apv_lockorder_release(APV_LOCK_CLASSES);
	apv_lockorder_release((enum apv_lock_class)-1);
}

CASE(base_log)
{
	struct apv_log *log = apv_log_new(NULL);
	struct apv_log_record rec = {APV_LOG_INFO, "t", NULL, "m", 0};
	struct apv_ratelimit rl;
	enum apv_log_level lv = APV_LOG_ERR;
	char buf[64];

	(void)f;
	TRUE_(log != NULL);
	apv_log_free(NULL);
	apv_log_set_handler(NULL, apv_log_to_file, stderr, APV_LOG_DEBUG);
	apv_log_emit(NULL, APV_LOG_ERR, "t", NULL, "x");
	apv_log_emit(log, APV_LOG_ERR, NULL, NULL, "x");
	apv_log_emit(log, APV_LOG_ERR, "t", NULL, NULL);
	FALSE_(apv_log_enabled(NULL, APV_LOG_ERR));
	EINVAL_(apv_log_format(NULL, buf, sizeof(buf)));
	EINVAL_(apv_log_format(&rec, NULL, 10));
	NULL_(apv_log_level_name((enum apv_log_level)99));
	EINVAL_(apv_log_level_parse(NULL, &lv));
	EINVAL_(apv_log_level_parse("info", NULL));
	EINVAL_(apv_log_level_parse("loud", &lv));
	EQ_(lv, APV_LOG_ERR);
	apv_log_to_file(NULL, &rec);
	apv_log_to_file(stderr, NULL);
	apv_ratelimit_init(NULL, "x", 1, 1);
	apv_ratelimit_init(&rl, "x", APV_RATELIMIT_INTERVAL_NS, APV_RATELIMIT_BURST);
	FALSE_(apv_log_ratelimited(NULL, &rl, APV_LOG_ERR, "t", NULL, "x"));
	FALSE_(apv_log_ratelimited(log, NULL, APV_LOG_ERR, "t", NULL, "x"));
	apv_ratelimit_flush(NULL, &rl);
	apv_ratelimit_flush(log, NULL);
	apv_log_free(log);
}

static void vemit_null(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	apv_log_vemit(NULL, APV_LOG_ERR, "t", NULL, fmt, ap);
	va_end(ap);
}

CASE(base_log_vemit)
{
	(void)f;
	vemit_null("x %d", 1);
}

/* ---- clock ----------------------------------------------------------------------------- */

static void tick(void *arg)
{
	(void)arg;
}

CASE(clock_null)
{
	struct apv_timer t;

	EQ_(apv_clock_free(NULL), 0);
	FALSE_(apv_clock_is_virtual(NULL));
	EQ_(apv_clock_now(NULL), 0);
	apv_timer_init(NULL, tick, NULL);
	apv_timer_init(&t, tick, NULL);
	apv_clock_arm(NULL, &t, 5);
	FALSE_(apv_timer_armed(&t));
	apv_clock_arm(f->clock, NULL, 5);
	FALSE_(apv_clock_cancel(NULL, &t));
	FALSE_(apv_clock_cancel(f->clock, NULL));
	FALSE_(apv_timer_armed(NULL));
	apv_clock_sleep(NULL, 5);
	EQ_(apv_clock_run_due(NULL), 0);
	EQ_(apv_clock_next_deadline(NULL), UINT64_MAX);
}

CASE(clock_in_use_is_not_freed)
{
	/* The hardware runs on it: refused, and the hardware still works. */
	EQ_(apv_clock_free(f->clock), -EBUSY);
	TRUE_(apv_clock_is_virtual(apv_hw_clock(f->hw)));
	struct apv_clock *c = apv_clock_new_real();
	TRUE_(c != NULL);
	EQ_(apv_clock_free(c), 0);
}

/* ---- crypto ---------------------------------------------------------------------------- */

CASE(crypto_null)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[64] = {0}, reply[64], out[4096];

	(void)f;
	TRUE_(c != NULL);
	apv_cex_free(NULL);
	/* An adapter always answers: a type 82 error reply (APV_T82_TYPE at byte 1). */
	TRUE_(apv_cex_process(NULL, req, sizeof(req), reply) > 0 && reply[1] == APV_T82_TYPE);
	TRUE_(apv_cex_process(c, NULL, 64, reply) > 0 && reply[1] == APV_T82_TYPE);
	EQ_(apv_cex_process(c, req, sizeof(req), NULL), 0);
	EQ_(apv_t50_len(99), 0);
	EQ_(apv_t50_block(99), 0);
	EQ_(apv_t50_build_me(NULL, 4096, req, req, req, 64), 0);
	EQ_(apv_t50_build_me(out, sizeof(out), NULL, req, req, 64), 0);
	EQ_(apv_t50_build_me(out, sizeof(out), req, req, req, 0), 0);
	EQ_(apv_t50_build_me(out, sizeof(out), req, req, req, 1u << 20), 0);
	EQ_(apv_t50_build_crt(NULL, 4096, req, req, req, req, req, req, 64), 0);
	EQ_(apv_t50_build_crt(out, sizeof(out), req, NULL, req, req, req, req, 64), 0);
	EINVAL_(apv_t80_parse(NULL, 64, out, 64));
	EINVAL_(apv_t80_parse(reply, sizeof(reply), NULL, 64));
	apv_cex_free(c);
}

/* Coprocessor cards (type 6 / type 86) and the driver-side request builders. */
CASE(crypto_card_null)
{
	static uint8_t out[APV_CARD_REPLY_MAX], reply[APV_CARD_REPLY_MAX];
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	struct apv_card_keys keys;
	struct apv_t86_view v;
	uint8_t key[APV_MK_LEN] = {1}, vp[APV_EP11_WKVP_LEN], tok[APV_CCA_AES_TOKEN_LEN] = {0};
	uint8_t parm[64] = {0};
	const uint8_t *data;
	size_t dlen;
	uint32_t rv;

	(void)f;
	TRUE_(c != NULL);
	memset(&card, 0, sizeof(card));
	card.mode = APV_CARD_CCA;
	memset(&keys, 0, sizeof(keys));
	/* A card always answers: a type 82 (accelerator or frame error) reply. */
	TRUE_(apv_card_process(NULL, NULL, parm, sizeof(parm), reply, sizeof(reply)) > 0 &&
	      reply[1] == APV_T82_TYPE);
	TRUE_(apv_card_process(NULL, &card, parm, sizeof(parm), reply, sizeof(reply)) > 0 &&
	      reply[1] == APV_T82_TYPE);
	TRUE_(apv_card_process(c, &card, NULL, 64, reply, sizeof(reply)) > 0 &&
	      reply[1] == APV_T82_TYPE);
	EQ_(apv_card_process(c, &card, parm, sizeof(parm), NULL, sizeof(reply)), 0);
	EINVAL_(apv_card_keys_apply(NULL, false, APV_MK_OP_SET, key));
	EINVAL_(apv_card_keys_apply(&keys, false, APV_MK_OP_SET, NULL));
	EINVAL_(apv_card_keys_apply(&keys, true, APV_MK_OP_SET, NULL));
	memset(vp, 0x77, sizeof(vp));
	apv_cca_mkvp(NULL, vp);
	apv_ep11_wkvp(NULL, vp);
	EQ_(vp[0], 0x77);
	apv_cca_mkvp(key, NULL);
	apv_ep11_wkvp(key, NULL);
	EQ_(apv_t6_build_cca(NULL, sizeof(out), 4, parm, sizeof(parm), 4096, 0), 0);
	EQ_(apv_t6_build_cca(out, sizeof(out), 4, NULL, sizeof(parm), 4096, 0), 0);
	EQ_(apv_t6_build_ep11(NULL, sizeof(out), 4, 0, parm, sizeof(parm), 4096), 0);
	EQ_(apv_t6_build_ep11(out, sizeof(out), 4, 0, NULL, sizeof(parm), 4096), 0);
	EINVAL_(apv_t86_parse(NULL, 64, false, &v));
	EINVAL_(apv_t86_parse(reply, sizeof(reply), false, NULL));
	EINVAL_(apv_ep11_reply_data(NULL, &rv, &data, &dlen));
	EQ_(apv_cca_build_fq(NULL, sizeof(out), 4, false), 0);
	EQ_(apv_cca_build_rng(NULL, sizeof(out), 4), 0);
	EQ_(apv_cca_build_me(NULL, sizeof(out), 4, parm, parm, parm, 64), 0);
	EQ_(apv_cca_build_me(out, sizeof(out), 4, parm, NULL, parm, 64), 0);
	EQ_(apv_cca_build_crt(NULL, sizeof(out), 4, parm, parm, parm, parm, parm, parm, 64), 0);
	EQ_(apv_cca_build_crt(out, sizeof(out), 4, parm, parm, parm, NULL, parm, parm, 64), 0);
	EQ_(apv_cca_build_kg(NULL, sizeof(out), 4, 256), 0);
	EQ_(apv_cca_build_cm(NULL, sizeof(out), 4, key, 32), 0);
	EQ_(apv_cca_build_cm(out, sizeof(out), 4, NULL, 32), 0);
	EQ_(apv_cca_build_us(NULL, sizeof(out), 4, tok), 0);
	EQ_(apv_cca_build_us(out, sizeof(out), 4, NULL), 0);
	EQ_(apv_ep11_build_info(NULL, sizeof(out), 4, 1), 0);
	EQ_(apv_ep11_build_genkey(NULL, sizeof(out), 4, 32, 0), 0);
	EQ_(apv_ep11_build_wrap(NULL, sizeof(out), 4, parm, sizeof(parm)), 0);
	EQ_(apv_ep11_build_wrap(out, sizeof(out), 4, NULL, sizeof(parm)), 0);
	EQ_(apv_ep11_build_random(NULL, sizeof(out), 4, 32), 0);
	apv_cex_free(c);
}

CASE(crypto_card_out_of_range)
{
	static uint8_t out[APV_CARD_REPLY_MAX], reply[APV_CARD_REPLY_MAX];
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	struct apv_card_keys keys;
	uint8_t key[APV_MK_LEN] = {1}, parm[600] = {0};

	(void)f;
	TRUE_(c != NULL);
	memset(&card, 0, sizeof(card));
	card.mode = (enum apv_card_mode)99;
	memset(&keys, 0, sizeof(keys));
	TRUE_(apv_card_process(c, &card, parm, 64, reply, sizeof(reply)) > 0 &&
	      reply[1] == APV_T82_TYPE);
	card.mode = APV_CARD_EP11;
	TRUE_(apv_card_process(c, &card, parm, 64, reply, APV_CARD_REPLY_MAX - 1) > 0 &&
	      reply[1] == APV_T82_TYPE);
	EQ_(apv_card_process(c, &card, parm, 64, reply, APV_T82_LEN - 1), 0);
	EINVAL_(apv_card_keys_apply(&keys, false, (enum apv_mk_op)99, key));
	EINVAL_(apv_card_keys_apply(&keys, true, (enum apv_mk_op)99, key));
	EQ_(apv_t6_build_cca(out, sizeof(out), 0x10000, parm, 64, 4096, 0), 0);
	EQ_(apv_t6_build_cca(out, sizeof(out), 4, parm, 1, 4096, 0), 0);
	EQ_(apv_t6_build_cca(out, sizeof(out), 4, parm, 64, 4096, 1u << 24), 0);
	EQ_(apv_t6_build_ep11(out, sizeof(out), 0x10000, 0, parm, 64, 4096), 0);
	EQ_(apv_t6_build_ep11(out, sizeof(out), 4, 0, parm, 64, 1u << 24), 0);
	EQ_(apv_cca_build_fq(out, sizeof(out), 0x10000, false), 0);
	EQ_(apv_cca_build_rng(out, 16, 4), 0); /* cap too small */
	EQ_(apv_cca_build_me(out, sizeof(out), 4, parm, parm, parm, 0), 0);
	EQ_(apv_cca_build_me(out, sizeof(out), 4, parm, parm, parm, 513), 0);
	EQ_(apv_cca_build_crt(out, sizeof(out), 4, parm, parm, parm, parm, parm, parm, 0), 0);
	EQ_(apv_cca_build_crt(out, sizeof(out), 4, parm, parm, parm, parm, parm, parm, 513), 0);
	EQ_(apv_cca_build_kg(out, sizeof(out), 4, 100), 0);
	EQ_(apv_cca_build_cm(out, sizeof(out), 4, key, 17), 0);
	EQ_(apv_cca_build_us(out, sizeof(out), 0x10000, parm), 0);
	EQ_(apv_ep11_build_info(out, sizeof(out), 0x10000, 1), 0);
	EQ_(apv_ep11_build_genkey(out, sizeof(out), 4, 17, 0), 0);
	EQ_(apv_ep11_build_wrap(out, sizeof(out), 4, parm, 401), 0);
	EQ_(apv_ep11_build_random(out, sizeof(out), 0x10000, 32), 0);
	apv_cex_free(c);
}

/* ---- hw -------------------------------------------------------------------------------- */

CASE(hw_null)
{
	struct apv_adapter_config ac;
	struct apv_hw_queue_stats qs;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_BUSY};
	struct apv_qci qci;
	struct apv_regs r;
	struct apv_aqic_ctrl ctl = {0};
	uint64_t gr2 = 0;
	struct apv_hw_mk_info mk;

	memset(&r, 0, sizeof(r));
	apv_hw_config_default(NULL);
	apv_adapter_config_default(NULL);
	apv_adapter_config_default(&ac);
	NULL_(apv_hw_new(NULL, NULL));
	EQ_(apv_hw_free(NULL), 0);
	NULL_(apv_hw_config(NULL));
	NULL_(apv_hw_clock(NULL));
	NULL_(apv_hw_log(NULL));
	apv_hw_set_irq_handler(NULL, NULL, NULL);
	apv_hw_set_installed(NULL, true);
	FALSE_(apv_hw_installed(NULL));
	EINVAL_(apv_hw_add_adapter(NULL, 6, &ac));
	EINVAL_(apv_hw_add_domain(NULL, 6));
	EINVAL_(apv_hw_add_control_domain(NULL, 6));
	EINVAL_(apv_hw_configure_adapter(NULL, 5, false));
	EINVAL_(apv_hw_configure_domain(NULL, 4, false));
	apv_hw_qci(NULL, &qci);
	apv_hw_qci(f->hw, NULL);
	FALSE_(apv_hw_adapter_exists(NULL, 5));
	EINVAL_(apv_hw_adapter_info(NULL, 5, &ac));
	EINVAL_(apv_hw_adapter_info(f->hw, 5, NULL));
	EINVAL_(apv_hw_inject(NULL, apv_apqn(5, 4), &fs));
	EINVAL_(apv_hw_inject(f->hw, apv_apqn(5, 4), NULL));
	PGM_OP_(apv_hw_pqap(NULL, &r, NULL));
	PGM_OP_(apv_hw_pqap(f->hw, NULL, NULL));
	PGM_OP_(apv_hw_nqap(NULL, &r, 2, 4, NULL));
	PGM_OP_(apv_hw_nqap(f->hw, NULL, 2, 4, NULL));
	PGM_OP_(apv_hw_dqap(NULL, &r, 2, 4, NULL));
	PGM_OP_(apv_hw_dqap(f->hw, NULL, 2, 4, NULL));
	RC01_(apv_hw_tapq(NULL, apv_apqn(5, 4), false, &gr2));
	RC01_(apv_hw_zapq(NULL, apv_apqn(5, 4)));
	RC01_(apv_hw_rapq(NULL, apv_apqn(5, 4)));
	RC01_(apv_hw_aqic(NULL, apv_apqn(5, 4), ctl, 0, NULL));
	apv_hw_set_insn_observer(NULL, NULL, NULL);
	EINVAL_(apv_hw_queue_stats(NULL, apv_apqn(5, 4), &qs));
	EINVAL_(apv_hw_queue_stats(f->hw, apv_apqn(5, 4), NULL));
	EINVAL_(apv_hw_master_key(NULL, apv_apqn(5, 4), APV_MK_OP_CLEAR, NULL));
	EINVAL_(apv_hw_master_key(f->hw, apv_apqn(5, 4), APV_MK_OP_SET, NULL));
	EINVAL_(apv_hw_master_key_info(NULL, apv_apqn(5, 4), &mk));
	EINVAL_(apv_hw_master_key_info(f->hw, apv_apqn(5, 4), NULL));
	apv_log_set_handler(apv_hw_log(NULL), NULL, NULL, APV_LOG_ERR);
}

CASE(hw_cpacf)
{
	uint8_t wk[APV_CPACF_WK_LEN] = {1}, vp[APV_CPACF_WKVP_LEN], clear[APV_CPACF_KEY_MAX] = {0};
	uint8_t prot[APV_CPACF_KEY_MAX + APV_CPACF_WKVP_LEN];

	memset(vp, 0x77, sizeof(vp));
	EINVAL_(apv_hw_cpacf_set_wrapping_key(NULL, wk));
	apv_hw_cpacf_wkvp(NULL, vp);
	EQ_(vp[0], 0x77);
	apv_hw_cpacf_wkvp(f->hw, NULL);
	EINVAL_(apv_hw_cpacf_wrap(NULL, clear, 32, prot));
	EINVAL_(apv_hw_cpacf_wrap(f->hw, NULL, 32, prot));
	EINVAL_(apv_hw_cpacf_wrap(f->hw, clear, 32, NULL));
	EINVAL_(apv_hw_cpacf_wrap(f->hw, clear, APV_CPACF_KEY_MAX + 1, prot));
	EINVAL_(apv_hw_cpacf_unwrap(NULL, prot, 32, clear));
	EINVAL_(apv_hw_cpacf_unwrap(f->hw, NULL, 32, clear));
	EINVAL_(apv_hw_cpacf_unwrap(f->hw, prot, 32, NULL));
	EINVAL_(apv_hw_cpacf_unwrap(f->hw, prot, APV_CPACF_KEY_MIN - 1, clear));
}

CASE(hw_out_of_range)
{
	struct apv_adapter_config ac;
	struct apv_hw_fault_spec fs = {.kind = (enum apv_hw_fault)99};

	apv_adapter_config_default(&ac);
	EINVAL_(apv_hw_add_adapter(f->hw, 256, &ac));
	EINVAL_(apv_hw_add_domain(f->hw, 256));
	EINVAL_(apv_hw_add_control_domain(f->hw, 1000));
	EINVAL_(apv_hw_configure_adapter(f->hw, 256, true));
	EINVAL_(apv_hw_configure_domain(f->hw, 256, true));
	FALSE_(apv_hw_adapter_exists(f->hw, 256));
	EINVAL_(apv_hw_adapter_info(f->hw, 256, &ac));
	EINVAL_(apv_hw_inject(f->hw, apv_apqn(5, 4), &fs));
	EINVAL_(apv_hw_master_key(f->hw, apv_apqn(5, 4), (enum apv_mk_op)99, NULL));
}

CASE(hw_in_use_is_not_freed)
{
	/* A kvm lives on it: refused, and the kvm still works. */
	EQ_(apv_hw_free(f->hw), -EBUSY);
	TRUE_(apv_kvm_hw(f->kvm) == f->hw);
	TRUE_(apv_hw_adapter_exists(f->hw, 5));
}

CASE(hw_second_kvm_is_refused)
{
	struct apv_guest_platform p;

	/* One host has one KVM: a second would see the first's queues as its own. */
	TRUE_(apv_hw_in_use(f->hw));
	NULL_(apv_kvm_new(f->hw, NULL));
	/* Nor does a bare-metal guest take the interrupts of the KVM's guests. */
	EQ_(apv_guest_platform_hw(f->hw, 0x10000, &p), -EBUSY);
	FALSE_(apv_hw_in_use(NULL));
}

CASE(hold_and_release)
{
	struct apv_clock *c = apv_clock_new_virtual();

	(void)f;
	apv_clock_hold(NULL);
	apv_clock_release(NULL);
	apv_clock_hold(c);
	EQ_(apv_clock_free(c), -EBUSY);
	apv_clock_release(c);
	apv_clock_release(c); /* one too many: ignored */
	EQ_(apv_clock_free(c), 0);
}

/* ---- kvm ------------------------------------------------------------------------------- */

CASE(kvm_null)
{
	struct apv_vcpu_stats vs;
	struct apv_irq_route *route = NULL;
	uint64_t stores, raises;
	char err[64];

	apv_kvm_config_default(NULL);
	NULL_(apv_kvm_new(NULL, NULL));
	EQ_(apv_kvm_free(NULL), 0);
	NULL_(apv_kvm_hw(NULL));
	NULL_(apv_kvm_clock(NULL));
	NULL_(apv_kvm_account(NULL));
	apv_kvm_set_host_irq_handler(NULL, NULL, NULL);
	NULL_(apv_kvm_host_storage(NULL));
	EQ_(apv_kvm_gal_interrupts(NULL), 0);
	EINVAL_(apv_kvm_check(NULL, err, sizeof(err)));
	NULL_(apv_vcpu_new(NULL, 1));
	apv_vcpu_free(NULL);
	NULL_(apv_vcpu_vm(NULL));
	EQ_(apv_vcpu_id(NULL), 0);
	NULL_(apv_vcpu_regs(NULL));
	NULL_(apv_vcpu_psw(NULL));
	apv_vcpu_set_cr6(NULL, 0xFF);
	EQ_(apv_vcpu_cr6(NULL), 0);
	apv_vcpu_set_running(NULL, true);
	apv_vcpu_set_irq_handler(NULL, NULL, NULL);
	EQ_(apv_vcpu_deliver_pending(NULL), 0);
	EQ_(apv_vcpu_interrupts(NULL), 0);
	PGM_OP_(apv_vcpu_execute(NULL, APV_OP_PQAP, 0, 0));
	apv_vcpu_stats(NULL, &vs);
	apv_vcpu_stats(f->vcpu, NULL);
	EQ_(apv_kvm_vm_visits(NULL), 0);
	EQ_(apv_kvm_stray_irqs(NULL), 0);
	stores = raises = 7;
	apv_irq_route_stats(NULL, &stores, &raises);
	EQ_(stores, 7);
	EQ_(raises, 7);
	EINVAL_(apv_vm_irq_route_get(NULL, apv_apqn(5, 4), 0x1000, &route));
	EINVAL_(apv_vm_irq_route_get(f->vm, apv_apqn(5, 4), 0x1000, NULL));
	apv_irq_route_put(NULL);
	NULL_(apv_irq_route_storage(NULL));
}

CASE(kvm_out_of_range)
{
	NULL_(apv_vcpu_new(f->vm, 100000));
	PGM_OP_(apv_vcpu_execute(f->vcpu, 0x0000, 0, 0));
}

CASE(kvm_in_use_is_not_freed)
{
	/* A VM and a matrix device live on it. */
	EQ_(apv_kvm_free(f->kvm), -EBUSY);
	TRUE_(apv_vm_kvm(f->vm) == f->kvm);
}

CASE(kvm_second_matrix_is_refused)
{
	/* Two matrix devices on one KVM would hand one queue to two VMs. */
	NULL_(apv_matrix_new(f->kvm));
}

CASE(vm_null)
{
	struct apv_mask a, b, c;
	struct apv_vm_stats st;
	struct apv_pqap_hook h = {0};
	uint64_t host = 0;

	memset(&a, 0, sizeof(a));
	b = c = a;
	apv_vm_config_default(NULL);
	NULL_(apv_vm_new(NULL, NULL));
	apv_vm_get(NULL);
	apv_vm_put(NULL);
	NULL_(apv_vm_name(NULL));
	NULL_(apv_vm_kvm(NULL));
	NULL_(apv_vm_facilities(NULL));
	FALSE_(apv_vm_has_facility(NULL, 65));
	FALSE_(apv_vm_has_facility(f->vm, 1000));
	apv_vm_lock(NULL);
	apv_vm_unlock(NULL);
	EINVAL_(apv_vm_set_apie(NULL, true));
	FALSE_(apv_vm_apie(NULL));
	apv_vm_set_nested_intercept(NULL, true);
	EQ_(apv_vm_crycb_format(NULL), 0);
	apv_vm_set_masks(NULL, &a, &b, &c);
	apv_vm_clear_masks(NULL);
	apv_vm_get_masks(NULL, &a, &b, &c);
	EINVAL_(apv_vm_set_pqap_hook(NULL, &h));
	NULL_(apv_vm_pqap_hook(NULL));
	EQ_(apv_vm_gisa(NULL), 0);
	EINVAL_(apv_vm_gisc_register(NULL, 3));
	EINVAL_(apv_vm_gisc_unregister(NULL, 3));
	EINVAL_(apv_vm_gisc_refcount(NULL, 3));
	EQ_(apv_vm_gisa_ipm(NULL), 0);
	EQ_(apv_vm_gisa_iam(NULL), 0);
	FALSE_(apv_vm_gisa_alerted(NULL));
	EINVAL_(apv_vm_add_memslot(NULL, 0x100000, 4096, f->mem));
	EINVAL_(apv_vm_add_memslot(f->vm, 0x200001, 4096, NULL)); /* not page aligned */
	NULL_(apv_vm_storage(NULL));
	NULL_(apv_vm_hva(NULL, 0));
	EINVAL_(apv_vm_pin(NULL, 0, &host));
	EINVAL_(apv_vm_pin(NULL, 0, NULL));
	EINVAL_(apv_vm_unpin(NULL, 0));
	EQ_(apv_vm_pinned_pages(NULL), 0);
	apv_vm_stats(NULL, &st);
	apv_vm_stats(f->vm, NULL);
	EINVAL_(apv_vm_pv_set_shared(NULL, 0, true));
	FALSE_(apv_vm_pv_is_shared(NULL, 0));
	FALSE_(apv_vm_is_protected(NULL));
	EINVAL_(apv_vm_pv_enable(NULL));
	EQ_(apv_vm_pv_pinned_pages(NULL), 0);
	EINVAL_(apv_vm_set_gisc_register_failure(NULL, -EIO));
	EINVAL_(apv_vm_set_unpinnable(NULL, 0, true));
}

CASE(vm_out_of_range)
{
	EINVAL_(apv_vm_gisc_register(f->vm, 8));
	EINVAL_(apv_vm_gisc_unregister(f->vm, 8));
	EINVAL_(apv_vm_gisc_refcount(f->vm, 8));
	EINVAL_(apv_vm_add_memslot(f->vm, 0x200000, 0, f->mem));
}

/* ---- vfio_ap --------------------------------------------------------------------------- */

static void req_fn(void *ctx, struct apv_mdev *d)
{
	(void)ctx;
	(void)d;
}

CASE(vfio_ap_null)
{
	struct apv_mask a, b, c;
	struct apv_matrix_stats ms;
	struct apv_vfio_device_info di;
	struct apv_vfio_irq_info ii;
	struct apv_mdev_queue_info qi;
	struct apv_mdev *d = NULL;
	char buf[256], why[64];

	memset(&a, 0xFF, sizeof(a));
	b = c = a;
	NULL_(apv_matrix_new(NULL));
	apv_matrix_free(NULL);
	EINVAL_(apv_bus_set_masks(NULL, &a, &b, why, sizeof(why)));
	apv_bus_get_masks(NULL, &a, &b);
	apv_bus_get_masks(f->m, NULL, NULL);
	EINVAL_(apv_bus_store_mask(NULL, true, "+5", why, sizeof(why)));
	EINVAL_(apv_bus_store_mask(f->m, true, NULL, why, sizeof(why)));
	apv_bus_rescan(NULL);
	EQ_(apv_bus_queue_driver(NULL, apv_apqn(5, 4)), APV_DRV_NONE);
	EINVAL_(apv_bus_unbind(NULL, apv_apqn(5, 4), APV_DRV_VFIO_AP));
	EINVAL_(apv_bus_bind(NULL, apv_apqn(5, 4), APV_DRV_VFIO_AP));
	NULL_(apv_matrix_queue_status(NULL, apv_apqn(5, 4)));
	TRUE_(apv_matrix_features() != NULL);
	EINVAL_(apv_mdev_create(NULL, uuid1, &d));
	EINVAL_(apv_mdev_create(f->m, NULL, &d));
	EINVAL_(apv_mdev_remove(NULL));
	NULL_(apv_mdev_find(NULL, uuid1));
	NULL_(apv_mdev_find(f->m, NULL));
	NULL_(apv_mdev_uuid(NULL));
	NULL_(apv_mdev_next(NULL, NULL));
	EINVAL_(apv_mdev_store(NULL, "assign_adapter", "5"));
	EINVAL_(apv_mdev_store(f->mdev, NULL, "5"));
	EINVAL_(apv_mdev_store(f->mdev, "assign_adapter", NULL));
	EINVAL_(apv_mdev_show(NULL, "matrix", buf, sizeof(buf)));
	EINVAL_(apv_mdev_show(f->mdev, NULL, buf, sizeof(buf)));
	EINVAL_(apv_mdev_show(f->mdev, "matrix", NULL, 16));
	EINVAL_(apv_mdev_assign_adapter(NULL, 5));
	EINVAL_(apv_mdev_unassign_adapter(NULL, 5));
	EINVAL_(apv_mdev_assign_domain(NULL, 4));
	EINVAL_(apv_mdev_unassign_domain(NULL, 4));
	EINVAL_(apv_mdev_assign_control_domain(NULL, 4));
	EINVAL_(apv_mdev_unassign_control_domain(NULL, 4));
	apv_mdev_matrix(NULL, &a, &b, &c);
	apv_mdev_matrix(f->mdev, NULL, NULL, NULL);
	apv_mdev_shadow(NULL, &a, &b, &c);
	apv_mdev_shadow(f->mdev, NULL, NULL, NULL);
	EINVAL_(apv_mdev_attach(NULL, f->vm));
	EINVAL_(apv_mdev_attach(f->mdev, NULL));
	apv_mdev_detach(NULL);
	NULL_(apv_mdev_vm(NULL));
	apv_mdev_get_info(NULL, &di);
	apv_mdev_get_info(f->mdev, NULL);
	EINVAL_(apv_mdev_get_irq_info(NULL, 0, &ii));
	EINVAL_(apv_mdev_get_irq_info(f->mdev, 0, NULL));
	EINVAL_(apv_mdev_set_irqs(NULL, 0, -1));
	apv_mdev_set_request_handler(NULL, req_fn, NULL);
	EINVAL_(apv_mdev_reset(NULL));
	apv_mdev_dma_unmap(NULL, 0, 4096);
	EINVAL_(apv_mdev_queue_info(NULL, apv_apqn(5, 4), &qi));
	EINVAL_(apv_mdev_queue_info(f->mdev, apv_apqn(5, 4), NULL));
	apv_matrix_stats(NULL, &ms);
	apv_matrix_stats(f->m, NULL);
	EINVAL_(apv_matrix_check(NULL, buf, sizeof(buf)));
}

CASE(vfio_ap_out_of_range)
{
	struct apv_vfio_irq_info ii;

	EINVAL_(apv_bus_bind(f->m, apv_apqn(5, 4), (enum apv_queue_driver)7));
	EINVAL_(apv_bus_unbind(f->m, apv_apqn(5, 4), (enum apv_queue_driver)7));
	EINVAL_(apv_mdev_get_irq_info(f->mdev, APV_VFIO_AP_NUM_IRQS, &ii));
	EINVAL_(apv_mdev_set_irqs(f->mdev, APV_VFIO_AP_NUM_IRQS, -1));
}

/* ---- guest ----------------------------------------------------------------------------- */

CASE(guest_null)
{
	struct apv_guest_platform p;
	struct apv_guest *g = NULL;
	struct apv_guest_req r;
	struct apv_ica_rsa_modexpo me;
	struct apv_ica_rsa_modexpo_crt crt;
	struct apv_guest_info gi;
	struct apv_guest_stats gs;
	struct apv_guest_queue_info qi;
	struct apv_guest_card_info ci;
	char buf[64];

	memset(&r, 0, sizeof(r));
	memset(&me, 0, sizeof(me));
	memset(&crt, 0, sizeof(crt));
	apv_guest_config_default(NULL);
	EINVAL_(apv_guest_platform_kvm(NULL, 0, 0x10000, &p));
	EINVAL_(apv_guest_platform_kvm(f->vcpu, 0, 0x10000, NULL));
	EINVAL_(apv_guest_platform_hw(NULL, 0x10000, &p));
	EINVAL_(apv_guest_platform_hw(f->hw, 0x10000, NULL));
	apv_guest_platform_release(NULL);
	EINVAL_(apv_guest_new(NULL, NULL, &g));
	apv_guest_free(NULL);
	EINVAL_(apv_guest_probe(NULL));
	EINVAL_(apv_guest_rescan(NULL));
	EINVAL_(apv_guest_remove(NULL));
	EINVAL_(apv_guest_submit_me(NULL, &r, &me, APV_GUEST_ANY_QUEUE));
	EINVAL_(apv_guest_submit_crt(NULL, &r, &crt, APV_GUEST_ANY_QUEUE));
	FALSE_(apv_guest_req_done(NULL, &r));
	EINVAL_(apv_guest_wait(NULL, &r, 1000));
	EQ_(apv_guest_poll(NULL), 0);
	apv_guest_run(NULL, 1000);
	EINVAL_(apv_guest_cancel(NULL, &r));
	EINVAL_(apv_guest_rsa_me(NULL, &me));
	EINVAL_(apv_guest_rsa_crt(NULL, &crt));
	NULL_(apv_guest_qstate_name((enum apv_guest_qstate)99));
	apv_guest_info(NULL, &gi);
	apv_guest_stats(NULL, &gs);
	EQ_(apv_guest_queue_count(NULL), 0);
	EINVAL_(apv_guest_queue_at(NULL, 0, &qi));
	EINVAL_(apv_guest_queue_find(NULL, apv_apqn(5, 4), &qi));
	EQ_(apv_guest_card_count(NULL), 0);
	EINVAL_(apv_guest_card_at(NULL, 0, &ci));
	EINVAL_(apv_guest_lszcrypt(NULL, buf, sizeof(buf)));
}

CASE(guest_on_kvm)
{
	struct apv_guest_platform p;
	struct apv_guest *g = NULL;
	struct apv_guest_req r;
	struct apv_ica_rsa_modexpo me;
	struct apv_ica_rsa_modexpo_crt crt;
	struct apv_guest_queue_info qi;
	struct apv_guest_card_info ci;

	memset(&r, 0, sizeof(r));
	memset(&me, 0, sizeof(me));
	memset(&crt, 0, sizeof(crt));
	/* Outside the VM's memory, and too small. */
	EINVAL_(apv_guest_platform_kvm(f->vcpu, 0, 16, &p));
	if (apv_guest_platform_kvm(f->vcpu, 0, 0x10000, &p)) {
		failed(__LINE__, "apv_guest_platform_kvm", "no platform");
		return;
	}
	EINVAL_(apv_guest_new(&p, NULL, NULL)); /* releases the platform */
	if (apv_guest_platform_kvm(f->vcpu, 0, 0x10000, &p) || apv_guest_new(&p, NULL, &g)) {
		failed(__LINE__, "apv_guest_new", "no guest");
		return;
	}
	EINVAL_(apv_guest_submit_me(g, NULL, &me, APV_GUEST_ANY_QUEUE));
	EINVAL_(apv_guest_submit_me(g, &r, NULL, APV_GUEST_ANY_QUEUE));
	EINVAL_(apv_guest_submit_me(g, &r, &me, 0x10000));
	EINVAL_(apv_guest_submit_crt(g, NULL, &crt, APV_GUEST_ANY_QUEUE));
	EINVAL_(apv_guest_submit_crt(g, &r, NULL, APV_GUEST_ANY_QUEUE));
	EINVAL_(apv_guest_submit_crt(g, &r, &crt, -7));
	FALSE_(apv_guest_req_done(g, NULL));
	EINVAL_(apv_guest_cancel(g, NULL));
	EINVAL_(apv_guest_rsa_me(g, NULL));
	EINVAL_(apv_guest_rsa_crt(g, NULL));
	apv_guest_info(g, NULL);
	apv_guest_stats(g, NULL);
	EINVAL_(apv_guest_queue_at(g, 0, NULL));
	EINVAL_(apv_guest_queue_find(g, apv_apqn(5, 4), NULL));
	EINVAL_(apv_guest_card_at(g, 0, NULL));
	(void)qi;
	(void)ci;
	EINVAL_(apv_guest_lszcrypt(g, NULL, 10));
	apv_guest_free(g);
}

/* ---- mdevctl and scenario --------------------------------------------------------------- */

CASE(mdevctl_null)
{
	char err[128];
	FILE *devnull = fopen("/dev/null", "w");

	TRUE_(devnull != NULL);
	if (!devnull)
		return;
	apv_lszcrypt(NULL, f->hw, f->m);
	apv_lszcrypt(devnull, NULL, f->m);
	apv_mdev_list(NULL, f->m);
	apv_mdev_list(devnull, NULL);
	apv_lszcrypt_serial(NULL, f->hw);
	apv_lszcrypt_serial(devnull, NULL);
	apv_lszcrypt_mkvps(NULL, f->hw);
	apv_lszcrypt_mkvps(devnull, NULL);
	apv_mdevctl_export(NULL, f->m);
	apv_mdevctl_export(devnull, NULL);
	EINVAL_(apv_mdevctl_import(NULL, "{}", 2, "x.json", NULL, 0, NULL, 0, err, sizeof(err)));
	EINVAL_(apv_mdevctl_import(f->m, NULL, 2, "x.json", NULL, 0, NULL, 0, err, sizeof(err)));
	fclose(devnull);
}

CASE(scenario_null)
{
	char err[256];
	struct apv_scenario_opts o;

	(void)f;
	apv_scenario_opts_default(NULL);
	apv_scenario_opts_default(&o);
	NULL_(apv_scenario_load_file(NULL, err, sizeof(err)));
	NULL_(apv_scenario_load_string(NULL, "advance 1ns\n", NULL, err, sizeof(err)));
	NULL_(apv_scenario_load_string("x", NULL, NULL, err, sizeof(err)));
	EQ_(apv_scenario_nsteps(NULL), 0);
	NULL_(apv_scenario_file(NULL, 0));
	EINVAL_(apv_scenario_run(NULL, &o, err, sizeof(err)));
	EINVAL_(apv_scenario_finish(NULL, err, sizeof(err)));
	apv_scenario_free(NULL);
	NULL_(apv_scenario_hw(NULL));
	NULL_(apv_scenario_kvm(NULL));
	NULL_(apv_scenario_matrix(NULL));
	apv_scenario_print_commands(NULL);
	NULL_(apv_errno_str(-EINVAL, NULL, 10));
	NULL_(apv_errno_str(-EINVAL, err, 0));
}
