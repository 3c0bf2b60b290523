/// D-Bus type signatures as bytes: validation, the extent of one complete type, alignments.
/// The rules of the specification's "Type System": basic codes, `a` followed by one complete
/// type, `(...)` with at least one field, `{kv}` only as an array's element with a basic key,
/// at most 255 bytes, at most 32 nested arrays and 32 nested structs.
enum TypeSignature {
    static let maximumLength = 255
    static let maximumArrayDepth = 32
    static let maximumStructDepth = 32

    /// The basic type codes (fixed-size numbers, strings, object paths, signatures).
    static func isBasic(_ code: UInt8) -> Bool {
        switch code {
        case UInt8(ascii: "y"), UInt8(ascii: "b"), UInt8(ascii: "n"), UInt8(ascii: "q"), UInt8(ascii: "i"),
             UInt8(ascii: "u"), UInt8(ascii: "x"), UInt8(ascii: "t"), UInt8(ascii: "d"), UInt8(ascii: "s"),
             UInt8(ascii: "o"), UInt8(ascii: "g"), UInt8(ascii: "h"):
            return true
        default:
            return false
        }
    }

    /// The alignment of a value whose type starts with `code`.
    static func alignment(of code: UInt8) -> Int {
        switch code {
        case UInt8(ascii: "y"), UInt8(ascii: "g"), UInt8(ascii: "v"): return 1
        case UInt8(ascii: "n"), UInt8(ascii: "q"): return 2
        case UInt8(ascii: "x"), UInt8(ascii: "t"), UInt8(ascii: "d"), UInt8(ascii: "("), UInt8(ascii: "{"): return 8
        default: return 4  // b i u h s o a
        }
    }

    /// The index just past the complete type starting at `start` (and ending before `limit`,
    /// default the end), or nil when there is none. An array's element type (`asArrayElement`)
    /// may also be a dict entry `{kv}`.
    static func endOfSingleType(_ signature: [UInt8], from start: Int, limit: Int? = nil,
                                asArrayElement: Bool = false) -> Int? {
        var arrays = 0
        var structs = 0
        return endOfSingleType(signature, from: start, limit: min(limit ?? signature.count, signature.count),
                               arrays: &arrays, structs: &structs, inArray: asArrayElement)
    }

    private static func endOfSingleType(_ signature: [UInt8], from start: Int, limit: Int, arrays: inout Int,
                                        structs: inout Int, inArray: Bool) -> Int? {
        guard start < limit else { return nil }
        let code = signature[start]
        if isBasic(code) || code == UInt8(ascii: "v") { return start + 1 }
        switch code {
        case UInt8(ascii: "a"):
            arrays += 1
            defer { arrays -= 1 }
            guard arrays <= maximumArrayDepth else { return nil }
            return endOfSingleType(signature, from: start + 1, limit: limit, arrays: &arrays, structs: &structs, inArray: true)
        case UInt8(ascii: "("):
            structs += 1
            defer { structs -= 1 }
            guard structs <= maximumStructDepth else { return nil }
            var index = start + 1
            var fields = 0
            while index < limit, signature[index] != UInt8(ascii: ")") {
                guard let end = endOfSingleType(signature, from: index, limit: limit, arrays: &arrays, structs: &structs,
                                                inArray: false) else { return nil }
                index = end
                fields += 1
            }
            guard index < limit, fields > 0 else { return nil }
            return index + 1
        case UInt8(ascii: "{"):
            // A dict entry: only as an array's element, a basic key, one value, then '}'.
            guard inArray, start + 1 < limit, isBasic(signature[start + 1]) else { return nil }
            structs += 1
            defer { structs -= 1 }
            guard structs <= maximumStructDepth,
                  let valueEnd = endOfSingleType(signature, from: start + 2, limit: limit, arrays: &arrays,
                                                 structs: &structs, inArray: false),
                  valueEnd < limit, signature[valueEnd] == UInt8(ascii: "}") else { return nil }
            return valueEnd + 1
        default:
            return nil
        }
    }

    /// A valid signature: complete types back to back (`single`: exactly one), no NUL, not too long.
    static func isValid(_ signature: String, single: Bool) -> Bool {
        isValid(Array(signature.utf8), single: single)
    }

    static func isValid(_ bytes: [UInt8], single: Bool) -> Bool {
        isValid(bytes, 0..<bytes.count, single: single)
    }

    /// The signature in `bytes[range]` (a signature inside a message, read where it lies).
    static func isValid(_ bytes: [UInt8], _ range: Range<Int>, single: Bool) -> Bool {
        // Most variants hold one basic value: "d", "i", "s".
        if range.count == 1, isBasic(bytes[range.lowerBound]) || bytes[range.lowerBound] == UInt8(ascii: "v") { return true }
        guard range.count <= maximumLength else { return false }
        var index = range.lowerBound
        var types = 0
        while index < range.upperBound {
            guard let end = endOfSingleType(bytes, from: index, limit: range.upperBound) else { return false }
            index = end
            types += 1
        }
        return single ? types == 1 : true
    }
}
