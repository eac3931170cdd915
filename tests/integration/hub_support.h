/* Harness shared by the cmocka programs under tests/integration/ that talk
 * to a real hub on a loopback port: a scratch hub store with its sites and
 * users, the hub started on a free port, and libcurl requests whose replies
 * (status, body, a few headers) are kept for the test to look at. Every
 * helper fails the running test (or group fixture) instead of returning an
 * error, so it is for tests only; it must not assert anything about the
 * hub's answers, which each program does itself. */
#ifndef ECII_TESTS_INTEGRATION_HUB_SUPPORT_H
#define ECII_TESTS_INTEGRATION_HUB_SUPPORT_H

#include <stdatomic.h>
#include <stdint.h>

#include "store/hub_store.h"
#include "util/buf.h"

struct access_form;
struct hub;

/* What one request got back. Zero it (or let hub_test_request do so) before
 * a request; release it with hub_test_reply_clear. */
struct hub_test_reply {
	long status;
	struct buf body;
	char *etag;          /* new; NULL: no ETag header */
	char *content_type;  /* new; NULL: no Content-Type header */
	atomic_bool headers; /* the status line and headers are in */
};

/* Sends method path to 127.0.0.1:port as is (no dot-segment clean-up), with
 * token as a bearer token and extra as one more header line (either may be
 * NULL) and body as JSON (NULL: none), giving up after timeout_s seconds.
 * Fills *r without zeroing it first, so a thread may wait on r->headers;
 * fails the test if curl fails. All pointers are borrowed. */
void hub_test_send(uint16_t port, const char *method, const char *path, const char *token,
                   const char *extra, const char *body, long timeout_s, struct hub_test_reply *r);
/* As hub_test_send, with extra a NULL-terminated list of header lines
 * (NULL: none) instead of one; all borrowed. */
void hub_test_send_headers(uint16_t port, const char *method, const char *path, const char *token,
                           const char *const *extra, const char *body, long timeout_s,
                           struct hub_test_reply *r);
/* hub_test_send on a zeroed *r. */
void hub_test_request(uint16_t port, const char *method, const char *path, const char *token,
                      const char *extra, const char *body, long timeout_s,
                      struct hub_test_reply *r);
/* Frees what r holds and zeroes it; r must not be NULL. */
void hub_test_reply_clear(struct hub_test_reply *r);

/* Opens a new hub store at dir/<n>-hub.db (test_temp_path). Returns it, new
 * (hub_store_close); fails the test with the store's message if it cannot. */
struct hub_store *hub_test_store_open(const char *dir);
/* Adds site name (country NULL: none) to store. Returns its token, new;
 * fails the test with the store's message if it cannot. */
char *hub_test_add_site(struct hub_store *store, const char *name, const char *country);
/* Adds user name with role to store. Returns its token, new; fails the test
 * with the store's message if it cannot. */
char *hub_test_add_user(struct hub_store *store, const char *name, enum hub_role role);
/* data/access-form.json, the shipped form. Returns it, new
 * (access_form_free); fails the test with the reader's message if it
 * cannot. */
struct access_form *hub_test_form_load(void);
/* Answers (JSON text) that satisfy every required element of
 * data/access-form.json, so a negotiation made with them can be submitted. */
extern const char hub_test_valid_payload[];

/* Starts hub (borrowed; from hub_new) in thread mode on a free loopback
 * port; hub_port(hub) then says which. Fails the test if it cannot start. */
void hub_test_start(struct hub *hub);

#endif
