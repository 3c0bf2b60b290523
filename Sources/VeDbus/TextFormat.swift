import CSystem

/// GetText forms such as "53.20V", built with libc's printf (through the CSystem shim, not
/// withVaList) rather than Foundation, because they are made for every changed path on every tick.
public enum TextFormat {
    /// A formatter giving `decimals` fixed decimals and then `unit` ("%.2fV" is `fixed(2, "V")`).
    public static func fixed(_ decimals: Int, _ unit: String = "") -> VeService.TextFormatter {
        { value in
            guard let number = value.number else { return value.description }
            return fixedPoint(number, decimals: decimals) + unit
        }
    }

    /// `value` with exactly `decimals` decimals, correctly rounded as C's printf (and so Python's
    /// "%.2f") rounds the exact binary value.
    public static func fixedPoint(_ value: Double, decimals: Int) -> String {
        let places = Int32(max(0, min(decimals, 17)))
        // 352 bytes hold any double with 17 decimals ("%.17f" of -DBL_MAX is 327 characters).
        let text: String? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
            let length = csystem_format_fixed(buffer.baseAddress!, buffer.count, places, value)
            guard length > 0, Int(length) < buffer.count else { return nil }
            return String(cString: buffer.baseAddress!)
        }
        guard let text else { return String(value) }
        // printf keeps the sign of a negative value that rounds to zero; Python does too, but a
        // "-0.00A" on a display reads as a fault, so it is dropped.
        if text.utf8.first == UInt8(ascii: "-"),
           text.utf8.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) {
            return String(text.dropFirst())
        }
        return text
    }
}
