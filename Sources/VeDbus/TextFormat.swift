#if canImport(Glibc)
import Glibc
#endif

/// GetText forms such as "53.20V", built with libc's printf rather than Foundation, because they
/// are made for every changed path on every tick.
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
        var buffer = [CChar](repeating: 0, count: 352)
        let length = withVaList([places, value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        guard length > 0 else { return String(value) }
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // printf keeps the sign of a negative value that rounds to zero; Python does too, but a
        // "-0.00A" on a display reads as a fault, so it is dropped.
        if text.hasPrefix("-"), text.utf8.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) {
            return String(text.dropFirst())
        }
        return text
    }
}
