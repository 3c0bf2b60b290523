import Foundation
import PluginKit
import VeDbus
@testable import HostCore

/// An in-memory monitor cache: service -> path -> value, plus explicit update times.
struct FakeMonitorView: MonitorView {
    var values: [String: [String: DBusValue]] = [:]
    var updates: [String: Double] = [:]
    /// Generations as a monitor numbers its changes; services without one are read every time.
    var generations: [String: UInt64] = [:]

    var readyServiceNames: [String] { values.keys.sorted() }

    func value(_ service: String, _ path: String) -> DBusValue? { values[service]?[path] }

    func lastUpdate(_ service: String) -> Double? { updates[service] }

    func values(of service: String) -> MonitorServiceValues? {
        guard let lastUpdate = updates[service] else { return nil }
        return MonitorServiceValues(lastUpdate: lastUpdate, generation: generations[service]) { self.value(service, $0) }
    }

    mutating func set(_ service: String, _ path: String, _ value: DBusValue?, at time: Double = 0) {
        values[service, default: [:]][path] = value
        if updates[service] == nil { updates[service] = time }
    }

    mutating func remove(_ service: String) {
        values[service] = nil
        updates[service] = nil
    }

    /// A complete serialbattery service with `cells` cells of 3.300 V (cell 7 given separately).
    mutating func addBattery(_ service: String, name: String?, voltage: Double = 53.0, current: Double = 10,
                             soc: Double = 50, installed: Double = 100, timeToGo: Double? = 3600,
                             cells: Int = 16, updatedAt time: Double = 0) {
        var paths: [String: DBusValue] = [
            "/ProductName": .string("SerialBattery(Jkbms)"),
            "/Dc/0/Voltage": .double(voltage), "/Dc/0/Current": .double(current),
            "/Dc/0/Power": .double(voltage * current), "/Dc/0/Temperature": .double(20),
            "/Soc": .double(soc), "/InstalledCapacity": .double(installed),
            "/Capacity": .double(installed * soc / 100), "/ConsumedAmphours": .double(-installed * (100 - soc) / 100),
            "/TimeToGo": timeToGo.map { .int32(Int32($0)) } ?? .invalid,
            "/Voltages/Sum": .double(3.3 * Double(cells)),
            "/System/NrOfCellsPerBattery": .int32(Int32(cells)),
            "/System/MinCellVoltage": .double(3.29), "/System/MaxCellVoltage": .double(3.31),
            "/System/MinVoltageCellId": .string("C3"), "/System/MaxVoltageCellId": .string("C7"),
            "/System/MinCellTemperature": .double(18), "/System/MaxCellTemperature": .double(22),
            "/System/MinTemperatureCellId": .string("T1"), "/System/MaxTemperatureCellId": .string("T2"),
            "/System/NrOfModulesOnline": .int32(1), "/System/NrOfModulesOffline": .int32(0),
            "/System/NrOfModulesBlockingCharge": .int32(0), "/System/NrOfModulesBlockingDischarge": .int32(0),
            "/Io/AllowToCharge": .int32(1), "/Io/AllowToDischarge": .int32(1), "/Io/AllowToBalance": .int32(1),
            "/Info/MaxChargeVoltage": .double(55.2), "/Info/MaxChargeCurrent": .double(100),
            "/Info/MaxDischargeCurrent": .double(150), "/Info/ChargeMode": .string("Bulk"),
        ]
        for alarm in BatteryAlarm.allCases { paths[alarm.path] = .int32(0) }
        for cell in 1...cells { paths["/Voltages/Cell\(cell)"] = .double(3.3) }
        if let name { paths["/Serial"] = .string(name) }
        values[service] = paths
        updates[service] = time
    }
}

enum CoreTestSupport {
    /// Host settings from the shipped defaults plus `extra` user lines (2 batteries, 16 cells).
    static func settings(_ extra: String = "") throws -> HostSettings {
        try configuration(extra).settings
    }

    static func configuration(_ extra: String = "") throws -> HostConfiguration {
        try ConfigTestSupport.load(userText: ConfigTestSupport.validUser(extra))
    }

    static let rules = BatteryReadingRules(cellsPerBattery: 16, canBatteries: false, staleTimeoutSeconds: 10)

    /// Readings of every battery of `view`, updated at `now`.
    static func readings(_ view: FakeMonitorView, settings: HostSettings, now: Double = 1,
                         rules: BatteryReadingRules? = nil) -> [BatteryReading] {
        let inventory = Inventory.classify(view, settings: settings)
        return inventory.batteries.map { identity in
            var reading = BatteryReading(identity: identity, cellsPerBattery: settings.cellsPerBattery)
            reading.update(from: view, now: now, rules: rules ?? BatteryReadingRules(settings: settings))
            return reading
        }
    }
}
