import CSystem
import HostCore
import PluginKit
import VeDbus

/// `run` (the default): the daemon.
enum RunCommand {
    static let spec = CommandSpec(
        name: "run", abstract: "Run the daemon: publish com.victronenergy.battery.aggregate.",
        options: PathOptions.specs + [BusOptions.spec,
                                      .value("time-scale", "X", help: "Battery seconds per wall-clock second, for a simulation that runs faster (the demo's --speed); 1, the default, on a real system.")])

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        let resolved = PathOptions.resolved(arguments)
        let logger = DaemonLogger(level: .info)
        let prepared: PreparedStrategies
        switch Startup.prepare(paths: resolved, logger: logger) {
        case .success(let ready): prepared = ready
        case .failure(let failure):
            printError("configuration \(resolved.userConfig): \(failure.lines.count) problem(s):")
            for line in failure.lines { printError("  " + line) }
            return ExitStatus.configuration
        }
        logger.level = prepared.configuration.settings.logLevel
        let loop = EventLoop()
        let daemon: AggregatorDaemon
        do {
            daemon = try AggregatorDaemon(prepared: prepared, address: BusOptions.address(arguments), loop: loop, logger: logger)
        } catch {
            throw .bus(error)
        }
        // Once registered, bus input is read just before each tick: one wake-up a second.
        daemon.batchesBusInputOnceRegistered = true
        let timeScale: Double
        do {
            timeScale = try arguments.double("time-scale", default: 1)
        } catch {
            throw .usage(error)
        }
        guard timeScale > 0, timeScale.isFinite else { throw .usage(UsageError("--time-scale must be a positive number")) }
        daemon.timeScale = timeScale
        let signals = SignalPipe()
        loop.watch(fileDescriptor: signals.readFD) {
            for signal in signals.drain() {
                if signal == SIGHUP {
                    logger.info("SIGHUP: reloading \(resolved.userConfig)")
                    daemon.reload(paths: resolved)
                } else {
                    logger.info("signal \(signal): saving state and stopping")
                    loop.stop()
                }
            }
        }
        daemon.start()
        loop.run()
        daemon.stop()
        return 0
    }
}
