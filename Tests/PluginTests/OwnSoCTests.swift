import OwnSoCLogic
import PluginKit
import Testing

@Suite struct OwnSoCTests {
    static func bank(current: Double? = nil, installed: Double? = 200, bmsSoc: Double? = 50,
                     maxCell: Double? = 3.35, minCell: Double? = 3.20, lowSoc: Bool? = false) -> BankSnapshot {
        BankSnapshot(current: current, installedCapacityAh: installed, bmsSocPercent: bmsSoc,
                     maxCellVoltage: maxCell, minCellVoltage: minCell, systemLowSoc: lowSoc)
    }

    static func strategy(stored: String? = "100.000", config: [String: String] = [:]) throws -> (OwnSoc, FakeStrategyHost) {
        let host = FakeStrategyHost(config: config, state: stored.map { ["charge": $0] } ?? [:])
        return (try OwnSoc(host: host), host)
    }

    struct CountCase: Sendable, CustomTestStringConvertible {
        var current: Double
        var seconds: Double
        var expectedAh: Double
        var testDescription: String { "\(current) A for \(seconds) s -> \(expectedAh) Ah" }
    }

    @Test(arguments: [
        CountCase(current: 10, seconds: 3600, expectedAh: 109.8),     // charging x 0.98
        CountCase(current: -10, seconds: 360, expectedAh: 99),        // discharging counts fully
        CountCase(current: 0, seconds: 3600, expectedAh: 100),
        CountCase(current: 500, seconds: 3600, expectedAh: 200),      // clamped to installed
        CountCase(current: -500, seconds: 3600, expectedAh: 0),       // clamped to 0
        CountCase(current: -10, seconds: -5, expectedAh: 100),        // a negative step counts nothing
    ])
    func coulombCounting(_ testCase: CountCase) throws {
        let (strategy, _) = try Self.strategy()
        let result = try strategy.tick(makeTick(bank: Self.bank(current: testCase.current), timeStepSeconds: testCase.seconds))
        #expect(abs(result.capacityAh! - testCase.expectedAh) < 1e-9)
        #expect(abs(result.socPercent! - testCase.expectedAh / 2) < 1e-9)
        #expect(abs(result.consumedAh! - (testCase.expectedAh - 200)) < 1e-9)
    }

    struct ResetCase: Sendable, CustomTestStringConvertible {
        var label: String
        var config: [String: String] = [:]
        var full: BankHint
        var empty: BankHint
        var maxCell: Double
        var minCell: Double
        var expectedAh: Double
        var testDescription: String { label }
    }

    @Test(arguments: [
        ResetCase(label: "hint full", full: .yes, empty: .notGiven, maxCell: 3.3, minCell: 3.2, expectedAh: 200),
        ResetCase(label: "hint empty", full: .notGiven, empty: .yes, maxCell: 3.3, minCell: 3.2, expectedAh: 0),
        ResetCase(label: "hint no beats full threshold", full: .no, empty: .no, maxCell: 3.5, minCell: 3.2, expectedAh: 100),
        ResetCase(label: "own full threshold", full: .notGiven, empty: .notGiven, maxCell: 3.45, minCell: 3.2, expectedAh: 200),
        ResetCase(label: "below full threshold", full: .notGiven, empty: .notGiven, maxCell: 3.449, minCell: 3.2, expectedAh: 100),
        ResetCase(label: "empty threshold needs ZERO_SOC", full: .notGiven, empty: .notGiven, maxCell: 3.3, minCell: 2.8, expectedAh: 100),
        ResetCase(label: "own empty threshold", config: ["ZERO_SOC": "True"], full: .notGiven, empty: .notGiven,
                  maxCell: 3.3, minCell: 2.9, expectedAh: 0),
        ResetCase(label: "configured thresholds", config: ["MAX_CELL_VOLTAGE_SOC_FULL": "2.5", "ZERO_SOC": "True",
                                                           "MIN_CELL_VOLTAGE_SOC_EMPTY": "1.9"],
                  full: .notGiven, empty: .notGiven, maxCell: 2.5, minCell: 2.0, expectedAh: 200),
        ResetCase(label: "hint no beats empty threshold", config: ["ZERO_SOC": "True"], full: .notGiven, empty: .no,
                  maxCell: 3.3, minCell: 2.5, expectedAh: 100),
    ])
    func fullAndEmptyResets(_ testCase: ResetCase) throws {
        let (strategy, _) = try Self.strategy(config: testCase.config)
        let context = makeTick(bank: Self.bank(current: 0, maxCell: testCase.maxCell, minCell: testCase.minCell),
                               charge: ChargeResult(bankFull: testCase.full, bankEmpty: testCase.empty))
        #expect(try strategy.tick(context).capacityAh == testCase.expectedAh)
    }

    @Test func noChargeResultUsesOwnThresholds() throws {
        let (strategy, _) = try Self.strategy()
        #expect(try strategy.tick(makeTick(bank: Self.bank(current: 0, maxCell: 3.46))).capacityAh == 200)
    }

    @Test func storedValueIsContinued() throws {
        let (strategy, host) = try Self.strategy(stored: "123.456\n")
        let result = try strategy.tick(makeTick(bank: Self.bank(current: 0, bmsSoc: 10)))
        #expect(result.capacityAh == 123.456)
        #expect(result.strategyState == "counter 123.456 Ah")
        #expect(host.stateWrites.isEmpty)          // nothing moved
    }

    @Test(arguments: [nil, "-1", "-1.0"] as [String?])
    func missingOrNegativeStartsFromBmsSocWhenKnown(stored: String?) throws {
        let (strategy, host) = try Self.strategy(stored: stored)
        // BMS SoC not known yet: no result rather than a counter at 0.
        #expect(throws: StrategyError.self) { try strategy.tick(makeTick(bank: Self.bank(current: -5, bmsSoc: nil))) }
        #expect(strategy.chargeAh == nil)
        let result = try strategy.tick(makeTick(bank: Self.bank(current: -5, bmsSoc: 40)))
        #expect(result.capacityAh == 80)
        #expect(host.stateWrites.last == .init(key: "charge", text: "80.000"))
        #expect(host.corruptStates.isEmpty)
    }

    @Test(arguments: ["abc", "", "12.5 Ah", "nan"])
    func corruptTextIsReportedAndBmsSocUsed(stored: String) throws {
        let (strategy, host) = try Self.strategy(stored: stored)
        #expect(host.corruptStates.count == 1)
        #expect(host.corruptStates.first?.key == "charge")
        #expect(try strategy.tick(makeTick(bank: Self.bank(bmsSoc: 25))).capacityAh == 50)
        #expect(host.state["charge"] == "50.000")
    }

    @Test func unreadableStateStartsFromBmsSocWithoutCorruptReport() throws {
        let host = FakeStrategyHost()
        host.unreadableStateKeys = ["charge"]
        let strategy = try OwnSoc(host: host)
        #expect(try strategy.tick(makeTick(bank: Self.bank(bmsSoc: 25))).capacityAh == 50)
        #expect(host.corruptStates.isEmpty)
    }

    /// Installed 200 Ah x 0.0025 = 0.5 Ah: stored only once the counter moved that far.
    @Test func storesWhenMovedBySavePrecision() throws {
        let (strategy, host) = try Self.strategy()
        _ = try strategy.tick(makeTick(bank: Self.bank(current: -4), timeStepSeconds: 360))  // -0.4 Ah
        #expect(host.stateWrites.isEmpty)
        _ = try strategy.tick(makeTick(bank: Self.bank(current: -2), timeStepSeconds: 360))  // -0.6 Ah in all
        #expect(host.stateWrites == [.init(key: "charge", text: "99.400")])
        _ = try strategy.tick(makeTick(bank: Self.bank(current: 1), timeStepSeconds: 36))    // +0.0098 Ah
        strategy.shutdown()
        #expect(host.stateWrites.last == .init(key: "charge", text: "99.410"))
        #expect(host.stateWrites.count == 2)
    }

    @Test func refusedWriteIsRetriedNextTick() throws {
        let (strategy, host) = try Self.strategy()
        host.refuseStateWrites = true
        _ = try strategy.tick(makeTick(bank: Self.bank(current: -10), timeStepSeconds: 360))
        host.refuseStateWrites = false
        _ = try strategy.tick(makeTick(bank: Self.bank(current: 0)))
        #expect(host.stateWrites == [.init(key: "charge", text: "99.000")])
    }

    struct TimeToGoCase: Sendable {
        var current: Double?
        var lowSoc: Bool?
        var expected: Double?
    }

    @Test(arguments: [
        TimeToGoCase(current: -20, lowSoc: false, expected: 18_000),   // 3600 x 100 Ah / 20 A
        TimeToGoCase(current: -20, lowSoc: nil, expected: 18_000),     // unknown LowSoc: not low
        TimeToGoCase(current: -20, lowSoc: true, expected: nil),
        TimeToGoCase(current: 5, lowSoc: false, expected: nil),
        TimeToGoCase(current: 0, lowSoc: false, expected: nil),
        TimeToGoCase(current: nil, lowSoc: false, expected: nil),
    ])
    func timeToGo(_ testCase: TimeToGoCase) throws {
        let (strategy, _) = try Self.strategy()
        let result = try strategy.tick(makeTick(bank: Self.bank(current: testCase.current, lowSoc: testCase.lowSoc),
                                                timeStepSeconds: 0))
        #expect(result.timeToGoSeconds == testCase.expected)
    }

    @Test func installedCapacityIsNeeded() throws {
        let (strategy, _) = try Self.strategy()
        #expect(throws: StrategyError.self) { try strategy.tick(makeTick(bank: Self.bank(installed: nil))) }
    }

    @Test func storedAboveInstalledIsClamped() throws {
        let (strategy, _) = try Self.strategy(stored: "250")
        #expect(try strategy.tick(makeTick(bank: Self.bank(current: 0))).socPercent == 100)
    }

    @Test func configErrorsAreAllReported() {
        let host = FakeStrategyHost(config: ["BATTERY_EFFICIENCY": "1.5", "ZERO_SOC": "maybe",
                                             "CHARGE_SAVE_PRECISION": "x"])
        #expect(throws: StrategyError.self) { try OwnSoc(host: host) }
        #expect(host.configErrors.map(\.key) == ["BATTERY_EFFICIENCY", "CHARGE_SAVE_PRECISION", "ZERO_SOC"])
    }

    @Test(arguments: [
        ("123.456", StoredCharge.ampHours(123.456)), ("0", .ampHours(0)), (" 42 \n", .ampHours(42)),
        ("-1", .initialiseFromBms), ("-0.5", .initialiseFromBms),
    ])
    func storedFormats(text: String, expected: StoredCharge) {
        #expect(StoredCharge.parse(text) == expected)
    }

    @Test func storedTextHasThreeDecimals() {
        #expect(StoredCharge.text(ampHours: 99.4) == "99.400")
        #expect(StoredCharge.text(ampHours: -0.0) == "0.000")
        #expect(StoredCharge.text(ampHours: 0.0004) == "0.000")
        #expect(StoredCharge.text(ampHours: 279.9996) == "280.000")
    }

    @Test func declaredKeys() {
        #expect(OwnSocDescriptors.ownSoc.configKeys.map(\.name) == [
            "BATTERY_EFFICIENCY", "CHARGE_SAVE_PRECISION", "MAX_CELL_VOLTAGE_SOC_FULL", "MIN_CELL_VOLTAGE_SOC_EMPTY", "ZERO_SOC",
        ])
        #expect(OwnSocDescriptors.ownSoc.configKeys.map(\.defaultValue) == ["0.98", "0.0025", "3.45", "2.90", "False"])
    }

    /// A tick of a bank of 3 x 100 Ah with `online` packs online (OwnSoC reads only the bank).
    static func partialTick(online: Int, current: Double, maxCell: Double = 3.35, seconds: Double = 1) -> TickContext {
        TickContext(timeStepSeconds: seconds, date: CalendarDate(year: 2026, month: 6, day: 15), batteriesExpected: 3,
                    bank: bank(current: current, installed: 100 * Double(online), bmsSoc: 60, maxCell: maxCell),
                    batteries: [], batteriesOnline: online)
    }

    /// A pack leaving must not rescale the counter to the part of the bank online (the defect:
    /// 60 % became 100 %, then 33 %, then 50 %) nor save a value from that part; /Soc moves on
    /// smoothly through the outage and its end.
    @Test func anOutageNeitherRescalesNorSavesTheCounter() throws {
        let (strategy, host) = try Self.strategy(stored: "180.000", config: ["CHARGE_SAVE_PRECISION": "0.001"])
        let whole = try strategy.tick(Self.partialTick(online: 3, current: 0))
        #expect(abs(whole.socPercent! - 60) < 1e-9)
        let writesBefore = host.stateWrites.count
        var last = whole.socPercent!
        // One pack gone for an hour, discharging 30 A (well past the save precision), a full
        // threshold reached by the packs online: no reset, no save, SoC over the whole bank.
        for _ in 0..<60 {
            let result = try strategy.tick(Self.partialTick(online: 2, current: -30, maxCell: 3.5, seconds: 60))
            #expect(abs(result.socPercent! - last) < 1, "SoC jumped from \(last) to \(result.socPercent!)")
            last = result.socPercent!
        }
        #expect(abs(last - 50) < 1e-6, "180 Ah - 30 Ah over 300 Ah: \(last)")
        #expect(host.stateWrites.count == writesBefore, "a value from a partial bank was saved")
        strategy.shutdown()
        #expect(host.stateWrites.count == writesBefore, "saved at shutdown while partial")
        #expect(host.logs.contains { $0.message.contains("bank partial") })
        // The bank is whole again: no jump, and saving resumes.
        let back = try strategy.tick(Self.partialTick(online: 3, current: 0))
        #expect(abs(back.socPercent! - last) < 1e-6)
        #expect(host.stateWrites.last?.text == "150.000")
    }

    /// A bank partial from the very first tick: the stored whole-bank count is not cut down to
    /// an estimated capacity, and nothing is saved until the bank is whole.
    @Test func aBankPartialFromTheStartKeepsTheStoredCount() throws {
        let (strategy, host) = try Self.strategy(stored: "280.000")
        // Packs of 100, 100 and 150 Ah; the 150 Ah one is missing at start (estimate: 300 Ah).
        let partial = TickContext(timeStepSeconds: 1, date: CalendarDate(year: 2026, month: 6, day: 15),
                                  batteriesExpected: 3, bank: Self.bank(current: 0, installed: 200, bmsSoc: 80),
                                  batteries: [], batteriesOnline: 2)
        let first = try strategy.tick(partial)
        #expect(first.capacityAh == 280, "the stored count was clamped: \(first.capacityAh ?? -1)")
        #expect(first.socPercent! <= 100)
        #expect(host.stateWrites.isEmpty)
        let whole = TickContext(timeStepSeconds: 1, date: CalendarDate(year: 2026, month: 6, day: 15),
                                batteriesExpected: 3, bank: Self.bank(current: 0, installed: 350, bmsSoc: 80),
                                batteries: [], batteriesOnline: 3)
        let back = try strategy.tick(whole)
        #expect(back.capacityAh == 280)
        #expect(abs(back.socPercent! - 80) < 1e-9)
    }
}
