/// Appends values in the D-Bus wire format, little-endian ('l'): each value aligned to its own
/// size (8 for structs and dict entries), strings with a 32-bit length and a NUL, signatures
/// with an 8-bit length, arrays with their 32-bit byte length filled in when they close.
///
/// It writes what it is given: `MessageCoding.validate` checks values first, and the few
/// callers that write by hand (headers, ItemsChanged) write only what they built themselves.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    /// Pads with zero bytes to a multiple of `alignment` (1, 2, 4 or 8).
    mutating func align(to alignment: Int) {
        let padding = (alignment - bytes.count % alignment) % alignment
        for _ in 0..<padding { bytes.append(0) }
    }

    mutating func appendByte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func appendUInt16(_ value: UInt16) {
        align(to: 2)
        appendLittleEndian(UInt64(value), byteCount: 2)
    }

    mutating func appendUInt32(_ value: UInt32) {
        align(to: 4)
        appendLittleEndian(UInt64(value), byteCount: 4)
    }

    mutating func appendUInt64(_ value: UInt64) {
        align(to: 8)
        appendLittleEndian(value, byteCount: 8)
    }

    mutating func appendDouble(_ value: Double) {
        appendUInt64(value.bitPattern)
    }

    /// A string or an object path: length, UTF-8, NUL.
    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            appendUInt32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0)
    }

    /// A signature: one length byte, the ASCII codes, NUL.
    mutating func appendSignature(_ signature: String) {
        var signature = signature
        signature.withUTF8 { utf8 in
            bytes.append(UInt8(truncatingIfNeeded: utf8.count))
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0)
    }

    /// Opens an array whose elements align to `elementAlignment`; returns the mark `endArray` needs.
    mutating func beginArray(elementAlignment: Int) -> ArrayMark {
        appendUInt32(0)  // the length, filled in by endArray
        let lengthOffset = bytes.count - 4
        align(to: elementAlignment)
        return ArrayMark(lengthOffset: lengthOffset, contentStart: bytes.count)
    }

    /// Closes an array: its length is the bytes after the padding that follows the length.
    mutating func endArray(_ mark: ArrayMark) {
        let length = UInt32(bytes.count - mark.contentStart)
        set(length, at: mark.lengthOffset)
    }

    /// Overwrites four bytes at `offset` (a length or a serial written before it was known).
    mutating func set(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    /// Appends bytes already in wire form, e.g. a message body after its header.
    mutating func appendRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    private mutating func appendLittleEndian(_ value: UInt64, byteCount: Int) {
        for index in 0..<byteCount { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

    /// Where an open array's length goes and where its elements start.
    struct ArrayMark {
        let lengthOffset: Int
        let contentStart: Int
    }
}
