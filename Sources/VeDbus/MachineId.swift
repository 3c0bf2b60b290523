import CSystem

/// The machine's D-Bus id (32 hex digits), as Peer.GetMachineId answers it.
enum MachineId {
    static let paths = ["/etc/machine-id", "/var/lib/dbus/machine-id"]

    /// The first file's id; nil when none holds 32 hex digits.
    static func read() -> String? {
        for path in paths {
            let descriptor = csystem_open(path, O_RDONLY | O_CLOEXEC, 0)
            guard descriptor >= 0 else { continue }
            var bytes = [UInt8](repeating: 0, count: 64)
            let count = bytes.withUnsafeMutableBytes { CSystem.read(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard count >= 32 else { continue }
            let digits = bytes[0..<32]
            let isHex = digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
            if isHex { return String(decoding: digits, as: UTF8.self) }
        }
        return nil
    }
}
