import PluginLibc

/// Decimal numbers as config.ini and the state files write them: `3.45`, `200`, `-.5`, `2.5e-3`.
/// Hexadecimal, `nan` and `inf` (which `Double.init(String)` would take) are refused, and the
/// conversion uses libc's strtod rather than the Swift runtime, so Embedded plugins can use it.
public enum DecimalText {
    /// The finite number `text` spells, or nil when it is not plain decimal syntax.
    public static func parse<S: StringProtocol>(_ text: S) -> Double? {
        guard isDecimal(text) else { return nil }
        var value = 0.0
        let converted = String(text).withCString { dab_decimal_to_double($0, &value) }
        return converted == 1 && value.isFinite ? value : nil
    }

    /// Optional sign, digits with at most one decimal point (at least one digit), optional
    /// exponent `e`/`E` with optional sign and at least one digit. No blanks.
    public static func isDecimal<S: StringProtocol>(_ text: S) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        let integerDigits = bytes.prefix(while: isDigit).count
        bytes = bytes.dropFirst(integerDigits)
        var fractionDigits = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fractionDigits = bytes.prefix(while: isDigit).count
            bytes = bytes.dropFirst(fractionDigits)
        }
        guard integerDigits + fractionDigits > 0 else { return false }
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            let exponentDigits = bytes.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            bytes = bytes.dropFirst(exponentDigits)
        }
        return bytes.isEmpty
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
