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

    /// Calls `body` with each item's path (a NUL-terminated C string valid only during the call)
    /// and unwrapped "Value"; items without a "Value" are skipped, as the generic path skips
    /// them. The message must have the signature `a{sa{sv}}`.
    static func forEachItem(in message: Message,
                            _ body: (UnsafePointer<CChar>, DBusValue) -> Void) throws(DBusCodingError) {
        let frame = message.frame
        let failure: DBusCodingError? = frame.withUnsafeBytes { raw in
            var reader = Cursor(raw, bigEndian: message.header.bigEndian, offset: message.header.bodyStart, end: raw.count)
            do throws(DBusCodingError) {
                var items = try reader.array()
                while items.offset < items.end {
                    try items.align(8)
                    let path = try items.string()
                    var fields = try items.array()
                    if let value = try value(ofFields: &fields, frame: frame) {
                        body(raw.baseAddress!.advanced(by: path.lowerBound).assumingMemoryBound(to: CChar.self), value)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// The unwrapped "Value" of one item's `a{sv}`; the other fields are stepped over.
    private static func value(ofFields fields: inout Cursor, frame: [UInt8]) throws(DBusCodingError) -> DBusValue? {
        var found: DBusValue?
        while fields.offset < fields.end {
            try fields.align(8)
            let isValue = fields.equals(try fields.string(), "Value")
            let type = try fields.signature()
            if type.count == 1 {
                let code = fields.raw[type.lowerBound]
                if !isValue && code == UInt8(ascii: "s") {
                    _ = try fields.string()  // "Text": stepped over, no String made
                    continue
                }
                if let basic = try fields.basic(code) {
                    if found == nil && isValue { found = basic }
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
            if found == nil && isValue { found = value.unwrapped }
        }
        return found
    }

    /// The few reads this decoder needs, on the raw bytes: bounds-checked, without the array
    /// retains and copies of `WireReader` on every step.
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
            let padded = (offset + alignment - 1) & ~(alignment - 1)
            guard padded <= end else { throw DBusCodingError("message ends inside padding") }
            offset = padded
        }

        @inline(__always)
        mutating func uint32() throws(DBusCodingError) -> UInt32 {
            try align(4)
            guard end - offset >= 4 else { throw DBusCodingError("message ends early") }
            let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            offset += 4
            return bigEndian ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
        }

        @inline(__always)
        mutating func uint64() throws(DBusCodingError) -> UInt64 {
            try align(8)
            guard end - offset >= 8 else { throw DBusCodingError("message ends early") }
            let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
            return bigEndian ? UInt64(bigEndian: value) : UInt64(littleEndian: value)
        }

        /// The bytes of a string, its NUL checked.
        @inline(__always)
        mutating func string() throws(DBusCodingError) -> Range<Int> {
            let length = Int(try uint32())
            guard length < end - offset, raw[offset + length] == 0 else { throw DBusCodingError("string past its end") }
            defer { offset += length + 1 }
            return offset..<(offset + length)
        }

        /// The bytes of a signature, its NUL checked.
        @inline(__always)
        mutating func signature() throws(DBusCodingError) -> Range<Int> {
            guard offset < end else { throw DBusCodingError("message ends early") }
            let length = Int(raw[offset])
            offset += 1
            guard length < end - offset, raw[offset + length] == 0 else { throw DBusCodingError("signature past its end") }
            defer { offset += length + 1 }
            return offset..<(offset + length)
        }

        /// A reader over the array that starts here (`a{...}`: padding to 8 after the length).
        @inline(__always)
        mutating func array() throws(DBusCodingError) -> Cursor {
            let length = Int(try uint32())
            try align(8)
            guard length <= end - offset else { throw DBusCodingError("array longer than the message") }
            defer { offset += length }
            return Cursor(raw, bigEndian: bigEndian, offset: offset, end: offset + length)
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
                defer { offset += 1 }
                return .byte(raw[offset])
            default:
                return nil
            }
        }
    }
}
