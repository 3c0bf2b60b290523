/// The /Alarms/* levels a BMS driver derives from its measurements: 0 ok, 1 warning, 2 alarm.
enum BatteryAlarms {
    /// Every alarm path dbus-serialbattery publishes (victron-dbus.md §5).
    static let names = [
        "LowVoltage", "HighVoltage", "LowCellVoltage", "HighCellVoltage", "LowSoc", "StateOfHealth",
        "HighChargeCurrent", "HighDischargeCurrent", "CellImbalance", "InternalFailure",
        "HighChargeTemperature", "LowChargeTemperature", "HighTemperature", "LowTemperature",
        "BmsCable", "HighInternalTemperature", "FuseBlown",
    ]

    /// Alarm name to level for the battery's present state.
    static func levels(of model: BatteryModel) -> [String: Int32] {
        let cells = model.cellVoltages
        let minCell = cells.min() ?? 0, maxCell = cells.max() ?? 0
        let perCell = model.voltageV / Double(max(1, model.parameters.cellCount))
        var levels = Dictionary(uniqueKeysWithValues: names.map { ($0, Int32(0)) })
        levels["LowCellVoltage"] = level(minCell, warnBelow: 2.90, alarmBelow: 2.80)
        levels["HighCellVoltage"] = level(-maxCell, warnBelow: -3.60, alarmBelow: -3.65)
        levels["LowVoltage"] = level(perCell, warnBelow: 3.00, alarmBelow: 2.90)
        levels["HighVoltage"] = level(-perCell, warnBelow: -3.55, alarmBelow: -3.60)
        levels["LowSoc"] = level(model.socPercent, warnBelow: 10, alarmBelow: 5)
        levels["CellImbalance"] = level(-(maxCell - minCell), warnBelow: -0.10, alarmBelow: -0.20)
        levels["HighChargeCurrent"] = model.currentA > model.parameters.maxChargeCurrentA ? 1 : 0
        levels["HighDischargeCurrent"] = -model.currentA > model.parameters.maxDischargeCurrentA ? 1 : 0
        return levels
    }

    /// 2 below `alarmBelow`, 1 below `warnBelow`, else 0 (negate both for "above" alarms).
    private static func level(_ value: Double, warnBelow: Double, alarmBelow: Double) -> Int32 {
        if value < alarmBelow { return 2 }
        if value < warnBelow { return 1 }
        return 0
    }
}
