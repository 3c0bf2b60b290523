import Foundation

/// A private `dbus-daemon` for tests, the demo and benchmarks: no Victron hardware, no system bus.
public final class PrivateBus: @unchecked Sendable {
    /// The address to connect to, e.g. `unix:path=/tmp/dbus-XXXX`.
    public let address: String
    private let process: ChildProcess
    private let directory: URL

    /// Starts `dbus-daemon` with a minimal session-like configuration in a fresh temp directory.
    public init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dab-bus-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let socket = directory.appendingPathComponent("bus").path
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
        let configURL = directory.appendingPathComponent("bus.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)

        // Its output goes to /dev/null so that it never holds a test runner's pipes open.
        let process = try ChildProcess(path: Self.findDaemon(),
                                       arguments: ["--config-file=\(configURL.path)", "--nofork", "--nopidfile"])

        self.process = process
        self.directory = directory
        self.address = "unix:path=\(socket)"

        // Ready when a client can register: the socket file appears before the daemon accepts.
        var waited = 0.0
        while true {
            if FileManager.default.fileExists(atPath: socket), let probe = try? BusConnection(.address(address)) {
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
        try? FileManager.default.removeItem(at: directory)
    }

    public var isRunning: Bool { process.isRunning }

    private static func findDaemon() -> String {
        for candidate in ["/usr/bin/dbus-daemon", "/bin/dbus-daemon", "/usr/local/bin/dbus-daemon"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/bin/dbus-daemon"
    }
}
