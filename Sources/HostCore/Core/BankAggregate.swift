import PluginKit

/// §3.1: the batteries online combined into one bank, both as the values to publish and as the
/// strategies' `BankSnapshot`. Defined over the batteries online (not the configured count, the
/// original's mistake): a missing battery lowers `batteriesOnline`, never the mean voltage.
public struct BankAggregate: Equatable, Sendable {
    public var values: BankValues
    public var snapshot: BankSnapshot

    /// Combines the readings whose health is `.online`; the others are ignored.
    /// `systemLowSoc` is com.victronenergy.system /SystemState/LowSoc, for the SoC strategy.
    public static func combine(_ readings: [BatteryReading], cellsPerBattery: Int,
                               systemLowSoc: Bool? = nil) -> BankAggregate {
        var values = BankValues()
        values.cellsPerBattery = cellsPerBattery

        var voltage = Mean(), temperature = Mean(), voltagesSum = Mean()
        var current = Sum(), power = Sum(), installed = Sum(), capacity = Sum(), consumed = Sum()
        var socWeighted = Sum(), timeToGoWeighted = Sum()
        var online = 0
        for reading in readings where reading.health.isOnline {
            online += 1
            let battery = reading.snapshot
            let weight = battery.installedCapacityAh
            voltage.add(battery.voltage)
            temperature.add(battery.temperature)
            voltagesSum.add(battery.voltagesSum)
            current.add(battery.current)
            power.add(battery.power)
            installed.add(weight)
            capacity.add(battery.capacityAh)
            consumed.add(battery.consumedAh)
            socWeighted.add(product(battery.socPercent, weight))
            timeToGoWeighted.add(product(battery.timeToGoSeconds, weight))

            let name = battery.name
            pick(&values.maxCellTemperature, &values.maxTemperatureCellId, reading.maxCellTemperature,
                 name, reading.maxTemperatureCellId, keepLarger: true)
            pick(&values.minCellTemperature, &values.minTemperatureCellId, reading.minCellTemperature,
                 name, reading.minTemperatureCellId, keepLarger: false)
            pick(&values.maxCellVoltage, &values.maxVoltageCellId, battery.maxCellVoltage,
                 name, battery.maxCellId, keepLarger: true)
            pick(&values.minCellVoltage, &values.minVoltageCellId, battery.minCellVoltage,
                 name, battery.minCellId, keepLarger: false)

            values.modulesOnline = addCount(values.modulesOnline, reading.modulesOnline)
            values.modulesOffline = addCount(values.modulesOffline, reading.modulesOffline)
            values.modulesBlockingCharge = addCount(values.modulesBlockingCharge, battery.blockingCharge)
            values.modulesBlockingDischarge = addCount(values.modulesBlockingDischarge, battery.blockingDischarge)
            values.alarms.raise(to: reading.alarms)
            values.allowToCharge = smaller(values.allowToCharge, reading.allowToCharge)
            values.allowToDischarge = smaller(values.allowToDischarge, reading.allowToDischarge)
            values.allowToBalance = smaller(values.allowToBalance, reading.allowToBalance)
        }
        values.batteriesOnline = online
        values.voltage = voltage.value
        values.temperature = temperature.value
        values.voltagesSum = voltagesSum.value
        values.current = current.complete
        values.power = power.complete
        values.installedCapacityAh = installed.complete
        values.capacityAh = capacity.complete
        values.consumedAh = consumed.complete
        if let total = installed.complete, total > 0 {
            values.socPercent = socWeighted.complete.map { $0 / total }
            // The original: None as soon as one battery has None.
            values.timeToGoSeconds = timeToGoWeighted.complete.map { $0 / total }
        }
        if let high = values.maxCellVoltage, let low = values.minCellVoltage {
            values.voltagesDiff = ((high - low) * 1000).rounded() / 1000
        }

        let snapshot = BankSnapshot(
            voltage: values.voltage, current: values.current, power: values.power,
            temperature: values.temperature, installedCapacityAh: values.installedCapacityAh,
            bmsSocPercent: values.socPercent, bmsCapacityAh: values.capacityAh,
            bmsConsumedAh: values.consumedAh, bmsTimeToGoSeconds: values.timeToGoSeconds,
            maxCellVoltage: values.maxCellVoltage, minCellVoltage: values.minCellVoltage,
            maxCellId: values.maxVoltageCellId, minCellId: values.minVoltageCellId,
            blockingCharge: values.modulesBlockingCharge, blockingDischarge: values.modulesBlockingDischarge,
            systemLowSoc: systemLowSoc)
        return BankAggregate(values: values, snapshot: snapshot)
    }

    /// §3.2: replaces the BMS current (and power) by the one measured by Victron devices, in
    /// both the published values and the strategies' snapshot.
    public mutating func substituteCurrent(_ amps: Double, power watts: Double?) {
        values.current = amps
        values.power = watts
        snapshot.current = amps
        snapshot.power = watts
    }

    /// The snapshots of the batteries online, in the given order, for the strategies.
    public static func onlineSnapshots(_ readings: [BatteryReading]) -> [BatterySnapshot] {
        var result: [BatterySnapshot] = []
        result.reserveCapacity(readings.count)
        for reading in readings where reading.health.isOnline { result.append(reading.snapshot) }
        return result
    }

    // MARK: Helpers

    /// Mean over the values present; nil when none is.
    private struct Mean {
        var total = 0.0, count = 0
        mutating func add(_ value: Double?) {
            guard let value else { return }
            total += value
            count += 1
        }
        var value: Double? { count > 0 ? total / Double(count) : nil }
    }

    /// Sum that is nil as soon as one term is missing (or when there is none): an incomplete
    /// sum would look like a real, smaller bank.
    private struct Sum {
        var total = 0.0, count = 0, missing = false
        mutating func add(_ value: Double?) {
            guard let value else { missing = true; return }
            total += value
            count += 1
        }
        var complete: Double? { missing || count == 0 ? nil : total }
    }

    private static func product(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b else { return nil }
        return a * b
    }

    private static func addCount(_ total: Int?, _ value: Int?) -> Int? {
        guard let value else { return total }
        return (total ?? 0) + value
    }

    private static func smaller(_ current: Int?, _ value: Int?) -> Int? {
        guard let value else { return current }
        return min(current ?? value, value)
    }

    /// Keeps the extreme value with its id "<battery name>: <cell id>"; the first battery wins a tie.
    private static func pick(_ best: inout Double?, _ bestId: inout String?, _ candidate: Double?,
                             _ batteryName: String, _ cellId: String?, keepLarger: Bool) {
        guard let candidate else { return }
        if let best, keepLarger ? candidate <= best : candidate >= best { return }
        best = candidate
        bestId = cellId.map { "\(batteryName): \($0)" } ?? batteryName
    }
}
