/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adv_sigbus - a guest that truncates its region must not kill the host.
 *
 * Three real processes over two /dev/shm regions. The parent is a library
 * host serving both guests (an echo, as folio-hostd would forward). Guest A
 * sends frames for a while, then shrinks its region file to nothing and
 * keeps calling; guest B sends and checks echoes all along. Required: the
 * host process lives, A's channel fails alone with FOLIO_ELOST (counted in
 * region_lost), B's echoes go on after A's truncation, and guest A itself,
 * whose own mapping is now beyond the file, gets FOLIO_ELOST instead of
 * dying (the same holds for a guest whose host shrinks the file).
 *
 *   adv_sigbus [seconds]     exit 0 pass, 1 fail
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "folio.h"

static char paths[2][96];

static void cleanup(void)
{
	for (int i = 0; i < 2; i++)
		if (paths[i][0])
			unlink(paths[i]);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void config(struct folio_config *c, int i)
{
	folio_config_init(c);
	c->ring_entries = 64;
	c->slot_size = 256;
	c->mtu = 200;
	snprintf(c->region, sizeof(c->region), "%s", paths[i]);
}

/* Guest i: send one frame, wait for its echo, for secs seconds. Guest 0
 * truncates its region after a third of the time. Exit 0 when it saw what
 * it must: guest 1 echoes all along, guest 0 FOLIO_ELOST after shrinking. */
static int guest(int i, double secs)
{
	struct folio_config c;
	struct folio_guest *g = NULL;
	uint8_t tx[100], rx[256];
	const void *tb[1] = {tx};
	void *rb[1] = {rx};
	uint32_t tl[1] = {sizeof(tx)}, rl[1];
	double t0 = now_s(), cut = t0 + secs / 3;
	unsigned long echoes = 0, seq = 0;
	int rc, shrunk = 0, lost = 0;

	config(&c, i);
	for (int k = 0; k < 2000 && (rc = folio_guest_open(&c, &g)); k++)
		usleep(1000);
	if (!g)
		return 10;
	memset(tx, 0, sizeof(tx));
	tx[0] = 0x02;
	while (now_s() - t0 < secs) {
		if (i == 0 && !shrunk && now_s() > cut) {
			if (truncate(c.region, 0))
				return 11;
			shrunk = 1;
		}
		memcpy(tx + 20, &seq, sizeof(seq));
		rc = folio_guest_tx_burst(g, 0, tb, tl, 1);
		if (rc == FOLIO_ELOST || rc == FOLIO_EFAILED) {
			lost |= shrunk;
			if (rc == FOLIO_EFAILED && !lost)
				return 12;
			usleep(1000);
			continue;
		}
		if (rc != 1) {
			usleep(100);
			continue;
		}
		for (int k = 0; k < 100000; k++) {
			rc = folio_guest_rx_burst(g, 0, rb, rl, 1);
			if (rc != 0)
				break;
		}
		/* An echo may come late (then the next burst takes it): count
		 * whole echoes of our frames, whatever their order. */
		if (rc == 1 && rl[0] == sizeof(tx) && rx[0] == 0x02)
			echoes++;
		else if (rc == FOLIO_ELOST)
			lost |= shrunk;
		seq++;
	}
	folio_guest_close(g);
	printf("adv_sigbus: guest %d: %lu echoes%s\n", i, echoes,
	       i == 0 ? (lost ? ", then FOLIO_ELOST on its own mapping" : ", never lost") : "");
	fflush(stdout);
	if (i == 0)
		return lost ? 0 : 13;
	return echoes > 100 ? 0 : 14;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	struct folio_config c[2];
	struct folio_host *h[2];
	uint8_t buf[256];
	void *rb[1] = {buf};
	const void *tb[1] = {buf};
	uint32_t len[1];
	unsigned long echoed[2] = {0, 0}, b_after = 0;
	int lost_rc = 0, st, fail = 0;
	pid_t pid[2];

	if (argc > 2 || secs <= 0) {
		fprintf(stderr, "usage: adv_sigbus [seconds]\n");
		return 2;
	}
	for (int i = 0; i < 2; i++)
		snprintf(paths[i], sizeof(paths[i]), "/dev/shm/folio-adv-sigbus-%d-%d",
			 (int)getpid(), i);
	atexit(cleanup);
	for (int i = 0; i < 2; i++) {
		unlink(paths[i]);
		config(&c[i], i);
		if (folio_host_create(&c[i], &h[i])) {
			fprintf(stderr, "adv_sigbus: host create %s failed\n", paths[i]);
			return 1;
		}
	}
	fflush(NULL);
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(guest(i, secs));
	}
	double end = now_s() + secs + 5;

	for (int done = 0; done < 2 && now_s() < end;) {
		for (int i = 0; i < 2; i++) {
			int rc = folio_host_rx_burst(h[i], 0, rb, len, 1);

			if (rc == FOLIO_ELOST && i == 0)
				lost_rc = rc;
			if (rc == 1 && folio_host_tx_burst(h[i], 0, tb, len, 1) == 1) {
				echoed[i]++;
				if (i == 1 && lost_rc)
					b_after++;
			}
		}
		done = 0;
		for (int i = 0; i < 2; i++)
			if (pid[i] > 0 && waitpid(pid[i], &st, WNOHANG) == pid[i]) {
				if (!WIFEXITED(st) || WEXITSTATUS(st)) {
					fprintf(stderr, "adv_sigbus: FAIL: guest %d ended "
						"with %s %d\n", i,
						WIFSIGNALED(st) ? "signal" : "status",
						WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
					fail = 1;
				}
				pid[i] = -1;
			}
		for (int i = 0; i < 2; i++)
			done += pid[i] < 0;
	}
	for (int i = 0; i < 2; i++)
		if (pid[i] > 0) {
			kill(pid[i], SIGKILL);
			waitpid(pid[i], &st, 0);
			fprintf(stderr, "adv_sigbus: FAIL: guest %d did not finish\n", i);
			fail = 1;
		}
	struct folio_stats s;

	folio_host_stats(h[0], 0, &s);
	if (lost_rc != FOLIO_ELOST || s.v[FOLIO_STAT_REGION_LOST] != 1 ||
	    s.state != FOLIO_Q_FAILED) {
		fprintf(stderr, "adv_sigbus: FAIL: the host did not see guest 0's "
			"region lost once (region_lost %llu)\n",
			(unsigned long long)s.v[FOLIO_STAT_REGION_LOST]);
		fail = 1;
	}
	folio_host_stats(h[1], 0, &s);
	/* Guest 1 has closed by now: its queue is detached, never failed. */
	if (b_after < 100 || s.state == FOLIO_Q_FAILED || s.v[FOLIO_STAT_REGION_LOST]) {
		fprintf(stderr, "adv_sigbus: FAIL: guest 1 was not served on "
			"(%lu echoes after the loss)\n", b_after);
		fail = 1;
	}
	for (int i = 0; i < 2; i++)
		folio_host_close(h[i]);
	if (fail)
		return 1;
	printf("adv_sigbus: host lived; guest 0's channel lost (FOLIO_ELOST), "
	       "guest 1 echoed %lu frames, %lu after the loss\n", echoed[1], b_after);
	return 0;
}
