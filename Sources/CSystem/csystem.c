/* Everything else is inline in include/csystem.h; a C target needs one source file. */
#include "csystem.h"

#if defined(__GLIBC__) && !__GLIBC_PREREQ(2, 36)
#include <sys/random.h>

/* Embedded Swift seeds its hashing with arc4random_buf, which glibc has only since 2.36; GX
 * devices on Venus OS 3.5x run glibc 2.31. The same from the kernel's getrandom (glibc 2.25). */
void arc4random_buf(void *buffer, size_t size) {
    unsigned char *bytes = buffer;
    while (size > 0) {
        ssize_t count = getrandom(bytes, size, 0);
        if (count < 0) {
            if (errno == EINTR) continue;
            abort();  /* no randomness at all: nothing sane to seed with */
        }
        bytes += count;
        size -= (size_t)count;
    }
}
#endif
