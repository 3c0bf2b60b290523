/// Number parsing and formatting on UTF-8 bytes, written out because Embedded Swift has no
/// Foundation and no float parsing or printing of its own.
public enum NumberText {
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The bytes without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    /// A decimal number like "3.45", "-0.5", "200", ".5", "1e-3" (surrounding whitespace allowed).
    public static func decimal(_ text: String) -> Double? {
        decimal(ArraySlice(Array(text.utf8)))
    }

    static func decimal(_ bytes: ArraySlice<UInt8>) -> Double? {
        let text = trimmed(bytes)
        var index = text.startIndex
        var negative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa = 0.0
        var digitCount = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < text.endIndex {
            let byte = text[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + Double(byte - UInt8(ascii: "0"))
                digitCount += 1
                if seenPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digitCount > 0 else { return nil }
        var exponent = 0
        if index < text.endIndex, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
            index += 1
            guard let parsed = integer(text[index...]), (-300...300).contains(parsed) else { return nil }
            exponent = parsed
            index = text.endIndex
        }
        guard index == text.endIndex else { return nil }
        let scale = exponent - fractionDigits
        // Dividing by an exact power of ten keeps "3.45" bit-identical to the literal 3.45.
        var value = mantissa
        if scale < 0 {
            value /= powerOfTen(-scale)
        } else if scale > 0 {
            value *= powerOfTen(scale)
        }
        return negative ? -value : value
    }

    /// A whole number like "16", "-1", "+3" (surrounding whitespace allowed).
    public static func integer(_ text: String) -> Int? {
        integer(ArraySlice(Array(text.utf8)))
    }

    static func integer(_ bytes: ArraySlice<UInt8>) -> Int? {
        let text = trimmed(bytes)
        var index = text.startIndex
        var negative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < text.endIndex else { return nil }
        var value = 0
        while index < text.endIndex {
            let byte = text[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }

    static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        var remaining = exponent
        while remaining > 0 {
            result *= 10
            remaining -= 1
        }
        return result
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let scale = powerOfTen(decimals)
        let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15 else { return value < 0 ? "-huge" : "huge" }
        let units = Int(scaled)
        let divisor = Int(scale)
        var text = (value < 0 && units != 0) ? "-" : ""
        text += "\(units / divisor)"
        if decimals > 0 {
            var fraction = "\(units % divisor)"
            while fraction.utf8.count < decimals { fraction = "0" + fraction }
            text += "." + fraction
        }
        return text
    }

    /// The comma-separated entries of a list value; a trailing comma, whitespace, line breaks and
    /// one pair of enclosing brackets are tolerated. Empty text gives no entries.
    static func listEntries(_ text: String) -> [ArraySlice<UInt8>] {
        var bytes = trimmed(ArraySlice(Array(text.utf8)))
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            bytes = trimmed(bytes.dropFirst().dropLast())
        }
        guard !bytes.isEmpty else { return [] }
        var entries: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: ",") {
                entries.append(trimmed(bytes[start..<index]))
                start = index + 1
            }
            index += 1
        }
        let tail = trimmed(bytes[start..<bytes.endIndex])
        if !tail.isEmpty { entries.append(tail) }
        return entries
    }
}
