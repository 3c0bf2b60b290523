import BusTestSupport
import Testing
import VeDbus
@testable import HostCore

/// §4: /CustomName is "AggregateBatteries" until the user names the battery; an empty or absent
/// setting /Settings/Devices/aggregatebatteries/CustomName does not replace it.
@Suite("Aggregate /CustomName default", .serialized)
struct AggregateCustomNameTests {
    @Test func theServiceStartsWithTheDefaultNameAndAnEmptyNameShowsIt() throws {
        let fixture = try BusFixture()
        let aggregate = AggregateService(connection: try fixture.connect())
        #expect(aggregate.service["/CustomName"] == .string("AggregateBatteries"))
        aggregate.setCustomName("House bank")
        #expect(aggregate.service["/CustomName"] == .string("House bank"))
        aggregate.setCustomName("")
        #expect(aggregate.service["/CustomName"] == .string("AggregateBatteries"))
    }

    @Test(arguments: [
        (DBusValue.string("House bank"), "House bank" as String?),
        (.string(""), nil), (.invalid, nil), (.int32(7), nil),
    ])
    func onlyANonEmptySettingReplacesTheDefault(stored: DBusValue, restored: String?) {
        #expect(CustomNameSetting.restoredName(stored) == restored)
    }

    /// A name cleared on the GX shows the default at once and is kept as "" in the settings.
    @Test func clearingTheNameOverTheBusShowsTheDefaultAndStoresEmpty() throws {
        let fixture = try BusFixture()
        let aggregate = AggregateService(connection: try fixture.connect())
        var saved: [String] = []
        aggregate.onCustomNameWritten = { saved.append($0) }
        try aggregate.register()
        func write(_ name: String) throws {
            let output = try fixture.tool("dbus-send", fixture.dbusSendAddress, "--print-reply",
                                          "--dest=\(AggregateService.serviceName)", "/CustomName",
                                          "com.victronenergy.BusItem.SetValue", "variant:string:\(name)")
            #expect(output.stdout.contains("int32 0"), Comment(rawValue: output.stdout + output.stderr))
        }
        try write("Boat")
        #expect(aggregate.service["/CustomName"] == .string("Boat"))
        try write("")
        #expect(aggregate.service["/CustomName"] == .string("AggregateBatteries"))
        #expect(saved == ["Boat", ""])
    }
}
