import BusTestSupport
import HostCore
import Simulator
import Testing
import VeDbus

/// The world the real drivers make, on a real dbus-daemon: batteries that publish each changed
/// path on its own and nothing while at rest, that come back under another name, that lose their
/// BMS while staying on the bus, that send nonsense. Each test failed before its fix.
@Suite(.serialized) struct RealWorldPackTests {
    static let base = ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "False"]

    static func threePacks() -> SimulationConfig {
        var simulation = SimulationConfig()
        simulation.batteryCount = 3
        return simulation
    }

    /// A resting bank sends no signal at all for minutes while healthy; it must stay whole
    /// (before: every pack stale after STALE_TIMEOUT, "no battery online", CCL = DCL = 0).
    @Test func aRestingBankStaysWholeForMinutes() throws {
        let harness = try DaemonHarness(config: Self.base, simulation: Self.threePacks(), scenario: .resting)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 3)
        let sent = harness.venus.batteries.map(\.publishCount)
        let chargeCurrent = try #require(harness.number(.maxChargeCurrent))
        #expect(chargeCurrent > 0)
        harness.run(seconds: 180)
        #expect(harness.venus.batteries.map(\.publishCount) == sent, "the batteries were not at rest")
        #expect(harness.number(.batteriesOnline) == 3, Comment(rawValue: harness.logs.text))
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.alarmBmsCable) == 0)
        #expect(harness.number(.maxChargeCurrent) == chargeCurrent)
        #expect((harness.number(.maxDischargeCurrent) ?? 0) > 0)
        #expect(harness.number(.soc) != nil)
        #expect(harness.logs.count(containing: "-> stale") == 0, Comment(rawValue: harness.logs.text))
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    /// A BMS whose USB adapter is enumerated again comes back under another service name with
    /// the same identity: the same pack, the bank whole again within a few ticks, no ghost
    /// (before: "4 batteries found, NR_OF_BATTERIES = 3" and blocked until a restart).
    @Test func aReenumeratedPackIsTheSamePackAndLeavesNoGhost() throws {
        let harness = try DaemonHarness(config: Self.base, simulation: Self.threePacks(), scenario: .batteryReenumerates)
        harness.run(seconds: 11)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.published(.batteriesState).string?.hasPrefix("degraded") == true)
        harness.run(seconds: Int(Scenario.reenumerateReturn) - 11 + 3)
        #expect(harness.venus.batteries[2].serviceName == "com.victronenergy.battery.ttyUSB4")
        #expect(harness.number(.batteriesOnline) == 3, Comment(rawValue: harness.logs.text))
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.alarmBmsCable) == 0)
        #expect(harness.number(.modulesOffline) == 0)
        #expect(harness.logs.count(containing: "is back as com.victronenergy.battery.ttyUSB4") == 1,
                Comment(rawValue: harness.logs.text))
        // Past OFFLINE_BLOCK_AFTER (60 s): nothing is missing, so nothing blocks.
        harness.run(seconds: 70)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect((harness.number(.maxChargeCurrent) ?? 0) > 0)
        #expect(harness.logs.count(containing: "batteries found") == 0, Comment(rawValue: harness.logs.text))
    }

    /// Services that appear briefly and leave (a driver probing ports, a test tool) never raise
    /// the expected count (before: 100 such names, "102 batteries found", blocked until a restart).
    @Test func briefServicesNeverRaiseTheExpectedCount() throws {
        let harness = try DaemonHarness(config: Self.base)
        harness.run(seconds: 2)
        let parameters = SimulationConfig().batteryParameters(0)
        for batch in 0..<10 {
            var brief: [SimulatedBattery] = []
            for index in 0..<10 {
                let number = batch * 10 + index
                let battery = SimulatedBattery(port: "ttyACM\(number)", deviceInstance: Int32(100 + number),
                                               parameters: parameters, socPercent: 50,
                                               address: .address(harness.fixture.bus.address), loop: harness.fixture.loop)
                try battery.connect()
                brief.append(battery)
            }
            harness.settle()
            harness.run(seconds: 2)
            for battery in brief { battery.vanish() }
            harness.settle()
            harness.run(seconds: 1)
        }
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.published(.batteriesState) == .string("ok"), Comment(rawValue: harness.logs.text))
        #expect(harness.number(.alarmBmsCable) == 0)
        harness.run(seconds: 70)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect((harness.number(.maxChargeCurrent) ?? 0) > 0)
    }

    /// While a pack is missing the packs online must not be asked to carry the whole bank's
    /// current, whatever the strategy, and the own coulomb counter must not jump (before: CCL and
    /// DCL unchanged for OFFLINE_BLOCK_AFTER; /Soc 60 % -> 100 % -> 33 % -> 50 %).
    @Test(arguments: ["True", "False"])
    func anOutageScalesTheLimitsAndTheOwnSocMovesSmoothly(ownCharge: String) throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": ownCharge, "OWN_SOC": "True"],
                                        simulation: Self.threePacks(), scenario: .batteryVanishesAndReturns)
        var socs: [Double] = []
        func run(_ seconds: Int) {
            for _ in 0..<seconds {
                harness.run(seconds: 1)
                if let soc = harness.number(.soc) { socs.append(soc) }
            }
        }
        run(9)
        let wholeCharge = try #require(harness.number(.maxChargeCurrent))
        let wholeDischarge = try #require(harness.number(.maxDischargeCurrent))
        #expect(wholeCharge > 0 && wholeDischarge > 0)
        run(3)
        #expect(harness.number(.batteriesOnline) == 2)
        // Equal packs: two of three carry two thirds.
        let charge = try #require(harness.number(.maxChargeCurrent))
        let discharge = try #require(harness.number(.maxDischargeCurrent))
        #expect(abs(charge - wholeCharge * 2 / 3) <= 1, "CCL \(charge) of \(wholeCharge)")
        #expect(abs(discharge - wholeDischarge * 2 / 3) <= 1, "DCL \(discharge) of \(wholeDischarge)")
        #expect(harness.published(.limitReason).string?.contains("scaled to the packs online") == true)
        run(Int(Scenario.vanishEnd) - 12 + 3)
        #expect(harness.number(.batteriesOnline) == 3)
        #expect(abs((harness.number(.maxChargeCurrent) ?? 0) - wholeCharge) <= 1)
        for (before, after) in zip(socs, socs.dropFirst()) {
            #expect(abs(after - before) < 0.5, "SoC jumped from \(before) to \(after): \(socs)")
        }
    }

    /// A driver that lost its BMS stays on the bus and answers; it says so itself (offline,
    /// invalid V/I/P, BmsCable): the pack leaves the bank, the bank degrades, then blocks, and
    /// recovers when the driver reads its BMS again.
    @Test func aDriverThatLostItsBmsTakesThePackOutOfTheBank() throws {
        let harness = try DaemonHarness(config: Self.base, simulation: Self.threePacks(), scenario: .bmsLinkLost)
        harness.run(seconds: Int(Scenario.faultStart) + 5)
        #expect(harness.number(.batteriesOnline) == 3, "before the driver's own 10 s, the last values stand")
        harness.run(seconds: 7)
        #expect(harness.number(.batteriesOnline) == 2, Comment(rawValue: harness.logs.text))
        #expect(harness.published(.batteriesState).string?.hasPrefix("degraded") == true)
        #expect(harness.logs.count(containing: "reports its BMS offline") == 1, Comment(rawValue: harness.logs.text))
        harness.run(seconds: 60)
        #expect(harness.published(.batteriesState).string?.hasPrefix("blocked") == true)
        #expect(harness.number(.maxChargeCurrent) == 0)
        harness.run(seconds: Int(Scenario.linkLostEnd) - Int(harness.venus.time) + 2)
        #expect(harness.number(.batteriesOnline) == 3)
        #expect(harness.published(.batteriesState) == .string("ok"))
    }

    /// Readings no pack can produce keep that pack out for the tick, logged with pack, path and
    /// value, and at most once a minute while they repeat (before: -13 V made the bank 0.1 V, a
    /// current of a byte 200 became 205 A).
    @Test func unphysicalReadingsKeepThePackOut() throws {
        let harness = try DaemonHarness(config: Self.base, simulation: Self.threePacks())
        harness.run(seconds: 3)
        let wrong = harness.venus.batteries[0]
        let cases: [(String, DBusValue, String)] = [
            ("/Dc/0/Voltage", .int64(-13), "/Dc/0/Voltage -13.000 V is not physical"),
            ("/Dc/0/Current", .byte(200), "/Dc/0/Current sent as an unsigned y (200.000)"),
            ("/Voltages/Cell4", .double(7.2), "/Voltages/Cell4 7.200 V outside 0...5 V"),
        ]
        for (path, value, logged) in cases {
            wrong.overriddenValues = [path: value]
            harness.run(seconds: 5)
            #expect(harness.number(.batteriesOnline) == 2, "\(path)")
            let voltage = try #require(harness.number(.voltage))
            #expect(voltage > 40 && voltage < 60, "bank voltage \(voltage) with \(path) = \(value)")
            #expect(abs(harness.number(.current) ?? 99) < 20, "bank current with \(path) = \(value)")
            #expect(harness.logs.count(containing: logged) == 1, Comment(rawValue: harness.logs.text))
            wrong.overriddenValues = [:]
            harness.run(seconds: 2)
            #expect(harness.number(.batteriesOnline) == 3, "\(path)")
        }
        // A value that changes every second is one line a minute, not one a tick.
        for second in 0..<10 {
            wrong.overriddenValues = ["/Dc/0/Voltage": .double(-20 - Double(second))]
            harness.run(seconds: 1)
            wrong.overriddenValues = [:]
            harness.run(seconds: 1)
        }
        #expect(harness.logs.count(containing: "online -> invalid (/Dc/0/Voltage") == 1, Comment(rawValue: harness.logs.text))
        // A pack far from the other packs' voltage (its cells agree with it: a wrong shunt scale).
        wrong.overriddenValues = ["/Dc/0/Voltage": .double(45)]
        for cell in 1...16 { wrong.overriddenValues["/Voltages/Cell\(cell)"] = .double(45.0 / 16) }
        wrong.overriddenValues["/Voltages/Sum"] = .double(45)
        harness.run(seconds: 3)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.logs.count(containing: "far from the other packs'") == 1, Comment(rawValue: harness.logs.text))
    }
}
