/* A kernel knob: a /proc/sys or /sys/module file and a value for it. */
#pragma once

struct knob {
	char path[256];  /* absolute, e.g. /proc/sys/net/ipv4/ip_forward */
	char value[128];
};
