import BusTools
import Glibc
import HostCore
import PluginKit
import Simulator
import VeDbus

/// `dab-demo trace`: runs a simulator scenario for hours of simulated time in seconds of real
/// time, with the daemon's own code in this process on a private bus and a manual clock, and
/// writes the daemon's trace (TRACE_FILE): what its strategies got and gave each tick. The
/// example traces in Examples/traces are made this way.
enum ScenarioTraceCommand {
    static let spec = CommandSpec(
        name: "trace",
        abstract: "Write a trace of a simulator scenario in simulated time (no waiting): the daemon's strategy inputs and outputs each tick.",
        options: [
            .value("out", "FILE", help: "The trace file to write."),
            .value("scenario", "NAME", help: "One of \(DemoCommand.scenarioNames) (default chargeToFullWithPeakingCell)."),
            .value("hours", "H", help: "Simulated hours (default 1)."),
            .value("step", "S", help: "Simulated seconds per tick (default 10; the daemon's time step)."),
            .value("batteries", "N", help: "Number of simulated batteries (default 2)."),
            .value("cells", "N", help: "Cells per battery (default 16)."),
            .value("capacity", "AH", help: "Capacity of each battery, Ah (default 280)."),
            .value("date", "YYYY-MM-DD", help: "The calendar date the trace starts on (default 2026-06-15)."),
            .value("start-hour", "H", help: "The hour of that day the trace starts at, 0-23 (default 0): a night from 22 crosses midnight."),
            .value("own-charge", "BOOL", help: "OwnCharge instead of BMSCombine (default true)."),
            .value("own-soc", "BOOL", help: "OwnSoC instead of BMSAverage (default true)."),
            .value("default-config", "PATH", help: "config.default.ini to use."),
            .value("plugin-dir", "PATH", help: "Folder of the strategy plugins (default: beside this program)."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard let out = arguments.string("out") else { throw UsageError("trace needs --out FILE") }
        let scenarioName = arguments.string("scenario") ?? Scenario.chargeToFullWithPeakingCell.rawValue
        guard let scenario = Scenario(rawValue: scenarioName) else {
            throw UsageError("unknown scenario \(scenarioName); one of \(DemoCommand.scenarioNames)")
        }
        let hours = try arguments.double("hours", default: 1)
        let step = try arguments.double("step", default: 10)
        guard hours > 0, hours.isFinite, step >= 1, step <= 3600 else {
            throw UsageError("--hours must be positive and --step between 1 and 3600 s")
        }
        guard let start = CalendarDay.parse(arguments.string("date") ?? "2026-06-15") else {
            throw UsageError("--date: expected YYYY-MM-DD")
        }
        let startHour = try arguments.double("start-hour", default: 0)
        guard startHour >= 0, startHour < 24 else { throw UsageError("--start-hour must be 0 to 23") }
        var simulation = SimulationConfig()
        simulation.batteryCount = try arguments.int("batteries", default: 2)
        simulation.cellsPerBattery = try arguments.int("cells", default: 16)
        simulation.capacityAh = try arguments.double("capacity", default: 280)
        simulation.mpptCount = 1
        // Readings jitter as a BMS's do, and each battery sends what moved, path by path.
        simulation.measurementNoise = true
        simulation.batteryPublishMode = .propertiesChanged
        let outPath = out.hasPrefix("/") ? out : currentDirectory() + "/" + out

        let bus = try PrivateBus()
        defer { bus.stop() }
        let folder = try TemporaryDirectory.make(prefix: "dab-trace")
        defer { TemporaryDirectory.remove(folder) }
        // A step longer than a few seconds: a pack silent for one step is not stale.
        try TemporaryDirectory.write("""
            [DEFAULT]
            NR_OF_BATTERIES = \(simulation.batteryCount)
            NR_OF_CELLS_PER_BATTERY = \(simulation.cellsPerBattery)
            NR_OF_MPPTS = 1
            CURRENT_FROM_VICTRON = True
            OWN_CHARGE_PARAMETERS = \(try arguments.bool("own-charge", default: true) ? "True" : "False")
            OWN_SOC = \(try arguments.bool("own-soc", default: true) ? "True" : "False")
            STALE_TIMEOUT = \(Int(max(10, 4 * step)))
            LOGGING = ERROR
            LOG_PERIOD = 0
            TRACE_FILE = \(outPath)
            TRACE_MAX_BYTES = 1000000000

            """, to: folder + "/config.ini")
        let paths = DaemonPaths.resolve(
            defaultConfig: arguments.string("default-config") ?? DemoCommand.checkoutDefaultConfig(),
            userConfig: folder + "/config.ini", stateDirectory: folder,
            pluginDirectory: arguments.string("plugin-dir") ?? executableDirectory())
        let clock = SimulatedClock()
        var today = start
        let logger = DaemonLogger(level: .error)
        let prepared: PreparedStrategies
        switch Startup.prepare(paths: paths, logger: logger, calendar: { today.date }) {
        case .success(let ready): prepared = ready
        case .failure(let failure): throw UsageError("the daemon cannot start: " + failure.lines.joined(separator: "; "))
        }
        let loop = EventLoop(clock: { clock.now })
        let venus = SimulatedVenus(scenario: scenario, config: simulation, address: .address(bus.address), loop: loop)
        try venus.start()
        defer { venus.stop() }
        let daemon = try AggregatorDaemon(prepared: prepared, address: .address(bus.address), loop: loop, logger: logger,
                                          calendar: { today.date })
        daemon.start(ticking: false)
        defer { daemon.stop() }
        let ticks = Int((hours * 3600 / step).rounded())
        for _ in 0..<ticks {
            // Close the loop as DVCC does: the simulated chargers follow the published limits.
            if let limits = daemon.lastOutcome?.limits {
                venus.dvcc = DvccLimits(chargeVoltageLimitV: limits.chargeVoltageLimit,
                                        chargeCurrentLimitA: limits.chargeCurrentLimit,
                                        dischargeCurrentLimitA: limits.dischargeCurrentLimit)
            }
            clock.now += step
            today = start.adding(days: Int((startHour * 3600 + venus.time) / 86400))
            let sentBefore = venus.batteries.map(\.publishCount)
            venus.step(step)
            // Until the daemon holds the last value each battery that sent sent (bounded in
            // passes: the manual clock does not move while the bus delivers).
            let publishing = zip(venus.batteries, sentBefore).filter { $0.publishCount > $1 }.map { $0.0 }
            for _ in 0..<400 {
                let received = publishing.allSatisfy { battery in
                    guard let last = battery.lastPublished else { return true }
                    return daemon.monitor.value(battery.serviceName, last.path) == last.value
                }
                if received && daemon.monitor.isSettled { break }
                loop.runOnce(maxWait: 0.005)
            }
            for _ in 0..<3 { loop.runOnce(maxWait: 0.001) }
            daemon.tick()
        }
        print("\(ticks) ticks of \(scenario.rawValue) (\(TextFormat.fixedPoint(hours, decimals: 2)) h, \(Int(step)) s a tick) written to \(outPath)")
        return 0
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(cString: buffer)
    }
}

/// Time that moves only when the trace writer moves it.
final class SimulatedClock {
    var now = 1000.0
}

/// A calendar day that can move forward, for a trace longer than a day.
struct CalendarDay {
    var date: CalendarDate

    /// "YYYY-MM-DD", as a trace writes dates.
    static func parse(_ text: String) -> CalendarDay? {
        TraceCoding.date(text).map { CalendarDay(date: $0) }
    }

    func adding(days: Int) -> CalendarDay {
        var date = self.date
        for _ in 0..<max(0, days) {
            date.day += 1
            if date.day > TraceCoding.daysIn(month: date.month, year: date.year) {
                date.day = 1
                date.month += 1
                if date.month > 12 {
                    date.month = 1
                    date.year += 1
                }
            }
        }
        return CalendarDay(date: date)
    }
}
