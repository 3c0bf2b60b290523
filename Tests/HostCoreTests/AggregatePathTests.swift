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

    /// §4: the reference's fourteen alarms, by name, written out here rather than taken from
    /// `BatteryAlarm` (a missing or misspelt case would otherwise check itself).
    @Test func theAlarmsAreTheReferencesFourteen() {
        let names = ["LowVoltage", "HighVoltage", "LowCellVoltage", "HighCellVoltage", "LowSoc", "HighChargeCurrent",
                     "HighDischargeCurrent", "CellImbalance", "InternalFailure", "HighChargeTemperature",
                     "LowChargeTemperature", "HighTemperature", "LowTemperature", "BmsCable"]
        #expect(Set(BatteryAlarm.allCases.map(\.path)) == Set(names.map { "/Alarms/" + $0 }))
        #expect(BatteryAlarm.allCases.count == 14)
    }

    /// §4's text forms, path by path: voltages "%.2fV", cell values "%.3fV", currents "%.2fA",
    /// the current limits "%.1fA", power "%.0fW".
    @Test func eachPathHasTheReferencesTextForm() {
        func text(_ path: AggregatePath, _ value: Double) -> String? { path.format?(.double(value)) }
        #expect(text(.voltage, 53.204) == "53.20V")
        #expect(text(.maxChargeVoltage, 55.2) == "55.20V")
        #expect(text(.maxCellVoltage, 3.4567) == "3.457V")
        #expect(text(.minCellVoltage, 3.2) == "3.200V")
        #expect(text(.current, -12.345) == "-12.35A")
        #expect(text(.maxChargeCurrent, 100) == "100.0A")
        #expect(text(.maxDischargeCurrent, 149.96) == "150.0A")
        #expect(text(.power, -662.5) == "-662W")
        #expect(text(.capacity, 560.4) == "560Ah")
    }
}
