/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/remote/nfqdelay.c - delay every packet of a netfilter queue by a
 * fixed time, for tests/remote/farhost.sh on kernels without sch_netem.
 *
 *   nfqdelay -q QUEUE -d MS [-f FILE] [-r READY_FILE] [-t TRACE_FILE]
 *
 * Binds netfilter queue QUEUE (in the caller's network namespace), and
 * accepts each packet MS milliseconds after it was queued, in arrival order
 * (a FIFO: no reordering). Feed it with iptables ... -j NFQUEUE
 * --queue-num QUEUE. SIGHUP re-reads the delay from FILE (a whole number of
 * milliseconds); SIGTERM / SIGINT end it (the kernel then drops what is
 * still queued and, without --queue-bypass, every later packet). It runs
 * in a session of its own (setsid): a Ctrl-C in the terminal that started
 * it does not stop it. READY_FILE is created once the queue is bound. Only
 * the packets' metadata is copied to user space, and with -t the first 80
 * bytes (the IPv4 and TCP headers): each TCP packet then appends a line to
 * TRACE_FILE when it is queued,
 *   MONOTONIC_US DIR SPORT DPORT FLAGS PAYLOAD_LEN
 * DIR "in" (to this namespace: client to server) or "out"; FLAGS a subset
 * of SFRPA (SYN FIN RST PSH ACK) or "-". `farhost.sh trips` counts the
 * round trips in it. Raw netlink, no library.
 *
 * Build: cc -O2 -Wall -o build/nfqdelay tests/remote/nfqdelay.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 65536 /* also the kernel queue's length */

static volatile sig_atomic_t stop, reload;
static int fd = -1;
static FILE *trace;
static uint16_t queue;
static uint32_t seq;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* a message buffer being built */
struct msg {
	union {
		char buf[256];
		struct nlmsghdr align;
	} u;
};

static struct nlmsghdr *msg_start(struct msg *m, uint16_t type)
{
	struct nlmsghdr *nh = &m->u.align;
	struct nfgenmsg *g;

	memset(m, 0, sizeof(*m));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg));
	nh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nh->nlmsg_flags = NLM_F_REQUEST;
	nh->nlmsg_seq = ++seq;
	g = NLMSG_DATA(nh);
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(queue);
	return nh;
}

static void msg_attr(struct nlmsghdr *nh, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static int msg_send(struct nlmsghdr *nh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	for (;;) {
		if (sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* a request that wants an acknowledgement: 0 or -errno */
static int msg_request(struct nlmsghdr *nh)
{
	char buf[4096];

	nh->nlmsg_flags |= NLM_F_ACK;
	if (msg_send(nh) != 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, (size_t)n); r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == nh->nlmsg_seq)
				return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
		}
	}
}

static int verdict(uint32_t id)
{
	struct msg m;
	struct nlmsghdr *nh = msg_start(&m, NFQNL_MSG_VERDICT);
	struct nfqnl_msg_verdict_hdr v = { .verdict = htonl(NF_ACCEPT), .id = htonl(id) };

	msg_attr(nh, NFQA_VERDICT_HDR, &v, sizeof(v));
	return msg_send(nh);
}

static long read_delay(const char *file, long dflt)
{
	FILE *f = fopen(file, "r");
	long v;

	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1 || v < 0)
		v = dflt;
	fclose(f);
	return v;
}

/* one line for an IPv4 TCP packet (pkt: from the IP header, len bytes of it) */
static void trace_packet(int64_t now, unsigned hook, const unsigned char *pkt, size_t len)
{
	size_t ihl, thl, tot;
	char fl[8], *f = fl;
	unsigned char tf;

	if (len < 20 || (pkt[0] >> 4) != 4 || pkt[9] != 6)
		return;
	ihl = (size_t)(pkt[0] & 15) * 4;
	if (len < ihl + 20)
		return;
	tot = (size_t)pkt[2] << 8 | pkt[3];
	thl = (size_t)(pkt[ihl + 12] >> 4) * 4;
	tf = pkt[ihl + 13];
	if (tf & 0x02) *f++ = 'S';
	if (tf & 0x01) *f++ = 'F';
	if (tf & 0x04) *f++ = 'R';
	if (tf & 0x08) *f++ = 'P';
	if (tf & 0x10) *f++ = 'A';
	if (f == fl) *f++ = '-';
	*f = '\0';
	fprintf(trace, "%lld %s %u %u %s %zu\n", (long long)now, hook == NF_INET_LOCAL_IN ? "in" : "out",
		(unsigned)(pkt[ihl] << 8 | pkt[ihl + 1]), (unsigned)(pkt[ihl + 2] << 8 | pkt[ihl + 3]), fl,
		tot > ihl + thl ? tot - ihl - thl : 0);
	fflush(trace);
}

static void usage(void)
{
	fprintf(stderr, "usage: nfqdelay -q QUEUE -d MS [-f DELAY_FILE] [-r READY_FILE] [-t TRACE_FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct { uint32_t id; int64_t due; } ring[RING];
	static char buf[1 << 16];
	const char *file = NULL, *ready = NULL;
	long delay_ms = -1;
	size_t head = 0, count = 0;
	int c, rc, one = 1, rcvbuf = 8 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct sigaction sig;
	struct msg m;
	struct nlmsghdr *nh;

	const char *trace_file = NULL;

	while ((c = getopt(argc, argv, "q:d:f:r:t:")) != -1) {
		switch (c) {
		case 'q': queue = (uint16_t)atoi(optarg); break;
		case 'd': delay_ms = atol(optarg); break;
		case 'f': file = optarg; break;
		case 'r': ready = optarg; break;
		case 't': trace_file = optarg; break;
		default: usage();
		}
	}
	if (delay_ms < 0 || optind != argc)
		usage();

	if (trace_file && !(trace = fopen(trace_file, "a"))) {
		perror(trace_file);
		return 1;
	}
	/* out of the caller's process group: a Ctrl-C meant for the test
	 * must not take the link down under it (the test stops it itself) */
	setsid();
	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = on_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGHUP, &sig, NULL);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("nfqdelay: netlink socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	{
		struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
		nh = msg_start(&m, NFQNL_MSG_CONFIG);
		msg_attr(nh, NFQA_CFG_CMD, &cmd, sizeof(cmd));
		if ((rc = msg_request(nh)) != 0) {
			fprintf(stderr, "nfqdelay: cannot bind queue %u: %s\n", queue, strerror(-rc));
			return 1;
		}
	}
	{
		struct nfqnl_msg_config_params p = { .copy_range = htonl(trace ? 80 : 0),
						     .copy_mode = trace ? NFQNL_COPY_PACKET : NFQNL_COPY_META };
		uint32_t maxlen = htonl(RING), flags = htonl(NFQA_CFG_F_GSO), mask = htonl(NFQA_CFG_F_GSO);
		nh = msg_start(&m, NFQNL_MSG_CONFIG);
		msg_attr(nh, NFQA_CFG_PARAMS, &p, sizeof(p));
		msg_attr(nh, NFQA_CFG_QUEUE_MAXLEN, &maxlen, sizeof(maxlen));
		msg_attr(nh, NFQA_CFG_MASK, &mask, sizeof(mask));
		msg_attr(nh, NFQA_CFG_FLAGS, &flags, sizeof(flags));
		if ((rc = msg_request(nh)) != 0) {
			fprintf(stderr, "nfqdelay: cannot configure queue %u: %s\n", queue, strerror(-rc));
			return 1;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (ready) {
		int r = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (r >= 0)
			close(r);
	}

	while (!stop) {
		int64_t now = now_us();
		int timeout = -1;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (reload) {
			reload = 0;
			if (file)
				delay_ms = read_delay(file, delay_ms);
		}
		/* release what is due */
		while (count > 0 && ring[head].due <= now) {
			if (verdict(ring[head].id) != 0 && errno != ENOBUFS && errno != EAGAIN)
				fprintf(stderr, "nfqdelay: verdict: %s\n", strerror(errno));
			head = (head + 1) % RING;
			count--;
		}
		if (count > 0)
			timeout = (int)((ring[head].due - now + 999) / 1000);
		if (poll(&pfd, 1, timeout) < 0)
			continue; /* EINTR: a signal */
		if (!(pfd.revents & POLLIN))
			continue;
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			if (n < 0)
				break; /* EAGAIN: all read; ENOBUFS cannot happen (NO_ENOBUFS) */
			now = now_us();
			/* n > 0: NLMSG_NEXT takes the last message's padding too,
			 * which the kernel leaves out (an odd payload length) */
			for (struct nlmsghdr *r = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(r, (size_t)n);
			     r = NLMSG_NEXT(r, n)) {
				struct nlattr *a;
				int alen;

				if ((r->nlmsg_type & 0xff) != NFQNL_MSG_PACKET || (r->nlmsg_type >> 8) != NFNL_SUBSYS_QUEUE)
					continue;
				a = (struct nlattr *)((char *)NLMSG_DATA(r) + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
				alen = (int)r->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nfgenmsg)));
				struct nfqnl_msg_packet_hdr *ph = NULL;
				const unsigned char *pl = NULL;
				size_t pllen = 0;
				while (alen >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && (int)a->nla_len <= alen) {
					if ((a->nla_type & NLA_TYPE_MASK) == NFQA_PACKET_HDR) {
						ph = (void *)((char *)a + NLA_HDRLEN);
					} else if ((a->nla_type & NLA_TYPE_MASK) == NFQA_PAYLOAD) {
						pl = (const unsigned char *)a + NLA_HDRLEN;
						pllen = a->nla_len - NLA_HDRLEN;
					}
					alen -= NLA_ALIGN(a->nla_len);
					a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
				}
				if (ph) {
					uint32_t id = ntohl(ph->packet_id);
					if (trace && pl)
						trace_packet(now, ph->hook, pl, pllen);
					if (count == RING) { /* cannot happen: the kernel queue is as long */
						verdict(id);
					} else {
						size_t t = (head + count) % RING;
						ring[t].id = id;
						ring[t].due = now + (int64_t)delay_ms * 1000;
						count++;
					}
				}
			}
		}
	}
	/* let the queued packets go before leaving */
	while (count > 0) {
		verdict(ring[head].id);
		head = (head + 1) % RING;
		count--;
	}
	{
		struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_UNBIND };
		nh = msg_start(&m, NFQNL_MSG_CONFIG);
		msg_attr(nh, NFQA_CFG_CMD, &cmd, sizeof(cmd));
		msg_send(nh);
	}
	close(fd);
	return 0;
}
