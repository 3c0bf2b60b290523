import PluginKit

/// The host services a checked strategy gets: the config as the daemon layers it, a state store
/// in memory that records what is written, the case's date, and its log lines counted.
final class PluginCheckHost: StrategyHost {
    let config: LayeredConfig
    var date = CalendarDate(year: 2026, month: 6, day: 15)
    private var stored: [String: String] = [:]
    /// How many times each key was written, and in how many ticks.
    private(set) var writes: [String: Int] = [:]
    private(set) var logLines = 0
    private(set) var configProblems: [String] = []

    init(config: LayeredConfig) {
        self.config = config
    }

    func log(_ level: LogLevel, _ message: String) { logLines += 1 }

    func configValue(_ key: String) -> String? { config.value(forKey: key) }

    func readState(_ key: String) -> StoredValue {
        stored[key].map { .text($0) } ?? .absent
    }

    func writeState(_ key: String, _ value: String) -> Bool {
        guard StateStore.isValidKey(key), value.utf8.count <= HostServicesTable.maximumStateBytes else { return false }
        stored[key] = value
        writes[key, default: 0] += 1
        return true
    }

    func reportCorruptState(_ key: String, reason: String) {
        stored[key] = nil
    }

    func reportConfigError(key: String, problem: String) {
        configProblems.append("\(key): \(problem)")
    }

    func today() -> CalendarDate { date }
}
