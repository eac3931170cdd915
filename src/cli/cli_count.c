/* ecii count: a cohort's subjects and studies per site and collection,
 * with the privacy rule each site applied, optionally one stratifier. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "client/counts.h"
#include "core/payload.h"
#include "core/query_text.h"
#include "core/report.h"
#include "util/buf.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

struct count_opts {
	const char *by;
	const char *sites;
	bool json;
	bool exact;
	const char *query;
};

static int parse_opts(int argc, char **argv, struct count_opts *o)
{
	static const struct option options[] = {
		{ "by", required_argument, NULL, 'b' }, { "sites", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },     { "exact", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },     { NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof *o);
	while ((c = getopt_long(argc, argv, "hb:s:j", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->by = optarg;
			break;
		case 's':
			o->sites = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'e':
			o->exact = true;
			break;
		case 'h':
			cli_usage("count", stdout);
			return -2;
		default:
			cli_error(CLI_USAGE,
			          "count: unknown option '%s' (a query that starts with '-' goes "
			          "after '--')",
			          argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		cli_error(CLI_USAGE, "count: %s",
		          argc - optind == 0 ? "no query given" : "give the query as one argument");
		cli_usage("count", stderr);
		return -1;
	}
	o->query = argv[optind];
	return 0;
}

/* The indices of the sites named in list (comma-separated): new, *n set;
 * NULL after saying why. */
static size_t *select_sites(const struct federation *fed, const char *list, size_t *n)
{
	size_t *only = xcalloc(fed->n_sites > 0 ? fed->n_sites : 1, sizeof *only);
	char *copy = xstrdup(list), *save = NULL;

	*n = 0;
	for (char *id = strtok_r(copy, ",", &save); id != NULL; id = strtok_r(NULL, ",", &save)) {
		long k = federation_site_index(fed, id);
		bool dup = false;

		if (k < 0) {
			struct buf known = BUF_INIT;
			char *clean = sanitize_text(id);

			for (size_t i = 0; i < fed->n_sites; i++)
				buf_printf(&known, "%s%s", i > 0 ? ", " : "", fed->sites[i].id);
			cli_error(CLI_USAGE, "count: unknown site '%s' (sites: %s)", clean,
			          known.len > 0 ? known.data : "none");
			buf_free(&known);
			free(clean);
			free(copy);
			free(only);
			return NULL;
		}
		for (size_t i = 0; i < *n; i++)
			dup = dup || only[i] == (size_t)k;
		if (!dup)
			only[(*n)++] = (size_t)k;
	}
	free(copy);
	return only;
}

/* A reported count with its privacy mark (see report_mark). Returns buf. */
static const char *mark(const struct cli *cli, bool exact, uint64_t n, char *buf, size_t size)
{
	return report_mark(n, exact, cli->utf8, buf, size);
}

/* A collection's subject count: "<threshold" when the site hid it. */
static const char *mark_subjects(const struct cli *cli, const struct site_answer *a,
                                 const struct answer_collection *ac, char *buf, size_t size)
{
	return report_mark_subjects(a, ac, cli->utf8, buf, size);
}

static void print_legend(const struct cli *cli, const struct counts *cn)
{
	bool exact = false, noisy = false;
	struct privacy_rule rule = { 0, 0, 0 };

	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *s = &cn->sites[i];

		if (s->state != COUNTS_ANSWERED)
			continue;
		if (s->answer.exact) {
			exact = true;
		} else if (s->answer.has_privacy) {
			noisy = true;
			rule = s->answer.privacy;
		}
	}
	if (noisy)
		printf("%s noisy count, rounded to %d (Laplace noise, epsilon %g); <%d fewer than "
		       "%d, hidden.\n",
		       cli->utf8 ? "\xe2\x89\x88" : "~", rule.rounding, rule.epsilon,
		       rule.threshold, rule.threshold);
	if (exact)
		printf("Exact counts, for the site operator only: do not pass them on.\n");
	printf("Totals add up the collections; a subject may be counted in more than one.\n");
}

static void print_table(const struct cli *cli, const struct counts *cn)
{
	static const char *headers[] = { "SITE", "COLLECTION", "NAME", "SUBJECTS", "STUDIES" };
	struct table *t = table_new(5, headers);
	uint64_t subjects = 0, studies = 0;
	bool all_exact = true;
	char a[48], b[48];

	table_align_right(t, 3);
	table_align_right(t, 4);
	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *r = &cn->sites[i];
		char *name = sanitize_text(r->name), *id = sanitize_text(r->id);

		if (r->state != COUNTS_ANSWERED) {
			char *msg = sanitize_text(r->error != NULL ? r->error : "no answer");
			const char *row[] = { id, "", msg,
				              r->state == COUNTS_TIMED_OUT ? "timed out" : "failed",
				              "" };

			table_add_row(t, row);
			free(msg);
			free(name);
			free(id);
			all_exact = false;
			continue;
		}
		for (size_t c = 0; c < r->answer.n_collections; c++) {
			struct answer_collection *ac = &r->answer.collections[c];
			char *cid = sanitize_text(ac->id), *cname = sanitize_text(ac->name);
			const char *row[] = {
				c == 0 ? id : "",
				cid,
				cname,
				mark_subjects(cli, &r->answer, ac, a, sizeof a),
				mark(cli, r->answer.exact, ac->studies, b, sizeof b),
			};

			table_add_row(t, row);
			free(cid);
			free(cname);
		}
		{
			char *label = xasprintf("%s, all", name);
			const char *row[] = {
				r->answer.n_collections == 0 ? id : "",
				"",
				label,
				mark(cli, r->answer.exact, r->answer.subjects, a, sizeof a),
				mark(cli, r->answer.exact, r->answer.studies, b, sizeof b),
			};

			table_add_row(t, row);
			free(label);
		}
		subjects += r->answer.subjects;
		studies += r->answer.studies;
		all_exact = all_exact && r->answer.exact;
		free(name);
		free(id);
	}
	table_add_rule(t);
	{
		const char *row[] = { "TOTAL", "", "", mark(cli, all_exact, subjects, a, sizeof a),
			              mark(cli, all_exact, studies, b, sizeof b) };

		table_add_row(t, row);
	}
	table_print(t, stdout, cli->width, 2, cli->utf8);
	table_free(&t);
}

static void print_stratifier(const struct cli *cli, const struct vocab_field *f,
                             const struct counts *cn)
{
	size_t n = cn->n_sites, cols = n + 2,
	       cells = f->type == VOCAB_CATEGORICAL ? f->n_values : f->n_bins;
	const char **headers = xcalloc(cols, sizeof *headers);
	const char **row = xcalloc(cols, sizeof *row);
	char **bufs = xcalloc(cols, sizeof *bufs);
	struct table *t;

	headers[0] = f->label;
	for (size_t i = 0; i < n; i++)
		headers[i + 1] = cn->sites[i].id;
	headers[cols - 1] = "TOTAL";
	t = table_new(cols, headers);
	for (size_t c = 1; c < cols; c++) {
		table_align_right(t, c);
		bufs[c] = xmalloc(48);
	}
	for (size_t k = 0; k < cells; k++) {
		const char *code =
		    f->type == VOCAB_CATEGORICAL ? f->values[k].code : f->bins[k].label;
		bool exact = true;
		uint64_t sum = 0;

		row[0] = f->type == VOCAB_CATEGORICAL ? f->values[k].label : f->bins[k].label;
		for (size_t i = 0; i < n; i++) {
			const struct counts_site *s = &cn->sites[i];
			const struct answer_stratum *st =
			    s->state == COUNTS_ANSWERED
			        ? site_answer_stratum(&s->answer, f->stratifier_key)
			        : NULL;
			uint64_t v = 0;

			for (size_t j = 0; st != NULL && j < st->n; j++)
				if (strcmp(st->codes[j], code) == 0)
					v = st->counts[j];
			sum += v;
			exact = exact && s->answer.exact;
			row[i + 1] = s->state != COUNTS_ANSWERED
			                 ? "failed"
			                 : mark(cli, s->answer.exact, v, bufs[i + 1], 48);
		}
		row[cols - 1] = mark(cli, exact, sum, bufs[cols - 1], 48);
		/* Bins nobody falls in are noise; every value of a list is shown. */
		if (sum > 0 || f->type == VOCAB_CATEGORICAL)
			table_add_row(t, row);
	}
	printf("\n%s (%s), counted with its own criteria left out:\n", f->label, f->alias);
	table_print(t, stdout, cli->width, 0, cli->utf8);
	printf("Cells need not add up to the total; a cell at the threshold may hide fewer.\n");
	table_free(&t);
	for (size_t c = 0; c < cols; c++)
		free(bufs[c]);
	free(bufs);
	free(row);
	free(headers);
}

static void print_json(const struct federation *fed, const struct query *q, const char *text,
                       const struct counts *cn)
{
	struct report_site *sites = counts_report_sites(cn);
	struct report r = { .vocab = fed->vocab,
		            .query = q,
		            .text = text,
		            .mode = fed->hub != NULL ? "hub" : "local",
		            .synthetic = fed->synthetic,
		            .sites = sites,
		            .n_sites = cn->n_sites };
	char *dump = report_json_text(&r);

	fputs(dump, stdout);
	free(dump);
	free(sites);
}

int cli_count(struct cli *cli, int argc, char **argv)
{
	struct count_opts o;
	struct federation *fed = NULL;
	struct http_multi *net = NULL;
	struct counts *cn = NULL;
	const struct vocab_field *by = NULL;
	struct query *q = NULL;
	char *text = NULL, *canon = NULL;
	size_t *only = NULL, n_only = 0;
	int rc, status = CLI_FAIL;

	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc == -2 ? CLI_OK : CLI_USAGE;
	if ((fed = cli_open_federation(cli, &net, &status)) == NULL)
		goto out;
	status = CLI_USAGE;
	if ((text = cli_read_arg(o.query)) == NULL ||
	    (q = cli_parse_query(fed->vocab, text)) == NULL)
		goto out;
	if (o.by != NULL && (by = vocab_field_find(fed->vocab, o.by)) == NULL) {
		const char *hint = vocab_suggest(fed->vocab, NULL, o.by);

		cli_error(CLI_USAGE, "count: unknown field '%s' for --by%s%s%s", o.by,
		          hint != NULL ? " (did you mean '" : "", hint != NULL ? hint : "",
		          hint != NULL ? "'?)" : "");
		goto out;
	}
	if (o.sites != NULL && (only = select_sites(fed, o.sites, &n_only)) == NULL)
		goto out;
	if (fed->hub != NULL && fed->token == NULL) {
		char *hub = sanitize_text(fed->hub);

		status = cli_error(CLI_FAIL,
		                   "count: not logged in to %s: run 'ecii login' or set ECII_TOKEN",
		                   hub);
		free(hub);
		goto out;
	}
	cn = counts_new(fed, net, 0, only, n_only);
	if (counts_set_exact(cn, o.exact) != 0) {
		cli_error(CLI_USAGE, "count: --exact is for a site's own data (local mode); "
		                     "a hub's sites always apply the privacy rule");
		goto out;
	}
	counts_request(cn, q, 1);
	canon = query_print_text(fed->vocab, q);
	if (!o.json && cn->problem != NULL && counts_answered(cn) == 0) {
		/* Nothing came back: the reason is all there is to say. */
		char *why = sanitize_text(cn->problem);

		status = cli_error(CLI_FAIL, "count: %s", why);
		free(why);
		goto out;
	}
	if (o.json) {
		print_json(fed, q, canon, cn);
	} else {
		char hash[65];

		query_hash(fed->vocab, q, hash);
		printf("Cohort: %s\nHash:   %s\n", canon, hash);
		if (fed->hub != NULL) {
			char *hub = sanitize_text(fed->hub);

			printf("Counted by the sites of %s%s.\n", hub,
			       fed->synthetic ? " (synthetic demo data)" : "");
			free(hub);
		} else if (fed->synthetic) {
			printf("Synthetic demo data, counted locally.\n");
		}
		if (o.exact)
			printf("EXACT COUNTS (--exact): for the site operator only.\n");
		putchar('\n');
		print_table(cli, cn);
		print_legend(cli, cn);
		if (by != NULL)
			print_stratifier(cli, by, cn);
	}
	status = CLI_OK;
	for (size_t i = 0; i < cn->n_sites; i++)
		if (cn->sites[i].state != COUNTS_ANSWERED)
			status = CLI_FAIL;
	if (cn->problem != NULL) {
		char *why = sanitize_text(cn->problem);

		cli_error(CLI_FAIL, "%s", why);
		free(why);
	}
out:
	counts_free(&cn);
	free(only);
	free(canon);
	free(text);
	query_free(&q);
	federation_close(&fed);
	http_multi_free(&net);
	return status;
}
