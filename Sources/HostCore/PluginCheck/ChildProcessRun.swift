import CSystem

/// Runs a piece of work in a forked child and collects the lines it writes, so that a crash or a
/// hang in a plugin is reported by the parent instead of suffered. The parent is single-threaded
/// (the daemon's code has no threads), so forking it is safe.
struct ChildProcessRun {
    /// How the child ended.
    enum End: Equatable {
        case exited(Int32)
        case signal(Int32)
        /// Killed after the time limit.
        case timedOut
    }

    /// `work` runs in the child with a function that writes one line to the parent.
    static func run(timeoutSeconds: Double, _ work: (_ report: @escaping (String) -> Void) -> Void) -> (lines: [String], end: End) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (["P cannot create a pipe for the child"], .exited(-1)) }
        fflush(nil)
        let pid = fork()
        if pid < 0 {
            close(fds[0])
            close(fds[1])
            return (["P cannot fork a child"], .exited(-1))
        }
        if pid == 0 {
            close(fds[0])
            let writeFD = fds[1]
            work { line in
                var text = line + "\n"
                text.withUTF8 { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(writeFD, bytes.baseAddress! + offset, bytes.count - offset)
                        if written <= 0 { if csystem_errno() == EINTR { continue }; return }
                        offset += written
                    }
                }
            }
            // No atexit handlers or stdio flushes of the parent's buffers in the child.
            _exit(0)
        }
        close(fds[1])
        let readFD = fds[0]
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = monotonicSeconds() + timeoutSeconds
        var timedOut = false
        while true {
            let left = deadline - monotonicSeconds()
            if left <= 0 {
                timedOut = true
                break
            }
            var poller = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && csystem_errno() == EINTR { continue }
            if ready <= 0 { continue }
            let count = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0 && csystem_errno() == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > 1 << 20 { bytes.removeFirst(bytes.count - (1 << 20)) }
        }
        close(readFD)
        var code: Int32 = 0
        var signal: Int32 = 0
        if timedOut {
            kill(pid, SIGKILL)
            _ = csystem_wait_child(pid, 1, &code, &signal)
        } else {
            _ = csystem_wait_child(pid, 1, &code, &signal)
        }
        let lines = bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        if timedOut { return (lines, .timedOut) }
        return (lines, signal != 0 ? .signal(signal) : .exited(code))
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
