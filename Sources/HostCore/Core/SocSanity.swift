import PluginKit

/// What a published state-of-charge value may be. An impossible value is published as invalid
/// (nil) instead: DVCC and VRM trust /Soc blindly.
public enum SocSanity {
    /// 0...100 %.
    public static func socPercent(_ value: Double?) -> Double? {
        guard let value, value.isFinite, value >= 0, value <= 100 else { return nil }
        return value
    }

    /// Ah remaining or installed: finite and >= 0.
    public static func capacityAh(_ value: Double?) -> Double? {
        guard let value, value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// Ah consumed: finite and <= 0 (Victron counts it negative; 0 when full).
    public static func consumedAh(_ value: Double?) -> Double? {
        guard let value, value.isFinite, value <= 0 else { return nil }
        return value
    }

    /// s: finite and >= 0.
    public static func timeToGoSeconds(_ value: Double?) -> Double? {
        guard let value, value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// `result` with every impossible value replaced by nil, and the names of the fields that were
    /// (for a rate-limited log). A value that was already nil is not a rejection.
    public static func sanitized(_ result: SocResult) -> (result: SocResult, rejected: [String]) {
        var clean = result
        var rejected: [String] = []
        clean.socPercent = socPercent(result.socPercent)
        if result.socPercent != nil, clean.socPercent == nil { rejected.append("socPercent") }
        clean.capacityAh = capacityAh(result.capacityAh)
        if result.capacityAh != nil, clean.capacityAh == nil { rejected.append("capacityAh") }
        clean.consumedAh = consumedAh(result.consumedAh)
        if result.consumedAh != nil, clean.consumedAh == nil { rejected.append("consumedAh") }
        clean.timeToGoSeconds = timeToGoSeconds(result.timeToGoSeconds)
        if result.timeToGoSeconds != nil, clean.timeToGoSeconds == nil { rejected.append("timeToGoSeconds") }
        return (clean, rejected)
    }
}
