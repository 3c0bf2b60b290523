/* Everything is inline in include/csystem.h; a C target needs one source file. */
#include "csystem.h"
