import VeDbus

/// One localsettings setting: its type decides how written values are cast, its limits which
/// are refused.
public struct Setting: Sendable, Equatable {
    /// localsettings' type letters: `i` integer, `f` float, `s` string.
    public enum Kind: String, Sendable {
        case integer = "i"
        case float = "f"
        case string = "s"

        /// The kind a default value implies (AddSettings): any integer type, a double, a string.
        init?(impliedBy value: DBusValue) {
            switch value.unwrapped {
            case .byte, .int16, .uint16, .int32, .uint32, .int64, .uint64: self = .integer
            case .double: self = .float
            case .string: self = .string
            default: return nil
            }
        }

        /// `value` cast to this kind, as localsettings casts (`d 0.7` into an integer gives 0);
        /// nil when it cannot be (invalid, a string that is no number, a number for a string).
        func cast(_ value: DBusValue) -> DBusValue? {
            let plain = value.unwrapped
            guard !plain.isInvalid else { return nil }
            switch self {
            case .integer:
                guard let number = plain.number ?? plain.string.flatMap(Double.init), number.isFinite,
                      abs(number) < 9.0e15 else { return nil }
                let whole = Int64(number.rounded(.towardZero))
                if let small = Int32(exactly: whole) { return .int32(small) }
                return .int64(whole)
            case .float:
                guard let number = plain.number ?? plain.string.flatMap(Double.init), number.isFinite else { return nil }
                return .double(number)
            case .string:
                return plain.string.map(DBusValue.string)
            }
        }
    }

    public var kind: Kind
    public var value: DBusValue
    public var defaultValue: DBusValue
    /// Limits; both 0 (or a string setting) means none.
    public var min: DBusValue
    public var max: DBusValue
    public var silent: Bool

    /// Whether `value` (already cast) lies within the limits.
    func allows(_ candidate: DBusValue) -> Bool {
        guard kind != .string, let low = min.number, let high = max.number, !(low == 0 && high == 0),
              let number = candidate.number else { return true }
        return number >= low && number <= high
    }

    /// The D-Bus text of the value, as localsettings' GetText gives it.
    var text: String { value.description }
}
