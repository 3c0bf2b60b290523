/// A Venus OS service: a tree of paths answering `com.victronenergy.BusItem`, as velib's
/// VeDbusService does, on its own bus connection.
///
/// Paths are added first, then `register()` requests the bus name, because monitors call
/// GetItems once when the name appears and never retry. Values change through `set`, and
/// `publish()` sends one ItemsChanged with only the paths that changed since the last one.
public final class VeService {
    public static let busItemInterface = "com.victronenergy.BusItem"

    /// Turns a value into its GetText form ("53.20V"). Not called for invalid values ("---").
    public typealias TextFormatter = (DBusValue) -> String
    /// Checks a value written by SetValue: returns the value to store, or nil to refuse it.
    public typealias WriteValidator = (DBusValue) -> DBusValue?

    /// A stable index of a path, for setting values every tick without a string lookup.
    public struct Handle: Hashable, Sendable {
        let index: Int
    }

    private struct Item {
        var path: String
        var value: DBusValue
        var format: TextFormatter?
        var writable: Bool
        var validate: WriteValidator?
        var pendingChange: Bool
    }

    public let connection: BusConnection
    public let serviceName: String
    /// Called after a SetValue from another process changed a value.
    public var onExternalWrite: ((String, DBusValue) -> Void)?
    /// Tried before the BusItem handling, for services that answer more than BusItem (a
    /// localsettings look-alike adds `com.victronenergy.Settings`). Return true when answered.
    public var customMethodHandler: ((Message) -> Bool)?
    public private(set) var isRegistered = false

    private var items: [Item] = []
    private var indexByPath: [String: Int] = [:]
    private var changed: [Int] = []

    public init(connection: BusConnection, serviceName: String) {
        self.connection = connection
        self.serviceName = serviceName
    }

    // MARK: Building the tree

    /// Adds a leaf, or updates its attributes if it exists. After `register()` the new path is
    /// announced with the next `publish()`.
    @discardableResult
    public func add(_ path: String, _ value: DBusValue = .invalid, writable: Bool = false,
                    format: TextFormatter? = nil, validate: WriteValidator? = nil) -> Handle {
        precondition(MessageCoding.isValidObjectPath(path) && path != "/", "invalid leaf path \(path)")
        if let index = indexByPath[path] {
            items[index].format = format
            items[index].writable = writable
            items[index].validate = validate
            setValue(at: index, value)
            return Handle(index: index)
        }
        let index = items.count
        items.append(Item(path: path, value: value, format: format, writable: writable, validate: validate,
                          pendingChange: false))
        indexByPath[path] = index
        if isRegistered { markChanged(index) }
        return Handle(index: index)
    }

    /// The handle of an existing path.
    public func handle(_ path: String) -> Handle? {
        indexByPath[path].map(Handle.init)
    }

    /// Installs the method handler and requests the bus name (DO_NOT_QUEUE).
    public func register() throws(DBusError) {
        // The handler holds this service; closing the connection lets go of it.
        connection.methodHandler = { message in self.handleMethodCall(message) }
        try connection.requestName(serviceName)
        isRegistered = true
        // Values set before registration are in GetItems already; nothing to announce.
        for index in changed { items[index].pendingChange = false }
        changed.removeAll()
    }

    // MARK: Values

    public subscript(path: String) -> DBusValue? {
        indexByPath[path].map { items[$0].value }
    }

    public func value(_ handle: Handle) -> DBusValue { items[handle.index].value }

    /// Sets a value; it goes out with the next `publish()` if it differs.
    public func set(_ path: String, _ value: DBusValue) {
        guard let index = indexByPath[path] else { return }
        setValue(at: index, value)
    }

    public func set(_ handle: Handle, _ value: DBusValue) {
        setValue(at: handle.index, value)
    }

    /// GetText form of a path's value.
    public func text(_ path: String) -> String? {
        indexByPath[path].map { text(of: items[$0]) }
    }

    /// The paths changed since the last publish, in the order they first changed.
    public var pendingPaths: [String] { changed.map { items[$0].path } }

    /// Sends one ItemsChanged on "/" with every changed path; returns how many it carried.
    @discardableResult
    public func publish() -> Int {
        guard isRegistered, !changed.isEmpty else { return 0 }
        var entries: [ItemsEncoding.Item] = []
        entries.reserveCapacity(changed.count)
        for index in changed {
            items[index].pendingChange = false
            entries.append(.init(path: items[index].path, value: items[index].value, text: text(of: items[index])))
        }
        let count = changed.count
        changed.removeAll(keepingCapacity: true)
        // Written straight into wire form (no DBusValue tree): this runs every tick.
        if let body = try? ItemsEncoding.body(entries) {
            connection.send(Message.signal(ownPath: "/", interface: Self.busItemInterface, member: "ItemsChanged",
                                           signature: ItemsDecoding.signature, body: body))
        }
        return count
    }

    /// Sends one PropertiesChanged on each changed path's own object, as a driver that sets
    /// every path outside a batch does (dbus-serialbattery); returns how many it sent.
    /// `pause` runs between two signals: a driver's own time per setter call.
    @discardableResult
    public func publishEachPath(between pause: (() -> Void)? = nil) -> Int {
        guard isRegistered, !changed.isEmpty else { return 0 }
        for (position, index) in changed.enumerated() {
            if position > 0 { pause?() }
            items[index].pendingChange = false
            if let signal = try? Message.signal(path: items[index].path, interface: Self.busItemInterface,
                                                member: "PropertiesChanged", arguments: [valueAndText(items[index])]) {
                connection.send(signal)
            }
        }
        let count = changed.count
        changed.removeAll(keepingCapacity: true)
        return count
    }

    private func setValue(at index: Int, _ value: DBusValue) {
        guard items[index].value != value else { return }
        items[index].value = value
        markChanged(index)
    }

    private func markChanged(_ index: Int) {
        guard !items[index].pendingChange else { return }
        items[index].pendingChange = true
        changed.append(index)
    }

    private func text(of item: Item) -> String {
        if item.value.isInvalid { return "---" }
        return item.format?(item.value) ?? item.value.description
    }

    private func valueAndText(_ item: Item) -> DBusValue {
        .stringVariantDictionary([("Value", item.value), ("Text", .string(text(of: item)))])
    }

    // MARK: Method calls

    /// The largest call body this service reads: its calls carry one value (SetValue) or
    /// nothing; a larger one is refused before anything in it is decoded.
    public static let maximumCallBodyBytes = 64 << 10

    private func handleMethodCall(_ message: Message) -> Bool {
        guard message.bodyLength <= Self.maximumCallBodyBytes else {
            return replyError(message, DBusError.limitsExceeded,
                              "a call of \(message.bodyLength) bytes is more than this service reads (\(Self.maximumCallBodyBytes))")
        }
        if let customMethodHandler, customMethodHandler(message) { return true }
        guard let path = message.path, let member = message.member else { return false }
        let interface = message.interface
        // org.freedesktop.DBus.Peer belongs to the connection, which answers it for any path.
        if interface == "org.freedesktop.DBus.Peer" { return false }
        if interface == "org.freedesktop.DBus.Introspectable" && member == "Introspect" {
            guard isKnownObject(path) else { return replyError(message, DBusError.unknownObject, "no object \(path)") }
            return reply(message, [.string(introspection(of: path))])
        }
        guard interface == nil || interface == Self.busItemInterface else {
            return replyError(message, DBusError.unknownMethod, "unknown interface \(interface ?? "")")
        }
        if let index = indexByPath[path] {
            return handleLeaf(message, index: index, member: member)
        }
        guard isKnownObject(path) else { return replyError(message, DBusError.unknownObject, "no object \(path)") }
        return handleNode(message, path: path, member: member)
    }

    private func handleLeaf(_ message: Message, index: Int, member: String) -> Bool {
        let item = items[index]
        switch member {
        case "GetValue":
            return reply(message, [.variant(item.value)])
        case "GetText":
            return reply(message, [.string(text(of: item))])
        case "GetDescription":
            return reply(message, [.string(item.path)])
        case "SetValue":
            // The interface says SetValue(v): a bare value is a client bug, refused like a wrong type.
            guard message.signature == "v", let arguments = try? message.arguments(), arguments.count == 1 else {
                return replyError(message, DBusError.invalidArgs, "SetValue takes one variant")
            }
            return reply(message, [.int32(write(arguments[0].unwrapped, at: index))])
        default:
            return replyError(message, DBusError.unknownMethod, "no method \(member) on a leaf")
        }
    }

    /// velib's codes: 0 accepted, 1 not writable, 2 refused by the path's validator.
    private func write(_ value: DBusValue, at index: Int) -> Int32 {
        let item = items[index]
        guard item.writable else { return 1 }
        let stored: DBusValue
        if let validate = item.validate {
            guard let accepted = validate(value) else { return 2 }
            stored = accepted
        } else {
            stored = value
        }
        guard stored != item.value else { return 0 }
        items[index].value = stored
        // An outside write is announced at once, as velib does, with PropertiesChanged.
        if let signal = try? Message.signal(path: item.path, interface: Self.busItemInterface,
                                            member: "PropertiesChanged", arguments: [valueAndText(items[index])]) {
            connection.send(signal)
        }
        onExternalWrite?(item.path, stored)
        return 0
    }

    private func handleNode(_ message: Message, path: String, member: String) -> Bool {
        let prefix = path == "/" ? "/" : path + "/"
        switch member {
        case "GetItems" where path == "/":
            let entries = items.map { DBusValue.DictEntry(.string($0.path), valueAndText($0)) }
            return reply(message, [.dictionary(keySignature: "s", valueSignature: "a{sv}", entries)])
        case "GetValue":
            let entries = items.filter { $0.path.hasPrefix(prefix) }
                .map { DBusValue.DictEntry(.string(String($0.path.dropFirst(prefix.count))), .variant($0.value)) }
            return reply(message, [.variant(.dictionary(keySignature: "s", valueSignature: "v", entries))])
        case "GetText":
            let entries = items.filter { $0.path.hasPrefix(prefix) }
                .map { DBusValue.DictEntry(.string(String($0.path.dropFirst(prefix.count))), .string(text(of: $0))) }
            return reply(message, [.variant(.dictionary(keySignature: "s", valueSignature: "s", entries))])
        default:
            return replyError(message, DBusError.unknownMethod, "no method \(member) on \(path)")
        }
    }

    private func isKnownObject(_ path: String) -> Bool {
        if path == "/" || indexByPath[path] != nil { return true }
        let prefix = path + "/"
        return items.contains { $0.path.hasPrefix(prefix) }
    }

    private func reply(_ message: Message, _ arguments: [DBusValue]) -> Bool {
        // A caller that set NO_REPLY_EXPECTED gets none (the call itself is carried out).
        guard message.flags & Message.noReplyExpected == 0 else { return true }
        do {
            connection.send(try message.makeReply(arguments))
        } catch {
            if let errorReply = message.makeErrorReply(error) { connection.send(errorReply) }
        }
        return true
    }

    private func replyError(_ message: Message, _ name: String, _ text: String) -> Bool {
        guard message.flags & Message.noReplyExpected == 0 else { return true }
        if let errorReply = message.makeErrorReply(DBusError(name: name, message: text)) {
            connection.send(errorReply)
        }
        return true
    }

    // MARK: Introspection

    private func introspection(of path: String) -> String {
        let prefix = path == "/" ? "/" : path + "/"
        var children: [String] = []
        var seen = Set<String>()
        for item in items where item.path.hasPrefix(prefix) {
            let rest = item.path.dropFirst(prefix.count)
            let child = String(rest.prefix { $0 != "/" })
            if !child.isEmpty, seen.insert(child).inserted { children.append(child) }
        }
        var xml = """
        <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
        <node>
         <interface name="org.freedesktop.DBus.Introspectable">
          <method name="Introspect"><arg direction="out" type="s"/></method>
         </interface>
         <interface name="com.victronenergy.BusItem">
          <method name="GetValue"><arg direction="out" type="v"/></method>

        """
        if indexByPath[path] != nil {
            xml += """
              <method name="GetText"><arg direction="out" type="s"/></method>
              <method name="SetValue"><arg direction="in" type="v"/><arg direction="out" type="i"/></method>
              <method name="GetDescription"><arg direction="in" type="s"/><arg direction="in" type="i"/><arg direction="out" type="s"/></method>
              <signal name="PropertiesChanged"><arg type="a{sv}"/></signal>

            """
        } else {
            xml += "  <method name=\"GetText\"><arg direction=\"out\" type=\"v\"/></method>\n"
            if path == "/" {
                xml += """
                  <method name="GetItems"><arg direction="out" type="a{sa{sv}}"/></method>
                  <signal name="ItemsChanged"><arg type="a{sa{sv}}"/></signal>

                """
            }
        }
        xml += " </interface>\n"
        for child in children { xml += " <node name=\"\(child)\"/>\n" }
        xml += "</node>\n"
        return xml
    }
}
