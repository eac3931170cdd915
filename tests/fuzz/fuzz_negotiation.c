/* Property fuzzer for the Negotiator readers (core/negotiation.c): the
 * input, as JSON, goes through every reader. What a reader accepts must be
 * whole (every required member set, states in range, lists as long as
 * they say, ids unique); what it refuses must say why and leave its output
 * empty. Runs under libFuzzer (make fuzz) and over the seed corpus under
 * make check. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/negotiation.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_resource(const struct negotiation_resource *r, bool reply, bool need_state)
{
	check(r->id != NULL && r->id[0] != '\0');
	check(!reply || (r->name != NULL && r->has_org && r->org.id != NULL &&
	                 r->org.external_id != NULL && r->org.name != NULL));
	check(!need_state || r->has_state);
	check(!r->has_state || negotiation_resource_state_name(r->state) != NULL);
	for (size_t i = 0; i < r->n_events; i++)
		check(r->events[i] != NULL);
}

static void check_resources(const struct negotiation_resource *rs, size_t n, bool reply,
                            bool need_state)
{
	check(n >= 1 && n <= NEGOTIATION_MAX_RESOURCES);
	for (size_t i = 0; i < n; i++) {
		check_resource(&rs[i], reply, need_state);
		for (size_t j = 0; j < i; j++)
			check(strcmp(rs[i].id, rs[j].id) != 0);
	}
}

static void fuzz_request(json_t *doc, enum negotiation_read mode)
{
	struct negotiation_request r;
	char err[512] = "";

	if (negotiation_request_read(doc, mode, &r, err, sizeof err) != 0) {
		check(err[0] != '\0' && r.resources == NULL && r.url == NULL && r.query == NULL);
		return;
	}
	check(r.url != NULL && r.human_readable != NULL);
	check(mode == NEGOTIATION_READ_INPUT ? r.id == NULL && r.redirect_url == NULL
	                                     : r.id != NULL && r.redirect_url != NULL);
	check(r.query == NULL || json_is_object(r.query));
	check_resources(r.resources, r.n_resources, mode == NEGOTIATION_READ_REPLY, false);
	negotiation_request_clear(&r);
}

static void check_negotiation(const struct negotiation *n)
{
	check(n->id != NULL && n->display_id != NULL && n->author.id != NULL &&
	      n->author.name != NULL && json_is_object(n->payload) && n->human_readable != NULL &&
	      n->creation_date != NULL && n->modified_date != NULL);
	check(negotiation_state_name(n->status) != NULL);
	check_resources(n->resources, n->n_resources, true, true);
}

static void fuzz_negotiation(json_t *doc)
{
	struct negotiation n, *list = NULL;
	struct negotiation_page page;
	char err[512] = "";
	size_t count = 99;

	if (negotiation_read(doc, &n, err, sizeof err) == 0) {
		check_negotiation(&n);
		negotiation_clear(&n);
	} else {
		check(err[0] != '\0' && n.id == NULL && n.payload == NULL && n.resources == NULL);
	}
	if (negotiation_list_read(doc, &list, &count, &page, err, sizeof err) == 0) {
		check((count == 0) == (list == NULL));
		for (size_t i = 0; i < count; i++)
			check_negotiation(&list[i]);
		negotiation_list_free(&list, count);
	} else {
		check(list == NULL && count == 0);
	}
}

static void fuzz_small_bodies(json_t *doc)
{
	struct negotiation_create c;
	struct negotiation_event_list l;
	enum negotiation_post_type type;
	char err[512] = "", *text = NULL;

	if (negotiation_create_read(doc, &c, err, sizeof err) == 0) {
		check(c.request_id != NULL && json_is_object(c.payload));
		negotiation_create_clear(&c);
	} else {
		check(c.request_id == NULL && c.payload == NULL);
	}
	if (negotiation_message_read(doc, &text, err, sizeof err) == 0)
		check(text == NULL || text[0] != '\0');
	free(text);
	text = NULL;
	if (negotiation_post_input_read(doc, &text, &type, err, sizeof err) == 0)
		check(text != NULL && text[0] != '\0' && negotiation_post_type_name(type) != NULL);
	else
		check(text == NULL);
	free(text);
	if (negotiation_event_list_read(doc, &l, err, sizeof err) == 0) {
		for (size_t i = 0; i < l.n; i++)
			check(l.items[i].value != NULL && l.items[i].value[0] != '\0');
		negotiation_event_list_clear(&l);
	} else {
		check(l.items == NULL && l.n == 0);
	}
}

static void fuzz_lists(json_t *doc)
{
	struct negotiation_post *posts = NULL;
	struct negotiation_entry *e = NULL;
	char err[512] = "";
	size_t n = 99;

	if (negotiation_posts_read(doc, &posts, &n, err, sizeof err) == 0) {
		for (size_t i = 0; i < n; i++)
			check(posts[i].id != NULL && posts[i].text != NULL &&
			      posts[i].author.id != NULL && posts[i].creation_date != NULL &&
			      negotiation_post_type_name(posts[i].type) != NULL);
		negotiation_posts_free(&posts, n);
	} else {
		check(posts == NULL && n == 0);
	}
	n = 99;
	if (negotiation_timeline_read(doc, &e, &n, err, sizeof err) == 0) {
		for (size_t i = 0; i < n; i++) {
			check(e[i].time != NULL && e[i].actor != NULL && e[i].id >= 0);
			if (e[i].kind == NEGOTIATION_ENTRY_TRANSITION)
				check(e[i].event != NULL && e[i].from != NULL && e[i].to != NULL);
			else
				check(e[i].kind == NEGOTIATION_ENTRY_POST && e[i].message != NULL &&
				      e[i].event == NULL && e[i].resource == NULL);
		}
		negotiation_timeline_free(&e, n);
	} else {
		check(e == NULL && n == 0);
	}
	/* a resource alone, as in GET .../resources */
	{
		struct negotiation_resource r;

		if (negotiation_resource_read(doc, NEGOTIATION_READ_REPLY, true, &r, err,
		                              sizeof err) == 0) {
			check_resource(&r, true, true);
			negotiation_resource_clear(&r);
		}
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

	if (doc == NULL)
		return 0;
	fuzz_request(doc, NEGOTIATION_READ_INPUT);
	fuzz_request(doc, NEGOTIATION_READ_REPLY);
	fuzz_negotiation(doc);
	fuzz_small_bodies(doc);
	fuzz_lists(doc);
	json_decref(doc);
	return 0;
}
