import BusTools
import Glibc
import HostCore
import Simulator
import VeDbus

/// `dab-demo`: the whole job on a private bus. A simulated Venus OS system runs here; the real
/// daemon, `dbus-aggregate-batteries run`, runs beside it as its own process, exactly as it would
/// on a GX; the live view reads the aggregate over the bus, as Victron's system does.
enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo",
        abstract: "Run the daemon against a simulated Venus OS system on a private D-Bus, with a live view.",
        options: [
            .value("batteries", "N", help: "Number of simulated batteries (default 2)."),
            .value("cells", "N", help: "Cells per battery (default 16)."),
            .value("capacity", "AH", help: "Capacity of each battery, Ah (default 280)."),
            .value("mppts", "N", help: "Solar chargers (default 1)."),
            .value("scenario", "NAME", help: "One of \(scenarioNames) (default chargeToFullWithPeakingCell)."),
            .value("seconds", "S", help: "Seconds to run (default 0 = until Ctrl-C)."),
            .value("speed", "X", help: "Simulated seconds per real second (default 1)."),
            .value("own-charge", "BOOL", help: "Own charge algorithm (OwnCharge) instead of combining the BMS limits (default true)."),
            .value("own-soc", "BOOL", help: "Own coulomb counter (OwnSoC) instead of the BMS average (default true)."),
            .value("default-config", "PATH", help: "config.default.ini to use."),
            .value("plugin-dir", "PATH", help: "Folder of the strategy plugins."),
            .value("daemon", "PATH", help: "The daemon's executable (default: dbus-aggregate-batteries beside this one)."),
            .value("record", "FILE", help: "Also record a trace of the run into FILE (dbus-aggregate-batteries record beside the daemon), to replay."),
            .flag("plain", help: "Print the view as plain text every 5 s instead of refreshing the screen."),
            .flag("verbose", help: "Pass the daemon's info lines to stderr (the view stays on stdout)."),
        ])

    static var scenarioNames: String { Scenario.allCases.map { $0.rawValue }.joined(separator: ", ") }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scenario = arguments.string("scenario") ?? Scenario.chargeToFullWithPeakingCell.rawValue
        // mixed-packs shows BMSCombine's answer to packs not alike: three packs, CVL by phase,
        // current by capacity share.
        let mixed = scenario == Scenario.mixedPacks.rawValue
        let batteries = try arguments.int("batteries", default: mixed ? 3 : 2)
        let cells = try arguments.int("cells", default: 16)
        let capacity = try arguments.double("capacity", default: 280)
        let mppts = try arguments.int("mppts", default: 1)
        let seconds = try arguments.double("seconds", default: 0)
        let speed = try arguments.double("speed", default: 1)
        let ownCharge = try arguments.bool("own-charge", default: !mixed)
        let ownSoc = try arguments.bool("own-soc", default: true)
        let plain = arguments.flag("plain")
        let verbose = arguments.flag("verbose")
        guard speed > 0, speed.isFinite else { throw UsageError("--speed \(speed): must be a positive number") }
        guard let chosenScenario = Scenario(rawValue: scenario) else {
            throw UsageError("unknown scenario \(scenario); one of \(scenarioNames)")
        }
        let daemonPath = arguments.string("daemon") ?? ((executableDirectory() ?? ".") + "/dbus-aggregate-batteries")
        guard access(daemonPath, X_OK) == 0 else {
            throw UsageError("no daemon at \(daemonPath): build it (swift build) or give --daemon")
        }

        let bus = try PrivateBus()
        defer { bus.stop() }
        let folder = try TemporaryDirectory.make(prefix: "dab-demo")
        defer { TemporaryDirectory.remove(folder) }
        var configText = demoConfig(batteries: batteries, cells: cells, mppts: mppts, ownCharge: ownCharge,
                                    ownSoc: ownSoc, verbose: verbose)
        // MAX_CELL_VOLTAGE as a pack's cell over-voltage protection would be set (3.55 V): below it a
        // floating pack's knee does not cap the CVL, so the phases show.
        if mixed { configText += "CVL_MODE = max_while_balancing\nCURRENT_LIMIT_POLICY = capacity_share\nMAX_CELL_VOLTAGE = 3.55\n" }
        try TemporaryDirectory.write(configText, to: folder + "/config.ini")

        let loop = EventLoop()
        var simulation = SimulationConfig()
        simulation.batteryCount = batteries
        simulation.cellsPerBattery = cells
        simulation.capacityAh = capacity
        simulation.mpptCount = mppts
        let venus = SimulatedVenus(scenario: chosenScenario, config: simulation, address: .address(bus.address), loop: loop)
        try venus.start()

        // The daemon's log goes to a file unless --verbose; it is shown if the daemon ends early.
        let logPath = folder + "/daemon.log"
        let logFD = verbose ? 2 : open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { if !verbose && logFD >= 0 { close(logFD) } }
        // The simulation's seconds pass `speed` times faster than the wall clock's: the daemon's
        // coulomb counter must integrate simulated time.
        var daemonArguments = ["run", "--bus", bus.address, "--config", folder + "/config.ini", "--state-dir", folder,
                               "--time-scale", "\(speed)"]
        // From any directory: the checkout's config.default.ini is found from the executable.
        if let defaultConfig = arguments.string("default-config") ?? checkoutDefaultConfig() {
            daemonArguments += ["--default-config", defaultConfig]
        }
        if let pluginFolder = arguments.string("plugin-dir") { daemonArguments += ["--plugin-dir", pluginFolder] }
        let daemon = try ChildProcess(path: daemonPath, arguments: daemonArguments, stderrFD: logFD)
        // The recorder watches the same bus with the daemon's own code, as on a real system.
        var recorder: ChildProcess?
        if let trace = arguments.string("record") {
            var recordArguments = ["record", "--bus", bus.address, "--out", trace, "--time-scale", "\(speed)",
                                   "--seconds", seconds > 0 ? "\(seconds + 5)" : "31536000"]
            recordArguments += ["--config", folder + "/config.ini", "--state-dir", folder]
            if let defaultConfig = arguments.string("default-config") ?? checkoutDefaultConfig() {
                recordArguments += ["--default-config", defaultConfig]
            }
            if let pluginFolder = arguments.string("plugin-dir") { recordArguments += ["--plugin-dir", pluginFolder] }
            recorder = try ChildProcess(path: daemonPath, arguments: recordArguments, stderrFD: logFD)
        }

        let viewer = try BusConnection(.address(bus.address))
        loop.attach(viewer)
        let view = VeMonitor(connection: viewer, prefixes: ["com.victronenergy.battery"])
        view.start()

        let simulationStep = 1.0
        loop.every(simulationStep / max(speed, 0.01)) {
            // Close the loop as DVCC does: the simulated chargers follow the aggregate's limits.
            let aggregate = view.services[AggregateService.serviceName]?.values
            venus.dvcc = DvccLimits(chargeVoltageLimitV: aggregate?["/Info/MaxChargeVoltage"]?.number,
                                    chargeCurrentLimitA: aggregate?["/Info/MaxChargeCurrent"]?.number,
                                    dischargeCurrentLimitA: aggregate?["/Info/MaxDischargeCurrent"]?.number)
            venus.step(simulationStep)
        }
        let startedAt = loop.now
        var lastPlain = -Double.infinity
        var daemonEnded = false
        loop.every(plain ? 1 : 0.5) {
            guard daemon.isRunning else {
                daemonEnded = true
                loop.stop()
                return
            }
            let aggregate = view.services[AggregateService.serviceName]?.values
            let lines = view.services.values.filter { $0.name != AggregateService.serviceName && $0.isReady }
                .sorted { $0.name < $1.name }
                .map { StatusReport.BatteryLine(service: $0.name, values: $0.values) }
            let header = "demo: scenario \(chosenScenario.rawValue), t = \(Int(venus.time)) s simulated, bank \(TextFormat.fixedPoint(venus.bankCurrentA, decimals: 1)) A; daemon pid \(daemon.pid); Ctrl-C ends\n\n"
            let text = header + StatusReport.render(aggregate: aggregate, batteries: lines)
            if plain {
                guard loop.now - lastPlain >= 5 else { return }
                lastPlain = loop.now
                print(text)
            } else {
                print("\u{1B}[H\u{1B}[2J" + text, terminator: "")
            }
            fflush(nil)  // flushes every stream, stdout included
        }
        let signals = SignalPipe()
        loop.watch(fileDescriptor: signals.readFD) {
            if signals.drain().contains(where: { $0 == SIGINT || $0 == SIGTERM }) { loop.stop() }
        }
        if seconds > 0 { loop.after(seconds) { loop.stop() } }
        loop.run()

        if let recorder {
            recorder.terminate()
            printError("demo: trace recorded into \(arguments.string("record") ?? "") (recorder status \(recorder.waitForExit()))")
        }
        daemon.terminate()
        venus.stop()
        viewer.close()
        if daemonEnded {
            printError("demo: the daemon ended with status \(daemon.waitForExit())")
            if !verbose { printError(contents(of: logPath)) }
            return 1
        }
        print("\ndemo ended after \(Int(loop.now - startedAt)) s")
        return 0
    }

    /// A user's config.ini for the simulated system: only what differs from the defaults.
    private static func demoConfig(batteries: Int, cells: Int, mppts: Int, ownCharge: Bool, ownSoc: Bool,
                                   verbose: Bool) -> String {
        """
        [DEFAULT]
        NR_OF_BATTERIES = \(batteries)
        NR_OF_CELLS_PER_BATTERY = \(cells)
        NR_OF_MPPTS = \(mppts)
        CURRENT_FROM_VICTRON = True
        OWN_CHARGE_PARAMETERS = \(ownCharge ? "True" : "False")
        OWN_SOC = \(ownSoc ? "True" : "False")
        LOGGING = \(verbose ? "INFO" : "WARNING")
        LOG_PERIOD = 0

        """
    }

    /// config.default.ini of the checkout this demo was built in: the nearest one above the
    /// executable (`.build/<triple>/debug/dab-demo` lives three folders below it).
    static func checkoutDefaultConfig() -> String? {
        guard var folder = executableDirectory() else { return nil }
        for _ in 0..<5 {
            if access(folder + "/config.default.ini", R_OK) == 0 { return folder + "/config.default.ini" }
            guard let slash = folder.lastIndex(of: "/"), slash != folder.startIndex else { return nil }
            folder = String(folder[..<slash])
        }
        return nil
    }

    private static func contents(of path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
