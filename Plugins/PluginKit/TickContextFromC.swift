import PluginAPI

// C -> Swift for a plugin's tick input. Unknown values become nil; fields beyond a writer's
// struct_size are unknown; NULL pointers give empty values rather than crashes.

extension TickContext {
    /// The Swift view of one tick's C input.
    public init(cInput pointer: UnsafePointer<dab_tick_input>) {
        let input = readSizePrefixed(pointer, over: .allUnknown)
        let bank = input.bank.map { BankSnapshot(cBank: $0) } ?? BankSnapshot()
        var batteries: [BatterySnapshot] = []
        if let list = input.batteries {
            batteries.reserveCapacity(Int(input.batteries_online))
            for index in 0..<Int(input.batteries_online) {
                if let battery = list[index] { batteries.append(BatterySnapshot(cBattery: battery)) }
            }
        }
        self.init(
            timeStepSeconds: input.time_step_s,
            date: CalendarDate(year: Int(input.date.year), month: Int(input.date.month), day: Int(input.date.day)),
            batteriesExpected: Int(input.batteries_expected),
            bank: bank,
            batteries: batteries,
            charge: input.charge.map { ChargeResult(cOutput: $0) })
    }
}

extension BankSnapshot {
    public init(cBank pointer: UnsafePointer<dab_bank_input>) {
        let bank = readSizePrefixed(pointer, over: .allUnknown)
        self.init(
            voltage: CValue.optional(bank.voltage_v),
            current: CValue.optional(bank.current_a),
            power: CValue.optional(bank.power_w),
            temperature: CValue.optional(bank.temperature_c),
            installedCapacityAh: CValue.optional(bank.installed_capacity_ah),
            bmsSocPercent: CValue.optional(bank.bms_soc_percent),
            bmsCapacityAh: CValue.optional(bank.bms_capacity_ah),
            bmsConsumedAh: CValue.optional(bank.bms_consumed_ah),
            bmsTimeToGoSeconds: CValue.optional(bank.bms_time_to_go_s),
            maxCellVoltage: CValue.optional(bank.max_cell_voltage_v),
            minCellVoltage: CValue.optional(bank.min_cell_voltage_v),
            maxCellId: CText.optionalString(bank.max_cell_id),
            minCellId: CText.optionalString(bank.min_cell_id),
            blockingCharge: CValue.optionalCount(bank.nr_blocking_charge),
            blockingDischarge: CValue.optionalCount(bank.nr_blocking_discharge),
            systemLowSoc: CValue.optionalFlag(bank.system_low_soc))
    }
}

extension BatterySnapshot {
    public init(cBattery pointer: UnsafePointer<dab_battery_input>) {
        let battery = readSizePrefixed(pointer, over: .allUnknown)
        var cells: [Double?] = []
        if let voltages = battery.cell_voltages_v {
            cells.reserveCapacity(Int(battery.cell_count))
            for index in 0..<Int(battery.cell_count) { cells.append(CValue.optional(voltages[index])) }
        }
        self.init(
            name: CText.optionalString(battery.name) ?? "",
            service: CText.optionalString(battery.service) ?? "",
            voltage: CValue.optional(battery.voltage_v),
            current: CValue.optional(battery.current_a),
            power: CValue.optional(battery.power_w),
            temperature: CValue.optional(battery.temperature_c),
            socPercent: CValue.optional(battery.soc_percent),
            capacityAh: CValue.optional(battery.capacity_ah),
            installedCapacityAh: CValue.optional(battery.installed_capacity_ah),
            consumedAh: CValue.optional(battery.consumed_ah),
            timeToGoSeconds: CValue.optional(battery.time_to_go_s),
            maxChargeVoltage: CValue.optional(battery.max_charge_voltage_v),
            maxChargeCurrent: CValue.optional(battery.max_charge_current_a),
            maxDischargeCurrent: CValue.optional(battery.max_discharge_current_a),
            chargeMode: CText.optionalString(battery.charge_mode),
            voltagesSum: CValue.optional(battery.voltages_sum_v),
            minCellVoltage: CValue.optional(battery.min_cell_voltage_v),
            maxCellVoltage: CValue.optional(battery.max_cell_voltage_v),
            minCellId: CText.optionalString(battery.min_cell_id),
            maxCellId: CText.optionalString(battery.max_cell_id),
            blockingCharge: CValue.optionalCount(battery.nr_blocking_charge),
            blockingDischarge: CValue.optionalCount(battery.nr_blocking_discharge),
            cellVoltages: cells)
    }
}
