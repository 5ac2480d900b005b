/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/prompt.h - a question a backend thread asks the user and waits for
 * (an unknown SSH host key, a passphrase, a password, a keyboard-
 * interactive prompt, a libvirt credential). libc only.
 *
 * The asking thread makes a prompt, posts it to the UI in an MD_MSG_PROMPT
 * (md_msg.ext, freed with core_prompt_drop) and blocks in core_prompt_wait.
 * The UI shows a dialog and calls core_prompt_answer, or core_prompt_cancel
 * when the user says no (or the dialog goes away). Either side may cancel:
 * the host being removed cancels its pending prompt from the UI thread.
 *
 * Reference-counted: the asker holds one, the message (then the dialog
 * that took it over) holds one. Secret answers live in a buffer the prompt
 * owns, wiped (explicit_bzero) when taken and when the prompt is freed; the
 * UI must wipe its own copies (form buffers) too. Texts in a prompt may
 * come from the network (a server's instruction): sanitize before display. */
#ifndef CORE_PROMPT_H
#define CORE_PROMPT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

enum core_prompt_kind {
	CORE_PROMPT_HOSTKEY = 1, /* answer .choice: CORE_HOSTKEY_* */
	CORE_PROMPT_SECRET,      /* a passphrase / password: no echo; answer text */
	CORE_PROMPT_TEXT,        /* a line that may be shown (a user name); answer text */
};

enum core_hostkey_choice {
	CORE_HOSTKEY_REJECT = 0,
	CORE_HOSTKEY_ONCE,
	CORE_HOSTKEY_SAVE,
};

enum core_prompt_state { CORE_PROMPT_PENDING = 0, CORE_PROMPT_ANSWERED, CORE_PROMPT_CANCELLED };

#define CORE_PROMPT_MAX 1024 /* bytes of an answer, NUL included */

typedef struct core_prompt {
	/* set by the asker before posting; read-only afterwards */
	int kind;
	int host_id;
	char *title;       /* dialog title, e.g. "Password for root@kvm1" */
	char *text;        /* what is asked and why, may hold \n (raw) */
	char *label;       /* the input field's label ("Password:") */
	char *initial;     /* TEXT: a default answer, or NULL */
	char *keytype;     /* HOSTKEY */
	char *fingerprint; /* HOSTKEY: "SHA256:..." */
	char *where;       /* HOSTKEY: the known_hosts file the key would go to */

	/* under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	int state;         /* enum core_prompt_state */
	int choice;        /* HOSTKEY answer */
	char answer[CORE_PROMPT_MAX];
} core_prompt;

core_prompt *core_prompt_new(int kind, int host_id);
void core_prompt_ref(core_prompt *p);
/* Drop a reference; the last one wipes the answer and frees. *p = NULL. */
void core_prompt_unref(core_prompt **p);
/* For md_msg.ext_free: cancels a prompt still pending, then drops the ref. */
void core_prompt_drop(void *p);

/* UI side. text: the answer for SECRET/TEXT (copied, truncated to
 * CORE_PROMPT_MAX-1 bytes), choice for HOSTKEY. No effect unless pending. */
void core_prompt_answer(core_prompt *p, int choice, const char *text);
void core_prompt_cancel(core_prompt *p);
bool core_prompt_pending(core_prompt *p);

/* Asker side: block until answered (0) or cancelled (-1). On 0, a text
 * answer is copied into buf (len bytes, NUL-terminated) and wiped in p; buf
 * may be NULL for HOSTKEY. *choice (may be NULL) gets the choice. */
int core_prompt_wait(core_prompt *p, int *choice, char *buf, size_t len);

#endif
