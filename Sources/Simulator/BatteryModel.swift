/// The physics and BMS logic of one battery, free of any bus: coulomb counting, cell voltages
/// from the LFP curve, protection switches and the limits a BMS would publish.
public struct BatteryModel: Sendable {
    public let parameters: BatteryParameters
    /// State of charge of the battery (its average cell), 0...100 %.
    public private(set) var socPercent: Double
    /// The current that flowed in the last step, A, + charging (0 while the BMS blocks it).
    public private(set) var currentA: Double = 0
    /// Scenario knobs: the BMS refuses charge / discharge as if a module said so.
    public var chargeBlockedByCommand = false
    public var dischargeBlockedByCommand = false
    /// Set by the BMS's own cell protection (see BatteryParameters trip/release voltages).
    public private(set) var chargeBlockedByProtection = false
    public private(set) var dischargeBlockedByProtection = false

    public init(parameters: BatteryParameters, socPercent: Double) {
        self.parameters = parameters
        self.socPercent = min(100, max(0, socPercent))
        updateProtection()
    }

    public var blocksCharge: Bool { chargeBlockedByCommand || chargeBlockedByProtection }
    public var blocksDischarge: Bool { dischargeBlockedByCommand || dischargeBlockedByProtection }

    /// Whether the battery takes a current of this sign now (its BMS switch is closed).
    public func accepts(currentA requested: Double) -> Bool {
        if requested > 0 { return !blocksCharge }
        if requested < 0 { return !blocksDischarge }
        return true
    }

    /// Lets `requestedA` flow for `seconds` (or nothing if the BMS blocks it); returns the
    /// current that flowed.
    @discardableResult
    public mutating func step(requestedA: Double, seconds: Double) -> Double {
        currentA = accepts(currentA: requestedA) ? requestedA : 0
        let deltaAh = currentA * seconds / 3600
        socPercent = min(100, max(0, socPercent + deltaAh / parameters.capacityAh * 100))
        updateProtection()
        return currentA
    }

    /// Moves the SoC directly (for tests and scenario set-up).
    public mutating func setSoc(_ percent: Double) {
        socPercent = min(100, max(0, percent))
        updateProtection()
    }

    // MARK: Cells

    /// Cell voltages, V, cell 1 first.
    public var cellVoltages: [Double] {
        (0..<parameters.cellCount).map { index in
            LFPCellCurve.terminalVoltage(cellSocPercent: socPercent + parameters.socOffset(ofCell: index),
                                         currentA: currentA,
                                         internalResistanceOhm: parameters.cellInternalResistanceOhm,
                                         offsetV: parameters.voltageOffset(ofCell: index))
        }
    }

    /// Battery terminal voltage: the series sum of its cells, V.
    public var voltageV: Double { cellVoltages.reduce(0, +) }

    public var remainingAh: Double { parameters.capacityAh * socPercent / 100 }

    /// Two sensors, warmed a little by the current, °C.
    public var temperaturesC: [Double] {
        let base = parameters.ambientTemperatureC + abs(currentA) * 0.02
        return [base, base + 0.8]
    }

    // MARK: BMS limits

    /// CCL: full below 3.40 V on the highest cell, tapering to 0 at 3.60 V, 0 while blocked.
    public var chargeCurrentLimitA: Double {
        guard !blocksCharge, let maxCell = cellVoltages.max() else { return 0 }
        return (parameters.maxChargeCurrentA * Self.chargeTaper(maxCell) * 10).rounded() / 10
    }

    /// DCL: full above 3.00 V on the lowest cell, tapering to 0 at 2.75 V, 0 while blocked.
    public var dischargeCurrentLimitA: Double {
        guard !blocksDischarge, let minCell = cellVoltages.min() else { return 0 }
        return (parameters.maxDischargeCurrentA * Self.dischargeTaper(minCell) * 10).rounded() / 10
    }

    static let chargeTaper = PiecewiseLinear([(3.40, 1), (3.50, 0.5), (3.55, 0.1), (3.60, 0)])
    static let dischargeTaper = PiecewiseLinear([(2.75, 0), (2.80, 0.1), (2.90, 0.5), (3.00, 1)])

    /// dbus-serialbattery's /Info/ChargeMode text.
    public var chargeMode: String {
        if socPercent >= 99.9 { return "Float" }
        let cells = cellVoltages
        let maxCell = cells.max() ?? 0
        if maxCell >= parameters.chargeVoltagePerCellV
            || voltageV >= parameters.chargeVoltageV - 0.01 * Double(parameters.cellCount) {
            if parameters.reportsBalancing, maxCell - (cells.min() ?? maxCell) > 0.010 { return "Absorption + Balancing" }
            return "Absorption"
        }
        return "Bulk"
    }

    /// The CVL the BMS publishes, V: its float voltage once it floats, when it has one.
    public var publishedChargeVoltageV: Double {
        if let float = parameters.floatVoltagePerCellV, socPercent >= 99.9 { return float * Double(parameters.cellCount) }
        return parameters.chargeVoltageV
    }

    private mutating func updateProtection() {
        let cells = cellVoltages
        guard let maxCell = cells.max(), let minCell = cells.min() else { return }
        if maxCell >= parameters.overvoltageTripV { chargeBlockedByProtection = true }
        else if maxCell < parameters.overvoltageReleaseV { chargeBlockedByProtection = false }
        if minCell <= parameters.undervoltageTripV { dischargeBlockedByProtection = true }
        else if minCell > parameters.undervoltageReleaseV { dischargeBlockedByProtection = false }
    }
}
