import BusTestSupport
import BusTools
import Foundation
import Simulator
import Testing
import VeDbus

/// The `dab-simulator` executable: it fills the bus and leaves it cleanly on SIGTERM.
@Suite struct CommandLineTests {
    /// The executable is built next to the test bundle (`.build/debug`).
    static func executablePath() -> String? {
        let bundleDirectory = Bundle.main.bundleURL.deletingLastPathComponent()
        for directory in [Bundle.main.bundleURL, bundleDirectory] {
            let candidate = directory.appendingPathComponent("dab-simulator").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @Test func publishesTheSystemAndEndsCleanlyOnSigterm() throws {
        let path = try #require(Self.executablePath(), "dab-simulator is built by `swift build`")
        let fixture = try BusFixture()
        try SimulatorBench.waitUntilAccepting(fixture)
        // Its stdout comes through a pipe the loop watches: the end of output wakes the loop.
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let child = try ChildProcess(path: path, arguments: ["--address", fixture.bus.address, "--batteries", "3",
                                                             "--cells", "8", "--mppts", "2", "--speed", "10"],
                                     stdoutFD: fds[1])
        close(fds[1])
        defer { child.terminate(signal: SIGKILL) }
        var output: [UInt8] = []
        var outputClosed = false
        fixture.loop.watch(fileDescriptor: fds[0]) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 { output += buffer[0..<count] } else {
                outputClosed = true
                fixture.loop.unwatch(fileDescriptor: fds[0])
            }
        }
        defer { close(fds[0]) }
        let monitor = VeMonitor(connection: try fixture.connect(), prefixes: ["com.victronenergy."])
        var removed: [String] = []
        monitor.onServiceRemoved = { removed.append($0) }
        monitor.start()
        let batteries = (0..<3).map { "com.victronenergy.battery.ttyUSB\($0)" }
        // The program connects on its own schedule; wait for it (an event, not a time).
        let appeared = fixture.spin(until: {
            monitor.readyServices(withPrefix: "com.victronenergy.battery.") == batteries
                && monitor.readyServices(withPrefix: "com.victronenergy.solarcharger.").count == 2
        }, timeout: 30)
        #expect(appeared)
        #expect(monitor.value(batteries[0], "/System/NrOfCellsPerBattery") == .int32(8))
        #expect(monitor.value(batteries[0], "/Info/MaxChargeVoltage") == .double(27.6))

        kill(child.pid, SIGTERM)
        #expect(fixture.spin(until: { outputClosed }, timeout: 30))
        #expect(child.waitForExit() == 0)
        #expect(String(decoding: output, as: UTF8.self).contains("dab-simulator: stopped after"))
        #expect(fixture.spin(until: { Set(batteries).isSubset(of: Set(removed)) }, timeout: 10))
    }
}
