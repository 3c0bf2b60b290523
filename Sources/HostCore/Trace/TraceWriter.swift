import CSystem

/// Appends trace lines to a file, bounded: when the next line would take the file past
/// `maximumBytes`, the file becomes `<path>.1` (replacing an older one) and a new file starts with
/// the header again, so a trace never holds more than about twice the maximum on the disk (a GX
/// device's /data is small). A trace already at `path` when writing starts is kept as `<path>.1`.
///
/// One write() per tick, to the page cache: some microseconds, nothing the tick waits for. A
/// failed write is returned to the caller (which logs it rate-limited) and the next tick tries
/// again; the daemon never stops for its trace.
public final class TraceWriter {
    public let path: String
    public let maximumBytes: Int
    private let headerLine: String
    private var descriptor: Int32 = -1
    private var bytesInFile = 0
    /// Files rotated so far (tests and the log).
    public private(set) var rotations = 0
    /// Tick lines written so far, over every file.
    public private(set) var linesWritten = 0

    /// The smallest maximum accepted: a header and a few ticks of a large bank.
    public static let minimumBytes = 64 * 1024

    public init(path: String, maximumBytes: Int, header: TraceHeader) {
        self.path = path
        self.maximumBytes = max(maximumBytes, Self.minimumBytes)
        self.headerLine = TraceCoding.line(header) + "\n"
    }

    deinit { close() }

    /// Writes one tick's line; nil when written, else why not (the file, the step, the errno text).
    @discardableResult
    public func append(_ line: String) -> String? {
        let bytes = line.utf8.count + 1
        if descriptor >= 0, bytesInFile + bytes > maximumBytes, bytesInFile > headerLine.utf8.count {
            close()
            if rename(path, path + ".1") != 0 { return failure("rename to \(path).1") }
            rotations += 1
        }
        if descriptor < 0, let problem = openFresh() { return problem }
        // The line and its newline in two writes: joining them would copy the whole line.
        let problem = writeAll(line) ?? writeAll("\n")
        if problem == nil { linesWritten += 1 }
        return problem
    }

    public func close() {
        guard descriptor >= 0 else { return }
        _ = systemClose(descriptor)
        descriptor = -1
    }

    /// Opens a new file with the header; an existing one (the last run's) is kept as `.1` first.
    private func openFresh() -> String? {
        if rotations == 0, access(path, F_OK) == 0 { _ = rename(path, path + ".1") }
        descriptor = csystem_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return failure("open") }
        bytesInFile = 0
        return writeAll(headerLine)
    }

    private func writeAll(_ text: String) -> String? {
        var text = text  // a native String already: withUTF8 does not copy it
        return text.withUTF8 { buffer -> String? in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if csystem_errno() == EINTR { continue }
                    return failure("write")
                }
                offset += written
            }
            bytesInFile += buffer.count
            return nil
        }
    }

    private func failure(_ step: String) -> String {
        "trace \(path): \(step) failed: \(String(cString: strerror(csystem_errno())))"
    }
}

// The class's close() shadows libc's inside it.
private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
