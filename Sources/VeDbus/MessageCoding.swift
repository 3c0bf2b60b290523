import CSystem

/// Why a value could not be written to or read from a D-Bus message.
public struct DBusCodingError: Error, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// `DBusValue`s to and from the D-Bus wire format.
///
/// Values are checked before a byte is written (a value that breaks a rule is an error, never a
/// message the bus would drop us for); what is read is checked as it is read.
enum MessageCoding {
    /// Deepest container nesting D-Bus allows (32 arrays plus 32 structs); deeper input is refused.
    static let maximumDepth = 64
    /// The largest array the specification allows (64 MiB).
    static let maximumArrayLength = 1 << 26

    // MARK: Writing

    /// `values` as a message body: their concatenated signature and the bytes.
    static func encode(_ values: [DBusValue]) throws(DBusCodingError) -> (signature: String, body: [UInt8]) {
        var signature = ""
        for value in values {
            try validate(value, depth: 0)
            signature += value.signature
        }
        guard signature.utf8.count <= TypeSignature.maximumLength else {
            throw DBusCodingError("the arguments' signature is longer than 255 bytes")
        }
        var writer = WireWriter()
        for value in values { write(value, into: &writer) }
        return (signature, writer.takeBytes())
    }

    /// Checks every rule a value must follow on the wire, before any byte is written.
    static func validate(_ value: DBusValue, depth: Int) throws(DBusCodingError) {
        guard depth <= maximumDepth else { throw DBusCodingError("value nested deeper than \(maximumDepth)") }
        switch value {
        case .string(let s):
            guard !containsNul(s) else { throw DBusCodingError("string contains a NUL byte") }
        case .objectPath(let p):
            guard isValidObjectPath(p) else { throw DBusCodingError("invalid object path '\(p)'") }
        case .signature(let s):
            guard isValidSignature(s, single: false) else { throw DBusCodingError("invalid signature '\(s)'") }
        case .array(let element, let items):
            guard isValidSignature(element, single: true) else {
                throw DBusCodingError("invalid array element signature '\(element)'")
            }
            for item in items {
                guard item.signature == element else {
                    throw DBusCodingError("array of '\(element)' holds a '\(item.signature)'")
                }
                try validate(item, depth: depth + 1)
            }
        case .dictionary(let keySig, let valueSig, let entries):
            guard keySig.utf8.count == 1, isBasicType(keySig), isValidSignature(valueSig, single: true) else {
                throw DBusCodingError("invalid dictionary signature a{\(keySig)\(valueSig)}")
            }
            for entry in entries {
                guard entry.key.signature == keySig, entry.value.signature == valueSig else {
                    throw DBusCodingError("dictionary a{\(keySig)\(valueSig)} holds {\(entry.key.signature)\(entry.value.signature)}")
                }
                try validate(entry.key, depth: depth + 1)
                try validate(entry.value, depth: depth + 1)
            }
        case .variant(let inner):
            guard isValidSignature(inner.signature, single: true) else {
                throw DBusCodingError("a variant's signature '\(inner.signature)' is not one complete type")
            }
            try validate(inner, depth: depth + 1)
        case .structure(let fields):
            guard !fields.isEmpty else { throw DBusCodingError("empty struct") }
            for field in fields { try validate(field, depth: depth + 1) }
        default:
            break
        }
    }

    /// Writes a value that `validate` accepted.
    static func write(_ value: DBusValue, into writer: inout WireWriter) {
        switch value {
        case .byte(let v): writer.appendByte(v)
        case .bool(let b): writer.appendUInt32(b ? 1 : 0)
        case .int16(let v): writer.appendUInt16(UInt16(bitPattern: v))
        case .uint16(let v): writer.appendUInt16(v)
        case .int32(let v): writer.appendUInt32(UInt32(bitPattern: v))
        case .uint32(let v): writer.appendUInt32(v)
        case .int64(let v): writer.appendUInt64(UInt64(bitPattern: v))
        case .uint64(let v): writer.appendUInt64(v)
        case .double(let v): writer.appendDouble(v)
        case .string(let s), .objectPath(let s): writer.appendString(s)
        case .signature(let s): writer.appendSignature(s)
        case .array(let element, let items):
            let mark = writer.beginArray(elementAlignment: TypeSignature.alignment(of: element.utf8.first ?? 0))
            for item in items { write(item, into: &writer) }
            writer.endArray(mark)
        case .dictionary(_, _, let entries):
            let mark = writer.beginArray(elementAlignment: 8)
            for entry in entries {
                writer.align(to: 8)
                write(entry.key, into: &writer)
                write(entry.value, into: &writer)
            }
            writer.endArray(mark)
        case .variant(let inner):
            writer.appendSignature(inner.signature)
            write(inner, into: &writer)
        case .structure(let fields):
            writer.align(to: 8)
            for field in fields { write(field, into: &writer) }
        }
    }

    // MARK: Reading

    /// Every value of a body whose signature is `signature[range]`; the body must end where the
    /// last value does.
    static func decode(_ reader: inout WireReader, signature: [UInt8], _ range: Range<Int>) throws(DBusCodingError) -> [DBusValue] {
        guard TypeSignature.isValid(signature, range, single: false) else {
            throw DBusCodingError("invalid body signature '\(String(decoding: signature[range], as: UTF8.self))'")
        }
        var values: [DBusValue] = []
        var index = range.lowerBound
        while index < range.upperBound {
            values.append(try read(&reader, signature, &index, depth: 0))
        }
        guard reader.isAtEnd else { throw DBusCodingError("bytes after the last argument") }
        return values
    }

    /// Reads the one complete type at `signature[index]` (part of a valid signature) and moves
    /// `index` past it. A variant's signature is read where it lies in the message.
    static func read(_ reader: inout WireReader, _ signature: [UInt8], _ index: inout Int,
                     depth: Int) throws(DBusCodingError) -> DBusValue {
        guard depth <= maximumDepth else { throw DBusCodingError("value nested deeper than \(maximumDepth)") }
        let code = signature[index]
        index += 1
        switch code {
        case UInt8(ascii: "y"): return .byte(try reader.readByte())
        case UInt8(ascii: "b"):
            let raw = try reader.readUInt32()
            guard raw <= 1 else { throw DBusCodingError("boolean \(raw) is neither 0 nor 1") }
            return .bool(raw == 1)
        case UInt8(ascii: "n"): return .int16(Int16(bitPattern: try reader.readUInt16()))
        case UInt8(ascii: "q"): return .uint16(try reader.readUInt16())
        case UInt8(ascii: "i"): return .int32(Int32(bitPattern: try reader.readUInt32()))
        case UInt8(ascii: "u"): return .uint32(try reader.readUInt32())
        case UInt8(ascii: "x"): return .int64(Int64(bitPattern: try reader.readUInt64()))
        case UInt8(ascii: "t"): return .uint64(try reader.readUInt64())
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try reader.readUInt64()))
        case UInt8(ascii: "s"):
            let range = try reader.readStringRange()
            guard !reader.bytes[range].contains(0) else { throw DBusCodingError("string contains a NUL byte") }
            return .string(reader.string(in: range))
        case UInt8(ascii: "o"):
            let path = try reader.readString()
            guard isValidObjectPath(path) else { throw DBusCodingError("invalid object path '\(path)'") }
            return .objectPath(path)
        case UInt8(ascii: "g"):
            let range = try reader.readSignatureRange()
            guard TypeSignature.isValid(reader.bytes, range, single: false) else { throw DBusCodingError("invalid signature value") }
            return .signature(reader.string(in: range))
        case UInt8(ascii: "v"):
            let message = reader.bytes
            let inner = try reader.readSignatureRange()
            guard TypeSignature.isValid(message, inner, single: true) else { throw DBusCodingError("invalid variant signature") }
            var innerIndex = inner.lowerBound
            return .variant(try read(&reader, message, &innerIndex, depth: depth + 1))
        case UInt8(ascii: "("):
            try reader.align(to: 8)
            var fields: [DBusValue] = []
            while signature[index] != UInt8(ascii: ")") {
                fields.append(try read(&reader, signature, &index, depth: depth + 1))
            }
            index += 1
            return .structure(fields)
        case UInt8(ascii: "a"):
            return try readArray(&reader, signature, &index, depth: depth)
        case UInt8(ascii: "h"):
            throw DBusCodingError("unix file descriptors are not supported")
        default:
            throw DBusCodingError("unsupported D-Bus type code \(code)")
        }
    }

    /// An array or dictionary; `index` is at its element type. Elements are read by a reader that
    /// ends where the array's declared length ends, so none can read past it.
    private static func readArray(_ reader: inout WireReader, _ signature: [UInt8], _ index: inout Int,
                                  depth: Int) throws(DBusCodingError) -> DBusValue {
        let length = Int(try reader.readUInt32())
        guard length <= maximumArrayLength else { throw DBusCodingError("array of \(length) bytes") }
        let elementStart = index
        guard let elementEnd = TypeSignature.endOfSingleType(signature, from: elementStart, asArrayElement: true) else {
            throw DBusCodingError("invalid array element type")
        }
        index = elementEnd
        try reader.align(to: TypeSignature.alignment(of: signature[elementStart]))
        guard length <= reader.end - reader.offset else { throw DBusCodingError("array longer than the message") }
        let contentEnd = reader.offset + length
        var elements = WireReader(reader.bytes, bigEndian: reader.bigEndian, offset: reader.offset, end: contentEnd)
        reader.offset = contentEnd

        if signature[elementStart] == UInt8(ascii: "{") {
            let keySignature = String(decoding: signature[(elementStart + 1)...(elementStart + 1)], as: UTF8.self)
            let valueSignature = String(decoding: signature[(elementStart + 2)..<(elementEnd - 1)], as: UTF8.self)
            var entries: [DBusValue.DictEntry] = []
            while !elements.isAtEnd {
                try elements.align(to: 8)
                var entryIndex = elementStart + 1
                let key = try read(&elements, signature, &entryIndex, depth: depth + 1)
                let value = try read(&elements, signature, &entryIndex, depth: depth + 1)
                entries.append(.init(key, value))
            }
            return .dictionary(keySignature: keySignature, valueSignature: valueSignature, entries)
        }
        let elementSignature = String(decoding: signature[elementStart..<elementEnd], as: UTF8.self)
        var items: [DBusValue] = []
        while !elements.isAtEnd {
            var elementIndex = elementStart
            items.append(try read(&elements, signature, &elementIndex, depth: depth + 1))
        }
        return .array(elementSignature: elementSignature, items)
    }

    // MARK: Validation helpers

    /// Whether `text` holds a NUL byte, which no D-Bus string may (memchr on its UTF-8).
    static func containsNul(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        }
    }

    static func isBasicType(_ signature: String) -> Bool {
        guard let code = signature.utf8.first, signature.utf8.count == 1 else { return false }
        return TypeSignature.isBasic(code) && code != UInt8(ascii: "h")
    }

    /// A valid signature; with `single`, exactly one complete type.
    static func isValidSignature(_ signature: String, single: Bool) -> Bool {
        !containsNul(signature) && TypeSignature.isValid(signature, single: single)
    }

    /// Object path rules: "/" or "/"-separated non-empty elements of [A-Za-z0-9_].
    static func isValidObjectPath(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { isValidObjectPath($0) }
    }

    /// As above for the path's UTF-8 where it lies (a received message's header field).
    static func isValidObjectPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        if bytes.count == 1 { return true }
        guard bytes.last != UInt8(ascii: "/") else { return false }
        var previousWasSlash = false
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                if previousWasSlash { return false }
                previousWasSlash = true
                continue
            }
            previousWasSlash = false
            guard NameRules.isElementByte(byte) else { return false }
        }
        return true
    }
}
