/* What `ecii request` and `ecii review` share: a logged-in session with the
 * hub, who the user is, the access form, and printing a negotiation with
 * its collections, timeline and posts. Every string from the hub is
 * sanitised before it is printed. */
#ifndef ECII_CLI_CLI_ACCESS_H
#define ECII_CLI_CLI_ACCESS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/access_form.h"
#include "core/negotiation.h"
#include "net/hub_api.h"

/* A session with the hub as the logged-in user. */
struct cli_session {
	struct federation *fed;
	struct http_multi *net;
	struct hub_api api;
	char *user; /* the user's id at the hub (userinfo), once asked */
	bool admin; /* roles from userinfo */
	bool represents;
};

/* Opens the session for command (for messages): a hub and a token are
 * needed. Returns CLI_OK, or a status after saying why. */
int cli_session_open(struct cli *cli, const char *command, struct cli_session *s);
void cli_session_close(struct cli_session *s);
/* Asks the hub who the user is (fills user, admin, represents). Returns
 * CLI_OK or a status after saying why. */
int cli_session_whoami(struct cli_session *s, const char *command);

/* Calls the hub; on failure says "<command>: <what>: <the error>" and
 * returns CLI_FAIL (CLI_USAGE for a 400/403/404, which name what was
 * wrong). On success returns CLI_OK with *out filled (release it with
 * hub_reply_clear). body borrowed; idempotency_key may be NULL. */
int cli_call(struct cli_session *s, const char *command, const char *what, const char *method,
             const char *path, json_t *body, const char *idempotency_key, struct hub_reply *out);

/* Every negotiation of the HAL listing at path (its query without paging;
 * every page is fetched), appended to *all (n of them; ones already there
 * are left out); each page's document is appended to pages (NULL: not
 * kept). Returns CLI_OK or a status after saying why. */
int cli_list_all(struct cli_session *s, const char *command, const char *what, const char *path,
                 struct negotiation **all, size_t *n, json_t *pages);

/* The access form of request_id: new, or NULL after saying why. */
struct access_form *cli_access_form(struct cli_session *s, const char *command,
                                    const char *request_id);

/* Prints like fprintf, the whole text sanitised (a final newline kept):
 * for lines holding text from the hub. */
void cli_print_clean(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a negotiation for people: its state in words, who acts next, the
 * cohort (as text when it reads against the vocabulary), its collections
 * with their states, and the form answers labelled by form (NULL: raw). */
void cli_print_negotiation(const struct cli_session *s, const struct negotiation *n,
                           const struct access_form *form);
/* Prints the timeline and the posts. */
void cli_print_timeline(const struct negotiation_entry *e, size_t n);
void cli_print_posts(const struct negotiation_post *p, size_t n);
/* Prints form answers under section and element labels. */
void cli_print_answers(const struct access_form *form, json_t *payload);

/* Posts to a negotiation: argv is "post ID TEXT [--private]". */
int cli_access_post(struct cli *cli, const char *command, int argc, char **argv);
/* Sends event to negotiation id, or to its collection resource (NULL: the
 * negotiation itself), with message (NULL: none); prints the new state. */
int cli_access_event(struct cli *cli, const char *command, const char *id, const char *resource,
                     const char *event, const char *message);
/* Reads an optional "--message TEXT" from argv[first...]. Returns 0, or -1
 * for anything else there. */
int cli_access_message(int argc, char **argv, int first, const char **message);

/* The string member name of doc, or "" when it is not a string. */
const char *cli_json_str(json_t *doc, const char *name);

/* Takes every "--json" out of argv (setting cli->json) and returns the new
 * argc. */
int cli_access_take_json(struct cli *cli, int argc, char **argv);

/* Prints doc as indented JSON on stdout. */
void cli_print_json(json_t *doc);

#endif
