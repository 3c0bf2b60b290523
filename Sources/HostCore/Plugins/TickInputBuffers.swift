import PluginAPI
import PluginKit

/// The C form of a `TickContext`, in buffers kept from tick to tick: this runs every second, so
/// memory is only reallocated when a tick needs more batteries, cells or text than any before.
/// Filled once per tick for both strategies; the charge result is added for the SoC strategy.
public final class TickInputBuffers {
    let tick: UnsafeMutablePointer<dab_tick_input>
    private let bank: UnsafeMutablePointer<dab_bank_input>
    private let charge: UnsafeMutablePointer<dab_charge_output>
    private var batteries: UnsafeMutablePointer<dab_battery_input>
    private var batteryPointers: UnsafeMutablePointer<UnsafePointer<dab_battery_input>?>
    private var batteryCapacity = 0
    private var cells: UnsafeMutablePointer<Double>
    private var cellCapacity = 0
    /// All C strings of one tick, back to back.
    private var text: UnsafeMutablePointer<CChar>
    private var textCapacity = 0
    private var textUsed = 0

    public init() {
        tick = .allocate(capacity: 1)
        tick.initialize(to: .allUnknown)
        bank = .allocate(capacity: 1)
        bank.initialize(to: .allUnknown)
        charge = .allocate(capacity: 1)
        charge.initialize(to: .allUnknown)
        batteries = .allocate(capacity: 1)
        batteryPointers = .allocate(capacity: 1)
        cells = .allocate(capacity: 1)
        text = .allocate(capacity: 1)
    }

    deinit {
        tick.deallocate()
        bank.deallocate()
        charge.deallocate()
        batteries.deallocate()
        batteryPointers.deallocate()
        cells.deallocate()
        text.deallocate()
    }

    /// Fills the buffers from `context` (its charge result included, when it has one); the
    /// result is valid until the next call.
    public func fill(_ context: TickContext) -> UnsafePointer<dab_tick_input> {
        reserve(context)
        textUsed = 0
        let snapshot = context.bank
        bank.pointee = dab_bank_input(
            struct_size: UInt32(MemoryLayout<dab_bank_input>.size),
            voltage_v: CValue.double(snapshot.voltage), current_a: CValue.double(snapshot.current),
            power_w: CValue.double(snapshot.power), temperature_c: CValue.double(snapshot.temperature),
            installed_capacity_ah: CValue.double(snapshot.installedCapacityAh),
            bms_soc_percent: CValue.double(snapshot.bmsSocPercent),
            bms_capacity_ah: CValue.double(snapshot.bmsCapacityAh),
            bms_consumed_ah: CValue.double(snapshot.bmsConsumedAh),
            bms_time_to_go_s: CValue.double(snapshot.bmsTimeToGoSeconds),
            max_cell_voltage_v: CValue.double(snapshot.maxCellVoltage),
            min_cell_voltage_v: CValue.double(snapshot.minCellVoltage),
            max_cell_id: append(snapshot.maxCellId), min_cell_id: append(snapshot.minCellId),
            nr_blocking_charge: CValue.count(snapshot.blockingCharge),
            nr_blocking_discharge: CValue.count(snapshot.blockingDischarge),
            system_low_soc: CValue.flag(snapshot.systemLowSoc))

        var cellIndex = 0
        // Each snapshot read through its address in the array's buffer: `for battery in`, or
        // passing `context.batteries[index]`, copies the whole snapshot (a dozen retains and
        // releases) only to read it.
        context.batteries.withUnsafeBufferPointer { snapshots in
            for index in snapshots.indices {
                let firstCell = cells + cellIndex
                for voltage in snapshots[index].cellVoltages {
                    cells[cellIndex] = CValue.double(voltage)
                    cellIndex += 1
                }
                batteries[index] = batteryInput(snapshots.baseAddress! + index, cells: firstCell)
                batteryPointers[index] = UnsafePointer(batteries + index)
            }
        }

        tick.pointee = dab_tick_input(
            struct_size: UInt32(MemoryLayout<dab_tick_input>.size),
            time_step_s: context.timeStepSeconds,
            date: dab_date(year: Int32(clamping: context.date.year), month: Int32(clamping: context.date.month),
                           day: Int32(clamping: context.date.day)),
            batteries_expected: UInt32(clamping: max(context.batteriesExpected, 0)),
            batteries_online: UInt32(context.batteries.count),
            bank: UnsafePointer(bank),
            batteries: context.batteries.isEmpty ? nil : UnsafePointer(batteryPointers),
            charge: nil)
        setCharge(context.charge)
        return UnsafePointer(tick)
    }

    /// One battery in C, its texts copied into `text` and its cells already at `cells`. Each
    /// field read through the pointer: a snapshot passed by value is copied whole first.
    private func batteryInput(_ snapshot: UnsafePointer<BatterySnapshot>,
                              cells: UnsafeMutablePointer<Double>) -> dab_battery_input {
        dab_battery_input(
            struct_size: UInt32(MemoryLayout<dab_battery_input>.size),
            name: append(snapshot.pointee.name), service: append(snapshot.pointee.service),
            voltage_v: CValue.double(snapshot.pointee.voltage), current_a: CValue.double(snapshot.pointee.current),
            power_w: CValue.double(snapshot.pointee.power), temperature_c: CValue.double(snapshot.pointee.temperature),
            soc_percent: CValue.double(snapshot.pointee.socPercent),
            capacity_ah: CValue.double(snapshot.pointee.capacityAh),
            installed_capacity_ah: CValue.double(snapshot.pointee.installedCapacityAh),
            consumed_ah: CValue.double(snapshot.pointee.consumedAh),
            time_to_go_s: CValue.double(snapshot.pointee.timeToGoSeconds),
            max_charge_voltage_v: CValue.double(snapshot.pointee.maxChargeVoltage),
            max_charge_current_a: CValue.double(snapshot.pointee.maxChargeCurrent),
            max_discharge_current_a: CValue.double(snapshot.pointee.maxDischargeCurrent),
            charge_mode: append(snapshot.pointee.chargeMode),
            voltages_sum_v: CValue.double(snapshot.pointee.voltagesSum),
            min_cell_voltage_v: CValue.double(snapshot.pointee.minCellVoltage),
            max_cell_voltage_v: CValue.double(snapshot.pointee.maxCellVoltage),
            min_cell_id: append(snapshot.pointee.minCellId), max_cell_id: append(snapshot.pointee.maxCellId),
            nr_blocking_charge: CValue.count(snapshot.pointee.blockingCharge),
            nr_blocking_discharge: CValue.count(snapshot.pointee.blockingDischarge),
            cell_count: UInt32(snapshot.pointee.cellVoltages.count),
            cell_voltages_v: snapshot.pointee.cellVoltages.isEmpty ? nil : UnsafePointer(cells))
    }

    /// The charge strategy's result of this tick, for the SoC strategy; nil takes it away.
    public func setCharge(_ result: ChargeResult?) {
        if let result { charge.pointee = result.cOutput }
        tick.pointee.charge = result == nil ? nil : UnsafePointer(charge)
    }

    /// Grows the buffers to what `context` needs, before any pointer into them is handed out.
    private func reserve(_ context: TickContext) {
        let batteryCount = context.batteries.count
        if batteryCount > batteryCapacity {
            batteries.deallocate()
            batteryPointers.deallocate()
            batteries = .allocate(capacity: batteryCount)
            batteryPointers = .allocate(capacity: batteryCount)
            batteryCapacity = batteryCount
        }
        var cellCount = 0
        var textBytes = textSize(context.bank.maxCellId) + textSize(context.bank.minCellId)
        context.batteries.withUnsafeBufferPointer { snapshots in
            for index in snapshots.indices {
                cellCount += snapshots[index].cellVoltages.count
                textBytes += textBytesNeeded(snapshots.baseAddress! + index)
            }
        }
        if cellCount > cellCapacity {
            cells.deallocate()
            cells = .allocate(capacity: cellCount)
            cellCapacity = cellCount
        }
        if textBytes > textCapacity {
            text.deallocate()
            text = .allocate(capacity: textBytes)
            textCapacity = textBytes
        }
    }

    /// Room for one battery's texts, each with its NUL (read through the pointer, as above).
    private func textBytesNeeded(_ battery: UnsafePointer<BatterySnapshot>) -> Int {
        textSize(battery.pointee.name) + textSize(battery.pointee.service) + textSize(battery.pointee.chargeMode)
            + textSize(battery.pointee.minCellId) + textSize(battery.pointee.maxCellId)
    }

    private func textSize(_ value: String?) -> Int {
        value.map { $0.utf8.count + 1 } ?? 0
    }

    /// Copies `value` into the text buffer as a C string; NULL for nil.
    private func append(_ value: String?) -> UnsafePointer<CChar>? {
        guard var value else { return nil }
        let start = text + textUsed
        let count = value.withUTF8 { bytes in
            if let source = bytes.baseAddress { UnsafeMutableRawPointer(start).copyMemory(from: source, byteCount: bytes.count) }
            return bytes.count
        }
        start[count] = 0
        textUsed += count + 1
        return UnsafePointer(start)
    }
}
