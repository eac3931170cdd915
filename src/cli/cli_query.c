/* ecii query parse|print|hash: converting cohort definitions between the
 * text syntax and the AST JSON, and naming them by their cohort hash. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/datadir.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "util/xmalloc.h"

static struct query *read_json(const struct vocab *v, const char *text)
{
	struct query_error err;
	struct query *q = query_from_json_text(text, strlen(text), &err);

	if (q == NULL) {
		if (err.line > 0)
			cli_error(CLI_USAGE, "query:%d:%d: %s", err.line, err.column, err.message);
		else
			cli_error(CLI_USAGE, "query: %s", err.message);
		return NULL;
	}
	if (query_resolve(v, q, true, &err) != 0) {
		cli_error(CLI_USAGE, "query: %s", err.message);
		query_free(&q);
		return NULL;
	}
	query_canonicalize(v, q);
	return q;
}

int cli_query(struct cli *cli, int argc, char **argv)
{
	struct datadir dd;
	struct vocab *v = NULL;
	struct query *q = NULL;
	const char *verb = argc > 1 ? argv[1] : NULL;
	char err[512], *text = NULL, *out = NULL;
	int status = CLI_USAGE;

	if (verb != NULL && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
		cli_usage("query", stdout);
		return CLI_OK;
	}
	if (verb == NULL ||
	    (strcmp(verb, "parse") != 0 && strcmp(verb, "print") != 0 &&
	     strcmp(verb, "hash") != 0) ||
	    argc > 3) {
		cli_error(CLI_USAGE, "query: expected parse, print or hash and at most one input");
		cli_usage("query", stderr);
		return CLI_USAGE;
	}
	if (datadir_find(cli->data, &dd, err, sizeof err) != 0 ||
	    (v = vocab_load(dd.criteria, err, sizeof err)) == NULL) {
		status = cli_error(CLI_FAIL, "%s", err);
		goto out;
	}
	if ((text = cli_read_arg(argc > 2 ? argv[2] : NULL)) == NULL)
		goto out;
	if (strcmp(verb, "parse") == 0) {
		if ((q = cli_parse_query(v, text)) == NULL)
			goto out;
		out = query_to_json_text(q, true);
	} else if (strcmp(verb, "print") == 0) {
		if ((q = read_json(v, text)) == NULL)
			goto out;
		out = query_print_text(v, q);
	} else {
		const char *p = text + strspn(text, " \t\r\n");

		q = *p == '{' ? read_json(v, text) : cli_parse_query(v, text);
		if (q == NULL)
			goto out;
		out = xmalloc(65);
		query_hash(v, q, out);
	}
	puts(out);
	status = CLI_OK;
out:
	free(out);
	free(text);
	query_free(&q);
	vocab_free(&v);
	datadir_clear(&dd);
	return status;
}
