/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/storage.c - sizes, names and IPv4 subnets (see storage.h). */
#include "storage.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *unit;
	uint64_t mul;
} core_units[] = {
	{ "", 1 }, { "b", 1 },
	{ "k", 1ULL << 10 }, { "kib", 1ULL << 10 }, { "kb", 1000ULL },
	{ "m", 1ULL << 20 }, { "mib", 1ULL << 20 }, { "mb", 1000000ULL },
	{ "g", 1ULL << 30 }, { "gib", 1ULL << 30 }, { "gb", 1000000000ULL },
	{ "t", 1ULL << 40 }, { "tib", 1ULL << 40 }, { "tb", 1000000000000ULL },
	{ "p", 1ULL << 50 }, { "pib", 1ULL << 50 }, { "pb", 1000000000000000ULL },
};

int core_size_parse(const char *s, uint64_t *out, char **err)
{
	char unit[8];
	const char *p, *num_end;
	size_t ulen = 0;
	long double v, whole;
	uint64_t mul = 0;
	char *end;

	if (!s)
		s = "";
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		*err = xstrdup("enter a size, such as 20G or 512 MiB");
		return -1;
	}
	if (*s == '-') {
		*err = xasprintf("\"%s\": a size cannot be negative", s);
		return -1;
	}
	if (!isdigit((unsigned char)*s) && *s != '.') {
		*err = xasprintf("\"%s\" is not a size: start with a number, such as 20G", s);
		return -1;
	}
	errno = 0;
	v = strtold(s, &end);
	if (end == s || errno == ERANGE) {
		*err = xasprintf("\"%s\" is not a size", s);
		return -1;
	}
	num_end = end;
	for (const char *q = s; q < num_end; q++)
		if (!isdigit((unsigned char)*q) && *q != '.') {
			/* strtold also takes hex, exponents, inf, nan */
			*err = xasprintf("\"%s\": write the number in plain digits", s);
			return -1;
		}
	p = num_end;
	while (isspace((unsigned char)*p))
		p++;
	while (p[ulen] && !isspace((unsigned char)p[ulen])) {
		if (ulen + 1 >= sizeof(unit)) {
			*err = xasprintf("\"%s\": unknown unit \"%s\" (use K, M, G, T, P, "
					 "with or without iB)", s, p);
			return -1;
		}
		unit[ulen] = (char)tolower((unsigned char)p[ulen]);
		ulen++;
	}
	unit[ulen] = '\0';
	for (const char *q = p + ulen; *q; q++)
		if (!isspace((unsigned char)*q)) {
			*err = xasprintf("\"%s\": unexpected text after the unit", s);
			return -1;
		}
	if (ulen == 1 && p[0] == 'b') {
		*err = xasprintf("\"%s\": write B for bytes", s);
		return -1;
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(core_units); i++)
		if (strcmp(unit, core_units[i].unit) == 0)
			mul = core_units[i].mul;
	if (!mul) {
		*err = xasprintf("\"%s\": unknown unit \"%.*s\" (use K, M, G, T, P, with or "
				 "without iB)", s, (int)ulen, p);
		return -1;
	}
	v *= (long double)mul;
	if (v >= 18446744073709551615.0L) {
		*err = xasprintf("\"%s\" is too large", s);
		return -1;
	}
	whole = floorl(v);
	if (whole < 1) {
		*err = xasprintf("\"%s\": the size must be more than 0", s);
		return -1;
	}
	*out = (uint64_t)whole;
	return 0;
}

void core_size_fmt(uint64_t bytes, char *buf, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t i = 0;
	while (v >= 1024.0 && i + 1 < CORE_ARRAY_LEN(u)) {
		v /= 1024.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (v == floor(v) || v >= 100)
		snprintf(buf, len, "%.0f %s", v, u[i]);
	else
		snprintf(buf, len, "%.1f %s", v, u[i]);
}

int core_name_check(const char *name, char **err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0) {
		*err = xstrdup("enter a name");
		return -1;
	}
	if (n > 255) {
		*err = xstrdup("the name is too long (255 bytes at most)");
		return -1;
	}
	if (strchr(name, '/')) {
		*err = xstrdup("may not contain '/'");
		return -1;
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		*err = xasprintf("\"%s\" is not a usable name", name);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			*err = xstrdup("may not contain control characters");
			return -1;
		}
	return 0;
}

int core_ipv4_parse(const char *s, uint32_t *out)
{
	unsigned long part;
	uint32_t a = 0;
	char *end;

	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		part = strtoul(s, &end, 10);
		if (errno || part > 255 || end - s > 3)
			return -1;
		a = (a << 8) | (uint32_t)part;
		s = end;
		if (i < 3) {
			if (*s != '.')
				return -1;
			s++;
		}
	}
	if (*s)
		return -1;
	*out = a;
	return 0;
}

void core_ipv4_fmt(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static uint32_t core_mask(int prefix)
{
	return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

int core_netmask_prefix(uint32_t mask)
{
	int p = 0;
	while (p < 32 && (mask & (1u << (31 - p))))
		p++;
	return core_mask(p) == mask ? p : -1;
}

int core_cidr_parse(const char *s, core_cidr *out, uint32_t *host, char **err)
{
	char buf[64];
	char *slash, *end;
	uint32_t a, m;
	long prefix;

	if (!s || !*s) {
		*err = xstrdup("enter a subnet, such as 192.168.124.0/24");
		return -1;
	}
	if (strlen(s) >= sizeof(buf)) {
		*err = xasprintf("\"%.20s...\" is not a subnet", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	core_str_trim(buf);
	if (!(slash = strchr(buf, '/'))) {
		*err = xasprintf("\"%s\": add the prefix length, such as /24", buf);
		return -1;
	}
	*slash++ = '\0';
	if (core_ipv4_parse(buf, &a) < 0) {
		*err = xasprintf("\"%s\" is not an IPv4 address", buf);
		return -1;
	}
	if (strchr(slash, '.')) {
		if (core_ipv4_parse(slash, &m) < 0 || (prefix = core_netmask_prefix(m)) < 0) {
			*err = xasprintf("\"%s\" is not a netmask", slash);
			return -1;
		}
	} else {
		errno = 0;
		prefix = strtol(slash, &end, 10);
		if (!isdigit((unsigned char)*slash) || *end || errno || prefix < 0 || prefix > 32) {
			*err = xasprintf("\"/%s\": the prefix length is a number from 0 to 32", slash);
			return -1;
		}
	}
	if (prefix > 30 || prefix < 8) {
		*err = xasprintf("\"/%ld\": use a prefix from /8 to /30 for a network", prefix);
		return -1;
	}
	out->prefix = (int)prefix;
	out->addr = a & core_mask((int)prefix);
	if (host)
		*host = a;
	return 0;
}

bool core_cidr_overlap(core_cidr a, core_cidr b)
{
	int p = a.prefix < b.prefix ? a.prefix : b.prefix;
	return (a.addr & core_mask(p)) == (b.addr & core_mask(p));
}

bool core_cidr_contains(core_cidr net, uint32_t addr)
{
	return (addr & core_mask(net.prefix)) == net.addr;
}

static bool core_cidr_free(core_cidr c, const core_cidr *used, size_t nused)
{
	for (size_t i = 0; i < nused; i++)
		if (core_cidr_overlap(c, used[i]))
			return false;
	return true;
}

int core_subnet_suggest(const core_cidr *used, size_t nused, core_cidr *out)
{
	core_cidr c = { 0, 24 };
	for (uint32_t x = 100; x <= 254; x++) {
		c.addr = (192u << 24) | (168u << 16) | (x << 8);
		if (core_cidr_free(c, used, nused))
			goto found;
	}
	for (uint32_t x = 0; x < 65536; x++) {
		c.addr = (10u << 24) | (x << 8);
		if (core_cidr_free(c, used, nused))
			goto found;
	}
	for (uint32_t x = 16 * 256; x < 32 * 256; x++) {
		c.addr = (172u << 24) | (x << 8);
		if (core_cidr_free(c, used, nused))
			goto found;
	}
	return -1;
found:
	*out = c;
	return 0;
}
