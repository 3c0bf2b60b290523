import PluginKit

/// Why a raw INI value could not be read as the type a key needs. The text is the part of a
/// message after "KEY = value: ", so it says what would be accepted.
public struct ConfigValueError: Error, Equatable, Sendable {
    public var expected: String

    public init(expected: String) {
        self.expected = expected
    }
}

/// Parsers for the value forms of the original program's config. Pure and Foundation-free so
/// strategies and the Embedded build can share them.
public enum ConfigValueParsing {
    /// configparser's booleans: True/False, yes/no, on/off, 1/0, in any case.
    public static func bool(_ raw: String) throws(ConfigValueError) -> Bool {
        switch ConfigText.lowercasedASCII(ConfigText.trimmed(raw)) {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigValueError(expected: "expected True or False (also yes/no, on/off, 1/0)")
        }
    }

    /// A whole number such as `16`, `-1` or `+2`.
    public static func int(_ raw: String) throws(ConfigValueError) -> Int {
        let text = ConfigText.trimmed(raw)
        guard isIntegerSyntax(text), let value = Int(text) else {
            throw ConfigValueError(expected: "expected a whole number")
        }
        return value
    }

    /// A finite decimal number such as `3.45`, `200`, `-0.5` or `2.5e-3`
    /// (no `nan`, `inf` or hexadecimal forms, which `Double.init` would otherwise accept).
    public static func number(_ raw: String) throws(ConfigValueError) -> Double {
        let text = ConfigText.trimmed(raw)
        guard let value = DecimalText.parse(text) else {
            throw ConfigValueError(expected: "expected a number")
        }
        return value
    }

    /// A comma-separated list of numbers as the original reads it: the value may span lines,
    /// items may be followed by a trailing comma, empty items are skipped, and an empty value is
    /// an empty list. (Inline `;` comments were already removed by the INI reader.)
    public static func numberList(_ raw: String) throws(ConfigValueError) -> [Double] {
        var values: [Double] = []
        for line in raw.split(separator: "\n", omittingEmptySubsequences: true) {
            for item in line.split(separator: ",", omittingEmptySubsequences: false) {
                let text = ConfigText.trimmed(item)
                if text.isEmpty { continue }
                do {
                    values.append(try number(String(text)))
                } catch {
                    throw ConfigValueError(expected: "expected comma-separated numbers ('\(text)' is not a number)")
                }
            }
        }
        return values
    }

    private static func isIntegerSyntax(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        return !bytes.isEmpty && bytes.allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
