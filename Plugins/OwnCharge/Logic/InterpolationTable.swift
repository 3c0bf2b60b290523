/// Why a pair of lists cannot form an interpolation table.
public enum InterpolationTableProblem: Error, Equatable, Sendable {
    case empty
    case lengthMismatch(cellVoltageCount: Int, currentFactorCount: Int)
    /// Entry `index` (0-based) is lower than the one before it.
    case notAscending(index: Int)
}

/// A current factor as a piecewise linear function of a cell voltage, clamped to the end values
/// outside the voltage range (how CCL and DCL follow the highest and lowest cell).
public struct InterpolationTable: Equatable, Sendable {
    /// Cell voltages in V, ascending; equal neighbours make a step.
    public let cellVoltages: [Double]
    /// Factor of the maximum current at each of `cellVoltages`.
    public let currentFactors: [Double]

    public init(cellVoltages: [Double], currentFactors: [Double]) throws(InterpolationTableProblem) {
        guard cellVoltages.count == currentFactors.count else {
            throw .lengthMismatch(cellVoltageCount: cellVoltages.count, currentFactorCount: currentFactors.count)
        }
        guard !cellVoltages.isEmpty else { throw .empty }
        var index = 1
        while index < cellVoltages.count {
            if cellVoltages[index] < cellVoltages[index - 1] { throw .notAscending(index: index) }
            index += 1
        }
        self.cellVoltages = cellVoltages
        self.currentFactors = currentFactors
    }

    /// The factor at `cellVoltage` (V).
    public func factor(at cellVoltage: Double) -> Double {
        guard cellVoltage >= cellVoltages[0] else { return currentFactors[0] }
        // The last point at or below the voltage; at a step the right-hand value wins.
        var lower = 0
        while lower + 1 < cellVoltages.count && cellVoltages[lower + 1] <= cellVoltage { lower += 1 }
        guard lower + 1 < cellVoltages.count else { return currentFactors[lower] }
        let upper = lower + 1
        let fraction = (cellVoltage - cellVoltages[lower]) / (cellVoltages[upper] - cellVoltages[lower])
        return currentFactors[lower] + fraction * (currentFactors[upper] - currentFactors[lower])
    }

    /// The charge table when CELL_CHARGE_LIMITING_VOLTAGE is empty: [MIN, MIN+0.05, BAL-0.1, BAL, MAX].
    public static func derivedChargeCellVoltages(minCellVoltage: Double, balancingCellVoltage: Double,
                                                 maxCellVoltage: Double) -> [Double] {
        [minCellVoltage, minCellVoltage + 0.05, balancingCellVoltage - 0.1, balancingCellVoltage, maxCellVoltage]
    }

    /// The discharge table when CELL_DISCHARGE_LIMITING_VOLTAGE is empty: [MIN, MIN+0.1, MIN+0.2].
    public static func derivedDischargeCellVoltages(minCellVoltage: Double) -> [Double] {
        [minCellVoltage, minCellVoltage + 0.1, minCellVoltage + 0.2]
    }
}
