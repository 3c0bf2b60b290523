import BusTestSupport
import Foundation
import HostCore
import PluginKit
import Simulator
import Testing
import VeDbus

/// The daemon and a simulated Venus OS system on one private dbus-daemon, driven tick by tick
/// on a manual clock: no sleeping, no wall clock, and every value reaches the daemon over the bus.
final class DaemonHarness {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    let clock = ManualClock()
    let fixture: BusFixture
    let venus: SimulatedVenus
    let folder: String
    var date: CalendarDate
    private(set) var daemon: AggregatorDaemon
    private let configText: String
    private let logger: DaemonLogger
    private let pluginDirectory: String?
    /// Every line the daemon logged (debug and up).
    let logs = LogRecorder()

    /// `config` holds config.ini lines (KEY = value); `stateFiles` are written to the state folder first;
    /// `pluginDirectory` replaces the build folder as the only plugin folder.
    init(config: [String: String], simulation: SimulationConfig = SimulationConfig(), scenario: Scenario = .steady,
         date: CalendarDate = CalendarDate(year: 2026, month: 6, day: 15), stateFiles: [String: String] = [:],
         pluginDirectory: String? = nil) throws {
        self.pluginDirectory = pluginDirectory
        fixture = try BusFixture(clock: { [clock] in clock.now })
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dab-it-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in stateFiles {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        let base = ["NR_OF_BATTERIES": "\(simulation.batteryCount)",
                    "NR_OF_CELLS_PER_BATTERY": "\(simulation.cellsPerBattery)",
                    "NR_OF_MPPTS": "\(simulation.mpptCount)",
                    "LOG_PERIOD": "0"]
        var lines = ["[DEFAULT]"]
        // A key given in `config` replaces the one derived from the simulation.
        for (key, value) in base.sorted(by: { $0.key < $1.key }) where config[key] == nil { lines.append("\(key) = \(value)") }
        for (key, value) in config.sorted(by: { $0.key < $1.key }) { lines.append("\(key) = \(value)") }
        configText = lines.joined(separator: "\n") + "\n"
        try configText.write(toFile: folder + "/config.ini", atomically: true, encoding: .utf8)
        self.date = date
        self.logger = logs.logger()
        venus = SimulatedVenus(scenario: scenario, config: simulation, address: .address(fixture.bus.address), loop: fixture.loop)
        try venus.start()
        daemon = try Self.makeDaemon(folder: folder, fixture: fixture, logger: logger, pluginDirectory: pluginDirectory,
                                     date: { date })
        daemon.start(ticking: false)
        settle()
    }

    deinit {
        daemon.stop()
        venus.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func makeDaemon(folder: String, fixture: BusFixture, logger: DaemonLogger, pluginDirectory: String?,
                                   date: @escaping () -> CalendarDate) throws -> AggregatorDaemon {
        let paths = DaemonPaths(defaultConfig: repositoryRoot + "/config.default.ini", userConfig: folder + "/config.ini",
                                stateDirectory: folder, pluginDirectory: try pluginDirectory ?? pluginFolder())
        let prepared: PreparedStrategies
        switch Startup.prepare(paths: paths, logger: logger, calendar: date) {
        case .success(let ready): prepared = ready
        case .failure(let failure): throw HarnessError(failure.description)
        }
        return try AggregatorDaemon(prepared: prepared, address: .address(fixture.bus.address), loop: fixture.loop,
                                    logger: logger, calendar: date)
    }

    /// The folder of the test binary, where SwiftPM puts the plugin libraries.
    static func pluginFolder() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }

    /// Lets every queued message arrive (a few loop passes without waiting long).
    func settle() {
        for _ in 0..<3 { fixture.loop.runOnce(maxWait: 0.02) }
        fixture.spin(until: { daemon.monitor.isSettled }, realSeconds: 2)
        for _ in 0..<3 { fixture.loop.runOnce(maxWait: 0.02) }
    }

    /// `seconds` simulated seconds: the simulation steps and publishes, the daemon ticks once a second.
    func run(seconds: Int) {
        for _ in 0..<seconds {
            clock.advance(1)
            let sentBefore = venus.batteries.map(\.publishCount)
            venus.step(1)
            // Only batteries whose values moved sent anything this second; wait until the daemon
            // holds the last value each of them sent (the end of its burst of signals).
            let publishing = zip(venus.batteries, sentBefore).filter { $0.publishCount > $1 }.map { $0.0 }
            fixture.spin(until: {
                publishing.allSatisfy { battery in
                    guard let last = battery.lastPublished else { return true }
                    return self.daemon.monitor.value(battery.serviceName, last.path) == last.value
                }
            }, realSeconds: 1)
            daemon.tick()
            settle()
        }
    }

    /// The daemon's published value of a path.
    func published(_ path: AggregatePath) -> DBusValue { daemon.service[path] }

    func number(_ path: AggregatePath) -> Double? { published(path).number }

    /// Stops the daemon and starts a new one on the same files, as after a reboot.
    func restart() throws {
        daemon.stop()
        settle()
        daemon = try Self.makeDaemon(folder: folder, fixture: fixture, logger: logger, pluginDirectory: pluginDirectory,
                                     date: { [unowned self] in self.date })
        daemon.start(ticking: false)
        settle()
    }

    /// The files this harness's daemon reads (for reloads).
    var paths: DaemonPaths {
        get throws {
            DaemonPaths(defaultConfig: Self.repositoryRoot + "/config.default.ini", userConfig: folder + "/config.ini",
                        stateDirectory: folder, pluginDirectory: try Self.pluginFolder())
        }
    }

    /// Text of a state file, nil when absent.
    func stateFile(_ name: String) -> String? {
        try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)
    }

    /// Runs an independent client while the loop serves.
    func tool(_ arguments: String...) throws -> ToolOutput {
        try ExternalTool.run(arguments, loop: fixture.loop)
    }

    struct HarnessError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
