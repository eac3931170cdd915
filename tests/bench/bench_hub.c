/* Benchmark driver for a running hub and its site agents (run-hub.sh
 * starts them): federated counts as a Spot client makes them, POST
 * /backend/beam with a fresh UUID and the query base64-twice, then the
 * results as an event stream until it closes, every site's answer checked.
 * It measures the hub's throughput next to a trivial route's, the hub's
 * resident memory before and after many counts, and one client's
 * end-to-end latency next to the slowest site's own engine time. Numbers
 * go to stdout as table rows, progress to stderr. It starts no process but
 * the commands `time` is given, and never prints a token.
 *   bench_hub online URL SITES TIMEOUT_S
 *   bench_hub load URL TOKEN SITES HUB_PID TASK_TTL_S [SECONDS [NODE_PID...]]
 *   bench_hub latency URL TOKEN SITES RUNS
 *   bench_hub time RUNS COMMAND [ARG...] */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/beam.h"
#include "core/payload.h"
#include "core/query.h"
#include "core/query_text.h"
#include "core/vocab.h"
#include "net/http_client.h"
#include "net/sse.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#define CLIENTS          4
#define TRIVIAL_PATH     "/api/catalogue/sites"
#define TRIVIAL_SECONDS  10
#define SINGLE_SECONDS   10
#define WARMUP_COUNTS    500
#define MEMORY_COUNTS    10000
#define MEMORY_PACE      0.8   /* of the rate measured with CLIENTS: see run_load */
#define TARGET_RATE      200.0 /* federated counts per second */
#define TARGET_OVERHEAD  30.0  /* ms a count may add to the slowest site's engine */
#define POST_TIMEOUT_MS  10000
#define WAIT_TIMEOUT_MS  30000
#define ANSWER_MAX_BYTES (16 * 1024 * 1024)

/* With no leak, resident memory still moves: glibc keeps freed chunks, so
 * the heap stays at the level of the most tasks ever alive at once (one
 * task lifetime of counts, each holding its sites' answers), and SQLite's
 * page cache may still fill towards its default cap of 2000 KiB as the
 * audit table grows by a row of some 200 bytes a count. The first is kept
 * out by run_load's pacing; the second is the tolerance: a leak of 200
 * bytes a count, one audit row, would add as much over 10,000 counts. */
#define MEMORY_TOLERANCE_KIB 2048

/* Cohort queries of the kind researchers build, 1 to 6 criteria. */
static const char *const query_texts[] = {
	"sex:male diagnosis:prostate modality:MR age:50..70",
	"diagnosis:breast er:positive her2:3+",
	"diagnosis:lung modality:CT,PET age:>=65",
	"diagnosis:colon,rectum ct:T3,T4 cn:N1,N2 modality:CT",
	"(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)",
	"diagnosis:prostate psa:>10 gleason:8,9,10 modality:MR bodypart:prostate",
	"-manufacturer:toshiba year:2015..2022 modality:MR",
	"age:<40 sex:female",
};
#define N_QUERIES (sizeof query_texts / sizeof query_texts[0])

struct bench {
	const char *url;
	const char *token;
	size_t n_sites;
	struct query *queries[N_QUERIES];
};

/* What one federated count gave. */
struct count_answer {
	size_t succeeded;
	size_t failed;
	bool expired;
	bool want_elapsed;
	double slowest_ms; /* the largest "elapsed_ms" of the sites, or -1 */
	size_t bytes;      /* of the results' event stream */
	char error[768];   /* the first thing that went wrong */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of v, which it sorts; 0 for none. */
static double quantile(double *v, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	rank = (size_t)ceil(q * (double)n);
	return v[rank > 0 ? rank - 1 : 0];
}

static void on_event(const struct sse_event *ev, void *arg)
{
	struct count_answer *a = arg;
	struct beam_result r;
	struct site_answer sa;
	char err[256];

	if (strcmp(ev->type, "wait_expired") == 0) {
		a->expired = true;
		if (a->error[0] == '\0')
			snprintf(a->error, sizeof a->error, "the task expired before every answer");
		return;
	}
	if (strcmp(ev->type, "new_result") != 0)
		return;
	if (beam_result_read(ev->data, ev->len, &r, err, sizeof err) != 0) {
		a->failed++;
		if (a->error[0] == '\0')
			snprintf(a->error, sizeof a->error, "a result: %s", err);
		return;
	}
	if (r.status == BEAM_SUCCEEDED) {
		a->succeeded++;
		if (a->want_elapsed &&
		    payload_read_text(r.body, r.body_len, &sa, err, sizeof err) == 0) {
			if (sa.elapsed_ms > a->slowest_ms)
				a->slowest_ms = sa.elapsed_ms;
			site_answer_clear(&sa);
		}
	} else if (r.status != BEAM_CLAIMED) {
		a->failed++;
		if (a->error[0] == '\0')
			snprintf(a->error, sizeof a->error, "site %s: %s: %s", r.site,
			         beam_status_name(r.status), r.body != NULL ? r.body : "");
	}
	beam_result_clear(&r);
}

/* One federated count of q over every site. Returns true when every site
 * succeeded; *wall_ms is the time from the POST to the stream's end. */
static bool count_once(const struct bench *b, struct http_client *c, const struct query *q,
                       struct count_answer *a, double *wall_ms)
{
	char id[UUID_TEXT_LEN + 1], err[512], path[128];
	struct http_reply reply = { 0 };
	struct sse_parser *p;
	char *body;
	double start;
	int rc;

	if (uuid_v4(id) != 0) {
		snprintf(a->error, sizeof a->error, "cannot make a UUID");
		return false;
	}
	body = beam_search_build(id, NULL, 0, q);
	start = now_ms();
	rc = http_client_request(c, "POST", "/backend/beam", body, POST_TIMEOUT_MS, 0, &reply, err,
	                         sizeof err);
	free(body);
	if (rc != 0 || reply.status != 201) {
		if (rc == 0)
			http_reply_message(&reply, err, sizeof err);
		snprintf(a->error, sizeof a->error, "POST /backend/beam: %ld %s", reply.status,
		         err);
		http_reply_clear(&reply);
		return false;
	}
	http_reply_clear(&reply);
	snprintf(path, sizeof path, "/backend/beam/%s?wait_count=%zu", id, b->n_sites);
	rc = http_client_request(c, "GET", path, NULL, WAIT_TIMEOUT_MS, ANSWER_MAX_BYTES, &reply,
	                         err, sizeof err);
	*wall_ms = now_ms() - start;
	if (rc != 0 || reply.status != 200) {
		if (rc == 0)
			http_reply_message(&reply, err, sizeof err);
		snprintf(a->error, sizeof a->error, "GET results: %ld %s", reply.status, err);
		http_reply_clear(&reply);
		return false;
	}
	a->bytes = reply.body.len;
	p = sse_parser_new(0, 0, on_event, a);
	if (sse_parser_feed(p, reply.body.data, reply.body.len) != SSE_OK && a->error[0] == '\0')
		snprintf(a->error, sizeof a->error, "event stream: %s", sse_parser_error(p));
	sse_parser_free(&p);
	http_reply_clear(&reply);
	if (a->succeeded != b->n_sites && a->error[0] == '\0')
		snprintf(a->error, sizeof a->error, "%zu of %zu sites answered", a->succeeded,
		         b->n_sites);
	return a->succeeded == b->n_sites && a->failed == 0 && !a->expired;
}

/* One client's share of a phase: latencies of the requests it completed. */
struct worker {
	pthread_t thread;
	struct phase *phase;
	size_t index;
	double *lat;
	size_t n, cap;
	size_t errors;
	double bytes;
	char error[768];
};

/* A phase: clients running one kind of request back to back until the
 * end time or until limit requests have been started. */
struct phase {
	const struct bench *b;
	bool trivial; /* GET TRIVIAL_PATH instead of a federated count */
	double end_ms;
	size_t limit; /* 0: no limit */
	double pace;  /* requests a second over all clients; 0: back to back */
	atomic_size_t started;
	struct worker w[CLIENTS];
	size_t clients;
	/* results over every client */
	size_t done, errors;
	double seconds, rate, median_ms, p95_ms, bytes;
	char error[768];
};

static bool trivial_once(struct http_client *c, char *error, size_t errlen)
{
	struct http_reply reply = { 0 };
	char err[512];
	int rc = http_client_request(c, "GET", TRIVIAL_PATH, NULL, POST_TIMEOUT_MS, 0, &reply, err,
	                             sizeof err);
	bool ok = rc == 0 && reply.status == 200;

	if (!ok)
		snprintf(error, errlen, "GET %s: %ld %s", TRIVIAL_PATH, reply.status,
		         rc == 0 ? "" : err);
	http_reply_clear(&reply);
	return ok;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct phase *ph = w->phase;
	char err[512];
	struct http_client *c = http_client_new(ph->b->url, ph->b->token, 0, NULL, err, sizeof err);

	if (c == NULL) {
		snprintf(w->error, sizeof w->error, "%s", err);
		w->errors++;
		return NULL;
	}
	double interval = ph->pace > 0 ? 1e3 * (double)ph->clients / ph->pace : 0;
	double next = now_ms() + interval * (double)w->index / (double)ph->clients;

	for (size_t i = w->index;; i += ph->clients) {
		struct count_answer a = { .slowest_ms = -1 };
		double start = now_ms(), wall = 0;
		bool ok;

		if (interval > 0) {
			/* on time, never catching up in a burst */
			if (start < next) {
				sleep_ms((long)(next - start));
				start = now_ms();
			}
			next = (next + interval > start ? next : start) + interval;
		}
		if (ph->end_ms > 0 && start >= ph->end_ms)
			break;
		if (ph->limit > 0 && atomic_fetch_add(&ph->started, 1) >= ph->limit)
			break;
		if (ph->trivial) {
			ok = trivial_once(c, a.error, sizeof a.error);
			wall = now_ms() - start;
		} else {
			ok = count_once(ph->b, c, ph->b->queries[i % N_QUERIES], &a, &wall);
		}
		if (!ok) {
			if (w->errors++ == 0)
				snprintf(w->error, sizeof w->error, "%s", a.error);
			continue;
		}
		if (w->n == w->cap) {
			w->cap = w->cap > 0 ? 2 * w->cap : 1024;
			w->lat = xreallocarray(w->lat, w->cap, sizeof *w->lat);
		}
		w->lat[w->n++] = wall;
		w->bytes += (double)a.bytes;
	}
	http_client_free(&c);
	return NULL;
}

/* Runs a phase of clients for seconds (0: no end time) or limit requests
 * (0: no limit) and fills its results. */
static void phase_run(struct phase *ph, const struct bench *b, bool trivial, size_t clients,
                      double seconds, size_t limit, double pace)
{
	double start = now_ms(), *all;
	size_t n = 0;

	memset(ph, 0, sizeof *ph);
	ph->b = b;
	ph->trivial = trivial;
	ph->clients = clients;
	ph->end_ms = seconds > 0 ? start + seconds * 1e3 : 0;
	ph->limit = limit;
	ph->pace = pace;
	atomic_init(&ph->started, 0);
	for (size_t i = 0; i < clients; i++) {
		ph->w[i].phase = ph;
		ph->w[i].index = i;
		if (pthread_create(&ph->w[i].thread, NULL, worker_main, &ph->w[i]) != 0)
			fatal("cannot start a client thread");
	}
	for (size_t i = 0; i < clients; i++) {
		pthread_join(ph->w[i].thread, NULL);
		ph->done += ph->w[i].n;
		ph->errors += ph->w[i].errors;
		ph->bytes += ph->w[i].bytes;
		if (ph->error[0] == '\0' && ph->w[i].error[0] != '\0')
			snprintf(ph->error, sizeof ph->error, "%s", ph->w[i].error);
	}
	ph->seconds = (now_ms() - start) / 1e3;
	ph->rate = (double)ph->done / ph->seconds;
	ph->bytes /= (double)(ph->done > 0 ? ph->done : 1);
	all = xcalloc(ph->done + 1, sizeof *all);
	for (size_t i = 0; i < clients; i++) {
		memcpy(all + n, ph->w[i].lat, ph->w[i].n * sizeof *all);
		n += ph->w[i].n;
		free(ph->w[i].lat);
		ph->w[i].lat = NULL;
	}
	ph->median_ms = quantile(all, n, 0.5);
	ph->p95_ms = quantile(all, n, 0.95);
	free(all);
	if (ph->errors > 0)
		fprintf(stderr, "bench_hub: %zu failed requests; the first: %s\n", ph->errors,
		        ph->error);
}

static int bench_init(struct bench *b, const char *url, const char *token, const char *sites)
{
	const char *src = getenv("ECII_SRCDIR");
	char path[4096], err[512];
	struct vocab *v;

	memset(b, 0, sizeof *b);
	b->url = url;
	b->token = token;
	b->n_sites = (size_t)strtoul(sites, NULL, 10);
	if (b->n_sites == 0) {
		fprintf(stderr, "bench_hub: bad site count '%s'\n", sites);
		return -1;
	}
	snprintf(path, sizeof path, "%s/data/criteria.json", src != NULL ? src : ECII_SOURCE_DIR);
	if ((v = vocab_load(path, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_hub: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < N_QUERIES; i++) {
		struct query_error qerr;

		b->queries[i] = query_parse_text(v, query_texts[i], &qerr);
		if (b->queries[i] == NULL) {
			fprintf(stderr, "bench_hub: query '%s': %s\n", query_texts[i],
			        qerr.message);
			vocab_free(&v);
			return -1;
		}
	}
	vocab_free(&v); /* queries keep their own keys and codes */
	return http_client_global_init();
}

static void bench_clear(struct bench *b)
{
	for (size_t i = 0; i < N_QUERIES; i++)
		query_free(&b->queries[i]);
	http_client_global_cleanup();
}

/* VmRSS of pid in KiB, or -1. */
static long rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}

/* CPU time (user and system) pid has used, in ms, or -1. */
static double cpu_ms(long pid, double *system_ms)
{
	char path[64], text[1024], *p;
	unsigned long utime, stime;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	/* the fields after the command name, which may hold anything: state,
	 * ppid, pgrp, session, tty, tpgid, flags, minflt, cminflt, majflt,
	 * cmajflt, utime, stime */
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
	        2)
		return -1;
	if (system_ms != NULL)
		*system_ms = (double)stime * 1e3 / (double)sysconf(_SC_CLK_TCK);
	return (double)(utime + stime) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

/* CPU ms used so far by the hub, its user and system parts, the nodes
 * and this driver. */
struct cpu_use {
	double hub, hub_system, nodes, driver;
};

static void cpu_use_read(struct cpu_use *u, long hub_pid, char **node_pids, int n_nodes)
{
	double system = 0;

	u->hub = cpu_ms(hub_pid, &system);
	u->hub_system = system;
	u->nodes = 0;
	for (int i = 0; i < n_nodes; i++)
		u->nodes += cpu_ms(atol(node_pids[i]), NULL);
	u->driver = cpu_ms((long)getpid(), NULL);
}

/* Waits past the task lifetime, then makes the hub sweep its expired
 * tasks (it does so at every search request; an unknown task's GET is
 * one), and reads its resident memory. */
static long settled_rss(const struct bench *b, long pid, long ttl_s)
{
	char err[512], path[128], id[UUID_TEXT_LEN + 1];
	struct http_reply reply;
	struct http_client *c;

	sleep_ms(ttl_s * 1000 + 1000);
	c = http_client_new(b->url, b->token, 0, NULL, err, sizeof err);
	if (c != NULL && uuid_v4(id) == 0) {
		snprintf(path, sizeof path, "/backend/beam/%s?wait_count=1", id);
		if (http_client_request(c, "GET", path, NULL, POST_TIMEOUT_MS, 0, &reply, err,
		                        sizeof err) == 0)
			http_reply_clear(&reply);
	}
	http_client_free(&c);
	sleep_ms(200);
	return rss_kib(pid);
}

static const char *verdict(bool met)
{
	return met ? "met" : "MISSED";
}

/* (a) and (b). */
static int run_load(int argc, char **argv)
{
	struct bench b;
	struct phase *trivial, *single, *multi, *rest;
	struct cpu_use cpu0, cpu1;
	int n_nodes = argc > 8 ? argc - 8 : 0;
	double seconds = argc > 7 ? atof(argv[7]) : 30, pace;
	long pid, ttl, rss0, rss1;
	size_t warmup, more;
	char label[80];
	int failures;

	if (argc < 7 || seconds <= 0) {
		fprintf(stderr, "usage: bench_hub load URL TOKEN SITES HUB_PID TASK_TTL_S "
		                "[SECONDS [NODE_PID...]]\n");
		return 2;
	}
	pid = atol(argv[5]);
	ttl = atol(argv[6]);
	if (bench_init(&b, argv[2], argv[3], argv[4]) != 0)
		return 1;
	trivial = xcalloc(1, sizeof *trivial);
	single = xcalloc(1, sizeof *single);
	multi = xcalloc(1, sizeof *multi);
	rest = xcalloc(1, sizeof *rest);

	fprintf(stderr, "bench_hub: baseline: %d clients x %d s of GET %s\n", CLIENTS,
	        TRIVIAL_SECONDS, TRIVIAL_PATH);
	phase_run(trivial, &b, true, CLIENTS, TRIVIAL_SECONDS, 0, 0);
	fprintf(stderr, "bench_hub: one client x %d s of federated counts\n", SINGLE_SECONDS);
	phase_run(single, &b, false, 1, SINGLE_SECONDS, 0, 0);
	fprintf(stderr, "bench_hub: %d clients x %.0f s of federated counts\n", CLIENTS, seconds);
	cpu_use_read(&cpu0, pid, argv + 8, n_nodes);
	phase_run(multi, &b, false, CLIENTS, seconds, 0, 0);
	cpu_use_read(&cpu1, pid, argv + 8, n_nodes);
	failures = (int)(trivial->errors + single->errors + multi->errors);
	warmup = multi->done + multi->errors;
	if (warmup < WARMUP_COUNTS) {
		phase_run(rest, &b, false, CLIENTS, 0, WARMUP_COUNTS - warmup, 0);
		warmup += rest->done + rest->errors;
		failures += (int)rest->errors;
	}
	/* The throughput run is the memory's warm-up: the heap has reached
	 * the level of the most tasks alive at once at full speed. The next
	 * counts are paced below that speed, so that fewer tasks are ever
	 * alive at once and a new high-water mark of the heap cannot pass
	 * for growth; what grows then is what the hub keeps. */
	rss0 = settled_rss(&b, pid, ttl);
	pace = MEMORY_PACE * multi->rate;
	fprintf(stderr, "bench_hub: %d more counts at %.0f a second\n", MEMORY_COUNTS, pace);
	phase_run(rest, &b, false, CLIENTS, 0, MEMORY_COUNTS, pace);
	more = rest->done + rest->errors;
	failures += (int)rest->errors;
	fprintf(stderr, "bench_hub: waiting %ld s for the tasks to expire\n", ttl + 1);
	rss1 = settled_rss(&b, pid, ttl);

	printf("(a) hub throughput: %zu sites, %d queries in turn, back to back\n", b.n_sites,
	       (int)N_QUERIES);
	printf("    %-44s %9s %10s %9s %9s\n", "", "per s", "median ms", "p95 ms", "vs trivial");
	snprintf(label, sizeof label, "GET %s, %d clients, %d s", TRIVIAL_PATH, CLIENTS,
	         TRIVIAL_SECONDS);
	printf("    %-44s %9.0f %10.2f %9.2f %9s\n", label, trivial->rate, trivial->median_ms,
	       trivial->p95_ms, "1");
	snprintf(label, sizeof label, "federated count, 1 client, %d s", SINGLE_SECONDS);
	printf("    %-44s %9.1f %10.2f %9.2f %8.0fx\n", label, single->rate, single->median_ms,
	       single->p95_ms, trivial->rate / single->rate);
	snprintf(label, sizeof label, "federated count, %d clients, %.0f s", CLIENTS, seconds);
	printf("    %-44s %9.1f %10.2f %9.2f %8.0fx\n", label, multi->rate, multi->median_ms,
	       multi->p95_ms, trivial->rate / multi->rate);
	printf("    (\"vs trivial\": how many trivial round trips one count costs; %.1f KiB of "
	       "results a count)\n",
	       multi->bytes / 1024);
	if (multi->done > 0) {
		double per = 1.0 / (double)multi->done;

		printf("    CPU ms per count, %d clients: hub %.2f (system %.2f), %d nodes %.2f, "
		       "driver %.2f; %ld cores\n",
		       CLIENTS, (cpu1.hub - cpu0.hub) * per,
		       (cpu1.hub_system - cpu0.hub_system) * per, n_nodes,
		       (cpu1.nodes - cpu0.nodes) * per, (cpu1.driver - cpu0.driver) * per,
		       sysconf(_SC_NPROCESSORS_ONLN));
	}
	printf("    target >= %.0f counts/s with %d clients: %s; failed requests: %d\n",
	       TARGET_RATE, CLIENTS, verdict(multi->rate >= TARGET_RATE), failures);
	printf("(b) hub memory: VmRSS, each read %ld s after the last count, once every task "
	       "has expired (--task-ttl %ld)\n",
	       ttl + 1, ttl);
	snprintf(label, sizeof label, "after the throughput run (%zu counts)", warmup);
	printf("    %-44s %9.1f MiB\n", label, (double)rss0 / 1024);
	snprintf(label, sizeof label, "after %zu more, %.0f a second", more, pace);
	printf("    %-44s %9.1f MiB\n", label, (double)rss1 / 1024);
	printf("    %-44s %+9.2f MiB (%.0f bytes a count)\n", "growth",
	       (double)(rss1 - rss0) / 1024,
	       (double)(rss1 - rss0) * 1024 / (double)(more > 0 ? more : 1));
	printf("    target growth < %.0f MiB: %s\n", MEMORY_TOLERANCE_KIB / 1024.0,
	       verdict(rss0 > 0 && rss1 > 0 && rss1 - rss0 < MEMORY_TOLERANCE_KIB));
	free(trivial);
	free(single);
	free(multi);
	free(rest);
	bench_clear(&b);
	return failures > 0 || rss0 < 0 || rss1 < 0 ? 1 : 0;
}

/* (c): sequential counts, one client. */
static int run_latency(int argc, char **argv)
{
	struct bench b;
	struct http_client *c;
	double *wall, *slowest, *overhead;
	size_t runs, n = 0;
	char err[512];
	int failures = 0;

	if (argc < 6 || (runs = (size_t)strtoul(argv[5], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_hub latency URL TOKEN SITES RUNS\n");
		return 2;
	}
	if (bench_init(&b, argv[2], argv[3], argv[4]) != 0)
		return 1;
	c = http_client_new(b.url, b.token, 0, NULL, err, sizeof err);
	if (c == NULL) {
		fprintf(stderr, "bench_hub: %s\n", err);
		return 1;
	}
	wall = xcalloc(runs, sizeof *wall);
	slowest = xcalloc(runs, sizeof *slowest);
	overhead = xcalloc(runs, sizeof *overhead);
	/* one unmeasured count per query: the first of each warms the caches */
	for (size_t i = 0; i < N_QUERIES; i++) {
		struct count_answer a = { .slowest_ms = -1 };
		double w;

		count_once(&b, c, b.queries[i], &a, &w);
	}
	for (size_t i = 0; i < runs; i++) {
		struct count_answer a = { .slowest_ms = -1, .want_elapsed = true };
		double w = 0;

		if (!count_once(&b, c, b.queries[i % N_QUERIES], &a, &w) || a.slowest_ms < 0) {
			if (failures++ == 0)
				fprintf(stderr, "bench_hub: a count failed: %s\n",
				        a.error[0] != '\0' ? a.error
				                           : "no elapsed_ms in a payload");
			continue;
		}
		wall[n] = w;
		slowest[n] = a.slowest_ms;
		overhead[n] = w - a.slowest_ms;
		n++;
	}
	printf("    %-44s %9.1f ms\n", "driver's wall time, median", quantile(wall, n, 0.5));
	printf("    %-44s %9.1f ms\n", "slowest site's engine (elapsed_ms), median",
	       quantile(slowest, n, 0.5));
	printf("    %-44s %9.1f ms (p95 %.1f)\n", "overhead, median", quantile(overhead, n, 0.5),
	       quantile(overhead, n, 0.95));
	printf("    target overhead <= %.0f ms: %s; failed counts: %d\n", TARGET_OVERHEAD,
	       verdict(n > 0 && quantile(overhead, n, 0.5) <= TARGET_OVERHEAD), failures);
	free(wall);
	free(slowest);
	free(overhead);
	http_client_free(&c);
	bench_clear(&b);
	return failures > 0 || n == 0 ? 1 : 0;
}

/* Waits until the hub lists at least SITES sites online. */
static int run_online(int argc, char **argv)
{
	double deadline = now_ms() + (argc > 4 ? atof(argv[4]) : 30) * 1e3;
	size_t want = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 0;
	char err[512] = "";
	struct http_client *c;
	int rc = 1;

	if (argc < 5 || want == 0) {
		fprintf(stderr, "usage: bench_hub online URL SITES TIMEOUT_S\n");
		return 2;
	}
	if (http_client_global_init() != 0 ||
	    (c = http_client_new(argv[2], NULL, 1000, NULL, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_hub: %s\n", err);
		return 1;
	}
	while (now_ms() < deadline) {
		struct http_reply reply;
		size_t online = 0, i;
		json_t *sites = NULL, *site;

		if (http_client_request(c, "GET", TRIVIAL_PATH, NULL, 2000, 0, &reply, err,
		                        sizeof err) == 0) {
			sites = json_loadb(buf_str(&reply.body), reply.body.len, 0, NULL);
			http_reply_clear(&reply);
		}
		json_array_foreach (sites, i, site)
			online += json_is_true(json_object_get(site, "online"));
		json_decref(sites);
		if (online >= want) {
			rc = 0;
			break;
		}
		sleep_ms(100);
	}
	if (rc != 0)
		fprintf(stderr, "bench_hub: fewer than %zu sites online in time %s\n", want, err);
	http_client_free(&c);
	http_client_global_cleanup();
	return rc;
}

/* Runs a command RUNS times (stdout to /dev/null) and prints the median. */
static int run_time(int argc, char **argv)
{
	extern char **environ;
	size_t runs = argc > 3 ? (size_t)strtoul(argv[2], NULL, 10) : 0;
	posix_spawn_file_actions_t fa;
	double *t;
	int failures = 0;

	if (argc < 4 || runs == 0) {
		fprintf(stderr, "usage: bench_hub time RUNS COMMAND [ARG...]\n");
		return 2;
	}
	t = xcalloc(runs, sizeof *t);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	for (size_t i = 0; i < runs; i++) {
		double start = now_ms();
		pid_t pid;
		int status;

		if (posix_spawn(&pid, argv[3], &fa, NULL, argv + 3, environ) != 0 ||
		    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			failures++;
			continue;
		}
		t[i - (size_t)failures] = now_ms() - start;
	}
	posix_spawn_file_actions_destroy(&fa);
	printf("%.1f\n", quantile(t, runs - (size_t)failures, 0.5));
	if (failures > 0)
		fprintf(stderr, "bench_hub: %s failed %d of %zu times\n", argv[3], failures, runs);
	free(t);
	return failures > 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "load") == 0)
		return run_load(argc, argv);
	if (argc > 1 && strcmp(argv[1], "latency") == 0)
		return run_latency(argc, argv);
	if (argc > 1 && strcmp(argv[1], "online") == 0)
		return run_online(argc, argv);
	if (argc > 1 && strcmp(argv[1], "time") == 0)
		return run_time(argc, argv);
	fprintf(stderr, "usage: bench_hub online URL SITES TIMEOUT_S\n"
	                "       bench_hub load URL TOKEN SITES HUB_PID TASK_TTL_S [SECONDS "
	                "[NODE_PID...]]\n"
	                "       bench_hub latency URL TOKEN SITES RUNS\n"
	                "       bench_hub time RUNS COMMAND [ARG...]\n");
	return 2;
}
