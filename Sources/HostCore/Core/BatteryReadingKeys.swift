import VeDbus

/// The paths a battery is read from, resolved to a view's keys once instead of hashed by name
/// for every battery on every tick.
public struct BatteryReadingKeys: Sendable {
    let voltage, current, power, temperature, soc, capacity, installedCapacity, consumed, timeToGo: MonitorKey
    let maxChargeVoltage, maxChargeCurrent, maxDischargeCurrent, chargeMode: MonitorKey
    let voltagesSum, minCellVoltage, maxCellVoltage, minCellId, maxCellId: MonitorKey
    let blockingCharge, blockingDischarge: MonitorKey
    let allowToCharge, allowToDischarge, allowToBalance: MonitorKey
    let maxCellTemperature, minCellTemperature, maxTemperatureCellId, minTemperatureCellId: MonitorKey
    let modulesOnline, modulesOffline, cellCount: MonitorKey
    /// In `BatteryAlarm.allCases` order.
    let alarms: [MonitorKey]
    /// `/Voltages/Cell1` ... `/Voltages/Cell<cellsPerBattery>`.
    let cells: [MonitorKey]
    /// The monitor's indexes of `cells` and of `alarms`, when every key is an index (the host's
    /// monitor): three dozen numbers a battery a tick are then read in one pass over its
    /// array. Nil for views that look paths up by name.
    let cellIndexes: [Int]?
    let alarmIndexes: [Int]?

    public init<View: MonitorView>(_ view: View, cellsPerBattery: Int) {
        voltage = view.key("/Dc/0/Voltage")
        current = view.key("/Dc/0/Current")
        power = view.key("/Dc/0/Power")
        temperature = view.key("/Dc/0/Temperature")
        soc = view.key("/Soc")
        capacity = view.key("/Capacity")
        installedCapacity = view.key("/InstalledCapacity")
        consumed = view.key("/ConsumedAmphours")
        timeToGo = view.key("/TimeToGo")
        maxChargeVoltage = view.key("/Info/MaxChargeVoltage")
        maxChargeCurrent = view.key("/Info/MaxChargeCurrent")
        maxDischargeCurrent = view.key("/Info/MaxDischargeCurrent")
        chargeMode = view.key("/Info/ChargeMode")
        voltagesSum = view.key("/Voltages/Sum")
        minCellVoltage = view.key("/System/MinCellVoltage")
        maxCellVoltage = view.key("/System/MaxCellVoltage")
        minCellId = view.key("/System/MinVoltageCellId")
        maxCellId = view.key("/System/MaxVoltageCellId")
        blockingCharge = view.key("/System/NrOfModulesBlockingCharge")
        blockingDischarge = view.key("/System/NrOfModulesBlockingDischarge")
        allowToCharge = view.key("/Io/AllowToCharge")
        allowToDischarge = view.key("/Io/AllowToDischarge")
        allowToBalance = view.key("/Io/AllowToBalance")
        maxCellTemperature = view.key("/System/MaxCellTemperature")
        minCellTemperature = view.key("/System/MinCellTemperature")
        maxTemperatureCellId = view.key("/System/MaxTemperatureCellId")
        minTemperatureCellId = view.key("/System/MinTemperatureCellId")
        modulesOnline = view.key("/System/NrOfModulesOnline")
        modulesOffline = view.key("/System/NrOfModulesOffline")
        cellCount = view.key(CellCountCheck.path)
        alarms = BatteryAlarm.allCases.map { view.key($0.path) }
        cells = (0..<max(cellsPerBattery, 0)).map { view.key("/Voltages/Cell\($0 + 1)") }
        cellIndexes = Self.indexes(cells)
        alarmIndexes = Self.indexes(alarms)
    }

    private static func indexes(_ keys: [MonitorKey]) -> [Int]? {
        var indexes: [Int] = []
        for key in keys {
            guard case .id(let id) = key else { return nil }
            indexes.append(id.index)
        }
        return indexes
    }
}
