import CSystem

/// GetText forms such as "53.20V", made for every changed path on every tick.
public enum TextFormat {
    /// A formatter giving `decimals` fixed decimals and then `unit` ("%.2fV" is `fixed(2, "V")`).
    public static func fixed(_ decimals: Int, _ unit: String = "") -> VeService.TextFormatter {
        let places = max(0, min(decimals, 17))
        return { value in
            guard let number = value.number else { return value.description }
            return exactText(number, places: places, keepsNegativeZero: false, unit: unit)
                ?? fixedPoint(number, decimals: places) + unit
        }
    }

    /// `value` with exactly `decimals` decimals, correctly rounded as C's printf (and so
    /// Python's "%.2f") rounds the exact binary value: halfway to even.
    ///
    /// The usual case (a measurement, up to 6 decimals) is worked out here in integers, exactly,
    /// without printf's machinery; anything larger goes to libc's snprintf.
    public static func fixedPoint(_ value: Double, decimals: Int) -> String {
        let places = max(0, min(decimals, 17))
        if let text = exactText(value, places: places, keepsNegativeZero: false, unit: "") { return text }
        let text = printfFixedPoint(value, places: places)
        // printf keeps the sign of a negative value that rounds to zero; Python does too, but a
        // "-0.00A" on a display reads as a fault, so it is dropped.
        if text.utf8.first == UInt8(ascii: "-"),
           text.utf8.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) {
            return String(text.dropFirst())
        }
        return text
    }

    private static let powersOfTen: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000]

    /// As printf's "%.*f" would write it (a negative value that rounds to zero keeps its sign),
    /// or nil when printf must do it; see `exactUnits`.
    static func exactFixedPoint(_ value: Double, places: Int) -> String? {
        exactText(value, places: places, keepsNegativeZero: true, unit: "")
    }

    /// The digits of `exactUnits` with the point `places` from the right and `unit` after them,
    /// written once into the String's own storage: this runs for every changed path every tick.
    private static func exactText(_ value: Double, places: Int, keepsNegativeZero: Bool, unit: String) -> String? {
        guard let units = exactUnits(value, places: places) else { return nil }
        let negative = value.sign == .minus && (keepsNegativeZero || units != 0)
        var digitCount = 1
        var rest = units / 10
        while rest > 0 {
            digitCount += 1
            rest /= 10
        }
        digitCount = max(digitCount, places + 1)
        var unit = unit
        return unit.withUTF8 { unitBytes in
            let length = (negative ? 1 : 0) + digitCount + (places > 0 ? 1 : 0) + unitBytes.count
            return String(unsafeUninitializedCapacity: length) { text in
                var position = length - unitBytes.count
                for index in unitBytes.indices { text[position + index] = unitBytes[index] }
                var remaining = units
                for written in 0..<digitCount {
                    if places > 0 && written == places {
                        position -= 1
                        text[position] = UInt8(ascii: ".")
                    }
                    position -= 1
                    text[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10)
                    remaining /= 10
                }
                if negative { text[0] = UInt8(ascii: "-") }
                return length
            }
        }
    }

    /// `value` × 10^places rounded half to even, from the double's exact significand and
    /// exponent; nil when that is not below 2^53 or `places` is above 6 (then printf does it).
    private static func exactUnits(_ value: Double, places: Int) -> UInt64? {
        guard value.isFinite, places < powersOfTen.count, abs(value) * Double(powersOfTen[places]) < 9.0e15 else {
            return nil
        }
        // value = significand × 2^exponent, significand < 2^53.
        let significand: UInt64
        let exponent: Int
        if value.exponentBitPattern == 0 {
            significand = value.significandBitPattern
            exponent = -1074
        } else {
            significand = value.significandBitPattern | (1 << 52)
            exponent = Int(value.exponentBitPattern) - 1075
        }
        // significand × 10^places < 2^53 × 2^20 = 2^73 would overflow, but the guard above keeps
        // value × 10^places below 2^53, so with a negative exponent the product is what needs care.
        let (scaled, overflow) = significand.multipliedReportingOverflow(by: powersOfTen[places])
        guard !overflow else { return nil }
        var units: UInt64
        if exponent >= 0 {
            units = scaled << UInt64(exponent)
        } else if exponent <= -64 {
            units = 0  // below 2^-11 of a unit: rounds to zero (scaled < 2^63 < half of 2^64)
        } else {
            let shift = UInt64(-exponent)
            units = scaled >> shift
            let remainder = scaled & ((1 << shift) - 1)
            let half: UInt64 = 1 << (shift - 1)
            if remainder > half || (remainder == half && units & 1 == 1) { units += 1 }
        }
        return units
    }

    /// "%.*f" through libc (a shim, not Swift's CVarArg boxing).
    static func printfFixedPoint(_ value: Double, places: Int) -> String {
        // 352 bytes hold any double with 17 decimals ("%.17f" of -DBL_MAX is 327 characters).
        let text: String? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
            let length = csystem_format_fixed(buffer.baseAddress!, buffer.count, Int32(places), value)
            guard length > 0, Int(length) < buffer.count else { return nil }
            return String(cString: buffer.baseAddress!)
        }
        return text ?? String(value)
    }
}
