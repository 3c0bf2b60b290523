import PluginAPI

// C -> Swift for a plugin's tick input. Unknown values become nil; fields beyond a writer's
// struct_size are unknown; NULL pointers give empty values rather than crashes.
//
// Every tick a strategy reads the same batteries again, so the Swift view is updated in place:
// a string is made again only when its text changed and a cell array is reused when the count
// stayed, so that a steady tick allocates nothing.

extension TickContext {
    /// The Swift view of one tick's C input.
    public init(cInput pointer: UnsafePointer<dab_tick_input>) {
        self.init()
        update(cInput: pointer)
    }

    /// An empty context, for `update` to fill.
    init() {
        self.init(timeStepSeconds: 0, date: CalendarDate(year: 1970, month: 1, day: 1), batteriesExpected: 0,
                  bank: BankSnapshot(), batteries: [])
    }

    /// Makes this context the view of `pointer`'s tick, reusing its storage; without the
    /// batteries (left empty) for a strategy that reads only the bank.
    public mutating func update(cInput pointer: UnsafePointer<dab_tick_input>, withBatteries: Bool = true) {
        let input = readSizePrefixed(pointer, over: .allUnknown)
        timeStepSeconds = input.time_step_s
        date = CalendarDate(year: Int(input.date.year), month: Int(input.date.month), day: Int(input.date.day))
        batteriesExpected = Int(input.batteries_expected)
        batteriesOnline = Int(input.batteries_online)
        if let cBank = input.bank { bank.update(cBank: cBank) } else { bank = BankSnapshot() }
        var count = 0
        if withBatteries, let list = input.batteries {
            for index in 0..<Int(input.batteries_online) {
                guard let battery = list[index] else { continue }
                if count == batteries.count { batteries.append(BatterySnapshot(name: "")) }
                batteries[count].update(cBattery: battery)
                count += 1
            }
        }
        if batteries.count > count { batteries.removeLast(batteries.count - count) }
        charge = input.charge.map { ChargeResult(cOutput: $0) }
    }
}

extension BankSnapshot {
    public init(cBank pointer: UnsafePointer<dab_bank_input>) {
        self.init()
        update(cBank: pointer)
    }

    public mutating func update(cBank pointer: UnsafePointer<dab_bank_input>) {
        let bank = readSizePrefixed(pointer, over: .allUnknown)
        voltage = CValue.optional(bank.voltage_v)
        current = CValue.optional(bank.current_a)
        power = CValue.optional(bank.power_w)
        temperature = CValue.optional(bank.temperature_c)
        installedCapacityAh = CValue.optional(bank.installed_capacity_ah)
        bmsSocPercent = CValue.optional(bank.bms_soc_percent)
        bmsCapacityAh = CValue.optional(bank.bms_capacity_ah)
        bmsConsumedAh = CValue.optional(bank.bms_consumed_ah)
        bmsTimeToGoSeconds = CValue.optional(bank.bms_time_to_go_s)
        maxCellVoltage = CValue.optional(bank.max_cell_voltage_v)
        minCellVoltage = CValue.optional(bank.min_cell_voltage_v)
        CText.update(&maxCellId, from: bank.max_cell_id)
        CText.update(&minCellId, from: bank.min_cell_id)
        blockingCharge = CValue.optionalCount(bank.nr_blocking_charge)
        blockingDischarge = CValue.optionalCount(bank.nr_blocking_discharge)
        systemLowSoc = CValue.optionalFlag(bank.system_low_soc)
    }
}

extension BatterySnapshot {
    public init(cBattery pointer: UnsafePointer<dab_battery_input>) {
        self.init(name: "")
        update(cBattery: pointer)
    }

    public mutating func update(cBattery pointer: UnsafePointer<dab_battery_input>) {
        let battery = readSizePrefixed(pointer, over: .allUnknown)
        CText.update(&name, from: battery.name, whenNull: "")
        CText.update(&service, from: battery.service, whenNull: "")
        voltage = CValue.optional(battery.voltage_v)
        current = CValue.optional(battery.current_a)
        power = CValue.optional(battery.power_w)
        temperature = CValue.optional(battery.temperature_c)
        socPercent = CValue.optional(battery.soc_percent)
        capacityAh = CValue.optional(battery.capacity_ah)
        installedCapacityAh = CValue.optional(battery.installed_capacity_ah)
        consumedAh = CValue.optional(battery.consumed_ah)
        timeToGoSeconds = CValue.optional(battery.time_to_go_s)
        maxChargeVoltage = CValue.optional(battery.max_charge_voltage_v)
        maxChargeCurrent = CValue.optional(battery.max_charge_current_a)
        maxDischargeCurrent = CValue.optional(battery.max_discharge_current_a)
        CText.update(&chargeMode, from: battery.charge_mode)
        voltagesSum = CValue.optional(battery.voltages_sum_v)
        minCellVoltage = CValue.optional(battery.min_cell_voltage_v)
        maxCellVoltage = CValue.optional(battery.max_cell_voltage_v)
        CText.update(&minCellId, from: battery.min_cell_id)
        CText.update(&maxCellId, from: battery.max_cell_id)
        blockingCharge = CValue.optionalCount(battery.nr_blocking_charge)
        blockingDischarge = CValue.optionalCount(battery.nr_blocking_discharge)
        let count = battery.cell_voltages_v == nil ? 0 : Int(battery.cell_count)
        if cellVoltages.count != count {
            cellVoltages.removeAll(keepingCapacity: true)
            cellVoltages.append(contentsOf: repeatElement(nil, count: count))
        }
        if let voltages = battery.cell_voltages_v {
            cellVoltages.withUnsafeMutableBufferPointer { cells in
                for index in 0..<count { cells[index] = CValue.optional(voltages[index]) }
            }
        }
    }
}
