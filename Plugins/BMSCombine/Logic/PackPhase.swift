/// Where a pack is in its charge, as its driver's /Info/ChargeMode says. dbus-serialbattery writes
/// "Bulk" or "Absorption" with suffixes (" (Cell OVP)", " + Balancing", " & SoC Reset",
/// " │ Linear Mode"), "Float Transition", "Float" or "Keep always max voltage". The base phase and
/// the balancing flag are read apart: a pack with an always-on balancer reports "Bulk + Balancing"
/// through its whole bulk phase, and a new charge must still be seen to begin.
public struct PackPhase: Equatable, Sendable {
    public enum Base: Equatable, Sendable {
        case bulk
        case absorption
        /// "Float" and "Float Transition": the pack finished its absorption.
        case float
        /// No charge mode, or one this program does not know ("Keep always max voltage", a CAN
        /// driver's own words): such a pack can never be seen to finish.
        case unknown
    }

    public var base: Base
    /// Its BMS balances cells now.
    public var balancing: Bool

    public init(base: Base, balancing: Bool = false) {
        self.base = base
        self.balancing = balancing
    }

    public init(chargeMode: String?) {
        let words = chargeMode.map { Self.lowercasedTrimmed($0) } ?? []
        balancing = Self.contains(words, "balancing")
        if Self.startsWith(words, "float") {
            base = .float
        } else if Self.startsWith(words, "absorption") {
            base = .absorption
        } else if Self.startsWith(words, "bulk") {
            base = .bulk
        } else {
            base = .unknown
        }
    }

    public static let bulk = PackPhase(base: .bulk)
    public static let absorption = PackPhase(base: .absorption)
    public static let float = PackPhase(base: .float)
    public static let unknown = PackPhase(base: .unknown)

    /// Absorbing or balancing: its CVL should not be cut short.
    public var isFinishingCharge: Bool { base == .absorption || balancing }

    public var name: String {
        if balancing { return "balancing" }
        switch base {
        case .bulk: return "bulk"
        case .absorption: return "absorbing"
        case .float: return "floating"
        case .unknown: return "in an unknown phase"
        }
    }

    // Bytes, lowercased and without leading blanks: Embedded Swift lacks the string-processing
    // library, and a driver may break its text over lines or change its case.
    static func lowercasedTrimmed(_ text: String) -> [UInt8] {
        let bytes = text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        return Array(bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
    }

    static func startsWith(_ bytes: [UInt8], _ prefix: String) -> Bool {
        bytes.starts(with: prefix.utf8)
    }

    static func contains(_ bytes: [UInt8], _ word: String) -> Bool {
        let wanted = Array(word.utf8)
        guard bytes.count >= wanted.count else { return false }
        for start in 0...(bytes.count - wanted.count) where bytes[start..<(start + wanted.count)].elementsEqual(wanted) {
            return true
        }
        return false
    }
}
