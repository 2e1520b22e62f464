/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest side of the QEMU end-to-end test: runs inside an unmodified Debian
 * s390x kernel and checks, through the kernel's own interfaces only, what
 * the machine presents:
 *
 *   aptest bringup CONF VECTORS  AP bus, cards, queues, interrupts, RSA ME/CRT
 *                                against the host's results, boot-to-ready
 *                                time, the latency of one RSA-2048 CRT request
 *   aptest counters CONF         the kernel's request counters (card = sum of
 *                                its queues), printed for the host to compare
 *   aptest unbound CONF          after the driver is unloaded: no queue bound
 *   aptest nodevice              AP in the CPU model, no adapters: an empty
 *                                bus, and PQAP/NQAP/DQAP from problem state
 *                                raise the privileged-operation exception
 *   aptest oldmachine            no AP in the CPU model: no AP bus, and each
 *                                AP instruction raises the operation exception
 *   aptest rsa VECTORS           RSA ME and CRT against the host's results on
 *                                whatever card zcrypt picks (a coprocessor's
 *                                answers to an even modulus are not checked)
 *
 * CONF lines: "card 03", "domain 0005", "control 000b", "type CEX8A" (hex IDs
 * as sysfs names them). VECTORS: the host's mkvectors output. Each mode ends
 * with exactly one line "aptest[MODE]: N passed, N failed" and exits non-zero
 * if anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* ---- /dev/z90crypt interface (layout per the zcrypt user ABI, LP64) ---- */

struct z90_modexpo {
	uint8_t *inputdata;
	unsigned int inputdatalength;
	uint8_t *outputdata;
	unsigned int outputdatalength;
	uint8_t *b_key;
	uint8_t *n_modulus;
};

struct z90_crt {
	uint8_t *inputdata;
	unsigned int inputdatalength;
	uint8_t *outputdata;
	unsigned int outputdatalength;
	uint8_t *bp_key;     /* dp, 8 zero bytes then S bytes */
	uint8_t *bq_key;     /* dq, S bytes */
	uint8_t *np_prime;   /* p, 8 zero bytes then S bytes */
	uint8_t *nq_prime;   /* q, S bytes */
	uint8_t *u_mult_inv; /* q^-1 mod p, 8 zero bytes then S bytes */
};

/* The zcrypt ioctls encode size 0 in their numbers. */
#define Z90_RSA_MODEXPO _IOC(_IOC_READ | _IOC_WRITE, 'z', 0x05, 0)
#define Z90_RSA_CRT _IOC(_IOC_READ | _IOC_WRITE, 'z', 0x06, 0)
#define CRT_PAD 8

_Static_assert(sizeof(struct z90_modexpo) == 48, "ica_rsa_modexpo layout");
_Static_assert(sizeof(struct z90_crt) == 72, "ica_rsa_modexpo_crt layout");

/* ---- results ----------------------------------------------------------- */

static int n_pass, n_fail;

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

static const char *mode_name = "?";

static int summary(void)
{
	printf("aptest[%s]: %d passed, %d failed\n", mode_name, n_pass, n_fail);
	fflush(stdout);
	return n_fail ? 1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds since the guest kernel started (the first field of /proc/uptime). */
static double uptime_s(void)
{
	FILE *f = fopen("/proc/uptime", "r");
	double up = -1.0;

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = -1.0;
		fclose(f);
	}
	return up;
}

/* ---- sysfs ------------------------------------------------------------- */

/* First line of a sysfs file without the newline; false if unreadable. */
static bool sysfs_read(char *out, size_t len, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	FILE *f;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(out, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		out[strcspn(out, "\n")] = 0;
	return ok;
}

static bool path_exists(const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return access(path, F_OK) == 0;
}

/* ---- configuration ----------------------------------------------------- */

#define MAX_IDS 32

struct conf {
	unsigned cards[MAX_IDS], ncards;
	unsigned domains[MAX_IDS], ndomains;
	unsigned controls[MAX_IDS], ncontrols;
	char type[32];
};

static bool conf_load(const char *path, struct conf *c)
{
	FILE *f = fopen(path, "r");
	char key[32], val[32];

	memset(c, 0, sizeof(*c));
	if (!f) {
		perror(path);
		return false;
	}
	while (fscanf(f, "%31s %31s", key, val) == 2) {
		unsigned v = (unsigned)strtoul(val, NULL, 16);

		if (!strcmp(key, "card") && c->ncards < MAX_IDS)
			c->cards[c->ncards++] = v;
		else if (!strcmp(key, "domain") && c->ndomains < MAX_IDS)
			c->domains[c->ndomains++] = v;
		else if (!strcmp(key, "control") && c->ncontrols < MAX_IDS)
			c->controls[c->ncontrols++] = v;
		else if (!strcmp(key, "type"))
			snprintf(c->type, sizeof(c->type), "%s", val);
	}
	fclose(f);
	return c->ncards && c->ndomains && c->type[0];
}

/* ---- test vectors ------------------------------------------------------ */

enum { V_N, V_E, V_D, V_P, V_Q, V_DP, V_DQ, V_U, V_M, V_ME, V_MD, V_COUNT };

struct vec {
	int bits;
	char *hex[V_COUNT];
};

#define MAX_VECS 8

static int vec_load(const char *path, struct vec *v, int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f) {
		perror(path);
		return 0;
	}
	while (n < max && fscanf(f, "%d", &v[n].bits) == 1) {
		for (int i = 0; i < V_COUNT; i++)
			if (fscanf(f, "%ms", &v[n].hex[i]) != 1)
				goto out;
		n++;
	}
out:
	fclose(f);
	return n;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Big-endian, right-justified into len bytes; false if the number does not fit. */
static bool hex_to_be(const char *hex, uint8_t *out, size_t len)
{
	size_t n = strlen(hex);

	memset(out, 0, len);
	for (size_t i = 0; i < n; i++) {
		int d = hexval(hex[n - 1 - i]);
		size_t byte = i / 2;

		if (d < 0)
			return false;
		if (byte >= len) {
			if (d)
				return false;
			continue;
		}
		out[len - 1 - byte] |= (uint8_t)(i % 2 ? d << 4 : d);
	}
	return true;
}

/* A key's operands in the byte layout the ioctls take. */
struct key {
	unsigned L, S;
	uint8_t *n, *e, *d, *m, *me, *md;
	uint8_t *p, *q, *dp, *dq, *u; /* p, dp, u with CRT_PAD leading zeros */
};

static uint8_t *xalloc(size_t n)
{
	uint8_t *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static bool key_from_vec(const struct vec *v, struct key *k)
{
	bool ok = true;

	k->L = (unsigned)v->bits / 8;
	k->S = (k->L + 1) / 2;
	k->n = xalloc(k->L);
	k->e = xalloc(k->L);
	k->d = xalloc(k->L);
	k->m = xalloc(k->L);
	k->me = xalloc(k->L);
	k->md = xalloc(k->L);
	k->p = xalloc(k->S + CRT_PAD);
	k->q = xalloc(k->S);
	k->dp = xalloc(k->S + CRT_PAD);
	k->dq = xalloc(k->S);
	k->u = xalloc(k->S + CRT_PAD);
	ok &= hex_to_be(v->hex[V_N], k->n, k->L);
	ok &= hex_to_be(v->hex[V_E], k->e, k->L);
	ok &= hex_to_be(v->hex[V_D], k->d, k->L);
	ok &= hex_to_be(v->hex[V_M], k->m, k->L);
	ok &= hex_to_be(v->hex[V_ME], k->me, k->L);
	ok &= hex_to_be(v->hex[V_MD], k->md, k->L);
	ok &= hex_to_be(v->hex[V_P], k->p + CRT_PAD, k->S);
	ok &= hex_to_be(v->hex[V_Q], k->q, k->S);
	ok &= hex_to_be(v->hex[V_DP], k->dp + CRT_PAD, k->S);
	ok &= hex_to_be(v->hex[V_DQ], k->dq, k->S);
	ok &= hex_to_be(v->hex[V_U], k->u + CRT_PAD, k->S);
	return ok;
}

static int z90_me(int fd, const struct key *k, const uint8_t *exp, const uint8_t *mod, uint8_t *out)
{
	struct z90_modexpo req = {
	    .inputdata = k->m,
	    .inputdatalength = k->L,
	    .outputdata = out,
	    .outputdatalength = k->L,
	    .b_key = (uint8_t *)exp,
	    .n_modulus = (uint8_t *)mod,
	};

	return ioctl(fd, Z90_RSA_MODEXPO, &req) ? -errno : 0;
}

static int z90_crt(int fd, const struct key *k, uint8_t *out)
{
	struct z90_crt req = {
	    .inputdata = k->m,
	    .inputdatalength = k->L,
	    .outputdata = out,
	    .outputdatalength = k->L,
	    .bp_key = k->dp,
	    .bq_key = k->dq,
	    .np_prime = k->p,
	    .nq_prime = k->q,
	    .u_mult_inv = k->u,
	};

	return ioctl(fd, Z90_RSA_CRT, &req) ? -errno : 0;
}

/* ---- check mode -------------------------------------------------------- */

static bool conf_has(const unsigned *ids, unsigned n, unsigned id)
{
	for (unsigned i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Bus scanning, binding and AQIC are asynchronous in the guest: wait for the final state. */
static bool wait_queues_ready(const struct conf *c, double timeout)
{
	double end = now_s() + timeout;
	char buf[64];

	while (now_s() < end) {
		bool all = true;

		for (unsigned i = 0; i < c->ncards && all; i++)
			for (unsigned j = 0; j < c->ndomains && all; j++)
				all = sysfs_read(buf, sizeof(buf),
						 "/sys/bus/ap/devices/%02x.%04x/interrupt",
						 c->cards[i], c->domains[j]) &&
				      !strncmp(buf, "Interrupts enabled", 18);
		if (all)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static void lszcrypt_view(void)
{
	char type[32], online[16], reqs[32], fn[32], depth[16];

	printf("CARD.DOMAIN TYPE  MODE        STATUS  REQUESTS  FUNCTIONS   DEPTH\n");
	printf("------------------------------------------------------------------\n");
	for (unsigned card = 0; card < 256; card++) {
		if (!path_exists("/sys/bus/ap/devices/card%02x", card))
			continue;
		if (!sysfs_read(type, sizeof(type), "/sys/bus/ap/devices/card%02x/type", card))
			snprintf(type, sizeof(type), "?");
		if (!sysfs_read(online, sizeof(online), "/sys/bus/ap/devices/card%02x/online",
				card))
			snprintf(online, sizeof(online), "?");
		if (!sysfs_read(reqs, sizeof(reqs), "/sys/bus/ap/devices/card%02x/request_count",
				card))
			snprintf(reqs, sizeof(reqs), "?");
		if (!sysfs_read(fn, sizeof(fn), "/sys/bus/ap/devices/card%02x/ap_functions", card))
			snprintf(fn, sizeof(fn), "?");
		if (!sysfs_read(depth, sizeof(depth), "/sys/bus/ap/devices/card%02x/depth", card))
			snprintf(depth, sizeof(depth), "?");
		printf("%02x          %-5s %-11s %-7s %8s  %-11s %s\n", card, type,
		       type[strlen(type) - 1] == 'A' ? "Accelerator" : "?",
		       strcmp(online, "1") ? "offline" : "online", reqs, fn, depth);
		for (unsigned dom = 0; dom < 256; dom++) {
			char irq[64];

			if (!path_exists("/sys/bus/ap/devices/%02x.%04x", card, dom))
				continue;
			if (!sysfs_read(online, sizeof(online),
					"/sys/bus/ap/devices/%02x.%04x/online", card, dom))
				snprintf(online, sizeof(online), "?");
			if (!sysfs_read(reqs, sizeof(reqs),
					"/sys/bus/ap/devices/%02x.%04x/request_count", card, dom))
				snprintf(reqs, sizeof(reqs), "?");
			if (!sysfs_read(irq, sizeof(irq), "/sys/bus/ap/devices/%02x.%04x/interrupt",
					card, dom))
				snprintf(irq, sizeof(irq), "?");
			printf("%02x.%04x     %-5s %-11s %-7s %8s  %s\n", card, dom, type,
			       type[strlen(type) - 1] == 'A' ? "Accelerator" : "?",
			       strcmp(online, "1") ? "offline" : "online", reqs, irq);
		}
	}
	fflush(stdout);
}

static void check_bus(const struct conf *c)
{
	char buf[64];
	unsigned extra = 0;

	result(path_exists("/sys/bus/ap"), "the AP bus is registered (/sys/bus/ap)");
	result(sysfs_read(buf, sizeof(buf), "/sys/bus/ap/ap_interrupts") && !strcmp(buf, "1"),
	       "ap_interrupts is 1 (facility 65, adapter interrupts in use)");
	result(wait_queues_ready(c, 60.0), "every queue is bound and has interrupts enabled");
	for (unsigned i = 0; i < c->ncards; i++) {
		unsigned card = c->cards[i];

		result(sysfs_read(buf, sizeof(buf), "/sys/bus/ap/devices/card%02x/type", card) &&
			   !strcmp(buf, c->type),
		       "card%02x has type %s", card, c->type);
		result(sysfs_read(buf, sizeof(buf), "/sys/bus/ap/devices/card%02x/online", card) &&
			   !strcmp(buf, "1"),
		       "card%02x is online", card);
		for (unsigned j = 0; j < c->ndomains; j++) {
			unsigned dom = c->domains[j];

			result(sysfs_read(buf, sizeof(buf), "/sys/bus/ap/devices/%02x.%04x/online",
					  card, dom) &&
				   !strcmp(buf, "1"),
			       "queue %02x.%04x is online", card, dom);
			result(sysfs_read(buf, sizeof(buf),
					  "/sys/bus/ap/devices/%02x.%04x/interrupt", card, dom) &&
				   !strncmp(buf, "Interrupts enabled", 18),
			       "queue %02x.%04x reports interrupts enabled", card, dom);
		}
	}
	for (unsigned card = 0; card < 256; card++)
		if (path_exists("/sys/bus/ap/devices/card%02x", card) &&
		    !conf_has(c->cards, c->ncards, card))
			extra++;
	result(extra == 0, "no card outside the configuration is visible (%u extra)", extra);
	result(access("/dev/z90crypt", R_OK | W_OK) == 0, "/dev/z90crypt exists");
}

static void check_rsa(int fd, const struct key *k, int bits, bool even_modulus)
{
	uint8_t *out = xalloc(k->L), *evenmod = xalloc(k->L);
	int rc;

	rc = z90_me(fd, k, k->e, k->n, out);
	result(rc == 0 && !memcmp(out, k->me, k->L), "RSA-%d ME public exponent (rc %d)", bits, rc);
	rc = z90_me(fd, k, k->d, k->n, out);
	result(rc == 0 && !memcmp(out, k->md, k->L), "RSA-%d ME private exponent (rc %d)", bits,
	       rc);
	rc = z90_crt(fd, k, out);
	result(rc == 0 && !memcmp(out, k->md, k->L), "RSA-%d CRT (rc %d)", bits, rc);
	if (!even_modulus)
		goto out;
	/* An even modulus is an operand the accelerator rejects; zcrypt turns that into EINVAL. */
	memcpy(evenmod, k->n, k->L);
	evenmod[k->L - 1] &= 0xFE;
	rc = z90_me(fd, k, k->e, evenmod, out);
	result(rc == -EINVAL, "RSA-%d ME with an even modulus is refused with EINVAL (rc %d)", bits,
	       rc);
out:
	free(out);
	free(evenmod);
}

/*
 * The time one RSA-2048 CRT request takes as the guest's caller sees it:
 * ioctl in, guest kernel, the AP instructions under TCG, the device, the
 * host's arithmetic, the interrupt and the reply back. One caller, one
 * request in flight, for about a second.
 */
static void measure_latency(int fd, const struct key *k)
{
	uint8_t *out = xalloc(k->L);
	double start = now_s(), t = start;
	unsigned long n = 0;
	bool ok = true;

	while (ok && (t - start < 1.0 || n < 10)) {
		ok = z90_crt(fd, k, out) == 0 && !memcmp(out, k->md, k->L);
		n++;
		t = now_s();
	}
	result(ok, "RSA-2048 CRT latency: %lu sequential requests, results correct", n);
	if (ok)
		printf("FIGURE latency rsa2048_crt_us=%.0f requests=%lu\n",
		       (t - start) * 1e6 / (double)n, n);
	free(out);
}

static int mode_bringup(const char *confpath, const char *vecpath)
{
	struct vec v[MAX_VECS];
	struct conf c;
	int nv, fd;

	if (!conf_load(confpath, &c)) {
		result(false, "configuration %s readable", confpath);
		return summary();
	}
	check_bus(&c);
	/* check_bus waited for every queue to be bound with interrupts on. */
	printf("FIGURE ready uptime_s=%.2f\n", uptime_s());
	nv = vec_load(vecpath, v, MAX_VECS);
	result(nv > 0, "%d test vectors loaded", nv);
	fd = open("/dev/z90crypt", O_RDWR);
	if (fd < 0) {
		result(false, "open /dev/z90crypt: %s", strerror(errno));
		return summary();
	}
	for (int i = 0; i < nv; i++) {
		struct key k;

		if (!key_from_vec(&v[i], &k)) {
			result(false, "vector %d parses", i);
			continue;
		}
		check_rsa(fd, &k, v[i].bits, true);
		if (v[i].bits == 2048)
			measure_latency(fd, &k);
	}
	close(fd);
	lszcrypt_view();
	return summary();
}

/* ---- counters mode ----------------------------------------------------- */

static bool read_count(unsigned long *out, const char *fmt, unsigned card, unsigned dom)
{
	char buf[32], path[128], *end;

	snprintf(path, sizeof(path), fmt, card, dom);
	if (!sysfs_read(buf, sizeof(buf), "%s", path))
		return false;
	*out = strtoul(buf, &end, 10);
	return end != buf;
}

/*
 * The kernel counts each request it enqueues, per queue and per card. The
 * host compares the queue counts with what the device saw arrive.
 */
static int mode_counters(const char *confpath)
{
	struct conf c;

	if (!conf_load(confpath, &c)) {
		result(false, "configuration %s readable", confpath);
		return summary();
	}
	for (unsigned i = 0; i < c.ncards; i++) {
		unsigned long card_n = 0, sum = 0, qn;
		bool ok = read_count(&card_n, "/sys/bus/ap/devices/card%02x/request_count",
				     c.cards[i], 0);

		for (unsigned j = 0; j < c.ndomains; j++) {
			bool qok = read_count(&qn, "/sys/bus/ap/devices/%02x.%04x/request_count",
					      c.cards[i], c.domains[j]);

			result(qok, "queue %02x.%04x request_count readable", c.cards[i],
			       c.domains[j]);
			if (qok) {
				printf("COUNT queue %02x.%04x %lu\n", c.cards[i], c.domains[j], qn);
				sum += qn;
			}
		}
		result(ok && card_n == sum, "card%02x request_count %lu = sum of its queues %lu",
		       c.cards[i], card_n, sum);
	}
	return summary();
}

/* ---- unbound mode ------------------------------------------------------ */

static int mode_unbound(const char *confpath)
{
	struct conf c;

	if (!conf_load(confpath, &c)) {
		result(false, "configuration %s readable", confpath);
		return summary();
	}
	for (unsigned i = 0; i < c.ncards; i++)
		for (unsigned j = 0; j < c.ndomains; j++)
			result(!path_exists("/sys/bus/ap/devices/%02x.%04x/driver", c.cards[i],
					    c.domains[j]),
			       "queue %02x.%04x has no driver after unload", c.cards[i],
			       c.domains[j]);
	result(access("/dev/z90crypt", F_OK) != 0, "/dev/z90crypt is gone after unload");
	return summary();
}

/* ---- AP instructions from problem state --------------------------------- */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_signo, probe_code;

static void probe_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	probe_signo = sig;
	probe_code = si->si_code;
	siglongjmp(probe_env, 1);
}

/*
 * The operands are what Linux would pass (TAPQ of queue 00.0000; NQAP and
 * DQAP on register pairs 2/3 and 4/5 with a valid buffer), so the only
 * thing wrong is the state the CPU is in.
 */
static void insn_pqap(void)
{
	register unsigned long r0 asm("0") = 0;

	asm volatile(".insn rre,0xb2af0000,0,0" : "+d"(r0) : : "cc", "1", "2", "memory");
}

static uint8_t probe_buf[4096];

static void insn_nqap(void)
{
	register unsigned long r0 asm("0") = 0x40000000UL;
	register unsigned long r2 asm("2") = 0, r3 asm("3") = 1;
	register unsigned long r4 asm("4") = (unsigned long)probe_buf, r5 asm("5") = 64;

	asm volatile(".insn rre,0xb2ad0000,2,4"
		     : "+d"(r0), "+d"(r2), "+d"(r3), "+d"(r4), "+d"(r5)
		     :
		     : "cc", "1", "memory");
}

static void insn_dqap(void)
{
	register unsigned long r0 asm("0") = 0x80000000UL;
	register unsigned long r2 asm("2") = 0, r3 asm("3") = 0;
	register unsigned long r4 asm("4") = (unsigned long)probe_buf, r5 asm("5") = 64;

	asm volatile(".insn rre,0xb2ae0000,2,4"
		     : "+d"(r0), "+d"(r2), "+d"(r3), "+d"(r4), "+d"(r5)
		     :
		     : "cc", "1", "memory");
}

static const struct {
	const char *name;
	void (*run)(void);
} ap_insns[] = {{"PQAP(TAPQ)", insn_pqap}, {"NQAP", insn_nqap}, {"DQAP", insn_dqap}};

/*
 * Linux turns the program interruption into SIGILL with the si_code of its
 * cause: ILL_PRVOPC for a privileged-operation exception (the instruction
 * exists), ILL_ILLOPC for an operation exception (it does not).
 */
static void check_insns(int want_code, const char *want)
{
	struct sigaction sa = {.sa_sigaction = probe_handler, .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	for (size_t i = 0; i < sizeof(ap_insns) / sizeof(ap_insns[0]); i++) {
		probe_signo = 0;
		probe_code = 0;
		if (!sigsetjmp(probe_env, 1))
			ap_insns[i].run();
		result(probe_signo == SIGILL && probe_code == want_code,
		       "%s from problem state raises the %s exception (signal %d, si_code %d)",
		       ap_insns[i].name, want, (int)probe_signo, (int)probe_code);
	}
	signal(SIGILL, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
}

static unsigned count_ap_devices(void)
{
	unsigned n = 0;

	for (unsigned card = 0; card < 256; card++) {
		if (path_exists("/sys/bus/ap/devices/card%02x", card))
			n++;
		for (unsigned dom = 0; dom < 256; dom++)
			if (path_exists("/sys/bus/ap/devices/%02x.%04x", card, dom))
				n++;
	}
	return n;
}

/* AP in the CPU model, no adapter configured: the bus is there and empty. */
static int mode_nodevice(void)
{
	char buf[64];
	int fd;

	result(path_exists("/sys/bus/ap"), "the AP bus is registered (AP instructions installed)");
	result(sysfs_read(buf, sizeof(buf), "/sys/bus/ap/ap_interrupts") && !strcmp(buf, "1"),
	       "ap_interrupts is 1 (facility 65 installed)");
	result(count_ap_devices() == 0, "no card or queue device (%u found)", count_ap_devices());
	fd = open("/dev/z90crypt", O_RDWR);
	if (fd >= 0) {
		static uint8_t in[256], out[256], exp[256], mod[256];
		struct z90_modexpo req = {in, sizeof(in), out, sizeof(out), exp, mod};
		int rc;

		/* Well-formed operands: the request fails only for want of an adapter. */
		memset(mod, 0xff, sizeof(mod));
		in[sizeof(in) - 1] = 2;
		exp[sizeof(exp) - 1] = 3;
		rc = ioctl(fd, Z90_RSA_MODEXPO, &req) ? errno : 0;
		result(rc == ENODEV, "an RSA request finds no adapter (ENODEV, got %s)",
		       strerror(rc));
		close(fd);
	} else {
		result(false, "open /dev/z90crypt: %s", strerror(errno));
	}
	check_insns(ILL_PRVOPC, "privileged-operation");
	return summary();
}

/* No AP in the CPU model: the kernel finds no AP instructions. */
static int mode_oldmachine(void)
{
	result(!path_exists("/sys/bus/ap"), "no AP bus (the kernel found no AP instructions)");
	result(count_ap_devices() == 0, "no card or queue device (%u found)", count_ap_devices());
	result(access("/dev/z90crypt", F_OK) != 0, "no /dev/z90crypt");
	check_insns(ILL_ILLOPC, "operation");
	return summary();
}

/* RSA on the card zcrypt picks, e.g. a CCA coprocessor on a CCA-only machine. */
static int mode_rsa(const char *vecpath)
{
	struct vec v[MAX_VECS];
	int nv, fd;

	nv = vec_load(vecpath, v, MAX_VECS);
	result(nv > 0, "%d test vectors loaded", nv);
	fd = open("/dev/z90crypt", O_RDWR);
	if (fd < 0) {
		result(false, "open /dev/z90crypt: %s", strerror(errno));
		return summary();
	}
	for (int i = 0; i < nv; i++) {
		struct key k;

		if (!key_from_vec(&v[i], &k)) {
			result(false, "vector %d parses", i);
			continue;
		}
		check_rsa(fd, &k, v[i].bits, false);
	}
	close(fd);
	return summary();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2)
		mode_name = argv[1];
	if (argc == 4 && !strcmp(argv[1], "bringup"))
		return mode_bringup(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "counters"))
		return mode_counters(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "unbound"))
		return mode_unbound(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "nodevice"))
		return mode_nodevice();
	if (argc == 2 && !strcmp(argv[1], "oldmachine"))
		return mode_oldmachine();
	if (argc == 3 && !strcmp(argv[1], "rsa"))
		return mode_rsa(argv[2]);
	fprintf(stderr, "usage: aptest bringup CONF VECTORS | counters CONF | unbound CONF | "
			"nodevice | oldmachine | rsa VECTORS\n");
	return 2;
}
