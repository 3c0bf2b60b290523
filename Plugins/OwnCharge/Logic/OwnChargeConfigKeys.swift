import PluginKit

/// The keys the own charge algorithm reads (reference behaviour section 6).
public enum OwnChargeConfigKeys {
    /// A host key (the host checks it against the BMSes); the strategy reads it but does not declare it.
    public static let cellsPerBattery = "NR_OF_CELLS_PER_BATTERY"
    public static let balancingVoltage = "BALANCING_VOLTAGE"
    public static let balancingRepetition = "BALANCING_REPETITION"
    public static let chargeVoltageList = "CHARGE_VOLTAGE_LIST"
    public static let maxCellVoltage = "MAX_CELL_VOLTAGE"
    public static let minCellVoltage = "MIN_CELL_VOLTAGE"
    public static let minCellHysteresis = "MIN_CELL_HYSTERESIS"
    public static let cellDiffMax = "CELL_DIFF_MAX"
    public static let maxChargeCurrent = "MAX_CHARGE_CURRENT"
    public static let maxDischargeCurrent = "MAX_DISCHARGE_CURRENT"
    public static let chargeLimitingVoltage = "CELL_CHARGE_LIMITING_VOLTAGE"
    public static let chargeLimitedCurrent = "CELL_CHARGE_LIMITED_CURRENT"
    public static let dischargeLimitingVoltage = "CELL_DISCHARGE_LIMITING_VOLTAGE"
    public static let dischargeLimitedCurrent = "CELL_DISCHARGE_LIMITED_CURRENT"
    public static let zeroSoc = "ZERO_SOC"

    /// The host key as this strategy reads it: its default (unset) is an error.
    public static let cellsPerBatterySpec = ConfigKeySpec(cellsPerBattery, default: "-1",
                                                          "cells in series per battery (set by the host)")

    /// The declared keys, in the order of config.default.ini.
    public static let declared: [ConfigKeySpec] = [
        ConfigKeySpec(zeroSoc, default: "False",
                      "True: the bank counts as empty (SoC 0) when the lowest cell reaches MIN_CELL_VOLTAGE"),
        ConfigKeySpec(balancingVoltage, default: "3.40",
                      "cell voltage to charge to when balancing, V per cell"),
        ConfigKeySpec(balancingRepetition, default: "10",
                      "days between balancing charges, days"),
        ConfigKeySpec(chargeVoltageList,
                      default: "3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55",
                      "normal charge voltage for January..December, 12 values, V per cell"),
        ConfigKeySpec(maxCellVoltage, default: "3.45",
                      "highest cell voltage before the CVL is reduced, V"),
        ConfigKeySpec(minCellVoltage, default: "2.90",
                      "lowest cell voltage; at or below it discharge stops, V"),
        ConfigKeySpec(minCellHysteresis, default: "0.1",
                      "rise above MIN_CELL_VOLTAGE needed to allow discharge again, V"),
        ConfigKeySpec(cellDiffMax, default: "0.025",
                      "cell voltage difference counted as balanced, V"),
        ConfigKeySpec(maxChargeCurrent, default: "200",
                      "charge current limit of the whole bank, A"),
        ConfigKeySpec(maxDischargeCurrent, default: "200",
                      "discharge current limit of the whole bank, A"),
        ConfigKeySpec(chargeLimitingVoltage, default: "",
                      "highest-cell voltages of the charge current table, V, ascending; empty: derived from MIN/BALANCING/MAX"),
        ConfigKeySpec(chargeLimitedCurrent, default: "0.2, 1, 1, 0.1, 0",
                      "charge current factors at those voltages, fraction of MAX_CHARGE_CURRENT"),
        ConfigKeySpec(dischargeLimitingVoltage, default: "",
                      "lowest-cell voltages of the discharge current table, V, ascending; empty: derived from MIN_CELL_VOLTAGE"),
        ConfigKeySpec(dischargeLimitedCurrent, default: "0, 0.05, 1",
                      "discharge current factors at those voltages, fraction of MAX_DISCHARGE_CURRENT"),
    ]

    /// The spec of `key` (the host key included); nil for a key this strategy does not know.
    public static func spec(_ key: String) -> ConfigKeySpec? {
        if key == cellsPerBattery { return cellsPerBatterySpec }
        for entry in declared where entry.name == key { return entry }
        return nil
    }

    /// The default INI text of `key`; nil for a key this strategy does not know.
    public static func defaultText(_ key: String) -> String? {
        spec(key)?.defaultValue
    }
}
