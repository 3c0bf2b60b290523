import BusTestSupport
import HostCore
import Simulator
import Testing
import VeDbus

/// Battery faults are states, not exits: each test injects one fault through the simulator and
/// checks what the aggregate publishes, while dbus-monitor proves the service never left the bus.
@Suite(.serialized) struct FaultBatteryStateTests {
    /// Short time-outs so the tests step through every state in a few dozen simulated seconds.
    static let config = ["STALE_TIMEOUT": "5", "OFFLINE_BLOCK_AFTER": "15", "STARTUP_WAIT": "8",
                         "OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "False"]

    /// The simulator's per-battery CCL and DCL (defaults of SimulationConfig), A.
    static let batteryChargeCurrent = SimulationConfig().maxChargeCurrentA
    static let batteryDischargeCurrent = SimulationConfig().maxDischargeCurrentA

    @Test func registersOnlyWithACompleteSampleAndThenTheLateBatteryJoins() throws {
        let harness = try DaemonHarness(config: Self.config)
        // The second battery is not there at start-up.
        harness.venus.batteries[1].vanish()
        harness.settle()
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 7)
        // Before STARTUP_WAIT: not on the bus, so nobody can read placeholder values.
        #expect(!harness.daemon.service.isRegistered)
        let early = try harness.tool("busctl", harness.fixture.busctlAddress, "status", AggregateService.serviceName)
        #expect(early.status != 0)
        harness.run(seconds: 2)
        #expect(harness.daemon.service.isRegistered)
        #expect(harness.logs.count(containing: "registered degraded", atLeast: .warning) == 1, Comment(rawValue: harness.logs.text))
        #expect(harness.number(.batteriesOnline) == 1)
        #expect(harness.published(.batteriesExpected) == .int32(2))
        #expect(harness.published(.batteriesState).string?.hasPrefix("degraded") == true)
        #expect(harness.number(.alarmBmsCable) == 1)
        // Real values from the battery that is there, never zeros.
        let voltage = try #require(harness.number(.voltage))
        #expect(voltage > 40)
        #expect(harness.number(.installedCapacity) == SimulationConfig().capacityAh)

        // The missing battery appears: picked up without a restart.
        try harness.venus.batteries[1].returnToBus()
        harness.settle()
        harness.run(seconds: 2)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.alarmBmsCable) == 0)
        #expect(harness.number(.installedCapacity) == 2 * SimulationConfig().capacityAh)
        #expect(harness.logs.count(containing: "all batteries online again") == 1, Comment(rawValue: harness.logs.text))
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func aFrozenBatteryGoesStaleThenBlocksThenRecovers() throws {
        let harness = try DaemonHarness(config: Self.config, scenario: .batteryFreezes)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 9)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.maxChargeCurrent) == 2 * Self.batteryChargeCurrent)
        // Frozen at 10 s; stale after STALE_TIMEOUT (5 s) of silence.
        harness.run(seconds: 8)
        #expect(harness.number(.batteriesOnline) == 1)
        #expect(harness.published(.batteriesState).string?.hasPrefix("degraded") == true,
                Comment(rawValue: harness.logs.text))
        #expect(harness.number(.alarmBmsCable) == 1)
        #expect(harness.number(.modulesOffline) == 1)
        // Degraded: limits of the batteries online, the stale one's values are not used.
        #expect(harness.number(.maxChargeCurrent) == Self.batteryChargeCurrent)
        #expect(harness.number(.installedCapacity) == SimulationConfig().capacityAh)
        #expect(harness.logs.count(containing: "stale") >= 1, Comment(rawValue: harness.logs.text))
        // Still frozen after OFFLINE_BLOCK_AFTER: no charge, no discharge.
        harness.run(seconds: 20)
        #expect(harness.published(.batteriesState).string?.hasPrefix("blocked") == true,
                Comment(rawValue: harness.logs.text))
        #expect(harness.number(.maxChargeCurrent) == 0)
        #expect(harness.number(.maxDischargeCurrent) == 0)
        #expect(harness.number(.alarmBmsCable) == 2)
        // The battery publishes again at 70 s: automatic recovery.
        harness.run(seconds: 40)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.maxChargeCurrent) == 2 * Self.batteryChargeCurrent)
        #expect(harness.number(.alarmBmsCable) == 0)
        #expect(harness.logs.count(containing: "all batteries online again") == 1, Comment(rawValue: harness.logs.text))
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func aBatteryThatLeavesIsGoneThenBlocksThenRecovers() throws {
        let harness = try DaemonHarness(config: Self.config, scenario: .batteryVanishesAndReturns)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 12)
        #expect(harness.number(.batteriesOnline) == 1)
        #expect(harness.number(.modulesOffline) == 1)
        #expect(harness.number(.alarmBmsCable) == 1)
        #expect(harness.number(.maxChargeCurrent) == Self.batteryChargeCurrent)
        #expect(harness.number(.maxDischargeCurrent) == Self.batteryDischargeCurrent)
        #expect(harness.logs.count(containing: "-> gone") == 1, Comment(rawValue: harness.logs.text))
        harness.run(seconds: 16)
        #expect(harness.published(.batteriesState).string?.hasPrefix("blocked") == true)
        #expect(harness.number(.maxChargeCurrent) == 0)
        #expect(harness.number(.maxDischargeCurrent) == 0)
        // CVL stays valid, so DVCC keeps honouring CCL = DCL = 0.
        #expect(harness.number(.maxChargeVoltage) != nil)
        harness.run(seconds: 14)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.maxChargeCurrent) == 2 * Self.batteryChargeCurrent)
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func invalidValuesAndAWrongTypeMakeABatteryInvalidNotACrash() throws {
        let harness = try DaemonHarness(config: Self.config, scenario: .invalidValues)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 12)
        #expect(harness.number(.batteriesOnline) == 1)
        #expect(harness.published(.batteriesState).string?.hasPrefix("degraded") == true)
        #expect(harness.number(.alarmBmsCable) == 1)
        // The invalid battery's string voltage is not averaged in.
        let second = harness.venus.batteries[1].service?["/Dc/0/Voltage"]?.number
        #expect(harness.number(.voltage) == second)
        #expect(harness.logs.count(containing: "invalid (") == 1, Comment(rawValue: harness.logs.text))
        harness.run(seconds: 30)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.published(.batteriesState) == .string("ok"))
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func noBatteryOnlineStopsCurrentsInvalidatesValuesAndStaysRegistered() throws {
        let harness = try DaemonHarness(config: Self.config)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 3)
        let cvl = try #require(harness.number(.maxChargeVoltage))
        for battery in harness.venus.batteries { battery.vanish() }
        harness.settle()
        harness.run(seconds: 2)
        #expect(harness.daemon.service.isRegistered)
        #expect(harness.number(.batteriesOnline) == 0)
        #expect(harness.published(.batteriesState) == .string("no battery online: CCL = DCL = 0"))
        #expect(harness.number(.maxChargeCurrent) == 0)
        #expect(harness.number(.maxDischargeCurrent) == 0)
        #expect(harness.number(.maxChargeVoltage) == cvl)
        #expect(harness.published(.voltage).isInvalid)
        #expect(harness.published(.soc).isInvalid)
        #expect(harness.number(.alarmBmsCable) == 2)
        #expect(harness.number(.modulesOffline) == 2)
        // Checked with busctl too: the name is still owned and answers.
        let items = try harness.tool("busctl", harness.fixture.busctlAddress, "call", AggregateService.serviceName, "/Soc",
                                     "com.victronenergy.BusItem", "GetValue")
        #expect(items.status == 0, Comment(rawValue: items.stderr))
        for battery in harness.venus.batteries { try battery.returnToBus() }
        harness.settle()
        harness.run(seconds: 2)
        #expect(harness.published(.batteriesState) == .string("ok"))
        #expect(harness.number(.maxChargeCurrent) == 2 * Self.batteryChargeCurrent)
        #expect(harness.number(.soc) != nil)
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func anUnexpectedExtraBatteryIsAVisibleWarningNotAnExit() throws {
        var simulation = SimulationConfig()
        simulation.batteryCount = 3
        var config = Self.config
        config["NR_OF_BATTERIES"] = "2"
        let harness = try DaemonHarness(config: config, simulation: simulation)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 3)
        #expect(harness.daemon.service.isRegistered)
        #expect(harness.published(.batteriesExpected) == .int32(2))
        #expect(harness.number(.batteriesOnline) == 3)
        let state = harness.published(.batteriesState).string ?? ""
        #expect(state.contains("3 batteries found") && state.contains("NR_OF_BATTERIES = 2"), Comment(rawValue: state))
        #expect(harness.logs.count(containing: "NR_OF_BATTERIES", atLeast: .warning) == 1, Comment(rawValue: harness.logs.text))
        // The extra battery is real capacity in parallel: it counts.
        #expect(harness.number(.installedCapacity) == 3 * simulation.capacityAh)
        // One of the three freezes: that must still show, although 2 (= NR_OF_BATTERIES) are online.
        harness.venus.batteries[2].isFrozen = true
        harness.run(seconds: 7)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.number(.alarmBmsCable) == 1, Comment(rawValue: harness.logs.text))
        #expect(harness.published(.batteriesState).string?.hasPrefix("degraded") == true)
        #expect(harness.number(.modulesOffline) == 1)
        watcher.expectRegisteredOnceAndNeverDropped()
    }
}
