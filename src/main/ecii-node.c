/* ecii-node: the site agent. Everything lives in the library; see node/node_cli.c. */
#include "config.h"

#include "node/node_cli.h"

int main(int argc, char **argv)
{
	return node_cli_main(argc, argv);
}
