/* core/units.h - sizes typed by people: "20G", "512 MiB", "1.5 TiB". libc only. */
#ifndef CORE_UNITS_H
#define CORE_UNITS_H

/* A size with a unit: B, KiB/K, MiB/M, GiB/G, TiB/T (binary, case does not
 * matter, a space may stand before the unit; a bare number is bytes), with
 * decimals ("1.5G"). 0 with *bytes (rounded to the nearest byte), or -1 and
 * *err (caller frees): empty, not a number, an unknown unit, zero, too large. */
int core_size_parse(const char *s, unsigned long long *bytes, char **err);

#endif
