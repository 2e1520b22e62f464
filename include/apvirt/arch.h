/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — architecture encodings of the s390 AP (Adjunct Processor)
 * instructions, shared by every layer of the stack.
 *
 * Everything here is pure: constants, value types and stateless
 * encoders/decoders. Bit numbers in comments use IBM notation (bit 0 is
 * the most significant bit of a 64-bit register).
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_ARCH_H
#define APVIRT_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A mask for IBM bit n of a 64-bit register (bit 0 = MSB). */
#define APV_BIT64(n) (UINT64_C(1) << (63 - (n)))
/* A mask for IBM bit n of a 32-bit word. */
#define APV_BIT32(n) (UINT32_C(1) << (31 - (n)))

/* ---- Instructions ------------------------------------------------------ */

enum apv_opcode {
	APV_OP_NQAP = 0xB2AD, /* enqueue: RRE R1,R2 (even/odd pairs) */
	APV_OP_DQAP = 0xB2AE, /* dequeue: RRE R1,R2 (even/odd pairs) */
	APV_OP_PQAP = 0xB2AF, /* process queue: implicit GR0/GR1/GR2 */
};

/* PQAP function codes (GR0 bits 32-39). */
enum apv_pqap_fc {
	APV_FC_TAPQ = 0x00,
	APV_FC_RAPQ = 0x01,
	APV_FC_ZAPQ = 0x02,
	APV_FC_AQIC = 0x03,
	APV_FC_QCI = 0x04,
	APV_FC_QACT = 0x05,
	APV_FC_QBAP = 0x06,
	APV_FC_BAPQ = 0x07,
	APV_FC_AAPQ = 0x08,
};

/* Program-interruption codes the AP instructions can raise. */
enum apv_pgm_code {
	APV_PGM_OPERATION = 0x01,
	APV_PGM_PRIVILEGED_OP = 0x02,
	APV_PGM_SPECIFICATION = 0x06,
};

/* STFLE facility numbers that matter for AP. */
enum apv_facility {
	APV_FAC_QCI = 12,   /* PQAP(QCI) */
	APV_FAC_APFT = 15,  /* TAPQ T bit */
	APV_FAC_AQIC = 65,  /* AP-queue interruption control */
	APV_FAC_MSAX3 = 76, /* message-security assist 3; drives CRYCB format */
};

/* Interruption subclasses used by Linux for AP. */
enum {
	APV_MAX_ISC = 7,
	APV_GAL_ISC = 5, /* host: GIB alert */
	APV_AP_ISC = 6,  /* guest / host AP bus */
};

/* ---- GR0 ---------------------------------------------------------------- */

#define APV_GR0_FC_SHIFT 24
#define APV_GR0_FC_MASK UINT64_C(0xFF000000)
#define APV_GR0_T UINT64_C(0x00800000)     /* bit 40: TAPQ facilities test */
#define APV_GR0_F UINT64_C(0x00400000)     /* bit 41: RAPQ/ZAPQ F, QACT IF, NQAP S */
#define APV_GR0_RESERVED_41_47 UINT64_C(0x007F0000)
#define APV_GR0_APQN_MASK UINT64_C(0x0000FFFF)
/* APID >= 64 or APQI >= 16: invalid without APXA. */
#define APV_GR0_NON_APXA_RANGE UINT64_C(0x0000C0F0)

#define APV_GR0_NQAP_LAST UINT64_C(0x40000000)  /* bit 33 */
#define APV_GR0_DQAP_FIRST UINT64_C(0x80000000) /* bit 32 */
/* GR0 bits that must be zero for NQAP (32, 34, 35, 40) and DQAP (33, 34, 35, 40, 41). */
#define APV_GR0_NQAP_MBZ UINT64_C(0xB0800000)
#define APV_GR0_DQAP_MBZ UINT64_C(0x70C00000)

typedef uint16_t apv_apqn_t;

static inline apv_apqn_t apv_apqn(unsigned apid, unsigned apqi)
{
	return (apv_apqn_t)(((apid & 0xFF) << 8) | (apqi & 0xFF));
}
static inline unsigned apv_apqn_apid(apv_apqn_t q) { return q >> 8; }
static inline unsigned apv_apqn_apqi(apv_apqn_t q) { return q & 0xFF; }

static inline unsigned apv_gr0_fc(uint64_t gr0) { return (unsigned)((gr0 >> 24) & 0xFF); }
static inline apv_apqn_t apv_gr0_apqn(uint64_t gr0) { return (apv_apqn_t)(gr0 & 0xFFFF); }
static inline bool apv_gr0_t(uint64_t gr0) { return gr0 & APV_GR0_T; }
static inline bool apv_gr0_f(uint64_t gr0) { return gr0 & APV_GR0_F; }
static inline uint64_t apv_gr0_pqap(unsigned fc, apv_apqn_t apqn, bool t, bool f)
{
	return ((uint64_t)(fc & 0xFF) << 24) | (t ? APV_GR0_T : 0) | (f ? APV_GR0_F : 0) | apqn;
}
/* True when the APQN needs APXA (APID > 63 or APQI > 15). */
static inline bool apv_apqn_needs_apxa(apv_apqn_t q) { return (q & APV_GR0_NON_APXA_RANGE) != 0; }

/* ---- AP queue status word (APQSW), GR1 bits 32-63 ----------------------- */

#define APV_APQSW_E APV_BIT32(0)
#define APV_APQSW_R APV_BIT32(1)
#define APV_APQSW_F APV_BIT32(2)
#define APV_APQSW_ASYNC APV_BIT32(6)
#define APV_APQSW_I APV_BIT32(7)
#define APV_APQSW_RC_SHIFT 16
#define APV_APQSW_RC_MASK UINT32_C(0x00FF0000)
/* The RC field as it sits in the 64-bit GR1 (bits 40-47). */
#define APV_GR1_RC_MASK UINT64_C(0x00FF0000)

enum apv_rc {
	APV_RC_NORMAL = 0x00,
	APV_RC_Q_NOT_AVAIL = 0x01,
	APV_RC_RESET_IN_PROGRESS = 0x02,
	APV_RC_DECONFIGURED = 0x03,
	APV_RC_CHECKSTOPPED = 0x04,
	APV_RC_BUSY = 0x05,
	APV_RC_INVALID_ADDRESS = 0x06,
	APV_RC_OTHERWISE_CHANGED = 0x07,
	APV_RC_INVALID_GISA = 0x08,
	APV_RC_Q_BOUND_TO_ANOTHER = 0x09,
	APV_RC_STATE_CHANGE_IN_PROGRESS = 0x0A,
	APV_RC_Q_NOT_BOUND = 0x0B,
	APV_RC_Q_FULL = 0x10,
	APV_RC_NO_PENDING_REPLY = 0x10,
	APV_RC_INDEX_TOO_BIG = 0x11,
	APV_RC_NO_FIRST_PART = 0x13,
	APV_RC_MESSAGE_TOO_BIG = 0x15,
	APV_RC_REQ_FAC_NOT_INST = 0x16,
	APV_RC_Q_BIND_ERROR = 0x30,
	APV_RC_Q_NOT_AVAIL_FOR_ASSOC = 0x31,
	APV_RC_Q_NOT_EMPTY = 0x32,
	APV_RC_BIND_LIMIT_EXCEEDED = 0x33,
	APV_RC_INVALID_ASSOC_SECRET = 0x34,
	APV_RC_ASSOC_SECRET_NOT_UNIQUE = 0x35,
	APV_RC_ASSOC_FAILED = 0x36,
	APV_RC_INVALID_DOMAIN = 0x42,
};

/* Decoded APQSW. */
struct apv_apqsw {
	bool e;     /* queue empty */
	bool r;     /* replies waiting */
	bool f;     /* queue full */
	bool async; /* asynchronous error pending */
	bool i;     /* interrupts enabled */
	uint8_t rc; /* response code */
};

uint32_t apv_apqsw_encode(struct apv_apqsw s);
struct apv_apqsw apv_apqsw_decode(uint32_t w);
/* A status word with only a response code. */
static inline uint32_t apv_apqsw_rc(uint8_t rc) { return (uint32_t)rc << APV_APQSW_RC_SHIFT; }
static inline uint8_t apv_apqsw_get_rc(uint32_t w) { return (uint8_t)((w >> 16) & 0xFF); }
/* GR1 as the architecture returns it: APQSW in bits 32-63, bits 0-31 zero. */
static inline uint64_t apv_gr1_from_apqsw(uint32_t w) { return (uint64_t)w; }
static inline uint32_t apv_apqsw_from_gr1(uint64_t gr1) { return (uint32_t)(gr1 & 0xFFFFFFFFu); }
/* Linux name of a response code without the AP_RESPONSE_ prefix ("Q_NOT_AVAIL";
 * 0x10 is "Q_FULL"), or NULL if Linux has none. */
const char *apv_rc_name(uint8_t rc);
/* Format a status word for people, e.g. "E I rc=00(NORMAL)". Returns buf. */
char *apv_apqsw_format(uint32_t w, char *buf, size_t len);

/* ---- AQIC interruption controls (GR1 input) ----------------------------- */

#define APV_AQIC_IR APV_BIT64(16)

struct apv_aqic_ctrl {
	uint8_t zone;        /* bits 8-15 */
	bool ir;             /* bit 16: enable (1) / disable (0) */
	uint8_t gisc;        /* bits 21-23: guest ISC when a GISA is given */
	uint8_t gf;          /* bits 30-31: GISA format */
	uint32_t gisa;       /* bits 33-59: GISA origin >> 4 (27 bits) */
	uint8_t isc;         /* bits 61-63 */
};

uint64_t apv_aqic_ctrl_encode(struct apv_aqic_ctrl c);
struct apv_aqic_ctrl apv_aqic_ctrl_decode(uint64_t gr1);
/* Reserved bits of the AQIC controls (0-7, 17-20, 24-29, 32, 60). */
#define APV_AQIC_RESERVED UINT64_C(0xFF0078FC80000008)

/* ---- TAPQ hwinfo (GR2 with T bit) --------------------------------------- */

#define APV_HW_APSC APV_BIT64(0)
#define APV_HW_MEX4K APV_BIT64(1)
#define APV_HW_CRT4K APV_BIT64(2)
#define APV_HW_CCA APV_BIT64(3)
#define APV_HW_ACCEL APV_BIT64(4)
#define APV_HW_EP11 APV_BIT64(5)
#define APV_HW_APXA APV_BIT64(6)
#define APV_HW_SLCF APV_BIT64(7)
#define APV_HW_CARD_MASK UINT64_C(0xFFFF0000FFFF0F0F)

enum apv_ap_type {
	APV_AT_CEX4 = 10,
	APV_AT_CEX5 = 11,
	APV_AT_CEX6 = 12,
	APV_AT_CEX7 = 13,
	APV_AT_CEX8 = 14,
};

struct apv_tapq_hwinfo {
	bool apsc, mex4k, crt4k, cca, accel, ep11, apxa, slcf;
	uint8_t class_;  /* bits 8-15 */
	uint8_t bs;      /* bits 16-17: SE bind state */
	uint8_t at;      /* bits 32-39: AP type */
	uint8_t nd;      /* bits 40-47: number of domains */
	uint8_t ml;      /* bits 52-55: max message length in 4 KiB units (0 = 12 KiB) */
	uint8_t qd;      /* bits 60-63: queue depth field */
};

/*
 * The message size limit of a queue from TAPQ's ML field: ML units of
 * 4 KiB, and ML 0 for the 12 KiB every card takes (Linux's maxmsgsize).
 * It bounds NQAP's message (RC15 beyond it) and sizes a driver's reply buffer.
 */
#define APV_AP_ML_CHUNK 4096u
#define APV_AP_ML_DEFAULT (3u * APV_AP_ML_CHUNK)
#define APV_AP_ML_MAX (15u * APV_AP_ML_CHUNK)
static inline uint32_t apv_ap_max_msg_size(uint8_t ml)
{
	return (ml & 0xF) ? (ml & 0xFu) * APV_AP_ML_CHUNK : APV_AP_ML_DEFAULT;
}

uint64_t apv_tapq_hwinfo_encode(struct apv_tapq_hwinfo h);
struct apv_tapq_hwinfo apv_tapq_hwinfo_decode(uint64_t gr2);
/* "CEX8", for AP types 10-14; NULL otherwise. */
const char *apv_ap_type_name(unsigned at);

/* ---- 256-bit MSB-first masks (APM, AQM, ADM) ----------------------------- */

#define APV_MASK_BITS 256
struct apv_mask {
	uint8_t b[32]; /* bit n = ID n, MSB of b[0] is ID 0 */
};

static inline bool apv_mask_test(const struct apv_mask *m, unsigned n)
{
	return n < APV_MASK_BITS && (m->b[n >> 3] & (0x80u >> (n & 7)));
}
static inline void apv_mask_set(struct apv_mask *m, unsigned n)
{
	if (n < APV_MASK_BITS)
		m->b[n >> 3] |= (uint8_t)(0x80u >> (n & 7));
}
static inline void apv_mask_clear(struct apv_mask *m, unsigned n)
{
	if (n < APV_MASK_BITS)
		m->b[n >> 3] &= (uint8_t)~(0x80u >> (n & 7));
}
bool apv_mask_empty(const struct apv_mask *m);
bool apv_mask_equal(const struct apv_mask *a, const struct apv_mask *b);
unsigned apv_mask_weight(const struct apv_mask *m);
void apv_mask_and(struct apv_mask *dst, const struct apv_mask *a, const struct apv_mask *b);
void apv_mask_or(struct apv_mask *dst, const struct apv_mask *a, const struct apv_mask *b);
void apv_mask_andnot(struct apv_mask *dst, const struct apv_mask *a, const struct apv_mask *b);
bool apv_mask_intersects(const struct apv_mask *a, const struct apv_mask *b);
/* Next set bit at or after n, or APV_MASK_BITS. */
unsigned apv_mask_next(const struct apv_mask *m, unsigned n);
#define apv_mask_for_each(bit, m) \
	for ((bit) = apv_mask_next((m), 0); (bit) < APV_MASK_BITS; (bit) = apv_mask_next((m), (bit) + 1))
/* Bits above max set? */
bool apv_mask_overflows(const struct apv_mask *m, unsigned max);
/* "0x" + 64 hex digits. buf needs 67 bytes. */
char *apv_mask_format(const struct apv_mask *m, char *buf, size_t len);
/* Parse up to 64 hex digits, optional 0x, MSB first (like ap_hex2bitmap). 0 or -EINVAL. */
int apv_mask_parse(const char *s, size_t n, struct apv_mask *m);

/* ---- QCI configuration block (128 bytes) --------------------------------- */

#define APV_QCI_SIZE 128
#define APV_QCI_S APV_BIT32(0) /* APSC */
#define APV_QCI_N APV_BIT32(1) /* APXA */
#define APV_QCI_C APV_BIT32(2) /* QACT */
#define APV_QCI_R APV_BIT32(3) /* RC8A */
#define APV_QCI_B APV_BIT32(8) /* APSB */

struct apv_qci {
	uint32_t flags; /* APV_QCI_* */
	uint8_t na;     /* max APID */
	uint8_t nd;     /* max domain */
	struct apv_mask apm, aqm, adm;
};

void apv_qci_encode(const struct apv_qci *q, uint8_t out[APV_QCI_SIZE]);
void apv_qci_decode(const uint8_t in[APV_QCI_SIZE], struct apv_qci *q);

/* ---- Registers, storage and the result of one instruction ---------------- */

struct apv_regs {
	uint64_t gr[16];
};

/*
 * A storage interface: the only way any layer reads or writes memory that
 * belongs to someone else (guest storage, host memory behind a NIB).
 * Each call returns 0 or a negative errno (-EFAULT when the range is not
 * backed). Implementations must be safe to call from the hot path.
 */
struct apv_storage {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
	void *ctx;
};

static inline int apv_storage_read(const struct apv_storage *s, uint64_t a, void *b, size_t n)
{
	return s->read(s->ctx, a, b, n);
}
static inline int apv_storage_write(const struct apv_storage *s, uint64_t a, const void *b, size_t n)
{
	return s->write(s->ctx, a, b, n);
}

/* A plain buffer as storage at base address `base` (tests, bare-metal guests). */
struct apv_flat_storage {
	uint8_t *mem;
	uint64_t base;
	size_t size;
};
struct apv_storage apv_flat_storage(struct apv_flat_storage *f);

enum apv_result_kind {
	APV_RES_DONE = 0, /* completed: registers and cc updated */
	APV_RES_PGM,      /* program exception: pgm holds the code */
	APV_RES_EXIT,     /* exit to user space: nothing changed */
};

struct apv_result {
	enum apv_result_kind kind;
	uint8_t cc;   /* valid for APV_RES_DONE */
	uint16_t pgm; /* valid for APV_RES_PGM */
};

static inline struct apv_result apv_done(unsigned cc)
{
	struct apv_result r = {APV_RES_DONE, (uint8_t)cc, 0};
	return r;
}
static inline struct apv_result apv_pgm(unsigned code)
{
	struct apv_result r = {APV_RES_PGM, 0, (uint16_t)code};
	return r;
}
static inline struct apv_result apv_exit(void)
{
	struct apv_result r = {APV_RES_EXIT, 0, 0};
	return r;
}

/* Helpers for 64-bit PSMIDs split over an even/odd register pair (low words). */
static inline uint64_t apv_psmid_from_pair(const struct apv_regs *r, unsigned even)
{
	return ((r->gr[even] & 0xFFFFFFFFu) << 32) | (r->gr[even + 1] & 0xFFFFFFFFu);
}
static inline void apv_psmid_to_pair(struct apv_regs *r, unsigned even, uint64_t psmid)
{
	r->gr[even] = (r->gr[even] & ~UINT64_C(0xFFFFFFFF)) | (psmid >> 32);
	r->gr[even + 1] = (r->gr[even + 1] & ~UINT64_C(0xFFFFFFFF)) | (psmid & 0xFFFFFFFFu);
}

/* Name of a program-interruption code ("specification"); "unknown" if unnamed. */
const char *apv_pgm_name(unsigned code);
/* Name of a PQAP function code ("AQIC"), or NULL. */
const char *apv_fc_name(unsigned fc);

#ifdef __cplusplus
}
#endif
#endif
