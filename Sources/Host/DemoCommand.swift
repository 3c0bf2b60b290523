import ArgumentParser
import Glibc
import HostCore
import Logging
import Simulator
import VeDbus

/// `demo`: the whole job on a private bus with a simulated Venus OS system, and a live view.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the daemon against a simulated Venus OS system on a private D-Bus, with a live view.")

    @Option(help: "Number of simulated batteries.") var batteries: Int = 2
    @Option(help: "Cells per battery.") var cells: Int = 16
    @Option(help: "Capacity of each battery, Ah.") var capacity: Double = 280
    @Option(help: "Solar chargers.") var mppts: Int = 1
    @Option(help: "Scenario: steady, chargeToFullWithPeakingCell, dischargeToEmpty, bmsBlocksCharge, batteryVanishesAndReturns, invalidValues, batteryFreezes.")
    var scenario: String = "chargeToFullWithPeakingCell"
    @Option(help: "Seconds to run (0 = until Ctrl-C).") var seconds: Double = 0
    @Option(help: "Simulated seconds per real second.") var speed: Double = 1
    @Option(help: "Own charge algorithm (OwnCharge) instead of combining the BMS limits.") var ownCharge: Bool = true
    @Option(help: "Own coulomb counter (OwnSoC) instead of the BMS average.") var ownSoc: Bool = true
    @Option(name: .customLong("default-config"), help: "config.default.ini to use.") var defaultConfig: String?
    @Option(name: .customLong("plugin-dir"), help: "Folder of the strategy plugins.") var pluginDirectory: String?
    @Flag(help: "Print the view as plain text every 5 s instead of refreshing the screen.") var plain = false
    @Flag(help: "Log the daemon's info lines to stderr (the view stays on stdout).") var verbose = false

    func run() throws {
        guard let chosenScenario = Scenario.allCases.first(where: { "\($0)" == scenario }) else {
            throw ValidationError("unknown scenario \(scenario); one of \(Scenario.allCases.map { "\($0)" }.joined(separator: ", "))")
        }
        var logger = Logger(label: "demo")
        logger.logLevel = verbose ? .info : .warning

        let bus = try PrivateBus()
        defer { bus.stop() }
        // libc, not Foundation: linking Foundation would cost the daemon's binary its memory.
        let folder = try TemporaryDirectory.make(prefix: "dab-demo")
        defer { TemporaryDirectory.remove(folder) }
        try TemporaryDirectory.write(demoConfig(), to: folder + "/config.ini")
        let paths = DaemonPaths.resolve(defaultConfig: defaultConfig, userConfig: folder + "/config.ini",
                                        stateDirectory: folder, pluginDirectory: pluginDirectory)

        let prepared: PreparedStrategies
        switch Startup.prepare(paths: paths, logger: logger) {
        case .success(let ready): prepared = ready
        case .failure(let failure):
            printError("demo configuration: " + failure.lines.joined(separator: "\n  "))
            throw ExitCode(2)
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
            let header = "demo: scenario \(chosenScenario), t = \(Int(venus.time)) s simulated, bank \(TextFormat.fixedPoint(venus.bankCurrentA, decimals: 1)) A; Ctrl-C ends\n\n"
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
    }

    /// A user's config.ini for the simulated system: only what differs from the defaults.
    private func demoConfig() -> String {
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
