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
/// Three parts, as pure D-Bus implementations have them: the transport (`BusTransport`: the
/// socket and the handshake), the framing (`FrameReader` in, `OutgoingQueue` out, no socket,
/// tested byte by byte) and this class, the dispatcher: it matches replies to calls (by
/// serial, so a call never blocks the loop and its time-out is ours), hands signals to their
/// handlers and calls to the method handler, and answers what nobody handled.
///
/// What it guarantees under hostile or heavy input: memory bounded by the frame reader's
/// largest message and the outgoing queue's bounds; every call answered (an error for a call
/// that does not read or is too large); no reader starved by a flooding sender (a batching
/// connection that receives more than `floodBytesPerTick` between two ticks is read whenever
/// data arrives until the flood ends).
///
/// Not thread-safe: use it from the thread that runs its `EventLoop`.
public final class BusConnection {
    public let address: BusAddress
    /// The unique name the bus gave us, e.g. ":1.42".
    public private(set) var uniqueName = ""
    /// Called for every method call addressed to us. Return true when it was answered.
    public var methodHandler: ((Message) -> Bool)?
    /// Called once when the bus connection is lost.
    public var onDisconnect: (() -> Void)?
    /// Input that was refused or cut, replies that were dropped: for rate-limited reports.
    public var onProblem: ((Problem) -> Void)?
    public private(set) var isConnected = true
    /// When true, the loop reads this connection just before its timers fire, and between them
    /// only while a reply or outgoing data is pending (or a flood is on): a monitor that works
    /// once a second then wakes about once a second instead of for every signal, and the
    /// timer's work still sees every message that arrived before it. A connection that serves
    /// method calls must not batch (a call would wait for the next timer).
    public var batchesInput = false

    /// What went wrong with one message, in or out.
    public enum Problem: Equatable {
        /// A message whose header breaks the specification's rules (answered with an error
        /// when it was a call).
        case rejected(reason: String, sender: String?)
        /// A message longer than the frame reader keeps: skipped (a call gets LimitsExceeded).
        case oversized(length: Int, sender: String?, member: String?)
        /// A message for `destination` dropped because too much already waits for it.
        case dropped(destination: String?)
        /// A batching connection received this many bytes in one tick: it reads at once now.
        case flooded(bytesPerTick: Int)
    }

    /// Bytes received between two ticks beyond which a batching connection is read as data
    /// arrives (about four times the input of 32 packs of 24 cells with noisy readings); below
    /// half of it, it batches again.
    public static let floodBytesPerTick = 512 << 10
    /// The most bytes one `service()` reads before it returns to the loop: another connection
    /// (the service's, answering calls) gets its turn during a flood on this one.
    static let readBudgetBytes = 256 << 10
    /// Beyond this many bytes waiting to be written, no more input is read (no more calls
    /// taken) until the bus has taken some: a peer that pipelines calls cannot grow our queue.
    static let outputPauseBytes = 1 << 20

    private var socket: Int32
    private let reader: FrameReader
    private var output = OutgoingQueue()
    private var signalHandlers: [(id: Int, handler: (Message) -> Void)] = []
    /// Sees each whole message the loop reads while it still lies in the read buffer, before
    /// a `Message` is made of it, and takes those it returns true for: they reach no handler.
    /// The monitor reads PropertiesChanged this way (hundreds a second from dbus-serialbattery)
    /// without copying them or allocating. Not used for what arrives during a blocking call.
    var rawSignalReader: ((UnsafeRawBufferPointer) -> Bool)?
    private var nextHandlerID = 0
    private var pendingCalls: [UInt32: PendingCall] = [:]
    private var lastSerial: UInt32 = 0
    /// What arrived while a blocking call waited for its reply: dispatched in order afterwards.
    private var held: [ReceivedFrame] = []
    /// Bytes received in all, and at the last tick: a tick's intake tells a flood.
    private var receivedBytes = 0
    private var receivedAtTick = 0
    /// True while a flood is on: the batching connection is read as data arrives.
    private(set) var readsAsDataArrives = false
    /// Monotonic seconds; the loop sets it so call deadlines need no clock here.
    var clock: () -> Double = MonotonicClock.now

    private struct PendingCall {
        var deadline: Double
        /// The reply as it came (an error reply is a failure).
        var completion: (Result<Message, DBusError>) -> Void
    }

    static let busName = "org.freedesktop.DBus"
    static let busPath = "/org/freedesktop/DBus"

    /// Connects, authenticates and says Hello (blocking, once, at start). Messages longer than
    /// `maximumMessageBytes` are never stored (`FrameReader`).
    public init(_ address: BusAddress, maximumMessageBytes: Int = 4 << 20) throws(DBusError) {
        self.address = address
        reader = FrameReader(maximumMessageBytes: maximumMessageBytes)
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
        output.removeAll()
        failAllPending(reason: "connection closed")
        methodHandler = nil
        onDisconnect = nil
        onProblem = nil
        signalHandlers.removeAll()
        rawSignalReader = nil
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

    /// Queues a message and writes what the socket takes now; the loop writes the rest. False
    /// when not connected, or when the message was dropped because too much already waits for
    /// its destination (a peer that does not read its replies).
    @discardableResult
    public func send(_ message: Message) -> Bool {
        queue(message) != nil
    }

    /// Calls a method; `completion` runs on the loop thread with the reply's arguments or an
    /// error (also a time-out after `timeout` seconds). Never blocks.
    public func call(_ message: Message, timeout: Double = 5,
                     completion: @escaping (Result<[DBusValue], DBusError>) -> Void) {
        callForReply(message, timeout: timeout) { result in
            completion(result.flatMap { reply in
                do throws(DBusError) {
                    return .success(try reply.arguments())
                } catch {
                    return .failure(error)
                }
            })
        }
    }

    /// Calls a method; `completion` gets the reply as it came, for readers that decode it
    /// themselves (a GetItems reply read item by item, a value whose size is checked first).
    public func callForReply(_ message: Message, timeout: Double = 5,
                             completion: @escaping (Result<Message, DBusError>) -> Void) {
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

    /// Convenience: a method call by names, with the reply as it came.
    public func callForReply(destination: String, path: String, interface: String?, member: String,
                             arguments: [DBusValue] = [], timeout: Double = 5,
                             completion: @escaping (Result<Message, DBusError>) -> Void) {
        do {
            let message = try Message.methodCall(destination: destination, path: path, interface: interface,
                                                 member: member, arguments: arguments)
            callForReply(message, timeout: timeout, completion: completion)
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
            if let index = held.firstIndex(where: { Self.isReply($0, to: serial) }) {
                let frame = held.remove(at: index)
                switch frame {
                case .message(let reply):
                    if reply.kind == .error { throw reply.asError() }
                    return try reply.arguments()
                default:
                    throw DBusError(name: DBusError.limitsExceeded, message: "the reply was too large to read")
                }
            }
            let left = deadline - MonotonicClock.now()
            guard left > 0 else { throw DBusError(name: DBusError.timedOut, message: "no reply within the time-out") }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN) | (hasOutgoing ? Int16(POLLOUT) : 0), revents: 0)
            _ = poll(&descriptor, 1, Int32(min(left * 1000 + 1, 60_000)))
            guard writeQueued() else { return try lost() }
            var more = true
            while more {
                guard let count = receiveOnce() else { return try lost() }
                more = count > 0
                do {
                    while let frame = try reader.next() { held.append(frame) }
                } catch {
                    return try lost()
                }
            }
        }
    }

    /// The connection broke during a blocking call.
    private func lost() throws(DBusError) -> [DBusValue] {
        markDisconnected()
        throw DBusError(name: DBusError.disconnected, message: "the bus connection was lost")
    }

    private static func isReply(_ frame: ReceivedFrame, to serial: UInt32) -> Bool {
        switch frame {
        case .message(let message):
            return (message.kind == .methodReturn || message.kind == .error) && message.replySerial == serial
        case .oversized(_, let header?):
            return (header.kind == .methodReturn || header.kind == .error) && header.replySerial == serial
        default:
            return false
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

    var hasOutgoing: Bool { isConnected && !output.isEmpty }

    /// A reply is awaited or data waits to be written: worth polling for, even when batching.
    var awaitsTraffic: Bool { isConnected && (!pendingCalls.isEmpty || hasOutgoing) }

    var nearestDeadline: Double? { pendingCalls.values.lazy.map { $0.deadline }.min() }

    /// Input is not read while too much output waits (back-pressure on callers).
    private var isInputPaused: Bool { output.queuedBytes > Self.outputPauseBytes }

    /// The poll events the loop should wait for on this connection now (0: none).
    var pollEvents: Int16 {
        guard isConnected else { return 0 }
        var events: Int16 = 0
        if !isInputPaused && (!batchesInput || readsAsDataArrives || awaitsTraffic) { events |= Int16(POLLIN) }
        if hasOutgoing { events |= Int16(POLLOUT) }
        return events
    }

    /// Reads what the socket has (up to `readBudgetBytes`), writes what it takes, and
    /// dispatches each message as it is split off.
    func service() {
        guard isConnected else { return }
        guard writeQueued() else { return markDisconnected() }
        dispatchAll()
        var budget = Self.readBudgetBytes
        while budget > 0, isConnected, !isInputPaused {
            guard let count = receiveOnce() else { return markDisconnected() }
            if count == 0 { break }
            budget -= count
            do {
                while isConnected, let frame = try reader.next(rawReader: rawSignalReader) { handle(frame) }
            } catch {
                onProblem?(.rejected(reason: "\(error.description): the stream is no longer D-Bus", sender: nil))
                return markDisconnected()
            }
        }
        if reader.releasedLargeBuffer {
            reader.releasedLargeBuffer = false
            csystem_release_free_memory()
        }
        guard isConnected, writeQueued() else { return markDisconnected() }
    }

    /// A tick is due: looks at the input since the last one to tell whether a flood began or
    /// ended (the loop has just caught up with the socket, `EventLoop.catchUp`).
    func noteTick() {
        let intake = receivedBytes - receivedAtTick
        receivedAtTick = receivedBytes
        if !readsAsDataArrives, intake > Self.floodBytesPerTick {
            readsAsDataArrives = true
            onProblem?(.flooded(bytesPerTick: intake))
        } else if readsAsDataArrives, intake < Self.floodBytesPerTick / 2 {
            readsAsDataArrives = false
        }
    }

    /// Whether more input may be read now (not paused by waiting output).
    var acceptsInput: Bool { isConnected && !isInputPaused }

    /// Dispatches what arrived during a blocking call.
    func dispatchAll() {
        guard !held.isEmpty else { return }
        let frames = held
        held.removeAll()
        for frame in frames where isConnected { handle(frame) }
    }

    var hasBufferedInput: Bool { isConnected && !held.isEmpty }

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

    /// Numbers `message`, queues it and writes what the socket takes; nil when not connected
    /// or when the queue refused it (too much waits for its destination).
    private func queue(_ message: Message) -> UInt32? {
        guard isConnected else { return nil }
        lastSerial = lastSerial == UInt32.max ? 1 : lastSerial + 1
        message.setSerial(lastSerial)
        // Only replies are bounded per peer: they are what a peer that does not read piles up.
        let destination = message.kind == .methodReturn || message.kind == .error ? message.destination : nil
        guard output.enqueue(message.frame, destination: destination) else {
            onProblem?(.dropped(destination: destination))
            return nil
        }
        // A failed write is noticed by the next read (the socket reports the hang-up).
        _ = writeQueued()
        return lastSerial
    }

    /// Writes queued bytes until the socket would block; false when the connection is broken.
    private func writeQueued() -> Bool {
        let socket = socket
        return output.write { BusTransport.send(socket, $0) }
    }

    /// One read into the frame reader: the byte count, 0 when the socket is empty, nil when the
    /// connection ended.
    private func receiveOnce() -> Int? {
        guard let count = BusTransport.receive(socket, into: reader.receiveSpace()) else { return nil }
        reader.didReceive(count)
        receivedBytes += count
        return count
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

    // MARK: Incoming messages

    private func handle(_ frame: ReceivedFrame) {
        switch frame {
        case .message(let message):
            handle(message)
        case .rejected(let reason, let target):
            onProblem?(.rejected(reason: reason, sender: target?.sender))
            if let target {
                let error = DBusError(name: DBusError.invalidArgs, message: "message refused: \(reason)")
                if let reply = Message.errorReply(to: target.sender, serial: target.serial, error) { send(reply) }
            }
        case .taken:
            break
        case .oversized(let length, let header):
            onProblem?(.oversized(length: length, sender: header?.sender, member: header?.member))
            guard let header else { return }
            switch header.kind {
            case .methodCall:
                guard header.flags & Message.noReplyExpected == 0 else { return }
                let error = DBusError(name: DBusError.limitsExceeded,
                                      message: "a call of \(length) bytes is more than this service reads (\(reader.maximumMessageBytes))")
                if let reply = header.makeErrorReply(error) { send(reply) }
            case .methodReturn, .error:
                guard let call = pendingCalls.removeValue(forKey: header.replySerial) else { return }
                call.completion(.failure(DBusError(name: DBusError.limitsExceeded,
                                                   message: "the reply of \(length) bytes was too large to read")))
            case .signal:
                // Its readers see the header only, and can tell (`bodyWasSkipped`).
                for entry in signalHandlers { entry.handler(header) }
            case .other:
                break
            }
        }
    }

    private func handle(_ message: Message) {
        switch message.kind {
        case .methodReturn, .error:
            guard let call = pendingCalls.removeValue(forKey: message.replySerial) else { return }
            call.completion(message.kind == .error ? .failure(message.asError()) : .success(message))
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
