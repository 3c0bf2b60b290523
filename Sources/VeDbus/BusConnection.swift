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

/// One connection to a bus, with its own unique name, speaking the D-Bus wire protocol itself.
///
/// Not libdbus: a Venus daemon receives a few small signals a second and sends one, and libdbus
/// spent most of the daemon's CPU validating again what the bus daemon had validated, under
/// locks a one-thread daemon does not need. Here a message is read once, into the fields and
/// values its reader asks for.
///
/// Not thread-safe: use it from the thread that runs its `EventLoop`. Method replies are matched
/// to their calls here (by serial), so a call never blocks the loop and its time-out is ours.
public final class BusConnection {
    public let address: BusAddress
    /// The unique name the bus gave us, e.g. ":1.42".
    public private(set) var uniqueName = ""
    /// Called for every method call addressed to us. Return true when it was answered.
    public var methodHandler: ((Message) -> Bool)?
    /// Called once when the bus connection is lost.
    public var onDisconnect: (() -> Void)?
    public private(set) var isConnected = true
    /// When true, the loop reads this connection just before its timers fire, and between them
    /// only while a reply or outgoing data is pending: a monitor that works once a second then
    /// wakes about once a second instead of for every signal, and the timer's work still sees
    /// every message that arrived before it. A connection that serves method calls must not
    /// batch (a call would wait for the next timer): the daemon's service has its own.
    public var batchesInput = false

    private var socket: Int32
    private var signalHandlers: [(id: Int, handler: (Message) -> Void)] = []
    private var nextHandlerID = 0
    private var pendingCalls: [UInt32: PendingCall] = [:]
    private var lastSerial: UInt32 = 0
    /// Bytes read that do not yet make a whole message: `inputCount` of them at `input`, a buffer
    /// that grows as a message needs (raw memory: the socket reads into it directly, and each
    /// message is copied out with one memcpy).
    private var input = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 8)
    private var inputCapacity = 65536
    private var inputCount = 0
    /// Whole messages read, not yet dispatched, from `receivedStart` on.
    private var received: [Message] = []
    private var receivedStart = 0
    /// Bytes waiting for the socket to take them, from `outputStart` on.
    private var output: [UInt8] = []
    private var outputStart = 0
    /// Monotonic seconds; the loop sets it so call deadlines need no clock here.
    var clock: () -> Double = MonotonicClock.now

    private struct PendingCall {
        var deadline: Double
        var completion: (Result<[DBusValue], DBusError>) -> Void
    }

    static let busName = "org.freedesktop.DBus"
    static let busPath = "/org/freedesktop/DBus"

    /// Connects, authenticates and says Hello (blocking, once, at start).
    public init(_ address: BusAddress) throws(DBusError) {
        self.address = address
        socket = try BusTransport.open(address)
        do throws(DBusError) {
            let hello = try Message.methodCall(destination: Self.busName, path: Self.busPath, interface: Self.busName,
                                               member: "Hello")
            guard let name = try callBlocking(hello).first?.string else {
                throw DBusError(name: DBusError.failed, message: "the bus's Hello reply carries no name")
            }
            uniqueName = name
        } catch {
            CSystem.close(socket)
            socket = -1
            isConnected = false
            throw error
        }
    }

    deinit {
        failAllPending(reason: "connection closed")
        if socket >= 0 { CSystem.close(socket) }
        input.deallocate()
    }

    /// Closes the connection (if the bus has not already), after writing what is queued; pending
    /// calls fail. The handlers are dropped: they usually hold their owners (a service, a
    /// monitor), and without weak references (Embedded Swift has none) this is where those cycles end.
    public func close() {
        if isConnected {
            flushBlocking(timeout: 1)
            isConnected = false
        }
        if socket >= 0 {
            CSystem.close(socket)
            socket = -1
        }
        failAllPending(reason: "connection closed")
        methodHandler = nil
        onDisconnect = nil
        signalHandlers.removeAll()
    }

    /// Requests a well-known name with DO_NOT_QUEUE: we own it now or it is an error.
    public func requestName(_ name: String) throws(DBusError) {
        guard NameRules.isValidBusName(name), !name.hasPrefix(":") else {
            throw DBusError(name: DBusError.invalidArgs, message: "invalid bus name '\(name)'")
        }
        let doNotQueue: UInt32 = 4
        let request = try busCall("RequestName", [.string(name), .uint32(doNotQueue)])
        let reply = try callBlocking(request)
        guard case .uint32(let result)? = reply.first else {
            throw DBusError(name: DBusError.failed, message: "RequestName gave no result for \(name)")
        }
        // 1: now the primary owner, 4: already was.
        guard result == 1 || result == 4 else {
            throw DBusError(name: "org.freedesktop.DBus.Error.NameTaken",
                            message: "the bus name \(name) is already owned by another process")
        }
    }

    /// Gives a well-known name back (waits briefly for the bus to confirm).
    public func releaseName(_ name: String) {
        guard let request = try? busCall("ReleaseName", [.string(name)]) else { return }
        _ = try? callBlocking(request, timeout: 2)
    }

    /// Adds a match rule; the bus is asked not to reply.
    public func addMatch(_ rule: String) {
        guard let request = try? busCall("AddMatch", [.string(rule)]) else { return }
        request.setFlags(Message.noReplyExpected)
        send(request)
    }

    /// Queues a message and writes what the socket takes now; the loop writes the rest.
    @discardableResult
    public func send(_ message: Message) -> Bool {
        queue(message) != nil
    }

    /// Calls a method; `completion` runs on the loop thread with the reply's arguments or an
    /// error (also a time-out after `timeout` seconds). Never blocks.
    public func call(_ message: Message, timeout: Double = 5,
                     completion: @escaping (Result<[DBusValue], DBusError>) -> Void) {
        guard let serial = queue(message) else {
            completion(.failure(DBusError(name: DBusError.disconnected, message: "not connected")))
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
    /// Messages that arrive meanwhile are kept, in order, for the next dispatch.
    public func callBlocking(_ message: Message, timeout: Double = 5) throws(DBusError) -> [DBusValue] {
        guard let serial = queue(message) else {
            throw DBusError(name: DBusError.disconnected, message: "not connected")
        }
        let deadline = MonotonicClock.now() + timeout
        while true {
            if let index = received[receivedStart...].firstIndex(where: {
                ($0.kind == .methodReturn || $0.kind == .error) && $0.replySerial == serial
            }) {
                let reply = received.remove(at: index)
                if reply.kind == .error { throw reply.asError() }
                return try reply.arguments()
            }
            let left = deadline - MonotonicClock.now()
            guard left > 0 else { throw DBusError(name: DBusError.timedOut, message: "no reply within the time-out") }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN) | (hasOutgoing ? Int16(POLLOUT) : 0), revents: 0)
            _ = poll(&descriptor, 1, Int32(min(left * 1000 + 1, 60_000)))
            guard readAvailable(), writeQueued() else {
                markDisconnected()
                throw DBusError(name: DBusError.disconnected, message: "the bus connection was lost")
            }
        }
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
    var fileDescriptor: Int32 { socket }

    var hasOutgoing: Bool { isConnected && outputStart < output.count }

    /// A reply is awaited or data waits to be written: worth polling for, even when batching.
    var awaitsTraffic: Bool { isConnected && (!pendingCalls.isEmpty || hasOutgoing) }

    var nearestDeadline: Double? { pendingCalls.values.lazy.map { $0.deadline }.min() }

    /// Reads everything the socket has, writes what it takes, then dispatches what was read.
    func service() {
        guard isConnected else { return }
        guard readAvailable(), writeQueued() else {
            markDisconnected()
            return
        }
        dispatchAll()
    }

    /// The longest `serviceAllAvailable` reads before a tick, s: bounded so that a sender that
    /// never stops cannot hold the tick.
    static let catchUpBudgetSeconds = 0.2

    /// Whether the loop should poll this connection now.
    var wantsPolling: Bool { isConnected && (!batchesInput || awaitsTraffic) }

    /// The batched connection's way of catching up before a tick: reads and dispatches until
    /// the socket stays empty (the bus refills it as it is drained), within a time budget.
    func serviceAllAvailable() {
        let deadline = MonotonicClock.now() + Self.catchUpBudgetSeconds
        while MonotonicClock.now() < deadline {
            service()
            guard isConnected else { return }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0, descriptor.revents & Int16(POLLIN) != 0 else { return }
        }
    }

    func dispatchAll() {
        while isConnected, receivedStart < received.count {
            let message = received[receivedStart]
            receivedStart += 1
            handle(message)
        }
        if receivedStart >= received.count {
            received.removeAll(keepingCapacity: true)
            receivedStart = 0
        }
    }

    var hasBufferedInput: Bool { isConnected && receivedStart < received.count }

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

    // MARK: The socket

    /// Numbers `message`, queues it and writes what the socket takes; nil when not connected.
    private func queue(_ message: Message) -> UInt32? {
        guard isConnected else { return nil }
        lastSerial = lastSerial == UInt32.max ? 1 : lastSerial + 1
        message.setSerial(lastSerial)
        output.append(contentsOf: message.frame)
        // A failed write is noticed by the next read (the socket reports the hang-up).
        _ = writeQueued()
        return lastSerial
    }

    /// Writes queued bytes until the socket would block; false when the connection is broken.
    private func writeQueued() -> Bool {
        while outputStart < output.count {
            let written = output.withUnsafeBytes { bytes in
                CSystem.send(socket, bytes.baseAddress! + outputStart, bytes.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                outputStart += written
                continue
            }
            let code = csystem_errno()
            if code == EINTR { continue }
            return code == EAGAIN || code == EWOULDBLOCK
        }
        output.removeAll(keepingCapacity: output.capacity <= Self.largeBufferSize)
        outputStart = 0
        return true
    }

    /// Writes what is queued, waiting up to `timeout` seconds for the socket (before a close).
    private func flushBlocking(timeout: Double) {
        let deadline = MonotonicClock.now() + timeout
        while hasOutgoing, MonotonicClock.now() < deadline {
            guard writeQueued() else { return }
            var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 50)
        }
    }

    /// Reads until the socket would block and splits the bytes into messages; false when the
    /// bus closed the connection or sent something that is not D-Bus.
    private func readAvailable() -> Bool {
        while true {
            if inputCapacity - inputCount < 4096 { resizeInput(to: inputCapacity * 2) }
            let count = recv(socket, input + inputCount, inputCapacity - inputCount, 0)
            if count > 0 {
                inputCount += count
                guard splitMessages() else { return false }
                continue
            }
            if count == 0 { return false }
            let code = csystem_errno()
            if code == EINTR { continue }
            return code == EAGAIN || code == EWOULDBLOCK
        }
    }

    /// Moves every whole message from `input` to `received`. A message that does not parse is
    /// dropped (the bus daemon checks what it forwards; this is only defence); a length that
    /// cannot be D-Bus means the stream is lost.
    private func splitMessages() -> Bool {
        var start = 0
        while inputCount - start >= MessageHeader.fixedLength {
            let fixed = UnsafeRawBufferPointer(start: input + start, count: MessageHeader.fixedLength)
            guard let length = try? MessageHeader.frameLength(fixed) else { return false }
            guard inputCount - start >= length else {
                // A message larger than the buffer: make room for all of it.
                if length > inputCapacity { resizeInput(to: length + 4096) }
                break
            }
            let frame = [UInt8](unsafeUninitializedCapacity: length) { bytes, initialized in
                UnsafeMutableRawPointer(bytes.baseAddress!).copyMemory(from: input + start, byteCount: length)
                initialized = length
            }
            if let message = try? Message(frame: frame) { received.append(message) }
            start += length
        }
        if start > 0 {
            inputCount -= start
            if inputCount > 0 { (input).copyMemory(from: input + start, byteCount: inputCount) }
        }
        // A large message made the buffer grow: give the memory back once it has gone through.
        if inputCapacity > Self.largeBufferSize, inputCount < Self.inputBufferSize / 2 {
            resizeInput(to: Self.inputBufferSize)
        }
        return true
    }

    /// The input buffer's usual size: a few dozen signals.
    static let inputBufferSize = 65536
    /// A buffer beyond this size was grown for one large message (or a burst of replies) and
    /// is given back as soon as it has drained.
    static let largeBufferSize = 1 << 20

    /// Moves the unread bytes into a buffer of `capacity` (at least `inputCount`) bytes.
    private func resizeInput(to capacity: Int) {
        let resized = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        resized.copyMemory(from: input, byteCount: inputCount)
        input.deallocate()
        input = resized
        inputCapacity = capacity
    }

    // MARK: Incoming messages

    private func handle(_ message: Message) {
        switch message.kind {
        case .methodReturn, .error:
            guard let call = pendingCalls.removeValue(forKey: message.replySerial) else { return }
            if message.kind == .error {
                call.completion(.failure(message.asError()))
            } else {
                do {
                    call.completion(.success(try message.arguments()))
                } catch {
                    call.completion(.failure(error))
                }
            }
        case .signal:
            for entry in signalHandlers { entry.handler(message) }
        case .methodCall:
            if let methodHandler, methodHandler(message) { return }
            answerUnhandled(message)
        case .other:
            break
        }
    }

    /// What libdbus answered for us: Peer.Ping, and UnknownMethod for anything nobody handled.
    private func answerUnhandled(_ call: Message) {
        guard call.flags & Message.noReplyExpected == 0 else { return }
        let reply: Message?
        if call.isMethod("org.freedesktop.DBus.Peer", "Ping") {
            reply = try? call.makeReply([])
        } else if call.isMethod("org.freedesktop.DBus.Peer", "GetMachineId") {
            // Every connection must answer it (the D-Bus specification; libdbus does).
            reply = MachineId.read().map { id in try? call.makeReply([.string(id)]) } ?? call.makeErrorReply(
                DBusError(name: DBusError.failed, message: "no machine id in /etc/machine-id or /var/lib/dbus/machine-id"))
        } else {
            reply = call.makeErrorReply(DBusError(
                name: DBusError.unknownMethod,
                message: "no method \(call.member ?? "") on \(call.interface ?? "any interface") at \(call.path ?? "/")"))
        }
        if let reply { send(reply) }
    }

    private func busCall(_ member: String, _ arguments: [DBusValue]) throws(DBusError) -> Message {
        try Message.methodCall(destination: Self.busName, path: Self.busPath, interface: Self.busName, member: member,
                               arguments: arguments)
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
