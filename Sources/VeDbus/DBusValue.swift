/// A D-Bus value with its wire type, as Venus OS services send and expect them.
///
/// Containers carry their element signatures so that an empty array keeps its type: Victron's
/// "invalid" value is a variant holding an empty array, and its element type must survive a
/// round trip.
///
/// Only `variant` is indirect: a number or a string is stored inline, so decoding a value or
/// setting one allocates nothing (containers hold arrays, which are references anyway).
public enum DBusValue: Equatable, Sendable {
    case byte(UInt8)
    case bool(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    /// An array whose elements all have the signature `elementSignature`.
    case array(elementSignature: String, [DBusValue])
    /// An array of dict entries `a{kv}`.
    case dictionary(keySignature: String, valueSignature: String, [DictEntry])
    indirect case variant(DBusValue)
    case structure([DBusValue])

    /// One `{key, value}` entry of a dictionary.
    public struct DictEntry: Equatable, Sendable {
        public var key: DBusValue
        public var value: DBusValue
        public init(_ key: DBusValue, _ value: DBusValue) {
            self.key = key
            self.value = value
        }
    }

    /// Victron's "invalid" (None): an empty `ai`, as velib sends it.
    public static let invalid = DBusValue.array(elementSignature: "i", [])

    /// The D-Bus type signature of this value.
    public var signature: String {
        switch self {
        case .byte: return "y"
        case .bool: return "b"
        case .int16: return "n"
        case .uint16: return "q"
        case .int32: return "i"
        case .uint32: return "u"
        case .int64: return "x"
        case .uint64: return "t"
        case .double: return "d"
        case .string: return "s"
        case .objectPath: return "o"
        case .signature: return "g"
        case .array(let element, _): return "a" + element
        case .dictionary(let key, let value, _): return "a{" + key + value + "}"
        case .variant: return "v"
        case .structure(let fields): return "(" + fields.map { $0.signature }.joined() + ")"
        }
    }

    /// True for Victron's invalid value: any empty array or dictionary, also inside a variant.
    public var isInvalid: Bool {
        switch self {
        case .array(_, let items): return items.isEmpty
        case .dictionary(_, _, let entries): return entries.isEmpty
        case .variant(let inner): return inner.isInvalid
        default: return false
        }
    }

    /// The value without any variant wrapping.
    public var unwrapped: DBusValue {
        if case .variant(let inner) = self { return inner.unwrapped }
        return self
    }

    /// The number this value holds (any integer type, double or bool), nil for anything else
    /// and for invalid. velib readers map every integer type to a number; so do we.
    public var number: Double? {
        // Switches on self, not on `unwrapped`: no copy of the value (the tick reads ~1,400 a second).
        switch self {
        case .variant(let inner): return inner.number
        case .byte(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        case .int16(let v): return Double(v)
        case .uint16(let v): return Double(v)
        case .int32(let v): return Double(v)
        case .uint32(let v): return Double(v)
        case .int64(let v): return Double(v)
        case .uint64(let v): return Double(v)
        case .double(let v): return v.isFinite ? v : nil
        default: return nil
        }
    }

    /// The integer this value holds; a double is accepted only when it is whole.
    public var integer: Int? { number.flatMap(Self.integer(ofNumber:)) }

    /// `number` as a whole number, nil when it has a fraction or is too large to be exact.
    @inlinable
    public static func integer(ofNumber number: Double) -> Int? {
        guard abs(number) < 9.0e15 else { return nil }
        return Int(exactly: number)
    }

    /// The string this value holds, nil for anything else.
    public var string: String? {
        switch self {
        case .string(let s): return s
        case .variant(let inner): return inner.string
        default: return nil
        }
    }

    /// Wraps in a variant unless already one.
    public var asVariant: DBusValue {
        if case .variant = self { return self }
        return .variant(self)
    }

    /// `a{sv}` from string keys, in the order given.
    public static func stringVariantDictionary(_ entries: [(String, DBusValue)]) -> DBusValue {
        .dictionary(keySignature: "s", valueSignature: "v",
                    entries.map { DictEntry(.string($0.0), $0.1.asVariant) })
    }

    /// The `a{s?}` entries as (key, value) pairs with variants unwrapped; nil if not such a dictionary.
    public var stringKeyedEntries: [(String, DBusValue)]? {
        guard case .dictionary("s", _, let entries) = unwrapped else { return nil }
        var result: [(String, DBusValue)] = []
        result.reserveCapacity(entries.count)
        for entry in entries {
            guard case .string(let key) = entry.key else { return nil }
            result.append((key, entry.value.unwrapped))
        }
        return result
    }
}

extension DBusValue: CustomStringConvertible {
    /// Python-like text, as velib's default GetText gives it; "---" for invalid.
    public var description: String {
        if isInvalid { return "---" }
        switch self {
        case .byte(let v): return String(v)
        case .bool(let v): return v ? "1" : "0"
        case .int16(let v): return String(v)
        case .uint16(let v): return String(v)
        case .int32(let v): return String(v)
        case .uint32(let v): return String(v)
        case .int64(let v): return String(v)
        case .uint64(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let s), .objectPath(let s), .signature(let s): return s
        case .array(_, let items): return "[" + items.map { $0.description }.joined(separator: ", ") + "]"
        case .dictionary(_, _, let entries):
            return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .variant(let inner): return inner.description
        case .structure(let fields): return "(" + fields.map { $0.description }.joined(separator: ", ") + ")"
        }
    }
}
