// The Swift side of the plugin ABI: what a strategy's pure logic sees and returns.
// Kept free of Foundation and of non-class existentials so plugins stay Embedded-Swift-ready.

/// A local calendar date. Ordered, so balancing schedules can reason in real dates.
public struct CalendarDate: Equatable, Hashable, Comparable, Sendable {
    public var year: Int
    /// 1 (January) ... 12 (December)
    public var month: Int
    /// 1 ... 31
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// Log levels as the LOGGING key names them.
public enum LogLevel: Int32, Sendable {
    case error = 0
    case warning = 1
    case info = 2
    case debug = 3
}

/// What reading a persistent value gave.
public enum StoredValue: Equatable, Sendable {
    case absent
    case unreadable
    case text(String)
}

/// The services a host offers a strategy instance (the C `dab_host_services`, or a test double).
public protocol StrategyHost: AnyObject {
    func log(_ level: LogLevel, _ message: String)
    /// Raw INI text of a key, nil when no config file sets it.
    func configValue(_ key: String) -> String?
    func readState(_ key: String) -> StoredValue
    /// Queues `value` to be stored atomically under `key`; false when the host refused it.
    @discardableResult func writeState(_ key: String, _ value: String) -> Bool
    /// The stored value under `key` is corrupt: the host moves it aside and logs `reason`.
    func reportCorruptState(_ key: String, reason: String)
    /// A config value is unusable; the host names file, line and value.
    func reportConfigError(key: String, problem: String)
    func today() -> CalendarDate
}

/// One battery (one BMS) online this tick. Unknown numbers are nil, never 0.
public struct BatterySnapshot: Equatable, Sendable {
    public var name: String
    public var service: String
    public var voltage: Double?              // V
    public var current: Double?              // A, + = charging
    public var power: Double?                // W
    public var temperature: Double?          // degrees C
    public var socPercent: Double?           // %
    public var capacityAh: Double?           // Ah remaining
    public var installedCapacityAh: Double?  // Ah
    public var consumedAh: Double?           // Ah, <= 0
    public var timeToGoSeconds: Double?      // s
    public var maxChargeVoltage: Double?     // V, the BMS's CVL
    public var maxChargeCurrent: Double?     // A, the BMS's CCL
    public var maxDischargeCurrent: Double?  // A, the BMS's DCL
    public var chargeMode: String?
    public var voltagesSum: Double?          // V
    public var minCellVoltage: Double?       // V
    public var maxCellVoltage: Double?       // V
    public var minCellId: String?
    public var maxCellId: String?
    public var blockingCharge: Int?          // modules blocking charge
    public var blockingDischarge: Int?       // modules blocking discharge
    /// Every cell voltage in V, index 0 = Cell1; an unknown cell is nil.
    public var cellVoltages: [Double?]

    public init(name: String, service: String = "", voltage: Double? = nil, current: Double? = nil,
                power: Double? = nil, temperature: Double? = nil, socPercent: Double? = nil,
                capacityAh: Double? = nil, installedCapacityAh: Double? = nil, consumedAh: Double? = nil,
                timeToGoSeconds: Double? = nil, maxChargeVoltage: Double? = nil,
                maxChargeCurrent: Double? = nil, maxDischargeCurrent: Double? = nil,
                chargeMode: String? = nil, voltagesSum: Double? = nil, minCellVoltage: Double? = nil,
                maxCellVoltage: Double? = nil, minCellId: String? = nil, maxCellId: String? = nil,
                blockingCharge: Int? = nil, blockingDischarge: Int? = nil, cellVoltages: [Double?] = []) {
        self.name = name
        self.service = service
        self.voltage = voltage
        self.current = current
        self.power = power
        self.temperature = temperature
        self.socPercent = socPercent
        self.capacityAh = capacityAh
        self.installedCapacityAh = installedCapacityAh
        self.consumedAh = consumedAh
        self.timeToGoSeconds = timeToGoSeconds
        self.maxChargeVoltage = maxChargeVoltage
        self.maxChargeCurrent = maxChargeCurrent
        self.maxDischargeCurrent = maxDischargeCurrent
        self.chargeMode = chargeMode
        self.voltagesSum = voltagesSum
        self.minCellVoltage = minCellVoltage
        self.maxCellVoltage = maxCellVoltage
        self.minCellId = minCellId
        self.maxCellId = maxCellId
        self.blockingCharge = blockingCharge
        self.blockingDischarge = blockingDischarge
        self.cellVoltages = cellVoltages
    }
}

/// The batteries online, combined by the host (reference behaviour 3.1).
public struct BankSnapshot: Equatable, Sendable {
    public var voltage: Double?              // V, mean
    public var current: Double?              // A
    public var power: Double?                // W
    public var temperature: Double?          // degrees C
    public var installedCapacityAh: Double?  // Ah, sum
    public var bmsSocPercent: Double?        // %, capacity-weighted BMS mean
    public var bmsCapacityAh: Double?        // Ah, sum
    public var bmsConsumedAh: Double?        // Ah, sum
    public var bmsTimeToGoSeconds: Double?   // s
    public var maxCellVoltage: Double?       // V
    public var minCellVoltage: Double?       // V
    public var maxCellId: String?
    public var minCellId: String?
    public var blockingCharge: Int?
    public var blockingDischarge: Int?
    /// com.victronenergy.system /SystemState/LowSoc; nil when unknown.
    public var systemLowSoc: Bool?

    public init(voltage: Double? = nil, current: Double? = nil, power: Double? = nil,
                temperature: Double? = nil, installedCapacityAh: Double? = nil,
                bmsSocPercent: Double? = nil, bmsCapacityAh: Double? = nil, bmsConsumedAh: Double? = nil,
                bmsTimeToGoSeconds: Double? = nil, maxCellVoltage: Double? = nil,
                minCellVoltage: Double? = nil, maxCellId: String? = nil, minCellId: String? = nil,
                blockingCharge: Int? = nil, blockingDischarge: Int? = nil, systemLowSoc: Bool? = nil) {
        self.voltage = voltage
        self.current = current
        self.power = power
        self.temperature = temperature
        self.installedCapacityAh = installedCapacityAh
        self.bmsSocPercent = bmsSocPercent
        self.bmsCapacityAh = bmsCapacityAh
        self.bmsConsumedAh = bmsConsumedAh
        self.bmsTimeToGoSeconds = bmsTimeToGoSeconds
        self.maxCellVoltage = maxCellVoltage
        self.minCellVoltage = minCellVoltage
        self.maxCellId = maxCellId
        self.minCellId = minCellId
        self.blockingCharge = blockingCharge
        self.blockingDischarge = blockingDischarge
        self.systemLowSoc = systemLowSoc
    }
}

/// A hint from the charge strategy to the SoC strategy. `.notGiven` = the strategy has no opinion.
public enum BankHint: Equatable, Sendable {
    case notGiven
    case no
    case yes
}

/// Output of a charge strategy.
public struct ChargeResult: Equatable, Sendable {
    public var chargeVoltageLimit: Double?      // CVL, V
    public var chargeCurrentLimit: Double?      // CCL, A
    public var dischargeCurrentLimit: Double?   // DCL, A
    /// true: DC-coupled PV feed-in must be off now.
    public var feedInMustBeOff: Bool
    public var bankFull: BankHint
    public var bankEmpty: BankHint
    /// Why the limits are what they are, for people.
    public var limitReason: String
    /// The strategy's own state for logs.
    public var strategyState: String

    public init(chargeVoltageLimit: Double? = nil, chargeCurrentLimit: Double? = nil,
                dischargeCurrentLimit: Double? = nil, feedInMustBeOff: Bool = false,
                bankFull: BankHint = .notGiven, bankEmpty: BankHint = .notGiven,
                limitReason: String = "", strategyState: String = "") {
        self.chargeVoltageLimit = chargeVoltageLimit
        self.chargeCurrentLimit = chargeCurrentLimit
        self.dischargeCurrentLimit = dischargeCurrentLimit
        self.feedInMustBeOff = feedInMustBeOff
        self.bankFull = bankFull
        self.bankEmpty = bankEmpty
        self.limitReason = limitReason
        self.strategyState = strategyState
    }
}

/// Output of a SoC strategy.
public struct SocResult: Equatable, Sendable {
    public var socPercent: Double?       // %
    public var capacityAh: Double?       // Ah remaining
    public var consumedAh: Double?       // Ah, <= 0
    public var timeToGoSeconds: Double?  // s
    public var strategyState: String

    public init(socPercent: Double? = nil, capacityAh: Double? = nil, consumedAh: Double? = nil,
                timeToGoSeconds: Double? = nil, strategyState: String = "") {
        self.socPercent = socPercent
        self.capacityAh = capacityAh
        self.consumedAh = consumedAh
        self.timeToGoSeconds = timeToGoSeconds
        self.strategyState = strategyState
    }
}

/// Everything a strategy gets each tick, in Swift form.
public struct TickContext: Equatable, Sendable {
    /// Seconds since this instance's previous tick.
    public var timeStepSeconds: Double
    public var date: CalendarDate
    /// Packs the bank should have (NR_OF_BATTERIES, or more when more are established).
    public var batteriesExpected: Int
    /// Packs online this tick; fewer than expected: the bank is partial (see `isPartialBank`).
    /// Set even for a strategy that does not read `batteries`.
    public var batteriesOnline: Int
    public var bank: BankSnapshot
    /// The batteries online, in the host's order.
    public var batteries: [BatterySnapshot]
    /// For SoC strategies: the charge strategy's result of this tick.
    public var charge: ChargeResult?

    public init(timeStepSeconds: Double, date: CalendarDate, batteriesExpected: Int,
                bank: BankSnapshot, batteries: [BatterySnapshot], charge: ChargeResult? = nil,
                batteriesOnline: Int? = nil) {
        self.timeStepSeconds = timeStepSeconds
        self.date = date
        self.batteriesExpected = batteriesExpected
        self.batteriesOnline = batteriesOnline ?? batteries.count
        self.bank = bank
        self.batteries = batteries
        self.charge = charge
    }
}

extension TickContext {
    /// True while packs the bank expects are not online: the bank values (installed capacity,
    /// cell extremes, BMS SoC) then describe only part of it.
    public var isPartialBank: Bool { batteriesOnline < batteriesExpected }
}

/// Why a tick or a create failed; the message reaches the host's log.
public struct StrategyError: Error, Equatable, Sendable {
    public enum Kind: Int32, Sendable {
        case input = 1
        case config = 2
        case `internal` = 3
    }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// A charge strategy's logic, independent of the C ABI.
public protocol ChargeStrategyLogic: AnyObject {
    func tick(_ context: TickContext) throws(StrategyError) -> ChargeResult
    /// Called on shutdown: persist what must survive.
    func shutdown()
}

/// A SoC strategy's logic, independent of the C ABI.
public protocol SocStrategyLogic: AnyObject {
    func tick(_ context: TickContext) throws(StrategyError) -> SocResult
    /// Called on shutdown: persist what must survive.
    func shutdown()
    /// False for a strategy that reads only the bank: its context's `batteries` then stay
    /// empty, and the batteries' C input is not turned into Swift every tick for nothing.
    var readsBatteries: Bool { get }
}

extension SocStrategyLogic {
    public var readsBatteries: Bool { true }
}
