import BusTestSupport
import BusTools
import Foundation
import HostCore
import Simulator
import VeDbus

/// The shipped executable (the Embedded build of `dbus-aggregate-batteries`) on a private bus
/// beside the simulator, in real time: what the signal and fault tests run.
final class ShippedDaemon {
    let fixture: BusFixture
    let venus: SimulatedVenus
    let folder: String
    let process: ChildProcess
    /// Where the daemon's log (its standard error) goes.
    let logPath: String
    private let logHandle: FileHandle

    init(configLines: [String], scenario: Scenario = .steady, simulation: SimulationConfig = SimulationConfig()) throws {
        fixture = try BusFixture()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dab-sig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        venus = SimulatedVenus(scenario: scenario, config: simulation, address: .address(fixture.bus.address),
                               loop: fixture.loop)
        try (configLines.joined(separator: "\n") + "\n").write(toFile: folder + "/config.ini", atomically: true, encoding: .utf8)
        try venus.start()
        logPath = folder + "/daemon.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let build = try DaemonHarness.pluginFolder()
        process = try ChildProcess(path: build + "/dbus-aggregate-batteries", arguments: [
            "run", "--bus", fixture.bus.address, "--config", folder + "/config.ini",
            "--default-config", DaemonHarness.repositoryRoot + "/config.default.ini",
            "--state-dir", folder, "--plugin-dir", build], stderrFD: logHandle.fileDescriptor)
    }

    deinit {
        if process.isRunning { process.terminate(signal: SIGKILL) }
        venus.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func writeConfig(_ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/config.ini", atomically: true, encoding: .utf8)
    }

    /// Serves the simulator (one step per half second) until `condition` or `timeout` s.
    func serve(until condition: () -> Bool, timeout: Double) -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            venus.step(0.5)
            if fixture.spin(until: condition, timeout: 0.5) { return true }
        }
        return condition()
    }

    /// What the daemon has logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A monitor of the aggregate service on a connection of its own.
    func aggregateReader() throws -> VeMonitor {
        let reader = VeMonitor(connection: try fixture.connect(), prefixes: [AggregateService.serviceName])
        reader.start()
        return reader
    }
}
