/* Global options and dispatch to subcommands. */
#include "config.h"

#include "cli/cli.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/query_text.h"
#include "ui/actions.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct command {
	const char *name;
	int (*run)(struct cli *, int, char **);
	const char *usage;
};

static const struct command commands[] = {
	{ "count", cli_count,
	  "usage: ecii count [--by FIELD] [--sites A,B] [--json] [--exact] QUERY\n"
	  "Count the subjects and studies matching QUERY at every site and collection.\n"
	  "QUERY is the text syntax, e.g. 'sex:male diagnosis:prostate modality:MR age:50..70',\n"
	  "or '-' to read it from standard input; '*' counts everything.\n"
	  "  --by FIELD    also print FIELD's stratifier (its own criteria left out)\n"
	  "  --sites A,B   ask only these sites\n"
	  "  --json        print the sites' payloads (PROTOCOL.md §3) and totals as JSON\n"
	  "  --exact       exact counts, for a site's own operator (local data only)\n" },
	{ "catalogue", cli_catalogue,
	  "usage: ecii catalogue [--search TEXT] [--json]\n"
	  "List the collections of the catalogue.\n"
	  "  --search TEXT  only collections whose text holds every word of TEXT\n"
	  "  --json         print the catalogue items (PROTOCOL.md §5) as JSON\n" },
	{ "show", cli_show,
	  "usage: ecii show [--json] COLLECTION\n"
	  "Show everything the catalogue says about one collection (by id).\n"
	  "  --json   print the catalogue item as JSON\n" },
	{ "request", cli_request,
	  "usage: ecii request new [--collections A,B] [--set SECTION.ELEMENT=VALUE]... QUERY\n"
	  "       ecii request set DRAFT SECTION.ELEMENT=VALUE...\n"
	  "       ecii request submit DRAFT\n"
	  "       ecii request list [--json]\n"
	  "       ecii request show ID|DRAFT [--json]\n"
	  "       ecii request post ID TEXT [--private]\n"
	  "       ecii request abandon ID [--message TEXT]\n"
	  "       ecii request accept|decline ID COLLECTION [--message TEXT]\n"
	  "Your access requests at the hub. 'new' counts the cohort, takes the collections\n"
	  "with subjects (or --collections), hands them to the hub and keeps a draft on this\n"
	  "machine (~/.local/share/ecii/drafts/), saved on every change; 'set' answers the\n"
	  "access form (lists are comma-separated, yes/no for booleans, '' clears); 'submit'\n"
	  "sends it once: a submit whose reply never came can be sent again and never makes a\n"
	  "second request. DRAFT may be the first characters of its id. 'accept' and 'decline'\n"
	  "answer a collection's access conditions. Every subcommand takes --json: what the\n"
	  "hub answered (or the draft and its missing fields) as JSON on stdout.\n" },
	{ "review", cli_review,
	  "usage: ecii review list [--json]\n"
	  "       ecii review show ID [--json]\n"
	  "       ecii review approve|decline ID [--message TEXT]\n"
	  "       ecii review resource ID COLLECTION EVENT [--message TEXT]\n"
	  "       ecii review post ID TEXT [--private]\n"
	  "For the data access committee and the collections' representatives: the queue of\n"
	  "submitted requests, oldest first; one request with its answers, its cohort and\n"
	  "what it counts now, the author's recent queries, the timeline and the posts;\n"
	  "approve or decline it; move a collection's state (EVENT as in the Negotiator:\n"
	  "CONTACT, MARK_AS_CHECKING_AVAILABILITY, MARK_AS_AVAILABLE, INDICATE_ACCESS_CONDITIONS,\n"
	  "GRANT_ACCESS_TO_RESOURCE, ...); a private post is seen by the author and reviewers.\n"
	  "Every subcommand takes --json: what the hub answered, as JSON on stdout.\n" },
	{ "sites", cli_sites,
	  "usage: ecii sites [--json]\n"
	  "List the sites of the federation: with a hub, whether each is online (it polled\n"
	  "the hub within its heartbeat); in local mode, the demo's site stores.\n"
	  "  --json   print [{\"name\",\"country\",\"online\"}]\n" },
	{ "login", cli_login,
	  "usage: ecii [--hub URL] login\n"
	  "Store your token for the hub (asked without echo, or read from standard input),\n"
	  "after checking with the hub whose it is. It is kept in ~/.config/ecii/credentials,\n"
	  "mode 0600. The hub is --hub, else ECII_HUB, else hub = URL in the config file.\n" },
	{ "logout", cli_logout,
	  "usage: ecii [--hub URL] logout\n"
	  "Forget the token stored for the hub.\n" },
	{ "query", cli_query,
	  "usage: ecii query parse|print|hash [INPUT]\n"
	  "Convert cohort definitions; INPUT is an argument or, if absent or '-', stdin.\n"
	  "  parse TEXT   text syntax -> canonical query AST JSON\n"
	  "  print JSON   query AST JSON -> canonical text syntax\n"
	  "  hash INPUT   the cohort hash (SHA-256 of the canonical AST JSON) of text or JSON\n" },
	{ "preview", cli_preview,
	  "usage: ecii preview FILE|COLLECTION[/N] [--frame N] [--window C,W | --preset NAME]\n"
	  "                    [--info | --pgm OUT | --png OUT | --box ROWSxCOLS]\n"
	  "Show an image in the terminal: a DICOM file (native, JPEG, RLE), a PNG or\n"
	  "JPEG file, or a collection's N-th published preview (default 1). Sixel where\n"
	  "the terminal has it, else half blocks or ASCII (see --graphics).\n"
	  "  --info         the parsed header: size, frames, photometric, bits, rescale,\n"
	  "                 window, modality, transfer syntax, body part\n"
	  "  --pgm OUT      write the windowed frame as binary PGM (PPM for colour)\n"
	  "  --png OUT      write it as PNG\n"
	  "  --box ROWSxCOLS  draw in at most this many cells (default: the terminal)\n"
	  "  --frame N      the frame, from 1 (default 1)\n"
	  "  --window C,W   window center and width (DICOM LINEAR); default: the file's\n"
	  "                 first stored window, else the frame's min-max\n"
	  "  --preset NAME  brain (40,80), soft-tissue (40,400), lung (-600,1500),\n"
	  "                 bone (400,1800)\n" },
};

static const char main_usage[] =
    "usage: ecii [--hub URL | --local] [--data DIR] [--log FILE] [--graphics MODE]\n"
    "            [COMMAND [ARGS]]\n"
    "       ecii --help | --version\n"
    "A terminal cohort explorer for the federated cancer imaging network.\n"
    "Without a command it opens the explorer. With a hub (--hub, ECII_HUB or the\n"
    "config file) the hub's sites count; with none, or with --local, ecii answers\n"
    "from the bundled synthetic demo federation.\n"
    "\n"
    "Commands:\n"
    "  count QUERY        subjects and studies per site and collection\n"
    "  catalogue          list the collections\n"
    "  show COLLECTION    one collection's catalogue entry\n"
    "  query parse|print|hash   convert and hash cohort definitions\n"
    "  preview FILE|COLLECTION  an image in the terminal, its header, or PNG/PGM\n"
    "  sites              the sites, and whether each is online\n"
    "  request ...        your access requests: new, set, submit, list, show, post\n"
    "  review ...         review access requests (committee, representatives)\n"
    "  login, logout      store or forget your token for the hub\n"
    "  help [COMMAND]     this text, or a command's\n"
    "\n"
    "Options:\n"
    "  --hub URL    work with this hub, e.g. http://127.0.0.1:8080; also ECII_HUB\n"
    "               (the token: ECII_TOKEN, else the one 'ecii login' stored)\n"
    "  --local      the bundled demo, even when a hub is configured\n"
    "  --data DIR   read the vocabulary and demo federation from DIR\n"
    "               (DIR/criteria.json, DIR/demo/); also ECII_DATA\n"
    "  --log FILE   write a debug log to FILE; also ECII_LOG\n"
    "  --graphics MODE  how images show: sixel, blocks (half blocks in colour),\n"
    "               ascii or none; also ECII_GRAPHICS; default: ask the terminal\n"
    "  --gray-levels N  gray levels of sixel images, 2 to 256 (default 64)\n"
    "\n"
    "Exit status: 0 success, 1 the work could not be done, 2 bad usage or query.\n"
    "See ecii(1).\n";

void cli_usage(const char *command, FILE *out)
{
	for (size_t i = 0; command != NULL && i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, command) == 0) {
			fputs(commands[i].usage, out);
			return;
		}
	}
	fputs(main_usage, out);
}

int cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ecii: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

char *cli_read_arg(const char *arg)
{
	char *text;

	if (arg != NULL && strcmp(arg, "-") != 0)
		return xstrdup(arg);
	text = file_read_all("-", NULL);
	if (text == NULL)
		cli_error(CLI_FAIL, "cannot read standard input");
	return text;
}

struct query *cli_parse_query(const struct vocab *v, const char *text)
{
	struct query_error err;
	struct query *q = query_parse_text(v, text, &err);

	if (q == NULL) {
		cli_error(CLI_USAGE, "query:%d:%d: %s", err.line, err.column, err.message);
		return NULL;
	}
	query_canonicalize(v, q);
	return q;
}

/* The explorer's keys from the one action table: "keys<TAB>help", the
 * keys comma-separated as the help screen shows them. */
static void print_keys(void)
{
	for (size_t i = 0; i < ui_action_count; i++) {
		const struct ui_action_info *a = &ui_action_table[i];

		for (const char *p = a->keys; *p != '\0'; p++) {
			if (*p == ' ')
				fputs(",", stdout);
			putchar(*p);
		}
		printf("\t%s\n", a->help);
	}
}

void cli_graphics(const struct cli *cli, int fd, struct graphics_caps *caps)
{
	/* Over SSH a reply can take a while; DA1 ends the wait as soon as the
	 * terminal has answered everything. */
	graphics_probe(fd, 1000, cli->graphics_forced ? &cli->graphics : NULL, caps);
	log_info("graphics: %s%s, cells of %ux%u px (%s), terminal '%s'%s",
	         graphics_mode_name(caps->mode), cli->graphics_forced ? " (asked for)" : "",
	         caps->cell_w, caps->cell_h, caps->cell_source, caps->terminal,
	         caps->tmux_passthrough ? ", tmux passthrough" : "");
}

static void cli_init(struct cli *cli)
{
	struct winsize ws;
	const char *codeset;

	setlocale(LC_ALL, "");
	codeset = nl_langinfo(CODESET);
	cli->utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	cli->width = 0;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		cli->width = ws.ws_col;
}

int cli_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "data", required_argument, NULL, 'd' },
		{ "hub", required_argument, NULL, 'u' },
		{ "local", no_argument, NULL, 'L' },
		{ "log", required_argument, NULL, 'l' },
		{ "headless", required_argument, NULL, 'H' },
		{ "size", required_argument, NULL, 'S' },
		{ "graphics", required_argument, NULL, 'G' },
		{ "gray-levels", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .gray_levels = 64 };
	const char *log_path = getenv("ECII_LOG"), *script = NULL, *size = NULL;
	const char *graphics = getenv("ECII_GRAPHICS");
	char *end;
	int c;

	cli_init(&cli);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hVd:l:", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_usage(NULL, stdout);
			return CLI_OK;
		case 'V':
			printf("ecii %s\n", PACKAGE_VERSION);
			return CLI_OK;
		case 'd':
			cli.data = optarg;
			break;
		case 'u':
			cli.hub = optarg;
			break;
		case 'L':
			cli.local = true;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'H':
			script = optarg;
			break;
		case 'S':
			size = optarg;
			break;
		case 'G':
			graphics = optarg;
			break;
		case 'g':
			cli.gray_levels = (unsigned)strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || cli.gray_levels < 2 ||
			    cli.gray_levels > 256)
				return cli_error(CLI_USAGE,
				                 "--gray-levels takes 2 to 256, not '%s'", optarg);
			break;
		default:
			cli_error(CLI_USAGE, "unknown option '%s'", argv[optind - 1]);
			cli_usage(NULL, stderr);
			return CLI_USAGE;
		}
	}
	if (cli.local && cli.hub != NULL)
		return cli_error(CLI_USAGE, "--hub and --local do not go together");
	if (graphics != NULL && *graphics != '\0') {
		if (graphics_mode_parse(graphics, &cli.graphics) != 0)
			return cli_error(
			    CLI_USAGE,
			    "--graphics (or ECII_GRAPHICS) takes sixel, blocks, ascii or "
			    "none, not '%s'",
			    graphics);
		cli.graphics_forced = true;
	}
	if (log_path != NULL && log_open(log_path) != 0)
		return cli_error(CLI_FAIL, "cannot open log file %s", log_path);
	if (optind >= argc)
		return cli_explore(&cli, script, size);
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc && strcmp(argv[optind + 1], "keys") == 0)
			print_keys();
		else
			cli_usage(optind + 1 < argc ? argv[optind + 1] : NULL, stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, argv[optind]) == 0) {
			argv += optind;
			argc -= optind;
			optind = 0; /* restart getopt for the subcommand */
			return commands[i].run(&cli, argc, argv);
		}
	}
	cli_error(CLI_USAGE, "unknown command '%s' (try 'ecii --help')", argv[optind]);
	return CLI_USAGE;
}
