/* Inside client/counts: what a source of counts does (the local worker of
 * counts_local.c, the hub searches of counts_hub.c) and the one way results
 * come back into struct counts. Not for use outside client/counts*.c. */
#ifndef ECII_CLIENT_COUNTS_SOURCE_H
#define ECII_CLIENT_COUNTS_SOURCE_H

#include "client/counts.h"
#include "net/http_multi.h"

/* One piece of news for one site. */
struct counts_msg {
	unsigned long version;
	size_t site; /* index into counts.sites */
	enum counts_state state;
	double ms;
	json_t *payload;     /* answered */
	char *error;         /* failed, timed out */
	uint64_t *attrition; /* n_steps cells, with state ANSWERED and no payload */
};

struct counts_source_ops {
	/* Makes the source's state (c->source). Returns 0, or -1 when it
	 * cannot work (the counts then fail each request with why). */
	int (*start)(struct counts *c, struct http_multi *net);
	/* Asks for q (borrowed) for c->version; every site was set PENDING. */
	void (*request)(struct counts *c, const struct query *q);
	int (*fd)(const struct counts *c);
	/* Takes what arrived; true if anything for c->version did. */
	bool (*collect)(struct counts *c);
	void (*stop)(struct counts *c);
};

extern const struct counts_source_ops counts_local_ops;
extern const struct counts_source_ops counts_hub_ops;

/* Takes m (freed here) into c: dropped when m is for an older version. */
void counts_take(struct counts *c, struct counts_msg *m);
/* Frees m and what it holds; NULL accepted. */
void counts_msg_free(struct counts_msg *m);
/* Milliseconds on a monotonic clock. */
double counts_now_ms(void);

#endif
