/* modprobe.d(5) install lines, read the way modprobe reads them. */
#include <stdio.h>
#include <string.h>

#include "report/parse.h"

static bool same_module(const char *a, size_t a_len, const char *b)
{
	size_t i;

	for (i = 0; i < a_len && b[i]; i++) {
		char x = (char)(a[i] == '-' ? '_' : a[i]);
		char y = (char)(b[i] == '-' ? '_' : b[i]);

		if (x != y)
			return false;
	}
	return i == a_len && b[i] == '\0';
}

/* One logical line (continuations joined) into buf. Returns the start of
 * the next line, or NULL at the end. */
static const char *next_line(const char *p, char *buf, size_t size)
{
	size_t n = 0;

	if (!*p)
		return NULL;
	while (*p) {
		if (p[0] == '\\' && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (*p == '\n') {
			p++;
			break;
		}
		if (n + 1 < size)
			buf[n++] = *p;
		p++;
	}
	buf[n] = '\0';
	return p;
}

bool modprobe_find_install(const char *text, const char *module, char *cmd,
			   size_t cmd_size)
{
	char line[4096];
	const char *p = text;

	cmd[0] = '\0';
	while ((p = next_line(p, line, sizeof(line)))) {
		char *s = line + strspn(line, " \t");
		size_t word;

		if (*s == '#' || strncmp(s, "install", 7) != 0 || (s[7] != ' ' && s[7] != '\t'))
			continue;
		s += 7;
		s += strspn(s, " \t");
		word = strcspn(s, " \t");
		if (word == 0 || !same_module(s, word, module))
			continue;
		s += word;
		s += strspn(s, " \t");
		snprintf(cmd, cmd_size, "%s", s);
		for (size_t n = strlen(cmd); n > 0 && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t' ||
						   cmd[n - 1] == '\r'); n--)
			cmd[n - 1] = '\0';
		return true;
	}
	return false;
}

bool modprobe_is_disabling(const char *cmd)
{
	/* bloodhound wants "install /bin/true"; /bin/false refuses the load
	 * as surely (a documented deviation) */
	static const char *const disabling[] = { "/bin/true", "/bin/false" };

	for (size_t i = 0; i < sizeof(disabling) / sizeof(disabling[0]); i++) {
		size_t n = strlen(disabling[i]);

		if (strncmp(cmd, disabling[i], n) != 0 ||
		    (cmd[n] != '\0' && cmd[n] != ' ' && cmd[n] != '\t'))
			continue;
		/* modprobe hands the command to sh: anything that chains another
		 * command ("/bin/true && modprobe --ignore-install udf") may
		 * load the module after all */
		return cmd[n + strcspn(cmd + n, ";&|`$()<>\n")] == '\0';
	}
	return false;
}
