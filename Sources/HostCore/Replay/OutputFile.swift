import CSystem

/// A file written front to back in a few large writes (replay.csv, replay.svg): text is
/// collected and written once it passes 256 KiB, and at `close()`.
public final class OutputFile {
    public let path: String
    private var descriptor: Int32
    private var pending = ""
    /// The first failure, if any; later writes are skipped.
    public private(set) var failure: String?

    public static func create(_ path: String) -> Result<OutputFile, OutputFileError> {
        let descriptor = csystem_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            return .failure(OutputFileError(message: "\(path): cannot be created (\(String(cString: strerror(csystem_errno()))))"))
        }
        return .success(OutputFile(path: path, descriptor: descriptor))
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { _ = close() }

    public func write(_ text: String) {
        pending += text
        if pending.utf8.count >= 256 * 1024 { flush() }
    }

    /// Writes what is pending and closes; the first failure, or nil.
    @discardableResult
    public func close() -> String? {
        guard descriptor >= 0 else { return failure }
        flush()
        if systemClose(descriptor) != 0, failure == nil { failure = "\(path): close failed" }
        descriptor = -1
        return failure
    }

    private func flush() {
        guard failure == nil, descriptor >= 0, !pending.isEmpty else {
            pending = ""
            return
        }
        pending.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if csystem_errno() == EINTR { continue }
                    failure = "\(path): write failed (\(String(cString: strerror(csystem_errno()))))"
                    return
                }
                offset += written
            }
        }
        pending = ""
    }
}

public struct OutputFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
