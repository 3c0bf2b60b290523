/* Counts heap allocations of the whole process, for the tick micro-benchmark only.
 * Linking this target replaces malloc and friends (they forward to glibc's own), so never make
 * the daemon, a plugin or a test depend on it. */
#ifndef DAB_MALLOC_COUNTER_H
#define DAB_MALLOC_COUNTER_H

/* Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) so far. */
unsigned long long dab_malloc_count(void);

#endif
