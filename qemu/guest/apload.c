/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest side of the end-to-end reconfiguration run: RSA requests kept in
 * flight through /dev/z90crypt while the host changes the machine, and a
 * watcher that times how long lszcrypt takes to show each change.
 *
 *   apload load VECTORS STOPFILE THREADS STATFILE
 *       THREADS callers each send RSA-2048 requests (ME with the public
 *       exponent and CRT, alternating) until STOPFILE exists. Request number
 *       i uses message i mod COUNT of VECTORS, so each request has its own
 *       identity and expected result; every answer is compared with it and
 *       counted against its request. STATFILE is rewritten about five
 *       times a second with "issued answered ok failed". At the end one
 *       line "LOAD requests=N answered=N ok=N wrong=N failed=N
 *       unanswered=N twice=N longest_ms=N" and the summary
 *       "apload[load]: N passed, N failed".
 *
 *   apload watch NAME TIMEOUT STATFILE [--run COMMAND] EXPECT...
 *       Prints "STEP NAME READY" (the host acts on it) or, with --run, runs
 *       COMMAND itself (chzcrypt), then waits until every EXPECT holds: ID=online, ID=offline, ID=deconfig, ID=absent
 *       or ID=!online (listed, not online), ID being a card ("0a") or a
 *       queue ("0a.0006") as lszcrypt names them; ID=nodev means no AP
 *       device at all (without a driver lszcrypt lists nothing). The same
 *       states are first polled in sysfs, "STEP NAME seen after S s in
 *       sysfs" (when the kernel knew), then lszcrypt runs until it shows
 *       them, "STEP NAME lszcrypt shows it after T s"; then, unless
 *       STATFILE is "-", waits until the load has answered more requests
 *       ("STEP NAME load continues: N answered in S s"). The host's
 *       checker bounds S.
 *
 *   apload progress NAME STATFILE QUEUE WAIT
 *       For a change lszcrypt does not show (a queue busy for a while):
 *       prints "STEP NAME READY", sleeps WAIT seconds, then times how long
 *       until the kernel's request counter of QUEUE ("03.0005") grows again,
 *       "STEP NAME queue QUEUE moves after S s".
 *
 * VECTORS is mkvectors -m output: one key line, then "m msg msg^e msg^d"
 * lines. Each mode exits non-zero if a check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- /dev/z90crypt (the zcrypt user ABI, LP64) ---------------------------- */

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
	uint8_t *bp_key;
	uint8_t *bq_key;
	uint8_t *np_prime;
	uint8_t *nq_prime;
	uint8_t *u_mult_inv;
};

#define Z90_RSA_MODEXPO _IOC(_IOC_READ | _IOC_WRITE, 'z', 0x05, 0)
#define Z90_RSA_CRT _IOC(_IOC_READ | _IOC_WRITE, 'z', 0x06, 0)
/* p, dp and u carry 8 leading zero bytes (the zcrypt CRT layout). */
#define CRT_PAD 8

_Static_assert(sizeof(struct z90_modexpo) == 48, "ica_rsa_modexpo layout");
_Static_assert(sizeof(struct z90_crt) == 72, "ica_rsa_modexpo_crt layout");

/* ---- results -------------------------------------------------------------- */

static int n_pass, n_fail;
static const char *mode_name = "?";

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
	printf("apload[%s]: %d passed, %d failed\n", mode_name, n_pass, n_fail);
	fflush(stdout);
	return n_fail ? 1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "apload: out of memory\n");
		exit(2);
	}
	return p;
}

/* ---- vectors -------------------------------------------------------------- */

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

/* Big-endian, right-justified into len bytes; false if it does not fit. */
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

struct msg {
	uint8_t *m, *me, *md;
};

struct keyset {
	unsigned L, S;
	uint8_t *n, *e, *p, *q, *dp, *dq, *u;
	struct msg *msgs;
	unsigned nmsgs;
};

/* Key line: bits n e d p q dp dq u m me md; then "m msg me md" lines. */
static bool load_vectors(const char *path, struct keyset *k)
{
	char *tok[12];
	char *line = NULL;
	size_t cap = 0;
	unsigned alloc = 0;
	bool ok = false;
	FILE *f = fopen(path, "r");

	memset(k, 0, sizeof(*k));
	if (!f) {
		perror(path);
		return false;
	}
	while (getline(&line, &cap, f) > 0) {
		int nt = 0;

		for (char *s = strtok(line, " \n"); s && nt < 12; s = strtok(NULL, " \n"))
			tok[nt++] = s;
		if (nt == 12 && !k->n) {
			int bits = atoi(tok[0]);

			k->L = (unsigned)bits / 8;
			k->S = (k->L + 1) / 2;
			k->n = xalloc(k->L);
			k->e = xalloc(k->L);
			k->p = xalloc(k->S + CRT_PAD);
			k->q = xalloc(k->S);
			k->dp = xalloc(k->S + CRT_PAD);
			k->dq = xalloc(k->S);
			k->u = xalloc(k->S + CRT_PAD);
			if (!hex_to_be(tok[1], k->n, k->L) || !hex_to_be(tok[2], k->e, k->L) ||
			    !hex_to_be(tok[4], k->p + CRT_PAD, k->S) ||
			    !hex_to_be(tok[5], k->q, k->S) ||
			    !hex_to_be(tok[6], k->dp + CRT_PAD, k->S) ||
			    !hex_to_be(tok[7], k->dq, k->S) ||
			    !hex_to_be(tok[8], k->u + CRT_PAD, k->S))
				goto out;
		} else if (nt == 4 && !strcmp(tok[0], "m") && k->n) {
			struct msg *m;

			if (k->nmsgs == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				k->msgs = realloc(k->msgs, alloc * sizeof(*k->msgs));
				if (!k->msgs)
					goto out;
			}
			m = &k->msgs[k->nmsgs];
			m->m = xalloc(k->L);
			m->me = xalloc(k->L);
			m->md = xalloc(k->L);
			if (!hex_to_be(tok[1], m->m, k->L) || !hex_to_be(tok[2], m->me, k->L) ||
			    !hex_to_be(tok[3], m->md, k->L))
				goto out;
			k->nmsgs++;
		} else if (nt) {
			goto out;
		}
	}
	ok = k->n && k->nmsgs >= 2;
out:
	free(line);
	fclose(f);
	return ok;
}

/* ---- load ----------------------------------------------------------------- */

/* More than any run sends (a few hundred requests a second for minutes). */
#define MAX_REQ (1u << 21)
#define MAX_ERRNO 256

enum { OUT_NONE, OUT_OK, OUT_WRONG, OUT_FAILED };

static struct {
	const struct keyset *k;
	const char *stopfile;
	int fd;
	atomic_uint next;          /* identity of the next request */
	atomic_uint answered, ok, wrong, failed;
	atomic_uchar *answers;     /* per request: how often it was answered */
	uint8_t *outcome;          /* per request: OUT_* */
	atomic_uint errnos[MAX_ERRNO];
	atomic_ullong longest_us;
	atomic_uint running;
} ld;

static void *load_thread(void *arg)
{
	const struct keyset *k = ld.k;
	uint8_t *out = xalloc(k->L);

	(void)arg;
	while (access(ld.stopfile, F_OK) != 0) {
		unsigned id = atomic_fetch_add(&ld.next, 1);
		const struct msg *m;
		bool crt = id % 2;
		double t0, dt;
		int rc;

		if (id >= MAX_REQ) {
			atomic_fetch_sub(&ld.next, 1);
			break;
		}
		m = &k->msgs[(id / 2) % k->nmsgs];
		memset(out, 0, k->L);
		t0 = now_s();
		if (crt) {
			struct z90_crt req = {
			    .inputdata = m->m,
			    .inputdatalength = k->L,
			    .outputdata = out,
			    .outputdatalength = k->L,
			    .bp_key = k->dp,
			    .bq_key = k->dq,
			    .np_prime = k->p,
			    .nq_prime = k->q,
			    .u_mult_inv = k->u,
			};

			rc = ioctl(ld.fd, Z90_RSA_CRT, &req) ? errno : 0;
		} else {
			struct z90_modexpo req = {
			    .inputdata = m->m,
			    .inputdatalength = k->L,
			    .outputdata = out,
			    .outputdatalength = k->L,
			    .b_key = k->e,
			    .n_modulus = k->n,
			};

			rc = ioctl(ld.fd, Z90_RSA_MODEXPO, &req) ? errno : 0;
		}
		dt = (now_s() - t0) * 1e6;
		for (unsigned long long cur = atomic_load(&ld.longest_us); dt > (double)cur;)
			if (atomic_compare_exchange_weak(&ld.longest_us, &cur,
							 (unsigned long long)dt))
				break;
		atomic_fetch_add(&ld.answers[id], 1);
		if (rc) {
			ld.outcome[id] = OUT_FAILED;
			atomic_fetch_add(&ld.errnos[rc < MAX_ERRNO ? rc : 0], 1);
			atomic_fetch_add(&ld.failed, 1);
		} else if (memcmp(out, crt ? m->md : m->me, k->L)) {
			ld.outcome[id] = OUT_WRONG;
			atomic_fetch_add(&ld.wrong, 1);
		} else {
			ld.outcome[id] = OUT_OK;
			atomic_fetch_add(&ld.ok, 1);
		}
		atomic_fetch_add(&ld.answered, 1);
	}
	free(out);
	atomic_fetch_sub(&ld.running, 1);
	return NULL;
}

static void write_stat(const char *path)
{
	char tmp[256];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%u %u %u %u\n", atomic_load(&ld.next), atomic_load(&ld.answered),
		atomic_load(&ld.ok), atomic_load(&ld.failed));
	if (fclose(f) == 0)
		rename(tmp, path);
}

static int mode_load(const char *vecpath, const char *stopfile, int threads, const char *statfile)
{
	static struct keyset k;
	unsigned issued, once = 0, unanswered = 0, twice = 0, per_outcome[4] = {0};
	pthread_t *tid;
	double end;

	if (!load_vectors(vecpath, &k)) {
		result(false, "load vectors %s readable (a key and at least 2 messages)", vecpath);
		return summary();
	}
	if (threads < 1 || threads > 64) {
		result(false, "thread count %d in 1..64", threads);
		return summary();
	}
	/*
	 * The lowest priority (inherited by the callers): each request keeps a
	 * vCPU busy (the guest kernel and the AP instructions under TCG), and
	 * lszcrypt, which shows the changes, must not wait behind them.
	 */
	errno = 0;
	if (nice(19) == -1 && errno)
		perror("nice");
	ld.k = &k;
	ld.stopfile = stopfile;
	ld.answers = xalloc(MAX_REQ);
	ld.outcome = xalloc(MAX_REQ);
	ld.fd = open("/dev/z90crypt", O_RDWR);
	if (ld.fd < 0) {
		result(false, "open /dev/z90crypt: %s", strerror(errno));
		return summary();
	}
	printf("LOAD begin threads=%d messages=%u bits=%u\n", threads, k.nmsgs, k.L * 8);
	tid = xalloc(sizeof(*tid) * (size_t)threads);
	atomic_store(&ld.running, (unsigned)threads);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, load_thread, NULL)) {
			result(false, "pthread_create");
			atomic_fetch_sub(&ld.running, 1);
			tid[i] = 0;
		}
	while (access(stopfile, F_OK) != 0) {
		write_stat(statfile);
		sleep_s(0.2);
	}
	/* A request in flight gets 60 s to come back; one that does not is lost. */
	end = now_s() + 60.0;
	while (atomic_load(&ld.running) && now_s() < end)
		sleep_s(0.05);
	write_stat(statfile);
	issued = atomic_load(&ld.next);
	for (unsigned id = 0; id < issued; id++) {
		unsigned a = atomic_load(&ld.answers[id]);

		if (a == 0)
			unanswered++;
		else if (a == 1)
			once++;
		else
			twice++;
		per_outcome[ld.outcome[id]]++;
	}
	printf("LOAD requests=%u answered=%u ok=%u wrong=%u failed=%u unanswered=%u twice=%u "
	       "longest_ms=%llu\n",
	       issued, once + twice, per_outcome[OUT_OK], per_outcome[OUT_WRONG],
	       per_outcome[OUT_FAILED], unanswered, twice,
	       (unsigned long long)atomic_load(&ld.longest_us) / 1000);
	for (int e = 0; e < MAX_ERRNO; e++)
		if (atomic_load(&ld.errnos[e]))
			printf("LOAD errno %d (%s): %u requests\n", e, strerror(e),
			       atomic_load(&ld.errnos[e]));
	result(issued > 0, "the load sent requests (%u)", issued);
	result(unanswered == 0, "every request came back (%u did not within 60 s of the stop)",
	       unanswered);
	result(twice == 0, "no request was answered twice (%u were)", twice);
	result(per_outcome[OUT_WRONG] == 0, "every answer equals its request's expected result "
	       "(%u differ)", per_outcome[OUT_WRONG]);
	result(per_outcome[OUT_FAILED] == 0, "no request failed (%u did)", per_outcome[OUT_FAILED]);
	result(per_outcome[OUT_OK] + per_outcome[OUT_WRONG] + per_outcome[OUT_FAILED] == once + twice &&
		       atomic_load(&ld.answered) == once + 2 * twice,
	       "the per-request counts add up (%u outcomes, %u answers)", once + twice,
	       atomic_load(&ld.answered));
	fflush(stdout);
	/* Threads stuck in a lost request are not joined: exit takes them. */
	if (unanswered == 0) {
		for (int i = 0; i < threads; i++)
			if (tid[i])
				pthread_join(tid[i], NULL);
		close(ld.fd);
	}
	return summary();
}

/* ---- watching lszcrypt ---------------------------------------------------- */

static bool read_stat(const char *path, unsigned *answered)
{
	unsigned issued, ok, failed;
	FILE *f = fopen(path, "r");
	bool r;

	if (!f)
		return false;
	r = fscanf(f, "%u %u %u %u", &issued, answered, &ok, &failed) == 4;
	fclose(f);
	return r;
}

/* lszcrypt's STATUS for ID, "" if the device is not listed. */
static void lsz_status(const char *out, const char *id, char *status, size_t len)
{
	size_t idl = strlen(id);

	status[0] = 0;
	for (const char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		char f[4][64];

		if (strncmp(l, id, idl) || (l[idl] != ' ' && l[idl] != '\t'))
			continue;
		/* CARD.DOMAIN TYPE MODE STATUS REQUESTS */
		if (sscanf(l, "%63s %63s %63s %63s", f[0], f[1], f[2], f[3]) == 4)
			snprintf(status, len, "%s", f[3]);
		else
			snprintf(status, len, "?");
		return;
	}
}

static long sysfs_long(const char *dir, const char *attr)
{
	char path[128], buf[32];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

/* The STATUS lszcrypt derives, read from sysfs directly; "" if no device. */
static void sysfs_status(const char *id, char *status, size_t len)
{
	char dir[96];
	long config, online;

	snprintf(dir, sizeof(dir), "/sys/bus/ap/devices/%s%s", strchr(id, '.') ? "" : "card", id);
	status[0] = 0;
	if (access(dir, F_OK))
		return;
	config = sysfs_long(dir, "config");
	online = sysfs_long(dir, "online");
	snprintf(status, len, "%s", config == 0 ? "deconfig" : online > 0 ? "online" :
		 online == 0 ? "offline" : "-");
}

static bool run_capture(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0, r;

	if (!p)
		return false;
	while (n + 1 < len && (r = fread(buf + n, 1, len - 1 - n, p)) > 0)
		n += r;
	buf[n] = 0;
	return pclose(p) == 0;
}

/* OUT: lszcrypt's output, or NULL to read sysfs. */
static bool expect_holds(const char *out, const char *expect, char *why, size_t len)
{
	char id[32], status[64], path[96];
	const char *eq = strchr(expect, '=');
	const char *want;

	if (!eq || (size_t)(eq - expect) >= sizeof(id)) {
		snprintf(why, len, "bad expectation %s", expect);
		return false;
	}
	memcpy(id, expect, (size_t)(eq - expect));
	id[eq - expect] = 0;
	want = eq + 1;
	if (!strcmp(want, "nodev")) {
		/* Without a driver lszcrypt lists nothing: ask sysfs. */
		snprintf(path, sizeof(path), "/sys/bus/ap/devices/%s%s", strchr(id, '.') ? "" : "card",
			 id);
		snprintf(why, len, "%s %s", id, access(path, F_OK) ? "no device" : "device present");
		return access(path, F_OK) != 0;
	}
	if (out)
		lsz_status(out, id, status, sizeof(status));
	else
		sysfs_status(id, status, sizeof(status));
	snprintf(why, len, "%s %s", id, status[0] ? status : "absent");
	if (!strcmp(want, "absent"))
		return !status[0];
	if (!strcmp(want, "!online"))
		return status[0] && strcmp(status, "online");
	return !strcmp(status, want);
}

static int mode_watch(int argc, char **argv)
{
	const char *name = argv[0], *statfile = argv[2], *run = NULL;
	double timeout = atof(argv[1]), t0, seen = -1.0, t1, tl = 0.0, in_sysfs = -1.0;
	static char out[65536];
	char why[512], one[96];
	unsigned runs = 0, a0 = 0, a1 = 0;
	int first = 3;

	mode_name = name;
	if (argc > 4 && !strcmp(argv[3], "--run")) {
		run = argv[4];
		first = 5;
	}
	if (first >= argc || timeout <= 0) {
		result(false, "usage: watch NAME TIMEOUT STATFILE [--run CMD] EXPECT...");
		return summary();
	}
	if (run) {
		printf("STEP %s RUN %s\n", name, run);
		fflush(stdout);
		t0 = now_s();
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "%s 2>&1", run);
		if (!run_capture(cmd, out, sizeof(out)))
			result(false, "%s: %s succeeds: %s", name, run, out);
	} else {
		printf("STEP %s READY\n", name);
		fflush(stdout);
		t0 = now_s();
	}
	/*
	 * sysfs every 50 ms: when the kernel knew. Then lszcrypt until it
	 * shows the same: lszcrypt is a program of its own that takes from a
	 * fraction of a second to seconds under TCG while the load runs, so
	 * its time is reported, and the kernel's is what is bounded.
	 */
	do {
		bool all = true;

		for (int i = first; i < argc && all; i++)
			all = expect_holds(NULL, argv[i], one, sizeof(one));
		if (all) {
			in_sysfs = now_s() - t0;
			break;
		}
		sleep_s(0.05);
	} while (now_s() - t0 < timeout);
	why[0] = 0;
	do {
		bool all = true;

		tl = now_s();
		run_capture("lszcrypt 2>&1", out, sizeof(out));
		tl = now_s() - tl;
		runs++;
		why[0] = 0;
		for (int i = first; i < argc; i++) {
			bool h = expect_holds(out, argv[i], one, sizeof(one));

			all &= h;
			snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s%s",
				 why[0] ? ", " : "", one, h ? "" : " (waiting)");
		}
		if (all) {
			seen = now_s() - t0;
			break;
		}
		sleep_s(0.1);
	} while (now_s() - t0 < timeout + 10.0);
	if (in_sysfs >= 0)
		printf("STEP %s seen after %.2f s in sysfs\n", name, in_sysfs);
	else
		printf("STEP %s not seen in sysfs within %.0f s\n", name, timeout);
	if (seen >= 0)
		printf("STEP %s lszcrypt shows it after %.2f s (%u lszcrypt runs, the last %.2f s): "
		       "%s\n", name, seen, runs, tl, why);
	else
		printf("STEP %s lszcrypt does not show it within %.0f s (%u lszcrypt runs, the last "
		       "%.2f s): %s\n", name, timeout + 10.0, runs, tl, why);
	result(in_sysfs >= 0, "%s: the kernel's sysfs shows the change", name);
	result(seen >= 0, "%s: lszcrypt shows %s", name, why);
	if (seen < 0) {
		printf("%s", out);
		return summary();
	}
	if (!strcmp(statfile, "-"))
		return summary();
	/* The requests in flight found another way (failover) and new ones go on. */
	read_stat(statfile, &a0);
	t1 = now_s();
	do {
		sleep_s(0.1);
		read_stat(statfile, &a1);
	} while (a1 < a0 + 4 && now_s() - t1 < timeout);
	printf("STEP %s load continues: %u answered in %.2f s\n", name, a1 - a0, now_s() - t1);
	result(a1 >= a0 + 4, "%s: the load goes on after the change (%u answered)", name,
	       a1 - a0);
	return summary();
}

static bool queue_count(const char *queue, unsigned long *n)
{
	char path[128], buf[32];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/bus/ap/devices/%s/request_count", queue);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (ok)
		*n = strtoul(buf, NULL, 10);
	return ok;
}

static int mode_progress(const char *name, const char *statfile, const char *queue, double wait)
{
	unsigned long c0 = 0, c1 = 0;
	unsigned a0 = 0, a1 = 0;
	double t0;
	bool ok;

	mode_name = name;
	printf("STEP %s READY\n", name);
	fflush(stdout);
	read_stat(statfile, &a0);
	sleep_s(wait);
	ok = queue_count(queue, &c0);
	result(ok, "%s: queue %s request_count readable", name, queue);
	t0 = now_s();
	while (ok && now_s() - t0 < 30.0) {
		if (queue_count(queue, &c1) && c1 >= c0 + 2)
			break;
		sleep_s(0.05);
	}
	read_stat(statfile, &a1);
	if (ok && c1 >= c0 + 2)
		printf("STEP %s queue %s moves after %.2f s (%lu requests; load answered %u)\n",
		       name, queue, now_s() - t0, c1 - c0, a1 - a0);
	else
		printf("STEP %s queue %s does not move (%lu requests)\n", name, queue, c1 - c0);
	result(ok && c1 >= c0 + 2, "%s: queue %s takes requests again after %.0f s", name, queue,
	       wait);
	result(a1 > a0, "%s: the load went on (%u answered)", name, a1 - a0);
	return summary();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2)
		mode_name = argv[1];
	if (argc == 6 && !strcmp(argv[1], "load"))
		return mode_load(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc >= 6 && !strcmp(argv[1], "watch"))
		return mode_watch(argc - 2, argv + 2);
	if (argc == 6 && !strcmp(argv[1], "progress"))
		return mode_progress(argv[2], argv[3], argv[4], atof(argv[5]));
	fprintf(stderr, "usage: apload load VECTORS STOPFILE THREADS STATFILE\n"
			"       apload watch NAME TIMEOUT STATFILE [--run COMMAND] ID=STATE...\n"
			"       apload progress NAME STATFILE QUEUE WAIT\n");
	return 2;
}
