import Testing
import PluginKit
import OwnChargeLogic

@Suite("OwnCharge strategy: CVL and balancing schedule")
struct OwnChargeScheduleTests {
    static let distinctMonths = [3.31, 3.32, 3.33, 3.34, 3.35, 3.36, 3.37, 3.38, 3.39, 3.40, 3.41, 3.42]

    @Test(arguments: 1...12)
    func normalChargeVoltageFollowsTheMonthOfTheTickDate(month: Int) throws {
        var list = ""
        for value in Self.distinctMonths { list += FixedDecimal.format(value, decimals: 2) + "," }
        let host = OwnChargeTestHost(config: ["NR_OF_CELLS_PER_BATTERY": "16", "CHARGE_VOLTAGE_LIST": list,
                                              "BALANCING_VOLTAGE": "3.50", "MAX_CELL_VOLTAGE": "3.55"],
                                     date: ownChargeDate(2026, month, 15), lastBalancing: "2026-\(month < 10 ? "0" : "")\(month)-15")
        let strategy = try OwnChargeStrategy(host: host)
        let result = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, month, 15)))
        #expect(ownChargeClose(result.chargeVoltageLimit, 16 * Self.distinctMonths[month - 1]))
        #expect(result.limitReason.contains("month \(month)"))
    }

    @Test func monthChangeSwitchesTheChargeVoltage() throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-01-30")
        let strategy = try OwnChargeStrategy(host: host)
        let january = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 1, 31)))
        let february = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 2, 1)))
        #expect(ownChargeClose(january.chargeVoltageLimit, 16 * 3.55))
        #expect(ownChargeClose(february.chargeVoltageLimit, 16 * 3.50))
    }

    @Test func scheduleRunsIdleBalancingGoalIdleAcrossDays() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: 10),
                                     date: ownChargeDate(2026, 11, 25), lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)

        let fiveDays = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 11, 25)))
        #expect(strategy.schedule.phase == .idle)
        #expect(ownChargeClose(fiveDays.chargeVoltageLimit, 53.6))
        #expect(fiveDays.strategyState.hasPrefix("balancing: idle, last 2026-11-20 (5 d ago)"))

        _ = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 11, 29)))
        #expect(strategy.schedule.phase == .idle)

        let due = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 11, 30)))
        #expect(strategy.schedule.phase == .balancing)
        #expect(ownChargeClose(due.chargeVoltageLimit, 55.2))
        #expect(due.limitReason.contains("balancing to 55.20 V"))
        #expect(host.infoMessages.contains { $0.hasPrefix("balancing started (10 days") })

        // At the balancing voltage but the cells still differ: keep balancing.
        _ = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 11, 30), voltage: 55.2, maxCell: 3.47, minCell: 3.43))
        #expect(strategy.schedule.phase == .balancing)

        let goal = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 11, 30), voltage: 55.2, maxCell: 3.46, minCell: 3.44))
        #expect(strategy.schedule.phase == .goalReached)
        #expect(ownChargeClose(goal.chargeVoltageLimit, 55.2))
        #expect(host.writes.isEmpty)

        // Holding the balancing CVL while the excess is used up, into the next month.
        let holding = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 12, 1), voltage: 54.0))
        #expect(strategy.schedule.phase == .goalReached)
        #expect(ownChargeClose(holding.chargeVoltageLimit, 55.2))

        let ended = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 12, 1), voltage: 53.6))
        #expect(strategy.schedule.phase == .idle)
        #expect(ownChargeClose(ended.chargeVoltageLimit, 53.6))
        #expect(host.writes.map(\.key) == ["last_balancing"])
        #expect(host.writes.map(\.value) == ["335\n2026-12-01\n"])
        #expect(strategy.schedule.lastBalancing == ownChargeDate(2026, 12, 1))
        #expect(ended.strategyState.hasPrefix("balancing: idle, last 2026-12-01 (0 d ago)"))

        let infoCount = host.infoMessages.count
        _ = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 12, 2), voltage: 53.0))
        #expect(strategy.schedule.phase == .idle)
        #expect(host.infoMessages.count == infoCount)
    }

    @Test(arguments: [
        // (last balancing, today, repetition, balancing due)
        ("2026-12-25", ownChargeDate(2027, 1, 4), 10, true),    // year change: 10 days
        ("2026-12-25", ownChargeDate(2027, 1, 3), 10, false),   // 9 days
        ("2028-02-28", ownChargeDate(2028, 3, 1), 2, true),     // leap year: 2 days
        ("2027-02-28", ownChargeDate(2027, 3, 1), 2, false),    // 1 day
        ("2026-01-31", ownChargeDate(2026, 2, 10), 10, true),   // month change
        ("2025-11-25", ownChargeDate(2026, 11, 25), 400, false),
        ("2024-11-25", ownChargeDate(2026, 11, 25), 730, true), // two years, one leap day: 730 days
    ])
    func balancingBecomesDueAfterRealDays(last: String, today: CalendarDate, repetition: Int, due: Bool) throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: repetition), date: today, lastBalancing: last)
        let strategy = try OwnChargeStrategy(host: host)
        let result = try strategy.tick(ownChargeContext(date: today))
        #expect(strategy.schedule.phase == (due ? .balancing : .idle))
        #expect(ownChargeClose(result.chargeVoltageLimit, due ? 55.2 : 53.6))
    }

    @Test func oldDayOfYearFileReadInJanuaryMeansLastDecember() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: 30),
                                     date: ownChargeDate(2027, 1, 10), lastBalancing: "350\n")
        let strategy = try OwnChargeStrategy(host: host)
        #expect(strategy.schedule.lastBalancing == ownChargeDate(2026, 12, 16))
        // Converted once and stored in the new format.
        #expect(host.writes.map(\.value) == ["350\n2026-12-16\n"])
        let result = try strategy.tick(ownChargeContext(date: ownChargeDate(2027, 1, 10)))
        #expect(strategy.schedule.phase == .idle)
        #expect(result.strategyState.contains("last 2026-12-16 (25 d ago)"))
        let dueDay = try strategy.tick(ownChargeContext(date: ownChargeDate(2027, 1, 15)))
        #expect(strategy.schedule.phase == .balancing)
        #expect(ownChargeClose(dueDay.chargeVoltageLimit, 55.2))
    }

    /// A file with the day and the date (what we write) is taken as it is, not rewritten; the
    /// Python program's day written over it later is converted and stored with its date again.
    @Test func theDayAndDateFileIsReadAsItIsAndThePythonDayOverItIsConverted() throws {
        let ours = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: 30),
                                     date: ownChargeDate(2027, 1, 10), lastBalancing: "350\n2025-12-16\n")
        #expect(try OwnChargeStrategy(host: ours).schedule.lastBalancing == ownChargeDate(2025, 12, 16))
        #expect(ours.writes.isEmpty)
        let python = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: 30),
                                       date: ownChargeDate(2027, 1, 10), lastBalancing: "3")
        #expect(try OwnChargeStrategy(host: python).schedule.lastBalancing == ownChargeDate(2027, 1, 3))
        #expect(python.writes.map(\.value) == ["3\n2027-01-03\n"])
    }

    /// No stored date counts as never balanced: the first chance balances (see loadLastBalancing).
    @Test func absentStateBalancesAtTheFirstOpportunity() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig())
        let strategy = try OwnChargeStrategy(host: host)
        #expect(strategy.schedule.lastBalancing == nil)
        let result = try strategy.tick(ownChargeContext())
        #expect(strategy.schedule.phase == .balancing)
        #expect(ownChargeClose(result.chargeVoltageLimit, 55.2))
        #expect(result.strategyState.contains("last never"))
        #expect(host.corruptReports.isEmpty)
    }

    @Test func corruptStateIsReportedAndTreatedAsAbsent() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(), lastBalancing: "last tuesday")
        let strategy = try OwnChargeStrategy(host: host)
        #expect(host.corruptReports.map(\.key) == ["last_balancing"])
        #expect(strategy.schedule.lastBalancing == nil)
        _ = try strategy.tick(ownChargeContext())
        #expect(strategy.schedule.phase == .balancing)
    }

    @Test func whenEveryChargeIsFullTheFullChargeDayIsStored() throws {
        // Defaults: BALANCING_VOLTAGE 3.40 <= June's 3.40, so the schedule is paused.
        let host = OwnChargeTestHost(date: ownChargeDate(2026, 6, 10), lastBalancing: "2026-05-01")
        let strategy = try OwnChargeStrategy(host: host)
        let notBalanced = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 6, 10), voltage: 54.4, maxCell: 3.44, minCell: 3.40))
        #expect(host.writes.isEmpty)
        #expect(ownChargeClose(notBalanced.chargeVoltageLimit, 54.4))
        #expect(notBalanced.strategyState.hasPrefix("balancing: every charge is full this month"))

        _ = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 6, 10), voltage: 54.4, maxCell: 3.41, minCell: 3.40))
        #expect(host.writes.map(\.value) == ["161\n2026-06-10\n"])
        _ = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 6, 10), voltage: 54.5, maxCell: 3.41, minCell: 3.40))
        #expect(host.writes.count == 1)
        _ = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 6, 11), voltage: 54.5, maxCell: 3.41, minCell: 3.40))
        #expect(host.writes.map(\.value) == ["161\n2026-06-10\n", "162\n2026-06-11\n"])
        #expect(strategy.schedule.phase == .idle)
    }

    /// A balancing goal seen while a pack is missing does not move the last balancing date: the
    /// missing pack was not seen balanced.
    @Test func aPartialBankDoesNotMoveTheLastBalancingDate() throws {
        let host = OwnChargeTestHost(date: ownChargeDate(2026, 6, 10), lastBalancing: "2026-05-01")
        let strategy = try OwnChargeStrategy(host: host)
        var context = ownChargeContext(date: ownChargeDate(2026, 6, 10), voltage: 54.4, maxCell: 3.41, minCell: 3.40)
        context.batteriesExpected = 2
        _ = try strategy.tick(context)
        #expect(host.writes.isEmpty)
        #expect(host.logs.contains { $0.message.contains("not moved") })
        context.batteriesExpected = 1
        _ = try strategy.tick(context)
        #expect(host.writes.map(\.value) == ["161\n2026-06-10\n"])
    }

    @Test func refusedStateWriteIsRetried() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(), lastBalancing: "2026-11-01")
        let strategy = try OwnChargeStrategy(host: host)
        host.acceptsWrites = false
        _ = try strategy.tick(ownChargeContext())
        _ = try strategy.tick(ownChargeContext(voltage: 55.2, maxCell: 3.46, minCell: 3.44))
        _ = try strategy.tick(ownChargeContext(voltage: 53.5))
        _ = try strategy.tick(ownChargeContext(voltage: 53.5))
        #expect(host.writes.isEmpty)
        #expect(host.logs.filter { $0.level == .warning }.count == 1)
        host.acceptsWrites = true
        strategy.shutdown()
        #expect(host.writes.map(\.value) == ["329\n2026-11-25\n"])
    }
}

@Suite("OwnCharge strategy: limits, feed-in and hints")
struct OwnChargeLimitTests {
    func battery(_ name: String, sum: Double, cells: [Double?], blockingCharge: Int = 0,
                 blockingDischarge: Int = 0) -> BatterySnapshot {
        let known = cells.compactMap { $0 }
        return BatterySnapshot(name: name, voltage: sum, voltagesSum: sum, minCellVoltage: known.min(),
                               maxCellVoltage: known.max(), blockingCharge: blockingCharge,
                               blockingDischarge: blockingDischarge, cellVoltages: cells)
    }

    @Test func dynamicCVLSubtractsEveryCellsExcessPerBatteryAndTakesTheLowest() throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)
        // MAX_CELL_VOLTAGE 3.45. B1: excess 0.03 + 0.02 = 0.05 -> 53.20 - 0.05 = 53.15.
        // B2: excess 0.01 + 0.04 (the unknown cell ignored) = 0.05 -> 53.10 - 0.05 = 53.05, the lowest.
        let b1 = battery("B1", sum: 53.20, cells: [3.48, 3.47, 3.30, 3.45])
        let b2 = battery("B2", sum: 53.10, cells: [3.46, nil, 3.30, 3.30, 3.30, 3.30, 3.49])
        let result = try strategy.tick(ownChargeContext(voltage: 53.15, maxCell: 3.49, minCell: 3.30, batteries: [b1, b2]))
        #expect(ownChargeClose(result.chargeVoltageLimit, 53.05, tolerance: 1e-6))
        #expect(result.limitReason.contains("cell C7 of battery B2 at 3.490 V: dynamic CVL 53.05 V"))
        #expect(strategy.peakFeedIn.dynamicCVLActive)
        #expect(host.infoMessages.filter { $0.hasPrefix("dynamic CVL reduction started") }.count == 1)
        #expect(result.strategyState.contains("dynamic CVL"))
    }

    @Test func dynamicCVLNeverRaisesTheTarget() throws {
        let host = OwnChargeTestHost(date: ownChargeDate(2026, 6, 10), lastBalancing: "2026-06-09")
        let strategy = try OwnChargeStrategy(host: host)
        // June target 54.40 V; reduced value 55.00 - 0.01 is higher.
        let b1 = battery("B1", sum: 55.00, cells: [3.46, 3.40])
        let result = try strategy.tick(ownChargeContext(date: ownChargeDate(2026, 6, 10), voltage: 55.0, maxCell: 3.46,
                                                        minCell: 3.40, batteries: [b1]))
        #expect(ownChargeClose(result.chargeVoltageLimit, 54.4))
        #expect(!result.limitReason.contains("dynamic CVL"))
    }

    @Test func feedInStaysOffUntilCellsAreBelowTheLimitAndBalanced() throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)
        let ticks: [(maxCell: Double, minCell: Double, feedInOff: Bool, dynamic: Bool)] = [
            (3.40, 3.38, false, false),
            (3.45, 3.40, true, true),    // peak: at MAX_CELL_VOLTAGE
            (3.47, 3.40, true, true),
            (3.44, 3.40, true, false),   // below the limit, difference 0.04 >= 0.025: still off
            (3.44, 3.414, true, false),  // difference 0.026: still off
            (3.44, 3.43, false, false),  // both conditions: released
            (3.44, 3.38, false, false),  // stays released
        ]
        for tick in ticks {
            let result = try strategy.tick(ownChargeContext(voltage: 54.0, maxCell: tick.maxCell, minCell: tick.minCell))
            #expect(result.feedInMustBeOff == tick.feedInOff, "at max \(tick.maxCell) min \(tick.minCell)")
            #expect(strategy.peakFeedIn.dynamicCVLActive == tick.dynamic, "at max \(tick.maxCell) min \(tick.minCell)")
        }
        #expect(host.infoMessages.filter { $0.hasPrefix("requesting DC-coupled PV feed-in off") }.count == 1)
        #expect(host.infoMessages.filter { $0.hasPrefix("releasing the PV feed-in request") }.count == 1)
        #expect(host.infoMessages.filter { $0.hasPrefix("dynamic CVL reduction ended") }.count == 1)
    }

    @Test(arguments: [(batteryBlocks: true, bankBlocks: false), (batteryBlocks: false, bankBlocks: true)])
    func blockingChargeZeroesCCLAndTurnsFeedInOff(batteryBlocks: Bool, bankBlocks: Bool) throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)
        let blocked = [battery("B1", sum: 53.0, cells: [3.28, 3.27], blockingCharge: batteryBlocks ? 1 : 0)]
        let result = try strategy.tick(ownChargeContext(maxCell: 3.28, minCell: 3.27, bankBlockingCharge: bankBlocks ? 1 : 0,
                                                        batteries: blocked))
        #expect(result.chargeCurrentLimit == 0)
        #expect(result.feedInMustBeOff)
        #expect(result.dischargeCurrentLimit == 200)
        #expect(result.limitReason.hasPrefix(batteryBlocks ? "battery B1 blocks charging: CCL 0" : "a BMS blocks charging: CCL 0"))
        #expect(host.infoMessages.contains("requesting DC-coupled PV feed-in off: a BMS blocks charging"))

        // Blocking over, but the cells differ by 0.03 V: feed-in stays off.
        let unbalanced = try strategy.tick(ownChargeContext(maxCell: 3.28, minCell: 3.25))
        #expect(unbalanced.feedInMustBeOff)
        #expect(ownChargeClose(unbalanced.chargeCurrentLimit, 200))
        let released = try strategy.tick(ownChargeContext(maxCell: 3.28, minCell: 3.27))
        #expect(!released.feedInMustBeOff)
    }

    @Test(arguments: [(3.20, 200.0), (3.35, 110.0), (3.40, 20.0), (3.45, 0.0), (2.925, 120.0)])
    func chargeCurrentFollowsTheHighestCell(maxCell: Double, chargeCurrent: Double) throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        let result = try strategy.tick(ownChargeContext(maxCell: maxCell, minCell: min(maxCell, 3.30)))
        #expect(ownChargeClose(result.chargeCurrentLimit, chargeCurrent, tolerance: 1e-6))
    }

    @Test func dischargeLatchSetsAtMinimumAndClearsAboveTheHysteresis() throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)
        let ticks: [(minCell: Double, dischargeCurrent: Double)] = [
            (3.05, 200 * 0.525),  // table: 3.00 -> 0.05, 3.10 -> 1
            (2.95, 200 * 0.025),
            (2.90, 0),            // latched
            (2.95, 0),
            (3.00, 0),            // MIN + hysteresis, not above: still latched
            (3.01, 200 * 0.145),  // cleared
            (2.95, 200 * 0.025),
        ]
        for tick in ticks {
            let result = try strategy.tick(ownChargeContext(maxCell: 3.32, minCell: tick.minCell))
            #expect(ownChargeClose(result.dischargeCurrentLimit, tick.dischargeCurrent, tolerance: 1e-6), "at \(tick.minCell)")
            if tick.dischargeCurrent == 0 {
                #expect(result.limitReason.hasPrefix("cells low: discharge latched"))
                #expect(result.strategyState.hasSuffix("discharge latched"))
            }
        }
        #expect(host.infoMessages.filter { $0.hasPrefix("discharge latched") }.count == 1)
        #expect(host.infoMessages.filter { $0.hasPrefix("discharge latch cleared") }.count == 1)
    }

    @Test func blockingDischargeZeroesDCL() throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        let blocked = [battery("B2", sum: 53.0, cells: [3.28, 3.27], blockingDischarge: 2)]
        let result = try strategy.tick(ownChargeContext(batteries: blocked))
        #expect(result.dischargeCurrentLimit == 0)
        #expect(ownChargeClose(result.chargeCurrentLimit, 200))
        #expect(result.limitReason.hasPrefix("battery B2 blocks discharging: DCL 0"))
    }

    @Test(arguments: [(53.0, BankHint.no), (54.39, .no), (54.4, .yes), (56.0, .yes)])
    func bankFullHintAtTheBalancingVoltage(voltage: Double, hint: BankHint) throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        let result = try strategy.tick(ownChargeContext(voltage: voltage))
        #expect(result.bankFull == hint)
    }

    @Test(arguments: [("True", 2.90, BankHint.yes), ("True", 2.91, .no), ("False", 2.80, .no), ("true", 2.5, .yes)])
    func bankEmptyHintWithZeroSoc(zeroSoc: String, minCell: Double, hint: BankHint) throws {
        let host = OwnChargeTestHost(config: ["NR_OF_CELLS_PER_BATTERY": "16", "ZERO_SOC": zeroSoc], lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)
        let result = try strategy.tick(ownChargeContext(minCell: minCell))
        #expect(result.bankEmpty == hint)
    }

    @Test(arguments: [
        ownChargeContext(voltage: nil), ownChargeContext(maxCell: nil), ownChargeContext(minCell: nil),
        ownChargeContext(voltage: .nan), ownChargeContext(batteries: []),
        ownChargeContext(date: ownChargeDate(2026, 13, 1)),
    ])
    func missingInputsThrowAnInputError(context: TickContext) throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        do {
            _ = try strategy.tick(context)
            Issue.record("tick should fail")
        } catch {
            #expect(error.kind == .input)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func missingInputNamesWhatIsMissing() throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        #expect(throws: StrategyError(.input, "missing input: bank voltage, lowest cell voltage")) {
            try strategy.tick(ownChargeContext(voltage: nil, minCell: nil))
        }
    }

    @Test func limitReasonKeepsWholePartsWithinTheCBuffer() throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        let name = "Battery-with-a-rather-long-custom-name"
        let b1 = battery(name, sum: 53.0, cells: [3.50, 2.80], blockingCharge: 1, blockingDischarge: 1)
        let result = try strategy.tick(ownChargeContext(voltage: 53.0, maxCell: 3.50, minCell: 2.80, batteries: [b1]))
        #expect(result.limitReason.utf8.count <= 127)
        #expect(result.limitReason.hasPrefix("battery " + name + " blocks charging: CCL 0; cells low: discharge latched"))
        #expect(!result.limitReason.hasSuffix(";") && !result.limitReason.hasSuffix(" "))
    }

    @Test func steadyTicksLogNothing() throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-11-20")
        let strategy = try OwnChargeStrategy(host: host)
        _ = try strategy.tick(ownChargeContext(maxCell: 3.47, minCell: 2.85))
        let count = host.logs.count
        for _ in 0..<5 { _ = try strategy.tick(ownChargeContext(maxCell: 3.47, minCell: 2.85)) }
        #expect(host.logs.count == count)
    }
}
