/// How long the bank has been short of batteries, and what that means. The caller keeps one
/// instance; recovery is automatic as soon as every expected battery is online again.
public struct DegradedPolicy: Equatable, Sendable {
    public enum Status: Equatable, Sendable {
        /// Every expected battery is online.
        case allOnline
        /// Some battery has not been online for this many seconds, less than OFFLINE_BLOCK_AFTER:
        /// the strategies see only the batteries online, limits stand.
        case degraded(notOnlineForSeconds: Double)
        /// Some battery has not been online for at least OFFLINE_BLOCK_AFTER: no charge, no discharge.
        case blocked(notOnlineForSeconds: Double)
        /// Not one battery online: nothing to measure, no charge, no discharge.
        case noBatteryOnline

        /// /Alarms/BmsCable: 0 all online, 1 (warning) degraded, 2 (alarm) blocked or none online.
        /// serialbattery raises the same alarm for a lost BMS, so users and VRM know it.
        public var bmsCableAlarm: Int {
            switch self {
            case .allOnline: return 0
            case .degraded: return 1
            case .blocked, .noBatteryOnline: return 2
            }
        }

        /// true when CCL and DCL must be 0.
        public var blocksCurrent: Bool {
            switch self {
            case .allOnline, .degraded: return false
            case .blocked, .noBatteryOnline: return true
            }
        }
    }

    /// OFFLINE_BLOCK_AFTER in s.
    public var offlineBlockAfterSeconds: Double
    /// Monotonic seconds when the bank first lacked a battery; nil once all have been online
    /// for `recoveryHoldSeconds`.
    public private(set) var notAllOnlineSince: Double?
    /// Since when every battery is online again, while the outage is still remembered.
    private var allOnlineSince: Double?
    /// How long every battery must stay online before an outage is forgotten: a pack that drops
    /// out for a few seconds again and again (flapping) is blocked after OFFLINE_BLOCK_AFTER of
    /// outage, not given a fresh minute each time it comes back for a tick.
    public static let recoveryHoldSeconds = 30.0

    public init(offlineBlockAfterSeconds: Double) {
        self.offlineBlockAfterSeconds = offlineBlockAfterSeconds
    }

    /// The status at monotonic time `now` (s) with `online` of `expected` batteries online.
    public mutating func evaluate(expected: Int, online: Int, now: Double) -> Status {
        if online >= expected {
            let stable = allOnlineSince ?? now
            allOnlineSince = stable
            if now - stable >= Self.recoveryHoldSeconds { notAllOnlineSince = nil }
            return .allOnline
        }
        allOnlineSince = nil
        let since = notAllOnlineSince ?? now
        notAllOnlineSince = since
        if online <= 0 { return .noBatteryOnline }
        let seconds = now - since
        return seconds >= offlineBlockAfterSeconds
            ? .blocked(notOnlineForSeconds: seconds)
            : .degraded(notOnlineForSeconds: seconds)
    }
}
