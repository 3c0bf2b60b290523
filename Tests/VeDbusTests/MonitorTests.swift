import Testing
import BusTestSupport
@testable import VeDbus

/// The monitor against real services on a private dbus-daemon.
@Suite(.serialized) struct MonitorTests {
    let fixture: BusFixture
    let monitor: VeMonitor
    var appeared: [String] { events.appeared }
    let events = Events()

    final class Events {
        var appeared: [String] = []
        var removed: [String] = []
        var changed: [(String, [String])] = []
        var problems: [VeMonitor.Problem] = []
    }

    init() throws {
        fixture = try BusFixture()
        monitor = VeMonitor(connection: try fixture.connect(), prefixes: ["com.victronenergy.battery"],
                            excluding: ["com.victronenergy.battery.aggregate"])
        let events = self.events
        monitor.onServiceAppeared = { events.appeared.append($0) }
        monitor.onServiceRemoved = { events.removed.append($0) }
        let named = monitor
        monitor.onValuesChanged = { service, ids in events.changed.append((service, ids.map { named.path($0) })) }
        monitor.onProblem = { events.problems.append($0) }
    }

    private func battery(_ suffix: String, voltage: Double) throws -> VeService {
        let service = VeService(connection: try fixture.connect(), serviceName: "com.victronenergy.battery.\(suffix)")
        service.add("/DeviceInstance", .int32(1))
        service.add("/ProductName", .string("SerialBattery(Jkbms)"))
        service.add("/Dc/0/Voltage", .double(voltage), format: TextFormat.fixed(2, "V"))
        service.add("/Soc", .invalid)
        try service.register()
        return service
    }

    @Test func servicesPresentAtStartAreReadWithGetItems() throws {
        let first = try battery("ttyUSB0", voltage: 53.1)
        let second = try battery("ttyUSB1", voltage: 53.3)
        defer { withExtendedLifetime((first, second)) {} }
        let other = VeService(connection: try fixture.connect(), serviceName: "com.victronenergy.solarcharger.ttyS1")
        other.add("/Dc/0/Current", .double(3))
        try other.register()
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 2 }))
        #expect(monitor.value("com.victronenergy.battery.ttyUSB0", "/Dc/0/Voltage") == .double(53.1))
        #expect(monitor.value("com.victronenergy.battery.ttyUSB1", "/Dc/0/Voltage") == .double(53.3))
        #expect(monitor.value("com.victronenergy.battery.ttyUSB1", "/Soc")?.isInvalid == true)
        #expect(monitor.services["com.victronenergy.solarcharger.ttyS1"] == nil, "not a watched prefix")
        #expect(monitor.readyServices(withPrefix: "com.victronenergy.battery") ==
                ["com.victronenergy.battery.ttyUSB0", "com.victronenergy.battery.ttyUSB1"])
    }

    @Test func ourOwnServiceIsNeverWatched() throws {
        let own = VeService(connection: try fixture.connect(), serviceName: "com.victronenergy.battery.aggregate")
        own.add("/DeviceInstance", .int32(99))
        try own.register()
        let service = try battery("ttyUSB0", voltage: 53.1)
        defer { withExtendedLifetime(service) {} }
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 1 }))
        fixture.loop.run(until: { false }, timeout: 0.2)
        #expect(events.appeared == ["com.victronenergy.battery.ttyUSB0"])
    }

    @Test func aServiceThatAppearsLaterIsScannedAndItemsChangedUpdatesTheCache() throws {
        monitor.start()
        fixture.loop.run(until: { false }, timeout: 0.1)
        let service = try battery("ttyUSB2", voltage: 52.0)
        #expect(fixture.spin(until: { events.appeared == ["com.victronenergy.battery.ttyUSB2"] }))
        let before = monitor.lastUpdate("com.victronenergy.battery.ttyUSB2")
        service.set("/Dc/0/Voltage", .double(52.5))
        service.set("/Soc", .double(61))
        service.publish()
        #expect(fixture.spin(until: { monitor.value("com.victronenergy.battery.ttyUSB2", "/Soc") == .double(61) }))
        #expect(monitor.value("com.victronenergy.battery.ttyUSB2", "/Dc/0/Voltage") == .double(52.5))
        #expect(events.changed.last?.1.sorted() == ["/Dc/0/Voltage", "/Soc"])
        #expect((monitor.lastUpdate("com.victronenergy.battery.ttyUSB2") ?? 0) >= (before ?? .infinity))
    }

    @Test func onlyReportedPathsAreReportedButEveryValueIsStored() throws {
        monitor.reportedPaths = [monitor.pathID("/ProductName")]
        monitor.start()
        let service = try battery("ttyUSB3", voltage: 52.0)
        let name = "com.victronenergy.battery.ttyUSB3"
        #expect(fixture.spin(until: { events.appeared == [name] }))
        let generation = monitor.services[name]?.generation
        service.set("/Dc/0/Voltage", .double(52.5))
        service.publish()
        #expect(fixture.spin(until: { monitor.value(name, "/Dc/0/Voltage") == .double(52.5) }))
        #expect(events.changed.isEmpty, "a value outside reportedPaths is stored, not reported")
        #expect(monitor.services[name]?.generation != generation, "the change still counts for readers")
        service.set("/ProductName", .string("SerialBattery(Daly)"))
        service.set("/Soc", .double(40))
        service.publish()
        #expect(fixture.spin(until: { !events.changed.isEmpty }))
        #expect(events.changed.map { $0.1 } == [["/ProductName"]])
        #expect(monitor.value(name, "/Soc") == .double(40))
    }

    /// Per-path PropertiesChanged (most taken in the read buffer): a number on a reported path
    /// is reported, one on another path only stored.
    @Test func perPathNumbersAreReportedOnlyOnReportedPaths() throws {
        monitor.reportedPaths = [monitor.pathID("/Soc")]
        monitor.start()
        let service = try battery("ttyUSB4", voltage: 52.0)
        let name = "com.victronenergy.battery.ttyUSB4"
        #expect(fixture.spin(until: { events.appeared == [name] }))
        service.set("/Dc/0/Voltage", .double(52.5))
        service.publishEachPath()
        #expect(fixture.spin(until: { monitor.value(name, "/Dc/0/Voltage") == .double(52.5) }))
        #expect(events.changed.isEmpty, "a number outside reportedPaths is stored, not reported")
        service.set("/Soc", .double(41))
        service.set("/Dc/0/Voltage", .double(52.6))
        service.publishEachPath()
        #expect(fixture.spin(until: { monitor.value(name, "/Dc/0/Voltage") == .double(52.6) }))
        #expect(monitor.value(name, "/Soc") == .double(41))
        #expect(events.changed.map { $0.1 } == [["/Soc"]])
    }

    @Test func propertiesChangedFromTheOwningConnectionUpdatesTheCache() throws {
        let service = try battery("ttyUSB0", voltage: 53.0)
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 1 }))
        let signal = try Message.signal(path: "/Dc/0/Voltage", interface: VeService.busItemInterface, member: "PropertiesChanged",
                                        arguments: [.stringVariantDictionary([("Value", .double(54.4)), ("Text", .string("54.40V"))])])
        service.connection.send(signal)
        #expect(fixture.spin(until: { monitor.value("com.victronenergy.battery.ttyUSB0", "/Dc/0/Voltage") == .double(54.4) }))
    }

    /// The PropertiesChanged reader in place (dbus-serialbattery's traffic): the usual
    /// `{Value: d, Text: s}`, other value types and field orders, no Value, a wrong signature,
    /// and two senders interleaved (the sender is matched by its bytes, the last one cached).
    @Test func propertiesChangedOfEveryShapeFromInterleavedSenders() throws {
        let first = try battery("ttyUSB0", voltage: 53.0)
        let second = try battery("ttyUSB1", voltage: 52.0)
        let firstName = "com.victronenergy.battery.ttyUSB0", secondName = "com.victronenergy.battery.ttyUSB1"
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 2 }))
        func send(_ service: VeService, _ path: String, _ fields: [(String, DBusValue)]) throws {
            service.connection.send(try Message.signal(path: path, interface: VeService.busItemInterface, member: "PropertiesChanged",
                                                       arguments: [.stringVariantDictionary(fields)]))
        }
        try send(first, "/Dc/0/Voltage", [("Value", .double(54.1)), ("Text", .string("54.10V"))])
        try send(second, "/Dc/0/Voltage", [("Value", .double(51.9))])                        // no Text
        try send(first, "/Soc", [("Text", .string("80%")), ("Value", .int32(80))])            // Text first, an int
        try send(second, "/ProductName", [("Value", .string("SerialBattery(Daly)")), ("Text", .string("x"))])
        try send(first, "/ProductName", [("Text", .string("only a text"))])                   // no Value: unchanged
        try send(second, "/Soc", [("Value", .double(75)), ("Text", .string("75%"))])
        try send(second, "/Soc", [("Value", .array(elementSignature: "i", [])), ("Text", .string("---"))])  // invalid
        try send(first, "/Dc/0/Current", [("Value", .double(-1.5)), ("Text", .string("-1.5A"))])       // the last one
        #expect(fixture.spin(until: { monitor.value(firstName, "/Dc/0/Current") == .double(-1.5) }))
        #expect(monitor.value(secondName, "/Soc")?.isInvalid == true)
        #expect(monitor.value(firstName, "/Dc/0/Voltage") == .double(54.1))
        #expect(monitor.value(secondName, "/Dc/0/Voltage") == .double(51.9))
        #expect(monitor.value(firstName, "/Soc") == .int32(80))
        #expect(monitor.value(secondName, "/ProductName") == .string("SerialBattery(Daly)"))
        #expect(monitor.value(firstName, "/ProductName") == .string("SerialBattery(Jkbms)"))
        // Another signature is reported and changes nothing.
        first.connection.send(try Message.signal(path: "/Dc/0/Voltage", interface: VeService.busItemInterface,
                                                 member: "PropertiesChanged", arguments: [.string("55")]))
        #expect(fixture.spin(until: { events.problems.contains { problem in
            if case .malformedSignal(firstName, "PropertiesChanged", let detail) = problem { return detail.contains("signature s") }
            return false
        } }))
        #expect(monitor.value(firstName, "/Dc/0/Voltage") == .double(54.1))
        // The sender that leaves and comes back under a new unique name is matched anew.
        first.connection.close()
        #expect(fixture.spin(until: { events.removed == [firstName] }))
        let again = try battery("ttyUSB0", voltage: 50.5)
        #expect(fixture.spin(until: { events.appeared.count == 3 }))
        try send(again, "/Dc/0/Voltage", [("Value", .double(50.6)), ("Text", .string("50.60V"))])
        #expect(fixture.spin(until: { monitor.value(firstName, "/Dc/0/Voltage") == .double(50.6) }))
    }

    /// The daemon's mode: only requested paths are kept; junk paths cost nothing, a path
    /// requested late is fetched from the services already read.
    @Test func onlyRequestedPathsAreKeptAndALateRequestIsFetched() throws {
        monitor.keepsOnlyRequestedPaths = true
        let voltage = monitor.pathID("/Dc/0/Voltage")
        monitor.start()
        let service = try battery("ttyUSB4", voltage: 52.0)
        let name = "com.victronenergy.battery.ttyUSB4"
        #expect(fixture.spin(until: { events.appeared == [name] }))
        #expect(monitor.services[name]?[voltage] == .double(52.0))
        #expect(monitor.services[name]?.values.keys.sorted() == ["/Dc/0/Voltage"], "only the requested path is kept")
        // Junk paths in an ItemsChanged: skipped, the requested one read.
        for index in 0..<500 {
            service.add("/Junk/\(index)", .double(Double(index)))
            service.set("/Junk/\(index)", .double(Double(index) + 0.5))
        }
        service.set("/Dc/0/Voltage", .double(52.7))
        service.publish()
        #expect(fixture.spin(until: { monitor.services[name]?[voltage] == .double(52.7) }))
        #expect(monitor.services[name]?.values.count == 1)
        // Asked for after the scan (by name): nil now, then fetched with GetValue.
        #expect(monitor.value(name, "/ProductName") == nil)
        #expect(fixture.spin(until: { monitor.value(name, "/ProductName") == .string("SerialBattery(Jkbms)") }))
    }

    /// A value larger than `maximumItemBytes` on a kept path is an invalid reading, reported,
    /// whether it comes in an ItemsChanged, a PropertiesChanged or a GetItems reply.
    @Test func aValueTooLargeIsAnInvalidReading() throws {
        monitor.maximumItemBytes = 256
        let service = try battery("ttyUSB5", voltage: 52.0)
        service.add("/Serial", .string(String(repeating: "S", count: 1000)))
        let name = "com.victronenergy.battery.ttyUSB5"
        monitor.start()
        #expect(fixture.spin(until: { events.appeared == [name] }))
        #expect(monitor.value(name, "/Serial")?.isInvalid == true, "from GetItems")
        #expect(monitor.value(name, "/Dc/0/Voltage") == .double(52.0))
        service.set("/Serial", .string("ok"))
        service.publish()
        #expect(fixture.spin(until: { monitor.value(name, "/Serial") == .string("ok") }))
        service.set("/Serial", .string(String(repeating: "T", count: 1000)))
        service.publish()
        #expect(fixture.spin(until: { monitor.value(name, "/Serial")?.isInvalid == true }), "from ItemsChanged")
        let signal = try Message.signal(path: "/Dc/0/Voltage", interface: VeService.busItemInterface, member: "PropertiesChanged",
                                        arguments: [.stringVariantDictionary([("Value", .array(elementSignature: "y",
                                            [DBusValue](repeating: .byte(1), count: 4000))), ("Text", .string(""))])])
        service.connection.send(signal)
        #expect(fixture.spin(until: { monitor.value(name, "/Dc/0/Voltage")?.isInvalid == true }), "from PropertiesChanged")
        let reported = events.problems.compactMap { problem -> String? in
            guard case .valueTooLarge(let service, let path, _) = problem, service == name else { return nil }
            return path
        }
        #expect(reported == ["/Serial", "/Serial", "/Dc/0/Voltage"])
    }

    @Test func aSignalFromAnotherSenderIsIgnored() throws {
        let service = try battery("ttyUSB0", voltage: 53.0)
        defer { withExtendedLifetime(service) {} }
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 1 }))
        // busctl emits from its own unique name: a sender-checking monitor must drop it.
        let output = try fixture.tool("busctl", fixture.busctlAddress, "emit", "/", "com.victronenergy.BusItem",
                                      "ItemsChanged", "a{sa{sv}}", "1", "/Dc/0/Voltage", "2", "Value", "d", "1", "Text", "s", "1V")
        #expect(output.status == 0, Comment(rawValue: output.stderr))
        fixture.loop.run(until: { false }, timeout: 0.2)
        #expect(monitor.value("com.victronenergy.battery.ttyUSB0", "/Dc/0/Voltage") == .double(53.0))
    }

    @Test func aServiceThatExitsIsDropped() throws {
        let service = try battery("ttyUSB0", voltage: 53.0)
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 1 }))
        service.connection.close()
        #expect(fixture.spin(until: { events.removed == ["com.victronenergy.battery.ttyUSB0"] }))
        #expect(monitor.value("com.victronenergy.battery.ttyUSB0", "/Dc/0/Voltage") == nil)
        #expect(monitor.services.isEmpty)
    }

    @Test func aLegacyServiceWithoutGetItemsIsReadThroughTheRootValue() throws {
        let legacy = try fixture.connect()
        legacy.methodHandler = { message in
            // Answers GetValue on "/" only, as services older than GetItems do.
            if message.member == "GetValue", message.path == "/" {
                let tree = DBusValue.stringVariantDictionary([("Dc/0/Voltage", .double(51.5)), ("ProductName", .string("SerialBattery"))])
                legacy.send(try! message.makeReply([.variant(tree)]))
            } else if let error = message.makeErrorReply(DBusError(name: DBusError.unknownMethod, message: "no")) {
                legacy.send(error)
            }
            return true
        }
        try legacy.requestName("com.victronenergy.battery.legacy")
        monitor.start()
        #expect(fixture.spin(until: { events.appeared.count == 1 }))
        #expect(monitor.value("com.victronenergy.battery.legacy", "/Dc/0/Voltage") == .double(51.5))
        #expect(monitor.value("com.victronenergy.battery.legacy", "/ProductName") == .string("SerialBattery"))
    }

    @Test func getValueAndSetValueOnAnotherService() throws {
        let service = try battery("ttyUSB0", voltage: 53.0)
        service.add("/CustomName", .string("A"), writable: true)
        var got: Result<DBusValue, DBusError>?
        monitor.getValue("com.victronenergy.battery.ttyUSB0", "/Dc/0/Voltage") { got = $0 }
        #expect(fixture.spin(until: { got != nil }))
        #expect(try got?.get() == .double(53.0))
        var code: Result<Int32, DBusError>?
        monitor.setValue("com.victronenergy.battery.ttyUSB0", "/CustomName", .string("B")) { code = $0 }
        #expect(fixture.spin(until: { code != nil }))
        #expect(try code?.get() == 0)
        #expect(service["/CustomName"] == .string("B"))
        var refused: Result<Int32, DBusError>?
        monitor.setValue("com.victronenergy.battery.ttyUSB0", "/Dc/0/Voltage", .double(1)) { refused = $0 }
        #expect(fixture.spin(until: { refused != nil }))
        #expect(try refused?.get() == 1)
        var missing: Result<DBusValue, DBusError>?
        monitor.getValue("com.victronenergy.battery.ttyUSB0", "/Nope") { missing = $0 }
        #expect(fixture.spin(until: { missing != nil }))
        #expect(throws: DBusError.self) { try missing?.get() }
    }
}

/// Call time-outs follow the loop's clock, so a test can move time instead of waiting.
@Suite struct CallTimeoutTests {
    @Test func aServiceThatNeverAnswersTimesOutWithoutBlockingTheLoop() throws {
        let clock = ManualClock()
        let fixture = try BusFixture(clock: { clock.now })
        let silent = try fixture.connect()
        silent.methodHandler = { _ in true }  // swallows every call, never replies
        try silent.requestName("com.victronenergy.battery.silent")
        let caller = try fixture.connect()
        var result: Result<[DBusValue], DBusError>?
        caller.call(destination: "com.victronenergy.battery.silent", path: "/", interface: VeService.busItemInterface,
                    member: "GetItems", timeout: 5) { result = $0 }
        fixture.loop.runOnce(maxWait: 0.2)
        fixture.loop.runOnce(maxWait: 0.2)
        #expect(result == nil, "no reply and no time-out yet")
        clock.advance(5.1)
        fixture.loop.runOnce(maxWait: 0)
        guard case .failure(let error)? = result else {
            Issue.record("expected a time-out, got \(String(describing: result))")
            return
        }
        #expect(error.name == DBusError.timedOut)
    }

    @Test func periodicTimersFollowTheInjectedClockWithoutDrift() throws {
        let clock = ManualClock()
        let loop = EventLoop(clock: { clock.now })
        var ticks: [Double] = []
        loop.every(1) { ticks.append(clock.now) }
        for _ in 0..<3 {
            clock.advance(1)
            loop.runOnce(maxWait: 0)
        }
        #expect(ticks == [1001, 1002, 1003])
        // A stall of 3.5 s fires once, then keeps the one-second grid.
        clock.advance(3.5)
        loop.runOnce(maxWait: 0)
        #expect(ticks.count == 4)
        clock.advance(0.5)
        loop.runOnce(maxWait: 0)
        #expect(ticks.count == 5 && ticks.last == 1007)
    }
}
