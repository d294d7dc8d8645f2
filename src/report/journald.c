/* journald.conf as systemd's configuration parser reads it, for the one
 * key the CIS check needs. Pure. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/parse.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One logical line (without its newline, continuations joined), trimmed. */
static void apply_line(char *line, bool *in_journal, char *storage, size_t size)
{
	char *eq, *key_end, *value;
	size_t len;

	while (is_space(*line))
		line++;
	len = strlen(line);
	while (len > 0 && is_space(line[len - 1]))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#' || line[0] == ';')
		return;
	if (line[0] == '[') {
		*in_journal = strcmp(line, "[Journal]") == 0;
		return;
	}
	eq = strchr(line, '=');
	if (!eq || !*in_journal)
		return;
	key_end = eq;
	while (key_end > line && is_space(key_end[-1]))
		key_end--;
	value = eq + 1;
	while (is_space(*value))
		value++;
	if ((size_t)(key_end - line) != strlen("Storage") || strncmp(line, "Storage", 7) != 0)
		return;
	/* an empty value resets to the default; an unknown one is ignored
	 * with a warning, the earlier value kept */
	if (!*value)
		snprintf(storage, size, "auto");
	else if (strcmp(value, "volatile") == 0 || strcmp(value, "persistent") == 0 ||
		 strcmp(value, "auto") == 0 || strcmp(value, "none") == 0)
		snprintf(storage, size, "%s", value);
}

void journald_storage(const char *text, char *storage, size_t size)
{
	char line[4096];
	size_t len = 0;
	bool in_journal = false;

	for (const char *p = text;; p++) {
		if (*p == '\n' || *p == '\0') {
			/* a trailing backslash continues the line */
			if (*p == '\n' && len > 0 && line[len - 1] == '\\') {
				line[len - 1] = ' ';
				continue;
			}
			line[len] = '\0';
			apply_line(line, &in_journal, storage, size);
			len = 0;
			if (*p == '\0')
				break;
		} else if (len + 1 < sizeof(line)) {
			line[len++] = *p;
		}
	}
}
