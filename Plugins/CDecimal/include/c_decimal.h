/* Decimal text to double with libc's strtod, for Swift code that must not depend on the Swift
 * runtime's own parser: the strategy plugins are built as Embedded Swift, whose standard library
 * leaves that parser to the full runtime. */
#ifndef C_DECIMAL_H
#define C_DECIMAL_H

/* Converts the whole of `text` (NUL-terminated, already checked to be plain decimal syntax) to
 * the nearest double. Returns 1 and sets *value when all of `text` was used, 0 otherwise.
 * strtod follows LC_NUMERIC; the daemon never calls setlocale, so the decimal point is '.'. */
int dab_decimal_to_double(const char *text, double *value);

#endif
