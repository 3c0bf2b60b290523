import VeDbus

/// A dbus-serialbattery look-alike (`com.victronenergy.battery.<port>`): every path of
/// victron-dbus.md §5 with serialbattery's types and text forms, computed from a BatteryModel.
public final class SimulatedBattery: SimulatedDevice {
    public private(set) var model: BatteryModel
    /// Name of the BMS in /ProductName ("SerialBattery(<bms>)").
    public let bmsName: String
    /// The jitter of a real BMS's readings; nil: exact readings.
    private var noise: MeasurementNoise?

    /// `port` is the name suffix, e.g. "ttyUSB0".
    public init(port: String, deviceInstance: Int32, parameters: BatteryParameters, socPercent: Double,
                bmsName: String = "Daly", noise: MeasurementNoise? = nil, address: BusAddress, loop: EventLoop) {
        model = BatteryModel(parameters: parameters, socPercent: socPercent)
        self.bmsName = bmsName
        self.noise = noise
        let identity = DeviceIdentity(
            processName: "dbus-serialbattery.py", connection: "Serial \(port)",
            deviceInstance: deviceInstance, productId: 0xBA77, productName: "SerialBattery(\(bmsName))",
            serial: "SIM-BAT-\(deviceInstance)", customName: "Battery \(deviceInstance)")
        super.init(serviceName: "com.victronenergy.battery.\(port)", identity: identity,
                   address: address, loop: loop)
    }

    // MARK: Knobs

    /// The BMS refuses charging: NrOfModulesBlockingCharge 1, AllowToCharge 0, CCL 0, no charge current.
    public var blocksChargeByCommand: Bool {
        get { model.chargeBlockedByCommand }
        set { model.chargeBlockedByCommand = newValue }
    }

    public var blocksDischargeByCommand: Bool {
        get { model.dischargeBlockedByCommand }
        set { model.dischargeBlockedByCommand = newValue }
    }

    /// Seconds since the driver lost its BMS (serial cable, USB adapter); nil while connected.
    /// The driver stays on the bus and answers calls, and does what dbus-serialbattery does:
    /// after 10 s it marks the battery offline (/System/NrOfModulesOnline 0, ...Offline 1) and
    /// invalidates voltage, current and power; after 60 s it raises /Alarms/BmsCable to 1. The
    /// other values keep what was last read.
    public private(set) var bmsLinkLostForSeconds: Double?
    private var valuesAtLinkLoss: [(String, DBusValue)] = []

    /// The driver loses its BMS now (`connected: false`) or reads it again.
    public func setBmsLink(connected: Bool) {
        if connected {
            bmsLinkLostForSeconds = nil
            valuesAtLinkLoss = []
        } else if bmsLinkLostForSeconds == nil {
            valuesAtLinkLoss = measurementValues()
            bmsLinkLostForSeconds = 0
        }
    }

    /// Moves the driver's own clock (for its link-loss time-outs).
    func advanceDriverClock(_ seconds: Double) {
        if let lost = bmsLinkLostForSeconds { bmsLinkLostForSeconds = lost + seconds }
    }

    /// dbus-serialbattery's time-outs for a lost BMS: offline after 10 s, cable alarm after 60 s.
    public static let driverOfflineAfterSeconds = 10.0
    public static let driverCableAlarmAfterSeconds = 60.0

    /// Lets the battery's share of the bank current flow for `seconds`; returns what flowed.
    @discardableResult
    public func step(requestedA: Double, seconds: Double) -> Double {
        model.step(requestedA: requestedA, seconds: seconds)
    }

    public func setSoc(_ percent: Double) { model.setSoc(percent) }

    // MARK: Paths

    static var volts3: VeService.TextFormatter { TextFormat.fixed(3, "V") }
    static var volts2: VeService.TextFormatter { TextFormat.fixed(2, "V") }
    static var amps2: VeService.TextFormatter { TextFormat.fixed(2, "A") }
    static var amps1: VeService.TextFormatter { TextFormat.fixed(1, "A") }
    static var watts: VeService.TextFormatter { TextFormat.fixed(0, "W") }
    static var percent: VeService.TextFormatter { TextFormat.fixed(1, "%") }
    static var ampHours: VeService.TextFormatter { TextFormat.fixed(0, "Ah") }
    static var celsius: VeService.TextFormatter { TextFormat.fixed(1, "°C") }
    static var seconds: VeService.TextFormatter { TextFormat.fixed(0, "s") }

    override func measurementPaths() -> [(String, VeService.TextFormatter?)] {
        var paths: [(String, VeService.TextFormatter?)] = []
        for cell in 1...model.parameters.cellCount { paths.append(("/Voltages/Cell\(cell)", Self.volts3)) }
        paths += [
            ("/Voltages/Sum", Self.volts2), ("/Voltages/Diff", Self.volts3),
            ("/System/MinCellVoltage", Self.volts3), ("/System/MaxCellVoltage", Self.volts3),
            ("/System/MinVoltageCellId", nil), ("/System/MaxVoltageCellId", nil),
            ("/System/MinCellTemperature", Self.celsius), ("/System/MaxCellTemperature", Self.celsius),
            ("/System/MinTemperatureCellId", nil), ("/System/MaxTemperatureCellId", nil),
            ("/System/NrOfCellsPerBattery", nil), ("/System/NrOfModulesOnline", nil),
            ("/System/NrOfModulesOffline", nil), ("/System/NrOfModulesBlockingCharge", nil),
            ("/System/NrOfModulesBlockingDischarge", nil),
            ("/Io/AllowToCharge", nil), ("/Io/AllowToDischarge", nil), ("/Io/AllowToBalance", nil),
            ("/Info/MaxChargeVoltage", Self.volts2), ("/Info/MaxChargeCurrent", Self.amps1),
            ("/Info/MaxDischargeCurrent", Self.amps1), ("/Info/BatteryLowVoltage", Self.volts2),
            ("/Info/ChargeMode", nil),
            ("/Soc", Self.percent), ("/Soh", Self.percent), ("/Capacity", Self.ampHours),
            ("/InstalledCapacity", Self.ampHours), ("/ConsumedAmphours", Self.ampHours),
            ("/TimeToGo", Self.seconds),
            ("/Dc/0/Voltage", Self.volts2), ("/Dc/0/Current", Self.amps2), ("/Dc/0/Power", Self.watts),
            ("/Dc/0/Temperature", Self.celsius),
            ("/State", nil), ("/ErrorCode", nil),
        ]
        for alarm in BatteryAlarms.names { paths.append(("/Alarms/\(alarm)", nil)) }
        return paths
    }

    override func measurementValues() -> [(String, DBusValue)] {
        guard let lost = bmsLinkLostForSeconds else { return liveValues() }
        return valuesAtLinkLoss.map { path, value in
            switch path {
            case "/Dc/0/Voltage", "/Dc/0/Current", "/Dc/0/Power":
                return (path, lost >= Self.driverOfflineAfterSeconds ? .invalid : value)
            case "/System/NrOfModulesOnline":
                return (path, .int32(lost >= Self.driverOfflineAfterSeconds ? 0 : 1))
            case "/System/NrOfModulesOffline":
                return (path, .int32(lost >= Self.driverOfflineAfterSeconds ? 1 : 0))
            case "/Alarms/BmsCable":
                return (path, .int32(lost > Self.driverCableAlarmAfterSeconds ? 1 : 0))
            default:
                return (path, value)
            }
        }
    }

    /// The values the driver reads from a connected BMS now.
    private func liveValues() -> [(String, DBusValue)] {
        let model = self.model
        var cells = model.cellVoltages.map(Self.millivoltRounded)
        if noise != nil {
            for index in cells.indices { cells[index] = Self.millivoltRounded(cells[index] + noise!.next(step: 0.001)) }
        }
        let minCell = cells.min() ?? 0, maxCell = cells.max() ?? 0
        let minIndex = cells.firstIndex(of: minCell) ?? 0, maxIndex = cells.firstIndex(of: maxCell) ?? 0
        let temperatures = model.temperaturesC
        let minTemperature = temperatures.min() ?? 0, maxTemperature = temperatures.max() ?? 0
        let voltage = cells.reduce(0, +)
        let current = ((model.currentA + (noise?.next(step: 0.01) ?? 0)) * 100).rounded() / 100
        let capacity = model.parameters.capacityAh
        let remaining = model.remainingAh

        var values: [(String, DBusValue)] = []
        for (index, cell) in cells.enumerated() { values.append(("/Voltages/Cell\(index + 1)", .double(cell))) }
        values += [
            ("/Voltages/Sum", .double(Self.millivoltRounded(voltage))),
            ("/Voltages/Diff", .double(Self.millivoltRounded(maxCell - minCell))),
            ("/System/MinCellVoltage", .double(minCell)),
            ("/System/MaxCellVoltage", .double(maxCell)),
            ("/System/MinVoltageCellId", .string("C\(minIndex + 1)")),
            ("/System/MaxVoltageCellId", .string("C\(maxIndex + 1)")),
            ("/System/MinCellTemperature", .double(Self.tenths(minTemperature))),
            ("/System/MaxCellTemperature", .double(Self.tenths(maxTemperature))),
            ("/System/MinTemperatureCellId", .string("Temp\((temperatures.firstIndex(of: minTemperature) ?? 0) + 1)")),
            ("/System/MaxTemperatureCellId", .string("Temp\((temperatures.firstIndex(of: maxTemperature) ?? 0) + 1)")),
            ("/System/NrOfCellsPerBattery", .int32(Int32(model.parameters.cellCount))),
            ("/System/NrOfModulesOnline", .int32(1)),
            ("/System/NrOfModulesOffline", .int32(0)),
            ("/System/NrOfModulesBlockingCharge", .int32(model.blocksCharge ? 1 : 0)),
            ("/System/NrOfModulesBlockingDischarge", .int32(model.blocksDischarge ? 1 : 0)),
            ("/Io/AllowToCharge", .int32(model.blocksCharge ? 0 : 1)),
            ("/Io/AllowToDischarge", .int32(model.blocksDischarge ? 0 : 1)),
            ("/Io/AllowToBalance", .int32(maxCell >= 3.40 ? 1 : 0)),
            ("/Info/MaxChargeVoltage", .double(Self.millivoltRounded(model.publishedChargeVoltageV))),
            ("/Info/MaxChargeCurrent", .double(model.chargeCurrentLimitA)),
            ("/Info/MaxDischargeCurrent", .double(model.dischargeCurrentLimitA)),
            ("/Info/BatteryLowVoltage",
             .double(Self.millivoltRounded(Double(model.parameters.cellCount) * model.parameters.lowVoltagePerCellV))),
            ("/Info/ChargeMode", .string(model.chargeMode)),
            ("/Soc", .double(Self.tenths(model.socPercent))),
            ("/Soh", .double(100)),
            ("/Capacity", .double(Self.hundredths(remaining))),
            ("/InstalledCapacity", .double(capacity)),
            ("/ConsumedAmphours", .double(Self.hundredths(-(capacity - remaining)))),
            ("/TimeToGo", Self.timeToGo(remainingAh: remaining, currentA: model.currentA)),
            ("/Dc/0/Voltage", .double(Self.hundredths(voltage))),
            ("/Dc/0/Current", .double(current)),
            ("/Dc/0/Power", .double(Self.tenths(voltage * current))),
            ("/Dc/0/Temperature", .double(Self.tenths(temperatures.reduce(0, +) / Double(temperatures.count)))),
            ("/State", .int32(9)),
            ("/ErrorCode", .int32(0)),
        ]
        let alarms = BatteryAlarms.levels(of: model)
        for alarm in BatteryAlarms.names { values.append(("/Alarms/\(alarm)", .int32(alarms[alarm] ?? 0))) }
        return values
    }

    /// Seconds until empty while discharging (at most 864000, the wiki's cap), 864000 while
    /// charging, invalid while the current is too small to say (serialbattery: |I| ≤ 0.1 A).
    static func timeToGo(remainingAh: Double, currentA: Double) -> DBusValue {
        guard abs(currentA) > 0.1 else { return .invalid }
        guard currentA < 0 else { return .int32(864_000) }
        return .int32(Int32(min(864_000, remainingAh / -currentA * 3600).rounded()))
    }

    static func millivoltRounded(_ volts: Double) -> Double { (volts * 1000).rounded() / 1000 }
    static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    static func tenths(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
