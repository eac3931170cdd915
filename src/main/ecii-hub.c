/* ecii-hub: the central API. Everything lives in the library; see hub/hub_cli.c. */
#include "config.h"

#include "hub/hub_cli.h"

int main(int argc, char **argv)
{
	return hub_cli_main(argc, argv);
}
