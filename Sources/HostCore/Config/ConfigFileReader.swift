import CSystem

/// Reads a config file as raw bytes: the INI reader decides what the bytes mean, so no text
/// decoding can fail here. Kept apart from the parser so the parser stays free of I/O.
enum ConfigFileReader {
    /// Config files are a few kB; anything this large is not a config file.
    static let maximumSize = 1 << 20

    enum Outcome {
        case bytes([UInt8])
        case notFound
        case failed(ConfigProblem)
    }

    /// The file's bytes, `.notFound`, or a problem naming the file and errno.
    static func readFile(path: String) -> Outcome {
        let descriptor = csystem_open(path, O_RDONLY | O_CLOEXEC, 0)
        if descriptor < 0 {
            let code = csystem_errno()
            if code == ENOENT { return .notFound }
            return .failed(problem(path, "cannot open: \(describe(code))"))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if csystem_errno() == EINTR { continue }
                return .failed(problem(path, "cannot read: \(describe(csystem_errno()))"))
            }
            if count == 0 { return .bytes(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize {
                return .failed(problem(path, "larger than \(maximumSize) bytes; not a config file"))
            }
        }
    }

    private static func problem(_ path: String, _ message: String) -> ConfigProblem {
        ConfigProblem(kind: .unreadableFile, location: ConfigLocation(file: path, line: 0), message: message)
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
