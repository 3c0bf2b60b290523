import PluginKit

/// Charge strategy "BMSCombine" (reference 3.3): the bank's limits from the BMSes' own limits,
/// for packs that may differ (CVL_MODE, CURRENT_LIMIT_POLICY, BLOCKING_PACK_STOPS_BANK). Like
/// every strategy it gives the limits of the whole bank it expects (min x n with n the batteries
/// expected, as the Python program's NR_OF_BATTERIES): while packs are missing the host scales
/// CCL and DCL down to the packs online, so a missing pack never raises them.
public final class BMSCombineCharge: ChargeStrategyLogic {
    public let config: BMSCombineConfig
    /// What the modes that look back remember: the packs that finished their charge
    /// (all_finished) and the packs' learned shares of the current (measured_share).
    private var memory = BMSCombineMemory()

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
        try Self.limits(of: context.batteries, expected: context.batteriesExpected, timeStepSeconds: context.timeStepSeconds,
                        config: config, memory: &memory)
    }

    public func shutdown() {}

    /// The bank's CVL, CCL and DCL with fresh memory (no pack finished, no share learned).
    public static func limits(of batteries: [BatterySnapshot], expected: Int = 0,
                              config: BMSCombineConfig) throws(StrategyError) -> ChargeResult {
        var memory = BMSCombineMemory()
        return try limits(of: batteries, expected: expected, timeStepSeconds: 1, config: config, memory: &memory)
    }

    /// The bank's CVL, CCL and DCL; an input error when a battery lacks a limit or none is online.
    /// `expected`: the batteries the bank should have (the whole bank's limits are given; fewer
    /// than online count as the online ones).
    public static func limits(of batteries: [BatterySnapshot], expected: Int, timeStepSeconds: Double,
                              config: BMSCombineConfig, memory: inout BMSCombineMemory) throws(StrategyError) -> ChargeResult {
        guard !batteries.isEmpty else { throw StrategyError(.input, "no battery online") }
        var voltages: [PackVoltageLimit] = []
        var charging: [PackCurrentLimit] = []
        var discharging: [PackCurrentLimit] = []
        var missing: [String] = []
        for battery in batteries {
            // A limit that is not a finite number is no limit: as missing (NaN arrives as nil).
            guard let chargeVoltage = battery.maxChargeVoltage, let chargeCurrent = battery.maxChargeCurrent,
                  let dischargeCurrent = battery.maxDischargeCurrent, chargeVoltage.isFinite, chargeCurrent.isFinite,
                  dischargeCurrent.isFinite else {
                var lacks: [String] = []
                if battery.maxChargeVoltage == nil { lacks.append("/Info/MaxChargeVoltage") }
                if battery.maxChargeCurrent == nil { lacks.append("/Info/MaxChargeCurrent") }
                if battery.maxDischargeCurrent == nil { lacks.append("/Info/MaxDischargeCurrent") }
                if lacks.isEmpty { lacks.append("a finite limit") }
                missing.append("battery \(battery.name) publishes no \(lacks.joined(separator: ", "))")
                continue
            }
            voltages.append(PackVoltageLimit(name: battery.name, chargeVoltage: chargeVoltage,
                                             phase: PackPhase(chargeMode: battery.chargeMode),
                                             maxCellVoltage: battery.maxCellVoltage))
            charging.append(PackCurrentLimit(
                name: battery.name, amps: chargeCurrent, capacityAh: battery.installedCapacityAh,
                measuredAmps: battery.current.map { max(0, $0) },
                blocks: chargeCurrent <= 0 || (battery.blockingCharge ?? 0) > 0))
            discharging.append(PackCurrentLimit(
                name: battery.name, amps: dischargeCurrent, capacityAh: battery.installedCapacityAh,
                measuredAmps: battery.current.map { max(0, -$0) },
                blocks: dischargeCurrent <= 0 || (battery.blockingDischarge ?? 0) > 0))
        }
        guard missing.isEmpty else { throw StrategyError(.input, missing.joined(separator: "; ")) }

        memory.finishedPacks = CvlSelection.updateFinished(memory.finishedPacks, with: voltages)
        memory.chargeShares.learn(charging, timeStepSeconds: timeStepSeconds)
        memory.dischargeShares.learn(discharging, timeStepSeconds: timeStepSeconds)
        let cvl = CvlSelection(mode: config.cvlMode, maximumSpread: config.cvlMaxSpread, maxCellVoltage: config.maxCellVoltage)
            .choose(voltages, finishedPacks: memory.finishedPacks)
        let shares = CurrentShares(policy: config.currentLimitPolicy, blockingStopsBank: config.blockingPackStopsBank)
        let bankSize = max(expected, voltages.count)
        let charge = try shares.limit(charging, bankSize: bankSize, label: "CCL", learnedShares: memory.chargeShares.shares)
        let discharge = try shares.limit(discharging, bankSize: bankSize, label: "DCL",
                                         learnedShares: memory.dischargeShares.shares)
        return ChargeResult(
            chargeVoltageLimit: cvl.volts,
            chargeCurrentLimit: charge.amps,
            dischargeCurrentLimit: discharge.amps,
            bankFull: .notGiven,
            bankEmpty: .notGiven,
            limitReason: "\(cvl.reason); \(charge.reason); \(discharge.reason)",
            strategyState: "\(config.currentLimitPolicy.rawValue), \(voltages.count) online, CVL \(config.cvlMode.rawValue)"
                + (config.cvlMode == .allFinished ? ", \(memory.finishedPacks.count) finished" : ""))
    }
}

/// What BMSCombine remembers from tick to tick.
public struct BMSCombineMemory: Equatable, Sendable {
    /// all_finished: the packs that reported float since their charge began.
    public var finishedPacks: Set<String> = []
    /// measured_share: each pack's share of the charge and of the discharge current.
    public var chargeShares = LearnedShares()
    public var dischargeShares = LearnedShares()

    public init() {}
}
