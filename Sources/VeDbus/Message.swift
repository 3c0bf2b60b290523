import CSystem

/// An error as D-Bus names it (`org.freedesktop.DBus.Error.UnknownObject`), or one of ours
/// for local failures (time-outs, a closed connection, undecodable replies).
public struct DBusError: Error, Equatable, CustomStringConvertible, Sendable {
    public var name: String
    public var message: String

    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }

    public var description: String { "\(name): \(message)" }

    public static let unknownObject = "org.freedesktop.DBus.Error.UnknownObject"
    public static let unknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
    public static let invalidArgs = "org.freedesktop.DBus.Error.InvalidArgs"
    public static let failed = "org.freedesktop.DBus.Error.Failed"
    public static let timedOut = "org.freedesktop.DBus.Error.Timeout"
    public static let disconnected = "org.freedesktop.DBus.Error.Disconnected"
    public static let noMemory = "org.freedesktop.DBus.Error.NoMemory"
    public static let limitsExceeded = "org.freedesktop.DBus.Error.LimitsExceeded"
}

/// The kinds of D-Bus message.
public enum MessageKind: Sendable {
    case methodCall, methodReturn, error, signal, other
}

/// One D-Bus message in its wire form: the bytes as they travel, with the header read once.
///
/// A received message is kept as it came; its header fields and arguments are turned into
/// Strings and values only when asked for, because most signals the daemon receives are read
/// field by field (`isSignal`, `ItemsDecoding`) and never need them.
public final class Message {
    /// The whole message. Messages we build are little-endian; the serial is set when sent.
    private(set) var frame: [UInt8]
    let header: MessageHeader

    /// False for a message whose body was not kept (too large): only its header can be read.
    let hasBody: Bool
    /// True for a message whose body was too large to keep: its header fields can be read,
    /// its arguments cannot (a signal's readers treat its values as invalid).
    public var bodyWasSkipped: Bool { !hasBody }

    /// Reads a complete message (as `MessageHeader.frameLength` delimited it).
    init(frame: [UInt8]) throws(DBusCodingError) {
        self.header = try MessageHeader(frame)
        self.frame = frame
        hasBody = true
    }

    /// The header of a message whose body was skipped (`FrameReader`'s oversized messages).
    init(headerOnly frame: [UInt8]) throws(DBusCodingError) {
        self.header = try MessageHeader(frame, headerOnly: true)
        self.frame = frame
        hasBody = false
    }

    // MARK: Building

    /// Header flag: the caller wants no reply (AddMatch, fire-and-forget calls).
    static let noReplyExpected: UInt8 = 0x1

    /// A method call; invalid names or paths are errors, never a message the bus would refuse.
    public static func methodCall(destination: String?, path: String, interface: String?, member: String,
                                  arguments: [DBusValue] = []) throws(DBusError) -> Message {
        try check(destination, "bus name", NameRules.isValidBusName)
        try check(interface, "interface", NameRules.isValidInterface)
        try check(member, "member", NameRules.isValidMember)
        guard MessageCoding.isValidObjectPath(path) else { throw invalid("object path", path) }
        return try build(.methodCall, flags: 0, fields: HeaderFieldValues(path: path, interface: interface, member: member,
                                                                         destination: destination), arguments: arguments)
    }

    /// A signal from `path`.
    public static func signal(path: String, interface: String, member: String,
                              arguments: [DBusValue] = []) throws(DBusError) -> Message {
        try check(interface, "interface", NameRules.isValidInterface)
        try check(member, "member", NameRules.isValidMember)
        guard MessageCoding.isValidObjectPath(path) else { throw invalid("object path", path) }
        return try build(.signal, flags: 0, fields: HeaderFieldValues(path: path, interface: interface, member: member),
                         arguments: arguments)
    }

    /// A signal from names this library defines itself, with a body already in wire form (the
    /// aggregate's ItemsChanged every tick), so neither is checked again.
    static func signal(ownPath path: String, interface: String, member: String, signature: String,
                       body: [UInt8]) -> Message {
        assemble(.signal, flags: 0, fields: HeaderFieldValues(path: path, interface: interface, member: member),
                 signature: signature, body: body)
    }

    /// The reply to this method call.
    public func makeReply(_ arguments: [DBusValue]) throws(DBusError) -> Message {
        try Self.build(.methodReturn, flags: 0,
                       fields: HeaderFieldValues(destination: sender, replySerial: serial), arguments: arguments)
    }

    /// An error reply to a call known only by its sender and serial (one whose header did not read).
    static func errorReply(to sender: String, serial: UInt32, _ error: DBusError) -> Message? {
        let text = String(decoding: error.message.utf8.filter { $0 != 0 }, as: UTF8.self)
        return try? build(.error, flags: 0, fields: HeaderFieldValues(errorName: error.name, destination: sender,
                                                                      replySerial: serial), arguments: [.string(text)])
    }

    /// An error reply to this method call.
    public func makeErrorReply(_ error: DBusError) -> Message? {
        let name = NameRules.isValidInterface(error.name) ? error.name : DBusError.failed
        let text = String(decoding: error.message.utf8.filter { $0 != 0 }, as: UTF8.self)
        return try? Self.build(.error, flags: 0,
                               fields: HeaderFieldValues(errorName: name, destination: sender, replySerial: serial),
                               arguments: [.string(text)])
    }

    private static func build(_ kind: MessageKind, flags: UInt8, fields: HeaderFieldValues,
                              arguments: [DBusValue]) throws(DBusError) -> Message {
        let encoded: (signature: String, body: [UInt8])
        do {
            encoded = try MessageCoding.encode(arguments)
        } catch {
            throw DBusError(name: DBusError.invalidArgs, message: error.description)
        }
        return assemble(kind, flags: flags, fields: fields, signature: encoded.signature, body: encoded.body)
    }

    private static func assemble(_ kind: MessageKind, flags: UInt8, fields: HeaderFieldValues, signature: String,
                                 body: [UInt8]) -> Message {
        let frame = MessageHeader.frame(kind: kind, flags: flags, fields: fields, signature: signature, body: body)
        // Our own header, just written: reading it back cannot fail.
        do {
            return try Message(frame: frame)
        } catch {
            fatalError("a message built here does not read back: \(error)")
        }
    }

    /// Adds header flags (`noReplyExpected`).
    func setFlags(_ flags: UInt8) {
        frame[2] |= flags
    }

    /// Sets the serial the connection numbers this message with.
    func setSerial(_ serial: UInt32) {
        precondition(!header.bigEndian, "only messages built here are numbered")
        for index in 0..<4 { frame[8 + index] = UInt8(truncatingIfNeeded: serial >> (8 * UInt32(index))) }
    }

    // MARK: Reading

    public var kind: MessageKind { header.kind }
    public var path: String? { text(header.path) }
    public var interface: String? { text(header.interface) }
    public var member: String? { text(header.member) }
    public var sender: String? { text(header.sender) }
    public var destination: String? { text(header.destination) }
    public var errorName: String? { text(header.errorName) }
    public var signature: String { text(header.signature) ?? "" }
    public var serial: UInt32 {
        var reader = WireReader(frame, bigEndian: header.bigEndian, offset: 8)
        return (try? reader.readUInt32()) ?? 0
    }
    public var replySerial: UInt32 { header.replySerial }
    /// Bytes of the body, as the header declares them (also for a message whose body was skipped).
    public var bodyLength: Int {
        var reader = WireReader(frame, bigEndian: header.bigEndian, offset: 4)
        return Int((try? reader.readUInt32()) ?? 0)
    }
    var flags: UInt8 { frame[2] }

    /// Whether the message has this signature; compared as bytes, no String is made.
    public func hasSignature(_ signature: String) -> Bool {
        matches(header.signature, signature) || (header.signature == nil && signature.isEmpty)
    }

    /// Whether this is the signal `interface`.`member`: every signal the daemon receives goes
    /// through here, so the names are known when compiling and compared with one memcmp each.
    public func isSignal(_ interface: StaticString, _ member: StaticString) -> Bool {
        frame.withUnsafeBytes { header.isSignal(in: $0, interface, member) }
    }

    /// Whether this is a call of `interface`.`member`.
    func isMethod(_ interface: String, _ member: String) -> Bool {
        header.kind == .methodCall && matches(header.member, member) && matches(header.interface, interface)
    }

    /// The largest body `arguments()` decodes. A decoded value takes many times its wire size
    /// (each byte of an `ay` becomes a value of its own), so large bodies are refused here; the
    /// readers of large messages (GetItems replies, ItemsChanged) walk them item by item instead.
    public static let maximumDecodedBodyBytes = 256 << 10

    /// The decoded arguments.
    public func arguments() throws(DBusError) -> [DBusValue] {
        guard hasBody else { throw DBusError(name: DBusError.limitsExceeded, message: "the message was too large to keep") }
        guard bodyLength <= Self.maximumDecodedBodyBytes else {
            throw DBusError(name: DBusError.limitsExceeded,
                            message: "a body of \(bodyLength) bytes is more than is decoded whole (\(Self.maximumDecodedBodyBytes))")
        }
        var reader = bodyReader()
        do {
            return try MessageCoding.decode(&reader, signature: frame, header.signature ?? 0..<0)
        } catch {
            throw DBusError(name: DBusError.invalidArgs, message: error.description)
        }
    }

    /// A reader at the start of the body (for decoders that walk it themselves).
    func bodyReader() -> WireReader {
        WireReader(frame, bigEndian: header.bigEndian, offset: header.bodyStart)
    }

    /// An error message as a DBusError (its first argument is the text, by convention).
    func asError() -> DBusError {
        let text = (try? arguments())?.first?.string ?? ""
        return DBusError(name: errorName ?? DBusError.failed, message: text)
    }

    /// The sender's and the object path's bytes inside the message (no NUL), for readers that
    /// match them without making Strings; nil when either is missing.
    func withSenderAndPathBytes<Result>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Result) -> Result? {
        guard let sender = header.sender, let path = header.path else { return nil }
        return frame.withUnsafeBytes { raw in
            body(UnsafeRawBufferPointer(rebasing: raw[sender]), UnsafeRawBufferPointer(rebasing: raw[path]))
        }
    }

    private func text(_ range: Range<Int>?) -> String? {
        guard let range else { return nil }
        return frame.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    private func matches(_ range: Range<Int>?, _ text: String) -> Bool {
        guard let range else { return false }
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == range.count else { return false }
            guard range.count > 0 else { return true }
            return frame.withUnsafeBytes { memcmp($0.baseAddress! + range.lowerBound, utf8.baseAddress!, range.count) == 0 }
        }
    }

    private static func check(_ name: String?, _ kind: String, _ valid: (String) -> Bool) throws(DBusError) {
        guard let name else { return }
        guard valid(name) else { throw invalid(kind, name) }
    }

    private static func invalid(_ kind: String, _ value: String) -> DBusError {
        DBusError(name: DBusError.invalidArgs, message: "invalid \(kind) '\(value)'")
    }
}
