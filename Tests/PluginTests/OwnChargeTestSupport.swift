import PluginKit
import OwnChargeLogic

/// A StrategyHost double that records everything the own charge strategy asks of its host.
final class OwnChargeTestHost: StrategyHost {
    var config: [String: String]
    var stored: [String: StoredValue] = [:]
    var date: CalendarDate
    var acceptsWrites = true

    private(set) var logs: [(level: LogLevel, message: String)] = []
    private(set) var writes: [(key: String, value: String)] = []
    private(set) var corruptReports: [(key: String, reason: String)] = []
    private(set) var configErrors: [(key: String, problem: String)] = []

    init(config: [String: String] = ["NR_OF_CELLS_PER_BATTERY": "16"],
         date: CalendarDate = CalendarDate(year: 2026, month: 11, day: 25),
         lastBalancing: String? = nil) {
        self.config = config
        self.date = date
        if let lastBalancing { stored["last_balancing"] = .text(lastBalancing) }
    }

    func log(_ level: LogLevel, _ message: String) { logs.append((level, message)) }
    func configValue(_ key: String) -> String? { config[key] }
    func readState(_ key: String) -> StoredValue { stored[key] ?? .absent }

    @discardableResult func writeState(_ key: String, _ value: String) -> Bool {
        guard acceptsWrites else { return false }
        writes.append((key, value))
        stored[key] = .text(value)
        return true
    }

    func reportCorruptState(_ key: String, reason: String) { corruptReports.append((key, reason)) }
    func reportConfigError(key: String, problem: String) { configErrors.append((key, problem)) }
    func today() -> CalendarDate { date }

    var infoMessages: [String] { logs.filter { $0.level == .info }.map(\.message) }
    var configErrorKeys: [String] { configErrors.map(\.key) }
}

/// 16 cells, normal 3.35 V/cell (53.60 V) all year, balancing 3.45 V/cell (55.20 V), peak at
/// 3.55 V: a configuration where the three-state schedule runs and no cell peak interferes.
func ownChargeScheduleConfig(repetitionDays: Int = 10) -> [String: String] {
    [
        "NR_OF_CELLS_PER_BATTERY": "16",
        "CHARGE_VOLTAGE_LIST": "3.35, 3.35, 3.35, 3.35, 3.35, 3.35, 3.35, 3.35, 3.35, 3.35, 3.35, 3.35",
        "BALANCING_VOLTAGE": "3.45",
        "MAX_CELL_VOLTAGE": "3.55",
        "BALANCING_REPETITION": "\(repetitionDays)",
    ]
}

func ownChargeDate(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
    CalendarDate(year: year, month: month, day: day)
}

/// One tick's input: the bank as given; one battery "B1" carrying the bank voltage unless batteries are given.
func ownChargeContext(date: CalendarDate = ownChargeDate(2026, 11, 25), voltage: Double? = 53.0,
                      maxCell: Double? = 3.28, minCell: Double? = 3.27,
                      bankBlockingCharge: Int? = 0, bankBlockingDischarge: Int? = 0,
                      batteries: [BatterySnapshot]? = nil) -> TickContext {
    let bank = BankSnapshot(voltage: voltage, maxCellVoltage: maxCell, minCellVoltage: minCell,
                            blockingCharge: bankBlockingCharge, blockingDischarge: bankBlockingDischarge)
    let defaultBattery = BatterySnapshot(name: "B1", voltage: voltage, voltagesSum: voltage,
                                         minCellVoltage: minCell, maxCellVoltage: maxCell,
                                         blockingCharge: 0, blockingDischarge: 0)
    return TickContext(timeStepSeconds: 1, date: date, batteriesExpected: 1, bank: bank,
                       batteries: batteries ?? [defaultBattery])
}

func ownChargeClose(_ actual: Double?, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= tolerance
}
