/// One configuration key as the plugin descriptor declares it.
public struct OwnChargeConfigKey: Equatable, Sendable {
    /// As written in config.ini.
    public let name: String
    /// The default as INI text; "" for an empty list. Also what the strategy parses when a key is absent.
    public let defaultValue: String
    /// One line, with the unit.
    public let description: String
}

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

    /// Default of the host key NR_OF_CELLS_PER_BATTERY: unset, which is an error.
    public static let cellsPerBatteryDefault = "-1"

    /// The declared keys, in the order of config.default.ini.
    public static let declared: [OwnChargeConfigKey] = [
        OwnChargeConfigKey(name: zeroSoc, defaultValue: "False",
                           description: "True: the bank counts as empty (SoC 0) when the lowest cell reaches MIN_CELL_VOLTAGE"),
        OwnChargeConfigKey(name: balancingVoltage, defaultValue: "3.40",
                           description: "cell voltage to charge to when balancing, V per cell"),
        OwnChargeConfigKey(name: balancingRepetition, defaultValue: "10",
                           description: "days between balancing charges, days"),
        OwnChargeConfigKey(name: chargeVoltageList,
                           defaultValue: "3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55",
                           description: "normal charge voltage for January..December, 12 values, V per cell"),
        OwnChargeConfigKey(name: maxCellVoltage, defaultValue: "3.45",
                           description: "highest cell voltage before the CVL is reduced, V"),
        OwnChargeConfigKey(name: minCellVoltage, defaultValue: "2.90",
                           description: "lowest cell voltage; at or below it discharge stops, V"),
        OwnChargeConfigKey(name: minCellHysteresis, defaultValue: "0.1",
                           description: "rise above MIN_CELL_VOLTAGE needed to allow discharge again, V"),
        OwnChargeConfigKey(name: cellDiffMax, defaultValue: "0.025",
                           description: "cell voltage difference counted as balanced, V"),
        OwnChargeConfigKey(name: maxChargeCurrent, defaultValue: "200",
                           description: "charge current limit of the whole bank, A"),
        OwnChargeConfigKey(name: maxDischargeCurrent, defaultValue: "200",
                           description: "discharge current limit of the whole bank, A"),
        OwnChargeConfigKey(name: chargeLimitingVoltage, defaultValue: "",
                           description: "highest-cell voltages of the charge current table, V, ascending; empty: derived from MIN/BALANCING/MAX"),
        OwnChargeConfigKey(name: chargeLimitedCurrent, defaultValue: "0.2, 1, 1, 0.1, 0",
                           description: "charge current factors at those voltages, fraction of MAX_CHARGE_CURRENT"),
        OwnChargeConfigKey(name: dischargeLimitingVoltage, defaultValue: "",
                           description: "lowest-cell voltages of the discharge current table, V, ascending; empty: derived from MIN_CELL_VOLTAGE"),
        OwnChargeConfigKey(name: dischargeLimitedCurrent, defaultValue: "0, 0.05, 1",
                           description: "discharge current factors at those voltages, fraction of MAX_DISCHARGE_CURRENT"),
    ]

    /// The default INI text of `key`; nil for a key this strategy does not know.
    public static func defaultText(_ key: String) -> String? {
        if key == cellsPerBattery { return cellsPerBatteryDefault }
        for entry in declared where entry.name == key { return entry.defaultValue }
        return nil
    }
}
