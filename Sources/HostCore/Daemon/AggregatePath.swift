import VeDbus

/// Every path the aggregate battery publishes besides the fixed identity paths and the
/// per-cell paths: section 4 of the reference behaviour plus our own /Info and /Batteries paths.
/// An enum with integer raw values, so the tick sets values by index instead of by string.
public enum AggregatePath: Int, CaseIterable, Sendable {
    case voltage
    case current
    case power
    case temperature
    case soc
    case timeToGo
    case capacity
    case installedCapacity
    case consumedAmphours

    case maxCellTemperature
    case maxTemperatureCellId
    case minCellTemperature
    case minTemperatureCellId
    case maxCellVoltage
    case maxVoltageCellId
    case minCellVoltage
    case minVoltageCellId
    case cellsPerBattery
    case modulesOnline
    case modulesOffline
    case modulesBlockingCharge
    case modulesBlockingDischarge
    case voltagesSum
    case voltagesDiff

    case alarmLowVoltage
    case alarmHighVoltage
    case alarmLowCellVoltage
    case alarmHighCellVoltage
    case alarmLowSoc
    case alarmHighChargeCurrent
    case alarmHighDischargeCurrent
    case alarmCellImbalance
    case alarmInternalFailure
    case alarmHighChargeTemperature
    case alarmLowChargeTemperature
    case alarmHighTemperature
    case alarmLowTemperature
    case alarmBmsCable

    case allowToCharge
    case allowToDischarge
    case allowToBalance

    case maxChargeVoltage
    case maxChargeCurrent
    case maxDischargeCurrent

    // Ours: why the limits are what they are, and what runs.
    case limitReason
    case chargeStrategy
    case socStrategy
    case chargeStrategyState
    case socStrategyState
    case batteriesExpected
    case batteriesOnline
    /// "ok", "degraded: ...", "blocked: ...", "no battery online".
    case batteriesState

    /// The D-Bus path of each case, in declaration order.
    private static let paths: [String] = [
        "/Dc/0/Voltage",
        "/Dc/0/Current",
        "/Dc/0/Power",
        "/Dc/0/Temperature",
        "/Soc",
        "/TimeToGo",
        "/Capacity",
        "/InstalledCapacity",
        "/ConsumedAmphours",
        "/System/MaxCellTemperature",
        "/System/MaxTemperatureCellId",
        "/System/MinCellTemperature",
        "/System/MinTemperatureCellId",
        "/System/MaxCellVoltage",
        "/System/MaxVoltageCellId",
        "/System/MinCellVoltage",
        "/System/MinVoltageCellId",
        "/System/NrOfCellsPerBattery",
        "/System/NrOfModulesOnline",
        "/System/NrOfModulesOffline",
        "/System/NrOfModulesBlockingCharge",
        "/System/NrOfModulesBlockingDischarge",
        "/Voltages/Sum",
        "/Voltages/Diff",
        "/Alarms/LowVoltage",
        "/Alarms/HighVoltage",
        "/Alarms/LowCellVoltage",
        "/Alarms/HighCellVoltage",
        "/Alarms/LowSoc",
        "/Alarms/HighChargeCurrent",
        "/Alarms/HighDischargeCurrent",
        "/Alarms/CellImbalance",
        "/Alarms/InternalFailure",
        "/Alarms/HighChargeTemperature",
        "/Alarms/LowChargeTemperature",
        "/Alarms/HighTemperature",
        "/Alarms/LowTemperature",
        "/Alarms/BmsCable",
        "/Io/AllowToCharge",
        "/Io/AllowToDischarge",
        "/Io/AllowToBalance",
        "/Info/MaxChargeVoltage",
        "/Info/MaxChargeCurrent",
        "/Info/MaxDischargeCurrent",
        "/Info/LimitReason",
        "/Info/ChargeStrategy",
        "/Info/SocStrategy",
        "/Info/ChargeStrategyState",
        "/Info/SocStrategyState",
        "/Batteries/Expected",
        "/Batteries/Online",
        "/Batteries/State",
    ]

    /// The D-Bus object path, e.g. "/Dc/0/Voltage".
    public var path: String { Self.paths[rawValue] }

    /// The case of a path, nil for a path that is not ours.
    public init?(path: String) {
        guard let index = Self.paths.firstIndex(of: path) else { return nil }
        self.init(rawValue: index)
    }

    /// GetText forms of section 4: voltages "%.2fV" (cells "%.3fV"), currents "%.2fA" (limits
    /// "%.1fA"), power "%.0fW", capacities "%.0fAh".
    public var format: VeService.TextFormatter? {
        switch self {
        case .voltage, .voltagesSum, .maxChargeVoltage: return TextFormat.fixed(2, "V")
        case .maxCellVoltage, .minCellVoltage, .voltagesDiff: return TextFormat.fixed(3, "V")
        case .current: return TextFormat.fixed(2, "A")
        case .maxChargeCurrent, .maxDischargeCurrent: return TextFormat.fixed(1, "A")
        case .power: return TextFormat.fixed(0, "W")
        case .capacity, .installedCapacity, .consumedAmphours: return TextFormat.fixed(0, "Ah")
        case .temperature, .maxCellTemperature, .minCellTemperature: return TextFormat.fixed(1, "°C")
        case .soc: return TextFormat.fixed(1, "%")
        case .timeToGo: return TextFormat.fixed(0, "s")
        default: return nil
        }
    }
}
