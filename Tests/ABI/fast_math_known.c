/*
 * fast_math_known.c - dab_is_known must still see NaN when a plugin is built with -ffast-math.
 *
 * -ffast-math lets the compiler assume no NaN exists, so a test written as `value == value`
 * folds to 1 and an unknown input passes as a number. Plugin authors do use that flag, so the
 * header's test must not depend on it. The NaNs here are made at run time (through volatile)
 * so that the compiler cannot decide the answers while compiling.
 *
 * Build and run: cc -O2 -ffast-math -I Sources/PluginAPI/include -o fast_math_known \
 *                    Tests/ABI/fast_math_known.c && ./fast_math_known
 * Exit 0 when every check holds; otherwise 1, with one line per failed check on stderr.
 */
#include <dab_plugin.h>

#include <stdio.h>

#ifndef __FAST_MATH__
#error "build this test with -ffast-math: without it, it proves nothing"
#endif

/* Clang warns that a NaN constant is undefined under -ffast-math; making one is the point here. */
#if defined(__clang__) && defined(__has_warning)
#if __has_warning("-Wnan-infinity-disabled")
#pragma clang diagnostic ignored "-Wnan-infinity-disabled"
#endif
#endif

static int failures = 0;

static void expect(const char *what, double value, int known) {
    if (dab_is_known(value) != known) {
        fprintf(stderr, "fast_math_known: dab_is_known(%s) gave %d, expected %d\n", what,
                dab_is_known(value), known);
        failures++;
    }
}

int main(void) {
    volatile double zero = 0.0;
    volatile double one = 1.0;
    volatile double unknown = DAB_UNKNOWN;

    double computed_nan = zero / zero;
    double stored_unknown = unknown;
    double infinity = one / zero;
    double negative_zero = -zero;

    expect("0.0/0.0", computed_nan, 0);
    expect("DAB_UNKNOWN", stored_unknown, 0);
    expect("1.0", one, 1);
    expect("0.0", zero, 1);
    expect("-0.0", negative_zero, 1);
    expect("infinity", infinity, 1);
    expect("-infinity", -infinity, 1);
    return failures == 0 ? 0 : 1;
}
