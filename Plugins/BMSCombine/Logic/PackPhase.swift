/// Where a pack is in its charge, as its driver's /Info/ChargeMode says. dbus-serialbattery writes
/// "Bulk" or "Absorption" with suffixes (" (Cell OVP)", " + Balancing", " & SoC Reset",
/// " │ Linear Mode"), "Float Transition", "Float" or "Keep always max voltage".
public enum PackPhase: Equatable, Sendable {
    case bulk
    case absorption
    /// Absorbing or in bulk with its cells being balanced.
    case balancing
    /// "Float" and "Float Transition": the pack finished its absorption.
    case float
    /// No charge mode, or one this program does not know.
    case unknown

    public init(chargeMode: String?) {
        guard let mode = chargeMode else {
            self = .unknown
            return
        }
        if Self.startsWith(mode, "Float") {
            self = .float
        } else if Self.contains(mode, "Balancing") {
            self = .balancing
        } else if Self.contains(mode, "Absorption") {
            self = .absorption
        } else if Self.startsWith(mode, "Bulk") {
            self = .bulk
        } else {
            self = .unknown
        }
    }

    /// Absorbing or balancing: its CVL should not be cut short.
    public var isFinishingCharge: Bool { self == .absorption || self == .balancing }

    public var name: String {
        switch self {
        case .bulk: return "bulk"
        case .absorption: return "absorbing"
        case .balancing: return "balancing"
        case .float: return "floating"
        case .unknown: return "in an unknown phase"
        }
    }

    // Byte searches: Embedded Swift lacks the string-processing library.
    static func startsWith(_ text: String, _ prefix: String) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    static func contains(_ text: String, _ word: String) -> Bool {
        let bytes = Array(text.utf8)
        let wanted = Array(word.utf8)
        guard bytes.count >= wanted.count else { return false }
        for start in 0...(bytes.count - wanted.count) where bytes[start..<(start + wanted.count)].elementsEqual(wanted) {
            return true
        }
        return false
    }
}
