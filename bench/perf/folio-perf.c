/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-perf - an iperf-style benchmark for Folio.
 *
 * One binary, two roles: "--role host" creates the region and drives the
 * host endpoint, "--role guest" opens it and drives the guest endpoint, each
 * in its own process. "--role both" forks the two roles so that one command
 * runs a whole test. Both sides must be given the same configuration.
 *
 * Every frame carries a small header (type, queue, length, sequence number)
 * and a fixed byte pattern, so the receiver verifies each frame and counts
 * loss and reordering. The guest receives into private buffers: that copy is
 * the one copy of its receive path. The host receives in place (zero copy,
 * folio_host_rx_peek) unless --host-copy is given.
 *
 * End of a run (per queue): each side sends its data, the guest then sends
 * FIN; the host answers FIN once its own data is out; the guest answers BYE,
 * which is the last frame, so the host closes (and makes the epoch odd) only
 * when the guest has taken everything it was sent.
 *
 * Built three times from this file: folio-perf (hardened library),
 * folio-perf-unhardened (-DFOLIO_UNHARDENED library, for the cost of the
 * checks) and folio-perf-trace (a library built with -DFOLIO_SHM_TRACE, which
 * counts the copies between private and shared memory per frame).
 */
#include "perf.h"

const char *prog = "folio-perf";

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(2);
}

/* ---- command line -------------------------------------------------------- */

static void usage(void)
{
	printf("usage: %s --role host|guest|both [options]\n"
	       "\n"
	       "An iperf-style benchmark for Folio. Run '--role host' and '--role guest'\n"
	       "in two processes with the same options, or '--role both' to fork both.\n"
	       "\n"
	       "  -r, --role ROLE        host (creates the region), guest, or both\n"
	       "  -c, --config FILE      fixed configuration (key = value file)\n"
	       "      --region PATH      region file (default /dev/shm/folio-perf-<uid>,\n"
	       "                         with --role both a per-run name)\n"
	       "  -t, --time SEC         seconds to send (default 10)\n"
	       "  -n, --frames N         send exactly N frames per queue instead\n"
	       "  -i, --interval SEC     report every SEC seconds, 0 = off (default 1)\n"
	       "  -l, --length LEN       frame length 60..mtu+18, or 'imix' (7:4:1 of\n"
	       "                         64, 594, 1518 bytes) (default 64)\n"
	       "  -P, --parallel N       queues, one thread each (default 1)\n"
	       "  -d, --dir DIR          g2h (guest to host, default), h2g, or both\n"
	       "  -R, --reverse          same as --dir h2g\n"
	       "      --bidir            same as --dir both\n"
	       "      --latency          ping-pong: the guest sends one frame, the host\n"
	       "                         echoes it; p50/p90/p99/p99.9 round trip in us\n"
	       "  -b, --burst N          frames per call, 1..256 (default 32)\n"
	       "  -A, --affinity N[,M]   pin this role to CPU N (--role both: host to N,\n"
	       "                         guest to M)\n"
	       "  -J, --json             print one JSON object at the end\n"
	       "      --verify MODE      none, light (header, sequence, first and last\n"
	       "                         8 payload bytes; default) or full (every byte)\n"
	       "      --host-rx MODE     how the host receives: copy (folio_host_rx_burst),\n"
	       "                         peek (in place, folio_host_rx_peek/_done) or auto\n"
	       "                         (default: copy up to 256 B frames, else peek)\n"
	       "      --host-copy        same as --host-rx copy\n"
	       "      --poll MODE        busy (default) or backoff (pause, then sleep)\n"
	       "      --spin N           with backoff: idle polls before the first sleep\n"
	       "                         (default 1024; 0 sleeps at once)\n"
	       "      --wait SEC         how long a side waits for its peer (default 10)\n"
	       "      --timeout SEC      give up on the whole run after SEC seconds\n"
	       "  -q, --quiet            no interval lines, no summary (errors only)\n"
	       "  -V, --version          print the version and the ring variant\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "Exit status: 0 if every frame arrived verified, in order, with no\n"
	       "violation; 1 otherwise; 2 for a bad command line.\n", prog);
}

static double parse_secs(const char *opt, const char *v, double lo, double hi)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= lo && d <= hi))
		die_usage("%s '%s': expected seconds in [%g, %g]", opt, v, lo, hi);
	return d;
}

static uint64_t parse_u64(const char *opt, const char *v, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long n;

	if (!*v || *v == '-' || *v == '+')
		die_usage("%s '%s': expected an integer in [%" PRIu64 ", %" PRIu64 "]",
			  opt, v, lo, hi);
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		die_usage("%s '%s': expected an integer in [%" PRIu64 ", %" PRIu64 "]",
			  opt, v, lo, hi);
	return n;
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_REGION = 256, O_BIDIR, O_LAT, O_VERIFY, O_HCOPY, O_POLL, O_WAIT,
	       O_TIMEOUT, O_SPIN, O_HOSTRX };
	static const struct option lo[] = {
		{ "role", required_argument, 0, 'r' },
		{ "config", required_argument, 0, 'c' },
		{ "region", required_argument, 0, O_REGION },
		{ "time", required_argument, 0, 't' },
		{ "frames", required_argument, 0, 'n' },
		{ "interval", required_argument, 0, 'i' },
		{ "length", required_argument, 0, 'l' },
		{ "parallel", required_argument, 0, 'P' },
		{ "dir", required_argument, 0, 'd' },
		{ "reverse", no_argument, 0, 'R' },
		{ "bidir", no_argument, 0, O_BIDIR },
		{ "latency", no_argument, 0, O_LAT },
		{ "burst", required_argument, 0, 'b' },
		{ "affinity", required_argument, 0, 'A' },
		{ "json", no_argument, 0, 'J' },
		{ "verify", required_argument, 0, O_VERIFY },
		{ "host-copy", no_argument, 0, O_HCOPY },
		{ "host-rx", required_argument, 0, O_HOSTRX },
		{ "poll", required_argument, 0, O_POLL },
		{ "wait", required_argument, 0, O_WAIT },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "spin", required_argument, 0, O_SPIN },
		{ "quiet", no_argument, 0, 'q' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *conf = NULL, *region = NULL, *len = "64";
	int have_role = 0, queues = -1, c;
	char err[256];

	memset(o, 0, sizeof(*o));
	folio_config_init(&o->cfg);
	o->dir = D_G2H;
	o->seconds = 10;
	o->interval = 1;
	o->burst = 32;
	o->cpu[0] = o->cpu[1] = -1;
	o->verify = V_LIGHT;
	o->host_copy = -1;
	o->busy = 1;
	o->spin = 1024;
	o->wait = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:c:t:n:i:l:P:d:Rb:A:JqVh", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			have_role = 1;
			if (!strcmp(optarg, "host"))
				o->role = R_HOST;
			else if (!strcmp(optarg, "guest"))
				o->role = R_GUEST;
			else if (!strcmp(optarg, "both"))
				o->role = R_BOTH;
			else
				die_usage("--role '%s': expected host, guest or both", optarg);
			break;
		case 'c': conf = optarg; break;
		case O_REGION: region = optarg; break;
		case 't': o->seconds = parse_secs("-t", optarg, 0.1, 86400); break;
		case 'n': o->frames = parse_u64("-n", optarg, 1, UINT64_MAX / 2); break;
		case 'i': o->interval = parse_secs("-i", optarg, 0, 3600); break;
		case 'l': len = optarg; break;
		case 'P': queues = (int)parse_u64("-P", optarg, 1, FOLIO_MAX_QUEUES); break;
		case 'd':
			if (!strcmp(optarg, "g2h"))
				o->dir = D_G2H;
			else if (!strcmp(optarg, "h2g"))
				o->dir = D_H2G;
			else if (!strcmp(optarg, "both"))
				o->dir = D_BOTH;
			else
				die_usage("--dir '%s': expected g2h, h2g or both", optarg);
			break;
		case 'R': o->dir = D_H2G; break;
		case O_BIDIR: o->dir = D_BOTH; break;
		case O_LAT: o->latency = 1; break;
		case 'b': o->burst = (unsigned)parse_u64("-b", optarg, 1, FOLIO_MAX_BURST); break;
		case 'A': {
			char *comma = strchr(optarg, ',');

			if (comma) {
				*comma = 0;
				o->cpu[1] = (int)parse_u64("-A", comma + 1, 0, CPU_SETSIZE - 1);
			}
			o->cpu[0] = (int)parse_u64("-A", optarg, 0, CPU_SETSIZE - 1);
			break;
		}
		case 'J': o->json = 1; break;
		case O_VERIFY:
			if (!strcmp(optarg, "none"))
				o->verify = V_NONE;
			else if (!strcmp(optarg, "light"))
				o->verify = V_LIGHT;
			else if (!strcmp(optarg, "full"))
				o->verify = V_FULL;
			else
				die_usage("--verify '%s': expected none, light or full", optarg);
			break;
		case O_HCOPY: o->host_copy = 1; break;
		case O_HOSTRX:
			if (!strcmp(optarg, "copy"))
				o->host_copy = 1;
			else if (!strcmp(optarg, "peek"))
				o->host_copy = 0;
			else if (!strcmp(optarg, "auto"))
				o->host_copy = -1;
			else
				die_usage("--host-rx '%s': expected copy, peek or auto", optarg);
			break;
		case O_POLL:
			if (!strcmp(optarg, "busy"))
				o->busy = 1;
			else if (!strcmp(optarg, "backoff"))
				o->busy = 0;
			else
				die_usage("--poll '%s': expected busy or backoff", optarg);
			break;
		case O_SPIN:
			o->spin = (uint32_t)parse_u64("--spin", optarg, 0, UINT32_MAX - 1);
			o->busy = 0;
			break;
		case O_WAIT: o->wait = parse_secs("--wait", optarg, 0.1, 3600); break;
		case O_TIMEOUT: o->timeout = parse_secs("--timeout", optarg, 1, 86400); break;
		case 'q': o->quiet = 1; break;
		case 'V':
			printf("folio-perf %s (%s ring%s)\n", FOLIO_VERSION_STRING,
			       FOLIO_PERF_VARIANT, TRACED ? ", copy tracing" : "");
			exit(0);
		case 'h': usage(); exit(0);
		case ':': die_usage("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				die_usage("unknown option -%c", optopt);
			die_usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!have_role)
		die_usage("--role host|guest|both is required");
	if (conf) {
		int rc = folio_config_load(&o->cfg, conf, err, sizeof(err));

		if (rc)
			die_usage("%s", err);
	}
	if (queues > 0)
		o->cfg.queues = (uint32_t)queues;
	if (region) {
		if (strlen(region) >= sizeof(o->cfg.region))
			die_usage("--region: path too long");
		snprintf(o->cfg.region, sizeof(o->cfg.region), "%s", region);
		o->region_given = 1;
	} else if (!conf || !o->cfg.region[0] || strcmp(o->cfg.region, "") == 0) {
		snprintf(o->cfg.region, sizeof(o->cfg.region), "/dev/shm/folio-perf-%u",
			 (unsigned)getuid());
	} else {
		o->region_given = 1;
	}
	if (folio_config_validate(&o->cfg, err, sizeof(err)))
		die_usage("configuration: %s", err);
	if (!strcmp(len, "imix") || !strcmp(len, "IMIX")) {
		o->len = 0;
		if (folio_config_max_frame(&o->cfg) < 1518)
			die_usage("-l imix needs frames of 1518 bytes (mtu >= 1500)");
	} else {
		o->len = (uint32_t)parse_u64("-l", len, MIN_LEN, folio_config_max_frame(&o->cfg));
	}
	/* In place costs a fixed amount per frame (lend, then give back); a
	 * copy grows with the length. Under callgrind they cross near 256 B. */
	o->host_copy_now = o->host_copy >= 0 ? o->host_copy : (o->len && o->len <= 256);
	if (o->latency && o->len == 0)
		die_usage("--latency takes one frame length, not imix");
	if (o->latency && o->dir != D_G2H)
		die_usage("--latency is a ping-pong; it takes no --dir");
	if (o->burst > o->cfg.ring_entries)
		die_usage("-b %u: larger than the ring (%u entries)", o->burst,
			  o->cfg.ring_entries);
	if (o->role != R_BOTH && o->cpu[1] >= 0)
		die_usage("-A N,M: the second CPU is only for --role both");
}

int main(int argc, char **argv)
{
	struct opts o;
	struct side *sides;
	unsigned nsides = 1;
	int src;

	parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tool_init("folio-perf");
	src = tool_signals();
	if (src)
		fprintf(stderr, "folio-perf: sigaction: %s\n", strerror(-src));

	sides = mmap(NULL, 2 * sizeof(struct side), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sides == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (!o.json && !o.quiet) {
		printf("folio-perf %s, %s ring: %s, %u queue%s, ", FOLIO_VERSION_STRING,
		       FOLIO_PERF_VARIANT,
		       o.role == R_HOST ? "host" : o.role == R_GUEST ? "guest" : "host+guest",
		       o.cfg.queues, o.cfg.queues > 1 ? "s" : "");
		if (o.latency)
			printf("ping-pong");
		else
			printf("%s", dir_name(o.dir));
		if (o.len)
			printf(", %u B", o.len);
		else
			printf(", IMIX");
		printf(", burst %u, ", o.burst);
		if (o.frames)
			printf("%" PRIu64 " frames/queue\n", o.frames);
		else
			printf("%.1f s\n", o.seconds);
	}
	if (o.role != R_BOTH) {
		run_role(&o, o.role, o.cpu[0], !o.json && !o.quiet, &sides[0]);
	} else {
		pid_t pid[2];
		double limit;
		int left = 2;

		nsides = 2;
		if (!o.region_given)
			snprintf(o.cfg.region, sizeof(o.cfg.region),
				 "/dev/shm/folio-perf-%u-%d", (unsigned)getuid(), (int)getpid());
		fflush(stdout);
		for (int r = 0; r < 2; r++) {
			pid[r] = fork();
			if (pid[r] < 0) {
				perror("fork");
				if (r)
					kill(pid[0], SIGTERM);
				return 1;
			}
			if (pid[r] == 0) {
				/* In one command only the receiving side reports intervals. */
				int rx = o.latency ? r == R_GUEST
						   : (r == R_HOST ? !!(o.dir & D_G2H)
								  : !!(o.dir & D_H2G));

				run_role(&o, (enum role)r, o.cpu[r], rx && !o.json && !o.quiet,
					 &sides[r]);
				fflush(stdout);
				_exit(0);
			}
		}
		limit = now_s() + 2 * o.wait + 30 +
			(o.timeout > 0 ? o.timeout : o.frames ? 600 : o.seconds);
		while (left) {
			int st;

			for (int r = 0; r < 2; r++) {
				if (pid[r] > 0 && waitpid(pid[r], &st, WNOHANG) == pid[r]) {
					if (WIFSIGNALED(st) && !sides[r].valid)
						snprintf(sides[r].err, sizeof(sides[r].err),
							 "%s process killed by signal %d",
							 r ? "guest" : "host", WTERMSIG(st));
					pid[r] = 0;
					left--;
				}
			}
			if (left && now_s() > limit) {
				for (int r = 0; r < 2; r++)
					if (pid[r] > 0)
						kill(pid[r], SIGKILL);
			}
			if (left)
				usleep(20000);
		}
		unlink(o.cfg.region);
		for (int r = 0; r < 2; r++)
			if (!sides[r].valid) {
				sides[r].role = r;
				sides[r].rc = -1;
				if (!sides[r].err[0])
					snprintf(sides[r].err, sizeof(sides[r].err),
						 "%s process gave no result", r ? "guest" : "host");
			}
	}
	return report(&o, sides, nsides);
}
