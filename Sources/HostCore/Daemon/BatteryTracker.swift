import PluginKit
import VeDbus

/// Which packs the bank has and how each is doing, tick after tick. Classifies the bus only when
/// services come or go (not every second), keeps one reading per pack so its buffers are reused,
/// and reports every health change once for the log.
///
/// A pack is who its driver says it is (`BatteryIdentity.packKey`: serial, custom name and
/// instance), not its service name: a pack that comes back under another name after a USB
/// re-enumeration takes up its old reading. A pack counts towards the bank once it has been
/// online for `establishAfterSeconds`; a service that appears and leaves before that (a driver
/// probing ports, a test tool) is forgotten when it leaves and never raises the count.
public final class BatteryTracker {
    public private(set) var inventory = Inventory()
    /// Readings of the packs on the bus in inventory order, then of established packs that left
    /// (as `.gone`: still expected, so the bank knows one is missing).
    public private(set) var readings: [BatteryReading] = []
    /// Parallel to `readings`.
    private var records: [PackRecord] = []
    private var inventoryIsCurrent = false
    /// Paths resolved on the first update; a tracker reads one view (the daemon's monitor).
    private var keys: BatteryReadingKeys?
    /// How many established packs the last count notice was about, so it is logged once per change.
    private var notifiedCount: Int?
    private var pendingNotices: [String] = []
    /// Counts departures, so that the pack that left first is the first whose place is taken.
    private var departures = 0
    private var settings: HostSettings
    private var rules: BatteryReadingRules
    /// Services that a newer service of the same pack has replaced while they are still on the
    /// bus (a driver that lost its BMS outlives its successor on the new port): ignored.
    private var superseded: Set<String> = []
    /// Reused each tick: the healths before the update, the voltages for the outlier check.
    private var healthsBefore: [BatteryHealth] = []
    private var onlineVoltages: [Double] = []
    private var onlineIndexes: [Int] = []

    /// Seconds a pack must be online before it counts towards the bank: STALE_TIMEOUT, the time
    /// the daemon needs to tell a silent pack from a quiet one, and at least 10 s.
    public var establishAfterSeconds: Double { max(10, settings.staleTimeoutSeconds) }

    /// What the tracker knows of one pack beyond its reading.
    private struct PackRecord {
        var isPresent: Bool
        /// Monotonic seconds since the pack has been online without a break; nil while it is not.
        var onlineSince: Double?
        /// Online for `establishAfterSeconds` once: part of the bank from then on.
        var isEstablished = false
        /// The order in which it left the bus (see `departures`); nil while present.
        var departure: Int?
        /// Monotonic seconds it joined the bank, and it was last online.
        var establishedAt: Double?
        var lastOnlineAt: Double?
        /// It joined in the place of a pack that left: it cannot take a second one.
        var tookPlace = false
    }

    public init(settings: HostSettings) {
        self.settings = settings
        self.rules = BatteryReadingRules(settings: settings)
    }

    /// Services came or went, or a name changed: classify again at the next tick.
    public func invalidateInventory() { inventoryIsCurrent = false }

    /// New settings after a reload: what the tracker knows of the packs (which joined the bank,
    /// which left) stays.
    public func reconfigure(settings: HostSettings) {
        self.settings = settings
        rules = BatteryReadingRules(settings: settings)
        keys = nil
        inventoryIsCurrent = false
    }

    /// A new monitor after the bus connection was lost: its path keys are resolved again.
    /// Resolves the keys of every path a reading reads, now rather than at the first update
    /// (a monitor that keeps only requested paths then keeps these from the start).
    public func resolveKeys<View: MonitorView>(_ view: View) {
        keys = BatteryReadingKeys(view, cellsPerBattery: rules.cellsPerBattery)
    }

    public func monitorReplaced() {
        keys = nil
        inventoryIsCurrent = false
    }

    /// One health change: which battery, from what, to what.
    public struct HealthChange: Equatable {
        public var battery: String
        public var from: BatteryHealth
        public var to: BatteryHealth
    }

    /// Refreshes every reading from the monitor; returns the health changes of this tick.
    public func update<View: MonitorView>(from view: View, now: Double) -> [HealthChange] {
        // Reclassifying keeps each reading's health of the last tick (the loop below marks a
        // pack that left as gone); a pack it forgets has left, which is a change too.
        var changes = inventoryIsCurrent ? [] : reclassify(view, now: now)
        let keys = self.keys ?? BatteryReadingKeys(view, cellsPerBattery: rules.cellsPerBattery)
        self.keys = keys
        // Taken out of this object for the loop: each reading is then read and updated in
        // place, not copied out of the class's array (it is large) for every access.
        var readings: [BatteryReading] = []
        swap(&readings, &self.readings)
        var before: [BatteryHealth] = []
        swap(&before, &healthsBefore)
        before.removeAll(keepingCapacity: true)
        for index in readings.indices {
            before.append(readings[index].health)
            if records[index].isPresent {
                readings[index].update(from: view, keys: keys, now: now, rules: rules)
            } else {
                readings[index].markGone()
            }
        }
        markBankOutliers(&readings)
        for index in readings.indices {
            let after = readings[index].health
            if !Self.sameKind(before[index], after) {
                changes.append(HealthChange(battery: readings[index].identity.name, from: before[index], to: after))
            }
        }
        swap(&readings, &self.readings)
        swap(&before, &healthsBefore)
        noteOnlineTime(now: now)
        return changes
    }

    /// Packs the bank should have: NR_OF_BATTERIES, or the established packs when there are more.
    /// An established pack that left stays expected (it is missing) until it returns or a newly
    /// established pack takes its place.
    public func expectedCount(configured: Int) -> Int { max(configured, establishedCount) }

    private var establishedCount: Int { records.reduce(0) { $0 + ($1.isEstablished ? 1 : 0) } }

    /// A line for the log about the bank's packs (more than NR_OF_BATTERIES, a pack back under
    /// another name, a place taken), each once; nil when there is none.
    public func takeNotice() -> String? {
        guard !pendingNotices.isEmpty else { return nil }
        return pendingNotices.removeFirst()
    }

    public var onlineReadings: [BatteryReading] { readings.filter { $0.health.isOnline } }

    /// How many readings are online, without copying them.
    public var onlineCount: Int { readings.reduce(0) { $0 + ($1.health.isOnline ? 1 : 0) } }

    /// Services of packs on the bus that sent nothing for at least `seconds`: worth a probe,
    /// since a healthy driver sends nothing while its values stay the same.
    public func quietServices(silentFor seconds: Double) -> [String] {
        var services: [String] = []
        for index in readings.indices where records[index].isPresent && readings[index].silentSeconds >= seconds {
            services.append(readings[index].identity.service)
        }
        return services
    }

    /// Installed capacity of the packs online and of the packs expected, Ah, for scaling the
    /// bank's current limits while packs are missing. A missing pack counts with the capacity it
    /// last published, or the mean of the packs online when it never did.
    public func capacityShare(configured: Int) -> (online: Double, expected: Double) {
        var online = 0.0, known = 0.0, onlineCount = 0, knownCount = 0
        for reading in readings {
            guard let capacity = reading.lastInstalledCapacityAh else { continue }
            known += capacity
            knownCount += 1
            if reading.health.isOnline {
                online += capacity
                onlineCount += 1
            }
        }
        let expected = expectedCount(configured: configured)
        let mean = onlineCount > 0 ? online / Double(onlineCount) : 0
        return (online, known + Double(max(0, expected - knownCount)) * mean)
    }

    /// Batteries found on the bus with a problem that keeps them out (wrong cell count...).
    public var rejected: [BatteryIdentity] { inventory.batteries.filter { $0.problem != nil } }

    /// Classifies the bus again and matches services to packs; returns the packs forgotten
    /// (they left before they joined the bank, or their place was taken) as changes to gone.
    private func reclassify<View: MonitorView>(_ view: View, now: Double) -> [HealthChange] {
        let excludedBefore = Set(inventory.excluded.map { $0.service })
        inventory = Inventory.classify(view, settings: settings)
        for exclusion in inventory.excluded where !excludedBefore.contains(exclusion.service) {
            pendingNotices.append("battery \(exclusion.service) (\(exclusion.matched)) is not aggregated: EXCLUDED_BATTERIES names it")
        }
        inventoryIsCurrent = true
        var identities = inventory.usableBatteries
        let present = Set(identities.map { $0.service })
        superseded = superseded.intersection(present)
        // A service new to the tracker with the key of a pack whose service is still here but
        // not online: the same pack on a new port while its old driver has not exited yet.
        for identity in identities where !readings.contains(where: { $0.identity.service == identity.service }) {
            for index in readings.indices where records[index].isPresent && !readings[index].health.isOnline
                && readings[index].identity.packKey == identity.packKey && present.contains(readings[index].identity.service) {
                superseded.insert(readings[index].identity.service)
            }
        }
        identities.removeAll { superseded.contains($0.service) }
        // Two services on the bus with one key are two packs (identical packs can share
        // dbus-serialbattery's id): each is then known by its service name.
        var keyCounts: [String: Int] = [:]
        for identity in identities { keyCounts[identity.packKey, default: 0] += 1 }
        for index in identities.indices where keyCounts[identities[index].packKey, default: 0] > 1 {
            identities[index].packKey = "service:" + identities[index].service
        }

        var keptReadings: [BatteryReading] = []
        var keptRecords: [PackRecord] = []
        var claimed = [Bool](repeating: false, count: readings.count)
        for identity in identities {
            // The same service, else the same pack under another name (one that left, or whose
            // old service this one supersedes).
            let index = readings.indices.first { !claimed[$0] && readings[$0].identity.service == identity.service }
                ?? readings.indices.first { !claimed[$0] && readings[$0].identity.packKey == identity.packKey
                    && (!records[$0].isPresent || superseded.contains(readings[$0].identity.service)) }
            if let index {
                claimed[index] = true
                if readings[index].identity.service != identity.service {
                    pendingNotices.append("battery \(readings[index].identity.name) is back as \(identity.service)"
                        + " (was \(readings[index].identity.service)): the same pack")
                }
                var reading = readings[index]
                reading.adopt(identity)
                keptReadings.append(reading)
                var record = records[index]
                record.isPresent = true
                record.departure = nil
                keptRecords.append(record)
            } else {
                keptReadings.append(BatteryReading(identity: identity, cellsPerBattery: settings.cellsPerBattery))
                keptRecords.append(PackRecord(isPresent: true))
            }
        }
        // A pack that left keeps its place as gone when it was part of the bank, so the count of
        // missing ones is right; one that never was is forgotten, and so is one whose place a
        // pack that joined after it was last online has taken.
        var forgotten: [HealthChange] = []
        for index in readings.indices where !claimed[index] {
            let gone = HealthChange(battery: readings[index].identity.name, from: readings[index].health, to: .gone)
            guard records[index].isEstablished else {
                forgotten.append(gone)
                continue
            }
            var record = records[index]
            if record.isPresent {
                let established = keptRecords.filter { $0.isEstablished }.count + 1
                if established > settings.numberOfBatteries,
                   let successor = keptRecords.indices.first(where: { keptRecords[$0].isEstablished
                       && !keptRecords[$0].tookPlace
                       && (keptRecords[$0].establishedAt ?? -.infinity) > (record.lastOnlineAt ?? -.infinity) }) {
                    keptRecords[successor].tookPlace = true
                    pendingNotices.append("battery \(keptReadings[successor].identity.name) has taken the place of "
                        + "battery \(readings[index].identity.name), which left the bus")
                    forgotten.append(gone)
                    continue
                }
                departures += 1
                record.departure = departures
            }
            record.isPresent = false
            record.onlineSince = nil
            keptReadings.append(readings[index])
            keptRecords.append(record)
        }
        readings = keptReadings
        records = keptRecords
        return forgotten
    }

    /// The service registered: every pack online now completed the start-up and is part of the bank.
    public func establishOnlinePacks() {
        for index in records.indices where readings[index].health.isOnline && !records[index].isEstablished {
            records[index].isEstablished = true
            records[index].establishedAt = records[index].onlineSince
        }
        noteCount(newlyEstablished: true)
    }

    /// Starts or ends each pack's online stretch and establishes those online long enough.
    private func noteOnlineTime(now: Double) {
        var newcomers: [String] = []
        for index in records.indices {
            guard readings[index].health.isOnline else {
                records[index].onlineSince = nil
                continue
            }
            let since = records[index].onlineSince ?? now
            records[index].onlineSince = since
            records[index].lastOnlineAt = now
            if !records[index].isEstablished, now - since >= establishAfterSeconds {
                records[index].isEstablished = true
                records[index].establishedAt = now
                newcomers.append(readings[index].identity.name)
            }
        }
        for newcomer in newcomers { giveUpPlace(to: newcomer) }
        noteCount(newlyEstablished: !newcomers.isEmpty)
    }

    /// A notice when the bank has more established packs than NR_OF_BATTERIES (once per count).
    private func noteCount(newlyEstablished: Bool) {
        let count = establishedCount
        if newlyEstablished, count > settings.numberOfBatteries, notifiedCount != count {
            notifiedCount = count
            pendingNotices.append("\(count) batteries found, NR_OF_BATTERIES = \(settings.numberOfBatteries): "
                + "all are used; set NR_OF_BATTERIES = \(count) if that is right")
        }
    }

    /// A new pack joined the bank while another had left: the one that left first is no longer
    /// expected (its place is taken). Only beyond NR_OF_BATTERIES does this change the count.
    private func giveUpPlace(to newcomer: String) {
        var first: Int?
        for index in records.indices where !records[index].isPresent && records[index].isEstablished {
            if first == nil || records[index].departure ?? 0 < records[first!].departure ?? 0 { first = index }
        }
        guard let first, establishedCount > settings.numberOfBatteries,
              let newcomerIndex = readings.firstIndex(where: { $0.identity.name == newcomer }) else { return }
        records[newcomerIndex].tookPlace = true
        pendingNotices.append("battery \(newcomer) takes the place of battery "
            + "\(readings[first].identity.name), which left the bus")
        readings.remove(at: first)
        records.remove(at: first)
    }

    /// Packs in parallel share one voltage: with three or more online, a pack far from the
    /// others' median is misreading and is kept out of the bank this tick. Not a pack whose BMS
    /// has opened its switches (it blocks a direction): isolated, it rightly reads its own cells.
    private func markBankOutliers(_ readings: inout [BatteryReading]) {
        onlineVoltages.removeAll(keepingCapacity: true)
        onlineIndexes.removeAll(keepingCapacity: true)
        for index in readings.indices where readings[index].health.isOnline {
            guard let voltage = readings[index].snapshot.voltage else { continue }
            onlineVoltages.append(voltage)
            onlineIndexes.append(index)
        }
        guard onlineVoltages.count >= 3 else { return }
        for outlier in PackPlausibility.outliers(onlineVoltages) {
            let index = onlineIndexes[outlier.index]
            let snapshot = readings[index].snapshot
            if (snapshot.blockingCharge ?? 0) > 0 || (snapshot.blockingDischarge ?? 0) > 0 { continue }
            readings[index].markImplausible(
                "/Dc/0/Voltage \(PackPlausibility.shown(onlineVoltages[outlier.index])) V far from the other packs' "
                    + "(median \(PackPlausibility.shown(outlier.median)) V)")
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
