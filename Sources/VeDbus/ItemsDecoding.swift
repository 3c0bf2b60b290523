/// Reads the `a{sa{sv}}` of an ItemsChanged signal straight from the message's bytes.
///
/// Every battery sends these, so this is the daemon's hottest input. The generic
/// `MessageCoding.decode` builds a `DBusValue` tree for it (arrays of entries, a boxed variant per
/// value, a String per path and per Text) only for the monitor to take it apart again; here
/// each item's path is handed out as a C string inside the message, its "Value" is read
/// unwrapped, and its "Text" is stepped over without being read.
enum ItemsDecoding {
    /// The only signature this reader takes; anything else goes through the generic decoder.
    static let signature = "a{sa{sv}}"

    /// Calls `body` with each item's path (a NUL-terminated C string valid only during the call)
    /// and unwrapped "Value"; items without a "Value" are skipped, as the generic path skips
    /// them. The message must have the signature `a{sa{sv}}`; every length in it is checked.
    static func forEachItem(in message: Message,
                            _ body: (UnsafePointer<CChar>, DBusValue) -> Void) throws(DBusCodingError) {
        var reader = message.bodyReader()
        var items = try reader.arrayReader()
        try message.frame.withUnsafeBufferPointer { frame throws(DBusCodingError) in
            let base = UnsafeRawPointer(frame.baseAddress!).assumingMemoryBound(to: CChar.self)
            while !items.isAtEnd {
                try items.align(to: 8)
                let path = try items.readStringRange()
                var fields = try items.arrayReader()
                if let value = try value(ofFields: &fields) { body(base + path.lowerBound, value) }
            }
        }
    }

    /// The unwrapped "Value" of one item's `a{sv}`; the other fields are stepped over.
    private static func value(ofFields fields: inout WireReader) throws(DBusCodingError) -> DBusValue? {
        var found: DBusValue?
        while !fields.isAtEnd {
            try fields.align(to: 8)
            let key = try fields.readStringRange()
            let type = try fields.readSignatureRange()
            let isValue = fields.bytes(in: key, equal: "Value")
            if !isValue && type.count == 1 && fields.bytes[type.lowerBound] == UInt8(ascii: "s") {
                _ = try fields.readStringRange()  // "Text": stepped over, no String made
                continue
            }
            let message = fields.bytes
            guard TypeSignature.isValid(message, type, single: true) else { throw DBusCodingError("invalid variant signature") }
            var index = type.lowerBound
            // Depth as inside the whole argument: array, entry's array, variant.
            let value = try MessageCoding.read(&fields, message, &index, depth: 3)
            if found == nil && isValue { found = value.unwrapped }
        }
        return found
    }
}

extension WireReader {
    /// A reader over the array that starts here (its length, then padding to 8 for the dict
    /// entries of `a{...}`); this reader moves past the whole array.
    mutating func arrayReader() throws(DBusCodingError) -> WireReader {
        let length = Int(try readUInt32())
        try align(to: 8)
        guard length <= end - offset else { throw DBusCodingError("array longer than the message") }
        let elements = WireReader(bytes, bigEndian: bigEndian, offset: offset, end: offset + length)
        offset += length
        return elements
    }
}
