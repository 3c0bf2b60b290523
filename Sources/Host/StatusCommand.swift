import HostCore
import VeDbus

/// `status`: the aggregate and the batteries it sees, read from any bus.
enum StatusCommand {
    static let spec = CommandSpec(
        name: "status", abstract: "Print the aggregate battery and the battery services on the bus.",
        options: [BusOptions.spec, .value("timeout", "SECONDS", help: "Seconds to wait for the services to answer (default 3).")])

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        let timeout: Double
        let connection: BusConnection
        do {
            timeout = try arguments.double("timeout", default: 3)
        } catch {
            throw .usage(error)
        }
        do {
            connection = try BusConnection(BusOptions.address(arguments))
        } catch {
            throw .bus(error)
        }
        let loop = EventLoop()
        loop.attach(connection)
        let monitor = VeMonitor(connection: connection, prefixes: ["com.victronenergy.battery"])
        monitor.callTimeout = timeout
        monitor.start()
        // Every service found has answered GetItems, or failed, or the time-out passed.
        loop.run(until: { monitor.isSettled }, timeout: timeout + 1)
        let aggregate = monitor.services[AggregateService.serviceName]?.values
        let batteries = monitor.services.values
            .filter { $0.name != AggregateService.serviceName && $0.isReady }
            .sorted { $0.name < $1.name }
            .map { StatusReport.BatteryLine(service: $0.name, values: $0.values) }
        print(StatusReport.render(aggregate: aggregate, batteries: batteries), terminator: "")
        connection.close()
        return 0
    }
}
