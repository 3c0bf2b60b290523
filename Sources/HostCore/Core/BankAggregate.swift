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
        var extremes = CellExtremes()
        // By index: `for reading in readings` would copy every reading (strings, arrays) each tick.
        for index in readings.indices where readings[index].health.isOnline {
            online += 1
            let weight = readings[index].snapshot.installedCapacityAh
            voltage.add(readings[index].snapshot.voltage)
            temperature.add(readings[index].snapshot.temperature)
            voltagesSum.add(readings[index].snapshot.voltagesSum)
            current.add(readings[index].snapshot.current)
            power.add(readings[index].snapshot.power)
            installed.add(weight)
            capacity.add(readings[index].snapshot.capacityAh)
            consumed.add(readings[index].snapshot.consumedAh)
            socWeighted.add(product(readings[index].snapshot.socPercent, weight))
            timeToGoWeighted.add(product(readings[index].snapshot.timeToGoSeconds, weight))
            extremes.consider(index, readings[index])

            values.modulesOnline = addCount(values.modulesOnline, readings[index].modulesOnline)
            values.modulesOffline = addCount(values.modulesOffline, readings[index].modulesOffline)
            values.modulesBlockingCharge = addCount(values.modulesBlockingCharge, readings[index].snapshot.blockingCharge)
            values.modulesBlockingDischarge = addCount(values.modulesBlockingDischarge, readings[index].snapshot.blockingDischarge)
            values.alarms.raise(to: readings[index].alarms)
            values.allowToCharge = smaller(values.allowToCharge, readings[index].allowToCharge)
            values.allowToDischarge = smaller(values.allowToDischarge, readings[index].allowToDischarge)
            values.allowToBalance = smaller(values.allowToBalance, readings[index].allowToBalance)
        }
        extremes.write(into: &values, readings)
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
        onlineSnapshots(readings, into: &result)
        return result
    }

    /// As above, into `snapshots`' storage (the daemon keeps it from tick to tick).
    public static func onlineSnapshots(_ readings: [BatteryReading], into snapshots: inout [BatterySnapshot]) {
        snapshots.removeAll(keepingCapacity: true)
        for index in readings.indices where readings[index].health.isOnline { snapshots.append(readings[index].snapshot) }
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

    /// The highest and lowest cell temperature and voltage of the bank, with the battery that has
    /// each; the id "<battery CustomName>: <cell id>" (§3.1; the display name for a pack without a
    /// custom name) is made once, for the winner, not for every battery that led on the way.
    /// The first battery wins a tie.
    private struct CellExtremes {
        private struct Best {
            var value: Double?
            var battery = 0
            let keepLarger: Bool

            mutating func consider(_ candidate: Double?, _ index: Int) {
                guard let candidate else { return }
                if let value, keepLarger ? candidate <= value : candidate >= value { return }
                value = candidate
                battery = index
            }
        }
        private var maxTemperature = Best(keepLarger: true), minTemperature = Best(keepLarger: false)
        private var maxVoltage = Best(keepLarger: true), minVoltage = Best(keepLarger: false)

        mutating func consider(_ index: Int, _ reading: BatteryReading) {
            maxTemperature.consider(reading.maxCellTemperature, index)
            minTemperature.consider(reading.minCellTemperature, index)
            maxVoltage.consider(reading.snapshot.maxCellVoltage, index)
            minVoltage.consider(reading.snapshot.minCellVoltage, index)
        }

        func write(into values: inout BankValues, _ readings: [BatteryReading]) {
            func id(_ best: Best, _ cellId: (BatteryReading) -> String?) -> String? {
                guard best.value != nil else { return nil }
                let reading = readings[best.battery]
                let packName = Self.packName(reading)
                return cellId(reading).map { packName + ": " + $0 } ?? packName
            }
            values.maxCellTemperature = maxTemperature.value
            values.maxTemperatureCellId = id(maxTemperature) { $0.maxTemperatureCellId }
            values.minCellTemperature = minTemperature.value
            values.minTemperatureCellId = id(minTemperature) { $0.minTemperatureCellId }
            values.maxCellVoltage = maxVoltage.value
            values.maxVoltageCellId = id(maxVoltage) { $0.snapshot.maxCellId }
            values.minCellVoltage = minVoltage.value
            values.minVoltageCellId = id(minVoltage) { $0.snapshot.minCellId }
        }

        /// The pack's /CustomName as the Python program names it in cell ids; the display name
        /// (BATTERY_INSTANCE_NAME_PATH, /Serial by default) when it has none.
        static func packName(_ reading: BatteryReading) -> String {
            if let custom = reading.identity.customName, !custom.isEmpty { return custom }
            return reading.snapshot.name
        }
    }
}
