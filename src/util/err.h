/* One human-readable error, filled by whoever failed, printed by main.c. */
#pragma once
#include <stdbool.h>

struct bw_err {
	char msg[512];
	char file[256]; /* input file, "" when the error is not about input */
	int line;       /* 1-based; 0 when unknown */
	int col;        /* 1-based; 0 when unknown */
	bool is_input;  /* bad input or usage: exit 2; otherwise exit 1 */
};

/* Runtime failure ("what: why"). Returns code (a negative errno). */
int bw_errf(struct bw_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Bad input at file:line:col. Returns -EINVAL. */
int bw_err_at(struct bw_err *err, const char *file, int line, int col,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Bad input or usage with no position. Returns -EINVAL. */
int bw_err_input(struct bw_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Formats the error as one line without the "bulwark: " prefix. */
void bw_err_format(const struct bw_err *err, char *out, int out_size);
