import CSystem

/// The write end of the signal pipe: the only thing a signal handler may touch.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

/// Turns SIGTERM, SIGINT and SIGHUP into bytes on a pipe that the event loop watches, so the
/// daemon reacts at a tick boundary on its own thread, never inside a signal handler.
public final class SignalPipe {
    public let readFD: Int32

    /// Installs the handlers; only one SignalPipe per process.
    public init(signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds {
            _ = csystem_fcntl(fd, F_SETFL, csystem_fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            _ = csystem_fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        signalPipeWriteFD = fds[1]
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteFD, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
            // A signal blocked by an inherited mask would never arrive.
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signal)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
        }
    }

    /// Signals received since the last call, in order.
    public func drain() -> [Int32] {
        var received: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 16)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            guard count > 0 else { break }
            received += buffer[0..<count].map { Int32($0) }
        }
        return received
    }
}
