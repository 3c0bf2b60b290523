#include "plugin_libc.h"
#include <stdlib.h>
#include <string.h>

int dab_decimal_to_double(const char *text, double *value) {
    char *end = NULL;
    double parsed = strtod(text, &end);
    if (end == text || *end != '\0') return 0;
    *value = parsed;
    return 1;
}

int dab_text_equals(const char *text, const void *bytes, size_t count) {
    return strlen(text) == count && memcmp(text, bytes, count) == 0;
}
