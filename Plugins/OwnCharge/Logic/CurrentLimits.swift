import PluginKit

/// The "fully discharged" latch: set when the lowest cell reaches MIN_CELL_VOLTAGE, cleared only
/// after it recovered by MIN_CELL_HYSTERESIS, so discharge does not toggle at the edge.
public struct DischargeLatch: Equatable, Sendable {
    public private(set) var isLatched = false

    public init() {}

    /// Returns true when the latch changed.
    public mutating func update(minCellVoltage: Double, minCellVoltageLimit: Double, hysteresis: Double) -> Bool {
        if !isLatched && minCellVoltage <= minCellVoltageLimit {
            isLatched = true
            return true
        }
        if isLatched && minCellVoltage > minCellVoltageLimit + hysteresis {
            isLatched = false
            return true
        }
        return false
    }
}

/// Whether a BMS forbids a direction: the bank sum or any single battery counts. Returns who
/// blocks, for people ("battery B1", or "a BMS" when only the bank's count tells); nil when none.
public enum BlockingModules {
    public static func chargeBlocker(bank: BankSnapshot, batteries: [BatterySnapshot]) -> String? {
        for battery in batteries where (battery.blockingCharge ?? 0) > 0 { return "battery " + battery.name }
        return (bank.blockingCharge ?? 0) > 0 ? "a BMS" : nil
    }

    public static func dischargeBlocker(bank: BankSnapshot, batteries: [BatterySnapshot]) -> String? {
        for battery in batteries where (battery.blockingDischarge ?? 0) > 0 { return "battery " + battery.name }
        return (bank.blockingDischarge ?? 0) > 0 ? "a BMS" : nil
    }
}

/// CCL and DCL from the cell voltage tables (reference behaviour 3.4).
public enum CurrentLimits {
    /// A; 0 while a BMS blocks charging.
    public static func chargeCurrentLimit(maxCellVoltage: Double, chargeBlocked: Bool,
                                          configuration: OwnChargeConfiguration) -> Double {
        if chargeBlocked { return 0 }
        return configuration.maxChargeCurrent * configuration.chargeCurrentTable.factor(at: maxCellVoltage)
    }

    /// A; 0 while fully discharged or a BMS blocks discharging.
    public static func dischargeCurrentLimit(minCellVoltage: Double, latched: Bool, dischargeBlocked: Bool,
                                             configuration: OwnChargeConfiguration) -> Double {
        if latched || dischargeBlocked { return 0 }
        return configuration.maxDischargeCurrent * configuration.dischargeCurrentTable.factor(at: minCellVoltage)
    }
}
