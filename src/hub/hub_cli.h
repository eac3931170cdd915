/* ecii-hub's command line: init, user and site add/list/rotate/remove, serve. */
#ifndef ECII_HUB_HUB_CLI_H
#define ECII_HUB_HUB_CLI_H

/* Exit statuses, as ecii's (documented in ecii-hub(8)). */
enum {
	HUB_CLI_OK = 0,
	HUB_CLI_FAIL = 1,  /* the work could not be done */
	HUB_CLI_USAGE = 2, /* bad usage: nothing was done */
};

/* Runs ecii-hub with its command line; returns the exit status. */
int hub_cli_main(int argc, char **argv);

#endif
