import Foundation

/// One run of the shipped executable (or a copy of it) to its end, with what it printed: the
/// command-line tests and the developer-kit tests run it as a user would.
struct ShippedCommand {
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String], in folder: String? = nil, executable: String? = nil) throws -> Result {
        let process = Process()
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        process.executableURL = URL(fileURLWithPath: try executable ?? DaemonHarness.pluginFolder() + "/dbus-aggregate-batteries")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try start(process)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData, as: UTF8.self))
    }

    /// Starts `process`, again after a moment when the executable is "busy": a copy just written
    /// by one test can still be open for writing in a child another test forked meanwhile.
    static func start(_ process: Process) throws {
        for attempt in 0..<20 {
            do {
                try process.run()
                return
            } catch let error as NSError where attempt < 19 && Self.isTextFileBusy(error) {
                usleep(50_000)
            }
        }
    }

    static func isTextFileBusy(_ error: NSError) -> Bool {
        if error.domain == NSPOSIXErrorDomain && error.code == Int(ETXTBSY) { return true }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError { return isTextFileBusy(underlying) }
        return false
    }
}
