/// Delays between attempts to reach the bus again: 1 s, then doubling up to 30 s, so a bus that
/// restarts is back within a second and a bus that stays away costs almost nothing.
struct ReconnectBackoff {
    static let first = 1.0
    static let longest = 30.0
    private var next = first

    mutating func nextDelay() -> Double {
        defer { next = min(next * 2, Self.longest) }
        return next
    }

    mutating func succeeded() { next = Self.first }
}
