import CSystem

/// Reads the `a{sa{sv}}` of an ItemsChanged signal straight from the message's bytes.
///
/// Every battery sends one of these a second with dozens of changed paths, so this is the
/// daemon's hottest input. The generic `MessageCoding.decode` builds a `DBusValue` tree for it
/// (arrays of entries, a boxed variant per value, a String per path and per Text) only for the
/// monitor to take it apart again; here each item's path is handed out as a C string inside
/// the message, a "Value" of a basic type is read in place (others through the generic
/// reader), and the "Text" is stepped over without being read. Every length is checked.
enum ItemsDecoding {
    /// The only signature this reader takes; anything else goes through the generic decoder.
    static let signature = "a{sa{sv}}"

    /// For each item: asks `slot` where its path goes (its bytes inside the message, valid only
    /// during the call, without the NUL); nil skips the item without reading its value. Then
    /// calls `number` with the slot and the unwrapped "Value" when it is a double (the value
    /// nearly every battery path carries, so that it travels without a `DBusValue` around it),
    /// `other` for any other value, or `tooLarge` with the item's size when its fields take
    /// more than `maximumItemBytes` (never decoded). Items without a "Value" are skipped, as
    /// the generic path skips them. The message must have the signature `a{sa{sv}}` (an
    /// ItemsChanged signal or a GetItems reply). Inlined, so that the caller's closures are code
    /// in its loop, not calls.
    @inline(__always)
    static func forEachItem(in message: Message, maximumItemBytes: Int = Int.max,
                            slot: (UnsafeRawBufferPointer) -> Int?,
                            number: (Int, Double) -> Void,
                            other: (Int, DBusValue) -> Void,
                            tooLarge: (Int, Int) -> Void = { _, _ in }) throws(DBusCodingError) {
        let frame = message.frame
        let failure: DBusCodingError? = frame.withUnsafeBytes { raw in
            var reader = Cursor(raw, bigEndian: message.header.bigEndian, offset: message.header.bodyStart, end: raw.count)
            do throws(DBusCodingError) {
                var items = try reader.array()
                while items.offset < items.end {
                    try items.align(8)
                    let path = try items.string()
                    var fields = try items.array()
                    guard let index = slot(UnsafeRawBufferPointer(rebasing: raw[path])) else { continue }
                    if fields.end &- fields.offset > maximumItemBytes {
                        tooLarge(index, fields.end &- fields.offset)
                        continue
                    }
                    if let value = fields.plainNumber() {
                        number(index, value)
                        continue
                    }
                    switch try value(ofFields: &fields, frame: frame) {
                    case .none: break
                    case .number(let value): number(index, value)
                    case .other(let value): other(index, value)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Every item's path and unwrapped "Value" as a `DBusValue` (for tests and tools).
    static func forEachItem(in message: Message,
                            _ body: (UnsafeRawBufferPointer, DBusValue) -> Void) throws(DBusCodingError) {
        var paths: [[UInt8]] = []
        func withPath(_ index: Int, _ value: DBusValue) {
            paths[index].withUnsafeBytes { body($0, value) }
        }
        try forEachItem(in: message, slot: { path in
            paths.append(Array(path))
            return paths.count - 1
        }, number: { withPath($0, .double($1)) }, other: withPath)
    }

    /// What one item's fields hold under "Value".
    private enum FoundValue {
        case none
        case number(Double)
        case other(DBusValue)

        var isNone: Bool {
            if case .none = self { return true }
            return false
        }
    }

    /// The unwrapped "Value" of one item's `a{sv}` (the first, if a sender repeats it); the
    /// other fields are stepped over, a "Text" without making a String of it.
    private static func value(ofFields fields: inout Cursor, frame: [UInt8]) throws(DBusCodingError) -> FoundValue {
        var found = FoundValue.none
        while fields.offset < fields.end {
            try fields.align(8)
            let key = try fields.string()
            let wanted = found.isNone && fields.equals(key, "Value")
            let type = try fields.signature()
            if type.count == 1 {
                let code = fields.raw[type.lowerBound]
                if code == UInt8(ascii: "d") {
                    let value = Double(bitPattern: try fields.uint64())
                    if wanted { found = .number(value) }
                    continue
                }
                if code == UInt8(ascii: "s") {
                    let text = try fields.string()
                    if wanted {
                        found = .other(.string(String(decoding: UnsafeRawBufferPointer(rebasing: fields.raw[text]), as: UTF8.self)))
                    }
                    continue
                }
                if let basic = try fields.basic(code) {
                    if wanted { found = .other(basic) }
                    continue
                }
            }
            // Containers (an invalid value is an empty array) and nested variants: the generic reader.
            guard TypeSignature.isValid(frame, type, single: true) else { throw DBusCodingError("invalid variant signature") }
            var generic = WireReader(frame, bigEndian: fields.bigEndian, offset: fields.offset, end: fields.end)
            var index = type.lowerBound
            // Depth as inside the whole argument: array, entry's array, variant.
            let value = try MessageCoding.read(&generic, frame, &index, depth: 3)
            fields.offset = generic.offset
            if wanted { found = .other(value.unwrapped) }
        }
        return found
    }

    /// The few reads this decoder needs, on the raw bytes: bounds-checked, without the array
    /// retains and copies of `WireReader` on every step.
    /// Offsets and lengths are below the message's size (at most 2^27 bytes) and 2^32, so
    /// their sums cannot overflow: they are added without overflow checks.
    private struct Cursor {
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
        mutating func array() throws(DBusCodingError) -> Cursor {
            let length = Int(try uint32())
            try align(8)
            guard length <= end &- offset else { throw DBusCodingError("array longer than the message") }
            defer { offset &+= length }
            return Cursor(raw, bigEndian: bigEndian, offset: offset, end: offset &+ length)
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
}
