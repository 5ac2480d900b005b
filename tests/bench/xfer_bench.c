/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/bench/xfer_bench.c - one volume transfer through vmmc's backend
 * (be_xfer_start on a be_host, progress messages pumped as the UI would),
 * for tests/bench/storage.sh and tests/e2e/storage_ssh.sh. Prints
 * "seconds=S sent=BYTES total=BYTES resumes=N sha256=HEX".
 *   xfer_bench URI POOL_UUID VOL FILE [--sparse] [--download] [--hash]
 *              [--segment MIB] [--cut-at PERCENT --cut-cmd 'SHELL COMMAND']
 * --cut-at runs the command once when the upload passes that share of the
 * file (a test cutting the link). $VMMC_LOG: the debug log (core/log.h). */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/be.h"
#include "../../backend/be_storage.h"
#include "../../core/model.h"
#include "../../core/log.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

int main(int argc, char **argv)
{
	core_msgq *q = core_msgq_new(md_msg_free_void);
	md_model *m = md_model_new();
	be_xfer_spec s = { .dir = BE_XFER_UPLOAD };
	md_host *h;
	be_host *bh;
	char *err = NULL;
	uint64_t id;
	int64_t t0;
	md_xfer *x = NULL;
	int rc = 1, cut_at = -1;
	const char *cut_cmd = NULL;

	if (argc < 5) {
		fprintf(stderr, "usage: xfer_bench URI POOL_UUID VOL FILE [--sparse] [--download]\n");
		return 2;
	}
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--sparse") == 0)
			s.sparse = true;
		else if (strcmp(argv[i], "--download") == 0)
			s.dir = BE_XFER_DOWNLOAD;
		else if (strcmp(argv[i], "--hash") == 0)
			s.hash = true;
		else if (strcmp(argv[i], "--segment") == 0 && i + 1 < argc)
			s.segment = strtoull(argv[++i], NULL, 10) << 20;
		else if (strcmp(argv[i], "--cut-at") == 0 && i + 1 < argc)
			cut_at = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cut-cmd") == 0 && i + 1 < argc)
			cut_cmd = argv[++i];
	}
	s.pool = argv[2];
	s.vol = argv[3];
	s.local = argv[4];
	if (getenv("VMMC_LOG") && core_log_open(getenv("VMMC_LOG"), &err) < 0) {
		fprintf(stderr, "xfer_bench: %s\n", err);
		return 1;
	}
	if (be_init(q, &err) < 0) {
		fprintf(stderr, "xfer_bench: %s\n", err);
		return 1;
	}
	h = md_host_add(m, 1, argv[1]);
	bh = be_host_new(1, argv[1]);
	for (int64_t end = core_now_ms() + 60000; core_now_ms() < end;) {
		struct pollfd p = { .fd = core_msgq_fd(q), .events = POLLIN };
		md_msg *msg;
		poll(&p, 1, 100);
		while ((msg = core_msgq_pop(q)) != NULL) {
			md_apply(m, msg);
			md_msg_free(&msg);
		}
		if (h->conn == MD_CONN_CONNECTED && h->listed && h->busy == 0)
			break;
	}
	if (h->conn != MD_CONN_CONNECTED) {
		fprintf(stderr, "xfer_bench: cannot connect to %s\n", argv[1]);
		goto out;
	}
	t0 = core_now_us();
	id = be_xfer_start(bh, &s);
	for (;;) {
		struct pollfd p = { .fd = core_msgq_fd(q), .events = POLLIN };
		md_msg *msg;
		poll(&p, 1, 1000);
		while ((msg = core_msgq_pop(q)) != NULL) {
			md_apply(m, msg);
			md_msg_free(&msg);
		}
		x = md_xfer_find(m, id);
		if (x && md_xfer_state_final(x->state))
			break;
		if (x && cut_cmd && cut_at >= 0 && x->state == MD_XFER_RUNNING && x->total &&
		    x->done * 100 >= (uint64_t)cut_at * x->total) {
			fprintf(stderr, "xfer_bench: cutting at %llu of %llu bytes\n",
				(unsigned long long)x->done, (unsigned long long)x->total);
			if (system(cut_cmd) != 0)
				fprintf(stderr, "xfer_bench: the cut command failed\n");
			cut_cmd = NULL;
		}
	}
	if (x->state != MD_XFER_DONE) {
		fprintf(stderr, "xfer_bench: %s\n", x->text ? x->text : md_xfer_state_name(x->state));
		goto out;
	}
	printf("seconds=%.3f sent=%llu total=%llu resumes=%d sha256=%s\n",
	       (double)(core_now_us() - t0) / 1e6, (unsigned long long)x->sent,
	       (unsigned long long)x->total, x->resumes, x->sha256 ? x->sha256 : "-");
	rc = 0;
out:
	be_host_free(&bh, 5000);
	be_fini();
	md_model_free(&m);
	core_msgq_free(&q);
	return rc;
}
