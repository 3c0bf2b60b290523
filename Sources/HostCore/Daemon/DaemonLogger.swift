import CSystem
import PluginKit

/// The daemon's log: one line per event, at LOGGING's level or more severe.
///
/// A class, so that every part holding it (strategies included) follows a level set after the
/// configuration was read. Our own rather than swift-log's: the daemon is built as Embedded
/// Swift, which has no existentials for swift-log's handlers. By default lines go to standard
/// error, where Venus OS's supervisor (multilog) keeps them; tests pass a sink that records.
public final class DaemonLogger {
    /// Receives each line that passes the level.
    public typealias Sink = (LogLevel, String) -> Void

    public var level: LogLevel
    private let sink: Sink

    public init(level: LogLevel = .info, sink: @escaping Sink = DaemonLogger.writeToStandardError) {
        self.level = level
        self.sink = sink
    }

    /// True when a line at `candidate` would be written (LogLevel counts from .error = 0 up).
    public func isEnabled(_ candidate: LogLevel) -> Bool { candidate.rawValue <= level.rawValue }

    public func log(_ lineLevel: LogLevel, _ message: @autoclosure () -> String) {
        if isEnabled(lineLevel) { sink(lineLevel, message()) }
    }

    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }

    /// `2026-11-30T11:09:26+0100 info: message` on file descriptor 2, in one write so that
    /// lines from a signal-time log and the loop never interleave mid-line.
    public static func writeToStandardError(_ level: LogLevel, _ message: String) {
        writeLine(localTimeStamp() + " " + name(of: level) + ": " + message + "\n", to: 2)
    }

    /// Writes all of `text` to `fileDescriptor`, retrying interrupted and short writes.
    public static func writeLine(_ text: String, to fileDescriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && csystem_errno() == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    public static func name(of level: LogLevel) -> String {
        switch level {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "info"
        case .debug: return "debug"
        }
    }

    /// Local time with its offset from UTC, as ISO 8601 writes it.
    private static func localTimeStamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "----" }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
            let length = strftime(buffer.baseAddress!, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            return length > 0 ? String(cString: buffer.baseAddress!) : "----"
        }
    }
}
