import CSystem

/// Opening a connection to a bus: the address, the Unix socket and the SASL handshake
/// ("Authentication Protocol" in the specification, mechanism EXTERNAL: the kernel tells the
/// bus who we are). Blocking, once per connection; afterwards the socket is non-blocking.
enum BusTransport {
    /// The bus daemon's well-known socket when DBUS_SYSTEM_BUS_ADDRESS is not set.
    static let defaultSystemAddress = "unix:path=/var/run/dbus/system_bus_socket"

    /// A connected, authenticated, non-blocking socket.
    static func open(_ address: BusAddress, timeout: Double = 10) throws(DBusError) -> Int32 {
        let text: String
        switch address {
        case .system:
            text = environment("DBUS_SYSTEM_BUS_ADDRESS") ?? defaultSystemAddress
        case .session:
            guard let session = environment("DBUS_SESSION_BUS_ADDRESS") else {
                throw DBusError(name: DBusError.failed, message: "DBUS_SESSION_BUS_ADDRESS is not set")
            }
            text = session
        case .address(let explicit):
            text = explicit
        }
        var problems: [String] = []
        // An address may list several ways to reach the bus: the first that works is used.
        for entry in text.split(separator: ";") {
            guard let socket = UnixSocketAddress(String(entry)) else {
                problems.append("'\(entry)' is not a unix: address")
                continue
            }
            let fd = csystem_connect_unix(socket.path, socket.isAbstract ? 1 : 0)
            guard fd >= 0 else {
                problems.append("cannot connect to \(socket.path): errno \(csystem_errno())")
                continue
            }
            do {
                try authenticate(fd, timeout: timeout)
            } catch {
                close(fd)
                problems.append(error.message)
                continue
            }
            _ = csystem_fcntl(fd, F_SETFL, csystem_fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            return fd
        }
        throw DBusError(name: DBusError.failed,
                        message: "cannot connect to the bus at \(text): " + problems.joined(separator: "; "))
    }

    /// Reads what the socket has into `space`: the byte count, 0 when it would block, nil when
    /// the bus closed the connection or it broke.
    static func receive(_ fd: Int32, into space: UnsafeMutableRawBufferPointer) -> Int? {
        while true {
            let count = recv(fd, space.baseAddress, space.count, 0)
            if count > 0 { return count }
            if count == 0 { return nil }
            let code = csystem_errno()
            if code == EINTR { continue }
            return code == EAGAIN || code == EWOULDBLOCK ? 0 : nil
        }
    }

    /// Writes what the socket takes of `bytes`: the byte count, 0 when it would block, -1 when
    /// the connection is broken (never SIGPIPE).
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        guard !bytes.isEmpty else { return 0 }
        while true {
            let written = CSystem.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if written >= 0 { return written }
            let code = csystem_errno()
            if code == EINTR { continue }
            return code == EAGAIN || code == EWOULDBLOCK ? 0 : -1
        }
    }

    /// The handshake (`AuthHandshake`): greeting, the bus's answer, BEGIN.
    private static func authenticate(_ fd: Int32, timeout: Double) throws(DBusError) {
        try writeAll(fd, AuthHandshake.greeting(userID: UInt32(geteuid())))
        switch AuthHandshake.outcome(of: try readLine(fd, timeout: timeout)) {
        case .accepted(_, let reply):
            try writeAll(fd, reply)
        case .refused(let reason):
            throw DBusError(name: DBusError.failed, message: reason)
        }
    }

    /// One line of the handshake, up to "\r\n". The bus sends nothing more before BEGIN, so
    /// reading byte by byte takes nothing that belongs to the messages that follow.
    private static func readLine(_ fd: Int32, timeout: Double) throws(DBusError) -> String {
        var bytes: [UInt8] = []
        let deadline = MonotonicClock.now() + timeout
        while !(bytes.count >= 2 && bytes[bytes.count - 2] == 0x0D && bytes[bytes.count - 1] == 0x0A) {
            guard bytes.count < 16384 else { throw DBusError(name: DBusError.failed, message: "handshake line too long") }
            let left = deadline - MonotonicClock.now()
            guard left > 0 else { throw DBusError(name: DBusError.timedOut, message: "the bus did not answer the handshake") }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(left * 1000) + 1) >= 0 || csystem_errno() == EINTR else {
                throw DBusError(name: DBusError.failed, message: "poll failed during the handshake")
            }
            var byte: UInt8 = 0
            let count = read(fd, &byte, 1)
            if count == 1 { bytes.append(byte); continue }
            if count == 0 { throw DBusError(name: DBusError.disconnected, message: "the bus closed the connection") }
            let code = csystem_errno()
            guard code == EINTR || code == EAGAIN else {
                throw DBusError(name: DBusError.failed, message: "reading the handshake: errno \(code)")
            }
        }
        return String(decoding: bytes.dropLast(2), as: UTF8.self)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(DBusError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { CSystem.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 && csystem_errno() == EINTR { continue }
            guard written > 0 else { throw DBusError(name: DBusError.failed, message: "writing the handshake: errno \(csystem_errno())") }
            offset += written
        }
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}

/// `unix:path=/run/dbus/system_bus_socket` or `unix:abstract=/tmp/dbus-XXX`, with the
/// address syntax's %-escapes undone; other keys (guid=...) are ignored.
struct UnixSocketAddress: Equatable {
    var path: String
    var isAbstract: Bool

    init?(_ entry: String) {
        guard entry.hasPrefix("unix:") else { return nil }
        var found: (String, Bool)?
        for pair in entry.dropFirst(5).split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let key = pair[..<equals]
            guard let value = Self.unescape(pair[pair.index(after: equals)...]) else { return nil }
            if key == "path" { found = (value, false) }
            if key == "abstract" { found = (value, true) }
        }
        guard let (path, isAbstract) = found, !path.isEmpty else { return nil }
        self.path = path
        self.isAbstract = isAbstract
    }

    /// Undoes `%xx` escapes; nil for a malformed one.
    static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
