import BusTestSupport
import HostCore
import Simulator
import Testing
import VeDbus

/// Bad input on the bus: services that answer with garbage, never answer, send malformed
/// signals, huge arrays or wrong types, and clients that write wrong types to our service. All
/// ignored with a rate-limited log line; nothing crashes and the aggregate stays on the bus.
@Suite(.serialized) struct FaultBusInputTests {
    static let config = ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "False"]

    @Test func garbageRepliesMalformedSignalsAndSilenceAreIgnoredWithARateLimitedLog() throws {
        let harness = try DaemonHarness(config: Self.config)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.daemon.monitor.callTimeout = 0.5
        harness.run(seconds: 2)
        let voltageBefore = try #require(harness.number(.voltage))

        // Answers every call, GetItems included, with a bare string.
        let garbage = try harness.fixture.connect()
        garbage.methodHandler = { message in
            if let reply = try? message.makeReply([.string("garbage")]) { _ = garbage.send(reply) }
            return true
        }
        try garbage.requestName("com.victronenergy.battery.garbage")
        // Owns a watched name but never reads its socket: every call to it times out.
        let silent = try BusConnection(.address(harness.fixture.bus.address))
        try silent.requestName("com.victronenergy.battery.silent")
        defer { silent.close() }
        harness.settle()

        for _ in 0..<20 {
            // Malformed ItemsChanged and PropertiesChanged, every second.
            _ = garbage.send(try Message.signal(path: "/", interface: VeService.busItemInterface, member: "ItemsChanged",
                                                arguments: [.string("not a dictionary")]))
            _ = garbage.send(try Message.signal(path: "/Dc/0/Voltage", interface: VeService.busItemInterface,
                                                member: "PropertiesChanged", arguments: [.int32(12)]))
            harness.run(seconds: 1)
        }
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(abs((harness.number(.voltage) ?? 0) - voltageBefore) < 1)
        let garbageLines = harness.logs.count(containing: "com.victronenergy.battery.garbage", atLeast: .warning)
        #expect(garbageLines >= 1 && garbageLines <= 2, Comment(rawValue: harness.logs.text))
        let silentLines = harness.logs.count(containing: "com.victronenergy.battery.silent", atLeast: .warning)
        #expect(silentLines == 1, Comment(rawValue: harness.logs.text))
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func aBatteryLookalikeWithHugeArraysAndWrongTypesIsInvalidNotACrash() throws {
        let harness = try DaemonHarness(config: Self.config)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 2)
        let connection = try harness.fixture.connect()
        let rogue = VeService(connection: connection, serviceName: "com.victronenergy.battery.rogue")
        let huge = DBusValue.array(elementSignature: "d", (0..<200_000).map { .double(Double($0)) })
        rogue.add("/ProductName", .string("SerialBattery"))
        rogue.add("/Serial", .string("rogue"))
        rogue.add("/System/NrOfCellsPerBattery", .int32(16))
        rogue.add("/Dc/0/Voltage", huge)
        rogue.add("/Dc/0/Current", .string("12.5"))
        rogue.add("/Soc", .structure([.string("fifty"), .variant(.array(elementSignature: "ai", []))]))
        rogue.add("/InstalledCapacity", .dictionary(keySignature: "s", valueSignature: "v",
                                                    [.init(.string("Ah"), .variant(.double(280)))]))
        rogue.add("/Voltages/Sum", .bool(true))
        try rogue.register()
        harness.settle()
        for step in 0..<5 {
            rogue.set("/Dc/0/Voltage", .array(elementSignature: "d", (0..<200_000).map { .double(Double($0 + step)) }))
            rogue.set("/Dc/0/Current", .string("\(step)"))
            rogue.publish()
            harness.run(seconds: 1)
        }
        // The two real batteries stay online and are all the bank is made of.
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.number(.installedCapacity) == 2 * SimulationConfig().capacityAh)
        let real = harness.venus.batteries.compactMap { $0.service?["/Dc/0/Voltage"]?.number }
        #expect(abs((harness.number(.voltage) ?? 0) - real.reduce(0, +) / 2) < 1e-9)
        // The rogue never completed a start-up, so it is not a missing pack of the bank (it must
        // not block two healthy ones), but it is visible in the log, once.
        #expect(harness.number(.alarmBmsCable) == 0)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.logs.count(containing: "invalid (") == 1, Comment(rawValue: harness.logs.text))
        rogue.connection.releaseName("com.victronenergy.battery.rogue")
        harness.settle()
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func setValueWithAWrongTypeIsRefusedAndTheServiceStays() throws {
        let harness = try DaemonHarness(config: Self.config)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 2)
        let address = harness.fixture.busctlAddress
        let name = AggregateService.serviceName
        // /CustomName takes a string only: velib's code 2 (refused by the validator).
        let number = try harness.tool("busctl", address, "call", name, "/CustomName", VeService.busItemInterface,
                                      "SetValue", "v", "i", "5")
        #expect(number.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "i 2", Comment(rawValue: number.stdout + number.stderr))
        // A measured value is not writable at all: code 1, value unchanged.
        let soc = harness.published(.soc)
        let write = try harness.tool("busctl", address, "call", name, "/Soc", VeService.busItemInterface,
                                     "SetValue", "v", "s", "full")
        #expect(write.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "i 1", Comment(rawValue: write.stdout + write.stderr))
        // Not even a variant: an error reply, not a crash.
        let bare = try harness.tool("busctl", address, "call", name, "/CustomName", VeService.busItemInterface,
                                    "SetValue", "s", "x")
        #expect(bare.status != 0)
        harness.run(seconds: 1)
        #expect(harness.published(.soc).isInvalid == soc.isInvalid)
        #expect(harness.daemon.service.service["/CustomName"] == .string(AggregateService.defaultCustomName))
        watcher.expectRegisteredOnceAndNeverDropped()
    }
}
