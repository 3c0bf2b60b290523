import Glibc
import VeDbus

/// A child process started with posix_spawn and a clean signal state.
///
/// Foundation's Process passes on the spawning thread's blocked signals, so a child can end up
/// deaf to SIGTERM; a bus daemon or a simulated battery must stop when told to.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public private(set) var exitStatus: Int32?

    /// Starts `path` with `arguments`; stdin, and stdout/stderr unless given, go to /dev/null.
    public init(path: String, arguments: [String], environment: [String: String]? = nil,
                stdoutFD: Int32? = nil, stderrFD: Int32? = nil) throws(DBusError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdoutFD { posix_spawn_file_actions_adddup2(&actions, stdoutFD, 1) }
        else { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        if let stderrFD { posix_spawn_file_actions_adddup2(&actions, stderrFD, 2) }
        else { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env: [UnsafeMutablePointer<CChar>?]
        if let environment {
            env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        } else {
            var inherited: [UnsafeMutablePointer<CChar>?] = []
            var cursor = environ
            while let entry = cursor.pointee { inherited.append(strdup(entry)); cursor += 1 }
            env = inherited + [nil]
        }
        defer { env.forEach { free($0) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard result == 0 else {
            throw DBusError(name: DBusError.failed, message: "cannot start \(path): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    deinit { terminate() }

    /// Whether the child is still running (reaps it when it has ended).
    public var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { exitStatus = Self.decode(status); return false }
        return result == 0
    }

    /// Sends `signal` and, for SIGTERM, waits up to `grace` seconds before SIGKILL.
    public func terminate(signal: Int32 = SIGTERM, grace: Double = 5) {
        guard isRunning else { return }
        kill(pid, signal)
        var waited = 0.0
        while isRunning && waited < grace {
            usleep(10_000)
            waited += 0.01
        }
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
    }

    /// Blocks until the child ends; returns its exit status (128 + signal if killed).
    @discardableResult
    public func waitForExit() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
