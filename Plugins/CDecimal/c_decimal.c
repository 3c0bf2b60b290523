#include "c_decimal.h"
#include <stdlib.h>

int dab_decimal_to_double(const char *text, double *value) {
    char *end = NULL;
    double parsed = strtod(text, &end);
    if (end == text || *end != '\0') return 0;
    *value = parsed;
    return 1;
}
