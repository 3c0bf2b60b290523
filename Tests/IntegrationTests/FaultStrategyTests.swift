import BusTestSupport
import Foundation
import HostCore
import Simulator
import Testing
import VeDbus

/// A charge strategy that fails, gives NaN or absurd values, or cannot even be created: the
/// guard publishes safe limits (CCL = DCL = 0, last valid CVL) with an alarm and a log line, the
/// SoC strategy keeps running, and the service stays on the bus.
@Suite(.serialized) struct FaultStrategyTests {
    static func harness(strategy: FaultyPlugins.Fault) throws -> (DaemonHarness, String) {
        let plugins = try FaultyPlugins.makeFolder()
        let harness = try DaemonHarness(config: ["CHARGE_STRATEGY": strategy.rawValue, "OWN_SOC": "False"],
                                        pluginDirectory: plugins)
        return (harness, plugins)
    }

    /// Runs the fixture through good, faulty and good ticks and checks each phase.
    func checkFaultAndRecovery(_ fault: FaultyPlugins.Fault, logFragment: String) throws {
        let (harness, plugins) = try Self.harness(strategy: fault)
        defer { try? FileManager.default.removeItem(atPath: plugins) }
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: FaultyPlugins.faultFrom)
        #expect(harness.number(.maxChargeVoltage) == FaultyPlugins.chargeVoltageLimit)
        #expect(harness.number(.maxChargeCurrent) == FaultyPlugins.chargeCurrentLimit)
        #expect(harness.number(.maxDischargeCurrent) == FaultyPlugins.dischargeCurrentLimit)
        #expect(harness.number(.alarmInternalFailure) == 0)

        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeCurrent) == 0, Comment(rawValue: harness.logs.text))
        #expect(harness.number(.maxDischargeCurrent) == 0)
        #expect(harness.number(.maxChargeVoltage) == FaultyPlugins.chargeVoltageLimit, "last valid CVL")
        #expect(harness.number(.alarmInternalFailure) == 2)
        // The SoC strategy keeps running.
        #expect(harness.number(.soc) != nil)
        // Reported, but not once a second.
        let reports = harness.logs.count(containing: logFragment, atLeast: .warning)
        #expect(reports == 1, Comment(rawValue: harness.logs.text))

        harness.run(seconds: FaultyPlugins.faultUntil - FaultyPlugins.faultFrom)
        #expect(harness.number(.maxChargeCurrent) == FaultyPlugins.chargeCurrentLimit)
        #expect(harness.number(.maxDischargeCurrent) == FaultyPlugins.dischargeCurrentLimit)
        #expect(harness.number(.alarmInternalFailure) == 0)
        #expect(harness.logs.count(containing: "recovered") >= 1, Comment(rawValue: harness.logs.text))
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func aTickErrorGivesSafeLimits() throws {
        try checkFaultAndRecovery(.FaultTickError, logFragment: "simulated tick failure")
    }

    @Test func aNaNLimitGivesSafeLimits() throws {
        try checkFaultAndRecovery(.FaultNaN, logFragment: "FaultNaN")
    }

    @Test func anOutOfRangeCvlGivesSafeLimits() throws {
        try checkFaultAndRecovery(.FaultCvlOutOfRange, logFragment: "FaultCvlOutOfRange")
    }

    @Test func aNegativeDclGivesSafeLimits() throws {
        try checkFaultAndRecovery(.FaultNegativeDcl, logFragment: "FaultNegativeDcl")
    }

    @Test func aCreateThatFailsGivesSafeLimitsAndTheSocStrategyRuns() throws {
        let (harness, plugins) = try Self.harness(strategy: .FaultCreate)
        defer { try? FileManager.default.removeItem(atPath: plugins) }
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        harness.run(seconds: 5)
        #expect(harness.daemon.service.isRegistered)
        #expect(harness.number(.maxChargeCurrent) == 0)
        #expect(harness.number(.maxDischargeCurrent) == 0)
        // No valid CVL was ever seen: invalid, never a made-up number.
        #expect(harness.published(.maxChargeVoltage).isInvalid)
        #expect(harness.number(.alarmInternalFailure) == 2)
        #expect(harness.number(.soc) != nil)
        #expect(harness.published(.chargeStrategy) == .string("FaultCreate"))
        #expect(harness.logs.count(containing: "simulated create failure", atLeast: .error) == 1, Comment(rawValue: harness.logs.text))
        watcher.expectRegisteredOnceAndNeverDropped()
    }
}
