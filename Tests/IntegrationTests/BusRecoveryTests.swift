import BusTestSupport
import Foundation
import HostCore
import PluginKit
import Simulator
import Testing
import VeDbus

/// The daemon outlives a restart of the bus, and a SIGHUP reload never takes it off the bus.
@Suite(.serialized) struct BusRecoveryTests {
    /// The unique name owning our service, asked with dbus-send (an independent client).
    private func owner(_ harness: DaemonHarness) throws -> String? {
        let output = try harness.tool("dbus-send", harness.fixture.dbusSendAddress, "--print-reply",
                                      "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus.GetNameOwner", "string:\(AggregateService.serviceName)")
        guard output.status == 0 else { return nil }
        return output.stdout.split(separator: "\"").dropFirst().first.map(String.init)
    }

    @Test func afterTheBusRestartsTheServiceComesBackWithValidValues() throws {
        let harness = try DaemonHarness(config: [:])
        harness.run(seconds: 2)
        #expect(try owner(harness) != nil)
        let before = try #require(harness.number(.voltage))

        try harness.fixture.bus.restart()
        harness.venus.stop()
        try harness.venus.start()
        // The daemon notices, waits its first back-off second, reconnects and registers again.
        var back = false
        for _ in 0..<10 where !back {
            harness.run(seconds: 1)
            back = (try? owner(harness)) ?? nil != nil
        }
        #expect(back, "the aggregate must be on the new bus within a few seconds")
        harness.run(seconds: 1)
        let items = try harness.tool("busctl", harness.fixture.busctlAddress, "call", AggregateService.serviceName, "/",
                                     "com.victronenergy.BusItem", "GetItems")
        #expect(items.stdout.contains("\"/Batteries/Online\" 2 \"Value\" i 2"), Comment(rawValue: items.stdout + items.stderr))
        let after = try #require(harness.number(.voltage))
        #expect(abs(after - before) < 1, "voltage \(after) V after, \(before) V before")
        #expect(harness.published(.batteriesOnline) == .int32(2))
    }

    @Test func aReloadSwitchesStrategiesWithoutLeavingTheBus() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "False"])
        harness.run(seconds: 2)
        let ownerBefore = try #require(try owner(harness))
        #expect(harness.published(.chargeStrategy) == .string("BMSCombine"))

        var text = try String(contentsOfFile: harness.folder + "/config.ini", encoding: .utf8)
        text = text.replacingOccurrences(of: "OWN_CHARGE_PARAMETERS = False", with: "OWN_CHARGE_PARAMETERS = True")
        try text.write(toFile: harness.folder + "/config.ini", atomically: true, encoding: .utf8)
        #expect(harness.daemon.reload(paths: try harness.paths))
        harness.run(seconds: 1)
        #expect(harness.published(.chargeStrategy) == .string("OwnCharge"))
        #expect(try owner(harness) == ownerBefore, "the same connection still owns the name")

        // A broken configuration is refused; the running one stays and the service keeps publishing.
        try (text + "NR_OF_BATTERIES = 1\n").write(toFile: harness.folder + "/config.ini", atomically: true, encoding: .utf8)
        #expect(!harness.daemon.reload(paths: try harness.paths))
        harness.run(seconds: 1)
        #expect(harness.published(.chargeStrategy) == .string("OwnCharge"))
        #expect(harness.number(.maxChargeVoltage) != nil)
        #expect(try owner(harness) == ownerBefore)
    }

    /// A configuration that loads but that a strategy refuses: the running strategies are not
    /// touched at all (before: destroyed and re-created, losing what they held in memory). The
    /// proof: a destroyed OwnSoC writes its counter; here nothing is written.
    @Test func aReloadRefusedByAStrategyKeepsTheRunningStrategies() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "True", "OWN_SOC": "True"])
        harness.run(seconds: 3)
        let stored = harness.folder + "/storedvalue_charge"
        #expect(FileManager.default.fileExists(atPath: stored))
        try FileManager.default.removeItem(atPath: stored)
        let text = try String(contentsOfFile: harness.folder + "/config.ini", encoding: .utf8)
        // Lists of different lengths: OwnCharge refuses to start with it.
        try (text + "CELL_CHARGE_LIMITED_CURRENT = 1, 0.5\n").write(toFile: harness.folder + "/config.ini",
                                                                     atomically: true, encoding: .utf8)
        #expect(!harness.daemon.reload(paths: try harness.paths))
        #expect(harness.logs.count(containing: "reload refused", atLeast: .error) == 1, Comment(rawValue: harness.logs.text))
        #expect(harness.logs.count(containing: "CELL_CHARGE_LIMITED_CURRENT", atLeast: .error) >= 1)
        #expect(!FileManager.default.fileExists(atPath: stored), "the running strategies were destroyed")
        harness.run(seconds: 1)
        #expect(harness.published(.chargeStrategy) == .string("OwnCharge"))
        #expect(harness.number(.soc) != nil)
        #expect(harness.number(.maxChargeCurrent) != nil)
        #expect(harness.number(.alarmInternalFailure) == 0)
    }

    /// Another aggregator holds our name (the Python program not yet stopped): the daemon says
    /// so once, not every tick, keeps trying, and takes the name as soon as it is free.
    @Test func aTakenNameIsReportedOnceAndTakenWhenFree() throws {
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "False"])
        // Taken before the daemon's first tick, when it would register.
        let other = VeService(connection: try harness.fixture.connect(), serviceName: AggregateService.serviceName)
        try other.register()
        harness.run(seconds: 5)
        #expect(!harness.daemon.service.isRegistered)
        #expect(harness.logs.count(containing: "cannot register", atLeast: .warning) == 1, Comment(rawValue: harness.logs.text))
        other.connection.releaseName(AggregateService.serviceName)
        harness.settle()
        harness.run(seconds: 2)
        #expect(harness.daemon.service.isRegistered)
        #expect(harness.logs.count(containing: "the bus name is ours now") == 1, Comment(rawValue: harness.logs.text))
    }
}
