/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest side of the end-to-end test for the protected-key interface: runs
 * inside an unmodified Debian s390x kernel with the pkey modules the host
 * built from that kernel's source, and drives /dev/pkey through its ioctls
 * (what zkey and cryptsetup's paes support do):
 *
 *   pkeytest cca CARD DOMAIN    secure AES keys on a CCA coprocessor:
 *                               generate (PKEY_GENSECK, PKEY_GENSECK2), check
 *                               the token against the card's current AES
 *                               master key verification pattern in sysfs,
 *                               verify (PKEY_VERIFYKEY, PKEY_VERIFYKEY2),
 *                               turn into a protected key (PKEY_SEC2PROTK,
 *                               PKEY_KBLOB2PROTK3) and have the CPU verify
 *                               that (PKEY_VERIFYPROTK)
 *   pkeytest ep11 CARD DOMAIN   the same for an EP11 AES key blob
 *                               (PKEY_GENSECK2, PKEY_VERIFYKEY2,
 *                               PKEY_KBLOB2PROTK3), against the card's
 *                               current wrapping key verification pattern
 *   pkeytest keyhex CARD DOMAIN a new CCA AES-256 secure key, in hex on
 *                               stdout (for a paes dm-crypt table)
 *
 * CARD and DOMAIN are hex as sysfs names them (0b, 0005). Each check prints
 * "PASS: ID: ..." or "FAIL: ID: ..." with a stable ID the host's checker
 * requires; a mode ends with exactly one "pkeytest[MODE]: N passed, N
 * failed" and exits non-zero if anything failed. With E2E_CHECKS naming a
 * file of IDs (one a line), a check whose ID is not listed is reported as
 * "SKIP: ID: ..." and not counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---- /dev/pkey interface (layout per the pkey user ABI, s390x LP64) ---- */

#define SECKEY_LEN 64
#define PROTKEY_MAX 64
#define AES_256 3                 /* PKEY_KEYTYPE_AES_256 */
#define TYPE_CCA_DATA 1u          /* enum pkey_key_type */
#define TYPE_EP11_AES 6u
#define SIZE_AES_256 256u
#define FLAG_MATCH_CUR_MKVP 0x2u
#define FLAG_MATCH_ALT_MKVP 0x4u
#define VERIFY_ATTR_AES 0x1u
#define VERIFY_ATTR_OLD_MKVP 0x100u
#define EP11_HDR_LEN 16
#define EP11_MAGIC 0x1234

struct apqn {
	uint16_t card;
	uint16_t domain;
};

struct protkey {
	uint32_t type;
	uint32_t len;
	uint8_t key[PROTKEY_MAX];
};

struct genseck {
	uint16_t card;
	uint16_t domain;
	uint32_t keytype;
	uint8_t seckey[SECKEY_LEN];
};

struct sec2protk {
	uint16_t card;
	uint16_t domain;
	uint8_t seckey[SECKEY_LEN];
	struct protkey prot;
};

struct verifykey {
	uint8_t seckey[SECKEY_LEN];
	uint16_t card;
	uint16_t domain;
	uint16_t keysize;
	uint32_t attributes;
};

struct verifyprotk {
	struct protkey prot;
};

struct genseck2 {
	struct apqn *apqns;
	uint32_t apqn_entries;
	uint32_t type;
	uint32_t size;
	uint32_t keygenflags;
	uint8_t *key;
	uint32_t keylen;
};

struct verifykey2 {
	uint8_t *key;
	uint32_t keylen;
	uint16_t card;
	uint16_t domain;
	uint32_t type;
	uint32_t size;
	uint32_t flags;
};

struct kblob2pkey3 {
	uint8_t *key;
	uint32_t keylen;
	struct apqn *apqns;
	uint32_t apqn_entries;
	uint32_t pkeytype;
	uint32_t pkeylen;
	uint8_t *pkey;
};

#define PKEY_GENSECK _IOWR('p', 0x01, struct genseck)
#define PKEY_SEC2PROTK _IOWR('p', 0x03, struct sec2protk)
#define PKEY_VERIFYKEY _IOWR('p', 0x07, struct verifykey)
#define PKEY_VERIFYPROTK _IOW('p', 0x09, struct verifyprotk)
#define PKEY_GENSECK2 _IOWR('p', 0x11, struct genseck2)
#define PKEY_VERIFYKEY2 _IOWR('p', 0x17, struct verifykey2)
#define PKEY_KBLOB2PROTK3 _IOWR('p', 0x1D, struct kblob2pkey3)

_Static_assert(sizeof(struct genseck) == 72, "pkey_genseck layout");
_Static_assert(sizeof(struct sec2protk) == 140, "pkey_sec2protk layout");
_Static_assert(sizeof(struct verifykey) == 76, "pkey_verifykey layout");
_Static_assert(sizeof(struct genseck2) == 40, "pkey_genseck2 layout");
_Static_assert(sizeof(struct verifykey2) == 32, "pkey_verifykey2 layout");
_Static_assert(sizeof(struct kblob2pkey3) == 48, "pkey_kblob2pkey3 layout");

/* ---- results ----------------------------------------------------------- */

static int n_pass, n_fail;
static const char *mode_name = "?";

/* Whether the check ID counts: every one, or those listed in $E2E_CHECKS. */
static bool enabled(const char *id)
{
	const char *path = getenv("E2E_CHECKS");
	char line[128];
	bool found = false;
	FILE *f;

	if (!path || !*path)
		return true;
	f = fopen(path, "r");
	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		found = !strcmp(line, id);
	}
	fclose(f);
	return found;
}

static bool result(bool ok, const char *id, const char *fmt, ...)
{
	bool on = enabled(id);
	va_list ap;

	printf("%s: %s: ", on ? (ok ? "PASS" : "FAIL") : "SKIP", id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!on)
		return ok;
	if (ok)
		n_pass++;
	else
		n_fail++;
	return ok;
}

static int summary(void)
{
	printf("pkeytest[%s]: %d passed, %d failed\n", mode_name, n_pass, n_fail);
	fflush(stdout);
	return n_fail ? 1 : 0;
}

/* ---- helpers ------------------------------------------------------------ */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/*
 * The value after "0x" on the line of the queue's mkvps attribute that
 * starts with PREFIX (e.g. "AES CUR: valid"), at most OUTLEN - 1 hex digits.
 */
static bool sysfs_mkvp(char *out, size_t outlen, unsigned card, unsigned dom, const char *prefix)
{
	char path[96], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/ap/devices/card%02x/%02x.%04x/mkvps", card, card, dom);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *x;
		size_t n = 0;

		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		x = strstr(line, "0x");
		if (!x)
			break;
		x += 2;
		while (n + 1 < outlen && ((x[n] >= '0' && x[n] <= '9') || (x[n] >= 'a' && x[n] <= 'f') ||
					  (x[n] >= 'A' && x[n] <= 'F'))) {
			out[n] = (char)(x[n] >= 'A' && x[n] <= 'F' ? x[n] - 'A' + 'a' : x[n]);
			n++;
		}
		out[n] = '\0';
		found = n > 0;
	}
	fclose(f);
	return found;
}

static int open_pkey(void)
{
	int fd = open("/dev/pkey", O_RDWR);

	result(fd >= 0, "pkey.open", "/dev/pkey opens%s%s", fd < 0 ? ": " : "",
	       fd < 0 ? strerror(errno) : "");
	return fd;
}

/*
 * Checks of a CCA AES DATA secure key token (internal, version 4): what
 * zkey and pkey themselves check, and the card's current AES MKVP.
 */
static bool cca_token_ok(const uint8_t *t, const char *mkvp_hex, char *why, size_t whylen)
{
	char got[17];

	snprintf(got, sizeof(got), "%016llx", (unsigned long long)be64(t + 8));
	if (t[0] != 0x01 || t[4] != 0x04)
		snprintf(why, whylen, "type 0x%02x version 0x%02x (want 0x01, 0x04)", t[0], t[4]);
	else if (be16(t + 56) != 256 || be16(t + 58) != 32)
		snprintf(why, whylen, "bit size %u, key size %u (want 256, 32)", be16(t + 56), be16(t + 58));
	else if (strcmp(got, mkvp_hex))
		snprintf(why, whylen, "MKVP %s, the card's current AES MKVP is %s", got, mkvp_hex);
	else {
		snprintf(why, whylen, "type 0x01 version 0x04, 256 bits, MKVP %s = the card's current", got);
		return true;
	}
	return false;
}

static void check_protkey(const char *id, int rc, int err, uint32_t type, uint32_t len)
{
	if (rc)
		result(false, id, "failed: %s", strerror(err));
	else
		result(type == AES_256 && len == 64, id,
		       "protected key of type %u (want %d, AES-256), %u bytes (want 64: key + WKVP)", type,
		       AES_256, len);
}

/* ---- CCA ------------------------------------------------------------------ */

static int mode_cca(unsigned card, unsigned dom)
{
	char mkvp[17] = "", why[160];
	struct apqn apqn = { (uint16_t)card, (uint16_t)dom };
	uint8_t key2[SECKEY_LEN + 64];
	int fd, rc;

	result(sysfs_mkvp(mkvp, sizeof(mkvp), card, dom, "AES CUR: valid"), "pkey.cca.mkvp",
	       "queue %02x.%04x has a valid current AES master key (mkvps: %s)", card, dom,
	       mkvp[0] ? mkvp : "none");
	fd = open_pkey();
	if (fd < 0)
		return summary();

	struct genseck g = { .card = (uint16_t)card, .domain = (uint16_t)dom, .keytype = AES_256 };
	rc = ioctl(fd, PKEY_GENSECK, &g);
	if (rc)
		result(false, "pkey.cca.genseck", "PKEY_GENSECK AES-256 on %02x.%04x: %s", card, dom,
		       strerror(errno));
	else
		result(cca_token_ok(g.seckey, mkvp, why, sizeof(why)), "pkey.cca.genseck",
		       "PKEY_GENSECK AES-256 on %02x.%04x: %s", card, dom, why);

	struct verifykey v = { .card = 0xffff, .domain = 0xffff };
	memcpy(v.seckey, g.seckey, SECKEY_LEN);
	rc = ioctl(fd, PKEY_VERIFYKEY, &v);
	if (rc)
		result(false, "pkey.cca.verifykey", "PKEY_VERIFYKEY: %s", strerror(errno));
	else
		result(v.card == card && v.domain == dom && v.keysize == 256 &&
			       (v.attributes & VERIFY_ATTR_AES) && !(v.attributes & VERIFY_ATTR_OLD_MKVP),
		       "pkey.cca.verifykey",
		       "PKEY_VERIFYKEY: on %02x.%04x, %u bits, attributes 0x%x (want AES, not old MKVP)",
		       v.card, v.domain, v.keysize, v.attributes);

	memset(key2, 0, sizeof(key2));
	struct genseck2 g2 = { .apqns = &apqn, .apqn_entries = 1, .type = TYPE_CCA_DATA,
			       .size = SIZE_AES_256, .key = key2, .keylen = sizeof(key2) };
	rc = ioctl(fd, PKEY_GENSECK2, &g2);
	if (rc)
		result(false, "pkey.cca.genseck2", "PKEY_GENSECK2 CCA-AESDATA 256: %s", strerror(errno));
	else
		result(g2.keylen == SECKEY_LEN && cca_token_ok(key2, mkvp, why, sizeof(why)) &&
			       memcmp(key2, g.seckey, SECKEY_LEN),
		       "pkey.cca.genseck2", "PKEY_GENSECK2 CCA-AESDATA 256: %u bytes, %s, differs from the first key",
		       g2.keylen, why);

	struct verifykey2 v2 = { .key = key2, .keylen = SECKEY_LEN, .card = 0xffff, .domain = 0xffff };
	rc = ioctl(fd, PKEY_VERIFYKEY2, &v2);
	if (rc)
		result(false, "pkey.cca.verifykey2", "PKEY_VERIFYKEY2: %s", strerror(errno));
	else
		result(v2.type == TYPE_CCA_DATA && v2.size == SIZE_AES_256 &&
			       (v2.flags & FLAG_MATCH_CUR_MKVP) && !(v2.flags & FLAG_MATCH_ALT_MKVP) &&
			       v2.card == card && v2.domain == dom,
		       "pkey.cca.verifykey2",
		       "PKEY_VERIFYKEY2: type %u size %u flags 0x%x on %02x.%04x (want CCA data, 256, current MKVP)",
		       v2.type, v2.size, v2.flags, v2.card, v2.domain);

	struct sec2protk sp = { .card = (uint16_t)card, .domain = (uint16_t)dom };
	memcpy(sp.seckey, g.seckey, SECKEY_LEN);
	rc = ioctl(fd, PKEY_SEC2PROTK, &sp);
	check_protkey("pkey.cca.sec2protk", rc, errno, sp.prot.type, sp.prot.len);

	uint8_t pk[256];
	struct kblob2pkey3 k3 = { .key = key2, .keylen = SECKEY_LEN, .apqns = &apqn, .apqn_entries = 1,
				  .pkeylen = sizeof(pk), .pkey = pk };
	rc = ioctl(fd, PKEY_KBLOB2PROTK3, &k3);
	check_protkey("pkey.cca.kblob2protk3", rc, errno, k3.pkeytype, k3.pkeylen);

	struct verifyprotk vp;
	memcpy(&vp.prot, &sp.prot, sizeof(vp.prot));
	rc = ioctl(fd, PKEY_VERIFYPROTK, &vp);
	result(rc == 0, "pkey.cca.verifyprotk", "PKEY_VERIFYPROTK: the CPU accepts the protected key%s%s",
	       rc ? ": " : "", rc ? strerror(errno) : "");
	close(fd);
	return summary();
}

/* ---- EP11 ----------------------------------------------------------------- */

static int mode_ep11(unsigned card, unsigned dom)
{
	char wkvp[33] = "", got[33];
	struct apqn apqn = { (uint16_t)card, (uint16_t)dom };
	uint8_t key[512];
	int fd, rc;

	result(sysfs_mkvp(wkvp, sizeof(wkvp), card, dom, "WK CUR: valid") && strlen(wkvp) == 32,
	       "pkey.ep11.wkvp", "queue %02x.%04x has a valid current wrapping key (mkvps: %s)", card, dom,
	       wkvp[0] ? wkvp : "none");
	fd = open_pkey();
	if (fd < 0)
		return summary();

	memset(key, 0, sizeof(key));
	struct genseck2 g2 = { .apqns = &apqn, .apqn_entries = 1, .type = TYPE_EP11_AES,
			       .size = SIZE_AES_256, .key = key, .keylen = sizeof(key) };
	rc = ioctl(fd, PKEY_GENSECK2, &g2);
	if (rc) {
		result(false, "pkey.ep11.genseck2", "PKEY_GENSECK2 EP11-AES 256: %s", strerror(errno));
	} else {
		const uint8_t *b = key + EP11_HDR_LEN;

		hex(got, b + 32, 16);
		result(g2.keylen > EP11_HDR_LEN + 66 && g2.keylen <= sizeof(key) && key[0] == 0 &&
			       key[1] == 0 && be16(key + 2) == g2.keylen && key[4] == TYPE_EP11_AES &&
			       be16(key + 6) == 256 && be16(b + 64) == EP11_MAGIC && !strcmp(got, wkvp),
		       "pkey.ep11.genseck2",
		       "PKEY_GENSECK2 EP11-AES 256: %u bytes, header type %u version %u length %u bits %u, blob magic 0x%04x, WKVP %s (the card's current: %s)",
		       g2.keylen, key[0], key[4], be16(key + 2), be16(key + 6), be16(b + 64), got, wkvp);
	}

	struct verifykey2 v2 = { .key = key, .keylen = g2.keylen, .card = 0xffff, .domain = 0xffff };
	rc = ioctl(fd, PKEY_VERIFYKEY2, &v2);
	if (rc)
		result(false, "pkey.ep11.verifykey2", "PKEY_VERIFYKEY2: %s", strerror(errno));
	else
		result(v2.type == TYPE_EP11_AES && v2.size == SIZE_AES_256 && (v2.flags & FLAG_MATCH_CUR_MKVP),
		       "pkey.ep11.verifykey2",
		       "PKEY_VERIFYKEY2: type %u size %u flags 0x%x (want EP11 AES, 256, current WKVP)",
		       v2.type, v2.size, v2.flags);

	uint8_t pk[256];
	struct kblob2pkey3 k3 = { .key = key, .keylen = g2.keylen, .apqns = &apqn, .apqn_entries = 1,
				  .pkeylen = sizeof(pk), .pkey = pk };
	rc = ioctl(fd, PKEY_KBLOB2PROTK3, &k3);
	check_protkey("pkey.ep11.kblob2protk3", rc, errno, k3.pkeytype, k3.pkeylen);
	close(fd);
	return summary();
}

/* A fresh CCA AES-256 secure key in hex, for dm-crypt's paes table. */
static int mode_keyhex(unsigned card, unsigned dom)
{
	struct genseck g = { .card = (uint16_t)card, .domain = (uint16_t)dom, .keytype = AES_256 };
	char out[2 * SECKEY_LEN + 1];
	int fd = open("/dev/pkey", O_RDWR);

	if (fd < 0 || ioctl(fd, PKEY_GENSECK, &g)) {
		fprintf(stderr, "pkeytest: PKEY_GENSECK on %02x.%04x: %s\n", card, dom, strerror(errno));
		return 1;
	}
	close(fd);
	hex(out, g.seckey, SECKEY_LEN);
	printf("%s\n", out);
	return 0;
}

static bool parse_hex(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

int main(int argc, char **argv)
{
	unsigned card, dom;

	if (argc != 4 || !parse_hex(argv[2], 0xff, &card) || !parse_hex(argv[3], 0xffff, &dom)) {
		fprintf(stderr, "usage: pkeytest cca|ep11|keyhex CARD DOMAIN (hex)\n");
		return 2;
	}
	mode_name = argv[1];
	if (!strcmp(argv[1], "cca"))
		return mode_cca(card, dom);
	if (!strcmp(argv[1], "ep11"))
		return mode_ep11(card, dom);
	if (!strcmp(argv[1], "keyhex"))
		return mode_keyhex(card, dom);
	fprintf(stderr, "pkeytest: unknown mode %s\n", argv[1]);
	return 2;
}
