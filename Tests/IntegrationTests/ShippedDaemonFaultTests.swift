import BusTestSupport
import Foundation
import HostCore
import Simulator
import Testing
import VeDbus

/// The resting bank and the pack outage on the shipped binary (the Embedded build), in real time
/// on a real dbus-daemon, with the batteries publishing per path as dbus-serialbattery does.
@Suite(.serialized) struct ShippedDaemonFaultTests {
    static let base = ["[DEFAULT]", "NR_OF_CELLS_PER_BATTERY = 16", "NR_OF_MPPTS = 1", "LOG_PERIOD = 0"]

    /// Short STALE_TIMEOUT and OFFLINE_BLOCK_AFTER: the old rule would have blocked this bank
    /// within 3 s of its going quiet, and the new one must keep it whole for many times that.
    @Test func aRestingBankStaysWhole() throws {
        let running = try ShippedDaemon(configLines: Self.base + ["NR_OF_BATTERIES = 2", "STALE_TIMEOUT = 3",
                                                                  "OFFLINE_BLOCK_AFTER = 6", "OWN_CHARGE_PARAMETERS = False"],
                                        scenario: .resting)
        let watcher = try AggregateNameWatcher(fixture: running.fixture)
        let reader = try running.aggregateReader()
        func number(_ path: String) -> Double? { reader.value(AggregateService.serviceName, path)?.number }
        #expect(running.serve(until: { number("/Info/MaxChargeCurrent").map { $0 > 0 } == true }, timeout: 30),
                "the daemon did not publish")
        let sent = running.venus.batteries.map(\.publishCount)
        _ = running.serve(until: { false }, timeout: 20)
        #expect(running.venus.batteries.map(\.publishCount) == sent, "the batteries were not at rest")
        #expect(number("/Batteries/Online") == 2)
        #expect(reader.value(AggregateService.serviceName, "/Batteries/State") == .string("ok"))
        #expect(number("/Alarms/BmsCable") == 0)
        #expect((number("/Info/MaxChargeCurrent") ?? 0) > 0)
        #expect((number("/Info/MaxDischargeCurrent") ?? 0) > 0)
        // An independent client reads the same.
        let soc = try running.fixture.tool("busctl", running.fixture.busctlAddress, "call", AggregateService.serviceName,
                                           "/Soc", "com.victronenergy.BusItem", "GetValue")
        #expect(soc.status == 0 && soc.stdout.hasPrefix("v d "), "\(soc.stdout) \(soc.stderr)")
        #expect(running.process.isRunning)
        #expect(!running.log.contains("-> stale"), "\(running.log)")
        // The start-up line prints the settings themselves (Embedded Swift prints no enum by itself).
        #expect(running.log.contains("SmartShunts: none;"), "\(running.log)")
        #expect(!running.log.contains("cannot print"), "\(running.log)")
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    /// One of three packs leaves: CCL and DCL fall to the two packs' share at once, /Soc of the
    /// own counter does not jump, and all comes back when the pack does.
    @Test func anOutageScalesTheLimitsAndKeepsTheSoc() throws {
        var simulation = SimulationConfig()
        simulation.batteryCount = 3
        let running = try ShippedDaemon(configLines: Self.base + ["NR_OF_BATTERIES = 3", "OWN_CHARGE_PARAMETERS = True",
                                                                  "OWN_SOC = True"],
                                        simulation: simulation)
        let reader = try running.aggregateReader()
        func number(_ path: String) -> Double? { reader.value(AggregateService.serviceName, path)?.number }
        var socs: [Double] = []
        reader.onValuesChanged = { _, _ in if let soc = number("/Soc") { socs.append(soc) } }
        #expect(running.serve(until: { number("/Batteries/Online") == 3 && number("/Info/MaxChargeCurrent") != nil },
                              timeout: 30), "the daemon did not publish")
        _ = running.serve(until: { false }, timeout: 2)
        let wholeCharge = try #require(number("/Info/MaxChargeCurrent"))
        let wholeDischarge = try #require(number("/Info/MaxDischargeCurrent"))

        running.venus.batteries[2].vanish()
        #expect(running.serve(until: { number("/Batteries/Online") == 2 }, timeout: 10))
        _ = running.serve(until: { false }, timeout: 1.5)
        let charge = try #require(number("/Info/MaxChargeCurrent"))
        let discharge = try #require(number("/Info/MaxDischargeCurrent"))
        #expect(abs(charge - wholeCharge * 2 / 3) <= 1, "CCL \(charge) of \(wholeCharge)")
        #expect(abs(discharge - wholeDischarge * 2 / 3) <= 1, "DCL \(discharge) of \(wholeDischarge)")

        try running.venus.batteries[2].returnToBus()
        #expect(running.serve(until: { number("/Batteries/Online") == 3 }, timeout: 10))
        _ = running.serve(until: { false }, timeout: 1.5)
        #expect(abs((number("/Info/MaxChargeCurrent") ?? 0) - wholeCharge) <= 1)
        #expect(socs.count >= 2)
        for (before, after) in zip(socs, socs.dropFirst()) {
            #expect(abs(after - before) < 0.5, "SoC jumped from \(before) to \(after): \(socs)")
        }
    }
}

/// Calls to our service on the shipped binary are answered at once, at any phase of the tick,
/// while the batteries publish per path: read with busctl, a client we did not write.
@Suite(.serialized) struct ShippedDaemonCallLatencyTests {
    @Test func getValueIsAnsweredLongBeforeTheNextTick() throws {
        var simulation = SimulationConfig()
        simulation.batteryCount = 8
        simulation.measurementNoise = true
        let running = try ShippedDaemon(configLines: ShippedDaemonFaultTests.base + ["NR_OF_BATTERIES = 8"],
                                        simulation: simulation)
        let reader = try running.aggregateReader()
        #expect(running.serve(until: { reader.value(AggregateService.serviceName, "/Batteries/Online")?.number == 8 },
                              timeout: 30), "the daemon did not publish")
        var latencies: [Double] = []
        // Calls spread over the tick's phase: the simulator steps every half second, the calls
        // come at odd offsets between.
        for index in 0..<12 {
            _ = running.serve(until: { false }, timeout: 0.13 * Double(index % 5 + 1))
            let started = MonotonicClock.now()
            let answer = try running.fixture.tool("busctl", running.fixture.busctlAddress, "--timeout=2", "call",
                                                  AggregateService.serviceName, "/Dc/0/Voltage",
                                                  "com.victronenergy.BusItem", "GetValue")
            latencies.append(MonotonicClock.now() - started)
            #expect(answer.status == 0 && answer.stdout.hasPrefix("v d "), "\(answer.stdout) \(answer.stderr)")
        }
        // busctl itself takes some milliseconds to start; a reply that waited for the tick
        // would take up to a second.
        let slowest = latencies.max() ?? 0
        #expect(slowest < 0.3, "call round trips (s): \(latencies)")
        // Every connection answers org.freedesktop.DBus.Peer, ours included.
        for member in ["Ping", "GetMachineId"] {
            let peer = try running.fixture.tool("busctl", running.fixture.busctlAddress, "--timeout=2", "call",
                                                AggregateService.serviceName, "/", "org.freedesktop.DBus.Peer", member)
            #expect(peer.status == 0, "\(member): \(peer.stderr)")
        }
    }
}
