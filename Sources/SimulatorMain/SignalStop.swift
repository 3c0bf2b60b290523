#if canImport(Glibc)
import Glibc
#endif
import VeDbus

/// The write end of the self-pipe; a signal handler may only call async-signal-safe functions,
/// so it writes one byte here and the event loop does the rest.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

/// Ends the event loop cleanly on SIGINT or SIGTERM (self-pipe watched by the loop).
enum SignalStop {
    static func install(on loop: EventLoop) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        signalPipeWriteFD = fds[1]
        let readFD = fds[0]
        loop.watch(fileDescriptor: readFD) {
            var buffer = [UInt8](repeating: 0, count: 16)
            _ = read(readFD, &buffer, buffer.count)
            loop.stop()
        }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { _ in
                var byte: UInt8 = 1
                _ = write(signalPipeWriteFD, &byte, 1)
            }
        }
    }
}
