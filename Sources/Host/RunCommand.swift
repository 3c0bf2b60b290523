import Glibc
import HostCore
import Logging
import VeDbus

/// `run` (the default): the daemon.
enum RunCommand {
    static let spec = CommandSpec(
        name: "run", abstract: "Run the daemon: publish com.victronenergy.battery.aggregate.",
        options: PathOptions.specs + [BusOptions.spec])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let resolved = PathOptions.resolved(arguments)
        var logger = Logger(label: "dbus-aggregate-batteries")
        logger.logLevel = .info
        let prepared: PreparedStrategies
        switch Startup.prepare(paths: resolved, logger: logger) {
        case .success(let ready): prepared = ready
        case .failure(let failure):
            printError("configuration \(resolved.userConfig): \(failure.lines.count) problem(s):")
            for line in failure.lines { printError("  " + line) }
            return ExitStatus.configuration
        }
        logger.logLevel = prepared.configuration.settings.logLevel.swiftLogLevel
        let loop = EventLoop()
        let daemon = try AggregatorDaemon(prepared: prepared, address: BusOptions.address(arguments), loop: loop, logger: logger)
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
