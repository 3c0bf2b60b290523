import Foundation
import PluginKit
import Testing
@testable import HostCore

/// Trace lines: what is written reads back the same, unknowns stay unknown, and a bad line is
/// refused with its line number and the member that is wrong.
@Suite struct TraceCodingTests {
    static func sampleTick() -> TraceTick {
        let battery = BatterySnapshot(
            name: "Pack \"A\"\n", service: "com.victronenergy.battery.ttyUSB0", voltage: 53.125, current: -12.5,
            power: -664.06, temperature: 21.3, socPercent: 57.5, capacityAh: 161, installedCapacityAh: 280,
            consumedAh: -119, timeToGoSeconds: nil, maxChargeVoltage: 55.2, maxChargeCurrent: 100,
            maxDischargeCurrent: 150, chargeMode: "Bulk ✓", voltagesSum: 53.12, minCellVoltage: 3.312,
            maxCellVoltage: 3.331, minCellId: "C3", maxCellId: nil, blockingCharge: 0, blockingDischarge: nil,
            cellVoltages: [3.312, nil, 3.331, 0.000001])
        let bank = BankSnapshot(voltage: 53.125, current: -12.5, power: -664.06, temperature: nil, installedCapacityAh: 280,
                                bmsSocPercent: 57.5, bmsCapacityAh: 161, bmsConsumedAh: -119, bmsTimeToGoSeconds: nil,
                                maxCellVoltage: 3.331, minCellVoltage: 3.312, maxCellId: "Pack A: C3", minCellId: nil,
                                blockingCharge: 0, blockingDischarge: 1, systemLowSoc: true)
        let context = TickContext(timeStepSeconds: 1.25, date: CalendarDate(year: 2026, month: 2, day: 28),
                                  batteriesExpected: 3, bank: bank, batteries: [battery])
        return TraceTick(timeSeconds: 12345.5, context: context, onlineCapacityShare: 0.5,
                         vetoes: PackVetoes(chargeBlockedBy: "Pack B", dischargeBlockedBy: nil, onlineChargeCurrent: 100,
                                            onlineDischargeCurrent: nil),
                         published: PublishedLimits(chargeVoltageLimit: 55.2, chargeCurrentLimit: 0, dischargeCurrentLimit: 75,
                                                    socPercent: nil, limitReason: "degraded, \\ a \"pack\" missing",
                                                    bmsCableAlarm: 1),
                         charge: ChargeResult(chargeVoltageLimit: 55.2, chargeCurrentLimit: 150, dischargeCurrentLimit: 150,
                                              feedInMustBeOff: true, bankFull: .yes, bankEmpty: .notGiven,
                                              limitReason: "CVL 55.20 V", strategyState: "idle"),
                         soc: SocResult(socPercent: 57.5, capacityAh: 161, consumedAh: -119, timeToGoSeconds: nil,
                                        strategyState: "counter 161 Ah"))
    }

    @Test func aTickReadsBackAsWritten() throws {
        let tick = Self.sampleTick()
        let line = TraceCoding.line(tick)
        #expect(!line.contains("\n"))
        let read = try TraceCoding.tick(from: line, line: 2).get()
        #expect(read == tick)
    }

    @Test func aFailedStrategyIsRecordedAsItsError() throws {
        var tick = Self.sampleTick()
        tick.charge = nil
        tick.chargeError = "no battery online"
        tick.soc = nil
        tick.socError = "counter lost"
        let read = try TraceCoding.tick(from: TraceCoding.line(tick), line: 5).get()
        #expect(read.chargeError == "no battery online" && read.charge == nil)
        #expect(read.socError == "counter lost" && read.soc == nil)
    }

    /// Any JSON reader reads the line: Foundation's parser sees the same numbers and nulls.
    @Test func foundationReadsTheSameLine() throws {
        let line = TraceCoding.line(Self.sampleTick())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["dt"] as? Double == 1.25)
        #expect(object["date"] as? String == "2026-02-28")
        let batteries = try #require(object["batteries"] as? [[String: Any]])
        let cells = try #require(batteries.first?["cell_voltages_v"] as? [Any])
        #expect(cells.count == 4)
        #expect(cells[1] is NSNull)
        #expect((cells[3] as? Double) == 0.000001)
        #expect(batteries.first?["name"] as? String == "Pack \"A\"\n")
        #expect(batteries.first?["time_to_go_s"] is NSNull)
    }

    @Test func theHeaderReadsBack() throws {
        let header = TraceHeader(source: "record", program: "dbus-aggregate-batteries 0.1.0", chargeStrategy: "OwnCharge",
                                 socStrategy: nil, config: [("NR_OF_BATTERIES", "2"), ("CELL_VOLTAGES_WHILE_CHARGING", "3.55, 3.50")],
                                 note: "a night")
        let read = try TraceCoding.header(from: TraceCoding.line(header)).get()
        #expect(read == header)
    }

    @Test(arguments: [
        ("{\"format\":\"other\",\"version\":1}", "not a trace"),
        ("{\"format\":\"dab-trace\",\"version\":2}", "trace version 2"),
        ("{\"format\":\"dab-trace\"}", "version"),
        ("{\"format\":\"dab-trace\",\"version\":1,\"config\":{\"NR_OF_BATTERIES\":2}}", "NR_OF_BATTERIES"),
        ("[1,2", "not JSON"),
    ])
    func aBadHeaderIsRefusedWithItsReason(text: String, expected: String) {
        guard case .failure(let error) = TraceCoding.header(from: text, line: 1) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(error.description.contains(expected), "\(error)")
        #expect(error.line == 1)
    }

    @Test func aBadTickNamesTheLineAndTheMember() throws {
        let good = TraceCoding.line(Self.sampleTick())
        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: "\"dt\":1.25", with: "\"dt\":\"x\""), "\"dt\""),
            (good.replacingOccurrences(of: "\"dt\":1.25", with: "\"dt\":-1"), "\"dt\""),
            (good.replacingOccurrences(of: "2026-02-28", with: "2026-02-30"), "\"date\""),
            (good.replacingOccurrences(of: "\"batteries\":[", with: "\"batteries\":{\"x\":["), "not JSON"),
            (good.replacingOccurrences(of: "[3.312,null", with: "[3.312,\"3.3\""), "cell voltage"),
            (String(good.dropLast()), "not JSON"),
        ]
        for (line, expected) in cases {
            guard case .failure(let error) = TraceCoding.tick(from: line, line: 17) else {
                Issue.record("accepted: \(line.prefix(80))")
                continue
            }
            #expect(error.line == 17)
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test(arguments: [("2024-02-29", true), ("2023-02-29", false), ("2026-13-01", false), ("2026-04-31", false),
                      ("2026-1-01", false), ("1900-02-29", false), ("2000-02-29", true)])
    func datesMustExist(text: String, valid: Bool) {
        #expect((TraceCoding.date(text) != nil) == valid)
    }

    @Test(arguments: [(3.3, "3.3"), (52.0, "52"), (-0.15, "-0.15"), (0.0000004, "0"), (-0.0000004, "0"),
                      (1e15, "1000000000000000"), (12345.678901234, "12345.678901")])
    func numbersAreShortAndExact(value: Double, text: String) {
        #expect(JSONWriter.numberText(value) == text)
    }
}
