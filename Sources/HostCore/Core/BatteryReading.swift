import PluginKit

/// The settings that decide how a battery is read; taken once from HostSettings.
public struct BatteryReadingRules: Equatable, Sendable {
    /// NR_OF_CELLS_PER_BATTERY: cells read per battery and used in the CAN sum estimate.
    public var cellsPerBattery: Int
    /// CAN_batteries: tolerate the paths CAN BMSes do not publish (§3.1 fallbacks).
    public var canBatteries: Bool
    /// STALE_TIMEOUT in s.
    public var staleTimeoutSeconds: Double

    public init(cellsPerBattery: Int, canBatteries: Bool, staleTimeoutSeconds: Double) {
        self.cellsPerBattery = cellsPerBattery
        self.canBatteries = canBatteries
        self.staleTimeoutSeconds = staleTimeoutSeconds
    }

    public init(settings: HostSettings) {
        self.init(cellsPerBattery: settings.cellsPerBattery, canBatteries: settings.canBatteries,
                  staleTimeoutSeconds: settings.staleTimeoutSeconds)
    }
}

/// One battery's values of this tick: the strategies' `BatterySnapshot` plus what the aggregate
/// publishes and the snapshot lacks. Kept per battery across ticks so the cell array and the
/// cell path strings are allocated once, not every second.
public struct BatteryReading: Equatable, Sendable {
    /// Who the pack is; its service name changes when it comes back under another name.
    public private(set) var identity: BatteryIdentity
    public private(set) var snapshot: BatterySnapshot
    public private(set) var health: BatteryHealth = .gone
    /// Seconds since the service last gave a sign of life (a signal or an answered probe).
    public private(set) var silentSeconds: Double = 0
    /// The last valid /InstalledCapacity, Ah, kept while the pack is away: the share of the
    /// bank it stands for.
    public private(set) var lastInstalledCapacityAh: Double?
    public private(set) var alarms = AlarmLevels()
    /// /Io/AllowToCharge, /Io/AllowToDischarge, /Io/AllowToBalance (0/1).
    public private(set) var allowToCharge: Int?
    public private(set) var allowToDischarge: Int?
    public private(set) var allowToBalance: Int?
    /// /System/NrOfModulesBlockingCharge and ...Discharge as the driver published them (the
    /// snapshot's counts also reflect /Io/AllowTo*): what a pack that is not online still says.
    public private(set) var reportedBlockingCharge: Int?
    public private(set) var reportedBlockingDischarge: Int?
    /// degrees C, with the BMS's sensor ids.
    public private(set) var maxCellTemperature: Double?
    public private(set) var minCellTemperature: Double?
    public private(set) var maxTemperatureCellId: String?
    public private(set) var minTemperatureCellId: String?
    public private(set) var modulesOnline: Int?
    public private(set) var modulesOffline: Int?
    /// True when /Voltages/Sum was estimated from min/max cell (CAN batteries only).
    public private(set) var voltagesSumEstimated = false
    /// The monitor's generation of the values read last, and why they cannot count (nil: they
    /// can): a battery whose values did not change since is not read again, only its age is.
    private var readGeneration: UInt64?
    private var problem: String?

    public init(identity: BatteryIdentity, cellsPerBattery: Int) {
        self.identity = identity
        self.snapshot = BatterySnapshot(name: identity.name, service: identity.service)
        snapshot.cellVoltages.reserveCapacity(max(cellsPerBattery, 0))
    }

    /// Reads every path from `view` and decides the battery's health at monotonic time `now` (s).
    public mutating func update<View: MonitorView>(from view: View, now: Double, rules: BatteryReadingRules) {
        update(from: view, keys: BatteryReadingKeys(view, cellsPerBattery: rules.cellsPerBattery), now: now, rules: rules)
    }

    /// As above with the paths resolved once (`keys` made from this `view`): the tick's way.
    public mutating func update<View: MonitorView>(from view: View, keys: BatteryReadingKeys, now: Double,
                                                   rules: BatteryReadingRules) {
        guard let values = view.values(of: identity.service) else {
            markGone()
            return
        }
        if values.generation == nil || values.generation != readGeneration {
            // Every field is read again below; only what is appended or set now and then is reset.
            snapshot.cellVoltages.removeAll(keepingCapacity: true)
            voltagesSumEstimated = false
            readValues(values, keys)
            applyCanFallbacks(rules)
            problem = invalidReason(values, keys, rules)
            readGeneration = values.generation
            if problem == nil { lastInstalledCapacityAh = snapshot.installedCapacityAh }
        }
        let silentFor = now - values.lastUpdate
        silentSeconds = silentFor
        if silentFor >= rules.staleTimeoutSeconds {
            health = .stale(sinceSeconds: silentFor)
        } else if let problem {
            health = .invalid(reason: problem)
        } else {
            health = .online
        }
    }

    /// The same pack under a new identity (a new service name after a USB re-enumeration, a new
    /// display name): its values are read afresh at the next update.
    public mutating func adopt(_ newIdentity: BatteryIdentity) {
        guard newIdentity != identity else { return }
        identity = newIdentity
        snapshot.name = newIdentity.name
        snapshot.service = newIdentity.service
        readGeneration = nil
    }

    /// A value that cannot be physical next to the other packs' (see `PackPlausibility.outliers`): the
    /// pack is out of the bank for this tick.
    public mutating func markImplausible(_ reason: String) {
        if health.isOnline { health = .invalid(reason: reason) }
    }

    /// The battery left the bus (or the inventory no longer counts it): nothing of it is used.
    public mutating func markGone() {
        clear()
        health = .gone
        readGeneration = nil
        problem = nil
    }

    private mutating func clear() {
        // Take the cell array out first so it is uniquely referenced: no copy, no new buffer.
        var cells: [Double?] = []
        swap(&cells, &snapshot.cellVoltages)
        cells.removeAll(keepingCapacity: true)
        snapshot = BatterySnapshot(name: identity.name, service: identity.service, cellVoltages: cells)
        alarms = AlarmLevels()
        allowToCharge = nil
        allowToDischarge = nil
        reportedBlockingCharge = nil
        reportedBlockingDischarge = nil
        allowToBalance = nil
        maxCellTemperature = nil
        minCellTemperature = nil
        maxTemperatureCellId = nil
        minTemperatureCellId = nil
        modulesOnline = nil
        modulesOffline = nil
        voltagesSumEstimated = false
    }

    private mutating func readValues(_ values: MonitorServiceValues, _ keys: BatteryReadingKeys) {
        snapshot.voltage = values.number(keys.voltage)
        snapshot.current = values.number(keys.current)
        snapshot.power = values.number(keys.power)
        snapshot.temperature = values.number(keys.temperature)
        snapshot.socPercent = values.number(keys.soc)
        snapshot.capacityAh = values.number(keys.capacity)
        snapshot.installedCapacityAh = values.number(keys.installedCapacity)
        snapshot.consumedAh = values.number(keys.consumed)
        snapshot.timeToGoSeconds = values.number(keys.timeToGo)
        snapshot.maxChargeVoltage = values.number(keys.maxChargeVoltage)
        snapshot.maxChargeCurrent = values.number(keys.maxChargeCurrent)
        snapshot.maxDischargeCurrent = values.number(keys.maxDischargeCurrent)
        snapshot.chargeMode = values.text(keys.chargeMode)
        snapshot.voltagesSum = values.number(keys.voltagesSum)
        snapshot.minCellVoltage = values.number(keys.minCellVoltage)
        snapshot.maxCellVoltage = values.number(keys.maxCellVoltage)
        snapshot.minCellId = values.text(keys.minCellId)
        snapshot.maxCellId = values.text(keys.maxCellId)
        allowToCharge = values.integer(keys.allowToCharge)
        allowToDischarge = values.integer(keys.allowToDischarge)
        reportedBlockingCharge = values.integer(keys.blockingCharge)
        reportedBlockingDischarge = values.integer(keys.blockingDischarge)
        // A driver that publishes no NrOfModulesBlocking* says it through /Io/AllowTo* alone.
        // Where both are published the count decides: older serialbattery versions publish
        // AllowTo* 0 for a BMS whose switch state they cannot read, with a count of 0.
        snapshot.blockingCharge = Self.blocking(reportedBlockingCharge, allowed: allowToCharge)
        snapshot.blockingDischarge = Self.blocking(reportedBlockingDischarge, allowed: allowToDischarge)
        // The cells taken out of the snapshot while they are read: appended to in place.
        var cells: [Double?] = []
        swap(&cells, &snapshot.cellVoltages)
        if let indexes = keys.cellIndexes {
            values.appendNumbers(at: indexes, to: &cells)
        } else {
            for key in keys.cells { cells.append(values.number(key)) }
        }
        swap(&cells, &snapshot.cellVoltages)

        if let indexes = keys.alarmIndexes {
            alarms.setLevels { values.number(atIndex: indexes[$0]) }
        } else {
            alarms.setLevels { values.number(keys.alarms[$0]) }
        }
        allowToBalance = values.integer(keys.allowToBalance)
        maxCellTemperature = values.number(keys.maxCellTemperature)
        minCellTemperature = values.number(keys.minCellTemperature)
        maxTemperatureCellId = values.text(keys.maxTemperatureCellId)
        minTemperatureCellId = values.text(keys.minTemperatureCellId)
        modulesOnline = values.integer(keys.modulesOnline)
        modulesOffline = values.integer(keys.modulesOffline)
    }

    /// NrOfModulesBlocking*; without it, 1 when /Io/AllowTo* is 0.
    private static func blocking(_ count: Int?, allowed: Int?) -> Int? {
        if let count { return count }
        return allowed == 0 ? 1 : nil
    }

    /// §3.1: CAN BMSes publish less; the original fills the gaps this way.
    private mutating func applyCanFallbacks(_ rules: BatteryReadingRules) {
        guard rules.canBatteries else { return }
        if snapshot.voltagesSum == nil, let low = snapshot.minCellVoltage, let high = snapshot.maxCellVoltage {
            snapshot.voltagesSum = (low + high) / 2 * Double(rules.cellsPerBattery)
            voltagesSumEstimated = true
        }
        if snapshot.voltage == nil { snapshot.voltage = snapshot.voltagesSum }
        if snapshot.power == nil, let volts = snapshot.voltage, let amps = snapshot.current {
            snapshot.power = volts * amps
        }
        if snapshot.capacityAh == nil, let installed = snapshot.installedCapacityAh, let soc = snapshot.socPercent {
            snapshot.capacityAh = installed * soc / 100
        }
        if snapshot.consumedAh == nil { snapshot.consumedAh = 0 }
    }

    /// The first reason this battery cannot count in the bank, or nil.
    private func invalidReason(_ values: MonitorServiceValues, _ keys: BatteryReadingKeys,
                               _ rules: BatteryReadingRules) -> String? {
        // The live value, not the discovery-time verdict: a BMS that corrects its count recovers.
        if let problem = CellCountCheck.problem(reported: values.integer(keys.cellCount),
                                                cellsPerBattery: rules.cellsPerBattery,
                                                canBatteries: rules.canBatteries) {
            return problem
        }
        // What the driver says of its own link to the BMS (dbus-serialbattery: offline 10 s
        // after the BMS stopped answering, BmsCable 2 just before it gives up and exits).
        if let offline = modulesOffline, offline >= 1, (modulesOnline ?? 0) == 0 {
            return "the driver reports its BMS offline (/System/NrOfModulesOffline \(offline))"
        }
        if (alarms[.bmsCable] ?? 0) >= 2 { return "the driver reports its BMS link lost (/Alarms/BmsCable 2)" }
        guard let voltage = snapshot.voltage else { return "no valid /Dc/0/Voltage" }
        if snapshot.current == nil { return "no valid /Dc/0/Current" }
        if let unphysical = PackPlausibility.problem(voltage: voltage, voltagesSum: snapshot.voltagesSum,
                                                     cells: snapshot.cellVoltages,
                                                     minCell: snapshot.minCellVoltage, maxCell: snapshot.maxCellVoltage,
                                                     current: values[keys.current]) {
            return unphysical
        }
        guard let soc = snapshot.socPercent else { return "no valid /Soc" }
        if !(0...100).contains(soc) { return "/Soc \(soc) outside 0...100 %" }
        guard let installed = snapshot.installedCapacityAh else { return "no valid /InstalledCapacity" }
        if !(installed > 0) { return "/InstalledCapacity \(installed) Ah is not positive" }
        if snapshot.voltagesSum == nil {
            return rules.canBatteries
                ? "no /Voltages/Sum and no min/max cell voltage to estimate it"
                : "no valid /Voltages/Sum (the BMS driver must publish cell data)"
        }
        return nil
    }
}
