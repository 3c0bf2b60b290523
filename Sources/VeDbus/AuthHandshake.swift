/// The client's side of the SASL handshake that opens every connection ("Authentication
/// Protocol" in the specification), mechanism EXTERNAL: the kernel tells the bus who we are,
/// and we say the same user id. Pure: the transport sends and reads the lines, tests feed them.
enum AuthHandshake {
    /// What to do with the server's answer.
    enum Outcome: Equatable {
        /// Accepted: send `reply` (BEGIN), and D-Bus messages follow.
        case accepted(guid: String, reply: [UInt8])
        /// Refused or not understood: the connection cannot be used.
        case refused(String)
    }

    /// The first bytes a client sends: a NUL, then `AUTH EXTERNAL <user id as hex of its digits>`.
    static func greeting(userID: UInt32) -> [UInt8] {
        var line = Array("AUTH EXTERNAL ".utf8)
        let digits = Array("0123456789abcdef".utf8)
        for byte in String(userID).utf8 {
            line.append(digits[Int(byte >> 4)])
            line.append(digits[Int(byte & 0xF)])
        }
        return [0] + line + [0x0D, 0x0A]
    }

    /// The server's answer to the greeting, without its "\r\n".
    static func outcome(of line: String) -> Outcome {
        if line.hasPrefix("OK ") {
            let guid = String(line.dropFirst(3))
            guard guid.utf8.count == 32, guid.utf8.allSatisfy(isHexDigit) else {
                return .refused("the bus answered OK with a malformed id '\(guid)'")
            }
            return .accepted(guid: guid, reply: Array("BEGIN\r\n".utf8))
        }
        if line.hasPrefix("REJECTED") {
            let offered = line.dropFirst("REJECTED".count).split(separator: " ").joined(separator: ", ")
            return .refused("the bus refused EXTERNAL authentication for our user id"
                            + (offered.isEmpty ? "" : " (it offers: \(offered))"))
        }
        if line.hasPrefix("ERROR") {
            return .refused("the bus did not understand our authentication: \(line)")
        }
        return .refused("unexpected answer to our authentication: '\(line)'")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}
