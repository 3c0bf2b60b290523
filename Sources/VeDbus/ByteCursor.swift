import CSystem

/// The reads of the hot decoders (message headers, ItemsChanged, PropertiesChanged) on a
/// message's raw bytes: bounds-checked like `WireReader`, without its array retains and
/// per-byte bounds checks on every step. Valid only inside the `withUnsafeBytes` it was made in.
/// Offsets and lengths are below the message's size (at most 2^27 bytes) and 2^32, so
/// their sums cannot overflow: they are added without overflow checks.
struct ByteCursor {
    let raw: UnsafeRawBufferPointer
    let bigEndian: Bool
    var offset: Int
    let end: Int

    init(_ raw: UnsafeRawBufferPointer, bigEndian: Bool, offset: Int, end: Int) {
        self.raw = raw
        self.bigEndian = bigEndian
        self.offset = offset
        self.end = end
    }

    @inline(__always)
    mutating func align(_ alignment: Int) throws(DBusCodingError) {
        let padded = (offset &+ alignment &- 1) & ~(alignment &- 1)
        guard padded <= end else { throw DBusCodingError("message ends inside padding") }
        offset = padded
    }

    var isAtEnd: Bool { offset >= end }

    @inline(__always)
    mutating func byte() throws(DBusCodingError) -> UInt8 {
        guard offset < end else { throw DBusCodingError("message ends early") }
        defer { offset &+= 1 }
        return raw[offset]
    }

    @inline(__always)
    mutating func uint32() throws(DBusCodingError) -> UInt32 { try load(UInt32.self) }

    @inline(__always)
    mutating func uint64() throws(DBusCodingError) -> UInt64 { try load(UInt64.self) }

    /// A number of the message's byte order, aligned to its size.
    @inline(__always)
    private mutating func load<Number: FixedWidthInteger>(_: Number.Type) throws(DBusCodingError) -> Number {
        let size = MemoryLayout<Number>.size
        try align(size)
        guard end &- offset >= size else { throw DBusCodingError("message ends early") }
        let value = raw.loadUnaligned(fromByteOffset: offset, as: Number.self)
        offset &+= size
        return bigEndian ? Number(bigEndian: value) : Number(littleEndian: value)
    }

    /// The bytes of a string, its NUL checked.
    @inline(__always)
    mutating func string() throws(DBusCodingError) -> Range<Int> {
        try terminated(length: Int(try uint32()), "string")
    }

    /// The bytes of a signature, its NUL checked.
    @inline(__always)
    mutating func signature() throws(DBusCodingError) -> Range<Int> {
        guard offset < end else { throw DBusCodingError("message ends early") }
        let length = Int(raw[offset])
        offset &+= 1
        return try terminated(length: length, "signature")
    }

    /// The `length` bytes from here, which a NUL must follow; steps past the NUL.
    @inline(__always)
    private mutating func terminated(length: Int, _ what: String) throws(DBusCodingError) -> Range<Int> {
        guard length < end &- offset, raw[offset &+ length] == 0 else { throw DBusCodingError("\(what) past its end") }
        defer { offset &+= length &+ 1 }
        return offset..<(offset &+ length)
    }

    /// A reader over the array that starts here (`a{...}`: padding to 8 after the length).
    @inline(__always)
    mutating func array() throws(DBusCodingError) -> ByteCursor {
        let length = Int(try uint32())
        try align(8)
        guard length <= end &- offset else { throw DBusCodingError("array longer than the message") }
        defer { offset &+= length }
        return ByteCursor(raw, bigEndian: bigEndian, offset: offset, end: offset &+ length)
    }

    /// The "Value" of an item's fields when they are laid out as velib and our own services
    /// send nearly every item, little-endian `{"Value": <double>, "Text": <string>}` (the
    /// "Text" may be missing): recognised with a few whole-word compares instead of field by
    /// field. Nil for anything else, which the field-by-field reader then takes; it accepts
    /// everything this does, with the same result. Expects the start of the fields (aligned
    /// to 8 by `array()`); reads only within them.
    @inline(__always)
    func plainNumber() -> Double? {
        guard !bigEndian, end &- offset >= 24 else { return nil }
        // 05 00 00 00 "Valu" | "e" 00, signature 01 "d" 00, three bytes of padding
        guard word(offset) == 0x756C_6156_0000_0005, word(offset &+ 8) & 0xFF_FFFF_FFFF == 0x00_6401_0065
        else { return nil }
        let number = Double(bitPattern: word(offset &+ 16))
        let text = offset &+ 24
        if text == end { return number }
        // 04 00 00 00 "Text" | 00, signature 01 "s" 00 | length, bytes, NUL: up to the end.
        guard end &- text >= 17,
              word(text) == 0x7478_6554_0000_0004,
              word(text &+ 8) & 0xFFFF_FFFF == 0x0073_0100
        else { return nil }
        let length = Int(word(text &+ 8) >> 32)
        guard length == end &- text &- 17, raw[end &- 1] == 0 else { return nil }
        return number
    }

    /// The little-endian 64-bit word at `offset` (whatever the machine's byte order).
    @inline(__always)
    private func word(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// UTF-8 in `range` as a String (for error messages).
    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: raw[range]), as: UTF8.self)
    }

    @inline(__always)
    func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return memcmp(raw.baseAddress! + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// A value of basic type `code`, read in place; nil for a type this fast path leaves to
    /// the generic reader (strings, paths, signatures, fds).
    @inline(__always)
    mutating func basic(_ code: UInt8) throws(DBusCodingError) -> DBusValue? {
        switch code {
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try uint64()))
        case UInt8(ascii: "i"): return .int32(Int32(bitPattern: try uint32()))
        case UInt8(ascii: "u"): return .uint32(try uint32())
        case UInt8(ascii: "x"): return .int64(Int64(bitPattern: try uint64()))
        case UInt8(ascii: "t"): return .uint64(try uint64())
        case UInt8(ascii: "b"):
            let raw = try uint32()
            guard raw <= 1 else { throw DBusCodingError("boolean \(raw) is neither 0 nor 1") }
            return .bool(raw == 1)
        case UInt8(ascii: "y"):
            guard offset < end else { throw DBusCodingError("message ends early") }
            defer { offset &+= 1 }
            return .byte(raw[offset])
        default:
            return nil
        }
    }
}
