/// Decides when a recurring fault is worth a log line: the first time, then at most once per
/// interval with the number of repeats in between, and once when it clears. A fault that lasts
/// an hour is a handful of lines, not 3600. Pure: the caller passes the time and does the logging.
public struct RepeatLimiter: Equatable, Sendable {
    /// Minimum seconds between two lines about the same fault.
    public var intervalSeconds: Double
    private var active: [String: Entry] = [:]

    private struct Entry: Equatable, Sendable {
        var lastLoggedAt: Double
        var repeatsSinceLastLine: Int
    }

    public init(intervalSeconds: Double = 60) {
        self.intervalSeconds = intervalSeconds
    }

    /// The fault `key` happened at monotonic `now` (s): the line to log, or nil to stay quiet.
    public mutating func occurred(_ key: String, _ message: String, now: Double) -> String? {
        guard var entry = active[key] else {
            active[key] = Entry(lastLoggedAt: now, repeatsSinceLastLine: 0)
            return message
        }
        guard now - entry.lastLoggedAt >= intervalSeconds else {
            entry.repeatsSinceLastLine += 1
            active[key] = entry
            return nil
        }
        let repeats = entry.repeatsSinceLastLine
        active[key] = Entry(lastLoggedAt: now, repeatsSinceLastLine: 0)
        return repeats == 0 ? message : "\(message) (\(repeats) more since the last report)"
    }

    /// The fault `key` is over: true when it had been reported, so the caller logs the recovery.
    public mutating func cleared(_ key: String) -> Bool {
        active.removeValue(forKey: key) != nil
    }

    public func isActive(_ key: String) -> Bool { active[key] != nil }

    /// True when no fault is active.
    public var isEmpty: Bool { active.isEmpty }
}
