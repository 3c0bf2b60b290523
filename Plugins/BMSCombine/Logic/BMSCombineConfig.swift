import PluginKit

/// How the bank's CCL and DCL follow from the batteries' own limits.
public enum CurrentLimitPolicy: String, Equatable, Sendable {
    /// The smallest battery limit times the batteries online: equal batteries share equally.
    case minTimesCount = "min_times_count"
    /// The sum of the limits: CAN batteries whose BMSes each report their own share.
    case sum = "sum"
    /// Each limit divided by its battery's share of the installed capacity online, then the
    /// smallest: unequal batteries share current by capacity, none is pushed past its limit.
    case capacityShare = "capacity_share"
    /// As capacity_share, but by the split the packs' own currents show now when they are known
    /// (packs of different resistance take different shares), else by capacity.
    case mostRestrictive = "most_restrictive"
    /// As capacity_share, by each pack's share of the current averaged over the last minutes;
    /// by capacity until every pack's share is learned.
    case measuredShare = "measured_share"
}

/// The config keys of the BMSCombine library and what they mean.
public enum BMSCombineKeys {
    public static let keepMaxCvl = ConfigKeySpec(
        "KEEP_MAX_CVL", default: "False",
        "True: while any BMS reports ChargeMode Float, CVL is the highest BMS CVL instead of the lowest")
    public static let canBatteries = ConfigKeySpec(
        "CAN_batteries", default: "False",
        "True: CAN BMSes (each reports its own share): CCL/DCL are sums; missing Capacity/ConsumedAh are estimated")
    public static let currentLimitPolicy = ConfigKeySpec(
        "CURRENT_LIMIT_POLICY", default: "",
        "CCL/DCL from the BMS limits (A): min_times_count | sum | capacity_share | most_restrictive | measured_share; empty: sum with CAN_batteries, else min_times_count")
    public static let cvlMode = ConfigKeySpec(
        "CVL_MODE", default: "",
        "which BMS CVL the bank follows: min | keep_max | max_while_balancing | all_finished; empty: keep_max with KEEP_MAX_CVL = True, else min")
    public static let cvlMaxSpread = ConfigKeySpec(
        "CVL_MAX_SPREAD", default: "0.05",
        "V above the lowest BMS CVL the bank's CVL may be while a pack's highest cell is above MAX_CELL_VOLTAGE")
    public static let maxCellVoltage = ConfigKeySpec(
        "MAX_CELL_VOLTAGE", default: "3.45", "V: a cell above it makes CVL_MAX_SPREAD bind (also OwnCharge's key)")
    public static let blockingPackStopsBank = ConfigKeySpec(
        "BLOCKING_PACK_STOPS_BANK", default: "True",
        "True: a pack whose BMS forbids charge (or discharge) stops the whole bank in that direction, as the Python program; False: the others carry")
}

/// The settings of the "combine the BMSes" charge strategy.
public struct BMSCombineConfig: Equatable, Sendable {
    public var keepMaxCvl: Bool
    public var currentLimitPolicy: CurrentLimitPolicy
    public var cvlMode: CvlMode
    /// CVL_MAX_SPREAD, V.
    public var cvlMaxSpread: Double
    /// MAX_CELL_VOLTAGE, V.
    public var maxCellVoltage: Double
    public var blockingPackStopsBank: Bool

    public init(keepMaxCvl: Bool = false, currentLimitPolicy: CurrentLimitPolicy = .minTimesCount,
                cvlMode: CvlMode? = nil, cvlMaxSpread: Double = 0.05, maxCellVoltage: Double = 3.45,
                blockingPackStopsBank: Bool = true) {
        self.keepMaxCvl = keepMaxCvl
        self.currentLimitPolicy = currentLimitPolicy
        self.cvlMode = cvlMode ?? (keepMaxCvl ? .keepMax : .min)
        self.cvlMaxSpread = cvlMaxSpread
        self.maxCellVoltage = maxCellVoltage
        self.blockingPackStopsBank = blockingPackStopsBank
    }

    /// Reads the keys; an empty CURRENT_LIMIT_POLICY follows CAN_batteries (sum when True),
    /// which keeps the Python program's CAN behaviour unless the user chooses otherwise.
    public init(reading reader: ConfigReader) {
        keepMaxCvl = reader.bool(BMSCombineKeys.keepMaxCvl)
        let canBatteries = reader.bool(BMSCombineKeys.canBatteries)
        let policyWord = reader.text(BMSCombineKeys.currentLimitPolicy,
                                     allowed: ["", "min_times_count", "sum", "capacity_share", "most_restrictive",
                                               "measured_share"])
        currentLimitPolicy = CurrentLimitPolicy(rawValue: policyWord) ?? (canBatteries ? .sum : .minTimesCount)
        // The Python program's KEEP_MAX_CVL keeps working: it is keep_max when CVL_MODE is empty.
        let modeWord = reader.text(BMSCombineKeys.cvlMode, allowed: [""] + CvlMode.allCases.map { $0.rawValue })
        cvlMode = CvlMode(rawValue: modeWord) ?? (keepMaxCvl ? .keepMax : .min)
        cvlMaxSpread = reader.double(BMSCombineKeys.cvlMaxSpread, in: 0...2, problem: "must be between 0 and 2 V")
        maxCellVoltage = reader.double(BMSCombineKeys.maxCellVoltage, in: 1.5...4.5, problem: "must be between 1.5 and 4.5 V")
        blockingPackStopsBank = reader.bool(BMSCombineKeys.blockingPackStopsBank)
    }
}
