/* The few libc functions PluginKit needs, for Swift code that must not depend on the Swift
 * runtime: the strategy plugins are built as Embedded Swift, whose standard library leaves
 * number parsing to the full runtime and has no Glibc module. */
#ifndef PLUGIN_LIBC_H
#define PLUGIN_LIBC_H

#include <stddef.h>

/* Converts the whole of `text` (NUL-terminated, already checked to be plain decimal syntax) to
 * the nearest double. Returns 1 and sets *value when all of `text` was used, 0 otherwise.
 * strtod follows LC_NUMERIC; the daemon never calls setlocale, so the decimal point is '.'. */
int dab_decimal_to_double(const char *text, double *value);

/* 1 when the C string `text` is exactly the `count` bytes at `bytes` (which may hold a NUL,
 * then never equal), else 0: strlen and memcmp, a word at a time. */
int dab_text_equals(const char *text, const void *bytes, size_t count);

#endif
