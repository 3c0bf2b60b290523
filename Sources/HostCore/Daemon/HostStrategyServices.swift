import PluginKit

/// What the host offers one strategy instance: logging, the layered config, the state store and
/// the calendar. Config errors are collected so that start-up can list every one at once.
public final class HostStrategyServices: StrategyHost {
    public let strategyName: String
    private let logger: DaemonLogger
    private let config: LayeredConfig
    private let stateStore: StateStore
    private let calendar: () -> CalendarDate
    /// Problems the strategy reported about its keys, located in the config files.
    public private(set) var configProblems: [ConfigProblem] = []

    public init(strategyName: String, logger: DaemonLogger, config: LayeredConfig, stateStore: StateStore,
                calendar: @escaping () -> CalendarDate) {
        self.strategyName = strategyName
        self.logger = logger
        self.config = config
        self.stateStore = stateStore
        self.calendar = calendar
    }

    public func log(_ level: LogLevel, _ message: String) {
        logger.log(level, "\(strategyName): \(message)")
    }

    public func configValue(_ key: String) -> String? {
        config.value(forKey: key)
    }

    public func readState(_ key: String) -> StoredValue {
        do {
            let value = try stateStore.read(key)
            // The strategy starts without it and will save a new value over it: keep a copy first.
            if value == .unreadable { reportCorruptState(key, reason: "unreadable: not UTF-8 text, too large or not readable") }
            return value
        } catch {
            logger.warning("state \(key): \(error)")
            return .unreadable
        }
    }

    public func writeState(_ key: String, _ value: String) -> Bool {
        do {
            try stateStore.enqueue(key, value)
            return true
        } catch {
            logger.warning("state \(key) not stored: \(error)")
            return false
        }
    }

    public func reportCorruptState(_ key: String, reason: String) {
        do {
            let quarantine = try stateStore.quarantine(key, reason: reason)
            logger.warning("\(quarantine)")
        } catch {
            logger.error("state \(key) is corrupt (\(reason)) and could not be moved aside: \(error)")
        }
    }

    public func reportConfigError(key: String, problem: String) {
        configProblems.append(config.problem(forKey: key, message: problem))
    }

    public func today() -> CalendarDate {
        calendar()
    }
}
