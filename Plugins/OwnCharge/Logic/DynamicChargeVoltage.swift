import PluginKit

/// The CVL that pulls the highest cells back to MAX_CELL_VOLTAGE: per battery, its voltage sum
/// minus the excess of every cell above the limit; the bank gets the lowest of these.
public enum DynamicChargeVoltage {
    /// The battery with the lowest reduced voltage.
    public struct Reduction: Equatable, Sendable {
        /// V for the bank.
        public var chargeVoltageLimit: Double
        public var batteryName: String
        /// Sum of (cell - limit) over its cells above the limit, V.
        public var excessVoltage: Double
    }

    /// nil when no battery gives both a voltage sum and cell data.
    public static func reduction(batteries: [BatterySnapshot], maxCellVoltageLimit: Double) -> Reduction? {
        var best: Reduction?
        for battery in batteries {
            guard let voltagesSum = battery.voltagesSum else { continue }
            var excess = 0.0
            var knownCells = 0
            for case let cell? in battery.cellVoltages {
                knownCells += 1
                if cell > maxCellVoltageLimit { excess += cell - maxCellVoltageLimit }
            }
            if knownCells == 0 {
                // No cell list (CAN batteries): only the highest cell's excess is known.
                guard let maxCell = battery.maxCellVoltage else { continue }
                excess = max(0, maxCell - maxCellVoltageLimit)
            }
            let limit = voltagesSum - excess
            if best.map({ limit < $0.chargeVoltageLimit }) ?? true {
                best = Reduction(chargeVoltageLimit: limit, batteryName: battery.name, excessVoltage: excess)
            }
        }
        return best
    }

    /// Where the highest cell is, for people: "cell C7 of battery B2 at 3.460 V".
    public static func highestCellText(batteries: [BatterySnapshot], bank: BankSnapshot) -> String {
        var bestVoltage = -Double.infinity
        var text = ""
        for battery in batteries {
            for (index, cell) in battery.cellVoltages.enumerated() {
                if let cell, cell > bestVoltage {
                    bestVoltage = cell
                    text = "cell C\(index + 1) of battery " + battery.name + " at " + FixedDecimal.format(cell, decimals: 3, rounding: .halfAwayFromZero) + " V"
                }
            }
        }
        if !text.isEmpty { return text }
        let cellId = bank.maxCellId ?? "?"
        return "highest cell " + cellId + " at " + FixedDecimal.format(bank.maxCellVoltage ?? 0, decimals: 3, rounding: .halfAwayFromZero) + " V"
    }
}
