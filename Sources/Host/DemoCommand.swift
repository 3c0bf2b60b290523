import Glibc
import HostCore
import Logging
import Simulator
import VeDbus

/// `demo`: the whole job on a private bus with a simulated Venus OS system, and a live view.
enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo",
        abstract: "Run the daemon against a simulated Venus OS system on a private D-Bus, with a live view.",
        options: [
            .value("batteries", "N", help: "Number of simulated batteries (default 2)."),
            .value("cells", "N", help: "Cells per battery (default 16)."),
            .value("capacity", "AH", help: "Capacity of each battery, Ah (default 280)."),
            .value("mppts", "N", help: "Solar chargers (default 1)."),
            .value("scenario", "NAME", help: "One of \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")) (default chargeToFullWithPeakingCell)."),
            .value("seconds", "S", help: "Seconds to run (default 0 = until Ctrl-C)."),
            .value("speed", "X", help: "Simulated seconds per real second (default 1)."),
            .value("own-charge", "BOOL", help: "Own charge algorithm (OwnCharge) instead of combining the BMS limits (default true)."),
            .value("own-soc", "BOOL", help: "Own coulomb counter (OwnSoC) instead of the BMS average (default true)."),
            .value("default-config", "PATH", help: "config.default.ini to use."),
            .value("plugin-dir", "PATH", help: "Folder of the strategy plugins."),
            .flag("plain", help: "Print the view as plain text every 5 s instead of refreshing the screen."),
            .flag("verbose", help: "Log the daemon's info lines to stderr (the view stays on stdout)."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let batteries = try arguments.int("batteries", default: 2)
        let cells = try arguments.int("cells", default: 16)
        let capacity = try arguments.double("capacity", default: 280)
        let mppts = try arguments.int("mppts", default: 1)
        let scenario = arguments.string("scenario") ?? Scenario.chargeToFullWithPeakingCell.rawValue
        let seconds = try arguments.double("seconds", default: 0)
        let speed = try arguments.double("speed", default: 1)
        let ownCharge = try arguments.bool("own-charge", default: true)
        let ownSoc = try arguments.bool("own-soc", default: true)
        let plain = arguments.flag("plain")
        let verbose = arguments.flag("verbose")
        guard let chosenScenario = Scenario(rawValue: scenario) else {
            throw UsageError("unknown scenario \(scenario); one of \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var logger = Logger(label: "demo")
        logger.logLevel = verbose ? .info : .warning

        let bus = try PrivateBus()
        defer { bus.stop() }
        // libc, not Foundation: linking Foundation would cost the daemon's binary its memory.
        let folder = try TemporaryDirectory.make(prefix: "dab-demo")
        defer { TemporaryDirectory.remove(folder) }
        try TemporaryDirectory.write(demoConfig(batteries: batteries, cells: cells, mppts: mppts,
                                                 ownCharge: ownCharge, ownSoc: ownSoc), to: folder + "/config.ini")
        let paths = DaemonPaths.resolve(defaultConfig: arguments.string("default-config"), userConfig: folder + "/config.ini",
                                        stateDirectory: folder, pluginDirectory: arguments.string("plugin-dir"))

        let prepared: PreparedStrategies
        switch Startup.prepare(paths: paths, logger: logger) {
        case .success(let ready): prepared = ready
        case .failure(let failure):
            printError("demo configuration: " + failure.lines.joined(separator: "\n  "))
            return ExitStatus.configuration
        }

        let loop = EventLoop()
        var simulation = SimulationConfig()
        simulation.batteryCount = batteries
        simulation.cellsPerBattery = cells
        simulation.capacityAh = capacity
        simulation.mpptCount = mppts
        let venus = SimulatedVenus(scenario: chosenScenario, config: simulation, address: .address(bus.address), loop: loop)
        try venus.start()
        let daemon = try AggregatorDaemon(prepared: prepared, address: .address(bus.address), loop: loop, logger: logger)
        daemon.start()

        // The view reads the aggregate over the bus, as Victron's system sees it.
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
        loop.every(plain ? 1 : 0.5) {
            let aggregate = view.services[AggregateService.serviceName]?.values
            let lines = view.services.values.filter { $0.name != AggregateService.serviceName && $0.isReady }
                .sorted { $0.name < $1.name }
                .map { StatusReport.BatteryLine(service: $0.name, values: $0.values) }
            let header = "demo: scenario \(chosenScenario.rawValue), t = \(Int(venus.time)) s simulated, bank \(TextFormat.fixedPoint(venus.bankCurrentA, decimals: 1)) A; Ctrl-C ends\n\n"
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

        daemon.stop()
        venus.stop()
        viewer.close()
        print("\ndemo ended after \(Int(loop.now - startedAt)) s")
        return 0
    }

    /// A user's config.ini for the simulated system: only what differs from the defaults.
    private static func demoConfig(batteries: Int, cells: Int, mppts: Int, ownCharge: Bool, ownSoc: Bool) -> String {
        """
        [DEFAULT]
        NR_OF_BATTERIES = \(batteries)
        NR_OF_CELLS_PER_BATTERY = \(cells)
        NR_OF_MPPTS = \(mppts)
        CURRENT_FROM_VICTRON = True
        OWN_CHARGE_PARAMETERS = \(ownCharge ? "True" : "False")
        OWN_SOC = \(ownSoc ? "True" : "False")
        LOG_PERIOD = 0

        """
    }
}
