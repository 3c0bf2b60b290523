import VeDbus

/// Every path the aggregate battery publishes besides the fixed identity paths and the
/// per-cell paths: section 4 of the reference behaviour plus our own /Info and /Batteries paths.
/// An enum, so the tick sets values by index instead of by string.
public enum AggregatePath: String, CaseIterable, Sendable {
    case voltage = "/Dc/0/Voltage"
    case current = "/Dc/0/Current"
    case power = "/Dc/0/Power"
    case temperature = "/Dc/0/Temperature"
    case soc = "/Soc"
    case timeToGo = "/TimeToGo"
    case capacity = "/Capacity"
    case installedCapacity = "/InstalledCapacity"
    case consumedAmphours = "/ConsumedAmphours"

    case maxCellTemperature = "/System/MaxCellTemperature"
    case maxTemperatureCellId = "/System/MaxTemperatureCellId"
    case minCellTemperature = "/System/MinCellTemperature"
    case minTemperatureCellId = "/System/MinTemperatureCellId"
    case maxCellVoltage = "/System/MaxCellVoltage"
    case maxVoltageCellId = "/System/MaxVoltageCellId"
    case minCellVoltage = "/System/MinCellVoltage"
    case minVoltageCellId = "/System/MinVoltageCellId"
    case cellsPerBattery = "/System/NrOfCellsPerBattery"
    case modulesOnline = "/System/NrOfModulesOnline"
    case modulesOffline = "/System/NrOfModulesOffline"
    case modulesBlockingCharge = "/System/NrOfModulesBlockingCharge"
    case modulesBlockingDischarge = "/System/NrOfModulesBlockingDischarge"
    case voltagesSum = "/Voltages/Sum"
    case voltagesDiff = "/Voltages/Diff"

    case alarmLowVoltage = "/Alarms/LowVoltage"
    case alarmHighVoltage = "/Alarms/HighVoltage"
    case alarmLowCellVoltage = "/Alarms/LowCellVoltage"
    case alarmHighCellVoltage = "/Alarms/HighCellVoltage"
    case alarmLowSoc = "/Alarms/LowSoc"
    case alarmHighChargeCurrent = "/Alarms/HighChargeCurrent"
    case alarmHighDischargeCurrent = "/Alarms/HighDischargeCurrent"
    case alarmCellImbalance = "/Alarms/CellImbalance"
    case alarmInternalFailure = "/Alarms/InternalFailure"
    case alarmHighChargeTemperature = "/Alarms/HighChargeTemperature"
    case alarmLowChargeTemperature = "/Alarms/LowChargeTemperature"
    case alarmHighTemperature = "/Alarms/HighTemperature"
    case alarmLowTemperature = "/Alarms/LowTemperature"
    case alarmBmsCable = "/Alarms/BmsCable"

    case allowToCharge = "/Io/AllowToCharge"
    case allowToDischarge = "/Io/AllowToDischarge"
    case allowToBalance = "/Io/AllowToBalance"

    case maxChargeVoltage = "/Info/MaxChargeVoltage"
    case maxChargeCurrent = "/Info/MaxChargeCurrent"
    case maxDischargeCurrent = "/Info/MaxDischargeCurrent"

    // Ours: why the limits are what they are, and what runs.
    case limitReason = "/Info/LimitReason"
    case chargeStrategy = "/Info/ChargeStrategy"
    case socStrategy = "/Info/SocStrategy"
    case chargeStrategyState = "/Info/ChargeStrategyState"
    case socStrategyState = "/Info/SocStrategyState"
    case batteriesExpected = "/Batteries/Expected"
    case batteriesOnline = "/Batteries/Online"
    /// "ok", "degraded: ...", "blocked: ...", "no battery online".
    case batteriesState = "/Batteries/State"

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
