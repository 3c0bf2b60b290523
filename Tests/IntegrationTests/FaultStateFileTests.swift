import BusTestSupport
import Foundation
import HostCore
import Simulator
import Testing
import VeDbus

/// The stored charge: a corrupt or unreadable file is reported, moved aside with a time stamp
/// and replaced from the BMSes' SoC; a failed write is retried; SIGTERM writes before exit.
@Suite(.serialized) struct FaultStateFileTests {
    static let config = ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "True"]

    /// Files in the harness's state folder whose names start with `prefix`.
    static func files(_ harness: DaemonHarness, prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: harness.folder)) ?? []).filter { $0.hasPrefix(prefix) }
    }

    /// The bank SoC the simulated BMSes publish, capacity-weighted (equal capacities here).
    static func bmsSoc(_ harness: DaemonHarness) -> Double {
        let socs = harness.venus.batteries.compactMap { $0.service?["/Soc"]?.number }
        return socs.reduce(0, +) / Double(socs.count)
    }

    func checkReplacedFromBms(stateFile: String) throws {
        let harness = try DaemonHarness(config: Self.config, stateFiles: ["storedvalue_charge": stateFile])
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        // Reported and moved aside at start-up.
        let moved = Self.files(harness, prefix: "storedvalue_charge.corrupt-")
        #expect(moved.count == 1, "\(Self.files(harness, prefix: ""))")
        #expect(harness.logs.count(containing: "moved to", atLeast: .warning) == 1, Comment(rawValue: harness.logs.text))
        harness.run(seconds: 2)
        let soc = try #require(harness.number(.soc))
        #expect(abs(soc - Self.bmsSoc(harness)) < 0.2, "SoC \(soc) should come from the BMSes")
        // A fresh, valid file replaces it.
        let text = try #require(harness.stateFile("storedvalue_charge"))
        let stored = try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(stored - soc / 100 * 2 * SimulationConfig().capacityAh) < 1)
        watcher.expectRegisteredOnceAndNeverDropped()
    }

    @Test func aCorruptStoredChargeIsMovedAsideAndReplacedFromTheBmsSoc() throws {
        try checkReplacedFromBms(stateFile: "not a number at all")
    }

    @Test func anUnreadableStoredChargeIsMovedAsideAndReplacedFromTheBmsSoc() throws {
        // Far larger than any stored value: the store refuses to read it.
        try checkReplacedFromBms(stateFile: String(repeating: "1", count: 100_000))
    }

    @Test func aFailedWriteIsLoggedAndRetriedWithoutACrash() throws {
        let harness = try DaemonHarness(config: Self.config)
        let watcher = try AggregateNameWatcher(fixture: harness.fixture)
        // A directory where the temp file must go: open() fails even for root.
        let blocker = harness.folder + "/storedvalue_charge.tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        harness.run(seconds: 3)
        #expect(harness.stateFile("storedvalue_charge") == nil)
        // Logged once, not every tick.
        #expect(harness.logs.count(containing: "will retry", atLeast: .warning) == 1, Comment(rawValue: harness.logs.text))
        #expect(harness.number(.soc) != nil)
        try FileManager.default.removeItem(atPath: blocker)
        harness.run(seconds: 1)
        #expect(harness.stateFile("storedvalue_charge") != nil)
        watcher.expectRegisteredOnceAndNeverDropped()
    }
}
