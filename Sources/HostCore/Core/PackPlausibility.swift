import VeDbus

/// Readings no battery can produce. A driver that decodes a frame wrongly, or a peer that writes
/// nonsense onto a pack's paths, must not move the bank: a pack with such a reading is kept out
/// of the bank for the tick, like one with a missing value.
public enum PackPlausibility {
    /// Lithium cells of every chemistry live well inside this range, V.
    public static let cellVoltageRange = 0.0...5.0
    /// A pack's /Dc/0/Voltage may differ from its /Voltages/Sum by this share (shunt and cable
    /// drops, rounding, a sample taken a moment apart), or by `sumToleranceVolts`, whichever is larger.
    public static let sumToleranceShare = 0.1
    public static let sumToleranceVolts = 1.0
    /// Packs in parallel share one bus voltage; one that is further than this share from the
    /// median of three or more packs is misreading.
    public static let bankToleranceShare = 0.1

    /// Why one pack's own readings cannot be physical, or nil.
    /// - Parameter current: /Dc/0/Current as received: a signed measurement; an unsigned D-Bus
    ///   type (a byte of 200) is a sender's bug, not a current.
    public static func problem(voltage: Double, voltagesSum: Double?, cells: [Double?], minCell: Double?,
                               maxCell: Double?, current: DBusValue?) -> String? {
        if !(voltage > 0) { return "/Dc/0/Voltage \(shown(voltage)) V is not physical" }
        for (index, cell) in cells.enumerated() {
            if let cell, !cellVoltageRange.contains(cell) {
                return "/Voltages/Cell\(index + 1) \(shown(cell)) V outside 0...5 V"
            }
        }
        if let minCell, !cellVoltageRange.contains(minCell) { return "/System/MinCellVoltage \(shown(minCell)) V outside 0...5 V" }
        if let maxCell, !cellVoltageRange.contains(maxCell) { return "/System/MaxCellVoltage \(shown(maxCell)) V outside 0...5 V" }
        if let sum = voltagesSum {
            let tolerance = max(sumToleranceVolts, sum.magnitude * sumToleranceShare)
            if (voltage - sum).magnitude > tolerance {
                return "/Dc/0/Voltage \(shown(voltage)) V far from its cells' sum \(shown(sum)) V"
            }
        }
        if let current, isUnsigned(current) {
            return "/Dc/0/Current sent as an unsigned \(current.signature) (\(shown(current.number ?? 0))): not a current"
        }
        return nil
    }

    /// The indexes of `voltages` (three or more packs online) further than `bankToleranceShare`
    /// from their median, with the median; none unless the packs that agree are a clear majority
    /// (with two of three far off, which of them is right cannot be told).
    public static func outliers(_ voltages: [Double]) -> [(index: Int, median: Double)] {
        guard voltages.count >= 3 else { return [] }
        let sorted = voltages.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        var found: [(index: Int, median: Double)] = []
        for (index, voltage) in voltages.enumerated() where (voltage - median).magnitude > median * bankToleranceShare {
            found.append((index, median))
        }
        return 2 * (voltages.count - found.count) > voltages.count ? found : []
    }

    /// A number for a log line (Embedded Swift prints no Double by itself).
    static func shown(_ value: Double) -> String { TextFormat.fixedPoint(value, decimals: 3) }

    private static func isUnsigned(_ value: DBusValue) -> Bool {
        switch value {
        case .byte, .uint16, .uint32, .uint64: return true
        case .variant(let inner): return isUnsigned(inner)
        default: return false
        }
    }
}
