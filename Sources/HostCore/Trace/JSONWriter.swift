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
        text += Self.numberText(value)
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
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int(value))" }
        var digits = Array(TextFormat.fixedPoint(value, decimals: decimals).utf8)
        if digits.contains(UInt8(ascii: ".")) {
            while digits.last == UInt8(ascii: "0") { digits.removeLast() }
            if digits.last == UInt8(ascii: ".") { digits.removeLast() }
        }
        let text = String(decoding: digits, as: UTF8.self)
        return text == "-0" ? "0" : text
    }

    /// `value` in quotes, with what JSON requires escaped (quote, backslash, control characters).
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
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
