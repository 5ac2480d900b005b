/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_vtfilter.c - core/vtfilter.c in front of a real libvterm.
 *
 * Unfiltered, libvterm 0.1.4 (Debian 12) dies in vterm_input_write on one
 * CSI with 17 parameters (ESC[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1m) or on ESC[
 * and 3000 ':' (it writes past its 16-entry argument array; measured: a
 * SIGSEGV each time, while 16 parameters are fine). Those inputs are not fed
 * to libvterm raw here (that would crash this test binary): only through the
 * filter, split at every byte, into a real VTerm, whose screen is then read
 * back. Ordinary output (colours, cursor moves, UTF-8, titles) must come
 * out of the filter byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <vterm.h>

#include "../../core/util.h"
#include "../../core/vtfilter.h"

/* ---- helpers ------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t n;
};

/* Feed in as chunks of the given sizes (the last one repeats); NUL-ended. */
static struct buf filter_chunks(core_vtf *f, const char *in, size_t n, size_t first, size_t rest)
{
	struct buf b = { xmalloc(core_vtf_out_size(n) + 1), 0 };
	size_t off = 0, chunk = first;
	while (off < n) {
		size_t k = chunk < n - off ? chunk : n - off;
		char *out = xmalloc(core_vtf_out_size(k));
		size_t got = core_vtf_feed(f, in + off, k, out);
		assert_true(got <= core_vtf_out_size(k));
		assert_true(b.n + got <= core_vtf_out_size(n));
		memcpy(b.p + b.n, out, got);
		b.n += got;
		free(out);
		off += k;
		chunk = rest;
	}
	b.p[b.n] = '\0';
	return b;
}

static struct buf filter_split(const char *in, size_t n, size_t at)
{
	core_vtf f;
	core_vtf_init(&f);
	return filter_chunks(&f, in, n, at, n > at ? n - at : 1);
}

/* Through the filter whole, split at every byte boundary, and one byte at
 * a time: always the same output. */
static struct buf filter_every_split(const char *in, size_t n)
{
	struct buf whole = filter_split(in, n, n);
	for (size_t at = 0; at <= n; at++) {
		struct buf b = filter_split(in, n, at);
		if (b.n != whole.n || memcmp(b.p, whole.p, b.n) != 0)
			fail_msg("split at %zu of %zu changes the output", at, n);
		free(b.p);
	}
	{
		core_vtf f;
		struct buf b;
		core_vtf_init(&f);
		b = filter_chunks(&f, in, n, 1, 1);
		assert_int_equal(b.n, whole.n);
		assert_memory_equal(b.p, whole.p, b.n);
		free(b.p);
	}
	return whole;
}

static void expect_same(const char *in, size_t n)
{
	struct buf b = filter_every_split(in, n);
	if (b.n != n || memcmp(b.p, in, n) != 0)
		fail_msg("changed: %zu bytes in, %zu out", n, b.n);
	free(b.p);
}

static void expect_out(const char *in, size_t n, const char *want)
{
	struct buf b = filter_every_split(in, n);
	if (b.n != strlen(want) || memcmp(b.p, want, b.n) != 0)
		fail_msg("expected %zu bytes, got %zu: \"%s\"", strlen(want), b.n, b.p);
	free(b.p);
}

/* A real emulator, in UTF-8 as the console tab has it. */
static VTerm *term_new(void)
{
	VTerm *vt = vterm_new(24, 80);
	vterm_set_utf8(vt, 1);
	vterm_screen_reset(vterm_obtain_screen(vt), 1);
	return vt;
}

static void term_row(VTerm *vt, int row, char *line, size_t len)
{
	VTermRect r = { .start_row = row, .end_row = row + 1, .start_col = 0, .end_col = 80 };
	size_t n = vterm_screen_get_text(vterm_obtain_screen(vt), line, len - 1, r);
	line[n] = '\0';
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
}

/* Every split of in, filtered, into a fresh VTerm: row 0 reads want. */
static void expect_screen_every_split(const char *in, size_t n, const char *want)
{
	for (size_t at = 0; at <= n; at++) {
		core_vtf f;
		VTerm *vt = term_new();
		char out[256 + CORE_VTF_HOLD], line[256];
		core_vtf_init(&f);
		/* two writes to the terminal, as two guest reads would give */
		{
			size_t k = core_vtf_feed(&f, in, at, out);
			vterm_input_write(vt, out, k);
			k = core_vtf_feed(&f, in + at, n - at, out);
			vterm_input_write(vt, out, k);
		}
		term_row(vt, 0, line, sizeof(line));
		if (strcmp(line, want) != 0)
			fail_msg("split at %zu: screen \"%s\", expected \"%s\"", at, line, want);
		vterm_free(vt);
	}
}

#define S(lit) lit, sizeof(lit) - 1

/* ---- ordinary output passes byte for byte --------------------------------------- */

static void test_ordinary_output_unchanged(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} cases[] = {
		{ S("hello, world\r\n") },
		{ S("\033[1;31mred\033[0m \033[38;5;208morange\033[m \033[38;2;255;128;0mtrue\033[0m") },
		{ S("\033[38:2::255:128:0mcolon rgb\033[39;49m") },
		{ S("\033[10;20H\033[2J\033[K\033[1A\033[3B\033[12C\033[4D\033[?25l\033[?25h") },
		{ S("\033[?1049h\033[1;24r\033[?1h\033=\033[?1049l\033[?1l\033>") },
		{ S("caf\303\251 \346\227\245\346\234\254 e\314\201 \360\237\230\200 \304\233") },
		{ S("\a\b\t\v\f\r\n\016\017") },
		{ S("\033(B\033)0\033#8\0337\0338\033c\033M\033D\033E") },
		{ S("\033]0;a title\a\033]2;other\033\\\033]8;;http://x/\033\\link\033]8;;\033\\") },
		{ S("\033P$qm\033\\\033P+q544e\033\\") }, /* DECRQSS "p: test_decrqss */
		{ S("\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16m") }, /* 16 parameters: fine */
		{ S("\033[>c\033[>0;1;2c\033[?1;2$y\033[ q\033[2 q\033[!p") },
		{ S("\033[6n\033[?6n\033[18t\033[=1c") },
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++)
		expect_same(cases[i].s, cases[i].n);
	/* ESC ESC: the first is void and left out; passed, it would join the
	 * text after a dropped sequence (here a PM) into a DCS */
	expect_out(S("\033\033[1mx"), "\033[1mx");
	expect_out(S("\033\033^pm\033\\P$qx\033\\"), "P$qx\033\\");
	expect_out(S("\033$\033^pm\033\\P$qx\033\\"), "\033$\030P$qx\033\\");
	/* a sequence not complete yet is held back */
	expect_out(S("\033["), "");
	expect_out(S("\033[1"), "");
	expect_out(S("\033]0;t"), "");
}

/* ---- the crashing inputs ------------------------------------------------------------ */

static void test_17_parameters_clamped(void **state)
{
	core_vtf f;
	char out[256];
	static const char in[] = "\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mX";
	expect_out(S("\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mX"), "\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mX");
	expect_out(S("\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23mok"),
		   "\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16mok");
	/* sub-parameters count too; intermediates and the final stay */
	expect_out(S("\033[38:2:1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16 qA"),
		   "\033[38:2:1:2:3:4:5:6:7:8:9:10:11:12:13:14 qA");
	expect_out(S("\033[?1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17h"),
		   "\033[?1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16h");
	core_vtf_init(&f);
	assert_int_equal(core_vtf_feed(&f, in, sizeof(in) - 1, out), sizeof(in) - 1 - 2);
	assert_int_equal(f.clamped, 1);
	assert_int_equal(f.dropped, 0);
	expect_screen_every_split(S("\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mafter"), "after");
}

static void test_3000_colons(void **state)
{
	size_t n = 2 + 3000 + 1 + 5;
	char *in = xmalloc(n + 1), want[64];
	core_vtf f;
	struct buf b;

	memcpy(in, "\033[", 2);
	memset(in + 2, ':', 3000);
	memcpy(in + 3002, "mafter", 6);
	in[n] = '\0';
	snprintf(want, sizeof(want), "\033[%.15sm%s", "::::::::::::::::::::", "after");
	b = filter_every_split(in, n);
	assert_string_equal(b.p, want);
	free(b.p);
	expect_screen_every_split(in, n, "after");

	/* no final byte yet: nothing reaches the terminal, and text after an
	 * ESC aborting it comes through */
	core_vtf_init(&f);
	b = filter_chunks(&f, in, 3002, 3002, 1);
	assert_int_equal(b.n, 0);
	free(b.p);
	{
		char out[64];
		size_t k = core_vtf_feed(&f, "\033[0mok", 6, out);
		assert_int_equal(k, 6);
		assert_memory_equal(out, "\033[0mok", 6);
		assert_int_equal(f.dropped, 1);
	}
	free(in);
}

/* A hostile mix, fed in random chunks into one terminal: it lives, and no
 * CSI in the output has more than 16 parameters (checked by a scan of its
 * own, not by the filter's code). */
static unsigned rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(*s >> 33);
}

static void check_csi_bound(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned seps = 0;
		size_t j;
		if (p[i] != '\033' || p[i + 1] != '[')
			continue;
		for (j = i + 2; j < n; j++) {
			unsigned char c = (unsigned char)p[j];
			if (c == ';' || c == ':')
				seps++;
			else if ((c >= 0x20 && c <= 0x2f) || (c >= 0x40 && c <= 0x7e) || c >= 0x80 || c == 0x1b ||
				 c == 0x18 || c == 0x1a)
				break;
		}
		if (seps >= CORE_VTF_CSI_PARAMS)
			fail_msg("a CSI with %u separators at %zu reached the terminal", seps, i);
	}
}

/* ESC, intermediates, then '[' (or ']' 'P'): libvterm 0.1.4 starts the CSI
 * (string) all the same, so the filter does too (found by
 * tests/fuzz/fuzz_console: ESC $ [ and 21 parameters crashed it). */
static void test_csi_after_intermediates(void **state)
{
	char out[256], line[256];
	VTerm *vt = term_new();
	core_vtf f;
	size_t k;
	const char in[] = "\033$[;;;;;;;;;;;;;;;;;;;;1m\033 #[2Cx\033$P$qm\"\033\\y";
	core_vtf_init(&f);
	k = core_vtf_feed(&f, in, sizeof(in) - 1, out);
	assert_int_equal(f.clamped, 1);
	assert_int_equal(f.dropped, 1); /* the DECRQSS m" */
	{
		size_t seps = 0;
		for (size_t i = 0; i < k; i++)
			seps += out[i] == ';';
		assert_int_equal(seps, CORE_VTF_CSI_PARAMS - 1);
	}
	vterm_input_write(vt, out, k);
	term_row(vt, 0, line, sizeof(line));
	assert_string_equal(line, "  xy");
	vterm_free(vt);
	expect_same(S("\033$[31mred\033(0q\033$]0;t\a"));
	/* a CSI there cut by a byte >= 0x80: the emulator leaves the escape
	 * too, so what follows is text, not a DCS (a CAN ends it) */
	{
		const char in2[] = "\033$[\377P$qx\033\\z";
		vt = term_new();
		core_vtf_init(&f);
		k = core_vtf_feed(&f, in2, sizeof(in2) - 1, out);
		assert_int_equal(k, 10);
		assert_memory_equal(out, "\033$\030P$qx\033\\z", k);
		vterm_input_write(vt, out, k);
		term_row(vt, 0, line, sizeof(line));
		assert_string_equal(line, "P$qxz");
		vterm_free(vt);
	}
}

static void test_fuzz_into_vterm(void **state)
{
	static const char *const atoms[] = { "\033[", "\033]", "\033P", "\033_", "\033\\", ";", ":", "1", "12",
					     "m", "H", "x", "\a", "\030", "\033", "\303\251", "\233", "\n", "?",
					     " ", "$", "\033X", "\033^", "9999999" };
	uint64_t seed = 9;
	size_t total = 0;
	VTerm *vt = term_new();
	core_vtf f;

	core_vtf_init(&f);
	for (int round = 0; round < 4000; round++) {
		char in[512], out[512 + CORE_VTF_HOLD];
		size_t n = 0, k;
		while (n < 400) {
			const char *a = atoms[rnd(&seed) % CORE_ARRAY_LEN(atoms)];
			size_t al = strlen(a);
			unsigned reps = rnd(&seed) % 8 == 0 ? 40 : 1; /* long runs of one atom */
			for (unsigned r = 0; r < reps && n + al < sizeof(in); r++) {
				memcpy(in + n, a, al);
				n += al;
			}
		}
		k = core_vtf_feed(&f, in, n, out);
		assert_true(k <= core_vtf_out_size(n));
		check_csi_bound(out, k);
		vterm_input_write(vt, out, k);
		total += n;
	}
	/* the terminal still works */
	{
		char out[64], line[256];
		size_t k = core_vtf_feed(&f, "\030\033[2J\033[Halive", 14, out);
		vterm_input_write(vt, out, k);
		term_row(vt, 0, line, sizeof(line));
		assert_string_equal(line, "alive");
	}
	assert_true(f.clamped > 0);
	assert_true(f.dropped > 0);
	printf("fuzz: %zu bytes, %lu CSIs clamped, %lu sequences dropped\n", total, f.clamped, f.dropped);
	vterm_free(vt);
}

/* ---- REP with no glyph before (found by tests/fuzz/fuzz_console) -------------------------- */

/* libvterm 0.1.4 repeats the last glyph by its width: with none yet, or a
 * zero-width one, CSI Ps b loops forever. Fed through the filter into a
 * real libvterm under a watchdog: no hang, and a REP after text works. */
static void test_rep_without_glyph(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		const char *row; /* row 0 afterwards */
	} cases[] = {
		{ S("\033[b"), "" },
		{ S("\033[999b"), "" },
		{ S("\314\201\033[5bok"), "ok" },                  /* a lone combining mark */
		{ S("\177\033[5bok"), "ok" },                      /* DEL: no glyph */
		{ S("x\r\n\342\200\213\033[5b"), "x" },           /* zero-width space on a new line */
		{ S("x\033[1;5H\314\201\033[9999b"), "x   \314\201" },
		{ S("x\033[3b"), "xxxx" },                           /* REP after text is passed */
		{ S("ab\033[2;1H\033[2b"), "ab" },
		{ S("\342\224\200\033[3b"), "\342\224\200\342\224\200\342\224\200\342\224\200" }, /* box drawing */
		{ S("\342\226\210\033[1b"), "\342\226\210\342\226\210" },          /* a block */
		{ S("\342\200\213\033[3bk"), "k" },                                /* U+200B: dropped */
		{ S("\342\226\240\033[2bk"), "\342\226\240k" },                    /* U+25A0: not known */
		{ S("\342\224\033[m\200\033[2bk"), "\342\224\200k" },             /* split by a CSI: dropped */
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++) {
		char out[64 + CORE_VTF_HOLD], line[256];
		VTerm *vt = term_new();
		core_vtf f;
		size_t k;
		core_vtf_init(&f);
		k = core_vtf_feed(&f, cases[i].s, cases[i].n, out);
		alarm(10); /* a hang fails the test instead of stalling it */
		vterm_input_write(vt, out, k);
		alarm(0);
		term_row(vt, 0, line, sizeof(line));
		if (strcmp(line, cases[i].row) != 0)
			fail_msg("case %zu: row \"%s\", expected \"%s\"", i, line, cases[i].row);
		vterm_free(vt);
	}
	expect_out(S("\033[4b"), "");
	expect_same(S("x\033[4b"));
}

/* libvterm 0.1.4 crashes answering a DECRQSS it does not know (found by
 * tests/fuzz/fuzz_console): those are dropped, the known ones pass, C0
 * controls inside (executed by the emulator) do not hide one. */
/* s through the filter (dropped: it is dropped) into a real libvterm,
 * which still works afterwards */
static void decrqss_into_vterm(const char *s, size_t n, bool dropped)
{
	char out[64 + CORE_VTF_HOLD], line[256];
	VTerm *vt = term_new();
	core_vtf f;
	size_t k;
	core_vtf_init(&f);
	k = core_vtf_feed(&f, s, n, out);
	assert_int_equal(f.dropped, dropped ? 1 : 0);
	if (dropped)
		assert_int_equal(k, 0);
	else
		assert_memory_equal(out, s, n);
	vterm_input_write(vt, out, k);
	k = core_vtf_feed(&f, S("alive"), out);
	vterm_input_write(vt, out, k);
	term_row(vt, 0, line, sizeof(line));
	assert_string_equal(line, "alive");
	vterm_free(vt);
}

static void test_decrqss(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
		{ S("\033P$qm\"\033\\") }, { S("\033P$qxyz\033\\") }, { S("\033P$q\"\"\033\\") },
		{ S("\033P\003$qm\"\"\003\000\033\\") }, { S("\033P$qm;\033\\") }, { S("\033P$qrrr\a") },
		{ S("\033P$q\"p\033\\") }, { S("\033P$q p\033\\") }, { S("\033P$q1\033\\") },
		{ S("\033P\177\177$qx\033\\") }, /* DEL before "$q" (found by tests/fuzz) */
	}, good[] = {
		{ S("\033P$qm\033\\") }, { S("\033P$qr\033\\") }, { S("\033P$qs\033\\") },
		{ S("\033P$q q\033\\") }, { S("\033P$q\"q\033\\") }, { S("\033P1$qm\"\033\\") },
		{ S("\033P+q544e\033\\") }, { S("\033P$q\033\\") },
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad); i++)
		decrqss_into_vterm(bad[i].s, bad[i].n, true);
	for (size_t i = 0; i < CORE_ARRAY_LEN(good); i++)
		decrqss_into_vterm(good[i].s, good[i].n, false);
}

/* ---- long strings, APC / PM / SOS, aborts ----------------------------------------------- */

static void test_overlong_dropped(void **state)
{
	size_t body = CORE_VTF_SEQ_MAX - 2; /* "ESC ]" + body: exactly the limit */
	char *in = xmalloc(body + 16);
	struct buf b;
	core_vtf f;

	/* at the limit it passes whole */
	memcpy(in, "\033]0;", 4);
	memset(in + 4, 'a', body - 2);
	memcpy(in + 2 + body, "\aok", 3);
	b = filter_split(in, body + 5, body / 2);
	assert_int_equal(b.n, body + 5);
	assert_memory_equal(b.p, in, b.n);
	free(b.p);
	/* one byte more and it is dropped, terminator and all */
	memcpy(in, "\033]0;", 4);
	memset(in + 4, 'a', body - 1);
	memcpy(in + 3 + body, "\aok", 3);
	core_vtf_init(&f);
	b = filter_chunks(&f, in, body + 6, 7, 1000);
	assert_string_equal(b.p, "ok");
	assert_int_equal(f.dropped, 1);
	free(b.p);
	free(in);

	/* a long CSI (digits), a long DCS ended by ST, then text */
	in = xmalloc(3 * CORE_VTF_SEQ_MAX);
	memcpy(in, "\033[", 2);
	memset(in + 2, '7', CORE_VTF_SEQ_MAX);
	memcpy(in + 2 + CORE_VTF_SEQ_MAX, "mA", 2);
	memcpy(in + 4 + CORE_VTF_SEQ_MAX, "\033P", 2);
	memset(in + 6 + CORE_VTF_SEQ_MAX, 'q', CORE_VTF_SEQ_MAX);
	memcpy(in + 6 + 2 * CORE_VTF_SEQ_MAX, "\033\\B", 3);
	core_vtf_init(&f);
	b = filter_chunks(&f, in, 9 + 2 * CORE_VTF_SEQ_MAX, 100, 333);
	assert_string_equal(b.p, "AB");
	assert_int_equal(f.dropped, 2);
	free(b.p);
	free(in);
}

static void test_apc_pm_sos_dropped(void **state)
{
	/* libvterm 0.1.4 prints their contents as text (measured: row "helloX") */
	expect_out(S("\033_Gf=100;AAAA\033\\X"), "X");
	expect_out(S("\033^private\033\\X"), "X");
	expect_out(S("\033Xstart of string\aX"), "X");
	expect_screen_every_split(S("\033_hello\033\\X"), "X");
}

static void test_aborts(void **state)
{
	/* ESC inside a CSI aborts it (as in the terminal) */
	expect_out(S("\033[1;2\033[3mX"), "\033[3mX");
	/* CAN and SUB cancel, and pass */
	expect_out(S("\033[1;2\030X"), "\030X");
	expect_out(S("\033]0;title\032X"), "\032X");
	/* a string ended by ESC and something else: the escape goes on */
	expect_out(S("\033]0;abc\033[1mX"), "\033[1mX");
	/* a byte >= 0x80 inside a CSI ends it; the terminal drops it too */
	expect_out(S("\033[1\303\251"), "\251");
	/* C0 controls inside an escape run at once; inside a CSI they keep their place */
	expect_out(S("\033\n[1m"), "\n\033[1m");
	expect_same(S("\033[1\r;2H"));
}

static void test_c1_mode(void **state)
{
	core_vtf f;
	char out[256];
	static const char in[] = "\2331;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mX\235title\234Y";
	static const char want[] = "\2331;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mX\235title\234Y";
	size_t k;

	/* UTF-8 (the default): 0x9b is a continuation byte, never a CSI */
	expect_same(S("\304\233\2331;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1m"));
	core_vtf_init(&f);
	f.c1 = true;
	k = core_vtf_feed(&f, in, sizeof(in) - 1, out);
	assert_int_equal(k, sizeof(want) - 1);
	assert_memory_equal(out, want, k);
	assert_int_equal(f.clamped, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_output_unchanged),
		cmocka_unit_test(test_17_parameters_clamped),
		cmocka_unit_test(test_3000_colons),
		cmocka_unit_test(test_csi_after_intermediates),
		cmocka_unit_test(test_fuzz_into_vterm),
		cmocka_unit_test(test_overlong_dropped),
		cmocka_unit_test(test_apc_pm_sos_dropped),
		cmocka_unit_test(test_aborts),
		cmocka_unit_test(test_c1_mode),
		cmocka_unit_test(test_rep_without_glyph),
		cmocka_unit_test(test_decrqss),
	};
	return cmocka_run_group_tests_name("vtfilter", tests, NULL, NULL);
}
