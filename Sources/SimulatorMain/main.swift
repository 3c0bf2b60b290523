import ArgumentParser
import Simulator
import VeDbus

/// `dab-simulator`: a simulated Venus OS system for demos and manual tests of the aggregator.
struct SimulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dab-simulator",
        abstract: "Publishes simulated serial batteries, Multi, MPPTs, shunts, settings and system on D-Bus.")

    @Option(help: "Bus address, e.g. unix:path=/tmp/bus (overrides --bus).")
    var address: String?

    @Option(help: "system or session (default: session if DBUS_SESSION_BUS_ADDRESS is set, else system).")
    var bus: String?

    @Option(help: "Number of batteries.")
    var batteries = 2

    @Option(help: "Cells in series per battery.")
    var cells = 16

    @Option(help: "Capacity per battery, Ah.")
    var capacity = 280.0

    @Option(help: "Number of solar chargers.")
    var mppts = 1

    @Flag(help: "No Multi/Quattro on the bus.")
    var noMulti = false

    @Flag(help: "Add a SmartShunt in battery-monitor mode.")
    var batteryShunt = false

    @Flag(help: "Add a SmartShunt in DC-meter mode (5 A load).")
    var dcLoadShunt = false

    @Flag(help: "Readings jitter as a real BMS's do (cells ±1 mV, current ±0.01 A): every battery publishes every second. Without it a reading changes only when the physics moves it (constant at rest).")
    var noise = false

    @Option(help: "How batteries announce changed values: properties-changed (one signal per changed path, as dbus-serialbattery does; the default) or items-changed (one ItemsChanged per second).")
    var publish = PublishMode.propertiesChanged.rawValue

    @Option(help: "Microseconds between two PropertiesChanged of one battery's burst: a driver's time per setter call (dbus-serialbattery here: 20-45 µs). 0 sends them back to back.")
    var messageGapUs = DriverPacing.serialBattery.messageGapMicroseconds

    @Flag(help: "All batteries send at the same moment of the second (default: each at its own moment, as separate driver processes do).")
    var noSpread = false

    @Option(help: "Start SoC, % (default: the scenario's).")
    var soc: Double?

    @Option(help: "Scenario: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).")
    var scenario = Scenario.steady.rawValue

    @Option(help: "Simulated seconds to run; 0 = forever.")
    var seconds = 0.0

    @Option(help: "Simulated seconds per real second.")
    var speed = 1.0

    func validate() throws {
        guard Scenario(rawValue: scenario) != nil else { throw ValidationError("unknown scenario '\(scenario)'") }
        guard batteries >= 1, cells >= 1, capacity > 0, mppts >= 0 else {
            throw ValidationError("batteries and cells must be at least 1, capacity positive, mppts not negative")
        }
        guard PublishMode(rawValue: publish) != nil else {
            throw ValidationError("--publish must be one of \(PublishMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard speed > 0 else { throw ValidationError("--speed must be positive") }
        guard messageGapUs >= 0, messageGapUs < 100_000 else { throw ValidationError("--message-gap-us must be 0 to 99999") }
    }

    func run() throws {
        let scenario = Scenario(rawValue: self.scenario) ?? .steady
        var config = SimulationConfig()
        config.batteryCount = batteries
        config.cellsPerBattery = cells
        config.capacityAh = capacity
        config.mpptCount = mppts
        config.hasMulti = !noMulti
        if batteryShunt { config.shunts.append(.batteryMonitor()) }
        if dcLoadShunt { config.shunts.append(.dcMeter()) }
        config.measurementNoise = noise
        config.batteryPublishMode = PublishMode(rawValue: publish) ?? .propertiesChanged
        scenario.adjust(&config)
        if let soc { config.initialSocPercent = soc }

        let busAddress = address.map(BusAddress.address) ?? bus.map(BusAddress.init(argument:)) ?? .fromEnvironment()
        let loop = EventLoop()
        let venus = SimulatedVenus(config: config, scenario: scenario, address: busAddress, loop: loop)
        try venus.start()
        print("dab-simulator: scenario \(scenario.rawValue) on \(busAddress): \(venus.serviceNames.joined(separator: ", "))")

        SignalStop.install(on: loop)
        let pacing = DriverPacing(spreadOverSecond: !noSpread, messageGapMicroseconds: messageGapUs)
        loop.every(1) {
            venus.step(speed, pacing: pacing, on: loop)
            if seconds > 0 && venus.time >= seconds { loop.stop() }
        }
        loop.every(60 / max(speed, 1)) {
            let soc = TextFormat.fixedPoint(venus.bankSocPercent, decimals: 1)
            let current = TextFormat.fixedPoint(venus.bankCurrentA, decimals: 1)
            print("t=\(Int(venus.time))s SoC \(soc)% I \(current)A")
        }
        loop.run()
        venus.stop()
        loop.runOnce(maxWait: 0)
        print("dab-simulator: stopped after \(Int(venus.time)) simulated seconds")
    }
}

SimulatorCommand.main()
