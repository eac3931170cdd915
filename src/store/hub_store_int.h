/* What hub_store.c shares with hub_store_nego.c and nobody else: the
 * handle's connection, its transaction state and the slot where the
 * negotiation code keeps its prepared statements. Only those two files
 * include it. */
#ifndef ECII_STORE_HUB_STORE_INT_H
#define ECII_STORE_HUB_STORE_INT_H

#include <sqlite3.h>

#include "store/db.h"
#include "store/hub_store.h"

struct hub_store_nego;

/* s's connection and transaction state, borrowed for s's life. */
sqlite3 *hub_store_db(struct hub_store *s);
struct db_tx *hub_store_tx(struct hub_store *s);
/* Where hub_store_nego.c keeps its statements (NULL until first use). */
struct hub_store_nego **hub_store_nego_slot(struct hub_store *s);
/* Frees *n (its statements are db_close's) and clears it; NULL is a no-op. */
void hub_store_nego_free(struct hub_store_nego **n);

#endif
