import PluginKit
import VeDbus

/// One strategy value the guard did not publish as given; for a rate-limited log.
public struct LimitReplacement: Equatable, Sendable {
    public enum Limit: Equatable, Sendable, CustomStringConvertible {
        case chargeVoltage, chargeCurrent, dischargeCurrent

        /// Written out: Embedded Swift prints no enum by itself.
        public var description: String {
            switch self {
            case .chargeVoltage: return "CVL"
            case .chargeCurrent: return "CCL"
            case .dischargeCurrent: return "DCL"
            }
        }
    }
    public var limit: Limit
    /// What the strategy gave; nil when it gave nothing.
    public var given: Double?
    /// What is published instead; nil = invalid.
    public var used: Double?
    public var why: String

    public init(limit: Limit, given: Double?, used: Double?, why: String) {
        self.limit = limit
        self.given = given
        self.used = used
        self.why = why
    }
}

/// The limits to publish, after the guard.
public struct GuardedLimits: Equatable, Sendable {
    /// /Info/MaxChargeVoltage, V; nil (invalid) only before any valid CVL was ever seen.
    public var chargeVoltageLimit: Double?
    /// /Info/MaxChargeCurrent, A, within [0, MAX_CHARGE_CURRENT].
    public var chargeCurrentLimit: Double
    /// /Info/MaxDischargeCurrent, A, within [0, MAX_DISCHARGE_CURRENT].
    public var dischargeCurrentLimit: Double
    /// /Alarms/BmsCable raised by the guard (0, 1, 2); the caller publishes the max with the BMSes'.
    public var bmsCableAlarm: Int
    /// /Alarms/InternalFailure raised by the guard: 2 when the charge strategy failed or gave
    /// unusable values, else 0 (a limit capped at the user's maximum is a setting, not a failure).
    public var internalFailureAlarm: Int
    /// Why the limits are what they are, for people (the strategy's reason unless the guard intervened).
    public var reason: String
    public var replacements: [LimitReplacement]
}

/// Never trusts a strategy: validates its limits, applies the degraded-mode policy and keeps the
/// last valid CVL to fall back on. Pure apart from that one remembered value.
public struct LimitGuard: Equatable, Sendable {
    /// No lithium chemistry is charged above 4.5 V per cell (LiPo HV stops at 4.4 V, NMC at 4.2,
    /// LFP at 3.65, LTO at 2.8): a CVL above cells x 4.5 V is a bug, not a setting.
    public static let cellVoltageCeiling = 4.5
    /// No lithium chemistry is charged to below 1.5 V per cell (LTO's empty voltage): a CVL below
    /// cells x 1.5 V is a bug as well.
    public static let cellVoltageFloor = 1.5

    /// MAX_CHARGE_CURRENT, A.
    public var maxChargeCurrent: Double
    /// MAX_DISCHARGE_CURRENT, A.
    public var maxDischargeCurrent: Double
    /// Plausible CVL range for the bank (V): series cells x the per-cell floor and ceiling.
    public var chargeVoltageRange: ClosedRange<Double>
    /// The last CVL that passed the checks; published when the current one does not.
    public private(set) var lastValidChargeVoltage: Double?

    public init(maxChargeCurrent: Double, maxDischargeCurrent: Double, cellsPerBattery: Int,
                lastValidChargeVoltage: Double? = nil) {
        self.maxChargeCurrent = maxChargeCurrent
        self.maxDischargeCurrent = maxDischargeCurrent
        let cells = Double(cellsPerBattery)
        self.chargeVoltageRange = (cells * Self.cellVoltageFloor)...(cells * Self.cellVoltageCeiling)
        self.lastValidChargeVoltage = lastValidChargeVoltage
    }

    public init(settings: HostSettings) {
        self.init(maxChargeCurrent: settings.maxChargeCurrent, maxDischargeCurrent: settings.maxDischargeCurrent,
                  cellsPerBattery: settings.cellsPerBattery)
    }

    /// The daemon's guard: MAX_CHARGE_CURRENT and MAX_DISCHARGE_CURRENT cap the published limits
    /// only where the user's config.ini sets them. Their defaults (200 A) are the own charge
    /// algorithm's scale, not a bank's limit: capping combined BMS limits with them would take
    /// current from a large bank that the Python program gave it.
    public init(configuration: HostConfiguration, lastValidChargeVoltage: Double? = nil) {
        let settings = configuration.settings
        func userMaximum(_ key: String, _ value: Double) -> Double {
            configuration.layers.setting(forKey: key)?.isOverride == true ? value : .infinity
        }
        self.init(maxChargeCurrent: userMaximum("MAX_CHARGE_CURRENT", settings.maxChargeCurrent),
                  maxDischargeCurrent: userMaximum("MAX_DISCHARGE_CURRENT", settings.maxDischargeCurrent),
                  cellsPerBattery: settings.cellsPerBattery, lastValidChargeVoltage: lastValidChargeVoltage)
    }

    /// The limits to publish this tick from the charge strategy's outcome and the bank's status.
    /// - Parameter onlineCapacityShare: installed capacity of the packs online over that of the
    ///   packs expected (0...1). A strategy's current limits are for the whole bank; while packs
    ///   are missing the packs online would carry all of it, so CCL and DCL are scaled by this share.
    /// - Parameter vetoes: blocks from packs not online, and the online packs' own limits, which
    ///   bound CCL and DCL while packs are missing (a share by capacity alone could ask a large
    ///   pack for more than its BMS allows when a small one is missing).
    /// - Parameter dvcc: the user's DVCC limits: never published above, said in the reason.
    public mutating func limits(for outcome: Result<ChargeResult, StrategyError>,
                                status: DegradedPolicy.Status, onlineCapacityShare: Double = 1,
                                vetoes: PackVetoes = PackVetoes(), dvcc: DvccUserLimits = DvccUserLimits()) -> GuardedLimits {
        var limits: GuardedLimits
        switch outcome {
        case .failure(let error):
            limits = GuardedLimits(chargeVoltageLimit: lastValidChargeVoltage, chargeCurrentLimit: 0,
                                   dischargeCurrentLimit: 0, bmsCableAlarm: 0, internalFailureAlarm: 2,
                                   reason: "charge strategy failed (\(error.message)): CCL = DCL = 0",
                                   replacements: [])
        case .success(let result):
            limits = validated(result)
        }
        limits.bmsCableAlarm = status.bmsCableAlarm
        switch status {
        case .allOnline:
            break
        case .degraded(let seconds):
            let share = onlineCapacityShare.isFinite ? min(max(onlineCapacityShare, 0), 1) : 0
            limits.chargeCurrentLimit *= share
            limits.dischargeCurrentLimit *= share
            limits.reason += "; degraded: a battery not online for \(Int(seconds)) s, CCL and DCL scaled to the packs "
                + "online (\(Int((share * 100).rounded())) % of the bank's capacity)"
            if let bound = vetoes.onlineChargeCurrent, limits.chargeCurrentLimit > bound {
                limits.chargeCurrentLimit = bound
                limits.reason += ", CCL at the online BMSes' sum"
            }
            if let bound = vetoes.onlineDischargeCurrent, limits.dischargeCurrentLimit > bound {
                limits.dischargeCurrentLimit = bound
                limits.reason += ", DCL at the online BMSes' sum"
            }
        case .blocked(let seconds):
            limits.chargeCurrentLimit = 0
            limits.dischargeCurrentLimit = 0
            limits.reason = "a battery not online for \(Int(seconds)) s (OFFLINE_BLOCK_AFTER): CCL = DCL = 0"
        case .noBatteryOnline:
            break
        }
        if let pack = vetoes.chargeBlockedBy, limits.chargeCurrentLimit > 0 {
            limits.chargeCurrentLimit = 0
            limits.reason += "; battery \(pack) (not online) blocks charging: CCL = 0"
        }
        if let pack = vetoes.dischargeBlockedBy, limits.dischargeCurrentLimit > 0 {
            limits.dischargeCurrentLimit = 0
            limits.reason += "; battery \(pack) (not online) blocks discharging: DCL = 0"
        }
        if case .noBatteryOnline = status {
            // The last valid CVL stays published so DVCC keeps treating us as the BMS and
            // honours CCL = DCL = 0; an invalid CVL would hand the chargers back their own settings.
            limits.chargeVoltageLimit = lastValidChargeVoltage
            limits.chargeCurrentLimit = 0
            limits.dischargeCurrentLimit = 0
            limits.reason = "no battery online: CCL = DCL = 0"
        }
        if let cap = dvcc.maxChargeCurrent, limits.chargeCurrentLimit > cap {
            limits.chargeCurrentLimit = cap
            limits.reason += "; CCL at DVCC's charge current limit \(TextFormat.fixedPoint(cap, decimals: 1)) A"
        }
        if let cap = dvcc.maxChargeVoltage, let volts = limits.chargeVoltageLimit, volts > cap {
            limits.chargeVoltageLimit = cap
            limits.reason += "; CVL at DVCC's charge voltage limit \(TextFormat.fixedPoint(cap, decimals: 2)) V"
        }
        return limits
    }

    /// A strategy that gives a missing, non-finite or negative current or an impossible CVL is
    /// broken, and nothing else it says can be trusted: CCL = DCL = 0 with the last valid CVL,
    /// as for a failed tick. Currents above MAX_* are only capped: that is the user's setting.
    private mutating func validated(_ result: ChargeResult) -> GuardedLimits {
        var replacements: [LimitReplacement] = []
        Self.checkCurrent(result.chargeCurrentLimit, .chargeCurrent, &replacements)
        Self.checkCurrent(result.dischargeCurrentLimit, .dischargeCurrent, &replacements)
        if let volts = result.chargeVoltageLimit, volts.isFinite, chargeVoltageRange.contains(volts) {
            if replacements.isEmpty { lastValidChargeVoltage = volts }
        } else {
            let why = result.chargeVoltageLimit == nil
                ? "no CVL given"
                : "CVL outside \(chargeVoltageRange.lowerBound)...\(chargeVoltageRange.upperBound) V"
            replacements.append(LimitReplacement(limit: .chargeVoltage, given: result.chargeVoltageLimit,
                                                 used: lastValidChargeVoltage, why: why))
        }
        guard replacements.isEmpty else {
            let why = replacements.map { $0.why }.joined(separator: ", ")
            return GuardedLimits(chargeVoltageLimit: lastValidChargeVoltage, chargeCurrentLimit: 0,
                                 dischargeCurrentLimit: 0, bmsCableAlarm: 0, internalFailureAlarm: 2,
                                 reason: "charge strategy values unusable (\(why)): CCL = DCL = 0, last valid CVL",
                                 replacements: replacements)
        }
        // The user's maxima are settings, not faults: capped and said in the reason, no alarm.
        var caps: [String] = []
        let chargeCurrent = Self.cap(result.chargeCurrentLimit ?? 0, max: maxChargeCurrent, "CCL",
                                     "MAX_CHARGE_CURRENT", &caps)
        let dischargeCurrent = Self.cap(result.dischargeCurrentLimit ?? 0, max: maxDischargeCurrent, "DCL",
                                        "MAX_DISCHARGE_CURRENT", &caps)
        var reason = result.limitReason
        if !caps.isEmpty {
            reason += reason.isEmpty ? "" : "; "
            reason += caps.joined(separator: ", ")
        }
        return GuardedLimits(chargeVoltageLimit: result.chargeVoltageLimit, chargeCurrentLimit: chargeCurrent,
                             dischargeCurrentLimit: dischargeCurrent, bmsCableAlarm: 0,
                             internalFailureAlarm: 0, reason: reason, replacements: [])
    }

    /// Records why a current limit cannot be used at all: missing, NaN, infinite or negative.
    private static func checkCurrent(_ given: Double?, _ limit: LimitReplacement.Limit,
                                     _ replacements: inout [LimitReplacement]) {
        guard let amps = given else {
            replacements.append(LimitReplacement(limit: limit, given: nil, used: 0, why: "\(limit) missing"))
            return
        }
        if !amps.isFinite {
            replacements.append(LimitReplacement(limit: limit, given: amps, used: 0, why: "\(limit) not finite"))
        } else if amps < 0 {
            replacements.append(LimitReplacement(limit: limit, given: amps, used: 0, why: "\(limit) negative"))
        }
    }

    /// A usable current limit above the user's maximum becomes the maximum.
    private static func cap(_ amps: Double, max maximum: Double, _ label: String, _ maximumKey: String,
                            _ caps: inout [String]) -> Double {
        guard amps > maximum else { return amps }
        caps.append("\(label) capped at \(maximumKey) \(TextFormat.fixedPoint(maximum, decimals: 1)) A")
        return maximum
    }
}
