/// What is fixed about one simulated battery: its cells, capacity and BMS settings.
public struct BatteryParameters: Sendable, Equatable {
    public var cellCount: Int
    public var capacityAh: Double
    /// Per cell, percentage points added to the battery's SoC: a cell with +4 is fuller than the
    /// rest, reaches the upper knee first and so peaks. Missing entries count as 0.
    public var cellSocOffsetsPercent: [Double]
    /// Per cell, volts added to the terminal voltage (sensor or connection differences).
    public var cellVoltageOffsetsV: [Double]
    /// Internal resistance of one cell, Ω.
    public var cellInternalResistanceOhm: Double
    /// CVL per cell (dbus-serialbattery's default MAX_CELL_VOLTAGE is 3.45 V).
    public var chargeVoltagePerCellV: Double
    /// BatteryLowVoltage per cell.
    public var lowVoltagePerCellV: Double
    /// The BMS's configured CCL and DCL before tapering, A.
    public var maxChargeCurrentA: Double
    public var maxDischargeCurrentA: Double
    /// Cell over-/undervoltage protection: the BMS opens its charge (discharge) switch at the
    /// trip voltage and closes it again past the release voltage.
    public var overvoltageTripV: Double = 3.65
    public var overvoltageReleaseV: Double = 3.40
    public var undervoltageTripV: Double = 2.70
    public var undervoltageReleaseV: Double = 3.00
    /// Ambient temperature of the battery, °C.
    public var ambientTemperatureC: Double = 22
    /// The CVL per cell the BMS publishes once it floats, as dbus-serialbattery lowers it to its
    /// FLOAT_CELL_VOLTAGE; nil: the BMS keeps `chargeVoltagePerCellV` (the default).
    public var floatVoltagePerCellV: Double?
    /// The BMS balances while absorbing with its cells more than 10 mV apart, and its driver says
    /// so ("Absorption + Balancing"), as dbus-serialbattery does.
    public var reportsBalancing = false

    public init(cellCount: Int = 16, capacityAh: Double = 280, cellSocOffsetsPercent: [Double] = [],
                cellVoltageOffsetsV: [Double]? = nil, cellInternalResistanceOhm: Double? = nil,
                chargeVoltagePerCellV: Double = 3.45, lowVoltagePerCellV: Double = 2.90,
                maxChargeCurrentA: Double = 100, maxDischargeCurrentA: Double = 150) {
        self.cellCount = max(1, cellCount)
        self.capacityAh = max(1, capacityAh)
        self.cellSocOffsetsPercent = cellSocOffsetsPercent
        self.cellVoltageOffsetsV = cellVoltageOffsetsV ?? Self.defaultVoltageSpread(cellCount: cellCount)
        // A 280 Ah prismatic LFP cell has about 0.5 mΩ; smaller cells proportionally more.
        self.cellInternalResistanceOhm = cellInternalResistanceOhm ?? 0.14 / max(1, capacityAh)
        self.chargeVoltagePerCellV = chargeVoltagePerCellV
        self.lowVoltagePerCellV = lowVoltagePerCellV
        self.maxChargeCurrentA = maxChargeCurrentA
        self.maxDischargeCurrentA = maxDischargeCurrentA
    }

    /// A deterministic ±2 mV spread, so that min and max cell ids mean something.
    public static func defaultVoltageSpread(cellCount: Int) -> [Double] {
        (0..<max(0, cellCount)).map { Double(($0 * 7) % 5 - 2) * 0.001 }
    }

    public func socOffset(ofCell index: Int) -> Double {
        index < cellSocOffsetsPercent.count ? cellSocOffsetsPercent[index] : 0
    }

    public func voltageOffset(ofCell index: Int) -> Double {
        index < cellVoltageOffsetsV.count ? cellVoltageOffsetsV[index] : 0
    }

    /// CVL of the whole battery, V.
    public var chargeVoltageV: Double { Double(cellCount) * chargeVoltagePerCellV }
}
