import Testing
import BusTestSupport
import Simulator
import VeDbus

/// The localsettings look-alike, driven by busctl and watched by our VeMonitor.
@Suite struct SettingsTests {
    static let feedIn = "/Settings/CGwacs/OvervoltageFeedIn"

    func call(_ bench: SimulatorBench, _ path: String, _ interface: String, _ member: String,
              _ arguments: String...) throws -> String {
        let output = try ExternalTool.run(["busctl", bench.fixture.busctlAddress, "call", SimulatedSettings.serviceName,
                                           path, interface, member] + arguments, loop: bench.loop)
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func addSettingCreatesANewSettingAndKeepsAnExistingValue() throws {
        let bench = try SimulatorBench()
        let created = try call(bench, "/Settings", "com.victronenergy.Settings", "AddSetting", "ssvsvv",
                               "Devices/aggregatebatteries", "CustomName", "s", "Bank", "s", "s", "", "s", "")
        #expect(created == "i 0")
        #expect(bench.venus.settings.value("/Settings/Devices/aggregatebatteries/CustomName") == .string("Bank"))
        let read = try call(bench, "/Settings/Devices/aggregatebatteries/CustomName", "com.victronenergy.BusItem", "GetValue")
        #expect(read == #"v s "Bank""#)

        // Existing: OvervoltageFeedIn is 1; adding it with default 0 keeps 1.
        let again = try call(bench, "/Settings", "com.victronenergy.Settings", "AddSetting", "ssvsvv",
                             "CGwacs", "OvervoltageFeedIn", "i", "0", "i", "i", "0", "i", "1")
        #expect(again == "i 0")
        #expect(bench.venus.settings.value(Self.feedIn) == .int32(1))
    }

    @Test func addSettingReportsLocalsettingsErrorCodes() throws {
        let bench = try SimulatorBench()
        func add(_ group: String, _ name: String, _ type: String, _ defaultType: String, _ defaultValue: String,
                 _ low: String, _ high: String, on path: String = "/Settings") throws -> String {
            try call(bench, path, "com.victronenergy.Settings", "AddSetting", "ssvsvv", group, name,
                     defaultType, defaultValue, type, defaultType, low, defaultType, high)
        }
        #expect(try add("CGwacs", "OvervoltageFeedIn", "f", "d", "0", "0", "1") == "i -5")  // type differs
        #expect(try add("Foo", "Bar", "x", "i", "0", "0", "1") == "i -3")                  // unknown type
        #expect(try add("Foo", "Bar", "i", "i", "5", "0", "1") == "i -7")                  // default out of range
        #expect(try add("Foo", "_Bar", "i", "i", "0", "0", "1") == "i -2")                 // leading underscore
        #expect(try add("", "CGwacs", "i", "i", "0", "0", "1") == "i -8")                  // a group
        #expect(try add("Other", "Thing", "i", "i", "0", "0", "1", on: "/") == "i -9")      // not under /Settings
    }

    @Test func addSettingsTakesAListAndAnswersPerEntry() throws {
        let bench = try SimulatorBench()
        let reply = try call(bench, "/", "com.victronenergy.Settings", "AddSettings", "aa{sv}", "2",
                             "2", "path", "s", "/Settings/Devices/mybat/CustomName", "default", "s", "",
                             "4", "path", "s", "/Settings/Test/Level", "default", "i", "3", "min", "i", "0", "max", "i", "5")
        #expect(reply.contains(#""path" s "/Settings/Devices/mybat/CustomName" "error" i 0 "value" s """#), "\(reply)")
        #expect(reply.contains(#""path" s "/Settings/Test/Level" "error" i 0 "value" i 3"#), "\(reply)")
        #expect(bench.venus.settings.store["/Settings/Test/Level"]?.kind == .integer)
    }

    @Test func setValueChangesTheSettingAndSignalsPropertiesChanged() throws {
        let bench = try SimulatorBench()
        let monitor = try bench.readyMonitor()
        #expect(monitor.value(SimulatedSettings.serviceName, Self.feedIn) == .int32(1))
        var changes: [String] = []
        monitor.onValuesChanged = { service, paths in
            if service == SimulatedSettings.serviceName { changes += paths.map { monitor.path($0) } }
        }
        #expect(try call(bench, Self.feedIn, "com.victronenergy.BusItem", "SetValue", "v", "i", "0") == "i 0")
        #expect(bench.fixture.spin(until: { monitor.value(SimulatedSettings.serviceName, Self.feedIn) == .int32(0) }))
        #expect(changes == [Self.feedIn])

        // Out of range: refused with −1, value unchanged. A float is cast to the integer type.
        #expect(try call(bench, Self.feedIn, "com.victronenergy.BusItem", "SetValue", "v", "i", "5") == "i -1")
        #expect(bench.venus.settings.value(Self.feedIn) == .int32(0))
        #expect(try call(bench, Self.feedIn, "com.victronenergy.BusItem", "SetValue", "v", "d", "1.7") == "i 0")
        #expect(bench.venus.settings.value(Self.feedIn) == .int32(1))
        #expect(try call(bench, Self.feedIn, "com.victronenergy.BusItem", "SetValue", "v", "s", "on") == "i -1")
        #expect(try call(bench, Self.feedIn, "com.victronenergy.BusItem", "GetMax") == "v i 1")
    }
}
