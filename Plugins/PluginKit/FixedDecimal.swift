// printf-style "%.Nf" without Foundation: stored values such as "123.456" must look exactly as the
// Python program wrote them, and Embedded Swift has no String(format:).

/// Fixed-point decimal text for doubles.
public enum FixedDecimal {
    /// How `format` settles the last digit.
    public enum Rounding: Sendable {
        /// glibc's printf: to nearest on the exact binary value, ties to even; a negative value
        /// that rounds to zero keeps its sign ("-0.000"). What stored values must match.
        case printf
        /// value x 10^decimals rounded half away from zero, as a reader rounds the decimal they
        /// see (4.35 gives "4.4" although the double lies just below); a zero result has no sign.
        /// For texts meant for people, where "-0.00" would only puzzle.
        case halfAwayFromZero
    }

    /// `value` with exactly `decimals` digits after the point (clamped to 0...15), rounded as
    /// `rounding` says. NaN gives "nan", infinities "inf" / "-inf".
    public static func format(_ value: Double, decimals: Int, rounding: Rounding = .printf) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let places = min(max(decimals, 0), 15)
        if rounding == .halfAwayFromZero, let text = halfAwayFromZero(value, places: places) { return text }
        let magnitude = value.magnitude
        var wholePart = magnitude.rounded(.towardZero)
        let fraction = magnitude - wholePart  // exact: both share the binade of `magnitude`
        let scale = powerOfTen(places)
        var scaledFraction = roundedProduct(fraction, scale, tieGoesUp: places == 0
            ? isOdd(wholePart) : nil)
        if scaledFraction >= scale {  // 0.9996 -> "1.000": carry into the whole part
            scaledFraction -= scale
            wholePart += 1
        }
        var text = value.sign == .minus ? "-" : ""
        text += integerDigits(wholePart)
        if places > 0 {
            text += "."
            let digits = String(UInt64(scaledFraction))
            for _ in digits.utf8.count..<places { text += "0" }
            text += digits
        }
        return text
    }

    /// Shortest form for messages: "%.Nf" without trailing zeros ("0.5", "3", "2.45").
    public static func compact(_ value: Double, maxDecimals: Int = 6) -> String {
        var text = format(value, decimals: maxDecimals)
        guard text.utf8.contains(UInt8(ascii: ".")) else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        if text == "-0" { text = "0" }
        return text
    }

    /// The `.halfAwayFromZero` text; nil when the scaled value is too large for exact integer
    /// arithmetic (then every digit after the point is 0 anyway and printf's text is the same).
    private static func halfAwayFromZero(_ value: Double, places: Int) -> String? {
        let scale = powerOfTen(places)
        let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9_007_199_254_740_992.0 else { return nil }  // 2^53: integers exact below
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        var text = (value < 0 && units != 0) ? "-" : ""
        text += String(units / divisor)
        if places > 0 {
            let digits = String(units % divisor)
            text += "."
            for _ in digits.utf8.count..<places { text += "0" }
            text += digits
        }
        return text
    }

    /// 10^exponent, exact for exponent <= 22.
    private static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    private static func isOdd(_ integral: Double) -> Bool {
        (integral / 2).rounded(.towardZero) * 2 != integral
    }

    /// round(fraction x scale) as an exact integer-valued double, decided on the exact product.
    /// `tieGoesUp` decides an exact tie when the parity that matters lies outside the product
    /// (no decimals: the whole part's); nil means ties go to the even product.
    private static func roundedProduct(_ fraction: Double, _ scale: Double, tieGoesUp: Bool?) -> Double {
        let product = fraction * scale
        // The rounding error of the product, exactly (a fused multiply-add does not round twice).
        let error = (-product).addingProduct(fraction, scale)
        let floorPart = product.rounded(.down)
        // Sign of (exact product - floorPart - 0.5); the subtraction below is exact where it matters.
        let aboveHalf = ((product - floorPart) - 0.5) + error
        if aboveHalf > 0 { return floorPart + 1 }
        if aboveHalf < 0 { return floorPart }
        if let tieGoesUp { return tieGoesUp ? floorPart + 1 : floorPart }
        return isOdd(floorPart) ? floorPart + 1 : floorPart
    }

    /// Decimal digits of a non-negative integer-valued double, exact for any magnitude.
    private static func integerDigits(_ integral: Double) -> String {
        if integral < 9_223_372_036_854_775_808.0 { return String(UInt64(integral)) }
        // Above 2^63 the value is significand x 2^shift: multiply the significand's digits by 2.
        var littleEndianDigits: [UInt8] = []
        var significand = (integral.significandBitPattern | (1 << 52))
        while significand > 0 {
            littleEndianDigits.append(UInt8(significand % 10))
            significand /= 10
        }
        let shift = Int(integral.exponent) - 52
        for _ in 0..<max(shift, 0) {
            var carry: UInt8 = 0
            for index in littleEndianDigits.indices {
                let doubled = littleEndianDigits[index] * 2 + carry
                littleEndianDigits[index] = doubled % 10
                carry = doubled / 10
            }
            if carry > 0 { littleEndianDigits.append(carry) }
        }
        var text = ""
        for digit in littleEndianDigits.reversed() { text.unicodeScalars.append(Unicode.Scalar(48 + digit)) }
        return text
    }
}
