/// A fault or state change at a moment of simulated time.
public struct ScenarioEvent: Sendable {
    /// Simulated seconds since the start.
    public var time: Double
    public var description: String
    public var apply: @Sendable (SimulatedVenus) throws -> Void

    public init(at time: Double, _ description: String, _ apply: @escaping @Sendable (SimulatedVenus) throws -> Void) {
        self.time = time
        self.description = description
        self.apply = apply
    }
}

/// Named test situations for the aggregator: a current profile plus timed knob changes.
///
/// Event times (simulated seconds) are constants here so that tests can step past them.
public enum Scenario: String, CaseIterable, Sendable {
    /// Small load around mid SoC; the demo's default.
    case steady
    /// Charging at 100 A from 90 %; cell 5 of the first battery is 4 % fuller and peaks first.
    case chargeToFullWithPeakingCell
    /// Discharging at 150 A from 12 % until the BMSes cut off.
    case dischargeToEmpty
    /// Charging at 60 A; the first battery's BMS blocks charge from 10 s to 120 s.
    case bmsBlocksCharge
    /// The last battery's service leaves the bus at 10 s and returns at 40 s.
    case batteryVanishesAndReturns
    /// The first battery publishes invalid values on some paths and a string as its voltage
    /// from 10 s to 40 s.
    case invalidValues
    /// The last battery's driver hangs from 10 s to 70 s: it publishes nothing and answers no
    /// call, while its name stays on the bus.
    case batteryFreezes
    /// No current flows and, without noise, no reading changes: a resting bank whose healthy
    /// drivers send nothing for as long as it rests (at night, or kept full from the grid).
    case resting
    /// The last battery's USB adapter is enumerated again at 10 s: its service leaves and comes
    /// back 3 s later under another name (`ttyUSB<n + 2>`) with the same serial and instance.
    case batteryReenumerates
    /// The first battery's driver loses its BMS (a cable) from 10 s to 130 s while it stays on
    /// the bus and answers calls: offline and invalid values after 10 s, BmsCable after 60 s.
    case bmsLinkLost
    /// Three packs not alike, charged at 60 A: the first nearly full (it floats within minutes and
    /// its BMS lowers its CVL to float), the second balancing a fuller cell, the third a 100 Ah
    /// pack among two of 280 Ah. The BMSes report float and balancing as dbus-serialbattery does.
    case mixedPacks = "mixed-packs"

    public static let faultStart = 10.0
    public static let blockEnd = 120.0
    public static let vanishEnd = 40.0
    public static let invalidEnd = 40.0
    public static let freezeEnd = 70.0
    public static let reenumerateReturn = 13.0
    public static let linkLostEnd = 130.0
    /// The paths `invalidValues` invalidates, and the one it turns into a string.
    public static let invalidatedPaths: Set<String> = ["/Dc/0/Current", "/Soc", "/Info/MaxChargeVoltage", "/Voltages/Cell3"]
    public static let wrongTypePath = "/Dc/0/Voltage"
    /// The cell (0-based) that peaks in `chargeToFullWithPeakingCell`, and by how much it is fuller.
    public static let peakingCellIndex = 4
    public static let peakingCellSocOffset = 4.0

    /// Sets the starting state this scenario needs (SoC, cell imbalance).
    public func adjust(_ config: inout SimulationConfig) {
        switch self {
        case .chargeToFullWithPeakingCell:
            config.initialSocPercent = 90
            if config.cellSocOffsetsPercent.isEmpty {
                var offsets = [Double](repeating: 0, count: config.cellsPerBattery)
                if Self.peakingCellIndex < offsets.count { offsets[Self.peakingCellIndex] = Self.peakingCellSocOffset }
                config.cellSocOffsetsPercent = [offsets]
            }
        case .dischargeToEmpty:
            config.initialSocPercent = 12
        case .bmsBlocksCharge:
            config.initialSocPercent = 60
        case .mixedPacks:
            config.batteryCount = max(config.batteryCount, 3)
            config.initialSocsPercent = [99.6, 97, 92]
            config.capacitiesAh = [config.capacityAh, config.capacityAh, 100]
            config.floatVoltagePerCellV = 3.35
            config.reportsBalancing = true
            if config.cellSocOffsetsPercent.isEmpty {
                var offsets = [Double](repeating: 0, count: config.cellsPerBattery)
                if Self.peakingCellIndex < offsets.count { offsets[Self.peakingCellIndex] = 2 }
                config.cellSocOffsetsPercent = [[], offsets]
            }
        case .steady, .batteryVanishesAndReturns, .invalidValues, .batteryFreezes, .resting, .batteryReenumerates,
             .bmsLinkLost:
            break
        }
    }

    /// How current flows during this scenario.
    public var profile: BankCurrentProfile {
        switch self {
        case .chargeToFullWithPeakingCell: return .constant(batteryA: 100, solarA: 40)
        case .dischargeToEmpty: return .constant(batteryA: -150, solarA: 0)
        case .bmsBlocksCharge: return .constant(batteryA: 60, solarA: 20)
        case .mixedPacks: return .constant(batteryA: 60, solarA: 30)
        case .resting: return .constant(batteryA: 0, solarA: 0)
        case .steady, .batteryVanishesAndReturns, .invalidValues, .batteryFreezes, .batteryReenumerates, .bmsLinkLost:
            return .steady
        }
    }

    /// The timed knob changes.
    public var events: [ScenarioEvent] {
        switch self {
        case .steady, .chargeToFullWithPeakingCell, .dischargeToEmpty, .resting, .mixedPacks:
            return []
        case .bmsBlocksCharge:
            return [
                ScenarioEvent(at: Self.faultStart, "first BMS blocks charging") { $0.batteries.first?.blocksChargeByCommand = true },
                ScenarioEvent(at: Self.blockEnd, "first BMS allows charging") { $0.batteries.first?.blocksChargeByCommand = false },
            ]
        case .batteryVanishesAndReturns:
            return [
                ScenarioEvent(at: Self.faultStart, "last battery leaves the bus") { $0.batteries.last?.vanish() },
                ScenarioEvent(at: Self.vanishEnd, "last battery returns") { try $0.batteries.last?.returnToBus() },
            ]
        case .invalidValues:
            return [
                ScenarioEvent(at: Self.faultStart, "first battery publishes invalid values and a wrong type") { venus in
                    venus.batteries.first?.invalidatedPaths = Self.invalidatedPaths
                    venus.batteries.first?.wrongTypePaths = [Self.wrongTypePath]
                },
                ScenarioEvent(at: Self.invalidEnd, "first battery publishes valid values again") { venus in
                    venus.batteries.first?.invalidatedPaths = []
                    venus.batteries.first?.wrongTypePaths = []
                },
            ]
        case .batteryFreezes:
            return [
                ScenarioEvent(at: Self.faultStart, "last battery freezes") { $0.batteries.last?.isFrozen = true },
                ScenarioEvent(at: Self.freezeEnd, "last battery publishes again") { $0.batteries.last?.isFrozen = false },
            ]
        case .batteryReenumerates:
            return [
                ScenarioEvent(at: Self.faultStart, "last battery's USB adapter re-enumerates") { $0.batteries.last?.vanish() },
                ScenarioEvent(at: Self.reenumerateReturn, "last battery returns under another name") { venus in
                    guard let battery = venus.batteries.last else { return }
                    try battery.reenumerate(as: "com.victronenergy.battery.ttyUSB\(venus.batteries.count + 1)")
                },
            ]
        case .bmsLinkLost:
            return [
                ScenarioEvent(at: Self.faultStart, "first battery's driver loses its BMS") {
                    $0.batteries.first?.setBmsLink(connected: false)
                },
                ScenarioEvent(at: Self.linkLostEnd, "first battery's driver reads its BMS again") {
                    $0.batteries.first?.setBmsLink(connected: true)
                },
            ]
        }
    }
}
