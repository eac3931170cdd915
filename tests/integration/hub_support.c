/* The integration programs' shared hub harness (hub_support.h). It talks to
 * the hub only over HTTP and through the hub store's own API, and fails the
 * test on any error of its own; it must not judge the hub's replies. */
#include "config.h"

#include "hub_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/access_form.h"
#include "hub/hub.h"
#include "net/server.h"
#include "util/xmalloc.h"

#include "../unit/support.h"

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct hub_test_reply *r = userdata;

	buf_append(&r->body, data, size * n);
	return size * n;
}

/* A copy of a header line's value, without the CR LF. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *v;

	if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
		return NULL;
	v = line + nlen + 1;
	while (v < line + len && *v == ' ')
		v++;
	len -= (size_t)(v - line);
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n'))
		len--;
	return xstrndup(v, len);
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	struct hub_test_reply *r = userdata;
	char *v;

	if (size * n == 2 && data[0] == '\r') {
		atomic_store(&r->headers, true);
	} else if ((v = header_value(data, size * n, "ETag")) != NULL) {
		free(r->etag);
		r->etag = v;
	} else if ((v = header_value(data, size * n, "Content-Type")) != NULL) {
		free(r->content_type);
		r->content_type = v;
	}
	return size * n;
}

void hub_test_send_headers(uint16_t port, const char *method, const char *path, const char *token,
                           const char *const *extra, const char *body, long timeout_s,
                           struct hub_test_reply *r)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	char url[1024], auth[512];
	bool typed = false;
	CURLcode rc;

	assert_non_null(curl);
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned int)port, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L); /* else curl waits for a body */
	else
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (token != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, auth);
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		headers = curl_slist_append(headers, extra[i]);
		typed = typed || strncasecmp(extra[i], "Content-Type:", 13) == 0;
	}
	if (body != NULL) {
		if (!typed) /* JSON unless the caller said otherwise */
			headers = curl_slist_append(headers, "Content-Type: application/json");
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

void hub_test_send(uint16_t port, const char *method, const char *path, const char *token,
                   const char *extra, const char *body, long timeout_s, struct hub_test_reply *r)
{
	const char *const lines[] = { extra, NULL };

	hub_test_send_headers(port, method, path, token, lines, body, timeout_s, r);
}

void hub_test_request(uint16_t port, const char *method, const char *path, const char *token,
                      const char *extra, const char *body, long timeout_s, struct hub_test_reply *r)
{
	memset(r, 0, sizeof *r);
	hub_test_send(port, method, path, token, extra, body, timeout_s, r);
}

void hub_test_reply_clear(struct hub_test_reply *r)
{
	buf_free(&r->body);
	free(r->etag);
	free(r->content_type);
	memset(r, 0, sizeof *r);
}

struct hub_store *hub_test_store_open(const char *dir)
{
	char err[512] = "", *path = test_temp_path(dir, "hub.db");
	struct hub_store *store = hub_store_open(path, HUB_STORE_CREATE, err, sizeof err);

	free(path);
	if (store == NULL)
		fail_msg("open: %s", err);
	return store;
}

char *hub_test_add_site(struct hub_store *store, const char *name, const char *country)
{
	char err[512] = "";
	char *token = hub_store_site_add(store, name, country, err, sizeof err);

	if (token == NULL)
		fail_msg("site add %s: %s", name, err);
	return token;
}

char *hub_test_add_user(struct hub_store *store, const char *name, enum hub_role role)
{
	char err[512] = "";
	char *token = hub_store_user_add(store, name, role, err, sizeof err);

	if (token == NULL)
		fail_msg("user add %s: %s", name, err);
	return token;
}

void hub_test_start(struct hub *hub)
{
	char err[512] = "";

	if (hub_start(hub, "127.0.0.1", 0, SERVER_THREAD, err, sizeof err) != 0)
		fail_msg("hub_start: %s", err);
}

const char hub_test_valid_payload[] =
    "{\"summary\":{\"title\":\"Prostate MRI lesion detection\",\"description\":\"Train and "
    "validate a lesion detector on multi-site prostate MRI.\",\"project_type\":\"academic\","
    "\"start_date\":\"2027-01-15\",\"duration_months\":24},"
    "\"contact\":{\"pi_name\":\"Dr. Rita Lopes\",\"pi_email\":\"rita@example.org\","
    "\"institution\":\"Example University Hospital\",\"country\":\"PT\"},"
    "\"scientific\":{\"objectives\":\"Detect clinically significant cancer.\","
    "\"methods\":\"A 3D CNN, five-fold cross-validation.\","
    "\"intended_uses\":[\"ai_training\",\"ai_validation\"],\"uses_ai\":true},"
    "\"ethical_legal\":{\"ethics_approved\":true,\"ethics_reference\":\"CE 2026/17\","
    "\"ethics_date\":\"2026-10-01\",\"legal_basis\":\"art9_2_j\"},"
    "\"consent\":{\"accept_terms\":true,\"accept_acknowledgement\":true},"
    "\"overview\":{\"data_types\":[\"images\",\"clinical\"],\"processing\":\"federated\","
    "\"subjects_needed\":500}}";

struct access_form *hub_test_form_load(void)
{
	char err[512] = "", *path = test_source_path("data/access-form.json");
	struct access_form *form = access_form_load(path, err, sizeof err);

	free(path);
	if (form == NULL)
		fail_msg("access form: %s", err);
	return form;
}
