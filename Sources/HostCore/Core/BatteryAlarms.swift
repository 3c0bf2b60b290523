/// The 14 alarms the aggregate publishes (reference §4), each 0 ok, 1 warning, 2 alarm.
public enum BatteryAlarm: Int, CaseIterable, Sendable {
    case lowVoltage, highVoltage, lowCellVoltage, highCellVoltage, lowSoc, highChargeCurrent,
         highDischargeCurrent, cellImbalance, internalFailure, highChargeTemperature,
         lowChargeTemperature, highTemperature, lowTemperature, bmsCable

    /// How many there are, without making `allCases` (an array) every tick.
    public static let count = allCases.count

    /// The D-Bus path, read from each battery and published by the aggregate.
    public var path: String {
        switch self {
        case .lowVoltage: return "/Alarms/LowVoltage"
        case .highVoltage: return "/Alarms/HighVoltage"
        case .lowCellVoltage: return "/Alarms/LowCellVoltage"
        case .highCellVoltage: return "/Alarms/HighCellVoltage"
        case .lowSoc: return "/Alarms/LowSoc"
        case .highChargeCurrent: return "/Alarms/HighChargeCurrent"
        case .highDischargeCurrent: return "/Alarms/HighDischargeCurrent"
        case .cellImbalance: return "/Alarms/CellImbalance"
        case .internalFailure: return "/Alarms/InternalFailure"
        case .highChargeTemperature: return "/Alarms/HighChargeTemperature"
        case .lowChargeTemperature: return "/Alarms/LowChargeTemperature"
        case .highTemperature: return "/Alarms/HighTemperature"
        case .lowTemperature: return "/Alarms/LowTemperature"
        case .bmsCable: return "/Alarms/BmsCable"
        }
    }
}

/// One level per alarm; nil = unknown (the BMS has not published it). Fixed size, no dictionary.
public struct AlarmLevels: Equatable, Sendable {
    private var storage: [Int?]

    public init() {
        storage = [Int?](repeating: nil, count: BatteryAlarm.count)
    }

    /// Sets each alarm's level from `number(rawValue)`, the number read from its path: in
    /// place, every battery every tick.
    @inline(__always)
    mutating func setLevels(_ number: (Int) -> Double?) {
        storage.withUnsafeMutableBufferPointer { levels in
            for rawValue in levels.indices { levels[rawValue] = Self.level(number(rawValue)) }
        }
    }

    public subscript(alarm: BatteryAlarm) -> Int? {
        get { storage[alarm.rawValue] }
        set { storage[alarm.rawValue] = newValue }
    }

    /// 0, 1 or 2 from any numeric D-Bus value; anything else is unknown.
    public static func level(_ value: Double?) -> Int? {
        guard let value, value == 0 || value == 1 || value == 2 else { return nil }
        return Int(value)
    }

    /// Raises each alarm of `self` to at least the level in `other` (the bank takes the worst).
    public mutating func raise(to other: AlarmLevels) {
        for index in storage.indices {
            guard let level = other.storage[index] else { continue }
            storage[index] = max(storage[index] ?? level, level)
        }
    }
}
