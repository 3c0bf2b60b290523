import BusTestSupport
import HostCore
import PluginKit
import Simulator
import Testing
import VeDbus

/// The four combinations of OWN_CHARGE_PARAMETERS and OWN_SOC on the steady scenario: each
/// publishes what the reference rules give for the values the simulated BMSes publish.
/// Expected numbers are computed here from the simulator's own state, not from our code.
@Suite(.serialized) struct StrategyCombinationTests {
    static let simulation: SimulationConfig = {
        var config = SimulationConfig()
        config.batteryCount = 2
        config.cellsPerBattery = 16
        config.capacityAh = 280
        config.initialSocPercent = 55
        config.maxChargeCurrentA = 70
        config.maxDischargeCurrentA = 90
        return config
    }()

    /// January: CHARGE_VOLTAGE_LIST starts with 3.55 V per cell.
    static let january = CalendarDate(year: 2027, month: 1, day: 10)

    /// Piecewise linear, clamped: the reference's interp, written again here on purpose.
    static func interpolate(_ x: Double, _ xs: [Double], _ ys: [Double]) -> Double {
        if x <= xs[0] { return ys[0] }
        for i in 1..<xs.count where x <= xs[i] {
            return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / (xs[i] - xs[i - 1])
        }
        return ys[ys.count - 1]
    }

    /// What the simulated BMSes publish, read from the simulator itself.
    struct BmsView {
        var socs: [Double]
        var installed: [Double]
        var chargeVoltageLimits: [Double]
        var chargeCurrentLimits: [Double]
        var dischargeCurrentLimits: [Double]
        var maxCell: Double
        var minCell: Double

        /// Reads what each simulated BMS has published on the bus.
        init(_ venus: SimulatedVenus) {
            func published(_ battery: SimulatedBattery, _ path: String) -> Double {
                battery.service?[path]?.number ?? .nan
            }
            socs = venus.batteries.map { published($0, "/Soc") }
            installed = venus.batteries.map { published($0, "/InstalledCapacity") }
            chargeVoltageLimits = venus.batteries.map { published($0, "/Info/MaxChargeVoltage") }
            chargeCurrentLimits = venus.batteries.map { published($0, "/Info/MaxChargeCurrent") }
            dischargeCurrentLimits = venus.batteries.map { published($0, "/Info/MaxDischargeCurrent") }
            maxCell = venus.batteries.map { published($0, "/System/MaxCellVoltage") }.max()!
            minCell = venus.batteries.map { published($0, "/System/MinCellVoltage") }.min()!
        }

        var weightedSoc: Double {
            zip(socs, installed).map { $0 * $1 }.reduce(0, +) / installed.reduce(0, +)
        }
    }

    @Test func combineLimitsAndAverageSoc() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "False"],
                                        simulation: Self.simulation, date: Self.january)
        harness.run(seconds: 3)
        let bms = BmsView(harness.venus)
        // 3.3: CVL = min BMS CVL; CCL/DCL = min x batteries online, within MAX_*_CURRENT (200 A).
        #expect(harness.number(.maxChargeVoltage) == bms.chargeVoltageLimits.min())
        #expect(harness.number(.maxChargeCurrent) == min(200, bms.chargeCurrentLimits.min()! * 2))
        #expect(harness.number(.maxDischargeCurrent) == min(200, bms.dischargeCurrentLimits.min()! * 2))
        // 3.1: capacity-weighted SoC, summed capacities.
        let soc = try #require(harness.number(.soc))
        #expect(abs(soc - bms.weightedSoc) < 0.01)
        #expect(harness.number(.installedCapacity) == 560)
        #expect(harness.published(.chargeStrategy) == .string("BMSCombine"))
        #expect(harness.published(.socStrategy) == .string("BMSAverage"))

        // Checked again with busctl, a client we did not write.
        let items = try harness.tool("busctl", harness.fixture.busctlAddress, "call", AggregateService.serviceName, "/",
                                     "com.victronenergy.BusItem", "GetItems")
        #expect(items.status == 0, Comment(rawValue: items.stderr))
        let cvlText = TextFormat.fixedPoint(bms.chargeVoltageLimits.min()!, decimals: 2) + "V"
        #expect(items.stdout.contains("\"/Info/MaxChargeVoltage\" 2 \"Value\" d "), Comment(rawValue: items.stdout))
        #expect(items.stdout.contains("\"Text\" s \"\(cvlText)\""), Comment(rawValue: items.stdout))
        #expect(items.stdout.contains("\"/InstalledCapacity\" 2 \"Value\" d 560 \"Text\" s \"560Ah\""))
        #expect(items.stdout.contains("\"/ProductName\" 2 \"Value\" s \"AggregateBatteries\""))
        // §4's identity paths, with the reference's values (0xBA44 = 47684).
        for identity in ["\"/DeviceInstance\" 2 \"Value\" i 99 ", "\"/ProductId\" 2 \"Value\" i 47684 ",
                         "\"/Mgmt/Connection\" 2 \"Value\" s \"Virtual\"", "\"/Connected\" 2 \"Value\" i 1 ",
                         "\"/Mgmt/ProcessName\" 2 \"Value\" s \"dbus-aggregate-batteries\""] {
            #expect(items.stdout.contains(identity), Comment(rawValue: identity))
        }
    }

    @Test func ownChargeWithAveragedSoc() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "True", "OWN_SOC": "False"],
                                        simulation: Self.simulation, date: Self.january)
        harness.run(seconds: 3)
        let bms = BmsView(harness.venus)
        // 3.4: January CVL = 16 x 3.55 V (balancing 3.40 V is lower: every charge is full).
        let cvl = try #require(harness.number(.maxChargeVoltage))
        #expect(abs(cvl - 16 * 3.55) < 1e-9)
        // CCL from the default charge table over the highest cell; DCL from the discharge table.
        let charge = 200 * Self.interpolate(bms.maxCell, [2.90, 2.95, 3.30, 3.40, 3.45], [0.2, 1, 1, 0.1, 0])
        let discharge = 200 * Self.interpolate(bms.minCell, [2.90, 3.00, 3.10], [0, 0.05, 1])
        #expect(abs(try #require(harness.number(.maxChargeCurrent)) - charge) < 0.5)
        #expect(abs(try #require(harness.number(.maxDischargeCurrent)) - discharge) < 0.5)
        #expect(abs(try #require(harness.number(.soc)) - bms.weightedSoc) < 0.01)
        #expect(harness.published(.chargeStrategy) == .string("OwnCharge"))
    }

    @Test func combinedLimitsWithOwnCounter() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "True"],
                                        simulation: Self.simulation, date: Self.january)
        harness.run(seconds: 1)
        let startSoc = BmsView(harness.venus).weightedSoc
        // No stored charge: the counter starts from the BMSes' SoC, never from 0.
        let first = try #require(harness.number(.soc))
        #expect(abs(first - startSoc) < 0.2)
        let firstCapacity = try #require(harness.number(.capacity))
        harness.run(seconds: 60)
        // 3.5: charge += I x dt / 3600 (x 0.98 when charging), with I the bank current.
        let capacity = try #require(harness.number(.capacity))
        let current = harness.venus.bankCurrentA
        let expected = firstCapacity + (current > 0 ? current * 0.98 : current) * 60 / 3600
        #expect(abs(capacity - expected) < 0.05, "counter \(capacity) Ah, expected \(expected) Ah at \(current) A")
        #expect(abs(try #require(harness.number(.soc)) - 100 * capacity / 560) < 1e-6)
        #expect(abs(try #require(harness.number(.consumedAmphours)) - (capacity - 560)) < 1e-6)
        #expect(harness.published(.socStrategy) == .string("OwnSoC"))
    }

    /// A simulation that runs faster than the wall clock (the demo's --speed): the counter
    /// integrates the simulation's seconds, not the loop's.
    @Test func theCounterIntegratesScaledTime() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "True"],
                                        simulation: Self.simulation, date: Self.january)
        harness.daemon.timeScale = 10
        harness.venus.profile = .constant(batteryA: -100, solarA: 0)
        harness.run(seconds: 2)
        let before = try #require(harness.number(.capacity))
        harness.run(seconds: 18)
        let counted = before - (try #require(harness.number(.capacity)))
        // 18 ticks of 10 battery seconds at about 100 A: 5 Ah (1 Ah if the scale were ignored).
        #expect(abs(counted - 100 * 180 / 3600) < 0.5, "counted \(counted) Ah")
    }

    @Test func ownChargeAndOwnCounterKeepTheirStateAcrossARestart() throws {
        // A stored charge of the Python program's format, and an old day-of-year balancing file.
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "True", "OWN_SOC": "True"],
                                        simulation: Self.simulation, date: Self.january,
                                        stateFiles: ["storedvalue_charge": "140.000", "storedvalue_last_balancing": "5"])
        harness.run(seconds: 2)
        // The stored 140 Ah wins over the BMSes' 55 %: 140 / 560 = 25 %.
        let soc = try #require(harness.number(.soc))
        #expect(abs(soc - 25) < 0.2, "SoC \(soc)")
        let state = harness.published(.chargeStrategyState).string ?? ""
        #expect(state.contains("2027-01-05"), Comment(rawValue: state))
        let before = try #require(harness.number(.capacity))
        try harness.restart()
        #expect(harness.stateFile("storedvalue_charge") != nil)
        harness.run(seconds: 1)
        let after = try #require(harness.number(.capacity))
        #expect(abs(after - before) < 0.2, "after restart \(after) Ah, before \(before) Ah")
        // The balancing date is kept as a real date now.
        #expect(harness.stateFile("storedvalue_last_balancing")?.contains("2027-01-05") == true)
    }
}
