import CSystem
import HostCore
import PluginKit
import VeDbus

/// `record`: watches a running system with the daemon's own discovery and aggregation and writes
/// a trace (what the strategies get each tick, and what the aggregate on the bus published), to
/// replay strategies offline. It runs no strategy and writes no state: the running daemon owns those.
enum RecordCommand {
    static let spec = CommandSpec(
        name: "record", abstract: "Write a trace of a running system: each tick's strategy input and the aggregate's published limits.",
        options: PathOptions.specs + [
            BusOptions.spec,
            .value("out", "FILE", help: "The trace file to write (JSON Lines; an existing one is kept as FILE.1)."),
            .value("seconds", "N", help: "How long to record, in seconds (default 60; Ctrl-C ends it sooner)."),
            .value("max-bytes", "BYTES", help: "Size at which FILE is rotated to FILE.1 (default 20000000)."),
            .value("time-scale", "X", help: "Battery seconds per wall-clock second, for a simulation that runs faster (the demo's --speed); 1 by default."),
        ])

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        guard let out = arguments.string("out"), !out.isEmpty else { throw .usage(UsageError("record needs --out FILE")) }
        let seconds: Double
        let maximumBytes: Int
        let timeScale: Double
        do throws(UsageError) {
            seconds = try arguments.double("seconds", default: 60)
            maximumBytes = try arguments.int("max-bytes", default: 20_000_000)
            timeScale = try arguments.double("time-scale", default: 1)
        } catch {
            throw .usage(error)
        }
        guard seconds > 0, seconds.isFinite else { throw .usage(UsageError("--seconds must be a positive number")) }
        guard timeScale > 0, timeScale.isFinite else { throw .usage(UsageError("--time-scale must be a positive number")) }
        let resolved = PathOptions.resolved(arguments)
        let logger = DaemonLogger(level: .warning)
        let (loaded, libraries, loadErrors, problems) = Startup.loadConfiguration(paths: resolved)
        guard let configuration = loaded else {
            printError("configuration \(resolved.userConfig): \(problems.count) problem(s):")
            for line in problems { printError("  " + line) }
            return ExitStatus.configuration
        }
        // The strategies are created only because the daemon's structure holds them; on a store
        // that writes nothing, so the running daemon's state files are never touched.
        let store = StateStore(directory: resolved.stateDirectory, clock: StateTimestamp.systemLocalNow).trial()
        let prepared: PreparedStrategies
        switch Startup.instantiate(configuration, libraries: libraries, loadErrors: loadErrors, stateStore: store,
                                   logger: logger, calendar: LocalCalendar.today) {
        case .success(let ready): prepared = ready
        case .failure(let failure):
            for line in failure.lines { printError("  " + line) }
            return ExitStatus.configuration
        }
        let loop = EventLoop()
        let daemon: AggregatorDaemon
        do {
            daemon = try AggregatorDaemon(prepared: prepared, address: BusOptions.address(arguments), loop: loop, logger: logger)
        } catch {
            throw .bus(error)
        }
        let header = TraceHeader(source: "record", program: "\(DbusAggregateBatteries.program) \(DbusAggregateBatteries.version)",
                                 chargeStrategy: prepared.selection.charge, socStrategy: prepared.selection.soc,
                                 config: TraceHeader.recordedKeys(of: configuration.layers),
                                 note: "recorded on the bus for \(Int(seconds)) s")
        let writer = TraceWriter(path: out, maximumBytes: maximumBytes, header: header)
        daemon.recorder = writer
        daemon.timeScale = timeScale
        let signals = SignalPipe()
        loop.watch(fileDescriptor: signals.readFD) {
            _ = signals.drain()
            loop.stop()
        }
        _ = loop.after(seconds) { loop.stop() }
        printError("recording \(Int(seconds)) s into \(out) ...")
        daemon.start()
        loop.run()
        daemon.stop()
        writer.close()
        print("\(writer.linesWritten) ticks written to \(out)" + (writer.rotations > 0 ? " (rotated \(writer.rotations) times; older ticks in \(out).1)" : ""))
        return writer.linesWritten > 0 ? 0 : ExitStatus.failure
    }
}
