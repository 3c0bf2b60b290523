import BusTestSupport
import BusTools
import Foundation
import Simulator
import VeDbus

/// A simulated Venus system on a private dbus-daemon, stepped by hand: no sleeping, no clock.
final class SimulatorBench {
    let fixture: BusFixture
    let venus: SimulatedVenus

    init(scenario: Scenario = .steady, config: SimulationConfig = SimulationConfig()) throws {
        fixture = try BusFixture()
        try Self.waitUntilAccepting(fixture)
        venus = SimulatedVenus(scenario: scenario, config: config, address: .address(fixture.bus.address),
                               loop: fixture.loop)
        try venus.start()
    }

    var loop: EventLoop { fixture.loop }

    /// PrivateBus returns once the socket file exists, but dbus-daemon binds before it listens:
    /// a connection in between is refused. Retry until the daemon accepts (a readiness wait,
    /// at most 5 s; PrivateBus should do this itself).
    static func waitUntilAccepting(_ fixture: BusFixture) throws {
        var lastError: DBusError?
        for _ in 0..<500 {
            do {
                let probe = try BusConnection(.address(fixture.bus.address))
                probe.close()
                return
            } catch {
                lastError = error
                fixture.loop.run(for: 0.01)
            }
        }
        if let lastError { throw lastError }
    }

    /// Steps the simulation one second at a time (publishing each), letting the loop write.
    func step(seconds: Int) {
        for _ in 0..<seconds {
            venus.step(1)
            loop.runOnce(maxWait: 0)
        }
    }

    /// Steps until `condition` holds, at most `limit` simulated seconds; returns whether it held.
    func step(until condition: () -> Bool, limit: Int) -> Bool {
        for _ in 0..<limit {
            if condition() { return true }
            step(seconds: 1)
        }
        return condition()
    }

    /// A VeMonitor on its own connection, started and ready for every service on the bus.
    func readyMonitor() throws -> VeMonitor {
        let monitor = VeMonitor(connection: try fixture.connect(), prefixes: ["com.victronenergy."])
        monitor.start()
        let expected = Set(venus.serviceNames)
        fixture.spin(until: { Set(monitor.readyServices(withPrefix: "com.victronenergy.")) == expected })
        return monitor
    }

    /// Waits until every signal `service` sent before now has reached `monitor`: the reply to a
    /// call travels on the same connection as the signals, so it arrives after them.
    func flush(_ monitor: VeMonitor, through service: String) -> Bool {
        var done = false
        monitor.getValue(service, "/DeviceInstance") { _ in done = true }
        return fixture.spin(until: { done })
    }

    /// GetItems read by busctl (an independent client), as path → (D-Bus type, value, text).
    func busctlItems(_ service: String) throws -> [String: BusctlItem] {
        let output = try fixture.tool("busctl", fixture.busctlAddress, "--json=short", "call", service, "/",
                                      "com.victronenergy.BusItem", "GetItems")
        guard output.status == 0,
              let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
              let data = json["data"] as? [Any], let items = data.first as? [String: Any] else {
            throw BusctlFailure(text: output.stdout + output.stderr)
        }
        var result: [String: BusctlItem] = [:]
        for (path, entry) in items {
            guard let fields = entry as? [String: Any], let value = fields["Value"] as? [String: Any],
                  let type = value["type"] as? String, let text = (fields["Text"] as? [String: Any])?["data"] as? String
            else { continue }
            result[path] = BusctlItem(type: type, data: value["data"], text: text)
        }
        return result
    }

    /// The bus names `dbus-send ListNames` reports.
    func listNames() throws -> String {
        try fixture.tool("dbus-send", fixture.dbusSendAddress, "--print-reply", "--dest=org.freedesktop.DBus",
                         "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames").stdout
    }
}

struct BusctlItem {
    var type: String
    var data: Any?
    var text: String
    var number: Double? { (data as? NSNumber)?.doubleValue }
    var string: String? { data as? String }
}

struct BusctlFailure: Error, CustomStringConvertible {
    var text: String
    var description: String { "busctl failed: \(text)" }
}
