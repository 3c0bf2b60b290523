/* malloc and friends counted, then forwarded to glibc's implementation (the __libc_ entry
 * points). The executable's definitions win symbol resolution over libc's, so allocations from
 * libswiftCore, libdbus and the plugins are counted too. */
#include "malloc_counter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic unsigned long long allocations;

static inline void counted(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

unsigned long long dab_malloc_count(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }

void *malloc(size_t size) { counted(); return __libc_malloc(size); }

void *calloc(size_t count, size_t size) { counted(); return __libc_calloc(count, size); }

void *realloc(void *pointer, size_t size) { counted(); return __libc_realloc(pointer, size); }

void *memalign(size_t alignment, size_t size) { counted(); return __libc_memalign(alignment, size); }

void *aligned_alloc(size_t alignment, size_t size) { counted(); return __libc_memalign(alignment, size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    counted();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
