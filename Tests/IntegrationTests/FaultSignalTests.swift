import BusTestSupport
import BusTools
import Foundation
import HostCore
import Simulator
import Testing
import VeDbus

/// The real executable against the simulator: SIGTERM and SIGINT save the current charge before
/// the process exits. Spawned with posix_spawn (ChildProcess) so the signals are not blocked in it.
@Suite(.serialized) struct FaultSignalTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalWritesTheCurrentChargeBeforeExit(signal: Int32) throws {
        let running = try ShippedDaemon(configLines: ["[DEFAULT]", "NR_OF_BATTERIES = 2", "NR_OF_CELLS_PER_BATTERY = 16",
                                                      "NR_OF_MPPTS = 1", "OWN_CHARGE_PARAMETERS = False", "OWN_SOC = True",
                                                      "LOG_PERIOD = 0"])
        let (fixture, folder, daemon) = (running.fixture, running.folder, running.process)
        let watcher = try AggregateNameWatcher(fixture: fixture)
        let stored = folder + "/storedvalue_charge"
        #expect(running.serve(until: { !watcher.changes.isEmpty && FileManager.default.fileExists(atPath: stored) }, timeout: 30),
                "the daemon did not register and store its first charge")
        // Remove the file: only the exit path can write it again (the counter barely moves).
        try FileManager.default.removeItem(atPath: stored)
        _ = running.serve(until: { false }, timeout: 1.5)
        #expect(!FileManager.default.fileExists(atPath: stored))

        kill(daemon.pid, signal)
        #expect(running.serve(until: { !daemon.isRunning }, timeout: 15), "the daemon did not exit")
        #expect(daemon.waitForExit() == 0)
        let text = try #require(try? String(contentsOfFile: stored, encoding: .utf8))
        let ampHours = try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ampHours > 0 && ampHours <= 2 * SimulationConfig().capacityAh, "stored \(text)")
        // It left the bus only at the end: one registration, one release.
        fixture.spin(until: { watcher.changes.count >= 2 }, timeout: 5)
        #expect(watcher.changes.map { $0.newOwner.isEmpty } == [false, true], "\(watcher.changes)")
    }

    /// SIGHUP on the real executable: the new config.ini takes effect (the charge strategy
    /// changes) and the service never leaves the bus; a broken config.ini is refused and the
    /// running configuration stays.
    @Test func sighupReloadsWithoutLeavingTheBus() throws {
        let base = ["[DEFAULT]", "NR_OF_BATTERIES = 2", "NR_OF_CELLS_PER_BATTERY = 16", "NR_OF_MPPTS = 1", "LOG_PERIOD = 0"]
        let running = try ShippedDaemon(configLines: base + ["OWN_CHARGE_PARAMETERS = False"])
        let (fixture, daemon) = (running.fixture, running.process)
        func writeConfig(_ extra: [String]) throws { try running.writeConfig(base + extra) }
        let watcher = try AggregateNameWatcher(fixture: fixture)
        let reader = try fixture.connect()
        let view = VeMonitor(connection: reader, prefixes: [AggregateService.serviceName])
        view.start()
        func chargeStrategy() -> String? { view.value(AggregateService.serviceName, "/Info/ChargeStrategy")?.string }

        #expect(running.serve(until: { chargeStrategy() == "BMSCombine" }, timeout: 30), "the daemon did not publish")
        try writeConfig(["OWN_CHARGE_PARAMETERS = True"])
        kill(daemon.pid, SIGHUP)
        #expect(running.serve(until: { chargeStrategy() == "OwnCharge" }, timeout: 15), "SIGHUP did not reload")

        try writeConfig(["OWN_CHARGE_PARAMETERS = maybe"])
        kill(daemon.pid, SIGHUP)
        _ = running.serve(until: { false }, timeout: 2)
        #expect(daemon.isRunning, "a broken config on reload must not stop the daemon")
        #expect(chargeStrategy() == "OwnCharge")
        #expect(view.value(AggregateService.serviceName, "/Info/MaxChargeVoltage")?.number != nil)
        // Registered once, never released.
        #expect(watcher.changes.map { $0.newOwner.isEmpty } == [false], "\(watcher.changes)")
    }
}
