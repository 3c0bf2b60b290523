/// Lets a repeating log line through at most once per `interval` seconds per key, and says how
/// many were held back: bad input from another service must not flood the log once a second.
struct RateLimitedLog {
    let interval: Double
    private var lastAdmitted: [String: Double] = [:]
    private var suppressed: [String: Int] = [:]

    init(interval: Double) { self.interval = interval }

    /// The line to log now, or nil to hold it back.
    mutating func admit(key: String, text: String, now: Double) -> String? {
        if let last = lastAdmitted[key], now - last < interval {
            suppressed[key, default: 0] += 1
            return nil
        }
        lastAdmitted[key] = now
        let held = suppressed.removeValue(forKey: key) ?? 0
        return held == 0 ? text : "\(text) (\(held) more like it in the last \(Int(interval)) s)"
    }
}
