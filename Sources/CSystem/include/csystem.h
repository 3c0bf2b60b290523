/* libc for Swift, the same in the ordinary and the Embedded builds.
 *
 * Embedded Swift has no Glibc overlay, so the daemon's modules import libc through this module
 * instead, in both builds, and see the same names. What the overlay added in Swift is here in C:
 * errno (a macro), and the variadic open() and fcntl(), which Swift cannot call. */
#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* errno of the calling thread. */
static inline int csystem_errno(void) { return errno; }

/* open(2) with its optional mode always given. */
static inline int csystem_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }

/* fcntl(2) for the commands that take an int (F_GETFL, F_SETFL, F_GETFD, F_SETFD). */
static inline int csystem_fcntl(int fd, int command, int argument) { return fcntl(fd, command, argument); }

#endif
