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
        "CCL/DCL from the BMS limits (A): min_times_count | sum | capacity_share; empty: sum with CAN_batteries, else min_times_count")
}

/// The settings of the "combine the BMSes" charge strategy.
public struct BMSCombineConfig: Equatable, Sendable {
    public var keepMaxCvl: Bool
    public var currentLimitPolicy: CurrentLimitPolicy

    public init(keepMaxCvl: Bool = false, currentLimitPolicy: CurrentLimitPolicy = .minTimesCount) {
        self.keepMaxCvl = keepMaxCvl
        self.currentLimitPolicy = currentLimitPolicy
    }

    /// Reads the keys; an empty CURRENT_LIMIT_POLICY follows CAN_batteries (sum when True),
    /// which keeps the Python program's CAN behaviour unless the user chooses otherwise.
    public init(reading reader: ConfigReader) {
        keepMaxCvl = reader.bool(BMSCombineKeys.keepMaxCvl)
        let canBatteries = reader.bool(BMSCombineKeys.canBatteries)
        let policyWord = reader.text(BMSCombineKeys.currentLimitPolicy,
                                     allowed: ["", "min_times_count", "sum", "capacity_share"])
        currentLimitPolicy = CurrentLimitPolicy(rawValue: policyWord) ?? (canBatteries ? .sum : .minTimesCount)
    }
}
