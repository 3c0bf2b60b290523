import CSystem

/// Reads the D-Bus wire format from a message's bytes, in the byte order the sender chose.
///
/// Everything is bounds-checked: what other services send is never trusted, and a malformed
/// message is an error, never a crash. Offsets are from the start of the message, which is
/// what D-Bus alignment is relative to (the body starts 8-aligned).
struct WireReader {
    let bytes: [UInt8]
    let bigEndian: Bool
    var offset: Int
    /// One past the last byte this reader may read.
    let end: Int

    init(_ bytes: [UInt8], bigEndian: Bool, offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.bigEndian = bigEndian
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var isAtEnd: Bool { offset >= end }

    /// `alignment` is 1, 2, 4 or 8.
    mutating func align(to alignment: Int) throws(DBusCodingError) {
        let padded = (offset + alignment - 1) & ~(alignment - 1)
        guard padded <= end else { throw DBusCodingError("message ends inside padding") }
        offset = padded
    }

    mutating func readByte() throws(DBusCodingError) -> UInt8 {
        guard offset < end else { throw DBusCodingError("message ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DBusCodingError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readUnsigned(byteCount: 2))
    }

    mutating func readUInt32() throws(DBusCodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUnsigned(byteCount: 4))
    }

    mutating func readUInt64() throws(DBusCodingError) -> UInt64 {
        try readUnsigned(byteCount: 8)
    }

    /// The byte range of a string or object path's UTF-8 (the NUL after it is checked, not
    /// included): for readers that compare bytes instead of making a String.
    mutating func readStringRange() throws(DBusCodingError) -> Range<Int> {
        try readTerminated(length: Int(try readUInt32()), "string")
    }

    mutating func readString() throws(DBusCodingError) -> String {
        let range = try readStringRange()
        return string(in: range)
    }

    /// The byte range of a signature (its NUL is checked, not included): signatures are read
    /// where they lie in the message, never copied out.
    mutating func readSignatureRange() throws(DBusCodingError) -> Range<Int> {
        try readTerminated(length: Int(try readByte()), "signature")
    }

    /// The `length` bytes from here, which a NUL must follow; steps past the NUL.
    private mutating func readTerminated(length: Int, _ what: String) throws(DBusCodingError) -> Range<Int> {
        guard length < end - offset else { throw DBusCodingError("\(what) longer than the message") }
        let range = offset..<(offset + length)
        guard bytes[range.upperBound] == 0 else { throw DBusCodingError("\(what) without its NUL") }
        offset = range.upperBound + 1
        return range
    }

    /// UTF-8 in `range` as a String (invalid sequences are repaired, never trapped on).
    func string(in range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
    }

    /// Whether the bytes in `range` (inside the message) are exactly `text`'s UTF-8.
    func bytes(in range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount, range.upperBound <= bytes.count else { return false }
        guard range.count > 0 else { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress! + range.lowerBound, text.utf8Start, range.count) == 0 }
    }

    private mutating func readUnsigned(byteCount: Int) throws(DBusCodingError) -> UInt64 {
        try align(to: byteCount)
        guard byteCount <= end - offset else { throw DBusCodingError("message ends early") }
        let start = offset
        offset += byteCount
        // One load in the sender's byte order (checked above to lie inside the bytes).
        return bytes.withUnsafeBytes { raw -> UInt64 in
            switch byteCount {
            case 2:
                let value = raw.loadUnaligned(fromByteOffset: start, as: UInt16.self)
                return UInt64(bigEndian ? UInt16(bigEndian: value) : UInt16(littleEndian: value))
            case 4:
                let value = raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)
                return UInt64(bigEndian ? UInt32(bigEndian: value) : UInt32(littleEndian: value))
            default:
                let value = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
                return bigEndian ? UInt64(bigEndian: value) : UInt64(littleEndian: value)
            }
        }
    }
}
