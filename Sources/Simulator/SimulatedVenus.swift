import Logging
import VeDbus

/// A whole simulated Venus OS system on one bus and one event loop: batteries, SmartShunts,
/// Multi, MPPTs, settings and system, each on its own connection as on a GX device.
///
/// Time is injected: `step(dt)` advances the physics by `dt` simulated seconds (in sub-steps of
/// at most one second, firing the scenario's events on time) and then publishes every device
/// once. The CLI calls it from a timer; tests call it by hand.
public final class SimulatedVenus {
    public let config: SimulationConfig
    public let scenario: Scenario
    public let batteries: [SimulatedBattery]
    public let shunts: [SimulatedSmartShunt]
    public let multi: SimulatedMulti?
    public let solarChargers: [SimulatedSolarCharger]
    public let settings: SimulatedSettings
    public let system: SimulatedSystem
    /// Bank and solar current over simulated time; replace it to drive the system by hand.
    public var profile: BankCurrentProfile

    /// Simulated seconds since the start.
    public private(set) var time: Double = 0
    /// The current that actually flowed into the bank in the last sub-step, A (+ charging).
    public private(set) var bankCurrentA: Double = 0
    /// Errors thrown by scenario events (a battery that could not return, for example).
    public private(set) var eventErrors: [String] = []

    private var pendingEvents: [ScenarioEvent]
    private var logger = Logger(label: "dab-simulator")

    /// Builds the devices (nothing is on the bus until `start()`); `scenario.adjust` has
    /// already been applied to `config` by the caller if wanted (see `init(scenario:...)`).
    public init(config: SimulationConfig, scenario: Scenario = .steady, address: BusAddress, loop: EventLoop) {
        self.config = config
        self.scenario = scenario
        self.profile = scenario.profile
        self.pendingEvents = scenario.events.sorted { $0.time < $1.time }
        batteries = (0..<max(0, config.batteryCount)).map { index in
            SimulatedBattery(port: "ttyUSB\(index)", deviceInstance: config.firstBatteryDeviceInstance + Int32(index),
                             parameters: config.batteryParameters(index), socPercent: config.initialSoc(index),
                             noise: config.measurementNoise ? MeasurementNoise(seed: UInt64(index + 1)) : nil,
                             address: address, loop: loop)
        }
        for battery in batteries { battery.publishMode = config.batteryPublishMode }
        shunts = config.shunts.map {
            SimulatedSmartShunt(mode: $0.mode, port: $0.port, deviceInstance: $0.deviceInstance,
                                customName: $0.customName, address: address, loop: loop)
        }
        multi = config.hasMulti ? SimulatedMulti(address: address, loop: loop) : nil
        solarChargers = (0..<max(0, config.mpptCount)).map { index in
            SimulatedSolarCharger(port: "ttyS\(index)", deviceInstance: 288 + Int32(index), address: address, loop: loop)
        }
        settings = SimulatedSettings(address: address, loop: loop)
        system = SimulatedSystem(address: address, loop: loop)
        updateMeasurements()
    }

    /// Applies `scenario.adjust` to `config` first: the usual way to build a scenario's system.
    public convenience init(scenario: Scenario, config: SimulationConfig = SimulationConfig(),
                            address: BusAddress, loop: EventLoop) {
        var adjusted = config
        scenario.adjust(&adjusted)
        self.init(config: adjusted, scenario: scenario, address: address, loop: loop)
    }

    /// Every device service, settings and system first (as on a booted GX).
    public var devices: [SimulatedDevice] {
        var all: [SimulatedDevice] = [system]
        all += batteries as [SimulatedDevice]
        all += shunts as [SimulatedDevice]
        if let multi { all.append(multi) }
        all += solarChargers as [SimulatedDevice]
        return all
    }

    /// The bus names of everything on the bus now.
    public var serviceNames: [String] {
        (settings.isOnBus ? [SimulatedSettings.serviceName] : []) + devices.filter(\.isOnBus).map(\.serviceName)
    }

    /// Puts every service on the bus.
    public func start() throws(DBusError) {
        try settings.connect()
        for device in devices { try device.connect() }
    }

    /// Takes every service off the bus.
    public func stop() {
        for device in devices { device.vanish() }
    }

    /// Advances by `seconds` and publishes every device once.
    public func step(_ seconds: Double) {
        advance(seconds)
        publish()
    }

    /// Advances by `seconds`, publishes every device but the batteries now, and has each battery
    /// send its burst at its own moment of the coming second (`pacing`), on `loop`'s timers.
    public func step(_ seconds: Double, pacing: DriverPacing, on loop: EventLoop) {
        advance(seconds)
        for device in devices where !(device is SimulatedBattery) { device.publish() }
        let pause = pacing.pause
        for (index, battery) in batteries.enumerated() {
            let offset = pacing.offset(ofBattery: index, of: batteries.count)
            if offset > 0 {
                loop.after(offset) { battery.publish(between: pause) }
            } else {
                battery.publish(between: pause)
            }
        }
    }

    /// Advances the physics by `seconds` without publishing.
    public func advance(_ seconds: Double) {
        var left = seconds
        while left > 1e-9 {
            let dt = min(1, left)
            left -= dt
            time += dt
            fireDueEvents()
            for battery in batteries { battery.advanceDriverClock(dt) }
            flowCurrent(for: dt)
        }
        updateMeasurements()
    }

    /// Every device sends what changed, in its publish mode (settings signal their own changes).
    public func publish() {
        for device in devices { device.publish() }
    }

    // MARK: Physics

    private func fireDueEvents() {
        while let next = pendingEvents.first, next.time <= time + 1e-9 {
            pendingEvents.removeFirst()
            logger.info("t=\(time)s: \(next.description)")
            do {
                try next.apply(self)
            } catch {
                eventErrors.append("\(next.description): \(error)")
                logger.error("t=\(time)s: \(next.description) failed: \(error)")
            }
        }
    }

    /// Splits the wanted bank current over the batteries that take it, by capacity; a battery
    /// whose BMS blocks the direction gets nothing and the others carry its share.
    /// Limits a DVCC would apply (the demo sets them from the aggregate); none by default, so
    /// scenarios stay open-loop unless asked.
    public var dvcc = DvccLimits()

    private func flowCurrent(for dt: Double) {
        let wanted = profile(time)
        var batteryA = dvcc.allowed(wanted.batteryA, bankVoltageV: bankVoltageV)
        // Without a Multi only the MPPTs and DC loads move the bank.
        if multi == nil { batteryA = max(0, wanted.solarA) - dcLoadA }
        let accepting = batteries.filter { $0.model.accepts(currentA: batteryA) }
        let acceptingCapacity = accepting.map(\.model.parameters.capacityAh).reduce(0, +)
        var flowed = 0.0
        for battery in batteries {
            let share = accepting.contains { $0 === battery } && acceptingCapacity > 0
                ? batteryA * battery.model.parameters.capacityAh / acceptingCapacity : 0
            flowed += battery.step(requestedA: share, seconds: dt)
        }
        bankCurrentA = flowed
        // Bank = Multi + MPPTs − DC loads, so CURRENT_FROM_VICTRON sees what the batteries see.
        var solar = max(0, wanted.solarA)
        if multi == nil { solar = max(0, flowed + dcLoadA) }
        let multiA = flowed - solar + dcLoadA
        let bankVoltage = bankVoltageV
        let perCharger = solarChargers.isEmpty ? 0 : solar / Double(solarChargers.count)
        for charger in solarChargers {
            charger.dcCurrentA = perCharger
            charger.dcVoltageV = bankVoltage
        }
        multi?.dcCurrentA = solarChargers.isEmpty ? flowed + dcLoadA : multiA
        multi?.dcVoltageV = bankVoltage
    }

    /// Sum of the DC-meter shunts' loads, A.
    private var dcLoadA: Double {
        config.shunts.filter { $0.mode == .dcMeter }.map(\.loadCurrentA).reduce(0, +)
    }

    /// Mean battery voltage, V (batteries in parallel).
    public var bankVoltageV: Double {
        guard !batteries.isEmpty else { return 0 }
        return batteries.map(\.model.voltageV).reduce(0, +) / Double(batteries.count)
    }

    /// Capacity-weighted SoC of the bank, %.
    public var bankSocPercent: Double {
        let capacity = batteries.map(\.model.parameters.capacityAh).reduce(0, +)
        guard capacity > 0 else { return 0 }
        return batteries.map { $0.model.socPercent * $0.model.parameters.capacityAh }.reduce(0, +) / capacity
    }

    /// Shunts and system see the bank as it is now.
    private func updateMeasurements() {
        let voltage = bankVoltageV, soc = bankSocPercent
        let capacity = batteries.map(\.model.parameters.capacityAh).reduce(0, +)
        for (shunt, shuntConfig) in zip(shunts, config.shunts) {
            shunt.voltageV = voltage
            switch shunt.mode {
            case .batteryMonitor:
                shunt.currentA = bankCurrentA
                shunt.socPercent = soc
                shunt.capacityAh = capacity
            case .dcMeter:
                shunt.currentA = shuntConfig.loadCurrentA
            }
        }
        system.batteryVoltageV = voltage
        system.batteryCurrentA = bankCurrentA
        system.batterySocPercent = soc
        for charger in solarChargers { charger.dcVoltageV = voltage }
        multi?.dcVoltageV = voltage
    }
}
