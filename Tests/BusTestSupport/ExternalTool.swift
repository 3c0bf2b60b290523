import BusTools
import Foundation
import VeDbus

/// What an external command printed and how it ended.
public struct ToolOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Reads a pipe from the event loop, so a child's output never blocks it and our loop keeps
/// serving while the child talks to us.
final class PipeCollector {
    let readFD: Int32
    let writeFD: Int32
    private(set) var data: [UInt8] = []
    private(set) var isOpen = true

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ExternalTool.ToolMissing(name: "pipe()") }
        readFD = fds[0]
        writeFD = fds[1]
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
    }

    /// After the child has its copy, our write end must close so that EOF can arrive.
    func closeWriteEnd() { close(writeFD) }

    func attach(to loop: EventLoop) {
        loop.watch(fileDescriptor: readFD) { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(readFD, &buffer, buffer.count)
            if count > 0 { data.append(contentsOf: buffer[0..<count]) } else { finish(loop) }
        }
    }

    func finish(_ loop: EventLoop) {
        guard isOpen else { return }
        isOpen = false
        loop.unwatch(fileDescriptor: readFD)
        close(readFD)
    }

    var text: String { String(decoding: data, as: UTF8.self) }
}

/// Runs command-line clients we did not write (busctl, dbus-send, dbus-monitor) while our own
/// event loop keeps serving, so the wire format is checked independently of our D-Bus code.
public enum ExternalTool {
    /// Runs `arguments[0]` with the rest, driving `loop` until the command exits or `timeout`.
    public static func run(_ arguments: [String], loop: EventLoop, timeout: Double = 20) throws -> ToolOutput {
        let out = try PipeCollector(), err = try PipeCollector()
        let child = try ChildProcess(path: try locate(arguments[0]), arguments: Array(arguments.dropFirst()),
                                     stdoutFD: out.writeFD, stderrFD: err.writeFD)
        out.closeWriteEnd()
        err.closeWriteEnd()
        out.attach(to: loop)
        err.attach(to: loop)
        let finished = loop.run(until: { !out.isOpen && !err.isOpen }, timeout: timeout)
        out.finish(loop)
        err.finish(loop)
        if !finished { child.terminate(signal: SIGKILL) }
        let status = child.waitForExit()
        return ToolOutput(status: status, stdout: out.text, stderr: err.text)
    }

    /// Starts `dbus-monitor` on `address` with one match rule; its output is read by `loop`.
    public static func startMonitor(address: String, rule: String, loop: EventLoop) throws -> BackgroundMonitor {
        let out = try PipeCollector()
        let child = try ChildProcess(path: try locate("dbus-monitor"), arguments: ["--address", address, rule],
                                     stdoutFD: out.writeFD)
        out.closeWriteEnd()
        out.attach(to: loop)
        return BackgroundMonitor(child: child, collector: out, loop: loop)
    }

    /// Full path of a command on PATH or in the usual system folders.
    public static func locate(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/local/bin"] {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ToolMissing(name: name)
    }

    public struct ToolMissing: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "\(name) is not installed (the test command installs it)" }
    }
}

/// `dbus-monitor` running beside the test; what it prints arrives while the loop runs.
public final class BackgroundMonitor {
    private let child: ChildProcess
    private let collector: PipeCollector
    private let loop: EventLoop

    init(child: ChildProcess, collector: PipeCollector, loop: EventLoop) {
        self.child = child
        self.collector = collector
        self.loop = loop
    }

    /// Everything printed so far.
    public var output: String { collector.text }

    public func stop() {
        child.terminate()
        collector.finish(loop)
    }
}
