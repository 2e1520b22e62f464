/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Value syntax of the scenario language: numbers (decimal, 0x-hex),
 * durations, sizes, APQNs, ID lists, booleans and errno names, and the
 * reverse conversions for messages.
 */
#include "scenario_internal.h"
#include "srctext.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Parse [0x]digits from s; *end set past them. */
static int num_prefix(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	bool ovf = false;
	const char *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (apv_src_hexdig(*p) < 0)
			return -EINVAL;
		while (apv_src_hexdig(*p) >= 0) {
			if (v >> 60)
				ovf = true;
			v = v * 16 + (uint64_t)apv_src_hexdig(*p++);
		}
	} else {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			uint64_t d = (uint64_t)(*p++ - '0');
			if (v > (UINT64_MAX - d) / 10)
				ovf = true;
			v = v * 10 + d;
		}
	}
	*end = p;
	*out = v;
	return ovf ? -ERANGE : 0;
}

int apv_scn_parse_num(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int rc = num_prefix(s, &end, &v);
	if (rc == -EINVAL || *end)
		return -EINVAL;
	if (rc == -ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int apv_scn_parse_dur(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	uint64_t whole = 0, frac = 0, fdiv = 1;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		if (whole > UINT64_MAX / 10 - 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p++ - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			if (fdiv < UINT64_C(1000000000)) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				fdiv *= 10;
			}
			p++;
		}
	}
	if (!*p)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			uint64_t m = units[i].mult;
			if (whole > UINT64_MAX / m)
				return -ERANGE;
			*ns = whole * m + frac * m / fdiv;
			return 0;
		}
	}
	return -EINVAL;
}

int apv_scn_parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v, mult = 1;
	if (num_prefix(s, &end, &v) < 0)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		mult = UINT64_C(1) << 10;
	else if (*end == 'M')
		mult = UINT64_C(1) << 20;
	else if (*end == 'G')
		mult = UINT64_C(1) << 30;
	else if (*end)
		return -EINVAL;
	if (*end && end[1])
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int apv_scn_parse_apqn(const char *s, apv_apqn_t *q)
{
	const char *dot = strchr(s, '.');
	if (!dot || dot == s || !dot[1] || dot - s > 2 || strlen(dot + 1) > 4)
		return -EINVAL;
	unsigned card = 0, dom = 0;
	for (const char *p = s; p < dot; p++) {
		if (apv_src_hexdig(*p) < 0)
			return -EINVAL;
		card = card * 16 + (unsigned)apv_src_hexdig(*p);
	}
	for (const char *p = dot + 1; *p; p++) {
		if (apv_src_hexdig(*p) < 0)
			return -EINVAL;
		dom = dom * 16 + (unsigned)apv_src_hexdig(*p);
	}
	if (dom > 0xFF)
		return -ERANGE;
	*q = apv_apqn(card, dom);
	return 0;
}

int apv_scn_parse_ids(const char *s, unsigned max, struct apv_mask *m)
{
	memset(m, 0, sizeof(*m));
	if (strcmp(s, "none") == 0)
		return 0;
	const char *p = s;
	for (;;) {
		const char *end;
		uint64_t a, b;
		if (num_prefix(p, &end, &a) < 0)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			if (num_prefix(end + 1, &end, &b) < 0)
				return -EINVAL;
			if (b < a)
				return -EDOM;
		}
		if (b > max)
			return -ERANGE;
		for (uint64_t i = a; i <= b; i++)
			apv_mask_set(m, (unsigned)i);
		if (!*end)
			return 0;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
}

const char *apv_scn_ids_backwards(const char *s, char *buf, size_t len)
{
	const char *p = s;

	if (len)
		buf[0] = '\0';
	while (*p) {
		const char *start = p, *end;
		uint64_t a, b;

		if (num_prefix(p, &end, &a) < 0)
			break;
		if (*end == '-') {
			if (num_prefix(end + 1, &end, &b) < 0)
				break;
			if (b < a) {
				snprintf(buf, len, "%.*s", (int)(end - start), start);
				break;
			}
		}
		if (*end != ',')
			break;
		p = end + 1;
	}
	return buf;
}

int apv_scn_parse_bool(const char *s, bool *b)
{
	static const char *const yes[] = {"on", "yes", "1", "true"};
	static const char *const no[] = {"off", "no", "0", "false"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*b = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*b = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct {
	int e;
	const char *name;
} errnos[] = {
    {EPERM, "EPERM"},		{ENOENT, "ENOENT"},	    {EIO, "EIO"},
    {ENXIO, "ENXIO"},		{EAGAIN, "EAGAIN"},	    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},		{EFAULT, "EFAULT"},	    {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},		{ENODEV, "ENODEV"},	    {EINVAL, "EINVAL"},
    {ENOSPC, "ENOSPC"},		{ERANGE, "ERANGE"},	    {EMSGSIZE, "EMSGSIZE"},
    {EOPNOTSUPP, "EOPNOTSUPP"}, {EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ETIMEDOUT, "ETIMEDOUT"},	{ENOTSUP, "ENOTSUP"},	    {EDEADLK, "EDEADLK"},
};

const char *apv_scn_errno_name(int e)
{
	if (e < 0)
		e = -e;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].e == e)
			return errnos[i].name;
	return NULL;
}

int apv_scn_parse_errno(const char *s, int *e)
{
	if (strcmp(s, "0") == 0 || strcmp(s, "none") == 0 || strcmp(s, "ok") == 0) {
		*e = 0;
		return 0;
	}
	const char *p = s[0] == '-' ? s + 1 : s;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (strcmp(p, errnos[i].name) == 0) {
			*e = -errnos[i].e;
			return 0;
		}
	}
	uint64_t v;
	if (apv_scn_parse_num(p, 4095, &v) == 0 && v > 0) {
		*e = -(int)v;
		return 0;
	}
	return -EINVAL;
}

const char *apv_scn_errno_str(int e, char *buf, size_t len)
{
	if (e == 0) {
		snprintf(buf, len, "0 (success)");
		return buf;
	}
	const char *n = apv_scn_errno_name(e);
	if (n)
		snprintf(buf, len, "-%s (%s)", n, strerror(e < 0 ? -e : e));
	else
		snprintf(buf, len, "%d (%s)", e, strerror(e < 0 ? -e : e));
	return buf;
}

const char *apv_scn_apqn_str(apv_apqn_t q, char *buf, size_t len)
{
	snprintf(buf, len, "%02x.%04x", apv_apqn_apid(q), apv_apqn_apqi(q));
	return buf;
}

const char *apv_scn_ids_str(const struct apv_mask *m, char *buf, size_t len)
{
	size_t n = 0;
	unsigned i = apv_mask_next(m, 0);
	if (i >= APV_MASK_BITS) {
		snprintf(buf, len, "none");
		return buf;
	}
	buf[0] = '\0';
	while (i < APV_MASK_BITS) {
		unsigned j = i;
		while (j + 1 < APV_MASK_BITS && apv_mask_test(m, j + 1))
			j++;
		int w;
		if (j == i)
			w = snprintf(buf + n, len - n, "%s%u", n ? "," : "", i);
		else
			w = snprintf(buf + n, len - n, "%s%u-%u", n ? "," : "", i, j);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
		i = apv_mask_next(m, j + 1);
	}
	return buf;
}

const char *apv_scn_dur_str(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		uint64_t mult;
		int digits;
	} units[] = {{"s", 1000000000, 9}, {"ms", 1000000, 6}, {"us", 1000, 3}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns < units[i].mult)
			continue;
		uint64_t frac = ns % units[i].mult;
		if (!frac) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(ns / units[i].mult),
				 units[i].unit);
			return buf;
		}
		char f[16];
		snprintf(f, sizeof(f), "%0*llu", units[i].digits, (unsigned long long)frac);
		size_t fl = strlen(f);
		while (fl > 1 && f[fl - 1] == '0')
			f[--fl] = '\0';
		snprintf(buf, len, "%llu.%s%s", (unsigned long long)(ns / units[i].mult), f,
			 units[i].unit);
		return buf;
	}
	snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

unsigned apv_scn_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	unsigned d[33][33];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			/* a swap of two neighbours counts as one edit */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *apv_errno_str(int err, char *buf, size_t len)
{
	if (!buf || !len)
		return NULL;
	return apv_scn_errno_str(err, buf, len);
}
