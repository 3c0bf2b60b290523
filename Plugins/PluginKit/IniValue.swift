// Parsing of raw INI value text the way the Python program's configparser-based reader accepts it.
// Pure and Foundation-free, so both plugins and the host's pure core can use it.

/// Why a raw INI value could not be read as the wanted type (a phrase for config error lists).
public struct IniValueProblem: Error, Equatable, Sendable {
    public var problem: String
    public init(_ problem: String) { self.problem = problem }
}

/// Typed views of raw INI value text.
public enum IniValue {
    /// `text` without leading and trailing blanks (space, tab, CR, LF, VT, FF).
    public static func trimmed<S: StringProtocol>(_ text: S) -> Substring {
        let whole = Substring(text)
        let bytes = whole.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isBlank(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isBlank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return whole[start..<end]
    }

    /// configparser's booleans: 1/yes/true/on and 0/no/false/off, in any case.
    public static func bool<S: StringProtocol>(_ text: S) throws(IniValueProblem) -> Bool {
        switch asciiLowercased(trimmed(text)) {
        case "1", "yes", "true", "on": return true
        case "0", "no", "false", "off": return false
        default: throw IniValueProblem("must be True or False (also yes/no, on/off, 1/0)")
        }
    }

    /// A whole number with optional sign, like Python's int().
    public static func int<S: StringProtocol>(_ text: S) throws(IniValueProblem) -> Int {
        guard let value = Int(trimmed(text)) else { throw IniValueProblem("must be a whole number") }
        return value
    }

    /// A finite decimal number (NaN, infinities and hexadecimal are refused: no limit can be one).
    public static func double<S: StringProtocol>(_ text: S) throws(IniValueProblem) -> Double {
        guard let value = DecimalText.parse(trimmed(text)) else {
            throw IniValueProblem("must be a number")
        }
        return value
    }

    /// Comma-separated numbers. Empty text is an empty list; empty items (a trailing comma, or
    /// blank continuation lines, which the host joins with newlines) are skipped, as Python does.
    /// One pair of enclosing brackets is tolerated, because users copy lists from Python code.
    public static func doubleList<S: StringProtocol>(_ text: S) throws(IniValueProblem) -> [Double] {
        var list = trimmed(text)
        if list.utf8.first == UInt8(ascii: "["), list.utf8.last == UInt8(ascii: "]") {
            list = list.dropFirst().dropLast()
        }
        var values: [Double] = []
        var position = 0
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            position += 1
            let itemText = trimmed(item)
            if itemText.isEmpty { continue }
            guard let value = DecimalText.parse(itemText) else {
                throw IniValueProblem("item \(position) (\"\(itemText)\") is not a number")
            }
            values.append(value)
        }
        return values
    }

    /// ASCII-only lowercasing: INI words are ASCII, and this needs no Unicode tables.
    public static func asciiLowercased<S: StringProtocol>(_ text: S) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
