/// Whether a battery's values may be used this tick. Anything but `.online` keeps the battery
/// out of the bank: a fault is a visible state, never an exit.
public enum BatteryHealth: Equatable, Sendable {
    /// Fresh and complete.
    case online
    /// No update for at least STALE_TIMEOUT; the payload is the seconds since the last one.
    case stale(sinceSeconds: Double)
    /// On the bus and fresh, but a required value is missing or unacceptable.
    case invalid(reason: String)
    /// No longer on the bus (the caller knows which batteries it expects).
    case gone

    public var isOnline: Bool { self == .online }
}
