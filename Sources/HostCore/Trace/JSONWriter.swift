import VeDbus

/// Writes one JSON text into a String, member by member: a trace line is written every tick, so
/// it is appended in place, without building a tree first. A nil or non-finite number is written
/// as null (JSON has no NaN; null is how a trace says "unknown").
public struct JSONWriter {
    public private(set) var text = ""
    /// False right after an opening bracket: the next value needs no comma.
    private var needsComma = false
    /// Decimals of numbers: a microvolt, a microamp, a microsecond; trailing zeros are dropped.
    public static let decimals = 6

    public init(reservingCapacity capacity: Int = 0) {
        text.reserveCapacity(capacity)
    }

    public mutating func beginObject(_ key: String? = nil) {
        start(key)
        text += "{"
        needsComma = false
    }

    public mutating func endObject() {
        text += "}"
        needsComma = true
    }

    public mutating func beginArray(_ key: String? = nil) {
        start(key)
        text += "["
        needsComma = false
    }

    public mutating func endArray() {
        text += "]"
        needsComma = true
    }

    public mutating func number(_ key: String?, _ value: Double?) {
        start(key)
        guard let value, value.isFinite else {
            text += "null"
            return
        }
        Self.appendNumber(value, to: &text)
    }

    public mutating func integer(_ key: String?, _ value: Int?) {
        start(key)
        text += value.map { "\($0)" } ?? "null"
    }

    public mutating func bool(_ key: String?, _ value: Bool?) {
        start(key)
        text += value.map { $0 ? "true" : "false" } ?? "null"
    }

    public mutating func string(_ key: String?, _ value: String?) {
        start(key)
        guard let value else {
            text += "null"
            return
        }
        Self.appendQuoted(value, to: &text)
    }

    private mutating func start(_ key: String?) {
        if needsComma { text += "," }
        needsComma = true
        if let key {
            Self.appendQuoted(key, to: &text)
            text += ":"
        }
    }

    /// `value` with six decimals at most, without trailing zeros ("3.3", "52", "-0.15").
    public static func numberText(_ value: Double) -> String {
        var text = ""
        appendNumber(value, to: &text)
        return text
    }

    /// Appends `value` as `numberText` writes it. The digits are made in a stack buffer and
    /// appended as one small string (no heap allocation): a trace line of 8 batteries of 16 cells
    /// has some 300 numbers, written every tick.
    static func appendNumber(_ value: Double, to text: inout String) {
        let magnitude = abs(value)
        guard magnitude < 9e12 else {
            // Beyond what six decimals in 64 bits hold: whole numbers, as printf writes them.
            text += TextFormat.fixedPoint(value.rounded(), decimals: 0)
            return
        }
        let units = UInt64((magnitude * 1e6).rounded())
        guard units != 0 else {
            text += "0"
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var start = buffer.count
            var rest = units
            var wroteFraction = false
            for _ in 0..<decimals {
                let digit = UInt8(rest % 10)
                rest /= 10
                if wroteFraction || digit != 0 {
                    start -= 1
                    buffer[start] = UInt8(ascii: "0") + digit
                    wroteFraction = true
                }
            }
            if wroteFraction {
                start -= 1
                buffer[start] = UInt8(ascii: ".")
            }
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            text += String(decoding: UnsafeBufferPointer(rebasing: buffer[start...]), as: UTF8.self)
        }
    }

    /// `value` in quotes, with what JSON requires escaped (quote, backslash, control characters).
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        // The usual name, path or reason needs no escape: appended as it is, without a copy.
        if !value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            text += value
            text += "\""
            return
        }
        var plainStart = value.utf8.startIndex
        var index = plainStart
        let bytes = value.utf8
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                text += String(decoding: bytes[plainStart..<index], as: UTF8.self)
                switch byte {
                case UInt8(ascii: "\""): text += "\\\""
                case UInt8(ascii: "\\"): text += "\\\\"
                case 0x0A: text += "\\n"
                case 0x0D: text += "\\r"
                case 0x09: text += "\\t"
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    text += "\\u00" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
                }
                plainStart = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        text += String(decoding: bytes[plainStart..<bytes.endIndex], as: UTF8.self)
        text += "\""
    }
}
