/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal interfaces of the scenario layer: tokens and statements (lex.c),
 * steps and the command table (parse.c, cmd_*.c), value syntax
 * (values.c), the simulated world a run acts on (world.c), the runner
 * (run.c) and the instruction trace (trace.c).
 *
 * A scenario is parsed completely before anything runs, so that a typo on
 * line 80 is reported before line 1 has changed any state.
 */
#ifndef APV_SCENARIO_INTERNAL_H
#define APV_SCENARIO_INTERNAL_H

#include <apvirt/guest.h>
#include <apvirt/scenario.h>
#include <apvirt/vfio_ap.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ---- tokens and statements (lex.c) ---------------------------------------- */

struct apv_tok {
	char *text;	    /* the word, the unquoted string, or the value of key=value */
	char *key;	    /* key of key=value, else NULL */
	unsigned line, col; /* where the token starts */
	unsigned vcol;	    /* where the value starts (key=value), else col */
	bool quoted;	    /* text came from a "quoted string" */
};

struct apv_stmt {
	const char *file; /* owned by the scenario's file list */
	unsigned line, col;
	char *src; /* the statement as written, blanks folded */
	struct apv_tok *tok;
	int ntok, cap;
};

typedef int (*apv_stmt_fn)(void *ctx, struct apv_stmt *st); /* takes ownership; <0 stops */
int apv_scn_lex(const char *text, size_t len, const char *file, apv_stmt_fn fn, void *ctx,
		char *err, size_t errlen);
void apv_scn_stmt_free(struct apv_stmt *s);

/* ---- parsed values ------------------------------------------------------------ */

enum apv_val_kind {
	APV_V_NONE = 0, /* absent */
	APV_V_NUM,	/* numbers, durations, sizes, APQNs, booleans, enum indexes */
	APV_V_STR,	/* names and strings (point into the token) */
	APV_V_MASK,	/* ID lists */
};

/* Comparison of a numeric expectation field: key=N, key>=N, key<=N, key!=N. */
enum apv_cmp { APV_CMP_EQ = 0, APV_CMP_GE, APV_CMP_LE, APV_CMP_NE };

struct apv_val {
	enum apv_val_kind kind;
	enum apv_cmp cmp;
	uint64_t u;
	const char *s;
	struct apv_mask m;
	const struct apv_tok *tok;
};

#define APV_SCN_MAXARGS 24
#define APV_SCN_MAX_VCPUS 16

struct apv_cmd;

/*
 * A parsed step. While its command parses it, v is the parser's scratch
 * array of APV_SCN_MAXARGS values; afterwards the step keeps only its
 * first nv values (the last one set), its tokens and their strings, all in
 * one block `mem`, so that a trivial step costs a couple of hundred bytes.
 * The runner hands exec a copy with all APV_SCN_MAXARGS values (the ones
 * not kept read as APV_V_NONE).
 */
struct apv_step {
	const struct apv_cmd *cmd;
	struct apv_stmt st;
	struct apv_val *v;
	void *mem; /* v, st.tok, the token strings and st.src; NULL while parsing */
	unsigned nv;
};
/* Expand s into *full with every value slot (full->v must hold APV_SCN_MAXARGS). */
void apv_step_expand(const struct apv_step *s, struct apv_step *full);
/* Free what a parsed step owns. */
void apv_step_free(struct apv_step *s);

struct apv_scenario {
	char *name;
	struct apv_step *steps;
	size_t nsteps, cap;
	char **files; /* every file read, for step->st.file */
	size_t nfiles;
	struct apv_world *world;
	bool finished;
};

/* ---- the parser (parse.c) ----------------------------------------------------- */

struct apv_pname {
	char *name;
	char *uuid;    /* mdevs */
	unsigned line; /* where it was defined */
	const char *file;
	bool gone;	/* removed / destroyed */
	uint32_t vcpus; /* VMs: bit n = vCPU n exists */
};

struct apv_pctx {
	struct apv_scenario *s;
	struct apv_val vscratch[APV_SCN_MAXARGS]; /* the values of the step being parsed */
	struct apv_pname *vms, *mdevs;
	size_t nvms, nmdevs;
	char *err;
	size_t errlen;
	unsigned depth;
	const char *incstack[17];
};

/* A cursor over one statement's tokens while its command parses it. */
struct apv_pcur {
	struct apv_pctx *pc;
	struct apv_step *step;
	int i; /* next token */
};

struct apv_world;

enum {
	APV_CMD_ACTION =
	    1u << 0, /* an administrator action: its errno is what 'expect error' checks */
	APV_CMD_INSN = 1u << 1,	  /* executes an instruction: 'expect cc/rc/...' refer to it */
	APV_CMD_HIDDEN = 1u << 2, /* one of a family already listed (expect gr1..gr15) */
};

struct apv_cmd {
	const char *name;    /* first word */
	const char *sub;     /* second word, or NULL */
	const char *usage;   /* one line */
	const char *summary; /* one line */
	int (*parse)(struct apv_pcur *c);
	int (*exec)(struct apv_world *w, const struct apv_step *s);
	unsigned flags;
};

extern const struct apv_cmd apv_scn_cmds_host[];
extern const struct apv_cmd apv_scn_cmds_mdev[];
extern const struct apv_cmd apv_scn_cmds_vm[];
extern const struct apv_cmd apv_scn_cmds_guest[];
extern const struct apv_cmd apv_scn_cmds_expect[];
extern const struct apv_cmd apv_scn_cmds_state[];
extern const struct apv_cmd apv_scn_cmds_misc[];
extern const struct apv_cmd apv_scn_cmds_observe[];
extern const struct apv_cmd apv_scn_cmds_pv[];
extern const struct apv_cmd apv_scn_cmds_card[];

/* Errors name the file, line and column of tok (or of the statement if NULL). */
int apv_pc_fail(struct apv_pcur *c, const struct apv_tok *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int apv_pc_vfail(struct apv_pcur *c, const struct apv_tok *tok, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* The same, pointing at the value of a key=value token. */
int apv_pc_fail_val(struct apv_pcur *c, const struct apv_tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The token as written ("key=value" or the word), for messages. */
const char *apv_tok_show(const struct apv_tok *t, char *buf, size_t len);
/* Previous token's text, for "after 'x'". */
const char *apv_pc_prev(struct apv_pcur *c, char *buf, size_t len);
/* Next positional token or an error "expected WHAT after 'PREV', got end of line". */
const struct apv_tok *apv_pc_need(struct apv_pcur *c, const char *what);
/* Next token if it is a plain word (not key=value), else NULL; does not fail. */
const struct apv_tok *apv_pc_peek(struct apv_pcur *c);
bool apv_pc_more(struct apv_pcur *c);
/* Fail if tokens remain (also the parser of commands that take no arguments). */
int apv_pc_end(struct apv_pcur *c);
/* Whole argument lists that several commands share: "VCPU", "DURATION", "VM on|off". */
int apv_pc_args_vcpu(struct apv_pcur *c);
int apv_pc_args_dur(struct apv_pcur *c);
int apv_pc_args_vm_onoff(struct apv_pcur *c);
extern const char *const apv_scn_onoff[]; /* "on" (0), "off" (1) */

/* Positional values; each stores into step->v[idx] and fails with a precise message. */
int apv_pc_num(struct apv_pcur *c, int idx, const char *what, uint64_t max);
int apv_pc_apqn(struct apv_pcur *c, int idx);
int apv_pc_ids(struct apv_pcur *c, int idx, const char *what, unsigned max);
int apv_pc_word(struct apv_pcur *c, int idx, const char *what, const char *const *choices);
int apv_pc_str(struct apv_pcur *c, int idx, const char *what);
/* Bytes in hex: an even number of hex digits, 1 to max_bytes bytes. */
int apv_pc_hex(struct apv_pcur *c, int idx, const char *what, size_t max_bytes);
int apv_pc_dur(struct apv_pcur *c, int idx);
/* Names: a VM that exists at this point, an mdev (name or UUID), a vCPU "vm.N". */
int apv_pc_vm(struct apv_pcur *c, int idx);
int apv_pc_mdev(struct apv_pcur *c, int idx);
/* An mdev that was created at some point, removed or not (for expectations about the past). */
int apv_pc_mdev_ever(struct apv_pcur *c, int idx);
int apv_pc_vcpu(struct apv_pcur *c, int idx);
int apv_pc_newname(struct apv_pcur *c, const struct apv_tok *t, const char *kind);
/* Script-order name bookkeeping for the commands that define and remove things. */
int apv_pc_define_vm(struct apv_pcur *c, const struct apv_tok *t, unsigned vcpus_mask);
int apv_pc_define_vcpu(struct apv_pcur *c, const struct apv_tok *t);
int apv_pc_define_mdev(struct apv_pcur *c, const char *alias, const char *uuid);
void apv_pc_forget(struct apv_pcur *c, const char *name, bool vm);
void apv_pc_forget_all_mdevs(struct apv_pcur *c);

/* key=value options. */
enum apv_opt_type {
	APV_OPT_NUM, /* max in `max` */
	APV_OPT_DUR,
	APV_OPT_SIZE,
	APV_OPT_BOOL, /* on/off, yes/no, 1/0, true/false */
	APV_OPT_ENUM, /* choices; value = index */
	APV_OPT_IDS,  /* ID list up to max */
	APV_OPT_FLAG, /* a bare word: value 1 */
	APV_OPT_STR,
	APV_OPT_APQN,
};
struct apv_opt {
	const char *name;
	enum apv_opt_type type;
	int idx;
	uint64_t max;
	const char *const *choices;
	const char *what; /* for messages; defaults by type */
};
/* Options of expectations also accept key>=N, key<=N and key!=N for numbers. */
int apv_pc_opts_cmp(struct apv_pcur *c, const struct apv_opt *opts);
/* Parse every remaining token as an option from `opts` (NULL-terminated by name). */
int apv_pc_opts(struct apv_pcur *c, const struct apv_opt *opts);

/* A program-interruption code's name; "unknown" for a code without one. */
static inline const char *apv_scn_pgm_name(unsigned code)
{
	const char *n = apv_pgm_name(code);

	return n ? n : "unknown";
}

/* ---- values (values.c) --------------------------------------------------------- */

/* Decimal or 0x-hex. 0, -EINVAL (not a number) or -ERANGE (> max). */
int apv_scn_parse_num(const char *s, uint64_t max, uint64_t *out);
/* 20ms, 1.5us, 3s, 100ns. -EINVAL (syntax), -ENOENT (no unit), -ERANGE. */
int apv_scn_parse_dur(const char *s, uint64_t *ns);
/* 4096, 64K, 16M, 1G, 0x100000. */
int apv_scn_parse_size(const char *s, uint64_t *out);
/* 05.0004 (hex card . hex domain). */
int apv_scn_parse_apqn(const char *s, apv_apqn_t *q);
/*
 * 4-6,9,0x10 into a mask; -ERANGE if an ID exceeds max, -EDOM for a range
 * that runs backwards (9-5), -EINVAL for anything else.
 */
int apv_scn_parse_ids(const char *s, unsigned max, struct apv_mask *m);
/* The first backwards range of an ID list ("9-5"), for the message; "" if none. */
const char *apv_scn_ids_backwards(const char *s, char *buf, size_t len);
int apv_scn_parse_bool(const char *s, bool *b);
/* "-EADDRINUSE", "EADDRINUSE", "-98", "0", "none". */
int apv_scn_parse_errno(const char *s, int *e);
const char *apv_scn_errno_name(int e); /* "EADDRINUSE" or NULL */
/* "-EADDRINUSE (Address already in use)"; "0" for 0. */
const char *apv_scn_errno_str(int e, char *buf, size_t len);
/* "05.0004". buf >= 8. */
const char *apv_scn_apqn_str(apv_apqn_t q, char *buf, size_t len);
/* "4-6,9" or "none". */
const char *apv_scn_ids_str(const struct apv_mask *m, char *buf, size_t len);
/* "1.250ms" */
const char *apv_scn_dur_str(uint64_t ns, char *buf, size_t len);
/* Levenshtein distance, capped; for "did you mean". */
unsigned apv_scn_distance(const char *a, const char *b);

/* ---- the world (world.c) -------------------------------------------------------- */

/* What `guest rsa` checked on one guest model. */
struct apv_wguest_stats {
	uint64_t verified;   /* results equal to OpenSSL's */
	uint64_t mismatches; /* results that differ */
	uint64_t failed;     /* requests that ended with an error */
};

struct apv_wvm {
	char *name;
	struct apv_vm *vm; /* the scenario's reference; NULL once destroyed */
	struct apv_vcpu *vcpu[APV_SCN_MAX_VCPUS];
	struct apv_guest *guest[APV_SCN_MAX_VCPUS];
	struct apv_wguest_stats gstats[APV_SCN_MAX_VCPUS];
	uint64_t mem_size;
};

enum apv_on_request { APV_REQ_DETACH = 0, APV_REQ_IGNORE };

struct apv_wmdev {
	char *name; /* alias, or the UUID */
	char uuid[40];
	struct apv_mdev *mdev; /* NULL once removed */
	enum apv_on_request on_request;
	unsigned requests;
	struct apv_world *w;
	/* SET_IRQS: our end of the eventfds (request, config change), -1 = none */
	int sig_fd[APV_VFIO_AP_NUM_IRQS];
	uint64_t signals[APV_VFIO_AP_NUM_IRQS]; /* read from them so far */
};

struct apv_insn_record {
	bool valid;
	struct apv_wvm *vm;
	unsigned vcpu;
	uint16_t opcode;
	unsigned r1, r2;
	struct apv_regs before, after;
	struct apv_psw psw_before, psw_after;
	struct apv_result res;
};

/* One message of the host's log, as the scenario recorded it (cmd_log.c). */
struct apv_wlog {
	enum apv_log_level level;
	char *line;		     /* as apv_log_format() gives it */
	const struct apv_step *step; /* the step that was running; NULL outside the steps */
	bool matched;		     /* an `expect log` claimed it */
};

struct apv_world {
	const struct apv_scenario_opts *opts;
	struct apv_scenario_opts dflt;

	struct apv_hw_config hwcfg;
	struct apv_kvm_config kcfg;
	bool ap_installed;
	bool host_fixed; /* 'host' may no longer change the configuration */

	struct apv_clock *clock;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *matrix;

	struct apv_wvm **vms;
	size_t nvms;
	struct apv_wmdev **mdevs;
	size_t nmdevs;

	struct apv_insn_record last;
	bool have_action;
	int action_rc;
	const struct apv_step *action_step;
	char action_why[256];

	struct apv_rsa_key *keys; /* generated once per size */

	/* Secure keys made by 'card keygen' (cmd_card.c), by name. */
	struct apv_wseckey *seckeys;
	size_t nseckeys;

	/* Fires when one step keeps the virtual clock running far beyond its own time. */
	struct apv_timer watchdog;
	bool watchdog_fired;

	/* Instructions vfio_ap issued on the host, by function code (TAPQ..AQIC). */
	uint64_t issued[4];
	uint32_t (*issued_q)[4]; /* per APQN, allocated at the first one */
	bool tearing_down;
	/* Issued while a guest instruction runs: traced after it, as its consequences. */
	bool hold_host_insns;
	unsigned nheld;
	struct apv_hw_host_insn held[64];

	const struct apv_step *cur;
	char *err;
	size_t errlen;
	uint64_t insn_count;

	/* The log: records, the window of `expect log`, what the warning check has seen. */
	struct apv_wlog *logs;
	size_t nlogs, caplogs;
	size_t log_win_start, log_win_end, log_checked;
	bool log_group_open;
	uint64_t logs_lost;
};

struct apv_world *apv_world_new(const struct apv_scenario_opts *opts);
/* Tear everything down; 0, or -1 with a message when something is left over. */
int apv_world_teardown(struct apv_world *w, char *err, size_t errlen);
void apv_world_free(struct apv_world *w);

/* Lazily bring up the layers a command needs. 0 or -1 (w->err). */
int apv_world_need_hw(struct apv_world *w);
int apv_world_need_kvm(struct apv_world *w);
int apv_world_need_matrix(struct apv_world *w);
/* Module unload: the matrix goes and every mdev with it. */
void apv_world_unload_matrix(struct apv_world *w);
/* The resource balance so far (all zero before KVM exists). */
void apv_world_balance(struct apv_world *w, struct apv_balance *b);

struct apv_wvm *apv_world_add_vm(struct apv_world *w, const char *name);
struct apv_wmdev *apv_world_add_mdev(struct apv_world *w, const char *name, const char *uuid);
/* Hook our request handler (user space's side of the request notification) to a new mdev. */
void apv_world_mdev_created(struct apv_world *w, struct apv_wmdev *wm);
/* Free the VM's guests and vCPUs and drop the scenario's VM reference. */
void apv_world_destroy_vm(struct apv_wvm *vm);
struct apv_wvm *apv_world_vm(struct apv_world *w, const char *name);
struct apv_wmdev *apv_world_mdev(struct apv_world *w, const char *name);
struct apv_vcpu *apv_world_vcpu(struct apv_world *w, const char *spec, struct apv_wvm **vm,
				unsigned *id);
/* Read what the mdev's notification eventfds got since the last look. */
void apv_world_drain_signals(struct apv_wmdev *wm);
/* Clear every injected fault (teardown, and the step watchdog). */
void apv_world_clear_faults(struct apv_world *w);
/* Invariants after a step: 0, or -1 with a sentence in w->err. */
int apv_world_check(struct apv_world *w);

/* Runtime failure of the current step (file:line: message). Returns -1. */
int apv_w_fail(struct apv_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failed expectation: names the line, the expected and the actual value. Returns -1. */
int apv_w_expect_fail(struct apv_world *w, const char *expected, const char *actual);
/* Record the errno of an administrator action. */
void apv_w_action(struct apv_world *w, int rc, const char *why);
void apv_world_free_seckeys(struct apv_world *w);
/* Output for 'show' and 'echo'. */
FILE *apv_w_out(struct apv_world *w);

/* Execute one instruction on a vCPU with tracing and recording. */
struct apv_result apv_w_execute(struct apv_world *w, struct apv_wvm *vm, unsigned id,
				uint16_t opcode, unsigned r1, unsigned r2);

/* ---- RSA reference (rsa.c) -------------------------------------------------------------- */

struct apv_rsa_key;
struct apv_rsa_key *apv_rsa_key_new(unsigned bits);
/* From (or added to) a per-run cache. NULL if OpenSSL failed. */
struct apv_rsa_key *apv_rsa_key_get(struct apv_rsa_key **list, unsigned bits);
void apv_rsa_keys_free(struct apv_rsa_key *list);
size_t apv_rsa_len(const struct apv_rsa_key *k);
int apv_rsa_random_msg(const struct apv_rsa_key *k, uint8_t *out);
void apv_rsa_fill_me(const struct apv_rsa_key *k, struct apv_ica_rsa_modexpo *me,
		     const uint8_t *msg, uint8_t *out);
void apv_rsa_fill_crt(const struct apv_rsa_key *k, struct apv_ica_rsa_modexpo_crt *crt,
		      const uint8_t *msg, uint8_t *out);
bool apv_rsa_verify(const struct apv_rsa_key *k, bool crt, const uint8_t *msg, const uint8_t *res);

/* ---- expectations (cmd_expect.c) ------------------------------------------------------- */

/* What a step needs to exist, or a failure of the step that says why it does not. */
const struct apv_insn_record *apv_x_need_insn(struct apv_world *w);
struct apv_wvm *apv_x_need_vm(struct apv_world *w, const char *name);
struct apv_wmdev *apv_x_need_mdev(struct apv_world *w, const char *name);
struct apv_vcpu *apv_x_need_vcpu(struct apv_world *w, const char *spec, struct apv_wvm **vm,
				 unsigned *id);
/* key=value expectations: at least one field must be given. */
int apv_x_parse_fields(struct apv_pcur *c, const struct apv_opt *opts);
/* Compare every given field with act[idx] (or actm[idx] for ID lists); one message for all. */
int apv_x_check_fields(struct apv_world *w, const struct apv_step *s, const struct apv_opt *opts,
		       const uint64_t *act, const struct apv_mask *actm);

/* ---- the log (cmd_log.c) ------------------------------------------------------------ */

extern const struct apv_cmd apv_scn_cmds_log[];
/* The handler the world installs on the host's log. */
void apv_world_log_record(void *ctx, const struct apv_log_record *rec);
/*
 * Before step `next` runs (NULL: the run ended): unless it is an expect
 * line, close the `expect log` group and fail on a warning no `expect log`
 * claimed. 0 or -1 (w->err).
 */
int apv_world_log_step(struct apv_world *w, const struct apv_step *next);
void apv_world_log_free(struct apv_world *w);

/* ---- trace (trace.c) ---------------------------------------------------------------- */

void apv_trace_insn(struct apv_world *w, const struct apv_insn_record *r);
/*
 * An instruction vfio_ap issued on the host (through the hw wrappers).
 * Between apv_trace_hold() and the next apv_trace_insn() they are kept and
 * printed after that guest instruction, indented under it.
 */
void apv_trace_host_insn(struct apv_world *w, const struct apv_hw_host_insn *in);
void apv_trace_hold(struct apv_world *w);
void apv_trace_step(struct apv_world *w, const struct apv_step *s);
/* Write s as a JSON string literal (with quotes). */
void apv_json_write_str(FILE *f, const char *s);

#endif
