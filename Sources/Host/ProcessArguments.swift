import CSystem

/// The command line's arguments, without the program's name. Embedded Swift has no
/// `CommandLine`; Linux keeps them, NUL-separated, in /proc/self/cmdline.
enum ProcessArguments {
    static func read() -> [String] {
        let descriptor = csystem_open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = CSystem.read(descriptor, &buffer, buffer.count)
            if count < 0 && csystem_errno() == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        if bytes.last == 0 { bytes.removeLast() }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropFirst()
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
