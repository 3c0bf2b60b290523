import BMSCombineLogic
import PluginKit
import Testing

@Suite struct BMSCombineChargeTests {
    static let b1 = withCells(limitedBattery("B1", cvl: 55.2, ccl: 50, dcl: 100, installedAh: 100))
    static let b2 = withCells(limitedBattery("B2", cvl: 54.8, ccl: 60, dcl: 80, installedAh: 200))
    static let b3 = withCells(limitedBattery("B3", cvl: 55.0, ccl: 70, dcl: 90, installedAh: 100))

    /// A highest cell below MAX_CELL_VOLTAGE: without a cell reading the CVL is capped near the lowest.
    static func withCells(_ battery: BatterySnapshot) -> BatterySnapshot {
        var changed = battery
        changed.maxCellVoltage = 3.35
        return changed
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var config: [String: String]
        var batteries: [BatterySnapshot]
        var cvl: Double
        var ccl: Double
        var dcl: Double
        /// Batteries the bank expects; nil: as many as are online.
        var expected: Int? = nil
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "lowest CVL, min x count", config: [:], batteries: [b1, b2], cvl: 54.8, ccl: 100, dcl: 160),
        Case(label: "count is batteries online when all are", config: [:], batteries: [b1, b2, b3],
             cvl: 54.8, ccl: 150, dcl: 240),
        // The whole bank's limits when a fourth is expected: the host scales them to the packs online.
        Case(label: "min x expected while one is missing", config: [:], batteries: [b1, b2, b3],
             cvl: 54.8, ccl: 200, dcl: 320, expected: 4),
        Case(label: "sum extrapolated to the expected bank", config: ["CURRENT_LIMIT_POLICY": "sum"],
             batteries: [b1, b2, b3], cvl: 54.8, ccl: 240, dcl: 360, expected: 4),
        Case(label: "KEEP_MAX_CVL without Float keeps lowest", config: ["KEEP_MAX_CVL": "True"],
             batteries: [b1, b2], cvl: 54.8, ccl: 100, dcl: 160),
        Case(label: "KEEP_MAX_CVL with Float takes highest", config: ["KEEP_MAX_CVL": "True"],
             batteries: [b1, withMode(b2, "Float")], cvl: 55.2, ccl: 100, dcl: 160),
        Case(label: "ChargeMode containing Float", config: ["KEEP_MAX_CVL": "true"],
             batteries: [b1, withMode(b2, "Float (Bal)")], cvl: 55.2, ccl: 100, dcl: 160),
        Case(label: "Float without KEEP_MAX_CVL keeps lowest", config: [:],
             batteries: [withMode(b1, "Float"), b2], cvl: 54.8, ccl: 100, dcl: 160),
        Case(label: "CAN_batteries sums", config: ["CAN_batteries": "True"], batteries: [b1, b2],
             cvl: 54.8, ccl: 110, dcl: 180),
        Case(label: "explicit policy beats CAN_batteries",
             config: ["CAN_batteries": "True", "CURRENT_LIMIT_POLICY": "min_times_count"],
             batteries: [b1, b2], cvl: 54.8, ccl: 100, dcl: 160),
        Case(label: "sum policy", config: ["CURRENT_LIMIT_POLICY": "sum"], batteries: [b1, b2, b3],
             cvl: 54.8, ccl: 180, dcl: 270),
        // Shares 1/3 and 2/3: B1 allows 50 x 3 = 150 A, B2 60 x 1.5 = 90 A -> 90; DCL 300 vs 120 -> 120.
        Case(label: "capacity_share policy", config: ["CURRENT_LIMIT_POLICY": "capacity_share"],
             batteries: [b1, b2], cvl: 54.8, ccl: 90, dcl: 120),
        Case(label: "one battery", config: [:], batteries: [b3], cvl: 55.0, ccl: 70, dcl: 90),
    ]

    static func withMode(_ battery: BatterySnapshot, _ mode: String) -> BatterySnapshot {
        var changed = battery
        changed.chargeMode = mode
        return changed
    }

    @Test(arguments: cases)
    func limits(_ testCase: Case) throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: testCase.config))
        let result = try strategy.tick(makeTick(batteries: testCase.batteries,
                                                 batteriesExpected: testCase.expected ?? testCase.batteries.count))
        #expect(result.chargeVoltageLimit == testCase.cvl)
        #expect(result.chargeCurrentLimit == testCase.ccl)
        #expect(result.dischargeCurrentLimit == testCase.dcl)
        #expect(result.bankFull == .notGiven && result.bankEmpty == .notGiven)
        #expect(result.feedInMustBeOff == false)
    }

    @Test func reasonNamesTheBatteries() throws {
        let result = try BMSCombineCharge(config: BMSCombineConfig()).tick(makeTick(batteries: [Self.b1, Self.b2]))
        #expect(result.limitReason == "CVL 54.80 V from B2 (lowest BMS CVL); CCL 2 x 50.0 A (B1); DCL 2 x 80.0 A (B2)")
        #expect(result.strategyState == "min_times_count, 2 online, CVL min")
    }

    @Test func missingLimitIsAnInputErrorNamingBatteryAndPath() {
        let strategy = BMSCombineCharge(config: BMSCombineConfig())
        let lacking = limitedBattery("B2", cvl: 54.8, ccl: nil, dcl: 80)
        #expect(throws: StrategyError(.input, "battery B2 publishes no /Info/MaxChargeCurrent")) {
            try strategy.tick(makeTick(batteries: [Self.b1, lacking]))
        }
    }

    @Test func noBatteryIsAnInputError() {
        #expect(throws: StrategyError(.input, "no battery online")) {
            try BMSCombineCharge(config: BMSCombineConfig()).tick(makeTick())
        }
    }

    @Test func capacityShareNeedsInstalledCapacity() {
        let strategy = BMSCombineCharge(config: BMSCombineConfig(currentLimitPolicy: .capacityShare))
        let unknownSize = limitedBattery("B9", cvl: 55, ccl: 50, dcl: 50, installedAh: nil)
        #expect(throws: StrategyError.self) { try strategy.tick(makeTick(batteries: [Self.b1, unknownSize])) }
    }

    @Test func badValuesAreConfigErrors() {
        let host = FakeStrategyHost(config: ["CURRENT_LIMIT_POLICY": "average", "KEEP_MAX_CVL": "sometimes"])
        #expect(throws: StrategyError.self) { try BMSCombineCharge(host: host) }
        #expect(host.configErrors.map(\.key) == ["KEEP_MAX_CVL", "CURRENT_LIMIT_POLICY"])
    }

    @Test func declaredKeysAndDefaults() {
        let keys = BMSCombineDescriptors.charge.configKeys
        #expect(keys.map(\.name) == ["KEEP_MAX_CVL", "CAN_batteries", "CURRENT_LIMIT_POLICY", "CVL_MODE", "CVL_MAX_SPREAD",
                                     "MAX_CELL_VOLTAGE", "BLOCKING_PACK_STOPS_BANK"])
        #expect(keys.map(\.defaultValue) == ["False", "False", "", "", "0.05", "3.45", "True"])
        #expect(BMSCombineDescriptors.charge.kind == .charge)
        #expect(BMSCombineDescriptors.average.kind == .soc)
    }
}

@Suite struct BMSCombineAverageTests {
    static func battery(_ name: String, installed: Double?, soc: Double?, capacity: Double?, consumed: Double?,
                        timeToGo: Double?) -> BatterySnapshot {
        BatterySnapshot(name: name, socPercent: soc, capacityAh: capacity, installedCapacityAh: installed,
                        consumedAh: consumed, timeToGoSeconds: timeToGo)
    }

    @Test func capacityWeightedAverages() throws {
        let batteries = [
            Self.battery("B1", installed: 100, soc: 50, capacity: 50, consumed: -50, timeToGo: 3600),
            Self.battery("B2", installed: 300, soc: 90, capacity: 270, consumed: -30, timeToGo: 7200),
        ]
        let result = try BMSAverageSoc(canBatteries: false).tick(makeTick(batteries: batteries))
        #expect(result.socPercent == 80)            // (50 x 100 + 90 x 300) / 400
        #expect(result.timeToGoSeconds == 6300)     // (3600 x 100 + 7200 x 300) / 400
        #expect(result.capacityAh == 320)
        #expect(result.consumedAh == -80)
    }

    @Test func timeToGoUnknownWhenAnyIsUnknown() throws {
        let batteries = [
            Self.battery("B1", installed: 100, soc: 50, capacity: 50, consumed: -50, timeToGo: 3600),
            Self.battery("B2", installed: 100, soc: 60, capacity: 60, consumed: -40, timeToGo: nil),
        ]
        let result = try BMSAverageSoc(canBatteries: false).tick(makeTick(batteries: batteries))
        #expect(result.timeToGoSeconds == nil)
        #expect(result.socPercent == 55)
    }

    @Test func canBatteriesEstimateMissingCapacityAndConsumed() throws {
        let batteries = [
            Self.battery("P1", installed: 100, soc: 40, capacity: nil, consumed: nil, timeToGo: nil),
            Self.battery("P2", installed: 50, soc: 80, capacity: 41, consumed: -9, timeToGo: nil),
        ]
        let host = FakeStrategyHost(config: ["CAN_batteries": "True"])
        let result = try BMSAverageSoc(host: host).tick(makeTick(batteries: batteries))
        #expect(result.capacityAh == 81)    // 100 x 40 % + 41
        #expect(result.consumedAh == -9)    // missing counts as 0
    }

    @Test func withoutCanBatteriesMissingValuesAreInputErrors() {
        let batteries = [Self.battery("P1", installed: 100, soc: 40, capacity: nil, consumed: nil, timeToGo: nil)]
        #expect(throws: StrategyError(.input, "battery P1 publishes no /Capacity; battery P1 publishes no /ConsumedAmphours")) {
            try BMSAverageSoc(canBatteries: false).tick(makeTick(batteries: batteries))
        }
        let noSoc = [Self.battery("P2", installed: 100, soc: nil, capacity: 1, consumed: 0, timeToGo: nil)]
        #expect(throws: StrategyError(.input, "battery P2 publishes no /Soc")) {
            try BMSAverageSoc(canBatteries: true).tick(makeTick(batteries: noSoc))
        }
    }
}
