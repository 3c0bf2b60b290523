// Test doubles shared by the plugin tests (also meant for the OwnCharge tests): a StrategyHost
// that keeps config, state and everything reported in memory, with a settable date.

import PluginKit

/// An in-memory `StrategyHost`: set `config` and `state`, read back what a strategy logged,
/// stored and reported.
final class FakeStrategyHost: StrategyHost {
    struct LogLine: Equatable {
        var level: LogLevel
        var message: String
    }

    struct Report: Equatable {
        var key: String
        var text: String
    }

    /// Raw INI text per key, as the host's config lookup would give it.
    var config: [String: String]
    /// Stored values per state key; keys in `unreadableStateKeys` read as `.unreadable`.
    var state: [String: String]
    var unreadableStateKeys: Set<String> = []
    /// When true, every `writeState` is refused (returns false, stores nothing).
    var refuseStateWrites = false
    var date: CalendarDate

    private(set) var logs: [LogLine] = []
    /// Every accepted write, in order.
    private(set) var stateWrites: [Report] = []
    private(set) var configErrors: [Report] = []
    private(set) var corruptStates: [Report] = []

    init(config: [String: String] = [:], state: [String: String] = [:],
         date: CalendarDate = CalendarDate(year: 2026, month: 6, day: 15)) {
        self.config = config
        self.state = state
        self.date = date
    }

    func log(_ level: LogLevel, _ message: String) {
        logs.append(LogLine(level: level, message: message))
    }

    func configValue(_ key: String) -> String? {
        config[key]
    }

    func readState(_ key: String) -> StoredValue {
        if unreadableStateKeys.contains(key) { return .unreadable }
        return state[key].map { .text($0) } ?? .absent
    }

    @discardableResult
    func writeState(_ key: String, _ value: String) -> Bool {
        guard !refuseStateWrites else { return false }
        state[key] = value
        stateWrites.append(Report(key: key, text: value))
        return true
    }

    func reportCorruptState(_ key: String, reason: String) {
        corruptStates.append(Report(key: key, text: reason))
    }

    func reportConfigError(key: String, problem: String) {
        configErrors.append(Report(key: key, text: problem))
    }

    func today() -> CalendarDate {
        date
    }
}

/// A tick context with sensible defaults for tests.
func makeTick(batteries: [BatterySnapshot] = [], bank: BankSnapshot = BankSnapshot(),
              timeStepSeconds: Double = 1, batteriesExpected: Int? = nil,
              charge: ChargeResult? = nil) -> TickContext {
    TickContext(timeStepSeconds: timeStepSeconds, date: CalendarDate(year: 2026, month: 6, day: 15),
                batteriesExpected: batteriesExpected ?? batteries.count, bank: bank,
                batteries: batteries, charge: charge)
}

/// A battery with the three BMS limits set (the BMSCombine inputs).
func limitedBattery(_ name: String, cvl: Double?, ccl: Double?, dcl: Double?, installedAh: Double? = 100,
                    chargeMode: String? = nil) -> BatterySnapshot {
    BatterySnapshot(name: name, service: "com.victronenergy.battery.\(name)", installedCapacityAh: installedAh,
                    maxChargeVoltage: cvl, maxChargeCurrent: ccl, maxDischargeCurrent: dcl,
                    chargeMode: chargeMode)
}
