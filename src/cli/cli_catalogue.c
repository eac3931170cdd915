/* ecii catalogue and ecii show: the collections as the catalogue lists
 * them. Every string from the catalogue is sanitised before printing. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "core/catalogue.h"
#include "util/buf.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"
#include "util/format.h"

/* The federation whose catalogue is shown; NULL after saying why. */
static struct federation *open_fed(struct cli *cli, int *status)
{
	struct http_multi *net = NULL;
	struct federation *fed = cli_open_federation(cli, &net, status);

	http_multi_free(&net); /* the catalogue is all it takes */
	return fed;
}

static void print_json(json_t *doc)
{
	char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	puts(dump);
	free(dump);
}

static const char *count_cell(json_t *item, const char *name, char *buf, size_t size)
{
	return format_count(catalogue_item_count(item, name), buf, size);
}

int cli_catalogue(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "search", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *headers[] = { "ID",      "NAME",       "PROVIDER", "SUBJECTS",
		                         "STUDIES", "MODALITIES", "ACCESS" };
	const char *search = NULL;
	bool json = false;
	struct federation *fed;
	json_t *shown, *item;
	struct table *t;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "hs:j", options, NULL)) != -1) {
		if (c == 's') {
			search = optarg;
		} else if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			cli_usage("catalogue", stdout);
			return CLI_OK;
		} else {
			cli_error(CLI_USAGE, "catalogue: unknown option '%s'", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(CLI_USAGE, "catalogue: unexpected argument '%s' (use --search TEXT)",
		          argv[optind]);
		return CLI_USAGE;
	}
	if ((fed = open_fed(cli, &c)) == NULL)
		return c;
	shown = json_array();
	json_array_foreach (fed->catalogue, i, item)
		if (catalogue_item_matches(item, search))
			json_array_append(shown, item);
	if (json) {
		json_t *doc = json_pack("{s:I, s:O}", "total", (json_int_t)json_array_size(shown),
		                        "items", shown);

		print_json(doc);
		json_decref(doc);
		json_decref(shown);
		federation_close(&fed);
		return CLI_OK;
	}
	t = table_new(7, headers);
	table_align_right(t, 3);
	table_align_right(t, 4);
	json_array_foreach (shown, i, item) {
		char subjects[32], studies[32];
		char *id = sanitize_text(catalogue_item_str(item, "id"));
		char *name = sanitize_text(catalogue_item_str(item, "name"));
		char *prov = sanitize_text(catalogue_item_str2(item, "provider", "name"));
		char *mods_raw = catalogue_item_join(item, "imaging_modality", ", ");
		char *mods = sanitize_text(mods_raw);
		char *access = sanitize_text(catalogue_item_str(item, "image_access_type"));
		const char *row[] = {
			id,
			name,
			prov,
			count_cell(item, "number_of_subjects", subjects, sizeof subjects),
			count_cell(item, "number_of_studies", studies, sizeof studies),
			mods,
			access
		};

		table_add_row(t, row);
		free(id);
		free(name);
		free(prov);
		free(mods_raw);
		free(mods);
		free(access);
	}
	table_print(t, stdout, cli->width, 1, cli->utf8);
	printf("%zu of %zu collections%s", json_array_size(shown), json_array_size(fed->catalogue),
	       fed->synthetic ? " (synthetic demo data)" : "");
	if (fed->offline_as_of != NULL) {
		char *as_of = sanitize_text(fed->offline_as_of);

		printf(", offline copy as of %s", as_of);
		free(as_of);
	}
	putchar('\n');
	table_free(&t);
	json_decref(shown);
	federation_close(&fed);
	return CLI_OK;
}

/* Prints text wrapped at width columns, each line indented. */
static void print_wrapped(const char *text, size_t width, const char *indent)
{
	char *copy = xstrdup(text), *save = NULL;
	size_t col = 0;

	for (char *w = strtok_r(copy, " \n", &save); w != NULL; w = strtok_r(NULL, " \n", &save)) {
		size_t len = text_width(w);

		if (col > 0 && col + 1 + len > width) {
			putchar('\n');
			col = 0;
		}
		if (col == 0) {
			fputs(indent, stdout);
			col = strlen(indent);
		} else {
			putchar(' ');
			col++;
		}
		fputs(w, stdout);
		col += len;
	}
	if (col > 0)
		putchar('\n');
	free(copy);
}

static void field_line(const char *label, const char *value)
{
	char *clean = sanitize_text(value);

	if (*clean != '\0')
		printf("%-18s %s\n", label, clean);
	free(clean);
}

static void list_line(json_t *item, const char *label, const char *name)
{
	char *joined = catalogue_item_join(item, name, ", ");

	field_line(label, joined);
	free(joined);
}

/* The published previews, numbered as `ecii preview ID/N` takes them. */
static void print_previews(json_t *item)
{
	json_t *previews = json_object_get(item, "previews"), *p;
	char *id = sanitize_text(catalogue_item_str(item, "id"));
	size_t i;

	if (json_array_size(previews) > 0)
		printf("Previews (ecii preview %s/N)\n", id);
	json_array_foreach (previews, i, p) {
		char *title = sanitize_text(catalogue_item_str(p, "title"));

		printf("  %zu  %s\n", i + 1, title);
		free(title);
	}
	free(id);
}

static void print_item(const struct cli *cli, json_t *item)
{
	char a[32], b[32], c[32], *s;
	json_t *low = json_object_get(item, "age_low"), *high = json_object_get(item, "age_high");
	json_t *years = json_object_get(item, "image_year_range");

	field_line("Id", catalogue_item_str(item, "id"));
	field_line("Name", catalogue_item_str(item, "name"));
	field_line("Acronym", catalogue_item_str(item, "acronym"));
	s = xasprintf("%s (%s), %s", catalogue_item_str2(item, "provider", "name"),
	              catalogue_item_str2(item, "provider", "id"),
	              catalogue_item_str2(item, "provider", "country"));
	field_line("Provider", s);
	free(s);
	s = xasprintf("%s subjects, %s studies, %s series",
	              count_cell(item, "number_of_subjects", a, sizeof a),
	              count_cell(item, "number_of_studies", b, sizeof b),
	              count_cell(item, "number_of_series", c, sizeof c));
	field_line("Size", s);
	free(s);
	list_line(item, "Condition", "condition");
	list_line(item, "Body parts", "body_part_examined");
	list_line(item, "Modalities", "imaging_modality");
	list_line(item, "Vendors", "vendor");
	list_line(item, "Sex", "sex");
	if (json_is_number(low) && json_is_number(high)) {
		s = xasprintf("%g to %g years", json_number_value(low), json_number_value(high));
		field_line("Age", s);
		free(s);
	}
	if (json_is_string(years)) {
		field_line("Image years", json_string_value(years));
	} else if (json_is_object(years)) {
		s = xasprintf("%g to %g", json_number_value(json_object_get(years, "min")),
		              json_number_value(json_object_get(years, "max")));
		field_line("Image years", s);
		free(s);
	}
	field_line("Access", catalogue_item_str(item, "image_access_type"));
	field_line("Intended purpose", catalogue_item_str(item, "intended_purpose"));
	field_line("Terms of use", catalogue_item_str(item, "terms_of_use"));
	s = xasprintf("%s <%s>", catalogue_item_str2(item, "contact", "name"),
	              catalogue_item_str2(item, "contact", "email"));
	field_line("Contact", s);
	free(s);
	field_line("Version", catalogue_item_str(item, "version"));
	field_line("Updated", catalogue_item_str(item, "updated"));
	if (json_is_true(json_object_get(item, "synthetic")))
		field_line("Data", "synthetic demo data");
	s = sanitize_text(catalogue_item_str(item, "description"));
	if (*s != '\0') {
		printf("Description\n");
		print_wrapped(s, cli->width > 20 ? cli->width - 2 : 78, "  ");
	}
	free(s);
	print_previews(item);
}

int cli_show(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	struct federation *fed;
	json_t *item;
	int c, status = CLI_OK;

	while ((c = getopt_long(argc, argv, "hj", options, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			cli_usage("show", stdout);
			return CLI_OK;
		} else {
			cli_error(CLI_USAGE, "show: unknown option '%s'", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_error(CLI_USAGE, "show: give one collection id");
		return CLI_USAGE;
	}
	if ((fed = open_fed(cli, &status)) == NULL)
		return status;
	item = catalogue_find(fed->catalogue, argv[optind]);
	if (item == NULL) {
		char *id = sanitize_text(argv[optind]);

		status = cli_error(CLI_FAIL, "show: no collection '%s' (see 'ecii catalogue')", id);
		free(id);
	} else if (json) {
		print_json(item);
	} else {
		print_item(cli, item);
	}
	federation_close(&fed);
	return status;
}
