import CDBus
import CSystem

/// Which bus to connect to.
public enum BusAddress: Equatable, Sendable, CustomStringConvertible {
    case system
    case session
    /// An explicit address such as `unix:path=/tmp/dbus-test`.
    case address(String)

    /// Venus convention: the session bus when `DBUS_SESSION_BUS_ADDRESS` is set, else the system bus.
    public static func fromEnvironment() -> BusAddress {
        if let value = getenv("DBUS_SESSION_BUS_ADDRESS"), value.pointee != 0 { return .session }
        return .system
    }

    /// `system`, `session` or an address.
    public init(argument: String) {
        switch argument {
        case "system": self = .system
        case "session": self = .session
        default: self = .address(argument)
        }
    }

    public var description: String {
        switch self {
        case .system: return "system"
        case .session: return "session"
        case .address(let a): return a
        }
    }
}

/// One private connection to a bus, with its own unique name.
///
/// Not thread-safe: use it from the thread that runs its `EventLoop`. Method replies are matched
/// to their calls here (by serial), so a call never blocks the loop and its time-out is ours.
public final class BusConnection {
    let raw: OpaquePointer
    public let address: BusAddress
    /// The unique name the bus gave us, e.g. ":1.42".
    public let uniqueName: String
    /// Called for every method call addressed to us. Return true when it was answered.
    public var methodHandler: ((Message) -> Bool)?
    /// Called once when the bus connection is lost.
    public var onDisconnect: (() -> Void)?
    public private(set) var isConnected = true

    private var signalHandlers: [(id: Int, handler: (Message) -> Void)] = []
    private var nextHandlerID = 0
    private var pendingCalls: [UInt32: PendingCall] = [:]
    private var filterInstalled = false
    /// Monotonic seconds; the loop sets it so call deadlines need no clock here.
    var clock: () -> Double = MonotonicClock.now

    private struct PendingCall {
        var deadline: Double
        var completion: (Result<[DBusValue], DBusError>) -> Void
    }

    /// Opens a private connection and registers with the bus (blocking, once, at start).
    public init(_ address: BusAddress) throws(DBusError) {
        dbus_threads_init_default()
        var error = CDBusError()
        var connection: OpaquePointer?
        switch address {
        case .system: connection = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error.raw)
        case .session: connection = dbus_bus_get_private(DBUS_BUS_SESSION, &error.raw)
        case .address(let text):
            connection = dbus_connection_open_private(text, &error.raw)
            if let opened = connection, dbus_bus_register(opened, &error.raw) == 0 {
                dbus_connection_close(opened)
                dbus_connection_unref(opened)
                connection = nil
            }
        }
        guard let connection else {
            throw error.take(default: "cannot connect to the \(address) bus")
        }
        // A daemon must outlive its bus connection; libdbus would call exit() otherwise.
        dbus_connection_set_exit_on_disconnect(connection, 0)
        self.raw = connection
        self.address = address
        self.uniqueName = dbus_bus_get_unique_name(connection).map { String(cString: $0) } ?? ""
        installFilter()
    }

    deinit {
        failAllPending(reason: "connection closed")
        if isConnected { dbus_connection_close(raw) }
        dbus_connection_unref(raw)
    }

    /// Closes the connection (if the bus has not already); pending calls fail. The handlers are
    /// dropped: they usually hold their owners (a service, a monitor), and without weak
    /// references (Embedded Swift has none) this is where those cycles end.
    public func close() {
        if isConnected {
            dbus_connection_flush(raw)
            dbus_connection_close(raw)
            isConnected = false
        }
        failAllPending(reason: "connection closed")
        methodHandler = nil
        onDisconnect = nil
        signalHandlers.removeAll()
    }

    /// Requests a well-known name with DO_NOT_QUEUE: we own it now or it is an error.
    public func requestName(_ name: String) throws(DBusError) {
        guard isValidBusName(name), !name.hasPrefix(":") else {
            throw DBusError(name: DBusError.invalidArgs, message: "invalid bus name '\(name)'")
        }
        var error = CDBusError()
        let result = dbus_bus_request_name(raw, name, UInt32(DBUS_NAME_FLAG_DO_NOT_QUEUE), &error.raw)
        if result == -1 { throw error.take(default: "cannot request \(name)") }
        guard result == Int32(DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) || result == Int32(DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER) else {
            throw DBusError(name: "org.freedesktop.DBus.Error.NameTaken",
                            message: "the bus name \(name) is already owned by another process")
        }
    }

    /// Gives a well-known name back.
    public func releaseName(_ name: String) {
        var error = CDBusError()
        _ = dbus_bus_release_name(raw, name, &error.raw)
        _ = error.take(default: "")
    }

    /// Adds a match rule without waiting for the bus's reply.
    public func addMatch(_ rule: String) {
        dbus_bus_add_match(raw, rule, nil)
    }

    /// Queues a message; the loop writes it without blocking.
    @discardableResult
    public func send(_ message: Message) -> Bool {
        guard isConnected else { return false }
        return dbus_connection_send(raw, message.raw, nil) != 0
    }

    /// Calls a method; `completion` runs on the loop thread with the reply's arguments or an
    /// error (also a time-out after `timeout` seconds). Never blocks.
    public func call(_ message: Message, timeout: Double = 5,
                     completion: @escaping (Result<[DBusValue], DBusError>) -> Void) {
        guard isConnected else {
            completion(.failure(DBusError(name: DBusError.disconnected, message: "not connected")))
            return
        }
        var serial: UInt32 = 0
        guard dbus_connection_send(raw, message.raw, &serial) != 0 else {
            completion(.failure(DBusError(name: DBusError.noMemory, message: "cannot queue the call")))
            return
        }
        pendingCalls[serial] = PendingCall(deadline: clock() + timeout, completion: completion)
    }

    /// Convenience: a method call by names.
    public func call(destination: String, path: String, interface: String?, member: String,
                     arguments: [DBusValue] = [], timeout: Double = 5,
                     completion: @escaping (Result<[DBusValue], DBusError>) -> Void) {
        do {
            let message = try Message.methodCall(destination: destination, path: path, interface: interface,
                                                 member: member, arguments: arguments)
            call(message, timeout: timeout, completion: completion)
        } catch {
            completion(.failure(error))
        }
    }

    /// A blocking call, for start-up and tools only: never from a running loop's callbacks.
    public func callBlocking(_ message: Message, timeout: Double = 5) throws(DBusError) -> [DBusValue] {
        var error = CDBusError()
        guard let reply = dbus_connection_send_with_reply_and_block(raw, message.raw, Int32(timeout * 1000), &error.raw) else {
            throw error.take(default: "no reply")
        }
        let replyMessage = Message(owning: reply)
        return try replyMessage.arguments()
    }

    /// Registers a handler for every signal this connection receives; returns a token for removal.
    @discardableResult
    public func addSignalHandler(_ handler: @escaping (Message) -> Void) -> Int {
        nextHandlerID += 1
        signalHandlers.append((nextHandlerID, handler))
        return nextHandlerID
    }

    public func removeSignalHandler(_ token: Int) {
        signalHandlers.removeAll { $0.id == token }
    }

    // MARK: Loop integration

    /// The socket the loop polls.
    var fileDescriptor: Int32 {
        var fd: Int32 = -1
        _ = dbus_connection_get_unix_fd(raw, &fd)
        return fd
    }

    var hasOutgoing: Bool { isConnected && dbus_connection_has_messages_to_send(raw) != 0 }

    /// A reply is awaited or data waits to be written: worth polling for, even when batching.
    var awaitsTraffic: Bool { isConnected && (!pendingCalls.isEmpty || hasOutgoing) }

    var nearestDeadline: Double? { pendingCalls.values.lazy.map { $0.deadline }.min() }

    /// Reads and writes what the socket allows now, then dispatches everything received.
    func service() {
        guard isConnected else { return }
        if dbus_connection_read_write(raw, 0) == 0 {
            markDisconnected()
            return
        }
        dispatchAll()
    }

    /// Reads until the socket has nothing more (libdbus reads a few KiB per call) and dispatches
    /// every message, without waiting: the batched loop's way of catching up before a tick.
    func serviceAllAvailable() {
        // Bounded, so that a flood cannot keep the tick from running.
        for _ in 0..<256 {
            guard isConnected else { return }
            service()
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return }
        }
    }

    func dispatchAll() {
        while isConnected && dbus_connection_dispatch(raw) == DBUS_DISPATCH_DATA_REMAINS {}
    }

    var hasBufferedInput: Bool {
        isConnected && dbus_connection_get_dispatch_status(raw) == DBUS_DISPATCH_DATA_REMAINS
    }

    /// Fails every call whose deadline has passed.
    func expireCalls(now: Double) {
        // Every loop iteration asks; almost always nothing is pending, so nothing is allocated.
        guard !pendingCalls.isEmpty, let nearest = nearestDeadline, nearest <= now else { return }
        let expired = pendingCalls.filter { $0.value.deadline <= now }
        for (serial, call) in expired.sorted(by: { $0.key < $1.key }) {
            pendingCalls[serial] = nil
            call.completion(.failure(DBusError(name: DBusError.timedOut, message: "no reply within the time-out")))
        }
    }

    // MARK: Incoming messages

    private func installFilter() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        filterInstalled = dbus_connection_add_filter(raw, { _, message, context in
            guard let message, let context else { return DBUS_HANDLER_RESULT_NOT_YET_HANDLED }
            let connection = Unmanaged<BusConnection>.fromOpaque(context).takeUnretainedValue()
            return connection.handle(Message(borrowing: message))
        }, context, nil) != 0
    }

    private func handle(_ message: Message) -> DBusHandlerResult {
        switch message.kind {
        case .methodReturn, .error:
            guard let call = pendingCalls.removeValue(forKey: message.replySerial) else {
                return DBUS_HANDLER_RESULT_HANDLED
            }
            if message.kind == .error {
                call.completion(.failure(message.asError()))
            } else {
                do {
                    call.completion(.success(try message.arguments()))
                } catch {
                    call.completion(.failure(error))
                }
            }
            return DBUS_HANDLER_RESULT_HANDLED
        case .signal:
            if message.isSignal("org.freedesktop.DBus.Local", "Disconnected") {
                markDisconnected()
                return DBUS_HANDLER_RESULT_HANDLED
            }
            for entry in signalHandlers { entry.handler(message) }
            return DBUS_HANDLER_RESULT_HANDLED
        case .methodCall:
            if let methodHandler, methodHandler(message) { return DBUS_HANDLER_RESULT_HANDLED }
            return DBUS_HANDLER_RESULT_NOT_YET_HANDLED
        case .other:
            return DBUS_HANDLER_RESULT_NOT_YET_HANDLED
        }
    }

    private func markDisconnected() {
        guard isConnected else { return }
        isConnected = false
        failAllPending(reason: "the bus connection was lost")
        onDisconnect?()
    }

    private func failAllPending(reason: String) {
        let calls = pendingCalls
        pendingCalls.removeAll()
        for (_, call) in calls.sorted(by: { $0.key < $1.key }) {
            call.completion(.failure(DBusError(name: DBusError.disconnected, message: reason)))
        }
    }
}

/// libdbus's DBusError, freed after use.
struct CDBusError {
    var raw = CDBus.DBusError()
    init() { dbus_error_init(&raw) }

    /// Converts and frees; `default` when libdbus set no error.
    mutating func take(default message: String) -> DBusError {
        defer { dbus_error_free(&raw) }
        guard dbus_error_is_set(&raw) != 0 else { return DBusError(name: DBusError.failed, message: message) }
        let name = raw.name.map { String(cString: $0) } ?? DBusError.failed
        let text = raw.message.map { String(cString: $0) } ?? message
        return DBusError(name: name, message: text)
    }
}
