import PluginKit

/// The config keys the OwnSoC strategy reads.
public enum OwnSocKeys {
    public static let batteryEfficiency = ConfigKeySpec(
        "BATTERY_EFFICIENCY", default: "0.98",
        "share of the charging current (A) that ends up stored (0.5 .. 1)")
    public static let chargeSavePrecision = ConfigKeySpec(
        "CHARGE_SAVE_PRECISION", default: "0.0025",
        "store the counter when it moved by this share of the installed capacity (Ah/Ah, 0 .. 0.1)")
    public static let maxCellVoltageSocFull = ConfigKeySpec(
        "MAX_CELL_VOLTAGE_SOC_FULL", default: "3.45",
        "V per cell: the counter is set to full at this highest cell voltage (when the charge strategy gives no full hint)")
    public static let minCellVoltageSocEmpty = ConfigKeySpec(
        "MIN_CELL_VOLTAGE_SOC_EMPTY", default: "2.90",
        "V per cell: with ZERO_SOC the counter is set to 0 at this lowest cell voltage (when the charge strategy gives no empty hint)")
    public static let zeroSoc = ConfigKeySpec(
        "ZERO_SOC", default: "False",
        "True: set the counter to 0 Ah when the lowest cell reaches MIN_CELL_VOLTAGE_SOC_EMPTY")

    public static let all = [batteryEfficiency, chargeSavePrecision, maxCellVoltageSocFull,
                             minCellVoltageSocEmpty, zeroSoc]
}

/// The settings of the own coulomb counter.
public struct OwnSocConfig: Equatable, Sendable {
    /// Share of a charging current that is stored (0.5 ... 1).
    public var batteryEfficiency: Double
    /// Store when the counter moved by this share of the installed capacity.
    public var chargeSavePrecision: Double
    /// V per cell
    public var maxCellVoltageSocFull: Double
    /// V per cell
    public var minCellVoltageSocEmpty: Double
    public var zeroSoc: Bool

    public init(batteryEfficiency: Double = 0.98, chargeSavePrecision: Double = 0.0025,
                maxCellVoltageSocFull: Double = 3.45, minCellVoltageSocEmpty: Double = 2.90,
                zeroSoc: Bool = false) {
        self.batteryEfficiency = batteryEfficiency
        self.chargeSavePrecision = chargeSavePrecision
        self.maxCellVoltageSocFull = maxCellVoltageSocFull
        self.minCellVoltageSocEmpty = minCellVoltageSocEmpty
        self.zeroSoc = zeroSoc
    }

    public init(reading reader: ConfigReader) {
        batteryEfficiency = reader.double(OwnSocKeys.batteryEfficiency, in: 0.5...1)
        chargeSavePrecision = reader.double(OwnSocKeys.chargeSavePrecision, in: 0...0.1)
        maxCellVoltageSocFull = reader.double(OwnSocKeys.maxCellVoltageSocFull, in: 1...5)
        minCellVoltageSocEmpty = reader.double(OwnSocKeys.minCellVoltageSocEmpty, in: 1...5)
        zeroSoc = reader.bool(OwnSocKeys.zeroSoc)
        if minCellVoltageSocEmpty >= maxCellVoltageSocFull {
            reader.report(key: OwnSocKeys.minCellVoltageSocEmpty.name,
                          problem: "must be below MAX_CELL_VOLTAGE_SOC_FULL")
        }
    }
}
