import ArgumentParser
import Glibc
import HostCore
import Logging
import VeDbus

/// `run` (the default): the daemon.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon: publish com.victronenergy.battery.aggregate (default command).")

    @OptionGroup var paths: PathOptions
    @OptionGroup var bus: BusOptions

    func run() throws {
        let resolved = paths.resolved
        var logger = Logger(label: "dbus-aggregate-batteries")
        logger.logLevel = .info
        let prepared: PreparedStrategies
        switch Startup.prepare(paths: resolved, logger: logger) {
        case .success(let ready): prepared = ready
        case .failure(let failure):
            printError("configuration \(resolved.userConfig): \(failure.lines.count) problem(s):")
            for line in failure.lines { printError("  " + line) }
            throw ExitCode(2)
        }
        logger.logLevel = prepared.configuration.settings.logLevel.swiftLogLevel
        let loop = EventLoop()
        let daemon = try AggregatorDaemon(prepared: prepared, address: bus.address, loop: loop, logger: logger)
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
    }
}
