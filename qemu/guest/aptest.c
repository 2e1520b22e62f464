/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest side of the QEMU end-to-end test: runs inside an unmodified Debian
 * s390x kernel with zcrypt loaded and checks, through the kernel's own
 * interfaces only, what the apvirt AP device presents:
 *
 *   aptest check CONF VECTORS   AP bus, cards, queues, interrupts, RSA ME/CRT
 *   aptest bench VECTORS SECS [HW_THREADS]
 *                               RSA-2048 private ops/s: /dev/z90crypt vs OpenSSL
 *   aptest unbound CONF         after rmmod: no queue is bound to a driver
 *
 * CONF lines: "card 03", "domain 0005", "type CEX8A" (hex IDs as sysfs names them).
 * VECTORS: the host's mkvectors output. Each mode ends with a line
 * "guest: N passed, N failed".
 */
/* The low-level RSA calls (blinding off) are deprecated in OpenSSL 3, not gone. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <pthread.h>
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

static int summary(void)
{
	printf("guest: %d passed, %d failed\n", n_pass, n_fail);
	fflush(stdout);
	return n_fail ? 1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

static int z90_me(int fd, const struct key *k, const uint8_t *exp, const uint8_t *mod,
		  uint8_t *out)
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
		if (!sysfs_read(online, sizeof(online), "/sys/bus/ap/devices/card%02x/online", card))
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

static void check_rsa(int fd, const struct key *k, int bits)
{
	uint8_t *out = xalloc(k->L), *evenmod = xalloc(k->L);
	int rc;

	rc = z90_me(fd, k, k->e, k->n, out);
	result(rc == 0 && !memcmp(out, k->me, k->L), "RSA-%d ME public exponent (rc %d)", bits, rc);
	rc = z90_me(fd, k, k->d, k->n, out);
	result(rc == 0 && !memcmp(out, k->md, k->L), "RSA-%d ME private exponent (rc %d)", bits, rc);
	rc = z90_crt(fd, k, out);
	result(rc == 0 && !memcmp(out, k->md, k->L), "RSA-%d CRT (rc %d)", bits, rc);
	/* An even modulus is an operand the accelerator rejects; zcrypt turns that into EINVAL. */
	memcpy(evenmod, k->n, k->L);
	evenmod[k->L - 1] &= 0xFE;
	rc = z90_me(fd, k, k->e, evenmod, out);
	result(rc == -EINVAL, "RSA-%d ME with an even modulus is refused with EINVAL (rc %d)", bits,
	       rc);
	free(out);
	free(evenmod);
}

static int mode_check(const char *confpath, const char *vecpath)
{
	struct vec v[MAX_VECS];
	struct conf c;
	int nv, fd;

	if (!conf_load(confpath, &c)) {
		result(false, "configuration %s readable", confpath);
		return summary();
	}
	check_bus(&c);
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
		check_rsa(fd, &k, v[i].bits);
	}
	close(fd);
	lszcrypt_view();
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

/* ---- bench mode -------------------------------------------------------- */

#define MAX_THREADS 32
#define BENCH_ROUNDS 5

struct bench {
	const struct key *k;
	const struct vec *sw_vec; /* software path when set */
	double end;
	unsigned long ops;
	bool bad;
};

static void *bench_hw(void *arg)
{
	struct bench *b = arg;
	uint8_t *out = xalloc(b->k->L);
	int fd = open("/dev/z90crypt", O_RDWR);

	if (fd < 0) {
		b->bad = true;
		free(out);
		return NULL;
	}
	while (now_s() < b->end) {
		if (z90_crt(fd, b->k, out) || memcmp(out, b->k->md, b->k->L)) {
			b->bad = true;
			break;
		}
		b->ops++;
	}
	close(fd);
	free(out);
	return NULL;
}

/*
 * The software side at its best: a key object per thread (no shared
 * blinding lock) and blinding off, so each operation is exactly the CRT
 * exponentiation the accelerator request asks for.
 */
static RSA *rsa_from_vec(const struct vec *v)
{
	BIGNUM *bn[8] = {0};
	static const int idx[] = {V_N, V_E, V_D, V_P, V_Q, V_DP, V_DQ, V_U};
	RSA *rsa = RSA_new();

	for (int i = 0; i < 8; i++)
		if (!BN_hex2bn(&bn[i], v->hex[idx[i]]))
			goto fail;
	if (!rsa || !RSA_set0_key(rsa, bn[0], bn[1], bn[2]))
		goto fail;
	bn[0] = bn[1] = bn[2] = NULL;
	if (!RSA_set0_factors(rsa, bn[3], bn[4]))
		goto fail;
	bn[3] = bn[4] = NULL;
	if (!RSA_set0_crt_params(rsa, bn[5], bn[6], bn[7]))
		goto fail;
	RSA_blinding_off(rsa);
	return rsa;
fail:
	for (int i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	RSA_free(rsa);
	return NULL;
}

static void *bench_sw(void *arg)
{
	struct bench *b = arg;
	RSA *rsa = rsa_from_vec(b->sw_vec);
	uint8_t *out = xalloc(b->k->L);

	if (!rsa) {
		b->bad = true;
		goto out;
	}
	while (now_s() < b->end) {
		if (RSA_private_decrypt((int)b->k->L, b->k->m, out, rsa, RSA_NO_PADDING) !=
			    (int)b->k->L ||
		    memcmp(out, b->k->md, b->k->L)) {
			b->bad = true;
			break;
		}
		b->ops++;
	}
out:
	RSA_free(rsa);
	free(out);
	return NULL;
}

/* Runs nthreads workers for secs seconds; adds their operations to *ops. */
static void run_bench(const struct key *k, const struct vec *sw_vec, double secs, int nthreads,
		      unsigned long *ops, double *elapsed, bool *bad)
{
	struct bench b[MAX_THREADS];
	pthread_t t[MAX_THREADS];
	double start = now_s();

	for (int i = 0; i < nthreads; i++) {
		b[i] = (struct bench){.k = k, .sw_vec = sw_vec, .end = start + secs};
		pthread_create(&t[i], NULL, sw_vec ? bench_sw : bench_hw, &b[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		*ops += b[i].ops;
		*bad |= b[i].bad;
	}
	*elapsed += now_s() - start;
}

static int mode_bench(const char *vecpath, double secs, int hw_threads)
{
	struct vec v[MAX_VECS];
	int nv = vec_load(vecpath, v, MAX_VECS), i;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int ncpu = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
	bool bad_hw = false, bad_sw = false;
	unsigned long hw_ops = 0, sw_ops = 0;
	double hw, sw, hw_time = 0, sw_time = 0;
	struct key k;

	for (i = 0; i < nv && v[i].bits != 2048; i++)
		;
	if (i == nv || !key_from_vec(&v[i], &k)) {
		result(false, "an RSA-2048 vector is available");
		return summary();
	}
	/*
	 * Each ioctl blocks its caller, so the accelerator is driven the way
	 * a server would drive it: several requests in flight (default four
	 * threads per CPU). Software is CPU-bound: one thread per CPU.
	 */
	if (hw_threads <= 0)
		hw_threads = 4 * ncpu;
	if (hw_threads > MAX_THREADS)
		hw_threads = MAX_THREADS;
	/*
	 * Alternate short rounds of both sides, so that a change in the host's
	 * load during the measurement hits both about equally.
	 */
	for (int round = 0; round < BENCH_ROUNDS; round++) {
		run_bench(&k, NULL, secs / BENCH_ROUNDS, hw_threads, &hw_ops, &hw_time, &bad_hw);
		run_bench(&k, &v[i], secs / BENCH_ROUNDS, ncpu, &sw_ops, &sw_time, &bad_sw);
	}
	hw = hw_time > 0 ? (double)hw_ops / hw_time : 0.0;
	sw = sw_time > 0 ? (double)sw_ops / sw_time : 0.0;
	result(!bad_hw, "RSA-2048 CRT via /dev/z90crypt: %.1f ops/s (%d threads), results correct",
	       hw, hw_threads);
	result(!bad_sw, "RSA-2048 private via guest OpenSSL: %.1f ops/s (%d threads), results correct",
	       sw, ncpu);
	printf("BENCH rsa2048_private z90crypt=%.1f software=%.1f ratio=%.1f\n", hw, sw,
	       sw > 0 ? hw / sw : 0.0);
	return summary();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "check"))
		return mode_check(argv[2], argv[3]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "bench"))
		return mode_bench(argv[2], atof(argv[3]), argc == 5 ? atoi(argv[4]) : 0);
	if (argc == 3 && !strcmp(argv[1], "unbound"))
		return mode_unbound(argv[2]);
	fprintf(stderr, "usage: aptest check CONF VECTORS | bench VECTORS SECONDS [THREADS] | "
			"unbound CONF\n");
	return 2;
}
