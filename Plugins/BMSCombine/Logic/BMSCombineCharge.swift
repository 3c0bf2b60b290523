import PluginKit

/// Charge strategy "BMSCombine" (reference 3.3): the bank's limits from the BMSes' own limits.
/// Like every strategy it gives the limits of the whole bank it expects (min x n with n the
/// batteries expected, as the Python program's NR_OF_BATTERIES): while packs are missing the
/// host scales CCL and DCL down to the packs online, so a missing pack never raises them.
public final class BMSCombineCharge: ChargeStrategyLogic {
    public let config: BMSCombineConfig

    public init(config: BMSCombineConfig) {
        self.config = config
    }

    public convenience init(host: StrategyHost) throws(StrategyError) {
        let reader = ConfigReader(host: host)
        let config = BMSCombineConfig(reading: reader)
        try reader.finish(strategy: "BMSCombine")
        self.init(config: config)
    }

    public func tick(_ context: TickContext) throws(StrategyError) -> ChargeResult {
        try Self.limits(of: context.batteries, expected: context.batteriesExpected, config: config)
    }

    public func shutdown() {}

    /// One battery's three BMS limits, all known.
    struct BatteryLimits {
        var name: String
        var chargeVoltage: Double      // V
        var chargeCurrent: Double      // A
        var dischargeCurrent: Double   // A
        var installedCapacity: Double? // Ah
    }

    /// Whether a BMS ChargeMode text contains "Float" (e.g. "Float", "Float (2h)"); a byte
    /// search, since Embedded Swift lacks the string-processing library.
    static func containsFloat(_ chargeMode: String) -> Bool {
        let mode = Array(chargeMode.utf8)
        let word = Array("Float".utf8)
        guard mode.count >= word.count else { return false }
        for start in 0...(mode.count - word.count) where mode[start..<(start + word.count)].elementsEqual(word) {
            return true
        }
        return false
    }

    /// The bank's CVL, CCL and DCL; an input error when a battery lacks a limit or none is online.
    /// `expected`: the batteries the bank should have (the whole bank's limits are given; fewer
    /// than online count as the online ones).
    public static func limits(of batteries: [BatterySnapshot], expected: Int = 0,
                              config: BMSCombineConfig) throws(StrategyError) -> ChargeResult {
        guard !batteries.isEmpty else { throw StrategyError(.input, "no battery online") }
        var known: [BatteryLimits] = []
        var missing: [String] = []
        for battery in batteries {
            var lacks: [String] = []
            if battery.maxChargeVoltage == nil { lacks.append("/Info/MaxChargeVoltage") }
            if battery.maxChargeCurrent == nil { lacks.append("/Info/MaxChargeCurrent") }
            if battery.maxDischargeCurrent == nil { lacks.append("/Info/MaxDischargeCurrent") }
            if let chargeVoltage = battery.maxChargeVoltage, let chargeCurrent = battery.maxChargeCurrent,
               let dischargeCurrent = battery.maxDischargeCurrent {
                known.append(BatteryLimits(name: battery.name, chargeVoltage: chargeVoltage,
                                           chargeCurrent: chargeCurrent, dischargeCurrent: dischargeCurrent,
                                           installedCapacity: battery.installedCapacityAh))
            } else {
                missing.append("battery \(battery.name) publishes no \(lacks.joined(separator: ", "))")
            }
        }
        guard missing.isEmpty else { throw StrategyError(.input, missing.joined(separator: "; ")) }

        let anyFloat = batteries.contains { battery in battery.chargeMode.map { containsFloat($0) } ?? false }
        let useHighest = config.keepMaxCvl && anyFloat
        var cvlSource = known[0]
        for battery in known.dropFirst() {
            let better = useHighest ? battery.chargeVoltage > cvlSource.chargeVoltage
                                    : battery.chargeVoltage < cvlSource.chargeVoltage
            if better { cvlSource = battery }
        }

        let bankSize = max(expected, known.count)
        let charge = try combine(known, { $0.chargeCurrent }, "CCL", policy: config.currentLimitPolicy, bankSize: bankSize)
        let discharge = try combine(known, { $0.dischargeCurrent }, "DCL", policy: config.currentLimitPolicy,
                                    bankSize: bankSize)
        let cvlText = "CVL \(FixedDecimal.format(cvlSource.chargeVoltage, decimals: 2)) V from \(cvlSource.name) ("
            + (useHighest ? "highest BMS CVL: Float" : "lowest BMS CVL") + ")"
        return ChargeResult(
            chargeVoltageLimit: cvlSource.chargeVoltage,
            chargeCurrentLimit: charge.amps,
            dischargeCurrentLimit: discharge.amps,
            bankFull: .notGiven,
            bankEmpty: .notGiven,
            limitReason: "\(cvlText); \(charge.reason); \(discharge.reason)",
            strategyState: "\(config.currentLimitPolicy.rawValue), \(known.count) online" + (useHighest ? ", float" : ""))
    }

    /// One current limit of the whole bank (`bankSize` packs, of which `batteries` are known) under
    /// `policy`, with a short reason for people. A pack not online counts as the known ones' mean.
    private static func combine(_ batteries: [BatteryLimits], _ limit: (BatteryLimits) -> Double,
                                _ label: String, policy: CurrentLimitPolicy,
                                bankSize: Int) throws(StrategyError) -> (amps: Double, reason: String) {
        let wholeBank = Double(bankSize) / Double(batteries.count)
        switch policy {
        case .minTimesCount:
            var lowest = batteries[0]
            for battery in batteries.dropFirst() where limit(battery) < limit(lowest) {
                lowest = battery
            }
            let amps = limit(lowest) * Double(bankSize)
            return (amps, "\(label) \(bankSize) x \(FixedDecimal.format(limit(lowest), decimals: 1)) A (\(lowest.name))")
        case .sum:
            var amps = 0.0
            for battery in batteries { amps += limit(battery) }
            amps *= wholeBank
            return (amps, "\(label) sum \(FixedDecimal.format(amps, decimals: 1)) A")
        case .capacityShare:
            var totalCapacity = 0.0
            for battery in batteries {
                guard let capacity = battery.installedCapacity, capacity > 0 else {
                    throw StrategyError(.input, "battery \(battery.name) publishes no usable /InstalledCapacity (needed by CURRENT_LIMIT_POLICY capacity_share)")
                }
                totalCapacity += capacity
            }
            var best: (amps: Double, name: String)?
            for battery in batteries {
                // The bank current at which this battery reaches its own limit.
                let amps = limit(battery) * totalCapacity / battery.installedCapacity!
                if best == nil || amps < best!.amps { best = (amps, battery.name) }
            }
            let amps = best!.amps * wholeBank
            return (amps, "\(label) \(FixedDecimal.format(amps, decimals: 1)) A by capacity share (\(best!.name))")
        }
    }
}
