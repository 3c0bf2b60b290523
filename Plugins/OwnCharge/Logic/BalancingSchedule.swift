import PluginKit

/// Where the balancing schedule is (Python's states 0, 1, 2).
public enum BalancingPhase: Equatable, Sendable {
    /// Normal charging to the month's CVL.
    case idle
    /// Charging to the balancing CVL until the bank is there and the cells agree.
    case balancing
    /// Goal reached: the balancing CVL is held until the bank falls to the normal CVL.
    case goalReached
}

/// A change of the schedule worth one log line.
public enum BalancingChange: Equatable, Sendable {
    /// `daysSinceLast` is nil when never balanced.
    case started(daysSinceLast: Int?, balancingChargeVoltageLimit: Double)
    case goalReached(bankVoltage: Double, cellSpread: Double)
    case ended(storedDate: CalendarDate)
    /// The month's normal CVL reaches the balancing CVL: the schedule pauses (every charge is full).
    case suspended(normalChargeVoltageLimit: Double)
    /// While suspended, a full charge with balanced cells counted as a balancing.
    case fullChargeRecorded(storedDate: CalendarDate)

    public var logMessage: String {
        switch self {
        case .started(let days, let limit):
            let since = days.map { "\($0) days since the last" } ?? "no balancing recorded yet"
            return "balancing started (" + since + "): charging to " + FixedDecimal.format(limit, decimals: 2, rounding: .halfAwayFromZero) + " V"
        case .goalReached(let voltage, let spread):
            return "balancing goal reached at " + FixedDecimal.format(voltage, decimals: 2, rounding: .halfAwayFromZero)
                + " V, cell difference " + FixedDecimal.format(spread, decimals: 3, rounding: .halfAwayFromZero) + " V"
        case .ended(let date):
            return "balancing ended, stored " + LastBalancingRecord.text(date) + " as last balancing"
        case .suspended(let normal):
            return "balancing schedule paused: this month's CVL " + FixedDecimal.format(normal, decimals: 2, rounding: .halfAwayFromZero)
                + " V reaches the balancing voltage"
        case .fullChargeRecorded(let date):
            return "full charge with balanced cells, stored " + LastBalancingRecord.text(date) + " as last balancing"
        }
    }
}

/// The balancing schedule of reference behaviour 3.4, counting real days between dates.
public struct BalancingSchedule: Equatable, Sendable {
    public private(set) var phase: BalancingPhase = .idle
    /// nil: never balanced (as far as the stored state tells), so the next chance balances.
    public private(set) var lastBalancing: CalendarDate?
    public let repetitionDays: Int

    public init(repetitionDays: Int, lastBalancing: CalendarDate?) {
        self.repetitionDays = repetitionDays
        self.lastBalancing = lastBalancing
    }

    /// Takes back a date `advance` just recorded (the bank was partial: a missing pack was not
    /// seen balanced). The next balancing then comes as if this one had not happened.
    public mutating func keepLastBalancing(_ date: CalendarDate?) {
        lastBalancing = date
    }

    /// What one tick of the schedule decided.
    public struct Step: Equatable, Sendable {
        /// CVL the schedule asks for, V.
        public var targetChargeVoltageLimit: Double
        public var changes: [BalancingChange]
        /// Set when the last balancing date changed and must be stored.
        public var storeLastBalancing: CalendarDate?
    }

    /// Days from the last balancing to `today`; nil when never balanced. A stored date in the
    /// future (clock set back) counts as today rather than as a negative age.
    public func daysSinceLastBalancing(today: CalendarDate) -> Int? {
        guard let lastBalancing else { return nil }
        return max(0, GregorianCalendar.daysBetween(lastBalancing, today))
    }

    public mutating func advance(bankVoltage: Double, cellSpread: Double, cellDiffMax: Double,
                                 normalChargeVoltageLimit: Double, balancingChargeVoltageLimit: Double,
                                 today: CalendarDate) -> Step {
        var changes: [BalancingChange] = []
        var stored: CalendarDate?
        let cellsAgree = cellSpread < cellDiffMax

        guard balancingChargeVoltageLimit > normalChargeVoltageLimit else {
            // Every charge goes to the balancing voltage or above: just record full charges.
            if phase != .idle {
                phase = .idle
                changes.append(.suspended(normalChargeVoltageLimit: normalChargeVoltageLimit))
            }
            if bankVoltage >= balancingChargeVoltageLimit && cellsAgree && lastBalancing != today {
                lastBalancing = today
                stored = today
                changes.append(.fullChargeRecorded(storedDate: today))
            }
            return Step(targetChargeVoltageLimit: normalChargeVoltageLimit, changes: changes, storeLastBalancing: stored)
        }

        let days = daysSinceLastBalancing(today: today)
        if phase == .idle && (days.map { $0 >= repetitionDays } ?? true) {
            phase = .balancing
            changes.append(.started(daysSinceLast: days, balancingChargeVoltageLimit: balancingChargeVoltageLimit))
        }
        if phase == .balancing && bankVoltage >= balancingChargeVoltageLimit && cellsAgree {
            phase = .goalReached
            changes.append(.goalReached(bankVoltage: bankVoltage, cellSpread: cellSpread))
        }
        if phase == .goalReached && bankVoltage <= normalChargeVoltageLimit {
            phase = .idle
            lastBalancing = today
            stored = today
            changes.append(.ended(storedDate: today))
        }
        let target = phase == .idle ? normalChargeVoltageLimit : balancingChargeVoltageLimit
        return Step(targetChargeVoltageLimit: target, changes: changes, storeLastBalancing: stored)
    }
}
