import PluginKit

/// The own charge algorithm (reference behaviour 3.4): monthly CVL, balancing schedule, dynamic
/// CVL on cell peaks, CCL/DCL tables, feed-in requests and full/empty hints for the SoC counter.
public final class OwnChargeStrategy: ChargeStrategyLogic {
    public let configuration: OwnChargeConfiguration
    private let host: any StrategyHost
    public private(set) var schedule: BalancingSchedule
    /// The partial-bank note on a balancing goal is logged once per outage, not every tick.
    private var saidPartialGoal = false
    public private(set) var peakFeedIn = PeakFeedInState()
    public private(set) var dischargeLatch = DischargeLatch()
    /// A last-balancing date the host refused to queue; retried each tick and at shutdown.
    private var unsavedLastBalancing: CalendarDate?

    public init(host: any StrategyHost) throws(StrategyError) {
        self.configuration = try OwnChargeConfiguration.read(from: host)
        self.host = host
        let lastBalancing = Self.loadLastBalancing(host: host)
        self.schedule = BalancingSchedule(repetitionDays: configuration.balancingRepetitionDays,
                                          lastBalancing: lastBalancing)
    }

    /// Reads the stored last balancing date.
    ///
    /// Nothing stored (a new installation, or a corrupt file moved aside) counts as "never
    /// balanced": the first charge balances. The cells' state is unknown then, one balancing charge
    /// is harmless, and it puts a real date on record; "today" instead would postpone the first
    /// balancing by BALANCING_REPETITION days for no reason.
    /// A day of the year without its date (the Python program's file) is converted to a date and
    /// stored with it right away, so later restarts do not re-guess the year.
    private static func loadLastBalancing(host: any StrategyHost) -> CalendarDate? {
        let key = LastBalancingRecord.stateKey
        switch host.readState(key) {
        case .absent:
            host.log(.info, "no last balancing date stored: balancing at the first full charge")
            return nil
        case .unreadable:
            host.log(.warning, "stored last balancing date unreadable: balancing at the first full charge")
            return nil
        case .text(let stored):
            switch LastBalancingRecord.parse(stored, today: host.today()) {
            case .date(let date):
                return date
            case .convertedDayOfYear(let dayOfYear, let date):
                host.log(.info, "last balancing stored as day \(dayOfYear) of the year without its date: taken as "
                         + LastBalancingRecord.text(date))
                host.writeState(key, LastBalancingRecord.storedText(date))
                return date
            case .corrupt(let reason):
                host.reportCorruptState(key, reason: reason)
                return nil
            }
        }
    }

    public func tick(_ context: TickContext) throws(StrategyError) -> ChargeResult {
        let bank = context.bank
        guard let bankVoltage = bank.voltage, let maxCellVoltage = bank.maxCellVoltage,
              let minCellVoltage = bank.minCellVoltage,
              bankVoltage.isFinite, maxCellVoltage.isFinite, minCellVoltage.isFinite
        else {
            var missing: [String] = []
            if !(bank.voltage?.isFinite ?? false) { missing.append("bank voltage") }
            if !(bank.maxCellVoltage?.isFinite ?? false) { missing.append("highest cell voltage") }
            if !(bank.minCellVoltage?.isFinite ?? false) { missing.append("lowest cell voltage") }
            throw StrategyError(.input, "missing input: " + Self.joined(missing, separator: ", "))
        }
        guard !context.batteries.isEmpty else { throw StrategyError(.input, "missing input: no battery online") }
        guard GregorianCalendar.isValid(context.date) else {
            throw StrategyError(.input, "invalid date \(context.date.year)-\(context.date.month)-\(context.date.day)")
        }
        let config = configuration
        if let unsaved = unsavedLastBalancing { saveLastBalancing(unsaved) }

        // Balancing schedule -> target CVL.
        let normalLimit = config.normalChargeVoltageLimit(month: context.date.month)
        let balancingLimit = config.balancingChargeVoltageLimit
        let cellSpread = maxCellVoltage - minCellVoltage
        if !context.isPartialBank { saidPartialGoal = false }
        let lastBalancing = schedule.lastBalancing
        let step = schedule.advance(bankVoltage: bankVoltage, cellSpread: cellSpread, cellDiffMax: config.cellDiffMax,
                                    normalChargeVoltageLimit: normalLimit,
                                    balancingChargeVoltageLimit: balancingLimit, today: context.date)
        for change in step.changes { host.log(.info, change.logMessage) }
        if let date = step.storeLastBalancing {
            // A pack that is missing was not seen balanced: its next balancing must not move.
            if context.isPartialBank {
                schedule.keepLastBalancing(lastBalancing)
                if !saidPartialGoal {
                    host.log(.info, "balancing goal seen with a pack missing: the last balancing date is not moved")
                    saidPartialGoal = true
                }
            } else {
                saveLastBalancing(date)
            }
        }

        // Peak and feed-in.
        let chargeBlocker = BlockingModules.chargeBlocker(bank: bank, batteries: context.batteries)
        let dischargeBlocker = BlockingModules.dischargeBlocker(bank: bank, batteries: context.batteries)
        for change in peakFeedIn.update(maxCellVoltage: maxCellVoltage, minCellVoltage: minCellVoltage,
                                        chargeBlocked: chargeBlocker != nil,
                                        maxCellVoltageLimit: config.maxCellVoltage, cellDiffMax: config.cellDiffMax) {
            host.log(.info, change.logMessage)
        }

        // Discharge latch.
        if dischargeLatch.update(minCellVoltage: minCellVoltage, minCellVoltageLimit: config.minCellVoltage,
                                 hysteresis: config.minCellHysteresis) {
            let lowest = FixedDecimal.format(minCellVoltage, decimals: 3, rounding: .halfAwayFromZero)
            host.log(.info, dischargeLatch.isLatched
                     ? "discharge latched: lowest cell at " + lowest + " V"
                     : "discharge latch cleared: lowest cell recovered to " + lowest + " V")
        }

        // CVL: the schedule's target, reduced while a cell peaks.
        var chargeVoltageLimit = step.targetChargeVoltageLimit
        var voltageReason = scheduleReason(target: chargeVoltageLimit, month: context.date.month)
        if peakFeedIn.dynamicCVLActive {
            let reduced = DynamicChargeVoltage.reduction(batteries: context.batteries,
                                                         maxCellVoltageLimit: config.maxCellVoltage)?.chargeVoltageLimit
                // Without per-battery data only the highest cell's excess over the bank is known.
                ?? bankVoltage - (maxCellVoltage - config.maxCellVoltage)
            if reduced < chargeVoltageLimit {
                chargeVoltageLimit = reduced
                voltageReason = DynamicChargeVoltage.highestCellText(batteries: context.batteries, bank: bank)
                    + ": dynamic CVL " + FixedDecimal.format(reduced, decimals: 2, rounding: .halfAwayFromZero) + " V"
            }
        }

        // CCL and DCL.
        let chargeCurrentLimit = CurrentLimits.chargeCurrentLimit(
            maxCellVoltage: maxCellVoltage, chargeBlocked: chargeBlocker != nil, configuration: config)
        let dischargeCurrentLimit = CurrentLimits.dischargeCurrentLimit(
            minCellVoltage: minCellVoltage, latched: dischargeLatch.isLatched,
            dischargeBlocked: dischargeBlocker != nil, configuration: config)

        var reasons: [String] = []
        if let chargeBlocker { reasons.append(chargeBlocker + " blocks charging: CCL 0") }
        if dischargeLatch.isLatched {
            reasons.append("cells low: discharge latched")
        } else if let dischargeBlocker {
            reasons.append(dischargeBlocker + " blocks discharging: DCL 0")
        }
        reasons.append(voltageReason)
        if chargeBlocker == nil && chargeCurrentLimit < config.maxChargeCurrent {
            reasons.append("highest cell " + FixedDecimal.format(maxCellVoltage, decimals: 3, rounding: .halfAwayFromZero) + " V: CCL "
                           + FixedDecimal.format(chargeCurrentLimit, decimals: 1, rounding: .halfAwayFromZero) + " A")
        }
        if !dischargeLatch.isLatched && dischargeBlocker == nil && dischargeCurrentLimit < config.maxDischargeCurrent {
            reasons.append("lowest cell " + FixedDecimal.format(minCellVoltage, decimals: 3, rounding: .halfAwayFromZero) + " V: DCL "
                           + FixedDecimal.format(dischargeCurrentLimit, decimals: 1, rounding: .halfAwayFromZero) + " A")
        }

        return ChargeResult(
            chargeVoltageLimit: chargeVoltageLimit,
            chargeCurrentLimit: chargeCurrentLimit,
            dischargeCurrentLimit: dischargeCurrentLimit,
            feedInMustBeOff: peakFeedIn.feedInMustBeOff,
            bankFull: bankVoltage >= balancingLimit ? .yes : .no,
            bankEmpty: config.zeroSoc && minCellVoltage <= config.minCellVoltage ? .yes : .no,
            limitReason: Self.joined(reasons, separator: "; ", maxBytes: Self.reasonCapacity),
            strategyState: stateText(today: context.date, normalLimit: normalLimit, balancingLimit: balancingLimit))
    }

    public func shutdown() {
        // Dates are queued when they change; only a refused one is left to retry.
        if let unsaved = unsavedLastBalancing { saveLastBalancing(unsaved) }
    }

    private func saveLastBalancing(_ date: CalendarDate) {
        if host.writeState(LastBalancingRecord.stateKey, LastBalancingRecord.storedText(date)) {
            unsavedLastBalancing = nil
        } else {
            if unsavedLastBalancing == nil {
                host.log(.warning, "host refused to store the last balancing date " + LastBalancingRecord.text(date)
                         + "; retrying")
            }
            unsavedLastBalancing = date
        }
    }

    private func scheduleReason(target: Double, month: Int) -> String {
        let voltage = FixedDecimal.format(target, decimals: 2, rounding: .halfAwayFromZero) + " V"
        switch schedule.phase {
        case .idle: return "charge voltage of month \(month): " + voltage
        case .balancing: return "balancing to " + voltage
        case .goalReached: return "balancing goal reached: holding " + voltage
        }
    }

    private func stateText(today: CalendarDate, normalLimit: Double, balancingLimit: Double) -> String {
        var text = "balancing: "
        if balancingLimit <= normalLimit {
            text += "every charge is full this month"
        } else {
            switch schedule.phase {
            case .idle: text += "idle"
            case .balancing: text += "charging to " + FixedDecimal.format(balancingLimit, decimals: 2, rounding: .halfAwayFromZero) + " V"
            case .goalReached: text += "goal reached, holding until " + FixedDecimal.format(normalLimit, decimals: 2, rounding: .halfAwayFromZero) + " V"
            }
        }
        if let last = schedule.lastBalancing {
            text += ", last " + LastBalancingRecord.text(last)
            text += " (\(schedule.daysSinceLastBalancing(today: today) ?? 0) d ago)"
        } else {
            text += ", last never"
        }
        if peakFeedIn.dynamicCVLActive { text += ", dynamic CVL" }
        if peakFeedIn.feedInMustBeOff { text += ", feed-in off" }
        if dischargeLatch.isLatched { text += ", discharge latched" }
        return text
    }

    /// Bytes of text the C output's limit_reason holds (128 with the NUL).
    static let reasonCapacity = 127

    /// The parts joined; with `maxBytes`, later parts that would not fit whole are left out
    /// (the parts come most important first), so the C side never cuts a reason in half.
    private static func joined(_ parts: [String], separator: String, maxBytes: Int = Int.max) -> String {
        var text = ""
        for (index, part) in parts.enumerated() {
            if index == 0 {
                text = part
            } else if text.utf8.count + separator.utf8.count + part.utf8.count <= maxBytes {
                text += separator + part
            }
        }
        return text
    }
}
