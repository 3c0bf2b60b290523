import Glibc
import VeDbus

/// A private `dbus-daemon` for tests, the demo and benchmarks: no Victron hardware, no system bus.
public final class PrivateBus: @unchecked Sendable {
    /// The address to connect to, e.g. `unix:path=/tmp/dbus-XXXX`.
    public let address: String
    private var process: ChildProcess
    private let directory: String
    private let configPath: String
    private let socket: String

    /// Starts `dbus-daemon` with a minimal session-like configuration in a fresh temp directory.
    public init() throws {
        let directory = try TemporaryDirectory.make(prefix: "dab-bus")
        let socket = directory + "/bus"
        let config = """
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>unix:path=\(socket)</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/>
            <allow eavesdrop="true"/>
            <allow own="*"/>
          </policy>
        </busconfig>
        """
        let configPath = directory + "/bus.conf"
        try TemporaryDirectory.write(config, to: configPath)

        self.process = try Self.launch(configPath: configPath)
        self.directory = directory
        self.configPath = configPath
        self.socket = socket
        self.address = "unix:path=\(socket)"
        try waitUntilAccepting()
    }

    /// Its output goes to /dev/null so that it never holds a test runner's pipes open.
    private static func launch(configPath: String) throws(DBusError) -> ChildProcess {
        try ChildProcess(path: findDaemon(), arguments: ["--config-file=\(configPath)", "--nofork", "--nopidfile"])
    }

    /// Stops the daemon and starts a new one on the same address: every client loses its
    /// connection, as when the system bus restarts.
    public func restart() throws {
        process.terminate()
        unlink(socket)
        process = try Self.launch(configPath: configPath)
        try waitUntilAccepting()
    }

    /// Ready when a client can register: the socket file appears before the daemon accepts.
    private func waitUntilAccepting() throws {
        var waited = 0.0
        while true {
            if access(socket, F_OK) == 0, let probe = try? BusConnection(.address(address)) {
                probe.close()
                break
            }
            guard process.isRunning, waited < 10 else {
                stop()
                throw DBusError(name: DBusError.failed, message: "dbus-daemon did not start")
            }
            usleep(10_000)
            waited += 0.01
        }
    }

    deinit { stop() }

    /// Stops the daemon and removes its directory.
    public func stop() {
        process.terminate()
        TemporaryDirectory.remove(directory)
    }

    public var isRunning: Bool { process.isRunning }

    private static func findDaemon() -> String {
        for candidate in ["/usr/bin/dbus-daemon", "/bin/dbus-daemon", "/usr/local/bin/dbus-daemon"]
        where access(candidate, X_OK) == 0 {
            return candidate
        }
        return "/usr/bin/dbus-daemon"
    }
}

/// Scratch folders with libc calls (mkdtemp, fopen, unlink): what the bus and the demo need.
public enum TemporaryDirectory {
    /// A new folder `$TMPDIR/<prefix>-XXXXXX`; its path.
    public static func make(prefix: String) throws(DBusError) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw DBusError(name: DBusError.failed, message: "cannot create a folder in \(base): errno \(errno)")
        }
        return String(cString: made)
    }

    /// Writes `text` to `path`, replacing it.
    public static func write(_ text: String, to path: String) throws(DBusError) {
        guard let file = fopen(path, "w") else {
            throw DBusError(name: DBusError.failed, message: "cannot write \(path): errno \(errno)")
        }
        defer { fclose(file) }
        guard fputs(text, file) >= 0 else {
            throw DBusError(name: DBusError.failed, message: "cannot write \(path): errno \(errno)")
        }
    }

    /// Removes the files in `path` (one level, as made here), then the folder.
    public static func remove(_ path: String) {
        guard let folder = opendir(path) else { return }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(folder)
        rmdir(path)
    }
}
