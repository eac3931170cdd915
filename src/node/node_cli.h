/* ecii-node's command line: options, the site token, signals, the log. */
#ifndef ECII_NODE_NODE_CLI_H
#define ECII_NODE_NODE_CLI_H

/* Exit statuses, as ecii's (documented in ecii-node(8)). */
enum {
	NODE_CLI_OK = 0,
	NODE_CLI_FAIL = 1,  /* the work could not be done */
	NODE_CLI_USAGE = 2, /* bad usage: nothing was done */
};

/* Runs ecii-node with its command line; returns the exit status. */
int node_cli_main(int argc, char **argv);

#endif
