import PluginKit

/// One edge case `plugin-check` runs a strategy through: a few ticks of input a real system can
/// produce (or that a host bug could), and whether an error return is a fair answer to it.
public struct PluginCheckCase {
    public var name: String
    /// True where DAB_ERR_INPUT is the right answer (nothing to compute from); elsewhere an error
    /// on valid input is a problem: the host would publish CCL = DCL = 0 for it.
    public var allowsError: Bool
    public var ticks: [TickContext]
    /// Run with config.default.ini alone (and the strategy's own key defaults), not the --config given.
    public var usesDefaultConfig = false

    /// Cells per battery of the synthetic packs: NR_OF_CELLS_PER_BATTERY of the config.
    public static func all(cellsPerBattery cells: Int, expected: Int, longRunTicks: Int) -> [PluginCheckCase] {
        let date = CalendarDate(year: 2026, month: 6, day: 15)
        let one = [SyntheticPack.battery(index: 0, cells: cells)]
        let two = (0..<max(expected, 1)).map { SyntheticPack.battery(index: $0, cells: cells) }
        let many = (0..<64).map { SyntheticPack.battery(index: $0, cells: cells) }
        // A BMS that reports no cells (a CAN battery, a driver between two reads): its other values stand.
        var zeroCells = SyntheticPack.battery(index: 0, cells: cells)
        zeroCells.cellVoltages = []
        zeroCells.minCellVoltage = nil
        zeroCells.maxCellVoltage = nil
        zeroCells.voltagesSum = nil
        let unknown = SyntheticPack.unknownBattery(cells: cells)
        func context(_ batteries: [BatterySnapshot], step: Double = 1, date: CalendarDate = date,
                     expected: Int = expected) -> TickContext {
            TickContext(timeStepSeconds: step, date: date, batteriesExpected: expected,
                        bank: SyntheticPack.bank(of: batteries), batteries: batteries)
        }
        var unknownBank = context([unknown])
        unknownBank.bank = BankSnapshot()
        let yearEnd = [CalendarDate(year: 2026, month: 12, day: 31), CalendarDate(year: 2027, month: 1, day: 1),
                       CalendarDate(year: 2027, month: 1, day: 2), CalendarDate(year: 2028, month: 2, day: 29),
                       CalendarDate(year: 2028, month: 3, day: 1)]
        var longRun: [TickContext] = []
        longRun.reserveCapacity(longRunTicks)
        for index in 0..<longRunTicks {
            // Charging slowly, cells rising by a millivolt every 50 s: limits move as on a real day.
            var packs = two
            for pack in packs.indices {
                packs[pack].cellVoltages = packs[pack].cellVoltages.map { $0.map { $0 + Double(index / 50) * 0.001 } }
                SyntheticPack.refresh(&packs[pack])
            }
            longRun.append(context(packs))
        }
        return [
            PluginCheckCase(name: "one battery", allowsError: false, ticks: [context(one, expected: 1), context(one, expected: 1)]),
            PluginCheckCase(name: "\(two.count) batteries, every key at its default", allowsError: false,
                            ticks: [context(two), context(two)], usesDefaultConfig: true),
            PluginCheckCase(name: "64 batteries", allowsError: false, ticks: [context(many, expected: 64)]),
            PluginCheckCase(name: "time step 0 s", allowsError: false, ticks: [context(two, step: 0)]),
            PluginCheckCase(name: "time step 3600 s", allowsError: false, ticks: [context(two, step: 3600), context(two, step: 3600)]),
            PluginCheckCase(name: "dates across a year end and a leap day", allowsError: false,
                            ticks: yearEnd.map { context(two, step: 86400, date: $0) }),
            PluginCheckCase(name: "a pack missing (1 of \(max(expected, 2)) online)", allowsError: false,
                            ticks: [context(one, expected: max(expected, 2))]),
            PluginCheckCase(name: "no battery online", allowsError: true,
                            ticks: [TickContext(timeStepSeconds: 1, date: date, batteriesExpected: expected, bank: BankSnapshot(),
                                                batteries: [])]),
            PluginCheckCase(name: "zero cells", allowsError: true, ticks: [context([zeroCells], expected: 1)]),
            PluginCheckCase(name: "NaN inputs (every value unknown)", allowsError: true, ticks: [unknownBank]),
            PluginCheckCase(name: "\(longRunTicks) ticks of a slow charge (timed)", allowsError: false, ticks: longRun),
        ]
    }
}

/// The packs the cases are made of: LFP cells near 3.3 V, 280 Ah, the limits a JK BMS publishes.
enum SyntheticPack {
    static func battery(index: Int, cells: Int) -> BatterySnapshot {
        var battery = BatterySnapshot(
            name: "Pack \(index + 1)", service: "com.victronenergy.battery.ttyUSB\(index)",
            current: 10, temperature: 22, socPercent: 60, capacityAh: 168, installedCapacityAh: 280, consumedAh: -112,
            timeToGoSeconds: nil, maxChargeVoltage: 3.45 * Double(cells), maxChargeCurrent: 100, maxDischargeCurrent: 150,
            chargeMode: "Bulk", blockingCharge: 0, blockingDischarge: 0,
            cellVoltages: (0..<cells).map { Optional(3.300 + Double(($0 * 7 + index) % 5) * 0.002) })
        refresh(&battery)
        return battery
    }

    /// Voltage, sum and extremes from the cells.
    static func refresh(_ battery: inout BatterySnapshot) {
        let cells = battery.cellVoltages.compactMap { $0 }
        guard !cells.isEmpty else {
            battery.voltage = 53
            battery.power = 530
            return
        }
        let sum = cells.reduce(0, +)
        battery.voltage = sum
        battery.voltagesSum = sum
        battery.power = sum * (battery.current ?? 0)
        var lowest = 0
        var highest = 0
        for index in cells.indices {
            if cells[index] < cells[lowest] { lowest = index }
            if cells[index] > cells[highest] { highest = index }
        }
        battery.minCellVoltage = cells[lowest]
        battery.maxCellVoltage = cells[highest]
        battery.minCellId = "C\(lowest + 1)"
        battery.maxCellId = "C\(highest + 1)"
    }

    /// A pack whose every value is unknown (NaN in C, NULL texts), its cells included.
    static func unknownBattery(cells: Int) -> BatterySnapshot {
        BatterySnapshot(name: "Pack 1", service: "com.victronenergy.battery.ttyUSB0",
                        cellVoltages: [Double?](repeating: nil, count: cells))
    }

    /// The bank as the host combines it: mean voltage, summed current and capacity, extremes.
    static func bank(of batteries: [BatterySnapshot]) -> BankSnapshot {
        guard !batteries.isEmpty else { return BankSnapshot() }
        let count = Double(batteries.count)
        let voltage = batteries.compactMap { $0.voltage }.reduce(0, +) / count
        let current = batteries.compactMap { $0.current }.reduce(0, +)
        let installed = batteries.compactMap { $0.installedCapacityAh }.reduce(0, +)
        let capacity = batteries.compactMap { $0.capacityAh }.reduce(0, +)
        let highest = batteries.indices.max { (batteries[$0].maxCellVoltage ?? 0) < (batteries[$1].maxCellVoltage ?? 0) } ?? 0
        let lowest = batteries.indices.min { (batteries[$0].minCellVoltage ?? 9) < (batteries[$1].minCellVoltage ?? 9) } ?? 0
        return BankSnapshot(
            voltage: voltage, current: current, power: voltage * current, temperature: 22, installedCapacityAh: installed,
            bmsSocPercent: installed > 0 ? capacity / installed * 100 : nil, bmsCapacityAh: capacity,
            bmsConsumedAh: capacity - installed, bmsTimeToGoSeconds: nil,
            maxCellVoltage: batteries[highest].maxCellVoltage, minCellVoltage: batteries[lowest].minCellVoltage,
            maxCellId: batteries[highest].maxCellId.map { batteries[highest].name + ": " + $0 },
            minCellId: batteries[lowest].minCellId.map { batteries[lowest].name + ": " + $0 },
            blockingCharge: 0, blockingDischarge: 0, systemLowSoc: false)
    }
}
