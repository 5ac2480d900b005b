/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/sanitize.h - the display sanitizer and column arithmetic.
 * Every string from outside (VM names, libvirt errors, guest info, SSH
 * banners) goes through core_sanitize() before it is drawn. libc only. */
#ifndef CORE_SANITIZE_H
#define CORE_SANITIZE_H

#include <stdbool.h>
#include <stdint.h>

/* The terminal's locale is UTF-8 (default true). Set once at start-up. */
void core_sanitize_set_utf8(bool utf8);

/* A malloc'd copy of s (NULL -> "") that is valid UTF-8 and safe to draw.
 * Escaped C style: ESC "\e", BEL "\a", "\b" "\t" "\n" "\r" "\f" "\v",
 * backslash "\\", other C0 and DEL "\x1f"; C1 controls, bidi controls
 * (U+200E/F, U+202A-E, U+2066-9, U+061C), U+FEFF, U+2028/9 and code points
 * the C library finds unprintable (unassigned) as "\u0085" ("\U0001f600"
 * above U+FFFF); each byte of invalid UTF-8 (overlong, surrogate,
 * > U+10FFFF, truncated) as "\xff". Without UTF-8 every non-ASCII code
 * point is escaped, so the result is printable ASCII. */
char *core_sanitize(const char *s);

/* Display columns of a sanitized string (wcwidth of each code point; NULL
 * -> 0). An invalid byte or unprintable code point counts 1. */
int core_str_width(const char *s);

/* A malloc'd string of exactly cols columns (cols <= 0 -> ""): s padded
 * with spaces (on the left when align_right), or cut and ended with "…"
 * (U+2026, "~" without UTF-8). A wide character is never split (a space
 * pads instead); combining marks stay with their base. Meant for sanitized
 * input: anything unsafe left in s (or non-ASCII without UTF-8) becomes '?'. */
char *core_str_fit(const char *s, int cols, bool align_right);

/* Decode one UTF-8 sequence of a NUL-terminated string: its length (1-4) and
 * *cp, or 0 when s does not start a valid shortest-form sequence. */
int core_utf8_decode(const char *s, uint32_t *cp);
/* The NUL-terminated s is valid UTF-8. */
bool core_utf8_valid(const char *s);

#endif
