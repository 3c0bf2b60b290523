import PluginKit

/// The own charge algorithm's settings, read once at creation.
public struct OwnChargeConfiguration: Equatable, Sendable {
    public var cellsPerBattery: Int
    /// V per cell.
    public var balancingCellVoltage: Double
    public var balancingRepetitionDays: Int
    /// V per cell, index 0 = January.
    public var chargeCellVoltageByMonth: [Double]
    /// V; at or above it the CVL is reduced and feed-in is switched off.
    public var maxCellVoltage: Double
    /// V; at or below it discharge stops.
    public var minCellVoltage: Double
    /// V above minCellVoltage before discharge is allowed again.
    public var minCellHysteresis: Double
    /// V; a spread of cell voltages below it counts as balanced.
    public var cellDiffMax: Double
    /// A, whole bank.
    public var maxChargeCurrent: Double
    /// A, whole bank.
    public var maxDischargeCurrent: Double
    /// Factor of maxChargeCurrent over the highest cell voltage.
    public var chargeCurrentTable: InterpolationTable
    /// Factor of maxDischargeCurrent over the lowest cell voltage.
    public var dischargeCurrentTable: InterpolationTable
    public var zeroSoc: Bool

    /// CVL of a normal charge in `month` (1...12), V for the bank.
    public func normalChargeVoltageLimit(month: Int) -> Double {
        Double(cellsPerBattery) * chargeCellVoltageByMonth[month - 1]
    }

    /// CVL while balancing, V for the bank.
    public var balancingChargeVoltageLimit: Double {
        Double(cellsPerBattery) * balancingCellVoltage
    }

    /// Reads every key (absent keys take their declared default), reports every bad value to the
    /// host, and throws a config error naming the bad keys when there was any.
    public static func read(from host: any StrategyHost) throws(StrategyError) -> OwnChargeConfiguration {
        let reader = OwnChargeConfigReader(ConfigReader(host: host))
        typealias Keys = OwnChargeConfigKeys
        let voltageProblem = "must be a cell voltage between 0.5 and 5 V"
        let cellVoltageRange = 0.5...5.0

        let cells = reader.integer(Keys.cellsPerBattery, range: 2...1000,
                                   problem: "must be set to the number of cells per battery (2 or more)")
        let balancing = reader.decimal(Keys.balancingVoltage, range: cellVoltageRange, problem: voltageProblem)
        let repetition = reader.integer(Keys.balancingRepetition, range: 0...36500,
                                        problem: "must be a whole number of days, 0 or more")
        let monthly = reader.decimalList(Keys.chargeVoltageList)
        let maxCell = reader.decimal(Keys.maxCellVoltage, range: cellVoltageRange, problem: voltageProblem)
        var minCell = reader.decimal(Keys.minCellVoltage, range: cellVoltageRange, problem: voltageProblem)
        let hysteresis = reader.decimal(Keys.minCellHysteresis, range: 0.0...2.0,
                                        problem: "must be between 0 and 2 V")
        let diffMax = reader.decimal(Keys.cellDiffMax, range: 0.0001...1.0,
                                     problem: "must be between 0.0001 and 1 V")
        let chargeCurrent = reader.decimal(Keys.maxChargeCurrent, range: 0.0...100_000.0,
                                           problem: "must be a current of 0 A or more")
        let dischargeCurrent = reader.decimal(Keys.maxDischargeCurrent, range: 0.0...100_000.0,
                                              problem: "must be a current of 0 A or more")
        let chargeVoltages = reader.decimalList(Keys.chargeLimitingVoltage)
        let chargeFactors = reader.decimalList(Keys.chargeLimitedCurrent)
        let dischargeVoltages = reader.decimalList(Keys.dischargeLimitingVoltage)
        let dischargeFactors = reader.decimalList(Keys.dischargeLimitedCurrent)
        let zeroSoc = reader.boolean(Keys.zeroSoc)

        if let monthly {
            if monthly.count != 12 {
                reader.report(Keys.chargeVoltageList,
                              "must have 12 values (January..December), has \(monthly.count)")
            } else {
                for (index, value) in monthly.enumerated() where !cellVoltageRange.contains(value) {
                    reader.report(Keys.chargeVoltageList, "value \(index + 1) " + voltageProblem)
                }
            }
        }
        if let min = minCell, let maxCell, min >= maxCell {
            reader.report(Keys.minCellVoltage, "must be below MAX_CELL_VOLTAGE")
            minCell = nil  // no derived tables from inconsistent limits: one error, not three
        }
        for (key, factors) in [(Keys.chargeLimitedCurrent, chargeFactors), (Keys.dischargeLimitedCurrent, dischargeFactors)] {
            if let factors, factors.contains(where: { !($0 >= 0 && $0 <= 10) }) {
                reader.report(key, "factors must be between 0 and 10")
            }
        }

        // Tables: an empty voltage list is derived from MIN/BALANCING/MAX, so those must be good first.
        var chargeTable: InterpolationTable?
        if let chargeVoltages, let chargeFactors {
            if chargeVoltages.isEmpty {
                if let minCell, let balancing, let maxCell {
                    chargeTable = reader.table(
                        voltageKey: Keys.chargeLimitingVoltage, factorKey: Keys.chargeLimitedCurrent,
                        derivedFrom: "MIN_CELL_VOLTAGE, BALANCING_VOLTAGE and MAX_CELL_VOLTAGE",
                        cellVoltages: InterpolationTable.derivedChargeCellVoltages(
                            minCellVoltage: minCell, balancingCellVoltage: balancing, maxCellVoltage: maxCell),
                        currentFactors: chargeFactors)
                }
            } else {
                chargeTable = reader.table(voltageKey: Keys.chargeLimitingVoltage, factorKey: Keys.chargeLimitedCurrent,
                                           derivedFrom: nil, cellVoltages: chargeVoltages, currentFactors: chargeFactors)
            }
        }
        var dischargeTable: InterpolationTable?
        if let dischargeVoltages, let dischargeFactors {
            if dischargeVoltages.isEmpty {
                if let minCell {
                    dischargeTable = reader.table(
                        voltageKey: Keys.dischargeLimitingVoltage, factorKey: Keys.dischargeLimitedCurrent,
                        derivedFrom: "MIN_CELL_VOLTAGE",
                        cellVoltages: InterpolationTable.derivedDischargeCellVoltages(minCellVoltage: minCell),
                        currentFactors: dischargeFactors)
                }
            } else {
                dischargeTable = reader.table(voltageKey: Keys.dischargeLimitingVoltage, factorKey: Keys.dischargeLimitedCurrent,
                                              derivedFrom: nil, cellVoltages: dischargeVoltages, currentFactors: dischargeFactors)
            }
        }

        try reader.kit.finish(strategy: "OwnCharge")
        // No problem reported means every value was read; the else is unreachable.
        guard let cells, let balancing, let repetition, let monthly, let maxCell,
              let minCell, let hysteresis, let diffMax, let chargeCurrent, let dischargeCurrent,
              let chargeTable, let dischargeTable, let zeroSoc
        else {
            throw StrategyError(.config, "OwnCharge: unusable configuration")
        }
        return OwnChargeConfiguration(
            cellsPerBattery: cells, balancingCellVoltage: balancing, balancingRepetitionDays: repetition,
            chargeCellVoltageByMonth: monthly, maxCellVoltage: maxCell, minCellVoltage: minCell,
            minCellHysteresis: hysteresis, cellDiffMax: diffMax, maxChargeCurrent: chargeCurrent,
            maxDischargeCurrent: dischargeCurrent, chargeCurrentTable: chargeTable,
            dischargeCurrentTable: dischargeTable, zeroSoc: zeroSoc)
    }
}

/// PluginKit's ConfigReader with OwnCharge's rule on top: a key that got a problem reads as nil,
/// so nothing is derived from a default the user did not choose (one error per mistake, not three).
struct OwnChargeConfigReader {
    let kit: ConfigReader

    init(_ kit: ConfigReader) {
        self.kit = kit
    }

    func report(_ key: String, _ problem: String) {
        kit.report(key: key, problem: problem)
    }

    /// `read`'s value, or nil when it reported a problem.
    private func checked<Value>(_ key: String, _ read: (ConfigKeySpec) -> Value) -> Value? {
        let reported = kit.problems.count
        // An unknown key has no default: its reading fails visibly as a config error, not a crash.
        let value = read(OwnChargeConfigKeys.spec(key) ?? ConfigKeySpec(key, default: "", ""))
        return kit.problems.count == reported ? value : nil
    }

    func decimal(_ key: String, range: ClosedRange<Double>, problem: String) -> Double? {
        checked(key) { kit.double($0, in: range, problem: problem) }
    }

    func integer(_ key: String, range: ClosedRange<Int>, problem: String) -> Int? {
        checked(key) { kit.int($0, in: range, problem: problem) }
    }

    func boolean(_ key: String) -> Bool? {
        checked(key) { kit.bool($0) }
    }

    /// A comma-separated list of numbers; empty text is an empty list.
    func decimalList(_ key: String) -> [Double]? {
        checked(key) { kit.doubleList($0) }
    }

    func table(voltageKey: String, factorKey: String, derivedFrom: String?,
               cellVoltages: [Double], currentFactors: [Double]) -> InterpolationTable? {
        do {
            return try InterpolationTable(cellVoltages: cellVoltages, currentFactors: currentFactors)
        } catch {
            switch error {
            case .empty:
                report(factorKey, "must not be empty")
            case .lengthMismatch(let voltageCount, let factorCount):
                let voltageSource = derivedFrom == nil ? "\(voltageCount) values" : "\(voltageCount) derived values"
                report(factorKey, "has \(factorCount) values but \(voltageKey) has " + voltageSource
                                  + "; both lists must have the same length")
            case .notAscending(let index):
                if let derivedFrom {
                    report(voltageKey, "is derived from " + derivedFrom
                                       + " but the derived voltages are not ascending; set it explicitly")
                } else {
                    report(voltageKey, "must be ascending (entry \(index + 1) is lower than entry \(index))")
                }
            }
            return nil
        }
    }
}
