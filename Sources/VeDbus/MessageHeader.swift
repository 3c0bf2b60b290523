import CSystem

/// The header of a D-Bus message ("Message Format" in the specification): 12 fixed bytes
/// (byte order, type, flags, version, body length, serial), then the header fields as an
/// array of (code, variant), padded to 8; the body follows.
///
/// Read once per received message, as byte ranges into the message: a String is made only
/// for the fields somebody asks for.
struct MessageHeader {
    let kind: MessageKind
    let bigEndian: Bool
    let bodyStart: Int
    var path: Range<Int>?
    var interface: Range<Int>?
    var member: Range<Int>?
    var errorName: Range<Int>?
    var destination: Range<Int>?
    var sender: Range<Int>?
    var signature: Range<Int>?
    var replySerial: UInt32 = 0

    /// The largest message the specification allows (128 MiB).
    static let maximumMessageLength = 1 << 27
    /// Bytes needed before `frameLength` can tell a message's length.
    static let fixedLength = 16

    private enum FieldCode: UInt8 {
        case path = 1, interface, member, errorName, replySerial, destination, sender, signature, unixFDs

        /// The type the specification gives each field.
        var typeCode: UInt8 {
            switch self {
            case .path: return UInt8(ascii: "o")
            case .replySerial, .unixFDs: return UInt8(ascii: "u")
            case .signature: return UInt8(ascii: "g")
            default: return UInt8(ascii: "s")
            }
        }
    }

    /// The length of the message whose first `fixedLength` bytes are `bytes`, or an error when
    /// its declared lengths cannot be a D-Bus message.
    static func frameLength(_ bytes: UnsafeRawBufferPointer) throws(DBusCodingError) -> Int {
        let bigEndian: Bool
        switch bytes[0] {
        case UInt8(ascii: "l"): bigEndian = false
        case UInt8(ascii: "B"): bigEndian = true
        default: throw DBusCodingError("not a D-Bus message (byte order \(bytes[0]))")
        }
        func uint32(at offset: Int) -> Int {
            var value = 0
            for index in 0..<4 {
                let byte = Int(bytes[offset + index])
                value |= bigEndian ? byte << (8 * (3 - index)) : byte << (8 * index)
            }
            return value
        }
        let bodyLength = uint32(at: 4)
        let fieldsLength = uint32(at: 12)
        guard bodyLength <= maximumMessageLength, fieldsLength <= maximumMessageLength else {
            throw DBusCodingError("message longer than 128 MiB")
        }
        let total = (fixedLength + fieldsLength + 7) / 8 * 8 + bodyLength
        guard total <= maximumMessageLength else { throw DBusCodingError("message longer than 128 MiB") }
        return total
    }

    /// Reads the header of a complete message; with `headerOnly`, of the bytes up to the body
    /// (a message too large to keep, read only to say who sent it and what it was).
    /// Rejected, as libdbus rejects them: a field twice, a field of the wrong type, a name or
    /// path the specification does not allow, a kind without its required fields.
    init(_ frame: [UInt8], headerOnly: Bool = false) throws(DBusCodingError) {
        let result: Result<MessageHeader, DBusCodingError> = frame.withUnsafeBytes { raw in
            do throws(DBusCodingError) {
                return .success(try MessageHeader(raw: raw, headerOnly: headerOnly, frame: frame))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// As above, on the bytes where they lie (a connection's read buffer, before any copy).
    /// `frame` is the same bytes as an array, needed only to step over a header field this
    /// library does not know; without it such a header throws `needsCopy`, and the caller
    /// reads the message the usual way.
    init(raw: UnsafeRawBufferPointer, headerOnly: Bool = false, frame: [UInt8]?) throws(DBusCodingError) {
        guard raw.count >= Self.fixedLength else { throw DBusCodingError("message shorter than its header") }
        switch raw[0] {
        case UInt8(ascii: "l"): bigEndian = false
        case UInt8(ascii: "B"): bigEndian = true
        default: throw DBusCodingError("not a D-Bus message")
        }
        switch raw[1] {
        case 1: kind = .methodCall
        case 2: kind = .methodReturn
        case 3: kind = .error
        case 4: kind = .signal
        default: kind = .other
        }
        guard raw[3] == 1 else { throw DBusCodingError("D-Bus protocol version \(raw[3])") }
        var cursor = ByteCursor(raw, bigEndian: bigEndian, offset: 4, end: Self.fixedLength)
        let bodyLength = Int(try cursor.uint32())
        _ = try cursor.uint32()  // the serial: read where it is needed (0 until we send our own)
        let fieldsLength = Int(try cursor.uint32())
        guard fieldsLength <= raw.count - Self.fixedLength else { throw DBusCodingError("header fields past the end") }
        let fields = try Self.fields(raw, frame: frame, bigEndian: bigEndian, length: fieldsLength)
        bodyStart = (Self.fixedLength + fieldsLength + 7) / 8 * 8
        if headerOnly {
            guard raw.count == bodyStart else { throw DBusCodingError("header length does not match") }
        } else {
            guard bodyStart <= raw.count, raw.count - bodyStart == bodyLength else {
                throw DBusCodingError("message length does not match its header")
            }
        }
        switch kind {
        case .methodCall:
            guard fields.path != nil, fields.member != nil else { throw DBusCodingError("method call without path or member") }
        case .signal:
            guard fields.path != nil, fields.interface != nil, fields.member != nil else { throw DBusCodingError("signal without path, interface or member") }
        case .error:
            guard fields.errorName != nil, fields.replySerial != 0 else { throw DBusCodingError("error without name or reply serial") }
        case .methodReturn:
            guard fields.replySerial != 0 else { throw DBusCodingError("reply without reply serial") }
        case .other:
            break
        }
        path = fields.path
        interface = fields.interface
        member = fields.member
        errorName = fields.errorName
        destination = fields.destination
        sender = fields.sender
        signature = fields.signature
        replySerial = fields.replySerial
    }

    /// Whether this is the signal `interface`.`member`; `raw` is the message's bytes. The names
    /// are known when compiling and compared with one memcmp each.
    func isSignal(in raw: UnsafeRawBufferPointer, _ interface: StaticString, _ member: StaticString) -> Bool {
        kind == .signal && Self.field(self.member, in: raw, is: member) && Self.field(self.interface, in: raw, is: interface)
    }

    /// Whether the body's signature is `signature` (not empty); `raw` is the message's bytes.
    func hasSignature(in raw: UnsafeRawBufferPointer, _ signature: StaticString) -> Bool {
        Self.field(self.signature, in: raw, is: signature)
    }

    private static func field(_ range: Range<Int>?, in raw: UnsafeRawBufferPointer, is text: StaticString) -> Bool {
        guard let range, range.count == text.utf8CodeUnitCount, range.upperBound <= raw.count else { return false }
        guard range.count > 0 else { return true }
        return memcmp(raw.baseAddress! + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// Thrown by `init(raw:frame:)` without `frame` for a header with a field it cannot step over.
    static let needsCopy = DBusCodingError("a header field only the full reader knows")

    /// The header fields as they were found.
    private struct Fields {
        var path, interface, member, errorName, destination, sender, signature: Range<Int>?
        var replySerial: UInt32 = 0
    }

    /// Reads the header fields (the `length` bytes after the fixed part), checking each as
    /// libdbus does. On the raw bytes (`ByteCursor`): every received message goes through here.
    private static func fields(_ raw: UnsafeRawBufferPointer, frame: [UInt8]?, bigEndian: Bool,
                               length: Int) throws(DBusCodingError) -> Fields {
        var cursor = ByteCursor(raw, bigEndian: bigEndian, offset: fixedLength, end: fixedLength + length)
        var found = Fields()
        var seen: UInt16 = 0
        while !cursor.isAtEnd {
            try cursor.align(8)
            let code = try cursor.byte()
            let type = try cursor.signature()
            // The one type code each known field must have; nil for a field we do not know.
            guard let field = FieldCode(rawValue: code) else {
                // A field a later version defined: skipped, as the specification asks.
                guard let frame else { throw needsCopy }
                guard TypeSignature.isValid(frame, type, single: true) else { throw DBusCodingError("invalid header field type") }
                var generic = WireReader(frame, bigEndian: bigEndian, offset: cursor.offset, end: cursor.end)
                var index = type.lowerBound
                _ = try MessageCoding.read(&generic, frame, &index, depth: 1)
                cursor.offset = generic.offset
                continue
            }
            guard seen & (1 << code) == 0 else { throw DBusCodingError("header field \(code) appears twice") }
            seen |= 1 << code
            guard type.count == 1, raw[type.lowerBound] == field.typeCode else {
                throw DBusCodingError("header field \(code) has type '\(cursor.text(type))'")
            }
            switch field {
            case .path:
                let range = try cursor.string()
                let bytes = UnsafeRawBufferPointer(rebasing: raw[range]).assumingMemoryBound(to: UInt8.self)
                guard MessageCoding.isValidObjectPath(bytes) else { throw DBusCodingError("invalid path field") }
                found.path = range
            case .interface:
                found.interface = try name(&cursor, NameRules.isValidInterface, "interface", common: "com.victronenergy.BusItem")
            case .member:
                found.member = try name(&cursor, NameRules.isValidMember, "member",
                                        common: "PropertiesChanged", alsoCommon: "ItemsChanged")
            case .errorName: found.errorName = try name(&cursor, NameRules.isValidInterface, "error name")
            case .destination: found.destination = try name(&cursor, NameRules.isValidBusName, "destination")
            case .sender: found.sender = try name(&cursor, NameRules.isValidBusName, "sender")
            case .replySerial:
                found.replySerial = try cursor.uint32()
                guard found.replySerial != 0 else { throw DBusCodingError("reply serial 0") }
            case .signature:
                do throws(DBusCodingError) {
                    found.signature = try cursor.signature()
                } catch {
                    throw DBusCodingError("signature field past the end")
                }
            case .unixFDs:
                // We never offer file descriptors, so a message must carry none.
                guard try cursor.uint32() == 0 else { throw DBusCodingError("message carries file descriptors") }
            }
        }
        return found
    }

    /// A string field that must be a valid name of one kind. The names nearly every message
    /// carries are recognised by one compare (measured: checking them byte by byte was 2.5 % of
    /// the daemon's instructions at 32 x 24).
    private static func name(_ cursor: inout ByteCursor, _ isValid: (UnsafeRawBufferPointer) -> Bool,
                             _ what: StaticString, common: StaticString? = nil,
                             alsoCommon: StaticString? = nil) throws(DBusCodingError) -> Range<Int> {
        let range = try cursor.string()
        if let common, cursor.equals(range, common) { return range }
        if let alsoCommon, cursor.equals(range, alsoCommon) { return range }
        guard isValid(UnsafeRawBufferPointer(rebasing: cursor.raw[range])) else {
            throw DBusCodingError("invalid \(what) '\(cursor.text(range))'")
        }
        return range
    }

    /// Whom to answer when a method call's header did not read: its serial and its sender,
    /// found by a lenient walk of the fields that stops at the first thing it cannot read. Nil
    /// when it is not a call, wants no reply, or no valid sender can be found.
    static func replyTarget(ofRejected frame: [UInt8]) -> (sender: String, serial: UInt32)? {
        guard frame.count >= fixedLength, frame[1] == 1, frame[2] & 0x1 == 0, frame[3] == 1 else { return nil }
        let bigEndian: Bool
        switch frame[0] {
        case UInt8(ascii: "l"): bigEndian = false
        case UInt8(ascii: "B"): bigEndian = true
        default: return nil
        }
        var reader = WireReader(frame, bigEndian: bigEndian, offset: 8)
        guard let serial = try? reader.readUInt32(), serial != 0, let fieldsLength = try? reader.readUInt32(),
              Int(fieldsLength) <= frame.count - fixedLength else { return nil }
        var fields = WireReader(frame, bigEndian: bigEndian, offset: fixedLength, end: fixedLength + Int(fieldsLength))
        while !fields.isAtEnd {
            guard (try? fields.align(to: 8)) != nil, let code = try? fields.readByte(),
                  let type = try? fields.readSignatureRange(), TypeSignature.isValid(frame, type, single: true) else { return nil }
            if code == FieldCode.sender.rawValue, type.count == 1, frame[type.lowerBound] == UInt8(ascii: "s") {
                guard let range = try? fields.readStringRange() else { return nil }
                let valid = frame.withUnsafeBytes { NameRules.isValidBusName(bytes: UnsafeRawBufferPointer(rebasing: $0[range])) }
                return valid ? (fields.string(in: range), serial) : nil
            }
            var index = type.lowerBound
            guard (try? MessageCoding.read(&fields, frame, &index, depth: 1)) != nil else { return nil }
        }
        return nil
    }

    /// A complete little-endian message with serial 0 (set when it is sent).
    static func frame(kind: MessageKind, flags: UInt8, fields: HeaderFieldValues, signature: String,
                      body: [UInt8]) -> [UInt8] {
        var writer = WireWriter(capacity: 128 + body.count)
        writer.appendByte(UInt8(ascii: "l"))
        switch kind {
        case .methodCall: writer.appendByte(1)
        case .methodReturn: writer.appendByte(2)
        case .error: writer.appendByte(3)
        case .signal, .other: writer.appendByte(4)
        }
        writer.appendByte(flags)
        writer.appendByte(1)
        writer.appendUInt32(UInt32(body.count))
        writer.appendUInt32(0)
        let fieldsMark = writer.beginArray(elementAlignment: 8)
        func field(_ code: FieldCode, _ type: String, _ write: (inout WireWriter) -> Void) {
            writer.align(to: 8)
            writer.appendByte(code.rawValue)
            writer.appendSignature(type)
            write(&writer)
        }
        if let path = fields.path { field(.path, "o") { $0.appendString(path) } }
        if let interface = fields.interface { field(.interface, "s") { $0.appendString(interface) } }
        if let member = fields.member { field(.member, "s") { $0.appendString(member) } }
        if let errorName = fields.errorName { field(.errorName, "s") { $0.appendString(errorName) } }
        if let replySerial = fields.replySerial { field(.replySerial, "u") { $0.appendUInt32(replySerial) } }
        if let destination = fields.destination { field(.destination, "s") { $0.appendString(destination) } }
        if !signature.isEmpty { field(.signature, "g") { $0.appendSignature(signature) } }
        writer.endArray(fieldsMark)
        writer.align(to: 8)
        writer.appendRaw(body)
        return writer.takeBytes()
    }
}

/// The header fields of a message we build.
struct HeaderFieldValues {
    var path: String?
    var interface: String?
    var member: String?
    var errorName: String?
    var destination: String?
    var replySerial: UInt32?

    init(path: String? = nil, interface: String? = nil, member: String? = nil, errorName: String? = nil,
         destination: String? = nil, replySerial: UInt32? = nil) {
        self.path = path
        self.interface = interface
        self.member = member
        self.errorName = errorName
        self.destination = destination
        self.replySerial = replySerial
    }
}
