/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/vtfilter.c - bound what guest output hands the terminal emulator
 * (see vtfilter.h). The states follow the emulator's parser: a byte that
 * the emulator reads as the start of a CSI or a string here starts one
 * too, so nothing the emulator would parse as a CSI goes by unseen. */
#include "vtfilter.h"

#include <string.h>

enum { VTF_GROUND, VTF_ESC, VTF_ESC_INT, VTF_CSI, VTF_STR };

#define ESC 0x1b
#define BEL 0x07
#define CAN 0x18
#define SUB 0x1a
#define C1_ST 0x9c

void core_vtf_init(core_vtf *f)
{
	memset(f, 0, sizeof(*f));
	f->state = VTF_GROUND;
}

/* Start holding a sequence whose introducer is intro (1 or 2 bytes). */
static void hold_start(core_vtf *f, int state, const char *intro, size_t n)
{
	f->state = state;
	f->skip = false;
	f->str_esc = false;
	f->esc_open = false;
	f->u8[0] = f->u8[1] = 0; /* no character split by a sequence counts */
	memcpy(f->hold, intro, n);
	f->len = n;
}

/* A held sequence is dropped: if it came after intermediates (on_esc_int),
 * the emulator is still in its escape and would take the next byte as its
 * final; a CAN (1 byte, out) ends it. Returns the bytes written. */
static size_t close_esc(core_vtf *f, char *out)
{
	if (!f->esc_open)
		return 0;
	f->esc_open = false;
	out[0] = CAN;
	return 1;
}

static void hold_add(core_vtf *f, unsigned char c)
{
	if (f->skip)
		return;
	if (f->len >= CORE_VTF_SEQ_MAX) {
		f->skip = true; /* over-long: the rest goes too */
		f->len = 0;
		f->dropped++;
		return;
	}
	f->hold[f->len++] = (char)c;
}

/* The held sequence will not be passed on (aborted or refused); what to
 * emit instead (close_esc) goes to out: returns its length. */
static size_t drop_held(core_vtf *f, char *out)
{
	if (!f->skip && (f->state == VTF_CSI || f->state == VTF_STR))
		f->dropped++;
	f->skip = false;
	f->str_esc = false;
	f->len = 0;
	f->state = VTF_GROUND;
	return close_esc(f, out);
}

/* The held CSI and its final byte, cut to CORE_VTF_CSI_PARAMS parameters:
 * separators (';' and ':') from the 16th on, and the digits after them,
 * are left out; leader bytes, intermediates and C0 controls stay. */
static size_t emit_csi(core_vtf *f, unsigned char final, char *out)
{
	size_t i = (unsigned char)f->hold[0] == ESC ? 2 : 1, o = i;
	unsigned seps = 0;
	bool args = true, cut = false;

	if (final == 'b' && !f->glyph) { /* REP of no known glyph (see vtfilter.h) */
		f->dropped++;
		f->len = 0;
		f->state = VTF_GROUND;
		return close_esc(f, out);
	}
	memcpy(out, f->hold, i);
	for (; i < f->len; i++) {
		unsigned char b = (unsigned char)f->hold[i];
		if (args && ((b >= '0' && b <= '9') || b == ':' || b == ';')) {
			if ((b == ':' || b == ';') && ++seps >= CORE_VTF_CSI_PARAMS)
				cut = true;
			if (cut)
				continue;
		} else if (b >= 0x20 && b <= 0x2f) {
			args = false; /* an intermediate: the arguments are over */
		}
		out[o++] = (char)b;
	}
	out[o++] = (char)final;
	if (cut)
		f->clamped++;
	f->len = 0;
	f->state = VTF_GROUND;
	return o;
}

/* A DCS is a status request (DECRQSS: "$q" then what is asked, C0 controls
 * aside as the emulator executes them) that libvterm 0.1.4 does not know:
 * it answers those from memory it never set and crashes. C0 controls and
 * DEL in it are skipped as the emulator skips them. Only SGR, DECSTBM,
 * DECSLRM, DECSCUSR and DECSCA ("m" "r" "s" " q" "\"q") and an empty one
 * are passed. */
static bool bad_decrqss(const core_vtf *f)
{
	static const char *const known[] = { "", "m", "r", "s", " q", "\"q" };
	char body[8];
	size_t i = (unsigned char)f->hold[0] == ESC ? 2 : 1, n = 0;
	if (f->kind != 'P')
		return false;
	for (; i < f->len; i++) {
		unsigned char b = (unsigned char)f->hold[i];
		if (b < 0x20 || b == 0x7f) /* (DEL: the emulator ignores it too; found by tests/fuzz) */
			continue;
		if (n == sizeof(body) - 1)
			break;
		body[n++] = (char)b;
	}
	body[n] = '\0';
	if (n < 2 || body[0] != '$' || body[1] != 'q')
		return false;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (strcmp(body + 2, known[k]) == 0)
			return false;
	return true;
}

/* The held string and its terminator (1 or 2 bytes), unless dropped. */
static size_t emit_str(core_vtf *f, const char *term, size_t tn, char *out)
{
	size_t o = 0;
	if (!f->skip && bad_decrqss(f)) {
		f->skip = true;
		f->dropped++;
	}
	if (f->skip) {
		o = close_esc(f, out);
	} else {
		memcpy(out, f->hold, f->len);
		memcpy(out + f->len, term, tn);
		o = f->len + tn;
	}
	f->len = 0;
	f->skip = false;
	f->str_esc = false;
	f->state = VTF_GROUND;
	return o;
}

/* After ESC (or a C1 introducer): which string this is; APC, PM and SOS
 * are dropped from the start. */
static void start_string(core_vtf *f, unsigned char kind, const char *intro, size_t n)
{
	hold_start(f, VTF_STR, intro, n);
	f->kind = kind;
	if (kind != ']' && kind != 'P') {
		f->skip = true;
		f->len = 0;
		f->dropped++;
	}
}

/* 8-bit introducers, when f->c1: the 7-bit letter each stands for. */
static unsigned char c1_kind(unsigned char c)
{
	switch (c) {
	case 0x9b: return '[';
	case 0x9d: return ']';
	case 0x90: return 'P';
	case 0x9f: return '_';
	case 0x9e: return '^';
	case 0x98: return 'X';
	}
	return 0;
}

static size_t on_ground(core_vtf *f, unsigned char c, char *out)
{
	unsigned char k;
	char intro = (char)c;

	if (c == ESC) {
		hold_start(f, VTF_ESC, &intro, 1);
		return 0;
	}
	if (f->c1 && (k = c1_kind(c)) != 0) {
		if (k == '[')
			hold_start(f, VTF_CSI, &intro, 1);
		else
			start_string(f, k, &intro, 1);
		return 0;
	}
	/* printable ASCII, or a box-drawing or block character (U+2500..U+259F,
	 * E2 94..96 xx, what line-drawing programs repeat): one column for
	 * sure; any other character libvterm may draw zero-wide */
	if (c >= 0x20 && c <= 0x7e)
		f->glyph = true;
	else if (c >= 0x80)
		f->glyph = f->u8[0] == 0xe2 && f->u8[1] >= 0x94 && f->u8[1] <= 0x96 && c <= 0xbf &&
			   (f->u8[1] != 0x96 || c <= 0x9f);
	f->u8[0] = f->u8[1];
	f->u8[1] = c;
	out[0] = (char)c;
	return 1;
}

static size_t on_esc(core_vtf *f, unsigned char c, char *out)
{
	char intro[2] = { ESC, (char)c };

	if (c == ESC) /* ESC ESC: the first one is void (found by tests/fuzz: passed,
		       * it made a DCS of the text after a dropped sequence) */
		return 0;
	if (c < 0x20 || c == 0x7f) { /* executed inside the escape: before it */
		out[0] = (char)c;
		return 1;
	}
	if (c >= 0x80) /* ignored by the emulator inside an escape */
		return 0;
	if (c == '[') {
		hold_start(f, VTF_CSI, intro, 2);
		return 0;
	}
	if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
		start_string(f, c, intro, 2);
		return 0;
	}
	out[0] = ESC;
	out[1] = (char)c;
	f->len = 0;
	f->state = c <= 0x2f ? VTF_ESC_INT : VTF_GROUND;
	return 2;
}

static size_t on_esc_int(core_vtf *f, unsigned char c, char *out)
{
	char intro = ESC;
	if (c == ESC) { /* the emulator's escape (out up to here) ends by a CAN:
			 * the new one is held, and may be dropped */
		hold_start(f, VTF_ESC, &intro, 1);
		out[0] = CAN;
		return 1;
	}
	if (c >= 0x80)
		return 0;
	/* after intermediates libvterm 0.1.4 still starts a CSI, an OSC or a
	 * DCS on these (ESC $ [ ...): the ESC and the intermediates are out,
	 * the sequence is held from its letter on (found by tests/fuzz) */
	if (c == '[') {
		intro = (char)c;
		hold_start(f, VTF_CSI, &intro, 1);
		f->esc_open = true;
		return 0;
	}
	if (c == ']' || c == 'P') {
		intro = (char)c;
		start_string(f, c, &intro, 1);
		f->esc_open = true;
		return 0;
	}
	if (c >= 0x30 && c <= 0x7e)
		f->state = VTF_GROUND;
	out[0] = (char)c;
	return 1;
}

static size_t on_csi(core_vtf *f, unsigned char c, char *out)
{
	char intro = ESC;
	size_t o;
	if (c == ESC) { /* aborts the CSI and starts an escape */
		o = drop_held(f, out);
		hold_start(f, VTF_ESC, &intro, 1);
		return o;
	}
	if (c >= 0x40 && c <= 0x7e)
		return f->skip ? drop_held(f, out) : emit_csi(f, c, out);
	if (c >= 0x80) /* not a CSI after all: the emulator drops it too */
		return drop_held(f, out);
	hold_add(f, c); /* parameters, leaders, intermediates, C0 in place */
	return 0;
}

/* A string (OSC, DCS held; APC, PM, SOS skipped) until BEL, ST or an abort.
 * Returns what to emit; *again is set when c must be read once more (an
 * ESC followed by anything but '\' ends the string and starts an escape). */
static size_t on_str(core_vtf *f, unsigned char c, char *out, bool *again)
{
	static const char st[2] = { ESC, '\\' };
	char intro = ESC;

	if (f->str_esc) {
		size_t o;
		if (c == '\\')
			return emit_str(f, st, 2, out);
		o = drop_held(f, out);
		hold_start(f, VTF_ESC, &intro, 1);
		*again = true;
		return o;
	}
	if (c == ESC) {
		f->str_esc = true;
		return 0;
	}
	if (c == BEL) {
		char t = BEL;
		return emit_str(f, &t, 1, out);
	}
	if (f->c1 && c == C1_ST) {
		char t = (char)C1_ST;
		return emit_str(f, &t, 1, out);
	}
	hold_add(f, c);
	return 0;
}

size_t core_vtf_feed(core_vtf *f, const char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)in[i];
		bool again = false;

		if (c == CAN || c == SUB) { /* cancel any sequence; passed on */
			f->esc_open = false; /* the CAN or SUB passed ends it */
			f->u8[0] = f->u8[1] = 0;
			if (f->state != VTF_GROUND)
				drop_held(f, out + o);
			out[o++] = (char)c;
			i++;
			continue;
		}
		switch (f->state) {
		case VTF_GROUND: o += on_ground(f, c, out + o); break;
		case VTF_ESC: o += on_esc(f, c, out + o); break;
		case VTF_ESC_INT: o += on_esc_int(f, c, out + o); break;
		case VTF_CSI: o += on_csi(f, c, out + o); break;
		case VTF_STR: o += on_str(f, c, out + o, &again); break;
		}
		if (!again)
			i++;
	}
	return o;
}
