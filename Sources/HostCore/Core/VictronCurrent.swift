/// The settings of §3.2, taken once from HostSettings.
public struct VictronCurrentRules: Equatable, Sendable {
    /// CURRENT_FROM_VICTRON
    public var enabled: Bool
    /// SMARTSHUNT_AS_BATTERY_CURRENT
    public var shuntsAsBatteryCurrent: Bool
    /// INVERT_SMARTSHUNTS
    public var invertShunts: Bool
    /// IGNORE_SMARTSHUNT_ABSENCE
    public var ignoreShuntAbsence: Bool
    /// NR_OF_MPPTS: how many solar chargers count (see `MpptSelection`); -1 = every one found.
    public var mpptCount: Int

    public init(enabled: Bool, shuntsAsBatteryCurrent: Bool = false, invertShunts: Bool = false,
                ignoreShuntAbsence: Bool = false, mpptCount: Int = MpptSelection.everyCharger) {
        self.enabled = enabled
        self.shuntsAsBatteryCurrent = shuntsAsBatteryCurrent
        self.invertShunts = invertShunts
        self.ignoreShuntAbsence = ignoreShuntAbsence
        self.mpptCount = mpptCount
    }

    public init(settings: HostSettings) {
        self.init(enabled: settings.currentFromVictron,
                  shuntsAsBatteryCurrent: settings.smartShuntAsBatteryCurrent,
                  invertShunts: settings.invertSmartShunts,
                  ignoreShuntAbsence: settings.ignoreSmartShuntAbsence,
                  mpptCount: settings.numberOfMppts)
    }
}

/// §3.2: the bank current measured by the Multi, the MPPTs and the SmartShunts instead of the
/// BMSes. Keeps only whether the Multi was connected, so its (dis)connection is reported once.
public struct VictronCurrent: Equatable, Sendable {
    public enum Event: Equatable, Sendable {
        case multiConnected
        case multiDisconnected
    }

    public enum Decision: Equatable, Sendable {
        /// CURRENT_FROM_VICTRON is off: the BMS current stands.
        case notConfigured
        /// Use this current (A, + = charging) and power (W, bank voltage x current; nil
        /// without a bank voltage).
        case use(amps: Double, watts: Double?)
        /// Keep the BMS current this tick. `isFault` is false only for a shunt absence that
        /// IGNORE_SMARTSHUNT_ABSENCE allows; a fault is logged and counts as a failed read.
        case keepBmsCurrent(reason: String, isFault: Bool)
    }

    public struct Outcome: Equatable, Sendable {
        public var decision: Decision
        /// Multi connection changes seen this tick, each reported once (the first state seen
        /// counts as a change, so the log says how it started).
        public var events: [Event]
        /// Things worth one line in the log that are not faults (solar chargers found beyond
        /// NR_OF_MPPTS and left out); each is given once, when it first applies or changes.
        public var notices: [String] = []
    }

    /// nil until the Multi's /Connected was first read.
    public private(set) var multiWasConnected: Bool?
    /// The last notice about solar chargers left out, so it is given once, not every tick.
    private var lastMpptNotice: String?

    public init() {}

    /// Measures the bank current from `view` with the devices of `inventory`.
    /// `bankVoltage` (V) turns the current into power.
    public mutating func evaluate<View: MonitorView>(_ view: View, inventory: Inventory, rules: VictronCurrentRules,
                                                     bankVoltage: Double?) -> Outcome {
        var events: [Event] = []
        var notices: [String] = []
        guard rules.enabled else { return Outcome(decision: .notConfigured, events: events) }
        let decision = decide(view, inventory, rules, bankVoltage, &events, &notices)
        return Outcome(decision: decision, events: events, notices: notices)
    }

    private mutating func decide<View: MonitorView>(_ view: View, _ inventory: Inventory, _ rules: VictronCurrentRules,
                                                    _ bankVoltage: Double?, _ events: inout [Event],
                                                    _ notices: inout [String]) -> Decision {
        // Shunts first: a missing one decides the tick whatever the Multi says.
        let shunts = inventory.smartShunts
        if let absent = shunts.unmatched.first {
            return shuntAbsent("configured SmartShunt \(describe(absent)) not found", rules)
        }
        var shuntAmps = 0.0
        for shunt in shunts.batteryMonitors {
            guard let amps = view.number(shunt.service, "/Dc/0/Current") else {
                return shuntAbsent("SmartShunt \(shunt.service) has no valid /Dc/0/Current", rules)
            }
            shuntAmps += amps
        }
        for shunt in shunts.dcMeters {
            guard let amps = view.number(shunt.service, "/Dc/0/Current") else {
                return shuntAbsent("SmartShunt \(shunt.service) has no valid /Dc/0/Current", rules)
            }
            shuntAmps -= amps
        }

        var victronAmps = 0.0
        var multiReadFailure: String?
        if let multi = inventory.multi {
            if let connected = view.number(multi, "/Connected") {
                let isConnected = connected > 0
                if multiWasConnected != isConnected {
                    events.append(isConnected ? .multiConnected : .multiDisconnected)
                    multiWasConnected = isConnected
                }
                if isConnected {
                    if let amps = view.number(multi, "/Dc/0/Current") {
                        victronAmps += amps
                    } else {
                        multiReadFailure = "Multi \(multi) has no valid /Dc/0/Current"
                    }
                }
            } else {
                multiReadFailure = "Multi \(multi) has no valid /Connected"
            }
        }

        let amps: Double
        if rules.shuntsAsBatteryCurrent, !shunts.batteryMonitors.isEmpty {
            // The shunts measure the battery current themselves; Multi and MPPTs are not needed.
            amps = shuntAmps
        } else {
            if let multiReadFailure { return .keepBmsCurrent(reason: multiReadFailure, isFault: true) }
            let mppts: [String]
            switch MpptSelection.choose(from: inventory.mppts, count: rules.mpptCount) {
            case .use(let chosen, let notice):
                mppts = chosen
                if notice != lastMpptNotice, let notice { notices.append(notice) }
                lastMpptNotice = notice
            case .tooFew(let reason):
                return .keepBmsCurrent(reason: reason, isFault: true)
            }
            for mppt in mppts {
                guard let mpptAmps = view.number(mppt, "/Dc/0/Current") else {
                    return .keepBmsCurrent(reason: "MPPT \(mppt) has no valid /Dc/0/Current", isFault: true)
                }
                victronAmps += mpptAmps
            }
            amps = rules.invertShunts ? victronAmps - shuntAmps : victronAmps + shuntAmps
        }
        return .use(amps: amps, watts: bankVoltage.map { $0 * amps })
    }

    private func shuntAbsent(_ reason: String, _ rules: VictronCurrentRules) -> Decision {
        rules.ignoreShuntAbsence
            ? .keepBmsCurrent(reason: reason + " (IGNORE_SMARTSHUNT_ABSENCE: BMS current until it returns)",
                              isFault: false)
            : .keepBmsCurrent(reason: reason, isFault: true)
    }

    private func describe(_ selector: SmartShuntSelector) -> String {
        switch selector {
        case .vrmInstance(let instance): return "with VRM instance \(instance)"
        case .name(let name): return "named \"\(name)\""
        }
    }
}
