import Testing
@testable import HostCore

/// The published paths: one per case, in the reference's names, found again from the text.
@Suite struct AggregatePathTests {
    @Test func everyCaseHasItsOwnPath() {
        let paths = AggregatePath.allCases.map(\.path)
        #expect(Set(paths).count == AggregatePath.allCases.count)
        #expect(paths.allSatisfy { $0.hasPrefix("/") })
        #expect(AggregatePath.voltage.path == "/Dc/0/Voltage")
        #expect(AggregatePath.maxChargeVoltage.path == "/Info/MaxChargeVoltage")
        #expect(AggregatePath.batteriesState.path == "/Batteries/State")
    }

    @Test func everyBatteryAlarmIsPublished() {
        for alarm in BatteryAlarm.allCases {
            #expect(AggregatePath(path: alarm.path) != nil, "\(alarm.path) has no published path")
            #expect(AggregatePublisher.path(of: alarm).path == alarm.path)
        }
        #expect(AggregatePath(path: "/Not/Ours") == nil)
    }
}
