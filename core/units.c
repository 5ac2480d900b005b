/* core/units.c - sizes typed by people (see units.h). */
#include "units.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const struct {
	const char *name;
	int shift;
} units[] = {
	{ "", 0 }, { "B", 0 },
	{ "K", 10 }, { "KiB", 10 }, { "M", 20 }, { "MiB", 20 },
	{ "G", 30 }, { "GiB", 30 }, { "T", 40 }, { "TiB", 40 },
};

int core_size_parse(const char *s, unsigned long long *bytes, char **err)
{
	unsigned long long whole = 0, frac_num = 0, frac_den = 1, mult, v;
	const char *p = s ? s : "", *unit_start;
	char unit[8];
	size_t un;
	int shift = -1, digits = 0;

	while (*p == ' ')
		p++;
	if (!*p) {
		*err = xstrdup("Enter a size, e.g. 20G");
		return -1;
	}
	if (!isdigit((unsigned char)*p) && *p != '.')
		goto not_a_number;
	for (; isdigit((unsigned char)*p); p++, digits++) {
		if (whole > (ULLONG_MAX - 9) / 10)
			goto too_large;
		whole = whole * 10 + (unsigned)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++, digits++) {
			if (frac_den < 1000000000ULL) { /* nine decimals are plenty */
				frac_num = frac_num * 10 + (unsigned)(*p - '0');
				frac_den *= 10;
			}
		}
	}
	if (!digits)
		goto not_a_number;
	while (*p == ' ')
		p++;
	unit_start = p;
	un = strlen(unit_start);
	while (un && unit_start[un - 1] == ' ')
		un--;
	if (un >= sizeof(unit))
		goto bad_unit;
	memcpy(unit, unit_start, un);
	unit[un] = '\0';
	for (size_t i = 0; i < CORE_ARRAY_LEN(units); i++)
		if (strcasecmp(unit, units[i].name) == 0)
			shift = units[i].shift;
	if (shift < 0)
		goto bad_unit;
	mult = 1ULL << shift;
	if (whole > ULLONG_MAX / mult)
		goto too_large;
	v = whole * mult;
	/* the fraction of the unit, rounded to the nearest byte */
	{
		unsigned long long f = (unsigned long long)(((long double)frac_num * (long double)mult) /
							    (long double)frac_den + 0.5L);
		if (v > ULLONG_MAX - f)
			goto too_large;
		v += f;
	}
	if (v == 0) {
		*err = xstrdup("The size cannot be 0");
		return -1;
	}
	*bytes = v;
	return 0;

not_a_number:
	*err = xstrdup("Not a size: e.g. 20G, 1.5 TiB");
	return -1;
bad_unit:
	*err = xasprintf("Unknown unit '%.*s'", (int)(un > 8 ? 8 : un), unit_start);
	return -1;
too_large:
	*err = xstrdup("The size is too large");
	return -1;
}
