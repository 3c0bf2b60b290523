import CDBus
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
}

/// The kinds of D-Bus message.
public enum MessageKind: Sendable {
    case methodCall, methodReturn, error, signal, other
}

/// An owned reference to a libdbus message.
public final class Message {
    let raw: OpaquePointer

    /// Takes over one reference of `raw`.
    init(owning raw: OpaquePointer) { self.raw = raw }

    /// Adds a reference to `raw`, for messages libdbus lends us in callbacks.
    init(borrowing raw: OpaquePointer) {
        dbus_message_ref(raw)
        self.raw = raw
    }

    deinit { dbus_message_unref(raw) }

    /// A method call; fails on invalid names or paths instead of letting libdbus abort.
    public static func methodCall(destination: String?, path: String, interface: String?, member: String,
                                  arguments: [DBusValue] = []) throws(DBusError) -> Message {
        try checkName(destination, kind: "bus name", valid: isValidBusName)
        try checkName(interface, kind: "interface", valid: isValidInterfaceName)
        try checkName(member, kind: "member", valid: isValidMemberName)
        guard MessageCoding.isValidObjectPath(path) else { throw invalid("object path", path) }
        guard let raw = dbus_message_new_method_call(destination, path, interface, member) else {
            throw DBusError(name: DBusError.noMemory, message: "cannot allocate a method call")
        }
        let message = Message(owning: raw)
        try message.append(arguments)
        return message
    }

    /// A signal from `path`.
    public static func signal(path: String, interface: String, member: String,
                              arguments: [DBusValue] = []) throws(DBusError) -> Message {
        try checkName(interface, kind: "interface", valid: isValidInterfaceName)
        try checkName(member, kind: "member", valid: isValidMemberName)
        guard MessageCoding.isValidObjectPath(path) else { throw invalid("object path", path) }
        guard let raw = dbus_message_new_signal(path, interface, member) else {
            throw DBusError(name: DBusError.noMemory, message: "cannot allocate a signal")
        }
        let message = Message(owning: raw)
        try message.append(arguments)
        return message
    }

    /// A signal from names this library defines itself (ItemsChanged from "/" every tick), so
    /// they are not checked again on every call; nil only when libdbus has no memory.
    static func signal(ownPath path: String, interface: String, member: String) -> Message? {
        let raw = path.withCString { path in
            interface.withCString { interface in member.withCString { dbus_message_new_signal(path, interface, $0) } }
        }
        return raw.map { Message(owning: $0) }
    }

    /// The reply to this method call.
    public func makeReply(_ arguments: [DBusValue]) throws(DBusError) -> Message {
        guard let raw = dbus_message_new_method_return(self.raw) else {
            throw DBusError(name: DBusError.noMemory, message: "cannot allocate a reply")
        }
        let reply = Message(owning: raw)
        try reply.append(arguments)
        return reply
    }

    /// An error reply to this method call.
    public func makeErrorReply(_ error: DBusError) -> Message? {
        let name = isValidInterfaceName(error.name) ? error.name : DBusError.failed
        let text = String(decoding: error.message.utf8.filter { $0 != 0 }, as: UTF8.self)
        guard let raw = dbus_message_new_error(self.raw, name, text) else { return nil }
        return Message(owning: raw)
    }

    private func append(_ arguments: [DBusValue]) throws(DBusError) {
        guard !arguments.isEmpty else { return }
        do {
            try MessageCoding.append(arguments, to: raw)
        } catch {
            throw DBusError(name: DBusError.invalidArgs, message: error.description)
        }
    }

    public var kind: MessageKind {
        switch dbus_message_get_type(raw) {
        case cdbus_message_type_method_call: return .methodCall
        case cdbus_message_type_method_return: return .methodReturn
        case cdbus_message_type_error: return .error
        case cdbus_message_type_signal: return .signal
        default: return .other
        }
    }

    public var path: String? { string(dbus_message_get_path(raw)) }
    public var interface: String? { string(dbus_message_get_interface(raw)) }
    public var member: String? { string(dbus_message_get_member(raw)) }
    public var sender: String? { string(dbus_message_get_sender(raw)) }
    public var destination: String? { string(dbus_message_get_destination(raw)) }
    public var errorName: String? { string(dbus_message_get_error_name(raw)) }
    public var signature: String { string(dbus_message_get_signature(raw)) ?? "" }
    public var serial: UInt32 { dbus_message_get_serial(raw) }

    /// Whether the message has this signature; compared as C strings, no String is made.
    public func hasSignature(_ signature: String) -> Bool {
        Self.equal(dbus_message_get_signature(raw), signature)
    }

    /// Whether this is the signal `interface`.`member`; compared as C strings, no String is made
    /// (every signal the daemon receives goes through here).
    public func isSignal(_ interface: String, _ member: String) -> Bool {
        dbus_message_get_type(raw) == cdbus_message_type_signal
            && Self.equal(dbus_message_get_member(raw), member) && Self.equal(dbus_message_get_interface(raw), interface)
    }

    /// Whether the member is `member` (any message kind).
    public func hasMember(_ member: String) -> Bool {
        Self.equal(dbus_message_get_member(raw), member)
    }

    private static func equal(_ field: UnsafePointer<CChar>?, _ text: String) -> Bool {
        guard let field else { return false }
        return text.withCString { strcmp(field, $0) == 0 }
    }
    public var replySerial: UInt32 { dbus_message_get_reply_serial(raw) }

    /// The decoded arguments.
    public func arguments() throws(DBusError) -> [DBusValue] {
        do {
            return try MessageCoding.arguments(of: raw)
        } catch {
            throw DBusError(name: DBusError.invalidArgs, message: error.description)
        }
    }

    /// An error message as a DBusError (its first argument is the text, by convention).
    func asError() -> DBusError {
        let text = (try? arguments())?.first?.string ?? ""
        return DBusError(name: errorName ?? DBusError.failed, message: text)
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func checkName(_ name: String?, kind: String, valid: (String) -> Bool) throws(DBusError) {
        guard let name else { return }
        guard valid(name) else { throw invalid(kind, name) }
    }

    private static func invalid(_ kind: String, _ value: String) -> DBusError {
        DBusError(name: DBusError.invalidArgs, message: "invalid \(kind) '\(value)'")
    }
}

/// Bus names: unique (":1.7") or well-known ("com.victronenergy.battery.ttyUSB0").
func isValidBusName(_ name: String) -> Bool {
    guard !MessageCoding.containsNul(name), name.utf8.count <= 255 else { return false }
    return name.withCString { dbus_validate_bus_name($0, nil) != 0 }
}

func isValidInterfaceName(_ name: String) -> Bool {
    guard !MessageCoding.containsNul(name), name.utf8.count <= 255 else { return false }
    return name.withCString { dbus_validate_interface($0, nil) != 0 }
}

func isValidMemberName(_ name: String) -> Bool {
    guard !MessageCoding.containsNul(name), name.utf8.count <= 255 else { return false }
    return name.withCString { dbus_validate_member($0, nil) != 0 }
}
