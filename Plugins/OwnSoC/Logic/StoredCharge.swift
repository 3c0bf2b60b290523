import PluginKit

/// The persisted counter, state key "charge" (the host's file storedvalue_charge): Ah as text
/// with 3 decimals. The Python program's plain numbers read the same way; a negative one means
/// "initialise from the BMSes' SoC".
public enum StoredCharge: Equatable, Sendable {
    /// A counter value to continue from, Ah.
    case ampHours(Double)
    /// Nothing usable: start from the BMSes' SoC.
    case initialiseFromBms
    /// The text is not a number: report it, then start from the BMSes' SoC.
    case corrupt(reason: String)

    public static let stateKey = "charge"

    public static func parse(_ text: String) -> StoredCharge {
        guard let value = DecimalText.parse(IniValue.trimmed(text)) else {
            var shown = String(IniValue.trimmed(text).prefix(40))
            if shown.isEmpty { shown = "(empty)" }
            return .corrupt(reason: "stored charge is not a number: \"\(shown)\"")
        }
        return value < 0 ? .initialiseFromBms : .ampHours(value)
    }

    /// The stored text: Ah with 3 decimals, e.g. "123.456" (never "-0.000").
    public static func text(ampHours: Double) -> String {
        FixedDecimal.format(ampHours + 0.0, decimals: 3)
    }
}
