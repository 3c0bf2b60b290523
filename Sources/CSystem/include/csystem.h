/* libc for Swift, the same in the ordinary and the Embedded builds.
 *
 * Embedded Swift has no Glibc overlay, so the daemon's modules import libc through this module
 * instead, in both builds, and see the same names. What the overlay added in Swift is here in C:
 * errno (a macro), and the variadic open() and fcntl(), which Swift cannot call. */
#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <dirent.h>
#include <stddef.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Gives the heap's free memory back to the system (glibc keeps freed pages of its main heap
 * otherwise): called after a large message's buffer was released, so that one burst does
 * not stay in the resident size. Nothing elsewhere. */
static inline void csystem_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

/* errno of the calling thread. */
static inline int csystem_errno(void) { return errno; }

/* open(2) with its optional mode always given. */
static inline int csystem_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }

/* fcntl(2) for the commands that take an int (F_GETFL, F_SETFL, F_GETFD, F_SETFD). */
static inline int csystem_fcntl(int fd, int command, int argument) { return fcntl(fd, command, argument); }

/* A blocking stream socket connected to a Unix socket at `path`, or in the abstract namespace
 * when `abstract` (the bus addresses `unix:path=` and `unix:abstract=`). -1 with errno set. */
static inline int csystem_connect_unix(const char *path, int abstract) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t length = strlen(path);
    size_t offset = abstract ? 1 : 0;
    if (length + offset >= sizeof address.sun_path) { errno = ENAMETOOLONG; return -1; }
    memcpy(address.sun_path + offset, path, length);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + offset + length + (abstract ? 0 : 1));
    if (connect(fd, (struct sockaddr *)&address, size) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* The owner, permission bits and kind of `path` (symbolic links followed), without exposing
 * struct stat to Swift (its layout and glibc's stat wrappers differ across the targets).
 * 0, or -1 with errno set. */
static inline int csystem_file_owner_mode(const char *path, uid_t *owner, mode_t *mode, int *isDirectory) {
    struct stat info;
    if (stat(path, &info) != 0) return -1;
    *owner = info.st_uid;
    *mode = info.st_mode & 07777;
    *isDirectory = S_ISDIR(info.st_mode) ? 1 : 0;
    return 0;
}

/* "%.*f" without Swift's CVarArg boxing: GetText forms are made for every changed path. */
static inline int csystem_format_fixed(char *buffer, size_t size, int decimals, double value) {
    return snprintf(buffer, size, "%.*f", decimals, value);
}

/* Waits for child `pid` without blocking when `block` is 0. Returns 1 when it ended, with
 * `*signal_number` the signal that killed it (0 when it exited) and `*exit_code` its status;
 * 0 when it still runs; -1 with errno set. WIFSIGNALED and friends are macros Swift cannot call. */
static inline int csystem_wait_child(pid_t pid, int block, int *exit_code, int *signal_number) {
    int status = 0;
    pid_t done;
    do {
        done = waitpid(pid, &status, block ? 0 : WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done < 0) return -1;
    if (done == 0) return 0;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return 1;
}

#endif
