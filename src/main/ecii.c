/* ecii: the client. Everything lives in the library; see cli/cli.c. */
#include "config.h"

#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
