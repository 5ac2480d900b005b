/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/vtfilter.h - a guard in front of the terminal emulator: guest output
 * is hostile input. libc only.
 *
 * libvterm 0.1.4 (Debian 12) writes past its 16-entry CSI argument array:
 * one CSI with 17 or more parameters or sub-parameters
 * (ESC[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1m, or ESC[ and 3000 ':') makes
 * vterm_input_write crash the whole console. This filter reads the byte
 * stream as a VT parser does (state kept across chunks, so a sequence split
 * anywhere is seen whole) and bounds what reaches the emulator:
 *   - a CSI keeps its first 16 parameters / sub-parameters: the rest (their
 *     separators and digits) is cut out, the final byte kept (clamped);
 *   - a CSI, OSC or DCS longer than CORE_VTF_SEQ_MAX bytes is dropped whole
 *     (up to and including its final byte or terminator);
 *   - APC, PM and SOS strings are always dropped: libvterm 0.1.4 does not
 *     know them and would print their contents as text;
 *   - a REP (CSI Ps b) unless the last text was printable ASCII or a box-
 *     drawing or block character (U+2500..U+259F): libvterm 0.1.4 loops
 *     forever repeating no glyph or a zero-width one;
 *   - a DECRQSS (DCS $q ...) other than m, r, s, " q" and "\"q": libvterm
 *     0.1.4 crashes answering one it does not know (found by tests/fuzz);
 *   (a CSI, OSC or DCS after ESC and intermediates, ESC $ [ ..., counts:
 *   libvterm 0.1.4 starts it all the same; one dropped there is followed
 *   by a CAN, ending the escape the emulator is still in);
 * everything else passes byte for byte: text, UTF-8, C0 controls, escape
 * sequences, short CSIs (colours, cursor moves), OSC and DCS strings.
 * Sequences are held back until they are complete (at most CORE_VTF_HOLD
 * bytes), so an output may be longer than its input. An ESC, CAN or SUB
 * aborts a sequence as it does in the emulator (the sequence is dropped). */
#ifndef CORE_VTFILTER_H
#define CORE_VTFILTER_H

#include <stdbool.h>
#include <stddef.h>

#define CORE_VTF_CSI_PARAMS 16  /* parameters and sub-parameters a CSI keeps */
#define CORE_VTF_SEQ_MAX 4096   /* longest CSI / OSC / DCS passed on, terminator excluded */
#define CORE_VTF_HOLD (CORE_VTF_SEQ_MAX + 2) /* the most a feed can release besides its input */

typedef struct core_vtf {
	/* settings: set after core_vtf_init */
	bool c1;                /* 8-bit C1 controls (0x9b CSI ...) introduce sequences: only for
	                           an emulator NOT in UTF-8 mode (in UTF-8 they are text bytes) */
	/* counters, for tests and the curious */
	unsigned long clamped;  /* CSIs cut to CORE_VTF_CSI_PARAMS */
	unsigned long dropped;  /* sequences dropped (too long, APC/PM/SOS, aborted) */
	/* private */
	int state;
	int kind;               /* the string's introducer (']', 'P', '_', '^', 'X') */
	bool skip;              /* the current sequence is being dropped */
	bool str_esc;           /* an ESC inside a string: ST or an abort follows */
	bool esc_open;          /* the held sequence came after ESC and intermediates, which
	                           went out: if it is dropped, a CAN ends the emulator's escape */
	unsigned char u8[2];    /* the two text bytes before (a box-drawing character?) */
	bool glyph;             /* the last text was one column for sure, so a REP (CSI Ps b) may
	                           follow; else a REP is dropped: libvterm 0.1.4 loops forever
	                           on a REP with no glyph, or a zero-width one, before */
	size_t len;             /* bytes held in hold */
	char hold[CORE_VTF_HOLD];
} core_vtf;

void core_vtf_init(core_vtf *f);

/* Filter n bytes of guest output into out, which must have room for
 * core_vtf_out_size(n) bytes; returns the bytes written (maybe 0: a sequence
 * is being held, or more than n: a held one completed). */
size_t core_vtf_feed(core_vtf *f, const char *in, size_t n, char *out);

static inline size_t core_vtf_out_size(size_t n)
{
	return n + CORE_VTF_HOLD;
}

#endif
