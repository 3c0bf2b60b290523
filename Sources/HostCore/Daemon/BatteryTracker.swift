import PluginKit
import VeDbus

/// Which batteries exist and how each is doing, tick after tick. Classifies the bus only when
/// services come or go (not every second), keeps one reading per battery so its buffers are
/// reused, and reports every health change once for the log.
public final class BatteryTracker {
    public private(set) var inventory = Inventory()
    /// Readings in inventory order; batteries that left the bus stay, as `.gone`.
    public private(set) var readings: [BatteryReading] = []
    private var inventoryIsCurrent = false
    /// Paths resolved on the first update; a tracker reads one view (the daemon's monitor).
    private var keys: BatteryReadingKeys?
    /// Parallel to `readings`: whether the inventory counts it (a Set of names per tick did this).
    private var usable: [Bool] = []
    /// How many batteries the last count notice was about, so it is logged once per change.
    private var notifiedCount: Int?
    private var pendingCountNotice: String?
    private let settings: HostSettings
    private let rules: BatteryReadingRules

    public init(settings: HostSettings) {
        self.settings = settings
        self.rules = BatteryReadingRules(settings: settings)
    }

    /// Services came or went, or a name changed: classify again at the next tick.
    public func invalidateInventory() { inventoryIsCurrent = false }

    /// One health change: which battery, from what, to what.
    public struct HealthChange: Equatable {
        public var battery: String
        public var from: BatteryHealth
        public var to: BatteryHealth
    }

    /// Refreshes every reading from the monitor; returns the health changes of this tick.
    public func update<View: MonitorView>(from view: View, now: Double) -> [HealthChange] {
        // Taken before reclassifying, which marks a battery that left as gone: that is a change too.
        var previous: [String: BatteryHealth] = [:]
        if !inventoryIsCurrent {
            for reading in readings { previous[reading.identity.service] = reading.health }
            reclassify(view)
        }
        let keys = self.keys ?? BatteryReadingKeys(view, cellsPerBattery: rules.cellsPerBattery)
        self.keys = keys
        var changes: [HealthChange] = []
        // Taken out of this object for the loop: each reading is then read and updated in
        // place, not copied out of the class's array (it is large) for every access.
        var readings: [BatteryReading] = []
        swap(&readings, &self.readings)
        defer { swap(&readings, &self.readings) }
        for index in readings.indices {
            let before = (previous.isEmpty ? nil : previous[readings[index].identity.service]) ?? readings[index].health
            if usable[index] {
                readings[index].update(from: view, keys: keys, now: now, rules: rules)
            } else {
                readings[index].markGone()
            }
            let after = readings[index].health
            if !Self.sameKind(before, after) {
                changes.append(HealthChange(battery: readings[index].identity.name, from: before, to: after))
            }
        }
        return changes
    }

    /// Batteries the bank should have: NR_OF_BATTERIES, or more when more were found. An extra
    /// battery that fails must count as missing, or it would hide behind the configured number.
    public func expectedCount(configured: Int) -> Int { max(configured, readings.count) }

    /// A warning for the log when more batteries were found than NR_OF_BATTERIES; each count once.
    public func takeCountNotice() -> String? {
        defer { pendingCountNotice = nil }
        return pendingCountNotice
    }

    public var onlineReadings: [BatteryReading] { readings.filter { $0.health.isOnline } }

    /// How many readings are online, without copying them.
    public var onlineCount: Int { readings.reduce(0) { $0 + ($1.health.isOnline ? 1 : 0) } }

    /// Services of batteries that have been silent past the stale time-out: worth a probe.
    public var staleServices: [String] {
        var services: [String] = []
        for index in readings.indices {
            if case .stale = readings[index].health { services.append(readings[index].identity.service) }
        }
        return services
    }

    /// Batteries found on the bus with a problem that keeps them out (wrong cell count...).
    public var rejected: [BatteryIdentity] { inventory.batteries.filter { $0.problem != nil } }

    private func reclassify<View: MonitorView>(_ view: View) {
        inventory = Inventory.classify(view, settings: settings)
        inventoryIsCurrent = true
        var kept: [BatteryReading] = []
        for identity in inventory.usableBatteries {
            kept.append(readings.first(where: { $0.identity == identity })
                ?? BatteryReading(identity: identity, cellsPerBattery: settings.cellsPerBattery))
        }
        usable = Array(repeating: true, count: kept.count)
        // A battery that left keeps its place as gone, so the count of missing ones is right.
        for old in readings where !kept.contains(where: { $0.identity.service == old.identity.service }) {
            var gone = old
            gone.markGone()
            kept.append(gone)
            usable.append(false)
        }
        readings = kept
        if readings.count > settings.numberOfBatteries, notifiedCount != readings.count {
            notifiedCount = readings.count
            pendingCountNotice = "\(readings.count) batteries found, NR_OF_BATTERIES = \(settings.numberOfBatteries): "
                + "all are used; set NR_OF_BATTERIES = \(readings.count) if that is right"
        }
    }

    private static func sameKind(_ a: BatteryHealth, _ b: BatteryHealth) -> Bool {
        switch (a, b) {
        case (.online, .online), (.gone, .gone), (.stale, .stale): return true
        case (.invalid(let x), .invalid(let y)): return x == y
        default: return false
        }
    }
}
