import PluginKit
import Testing
import VeDbus
@testable import HostCore

/// Which packs the bank has: by identity, not by service name; brief services forgotten.
@Suite("Battery tracker: packs by identity")
struct BatteryTrackerTests {
    /// NR_OF_BATTERIES = 2 (the test support's valid user file), STALE_TIMEOUT 10 s.
    static func tracker(_ extra: String = "") throws -> BatteryTracker {
        BatteryTracker(settings: try CoreTestSupport.settings(extra))
    }

    /// Updates the tracker every second from `from` to `to` (s), each service fresh at each tick.
    static func tick(_ tracker: BatteryTracker, _ view: inout FakeMonitorView, from: Double, to: Double) {
        var now = from
        while now <= to {
            for service in view.values.keys { view.updates[service] = now }
            tracker.invalidateInventory()
            _ = tracker.update(from: view, now: now)
            now += 1
        }
    }

    /// The first update, then the service registers: the packs online join the bank.
    static func register(_ tracker: BatteryTracker, _ view: FakeMonitorView) {
        tracker.invalidateInventory()
        _ = tracker.update(from: view, now: 0)
        tracker.establishOnlinePacks()
    }

    /// A tracker registered with one pack per name, as ttyUSB0, ttyUSB1, ...
    static func registeredBank(_ names: [String] = ["A", "B"]) throws -> (BatteryTracker, FakeMonitorView) {
        let tracker = try Self.tracker()
        var view = FakeMonitorView()
        for (index, name) in names.enumerated() { view.addBattery("com.victronenergy.battery.ttyUSB\(index)", name: name) }
        register(tracker, view)
        return (tracker, view)
    }

    @Test func aPackBackUnderAnotherNameIsTheSamePack() throws {
        let tracker = try Self.tracker()
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.ttyUSB0", name: "A")
        view.addBattery("com.victronenergy.battery.ttyUSB1", name: "B")
        Self.tick(tracker, &view, from: 0, to: 12)
        #expect(tracker.expectedCount(configured: 2) == 2)
        view.remove("com.victronenergy.battery.ttyUSB1")
        Self.tick(tracker, &view, from: 13, to: 14)
        #expect(tracker.onlineCount == 1)
        #expect(tracker.readings.map(\.health) == [.online, .gone])
        view.addBattery("com.victronenergy.battery.ttyUSB2", name: "B")
        Self.tick(tracker, &view, from: 15, to: 15)
        #expect(tracker.readings.count == 2, "a ghost: \(tracker.readings.map(\.identity.service))")
        #expect(tracker.onlineCount == 2)
        #expect(tracker.readings.map(\.identity.service).contains("com.victronenergy.battery.ttyUSB2"))
        #expect(tracker.takeNotice()?.contains("is back as com.victronenergy.battery.ttyUSB2") == true)
    }

    @Test func aServiceThatLeavesBeforeItJoinedIsForgotten() throws {
        var (tracker, view) = try Self.registeredBank()
        for index in 0..<100 {
            let service = "com.victronenergy.battery.ttyACM\(index)"
            view.addBattery(service, name: "probe\(index)")
            Self.tick(tracker, &view, from: Double(2 * index + 1), to: Double(2 * index + 2))
            view.remove(service)
        }
        Self.tick(tracker, &view, from: 300, to: 301)
        #expect(tracker.expectedCount(configured: 2) == 2)
        #expect(tracker.readings.count == 2)
    }

    @Test func aNewPackTakesThePlaceOfOneThatLeftBeyondTheConfiguredCount() throws {
        let tracker = try Self.tracker()
        var view = FakeMonitorView()
        for name in ["A", "B", "C"] { view.addBattery("com.victronenergy.battery.\(name)", name: name) }
        Self.register(tracker, view)
        #expect(tracker.expectedCount(configured: 2) == 3)
        #expect(tracker.takeNotice()?.contains("3 batteries found, NR_OF_BATTERIES = 2") == true)
        // C leaves: still expected (missing).
        view.remove("com.victronenergy.battery.C")
        Self.tick(tracker, &view, from: 1, to: 2)
        #expect(tracker.expectedCount(configured: 2) == 3)
        #expect(tracker.onlineCount == 2)
        // D (another serial) joins and stays: it takes C's place.
        view.addBattery("com.victronenergy.battery.D", name: "D")
        Self.tick(tracker, &view, from: 3, to: 14)
        #expect(tracker.expectedCount(configured: 2) == 3)
        #expect(tracker.onlineCount == 3)
        #expect(!tracker.readings.contains { $0.identity.name == "C" })
    }

    @Test func aQuietPackIsListedForAProbeBeforeItGoesStale() throws {
        let tracker = try Self.tracker()
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.ttyUSB0", name: "A", updatedAt: 0)
        view.addBattery("com.victronenergy.battery.ttyUSB1", name: "B", updatedAt: 0)
        _ = tracker.update(from: view, now: 4)
        #expect(tracker.quietServices(silentFor: 5).isEmpty)
        _ = tracker.update(from: view, now: 5)
        #expect(tracker.quietServices(silentFor: 5).count == 2)
        #expect(tracker.onlineCount == 2, "quiet is not stale")
        _ = tracker.update(from: view, now: 10)
        #expect(tracker.onlineCount == 0, "no sign of life for STALE_TIMEOUT: stale")
    }

    @Test func capacityShareCountsAMissingPackWithItsLastCapacity() throws {
        let tracker = try Self.tracker()
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.A", name: "A", installed: 100)
        view.addBattery("com.victronenergy.battery.B", name: "B", installed: 200)
        view.addBattery("com.victronenergy.battery.C", name: "C", installed: 300)
        Self.register(tracker, view)
        view.remove("com.victronenergy.battery.C")
        Self.tick(tracker, &view, from: 1, to: 1)
        let share = tracker.capacityShare(configured: 3)
        #expect(share.online == 300 && share.expected == 600)
    }

    /// Identical packs can share dbus-serialbattery's id: two services with one serial are two
    /// packs, and one of them leaving is a missing pack, not forgotten.
    @Test func twoPacksWithOneSerialAreTwoPacks() throws {
        var (tracker, view) = try Self.registeredBank(["JK_280Ah", "JK_280Ah"])
        #expect(tracker.onlineCount == 2)
        view.remove("com.victronenergy.battery.ttyUSB1")
        Self.tick(tracker, &view, from: 1, to: 2)
        #expect(tracker.readings.count == 2, "the missing pack was forgotten")
        #expect(tracker.onlineCount == 1)
        #expect(tracker.expectedCount(configured: 1) == 2)
    }

    /// The old driver of a re-enumerated BMS outlives its successor on the new port (it exits
    /// up to 30 min after losing its BMS): the new service takes over the pack at once, the old
    /// one is ignored, and no ghost stays when it finally leaves.
    @Test func aNewServiceSupersedesTheOldDriverThatLostItsBms() throws {
        var (tracker, view) = try Self.registeredBank()
        // B's driver lost its BMS: offline, no voltage; then B appears on ttyUSB2.
        view.values["com.victronenergy.battery.ttyUSB1"]?["/Dc/0/Voltage"] = .invalid
        view.values["com.victronenergy.battery.ttyUSB1"]?["/System/NrOfModulesOffline"] = .int32(1)
        view.values["com.victronenergy.battery.ttyUSB1"]?["/System/NrOfModulesOnline"] = .int32(0)
        Self.tick(tracker, &view, from: 1, to: 2)
        #expect(tracker.onlineCount == 1)
        view.addBattery("com.victronenergy.battery.ttyUSB2", name: "B")
        Self.tick(tracker, &view, from: 3, to: 4)
        #expect(tracker.onlineCount == 2)
        #expect(tracker.readings.count == 2, "\(tracker.readings.map(\.identity.service))")
        #expect(tracker.expectedCount(configured: 2) == 2)
        view.remove("com.victronenergy.battery.ttyUSB1")
        Self.tick(tracker, &view, from: 5, to: 80)
        #expect(tracker.readings.count == 2)
        #expect(tracker.onlineCount == 2)
        #expect(tracker.expectedCount(configured: 2) == 2)
    }
}
