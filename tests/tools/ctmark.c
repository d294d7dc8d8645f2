/* bw-ctmark: clears ct mark bits in the current network namespace with
 * bulwark's ctmark_clear(), for tests/netns/ctmark.sh.
 *
 *   bw-ctmark clear MASK     e.g. bw-ctmark clear 0xff000000 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ctmark.h"

int main(int argc, char **argv)
{
	struct bw_err err;
	char *end;
	unsigned long mask;

	if (argc != 3 || strcmp(argv[1], "clear") != 0) {
		fprintf(stderr, "usage: bw-ctmark clear MASK\n");
		return 2;
	}
	mask = strtoul(argv[2], &end, 0);
	if (*end || mask == 0 || mask > 0xffffffffUL) {
		fprintf(stderr, "bw-ctmark: bad mask %s\n", argv[2]);
		return 2;
	}
	if (ctmark_clear((uint32_t)mask, &err) < 0) {
		fprintf(stderr, "bw-ctmark: %s\n", err.msg);
		return 1;
	}
	return 0;
}
