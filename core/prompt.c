/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/prompt.c - questions a backend thread asks the user (see prompt.h). */
#include "prompt.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

core_prompt *core_prompt_new(int kind, int host_id)
{
	core_prompt *p = xcalloc(1, sizeof(*p));
	p->kind = kind;
	p->host_id = host_id;
	p->refs = 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	return p;
}

void core_prompt_ref(core_prompt *p)
{
	pthread_mutex_lock(&p->lock);
	p->refs++;
	pthread_mutex_unlock(&p->lock);
}

void core_prompt_unref(core_prompt **pp)
{
	core_prompt *p = *pp;
	int left;
	*pp = NULL;
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	left = --p->refs;
	pthread_mutex_unlock(&p->lock);
	if (left > 0)
		return;
	explicit_bzero(p->answer, sizeof(p->answer));
	free(p->title);
	free(p->text);
	free(p->label);
	free(p->initial);
	free(p->keytype);
	free(p->fingerprint);
	free(p->where);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

static void prompt_settle(core_prompt *p, int state, int choice, const char *text)
{
	pthread_mutex_lock(&p->lock);
	if (p->state == CORE_PROMPT_PENDING) {
		p->state = state;
		p->choice = choice;
		if (text) {
			size_t n = strlen(text);
			if (n >= sizeof(p->answer))
				n = sizeof(p->answer) - 1;
			memcpy(p->answer, text, n);
			p->answer[n] = '\0';
		}
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
}

void core_prompt_answer(core_prompt *p, int choice, const char *text)
{
	prompt_settle(p, CORE_PROMPT_ANSWERED, choice, text);
}

void core_prompt_cancel(core_prompt *p)
{
	prompt_settle(p, CORE_PROMPT_CANCELLED, 0, NULL);
}

void core_prompt_drop(void *v)
{
	core_prompt *p = v;
	if (!p)
		return;
	core_prompt_cancel(p);
	core_prompt_unref(&p);
}

bool core_prompt_pending(core_prompt *p)
{
	bool r;
	pthread_mutex_lock(&p->lock);
	r = p->state == CORE_PROMPT_PENDING;
	pthread_mutex_unlock(&p->lock);
	return r;
}

int core_prompt_wait(core_prompt *p, int *choice, char *buf, size_t len)
{
	int rc;
	pthread_mutex_lock(&p->lock);
	while (p->state == CORE_PROMPT_PENDING)
		pthread_cond_wait(&p->cond, &p->lock);
	rc = p->state == CORE_PROMPT_ANSWERED ? 0 : -1;
	if (rc == 0) {
		if (choice)
			*choice = p->choice;
		if (buf && len) {
			size_t n = strnlen(p->answer, sizeof(p->answer));
			if (n >= len)
				n = len - 1;
			memcpy(buf, p->answer, n);
			buf[n] = '\0';
		}
	}
	explicit_bzero(p->answer, sizeof(p->answer));
	pthread_mutex_unlock(&p->lock);
	return rc;
}
