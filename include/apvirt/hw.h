/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the host AP hardware: configuration (QCI), adapters, domains and
 * queues, and the AP instructions as the architecture defines them.
 *
 * Instructions take the register set and a storage interface and return an
 * apv_result: DONE with a condition code (the APQSW is in GR1 bits 32-63,
 * GR2 where defined), or PGM with a program-interruption code for the
 * architectural exceptions (odd register pair, zero length, reserved GR0
 * bits, misaligned QCI block, invalid function code, T bit without APFT
 * when the machine lacks it). Hardware conditions are response codes.
 *
 * Locking: one lock per queue, one for the configuration. Instructions on
 * different queues run in parallel; NQAP/DQAP do no allocation.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_HW_H
#define APVIRT_HW_H

#include <apvirt/arch.h>
#include <apvirt/base.h>
#include <apvirt/clock.h>
#include <apvirt/crypto.h>

#ifdef __cplusplus
extern "C" {
#endif

struct apv_hw;

enum apv_ap_mode {
	APV_MODE_ACCEL = APV_CARD_ACCEL, /* CEXnA: type 50 requests, type 80/82 replies */
	APV_MODE_CCA = APV_CARD_CCA,     /* CEXnC: type 6 with a CCA CPRB, type 86 replies */
	APV_MODE_EP11 = APV_CARD_EP11,   /* CEXnP: type 6 with an EP11 CPRB, type 86 replies */
};

struct apv_hw_config {
	bool apxa;          /* AP extended addressing (QCI N bit, TAPQ N bit) */
	bool qci;           /* facility 12: PQAP(QCI) available */
	bool apft;          /* facility 15: TAPQ T bit honoured */
	bool aqic;          /* facility 65: AQIC available */
	uint8_t na;         /* max APID (<= 63 without APXA) */
	uint8_t nd;         /* max domain (<= 15 without APXA) */
	uint64_t reset_ns;  /* how long RAPQ/ZAPQ keep RC02 */
	uint64_t irq_ns;    /* delay before the I bit follows an AQIC */
	uint64_t reply_ns;  /* virtual mode: time from NQAP to reply ready */
	unsigned workers;   /* real mode: request worker threads (0 = one per core) */
};
/* A sensible default: APXA, facilities 12/15/65, Na = Nd = 255, 1 ms resets. */
void apv_hw_config_default(struct apv_hw_config *cfg);

struct apv_adapter_config {
	uint8_t at;              /* AP type 10-14 (CEX4-CEX8) */
	enum apv_ap_mode mode;
	bool mex4k, crt4k;       /* 4096-bit ME / CRT */
	uint8_t nd;              /* number of domains reported by TAPQ */
	uint8_t ml;              /* TAPQ ML (4 KiB units, 0 = 12 KiB) */
	uint8_t qd;              /* TAPQ QD; the queue holds qd + 1 requests */
	/*
	 * Coprocessors: the card's serial number (CCA 8, EP11 16 printable
	 * characters, shorter ones are space-padded); empty: one derived from
	 * the APID ("93APV011", "93APVX0000000011"), stable across runs.
	 */
	char serial[APV_EP11_SERIAL_LEN + 1];
};
/* A CEX8A accelerator with 4K support, 85 domains, QD 7. */
void apv_adapter_config_default(struct apv_adapter_config *a);

/*
 * Interrupt raised when a reply becomes ready on a queue whose interrupts
 * are enabled, after the NIB byte has been set. With a GISA designation
 * (from a hypervisor's AQIC), gisa_valid is true and gisa/gisc name the
 * guest's interruption; isc is the host ISC given to AQIC.
 */
struct apv_hw_irq {
	apv_apqn_t apqn;
	uint8_t isc;
	bool gisa_valid;
	uint32_t gisa; /* GISA origin >> 4, as in the AQIC controls */
	uint8_t gisc;
	/*
	 * The storage the NIB byte was stored through: the one AQIC was given.
	 * A hypervisor that handed the hardware a storage of its own finds
	 * the interruption's target from it directly, as the machine reaches
	 * the GISA at its origin without searching for it.
	 */
	struct apv_storage nib_storage;
};
typedef void (*apv_hw_irq_fn)(void *ctx, const struct apv_hw_irq *irq);

struct apv_hw *apv_hw_new(const struct apv_hw_config *cfg, struct apv_clock *clock);
/*
 * Stops workers, drops every request and reply. 0 (NULL: nothing to do),
 * or -EBUSY while the hardware is in use (apv_hw_in_use): nothing is freed.
 */
int apv_hw_free(struct apv_hw *hw);
/*
 * In use while an interrupt handler is installed: a KVM (apv_kvm_new), a
 * bare-metal guest platform (apv_guest_platform_hw) or the embedder's own.
 * Only one of them can own the hardware's interrupts, so each refuses a
 * hardware that is in use (-EBUSY / NULL), and apv_hw_free refuses too.
 */
bool apv_hw_in_use(const struct apv_hw *hw);
const struct apv_hw_config *apv_hw_config(const struct apv_hw *hw);
struct apv_clock *apv_hw_clock(const struct apv_hw *hw);
/*
 * The host's log: every layer on this host reports through it (base.h).
 * Install a handler with apv_log_set_handler(apv_hw_log(hw), ...).
 */
struct apv_log *apv_hw_log(const struct apv_hw *hw);
/*
 * Install the interrupt handler (one; NULL removes). Called without hw locks.
 * When this returns, the previous handler is running nowhere (except up the
 * caller's own stack, when a handler calls this) and will not be called
 * again, so its ctx may be freed. Must not be called with a lock the handler takes.
 */
void apv_hw_set_irq_handler(struct apv_hw *hw, apv_hw_irq_fn fn, void *ctx);
/* False models a machine without AP instructions (PQAP raises an operation exception). */
void apv_hw_set_installed(struct apv_hw *hw, bool installed);
bool apv_hw_installed(const struct apv_hw *hw);

/* ---- configuration (administrator / machine side) ---------------------- */

/* Define adapter apid (configured). -EINVAL bad type/params, -ENODEV apid > na, -EEXIST. */
int apv_hw_add_adapter(struct apv_hw *hw, unsigned apid, const struct apv_adapter_config *a);
/* Define usage domain apqi on every adapter. -ENODEV apqi > nd. */
int apv_hw_add_domain(struct apv_hw *hw, unsigned apqi);
/* Control domain (ADM only). */
int apv_hw_add_control_domain(struct apv_hw *hw, unsigned apqi);
/* Configure / deconfigure at run time (QCI masks follow; queues answer RC03 / RC01). */
int apv_hw_configure_adapter(struct apv_hw *hw, unsigned apid, bool on);
int apv_hw_configure_domain(struct apv_hw *hw, unsigned apqi, bool on);
/* The host configuration as QCI reports it. */
void apv_hw_qci(struct apv_hw *hw, struct apv_qci *out);
bool apv_hw_adapter_exists(struct apv_hw *hw, unsigned apid);
int apv_hw_adapter_info(struct apv_hw *hw, unsigned apid, struct apv_adapter_config *out);

/* ---- coprocessor keys (administrator) ------------------------------------ */

/*
 * The key registers of one domain of a coprocessor card: the AES master
 * key of a CCA card (new / current / old) or the wrapping key of an EP11
 * card (current / new, committed or not). Secure keys and key blobs made
 * under them name them by verification pattern; a change moves new to
 * current and current to old, so keys made before it still work and are
 * reported as made under the old key.
 * -ENODEV: no such queue; -EOPNOTSUPP: an accelerator; -ENOENT: CHANGE or
 * COMMIT with an empty new register; -EPERM: EP11 CHANGE before COMMIT;
 * -EINVAL: bad arguments (NULL hw, an unknown op, SET without a key).
 */
int apv_hw_master_key(struct apv_hw *hw, apv_apqn_t apqn, enum apv_mk_op op,
		      const uint8_t key[APV_MK_LEN]);

struct apv_hw_mk_info {
	enum apv_ap_mode mode;
	char serial[APV_EP11_SERIAL_LEN + 1];
	/* CCA: AES master key registers (by enum apv_mk_reg) and their MKVPs */
	bool aes_set[3];
	uint8_t aes_mkvp[3][APV_CCA_MKVP_LEN];
	/* EP11: wrapping key current [0] and new [1] with their verification patterns */
	bool wk_set[2];
	bool wk_committed;
	uint8_t wkvp[2][APV_EP11_WKVP_LEN];
};
/* What the registers hold now, as the card's queries report it. -ENODEV, -EINVAL. */
int apv_hw_master_key_info(struct apv_hw *hw, apv_apqn_t apqn, struct apv_hw_mk_info *out);

/* ---- fault injection (per queue) --------------------------------------- */

enum apv_hw_fault {
	APV_FAULT_NONE = 0,
	APV_FAULT_BUSY,          /* every instruction: RC05 */
	APV_FAULT_RESET,         /* reset in progress (RC02) until cleared */
	APV_FAULT_DECONFIGURED,  /* RC03 */
	APV_FAULT_CHECKSTOP,     /* RC04 */
	APV_FAULT_AQIC_RC07,     /* next `count` AQICs answer RC07 */
	APV_FAULT_AQIC_RC,       /* next `count` AQICs answer `rc` */
	APV_FAULT_SLOW,          /* replies take `ns` longer */
};
struct apv_hw_fault_spec {
	enum apv_hw_fault kind;
	unsigned count; /* AQIC faults: how many; 0 = until cleared */
	uint8_t rc;     /* APV_FAULT_AQIC_RC */
	uint64_t ns;    /* APV_FAULT_SLOW */
	/*
	 * > 0: the fault ends by itself this long after the injection, at a
	 * clock event (exactly then on the virtual clock); 0: it lasts until
	 * cleared (or, for counted AQIC faults, used up). Not for NONE.
	 */
	uint64_t for_ns;
};
/*
 * -ENODEV if the queue does not exist, -EINVAL for a bad spec.
 * APV_FAULT_NONE clears every fault. Injecting a kind again replaces it,
 * with its new duration.
 */
int apv_hw_inject(struct apv_hw *hw, apv_apqn_t apqn, const struct apv_hw_fault_spec *f);

/* ---- instructions ------------------------------------------------------- */

/*
 * PQAP: function code in GR0 bits 32-39. TAPQ, RAPQ, ZAPQ, AQIC, QCI (GR2 =
 * address of a 128-byte block in `st`). QACT is not offered (QCI C bit
 * off) and, like BAPQ/AAPQ, raises a specification exception. For AQIC, GR2 is the NIB
 * address in `st`; the hardware keeps a copy of `st` and the address until
 * interrupts are disabled, so what `st` refers to (its ctx) must outlive
 * that. The NIB is stored under the queue lock: storage callbacks must not
 * call back into hw.
 */
struct apv_result apv_hw_pqap(struct apv_hw *hw, struct apv_regs *r, const struct apv_storage *st);
/* NQAP R1,R2: psmid in the R1 pair, message address/length in the R2 pair. */
struct apv_result apv_hw_nqap(struct apv_hw *hw, struct apv_regs *r, unsigned r1, unsigned r2,
			      const struct apv_storage *st);
/* DQAP R1,R2: psmid out in the R1 pair, buffer address/length in the R2 pair, GR2 residual. */
struct apv_result apv_hw_dqap(struct apv_hw *hw, struct apv_regs *r, unsigned r1, unsigned r2,
			      const struct apv_storage *st);

/* Convenience wrappers for layers that issue PQAP themselves (vfio_ap, tests). */
uint32_t apv_hw_tapq(struct apv_hw *hw, apv_apqn_t apqn, bool t, uint64_t *gr2);
uint32_t apv_hw_zapq(struct apv_hw *hw, apv_apqn_t apqn);
uint32_t apv_hw_rapq(struct apv_hw *hw, apv_apqn_t apqn);
uint32_t apv_hw_aqic(struct apv_hw *hw, apv_apqn_t apqn, struct apv_aqic_ctrl ctrl, uint64_t nib,
		     const struct apv_storage *st);

/*
 * The instructions a layer issues through the wrappers above (vfio_ap's
 * TAPQ, ZAPQ, RAPQ and AQIC), as a trace: the observer is called after
 * each one on the issuing thread, with no hw lock held. Install it before
 * anything issues instructions, not while they run; NULL removes it.
 */
struct apv_hw_host_insn {
	unsigned fc;	  /* APV_FC_TAPQ, RAPQ, ZAPQ or AQIC */
	apv_apqn_t apqn;
	uint64_t gr1_in;  /* AQIC: the interruption controls */
	uint64_t gr2_in;  /* AQIC: the NIB as a host address */
	uint32_t apqsw;	  /* the answer (RC01 for a program exception) */
	uint64_t gr2_out; /* TAPQ: the adapter's facilities (with T) */
	uint64_t time_ns; /* clock time after the instruction */
};
typedef void (*apv_hw_insn_fn)(void *ctx, const struct apv_hw_host_insn *insn);
void apv_hw_set_insn_observer(struct apv_hw *hw, apv_hw_insn_fn fn, void *ctx);

/* ---- CPACF wrapping key (the CPU side of protected keys) ---------------- */

/*
 * The host's CPACF AES wrapping key: one per host, an AES-256 key that
 * firmware keeps and never shows. A protected key is a clear key's bytes
 * encrypted under it, followed by the 32-byte wrapping key verification
 * pattern (WKVP) that names the wrapping key: 48, 56 or 64 bytes for
 * AES-128/192/256, and likewise for the other key types PCKMO takes (AES-XTS
 * double keys, ECC private keys, HMAC keys). The CPU (PCKMO, the KM/KMC/PCC
 * functions with encrypted keys) and the cards' secure-to-protected key
 * conversion share it; a protected key only works with the wrapping key
 * it was made under.
 *
 * apv_hw_new() draws the key from OpenSSL's random generator; set it for
 * reproducible runs. The encryption is length-preserving (AES-256 CBC with
 * ciphertext stealing, zero IV) and the WKVP is a SHA-256 digest of the key
 * with a fixed label: docs/hardware.md. Thread-safe; no allocation.
 */
#define APV_CPACF_WK_LEN 32	 /* the wrapping key: AES-256 */
#define APV_CPACF_WKVP_LEN 32	 /* its verification pattern */
#define APV_CPACF_KEY_MIN 16	 /* shortest key that can be wrapped (AES-128) */
#define APV_CPACF_KEY_MAX 128	 /* longest (HMAC-1024) */

/* Replace the wrapping key with wk, or with a new random one (wk NULL). 0 or -EIO. */
int apv_hw_cpacf_set_wrapping_key(struct apv_hw *hw, const uint8_t *wk);
/* The current wrapping key's verification pattern. */
void apv_hw_cpacf_wkvp(struct apv_hw *hw, uint8_t wkvp[APV_CPACF_WKVP_LEN]);
/*
 * Wrap a clear key of len bytes (APV_CPACF_KEY_MIN..MAX): protkey gets
 * len + APV_CPACF_WKVP_LEN bytes (encrypted key, then the WKVP).
 * 0, -EINVAL for a length out of range, -EIO if OpenSSL fails.
 */
int apv_hw_cpacf_wrap(struct apv_hw *hw, const uint8_t *clear, size_t len, uint8_t *protkey);
/*
 * The reverse: protkey holds len + APV_CPACF_WKVP_LEN bytes, clear gets len.
 * -EKEYREJECTED if the WKVP is not the current wrapping key's (the
 * architected CC 1 of the CPU functions; clear is then left alone),
 * -EINVAL for a length out of range, -EIO if OpenSSL fails.
 */
int apv_hw_cpacf_unwrap(struct apv_hw *hw, const uint8_t *protkey, size_t len, uint8_t *clear);

/* ---- observation ---------------------------------------------------------- */

struct apv_hw_queue_stats {
	bool exists;
	uint32_t apqsw;          /* what TAPQ would say now */
	unsigned queued;         /* requests accepted, not yet dequeued */
	unsigned replies;        /* replies waiting */
	uint64_t requests;       /* NQAP accepted */
	uint64_t replies_done;   /* DQAP completed */
	uint64_t discarded;      /* requests/replies dropped by a reset */
	uint64_t interrupts;     /* interrupts raised */
	uint64_t aqic;           /* AQIC instructions seen */
	bool irq_enabled;
	uint64_t nib;            /* saved NIB address, 0 if none */
	uint64_t last_ready_ns;  /* clock time the latest reply became ready, 0 if none */
	uint64_t resets;         /* RAPQ/ZAPQ accepted (answered RC00: a reset started) */
	uint64_t last_reset_ns;  /* clock time the latest of them was accepted, 0 if none */
};
int apv_hw_queue_stats(struct apv_hw *hw, apv_apqn_t apqn, struct apv_hw_queue_stats *out);

#ifdef __cplusplus
}
#endif
#endif
