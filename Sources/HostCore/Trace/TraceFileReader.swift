import CSystem

/// Reads a trace file line by line in 256 KiB chunks: a day of ticks is hundreds of megabytes,
/// more than a GX device should hold in memory at once.
public final class TraceFileReader {
    public let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The number of the line last returned (1 = the header).
    public private(set) var lineNumber = 0
    /// A line longer than this is refused (a trace line of 64 batteries of 32 cells is ~70 kB).
    public static let maximumLineBytes = 4 * 1024 * 1024

    /// nil with the reason when the file cannot be opened.
    public static func open(_ path: String) -> Result<TraceFileReader, TraceReadError> {
        let descriptor = csystem_open(path, O_RDONLY | O_CLOEXEC, 0)
        guard descriptor >= 0 else {
            return .failure(TraceReadError(line: 0, "\(path): cannot be opened (\(String(cString: strerror(csystem_errno()))))"))
        }
        return .success(TraceFileReader(path: path, descriptor: descriptor))
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { _ = systemClose(descriptor) }
    }

    /// The next line without its newline; nil at the end of the file. A blank line is skipped.
    public func nextLine() -> Result<String, TraceReadError>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                lineNumber += 1
                if line.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                return .success(line)
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                lineNumber += 1
                return .success(line)
            }
            if buffer.count - start > Self.maximumLineBytes {
                atEnd = true
                start = buffer.count
                return .failure(TraceReadError(line: lineNumber + 1, "longer than \(Self.maximumLineBytes) bytes"))
            }
            if let problem = fill() { return .failure(problem) }
        }
    }

    /// Drops what was read and appends the next chunk.
    private func fill() -> TraceReadError? {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 256 * 1024
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var count = 0
        while true {
            count = buffer.withUnsafeMutableBytes { bytes in
                systemRead(descriptor, bytes.baseAddress! + old, chunk)
            }
            if count >= 0 || csystem_errno() != EINTR { break }
        }
        guard count >= 0 else {
            buffer.removeLast(chunk)
            atEnd = true
            return TraceReadError(line: lineNumber + 1, "\(path): read failed (\(String(cString: strerror(csystem_errno()))))")
        }
        buffer.removeLast(chunk - count)
        if count == 0 { atEnd = true }
        return nil
    }
}

private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
