import PluginAPI

// "Everything unknown" values of the ABI structs, with this build's struct_size: the templates
// size-prefixed reads start from, and what a host puts into an output before a tick.

extension dab_bank_input {
    public static var allUnknown: dab_bank_input {
        let unknown = Double.nan
        let unknownCount = Int32(DAB_UNKNOWN_INT)
        return dab_bank_input(
            struct_size: UInt32(MemoryLayout<dab_bank_input>.size),
            voltage_v: unknown, current_a: unknown, power_w: unknown, temperature_c: unknown,
            installed_capacity_ah: unknown, bms_soc_percent: unknown, bms_capacity_ah: unknown,
            bms_consumed_ah: unknown, bms_time_to_go_s: unknown, max_cell_voltage_v: unknown,
            min_cell_voltage_v: unknown, max_cell_id: nil, min_cell_id: nil,
            nr_blocking_charge: unknownCount, nr_blocking_discharge: unknownCount,
            system_low_soc: unknownCount)
    }
}

extension dab_battery_input {
    public static var allUnknown: dab_battery_input {
        let unknown = Double.nan
        let unknownCount = Int32(DAB_UNKNOWN_INT)
        return dab_battery_input(
            struct_size: UInt32(MemoryLayout<dab_battery_input>.size),
            name: nil, service: nil, voltage_v: unknown, current_a: unknown, power_w: unknown,
            temperature_c: unknown, soc_percent: unknown, capacity_ah: unknown,
            installed_capacity_ah: unknown, consumed_ah: unknown, time_to_go_s: unknown,
            max_charge_voltage_v: unknown, max_charge_current_a: unknown,
            max_discharge_current_a: unknown, charge_mode: nil, voltages_sum_v: unknown,
            min_cell_voltage_v: unknown, max_cell_voltage_v: unknown, min_cell_id: nil,
            max_cell_id: nil, nr_blocking_charge: unknownCount, nr_blocking_discharge: unknownCount,
            cell_count: 0, cell_voltages_v: nil)
    }
}

extension dab_charge_output {
    /// No limits, no feed-in request, no hints, empty texts.
    public static var allUnknown: dab_charge_output {
        var output = dab_charge_output()
        output.struct_size = UInt32(MemoryLayout<dab_charge_output>.size)
        output.charge_voltage_limit_v = .nan
        output.charge_current_limit_a = .nan
        output.discharge_current_limit_a = .nan
        output.request_feed_in_off = 0
        output.hint_bank_full = -1
        output.hint_bank_empty = -1
        return output
    }
}

extension dab_soc_output {
    public static var allUnknown: dab_soc_output {
        var output = dab_soc_output()
        output.struct_size = UInt32(MemoryLayout<dab_soc_output>.size)
        output.soc_percent = .nan
        output.capacity_ah = .nan
        output.consumed_ah = .nan
        output.time_to_go_s = .nan
        return output
    }
}

extension dab_tick_input {
    public static var allUnknown: dab_tick_input {
        var input = dab_tick_input()
        input.struct_size = UInt32(MemoryLayout<dab_tick_input>.size)
        input.time_step_s = .nan
        return input
    }
}
