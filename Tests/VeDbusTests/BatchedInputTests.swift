import BusTestSupport
import CSystem
import Testing
@testable import VeDbus

/// A connection that batches its input is read just before the loop's timers fire (and whenever
/// a reply is awaited), so that a daemon wakes once a tick instead of once per signal; a
/// connection that does not batch (the daemon's service) is read at once. Time is a manual
/// clock here: "before the timer" and "at the timer" are steps the test takes. The battery
/// lives on a second, ordinary loop, as it would in another process.
@Suite(.serialized) struct BatchedInputTests {
    let clock = ManualClock()
    let fixture: BusFixture
    let batteryLoop = EventLoop()

    init() throws {
        fixture = try BusFixture(clock: { [clock] in clock.now })
    }

    /// A connection of the test's loop that batches its input.
    private func batchedConnection() throws -> BusConnection {
        let connection = try fixture.connect()
        connection.batchesInput = true
        return connection
    }

    /// Runs both loops a few times without moving the clock: no timer of the batched loop is due.
    private func idle() {
        for _ in 0..<10 {
            batteryLoop.runOnce(maxWait: 0.01)
            fixture.loop.runOnce(maxWait: 0.01)
        }
    }

    /// Runs both loops until `condition`, at most 5 s of real time.
    private func serve(until condition: () -> Bool) -> Bool {
        let deadline = MonotonicClock.now() + 5
        while !condition() && MonotonicClock.now() < deadline { idle() }
        return condition()
    }

    private func battery(voltage: Double) throws -> VeService {
        let connection = try BusConnection(.address(fixture.bus.address))
        batteryLoop.attach(connection)
        let service = VeService(connection: connection, serviceName: "com.victronenergy.battery.ttyUSB0")
        service.add("/DeviceInstance", .int32(1))
        service.add("/Dc/0/Voltage", .double(voltage))
        try service.register()
        return service
    }

    @Test func signalsWaitForTheTimerAndTheTimerSeesThem() throws {
        let service = try battery(voltage: 53.0)
        let monitor = VeMonitor(connection: try batchedConnection(), prefixes: ["com.victronenergy.battery"],
                                clock: { [clock] in clock.now })
        let name = "com.victronenergy.battery.ttyUSB0"
        var seenByTimer: [DBusValue?] = []
        fixture.loop.every(1) { seenByTimer.append(monitor.value(name, "/Dc/0/Voltage")) }
        monitor.start()
        // The scan awaits replies, so the connection is read at once: no timer needed.
        #expect(serve(until: { monitor.value(name, "/Dc/0/Voltage") == .double(53.0) }))

        service.set("/Dc/0/Voltage", .double(53.4))
        service.publish()
        idle()
        #expect(monitor.value(name, "/Dc/0/Voltage") == .double(53.0), "read before the timer was due")

        clock.advance(1)
        fixture.loop.runOnce(maxWait: 0)
        #expect(seenByTimer == [.double(53.4)], "the timer's work must see what arrived before it")
    }

    /// The daemon's shape: the monitor batches on its connection, our service has its own and
    /// answers at once, between timers; a service on a batching connection would wait.
    @Test func aServiceOnItsOwnConnectionAnswersAtOnceWhileTheMonitorBatches() throws {
        _ = VeMonitor(connection: try batchedConnection(), prefixes: ["com.victronenergy.battery"])
        let prompt = VeService(connection: try fixture.connect(), serviceName: "com.victronenergy.battery.aggregate")
        prompt.add("/Dc/0/Voltage", .double(52.5))
        try prompt.register()
        let slow = VeService(connection: try batchedConnection(), serviceName: "com.victronenergy.battery.slow")
        slow.add("/Dc/0/Voltage", .double(51.0))
        try slow.register()
        fixture.loop.every(1) {}
        let caller = try BusConnection(.address(fixture.bus.address))
        batteryLoop.attach(caller)
        var promptReply: Result<[DBusValue], DBusError>?
        var slowReply: Result<[DBusValue], DBusError>?
        caller.call(destination: "com.victronenergy.battery.aggregate", path: "/Dc/0/Voltage",
                    interface: VeService.busItemInterface, member: "GetValue", timeout: 30) { promptReply = $0 }
        caller.call(destination: "com.victronenergy.battery.slow", path: "/Dc/0/Voltage",
                    interface: VeService.busItemInterface, member: "GetValue", timeout: 30) { slowReply = $0 }
        #expect(serve(until: { promptReply != nil }), "the service's own connection must be read at once")
        #expect((try? promptReply?.get())?.first?.unwrapped == .double(52.5))
        #expect(slowReply == nil, "a batching connection is not read between timers")

        clock.advance(1)
        #expect(serve(until: { slowReply != nil }))
        #expect((try? slowReply?.get())?.first?.unwrapped == .double(51.0))
    }

    /// A flood: more than `floodBytesPerTick` between two ticks switches a batching connection
    /// to reading as data arrives (reported once), so a flooding sender cannot pile its messages
    /// up in the bus daemon ahead of everyone else's; quiet ticks switch it back.
    @Test func aFloodMakesTheBatchingConnectionReadAsDataArrivesUntilItCalms() throws {
        let service = try battery(voltage: 53.0)
        let connection = try batchedConnection()
        var problems: [BusConnection.Problem] = []
        connection.onProblem = { problems.append($0) }
        let monitor = VeMonitor(connection: connection, prefixes: ["com.victronenergy.battery"],
                                clock: { [clock] in clock.now })
        fixture.loop.every(1) {}
        monitor.start()
        let name = "com.victronenergy.battery.ttyUSB0"
        #expect(serve(until: { monitor.value(name, "/Dc/0/Voltage") == .double(53.0) }))
        clock.advance(1)
        fixture.loop.runOnce(maxWait: 0)
        #expect(!connection.readsAsDataArrives)

        // About 1 MiB of signals within one tick.
        let padding = String(repeating: "p", count: 2000)
        for index in 0..<500 {
            let signal = try Message.signal(path: "/Dc/0/Voltage", interface: VeService.busItemInterface,
                                            member: "PropertiesChanged",
                                            arguments: [.stringVariantDictionary([("Value", .double(50 + Double(index) / 1000)),
                                                                                  ("Text", .string(padding))])])
            service.connection.send(signal)
            if index % 50 == 0 { batteryLoop.runOnce(maxWait: 0) }
        }
        _ = serve(until: { !service.connection.hasOutgoing })
        clock.advance(1)
        fixture.loop.runOnce(maxWait: 0)
        #expect(connection.readsAsDataArrives)
        #expect(problems.contains { if case .flooded = $0 { return true } else { return false } })
        #expect(connection.pollEvents & Int16(POLLIN) != 0, "read as data arrives, not only at the tick")

        // Signals now arrive between ticks.
        service.set("/Dc/0/Voltage", .double(54.2))
        service.publish()
        #expect(serve(until: { monitor.value(name, "/Dc/0/Voltage") == .double(54.2) }), "read before the tick during a flood")

        // A quiet tick ends it.
        clock.advance(1)
        fixture.loop.runOnce(maxWait: 0)
        #expect(!connection.readsAsDataArrives)
    }
}
