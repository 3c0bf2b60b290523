import Testing
import BusTestSupport
@testable import VeDbus

/// A service published by our layer, read by clients we did not write (busctl, dbus-send).
@Suite(.serialized) struct ServiceTests {
    let fixture: BusFixture
    let service: VeService
    static let name = "com.victronenergy.battery.demo"

    init() throws {
        fixture = try BusFixture()
        service = VeService(connection: try fixture.connect(), serviceName: Self.name)
        service.add("/Mgmt/ProcessName", .string("demo"))
        service.add("/DeviceInstance", .int32(99))
        service.add("/Dc/0/Voltage", .double(53.2), format: TextFormat.fixed(2, "V"))
        service.add("/Dc/0/Current", .double(-12.5), format: TextFormat.fixed(2, "A"))
        service.add("/Soc", .invalid)
        service.add("/CustomName", .string("House"), writable: true, validate: { $0.string.map(DBusValue.string) })
        service.add("/Info/MaxChargeVoltage", .double(55.2), writable: true, validate: { $0.number.map(DBusValue.double) })
        try service.register()
    }

    @Test func getItemsCarriesTypedValuesAndTexts() throws {
        let output = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/",
                                      "com.victronenergy.BusItem", "GetItems")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("a{sa{sv}} 7 "))
        #expect(output.stdout.contains(#""/Dc/0/Voltage" 2 "Value" d 53.2 "Text" s "53.20V""#))
        #expect(output.stdout.contains(#""/DeviceInstance" 2 "Value" i 99 "Text" s "99""#))
        #expect(output.stdout.contains(#""/Soc" 2 "Value" ai 0 "Text" s "---""#))
    }

    /// Every connection answers org.freedesktop.DBus.Peer (the specification; libdbus does).
    @Test func peerPingAndGetMachineIdAreAnswered() throws {
        let ping = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/",
                                    "org.freedesktop.DBus.Peer", "Ping")
        #expect(ping.status == 0, "\(ping.stderr)")
        let id = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/",
                                  "org.freedesktop.DBus.Peer", "GetMachineId")
        #expect(id.status == 0, "\(id.stderr)")
        #expect(id.stdout.hasPrefix("s \"") && id.stdout.count >= 36, "\(id.stdout)")
    }

    /// A call flagged NO_REPLY_EXPECTED is carried out and gets no reply (seen by dbus-monitor).
    @Test func aCallThatExpectsNoReplyGetsNone() throws {
        let owner = try fixture.tool("busctl", fixture.busctlAddress, "call", "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", "s", Self.name)
        let unique = try #require(owner.stdout.split(separator: "\"").dropFirst().first.map(String.init))
        let watcher = try ExternalTool.startMonitor(address: fixture.bus.address,
                                                    rule: "type='method_return',sender='\(unique)'", loop: fixture.loop)
        defer { watcher.stop() }
        #expect(fixture.spin(until: { watcher.output.contains("NameAcquired") }, timeout: 10))
        let quiet = try fixture.tool("busctl", fixture.busctlAddress, "--expect-reply=no", "call", Self.name,
                                     "/CustomName", "com.victronenergy.BusItem", "SetValue", "v", "s", "Boat")
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(fixture.spin(until: { service.value(service.handle("/CustomName")!) == .string("Boat") }, timeout: 5))
        let answered = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/Dc/0/Voltage",
                                        "com.victronenergy.BusItem", "GetValue")
        #expect(answered.status == 0)
        #expect(fixture.spin(until: { watcher.output.contains("method return") }, timeout: 5))
        fixture.spin(until: { false }, timeout: 0.3)
        let returns = watcher.output.components(separatedBy: "method return").count - 1
        #expect(returns == 1, "only the GetValue is answered: \(watcher.output)")
    }

    @Test func leafGetValueAndGetTextWithDbusSend() throws {
        let value = try fixture.tool("dbus-send", fixture.dbusSendAddress, "--print-reply", "--dest=\(Self.name)",
                                     "/Dc/0/Current", "com.victronenergy.BusItem.GetValue")
        #expect(value.stdout.contains("variant       double -12.5"), "\(value.stdout)")
        let text = try fixture.tool("dbus-send", fixture.dbusSendAddress, "--print-reply", "--dest=\(Self.name)",
                                    "/Dc/0/Current", "com.victronenergy.BusItem.GetText")
        #expect(text.stdout.contains(#"string "-12.50A""#), "\(text.stdout)")
    }

    @Test func nodeGetValueIsKeyedRelativeWithoutSlash() throws {
        let dc = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/Dc",
                                  "com.victronenergy.BusItem", "GetValue")
        #expect(dc.stdout.contains(#""0/Voltage" d 53.2"#), "\(dc.stdout)")
        #expect(dc.stdout.contains(#""0/Current" d -12.5"#))
        #expect(!dc.stdout.contains("DeviceInstance"))
        let root = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/",
                                    "com.victronenergy.BusItem", "GetText")
        #expect(root.stdout.contains(#""Dc/0/Voltage" "53.20V""#), "\(root.stdout)")
    }

    @Test func introspectionLetsBusctlShowTheTree() throws {
        let tree = try fixture.tool("busctl", fixture.busctlAddress, "tree", Self.name)
        #expect(tree.status == 0, "\(tree.stderr)")
        for path in ["/Dc/0/Voltage", "/Info/MaxChargeVoltage", "/Mgmt/ProcessName", "/Soc"] {
            #expect(tree.stdout.contains(path), "missing \(path) in \(tree.stdout)")
        }
    }

    @Test func setValueOnAReadOnlyPathIsRefused() throws {
        let output = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/Dc/0/Voltage",
                                      "com.victronenergy.BusItem", "SetValue", "v", "d", "10")
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "i 1")
        #expect(service["/Dc/0/Voltage"] == .double(53.2))
    }

    @Test func setValueWithAWrongTypeIsRefusedByTheValidator() throws {
        let output = try fixture.tool("busctl", fixture.busctlAddress, "call", Self.name, "/Info/MaxChargeVoltage",
                                      "com.victronenergy.BusItem", "SetValue", "v", "s", "abc")
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "i 2")
        #expect(service["/Info/MaxChargeVoltage"] == .double(55.2))
    }

    @Test func setValueOnAWritablePathIsStoredAndReported() throws {
        var written: [(String, DBusValue)] = []
        service.onExternalWrite = { written.append(($0, $1)) }
        let output = try fixture.tool("dbus-send", fixture.dbusSendAddress, "--print-reply", "--dest=\(Self.name)",
                                      "/CustomName", "com.victronenergy.BusItem.SetValue", "variant:string:Boat")
        #expect(output.stdout.contains("int32 0"), "\(output.stdout)")
        #expect(service["/CustomName"] == .string("Boat"))
        #expect(written.count == 1 && written.first?.0 == "/CustomName")
    }

    @Test func unknownPathIsUnknownObject() throws {
        let output = try fixture.tool("dbus-send", fixture.dbusSendAddress, "--print-reply", "--dest=\(Self.name)",
                                      "/No/Such/Path", "com.victronenergy.BusItem.GetValue")
        #expect(output.status != 0)
        #expect(output.stderr.contains("org.freedesktop.DBus.Error.UnknownObject"), "\(output.stderr)")
    }

    @Test func aTakenNameIsAClearError() throws {
        let second = VeService(connection: try fixture.connect(), serviceName: Self.name)
        second.add("/DeviceInstance", .int32(1))
        #expect {
            try second.register()
        } throws: { error in
            (error as? DBusError)?.message.contains("already owned") == true
        }
    }

    @Test func publishSendsOneItemsChangedWithOnlyTheChangedPaths() throws {
        // Watch with dbus-monitor, an independent client, while we publish.
        let monitor = try ExternalTool.startMonitor(address: fixture.bus.address,
                                                    rule: "type='signal',interface='com.victronenergy.BusItem'",
                                                    loop: fixture.loop)
        defer { monitor.stop() }
        // dbus-monitor gives up its unique name once it has become a monitor: it is listening.
        #expect(fixture.spin(until: { monitor.output.contains("NameLost") }))
        service.set("/Dc/0/Voltage", .double(53.3))
        service.set("/Dc/0/Voltage", .double(53.4))
        service.set("/Soc", .double(80))
        service.set("/DeviceInstance", .int32(99))  // unchanged: not sent
        #expect(service.pendingPaths == ["/Dc/0/Voltage", "/Soc"])
        #expect(service.publish() == 2)
        #expect(service.publish() == 0)
        let seen = fixture.spin(until: { monitor.output.contains("53.40V") && monitor.output.contains("ItemsChanged") })
        #expect(seen, Comment(rawValue: monitor.output))
        #expect(monitor.output.components(separatedBy: "member=ItemsChanged").count == 2)
        #expect(!monitor.output.contains("/DeviceInstance"))
        #expect(!monitor.output.contains("53.30V"))
    }
}
