import BMSCombineLogic
import PluginKit
import Testing

/// BMSCombine for packs that are not alike: CVL_MODE over packs in different phases, the safety
/// cap while a cell peaks, and CURRENT_LIMIT_POLICY for unequal and blocking packs.
@Suite struct BMSCombineMixedPacksTests {
    static func pack(_ name: String, cvl: Double, mode: String?, maxCell: Double? = 3.40, ccl: Double = 100,
                     dcl: Double = 150, installedAh: Double = 280, current: Double? = nil,
                     blockingCharge: Int = 0, blockingDischarge: Int = 0) -> BatterySnapshot {
        var battery = limitedBattery(name, cvl: cvl, ccl: ccl, dcl: dcl, installedAh: installedAh, chargeMode: mode)
        battery.maxCellVoltage = maxCell
        battery.current = current
        battery.blockingCharge = blockingCharge
        battery.blockingDischarge = blockingDischarge
        return battery
    }

    struct CvlCase: CustomTestStringConvertible, Sendable {
        var label: String
        var config: [String: String]
        var packs: [BatterySnapshot]
        var cvl: Double
        /// Words the reason must hold (which pack, why).
        var reason: String
        var testDescription: String { label }
    }

    static let floating = pack("A", cvl: 53.6, mode: "Float │ Linear Mode")
    static let balancing = pack("B", cvl: 55.2, mode: "Absorption + Balancing │ Linear Mode")
    static let bulk = pack("C", cvl: 55.6, mode: "Bulk │ Linear Mode")
    static let absorbing = pack("D", cvl: 55.4, mode: "Absorption (Cell OVP) │ Linear Mode")

    static let cvlCases: [CvlCase] = [
        CvlCase(label: "min: the lowest", config: ["CVL_MODE": "min"], packs: [floating, balancing, bulk], cvl: 53.6,
                reason: "from A (lowest BMS CVL)"),
        CvlCase(label: "keep_max: the highest while one floats", config: ["CVL_MODE": "keep_max"],
                packs: [floating, balancing, bulk], cvl: 55.6, reason: "from C (highest: A floats)"),
        CvlCase(label: "keep_max: the lowest while none floats", config: ["CVL_MODE": "keep_max"],
                packs: [balancing, bulk], cvl: 55.2, reason: "from B (lowest BMS CVL)"),
        CvlCase(label: "KEEP_MAX_CVL = True is keep_max", config: ["KEEP_MAX_CVL": "True"],
                packs: [floating, bulk], cvl: 55.6, reason: "from C (highest: A floats)"),
        CvlCase(label: "CVL_MODE wins over KEEP_MAX_CVL", config: ["KEEP_MAX_CVL": "True", "CVL_MODE": "min"],
                packs: [floating, bulk], cvl: 53.6, reason: "lowest BMS CVL"),
        CvlCase(label: "max_while_balancing: the highest while one balances", config: ["CVL_MODE": "max_while_balancing"],
                packs: [floating, balancing], cvl: 55.2, reason: "from B (highest: B balancing)"),
        CvlCase(label: "max_while_balancing: the highest while one absorbs", config: ["CVL_MODE": "max_while_balancing"],
                packs: [floating, absorbing], cvl: 55.4, reason: "from D (highest: D absorbing)"),
        CvlCase(label: "max_while_balancing: the lowest when none does", config: ["CVL_MODE": "max_while_balancing"],
                packs: [floating, bulk], cvl: 53.6, reason: "from A (lowest: none absorbing)"),
        CvlCase(label: "a peaking cell caps at the lowest + CVL_MAX_SPREAD", config: ["CVL_MODE": "max_while_balancing"],
                packs: [floating, pack("B", cvl: 55.2, mode: "Absorption + Balancing", maxCell: 3.48)], cvl: 53.65,
                reason: "CVL 53.65 V: lowest (A) + spread, B cell 3.480 V > MAX_CELL_VOLTAGE"),
        CvlCase(label: "the cap follows CVL_MAX_SPREAD and MAX_CELL_VOLTAGE",
                config: ["CVL_MODE": "keep_max", "CVL_MAX_SPREAD": "0.2", "MAX_CELL_VOLTAGE": "3.50"],
                packs: [pack("A", cvl: 53.6, mode: "Float", maxCell: 3.52), bulk], cvl: 53.8,
                reason: "lowest (A) + spread, A cell 3.520 V"),
        CvlCase(label: "no cap while every cell is below MAX_CELL_VOLTAGE",
                config: ["CVL_MODE": "keep_max", "MAX_CELL_VOLTAGE": "3.50"],
                packs: [pack("A", cvl: 53.6, mode: "Float", maxCell: 3.48), bulk], cvl: 55.6, reason: "from C"),
    ]

    @Test(arguments: cvlCases)
    func cvlModes(_ testCase: CvlCase) throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: testCase.config))
        let result = try strategy.tick(makeTick(batteries: testCase.packs))
        #expect(abs((result.chargeVoltageLimit ?? 0) - testCase.cvl) < 1e-9, "\(result.limitReason)")
        #expect(result.limitReason.contains(testCase.reason), "\(result.limitReason)")
        // CVL, CCL and DCL all said within the C ABI's 127 bytes.
        #expect(result.limitReason.utf8.count <= 127 && result.limitReason.contains("DCL"), "\(result.limitReason)")
    }

    /// all_finished holds absorption until every pack has floated once, then floats; a new bulk
    /// phase starts it again.
    @Test func allFinishedHoldsAbsorptionUntilEveryPackFloated() throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: ["CVL_MODE": "all_finished"]))
        func cvl(_ a: String, _ b: String) throws -> (Double?, String) {
            let result = try strategy.tick(makeTick(batteries: [
                Self.pack("A", cvl: a == "Float" ? 53.6 : 55.2, mode: a), Self.pack("B", cvl: b == "Float" ? 53.6 : 55.4, mode: b)]))
            return (result.chargeVoltageLimit, result.limitReason)
        }
        #expect(try cvl("Bulk", "Bulk").0 == 55.4)
        let (held, reason) = try cvl("Float", "Absorption")
        #expect(held == 55.4 && reason.contains("from B (held: B not finished)"), "\(reason)")
        // A back in absorption after its float (its BMS raised the CVL again): still finished.
        #expect(try cvl("Absorption", "Absorption").0 == 55.4)
        let (floating, done) = try cvl("Absorption", "Float")
        #expect(floating == 53.6 && done.contains("(lowest: all packs finished)"), "\(done)")
        #expect(try cvl("Float", "Float").0 == 53.6)
        // A new charge (bulk) starts the hold again.
        #expect(try cvl("Bulk", "Float").0 == 55.2)
    }

    struct CurrentCase: CustomTestStringConvertible, Sendable {
        var label: String
        var config: [String: String]
        var packs: [BatterySnapshot]
        var expected: Int? = nil
        var ccl: Double
        var dcl: Double
        var reason: String
        var testDescription: String { label }
    }

    // A small pack among large ones: 100 Ah with 50/60 A limits beside two 280 Ah with 100/150 A.
    static let small = pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, dcl: 60, installedAh: 100, current: 20)
    static let large1 = pack("L1", cvl: 55.2, mode: "Bulk", ccl: 100, dcl: 150, installedAh: 280, current: 40)
    static let large2 = pack("L2", cvl: 55.2, mode: "Bulk", ccl: 100, dcl: 150, installedAh: 280, current: 40)

    static let currentCases: [CurrentCase] = [
        // 3 x 50 = 150: the small pack's limit times the packs.
        CurrentCase(label: "min_times_count", config: [:], packs: [small, large1, large2], ccl: 150, dcl: 180,
                    reason: "CCL 3 x 50.0 A (S)"),
        // Shares 100/660 and 280/660: S reaches 50 A at 330 A, L at 235.7 A -> 235.7.
        CurrentCase(label: "capacity_share: the large packs first", config: ["CURRENT_LIMIT_POLICY": "capacity_share"],
                    packs: [small, large1, large2], ccl: 100 * 660 / 280, dcl: 150 * 660 / 280,
                    reason: "CCL 235.7 A capacity share (L1)"),
        // The small pack takes 40 % now (lower resistance): it reaches 50 A at 125 A, below the capacity split's 235.7 A.
        CurrentCase(label: "most_restrictive: the measured split when it is lower",
                    config: ["CURRENT_LIMIT_POLICY": "most_restrictive"],
                    packs: [pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, dcl: 60, installedAh: 100, current: 40),
                            pack("L1", cvl: 55.2, mode: "Bulk", installedAh: 280, current: 30),
                            pack("L2", cvl: 55.2, mode: "Bulk", installedAh: 280, current: 30)],
                    ccl: 125, dcl: 150 * 660 / 280, reason: "CCL 125.0 A measured split (S)"),
        // Measured 20/40/40 would allow 250 A; the capacity split allows 235.7 A: the lower holds.
        CurrentCase(label: "most_restrictive: never above the capacity split", config: ["CURRENT_LIMIT_POLICY": "most_restrictive"],
                    packs: [small, large1, large2], ccl: 100 * 660 / 280, dcl: 150 * 660 / 280,
                    reason: "CCL 235.7 A capacity share (L1)"),
        // S takes nothing now (a higher voltage): the measured split would let it out; the capacity split holds.
        CurrentCase(label: "most_restrictive: a pack taking nothing now still limits",
                    config: ["CURRENT_LIMIT_POLICY": "most_restrictive"],
                    packs: [pack("S", cvl: 55.2, mode: "Bulk", ccl: 10, dcl: 60, installedAh: 100, current: 0),
                            pack("L1", cvl: 55.2, mode: "Bulk", installedAh: 280, current: 30)],
                    ccl: 10 * 380 / 100, dcl: 150 * 380 / 280, reason: "CCL 38.0 A capacity share (S)"),
        CurrentCase(label: "most_restrictive: by capacity without a measurable current",
                    config: ["CURRENT_LIMIT_POLICY": "most_restrictive"],
                    packs: [pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, dcl: 60, installedAh: 100, current: 1),
                            pack("L1", cvl: 55.2, mode: "Bulk", ccl: 100, dcl: 150, installedAh: 280, current: 2)],
                    ccl: 100 * 380 / 280, dcl: 150 * 380 / 280, reason: "capacity share, no split (L1)"),
        // L1 forbids charging: S and L2 carry, 2 x 50 A; it still discharges.
        CurrentCase(label: "a blocking pack carries nothing, the others do", config: ["BLOCKING_PACK_STOPS_BANK": "False"],
                    packs: [small, pack("L1", cvl: 55.2, mode: "Bulk", blockingCharge: 1), large2],
                    ccl: 100, dcl: 180, reason: "CCL 2 x 50.0 A (S), L1 blocks"),
        CurrentCase(label: "a limit of 0 is a blocking pack", config: ["CURRENT_LIMIT_POLICY": "sum", "BLOCKING_PACK_STOPS_BANK": "False"],
                    packs: [small, pack("L1", cvl: 55.2, mode: "Bulk", ccl: 0), large2], ccl: 150, dcl: 360,
                    reason: "CCL sum 150.0 A, L1 blocks"),
        CurrentCase(label: "by default a blocking pack stops the bank, as the Python program", config: [:],
                    packs: [small, pack("L1", cvl: 55.2, mode: "Bulk", blockingCharge: 1), large2], ccl: 0, dcl: 180,
                    reason: "CCL 0 A: L1 blocks"),
        CurrentCase(label: "every pack blocking", config: ["BLOCKING_PACK_STOPS_BANK": "False"],
                    packs: [pack("A", cvl: 55.2, mode: "Float", blockingDischarge: 1)], ccl: 100, dcl: 0,
                    reason: "DCL 0 A: all block"),
        // A fourth pack expected, one of three online blocking: the host scales by 3 of 4 online,
        // so the two carriers get 2 x 50 A: 50 x 2 x 4/3 before it.
        CurrentCase(label: "the expected bank with a blocking pack", config: ["BLOCKING_PACK_STOPS_BANK": "False"],
                    packs: [small, pack("L1", cvl: 55.2, mode: "Bulk", blockingCharge: 1), large2], expected: 4,
                    ccl: 50 * 2 * 4.0 / 3, dcl: 240, reason: "CCL 2.67 x 50.0 A (S), L1 blocks"),
    ]

    @Test(arguments: currentCases)
    func currentPolicies(_ testCase: CurrentCase) throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: testCase.config))
        let result = try strategy.tick(makeTick(batteries: testCase.packs,
                                                 batteriesExpected: testCase.expected ?? testCase.packs.count))
        #expect(abs((result.chargeCurrentLimit ?? -1) - testCase.ccl) < 0.01, "\(result.limitReason)")
        #expect(abs((result.dischargeCurrentLimit ?? -1) - testCase.dcl) < 0.01, "\(result.limitReason)")
        #expect(result.limitReason.contains(testCase.reason), "\(result.limitReason)")
    }

    /// measured_share learns each pack's share over minutes: by capacity before, then by the split.
    @Test func measuredShareLearnsTheSplit() throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: ["CURRENT_LIMIT_POLICY": "measured_share"]))
        // Resting: nothing to learn from, capacity share (S at 50 x 380/100 = 190, L at 100 x 380/280 = 135.7).
        let resting = [Self.pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, installedAh: 100, current: 0),
                       Self.pack("L", cvl: 55.2, mode: "Bulk", ccl: 100, installedAh: 280, current: 0)]
        let first = try strategy.tick(makeTick(batteries: resting, timeStepSeconds: 1))
        #expect(abs((first.chargeCurrentLimit ?? 0) - 100 * 380 / 280) < 0.01)
        #expect(first.limitReason.contains("capacity share, not learned yet"))
        // The small pack takes half the current (lower resistance): S reaches 50 A at 100 A.
        let charging = [Self.pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, installedAh: 100, current: 30),
                        Self.pack("L", cvl: 55.2, mode: "Bulk", ccl: 100, installedAh: 280, current: 30)]
        var last = try strategy.tick(makeTick(batteries: charging, timeStepSeconds: 1))
        #expect(abs((last.chargeCurrentLimit ?? 0) - 100) < 0.01, "\(last.limitReason)")
        // A moment's other split moves the learned share only by its weight (1 s of 300 s).
        let moment = [Self.pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, installedAh: 100, current: 10),
                      Self.pack("L", cvl: 55.2, mode: "Bulk", ccl: 100, installedAh: 280, current: 50)]
        last = try strategy.tick(makeTick(batteries: moment, timeStepSeconds: 1))
        #expect((last.chargeCurrentLimit ?? 0) > 100 && (last.chargeCurrentLimit ?? 0) < 101, "\(last.limitReason)")
        #expect(last.limitReason.contains("learned split (S)"))
    }

    /// A pack whose driver reports no known phase can never finish: it holds nothing, and a pack
    /// whose balancer runs through bulk ("Bulk + Balancing") still starts a new charge.
    @Test func allFinishedWithUnknownPhasesAndBalancingInBulk() throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: ["CVL_MODE": "all_finished"]))
        let keepMax = Self.pack("K", cvl: 55.6, mode: "Keep always max voltage")
        let floated = try strategy.tick(makeTick(batteries: [Self.pack("A", cvl: 53.6, mode: "Float"), keepMax]))
        #expect(floated.chargeVoltageLimit == 53.6, "\(floated.limitReason)")
        let newCharge = try strategy.tick(makeTick(batteries: [Self.pack("A", cvl: 55.2, mode: "Bulk + Balancing"), keepMax]))
        #expect(newCharge.chargeVoltageLimit == 55.2 && newCharge.limitReason.contains("held: A not finished"),
                "\(newCharge.limitReason)")
    }

    /// A pack that publishes no highest cell may be peaking: the cap binds (fail safe).
    @Test func aPackWithoutACellReadingBindsTheCap() throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: ["CVL_MODE": "keep_max"]))
        let result = try strategy.tick(makeTick(batteries: [Self.pack("A", cvl: 53.6, mode: "Float"),
                                                            Self.pack("B", cvl: 55.6, mode: "Bulk", maxCell: nil)]))
        #expect(abs((result.chargeVoltageLimit ?? 0) - 53.65) < 1e-9 && result.limitReason.contains("B no cell reading"),
                "\(result.limitReason)")
    }

    /// measured_share forgets a blocking pack's share: once it carries again it counts by capacity
    /// until its share is measured again.
    @Test func measuredShareRelearnsAPackThatBlocked() throws {
        let strategy = try BMSCombineCharge(host: FakeStrategyHost(config: ["CURRENT_LIMIT_POLICY": "measured_share",
                                                                            "BLOCKING_PACK_STOPS_BANK": "False"]))
        func tick(_ sCurrent: Double, blocks: Bool) throws -> ChargeResult {
            try strategy.tick(makeTick(batteries: [
                Self.pack("S", cvl: 55.2, mode: "Bulk", ccl: 50, installedAh: 100, current: sCurrent, blockingCharge: blocks ? 1 : 0),
                Self.pack("L", cvl: 55.2, mode: "Bulk", ccl: 100, installedAh: 280, current: 60)]))
        }
        _ = try tick(60, blocks: false)
        let blocked = try tick(0, blocks: true)
        #expect(blocked.limitReason.contains("S blocks"), "\(blocked.limitReason)")
        // Back, taking nothing yet: not a share of 0 learned while it blocked, but at least half its capacity share.
        let back = try tick(0, blocks: false)
        let ccl = try #require(back.chargeCurrentLimit)
        #expect(ccl <= 100 * 380 / 280 + 0.01 && back.limitReason.contains("not learned yet"), "\(back.limitReason)")
    }

    @Test func aLimitThatIsNotFiniteIsAnInputError() {
        let strategy = BMSCombineCharge(config: BMSCombineConfig())
        #expect(throws: StrategyError.self) {
            try strategy.tick(makeTick(batteries: [Self.pack("A", cvl: 55.2, mode: "Bulk", ccl: .infinity)]))
        }
    }

    @Test func badModesAreConfigErrors() {
        let host = FakeStrategyHost(config: ["CVL_MODE": "highest", "CVL_MAX_SPREAD": "-1", "CURRENT_LIMIT_POLICY": "fair"])
        #expect(throws: StrategyError.self) { try BMSCombineCharge(host: host) }
        #expect(Set(host.configErrors.map(\.key)) == ["CVL_MODE", "CVL_MAX_SPREAD", "CURRENT_LIMIT_POLICY"])
    }

    @Test(arguments: [("Bulk", PackPhase.bulk), ("Bulk + Balancing │ Step Mode", PackPhase(base: .bulk, balancing: true)),
                      ("Absorption (Cell OVP*) & SoC Reset", .absorption), ("Float Transition", .float),
                      ("Float", .float), ("Keep always max voltage", .unknown), ("", .unknown),
                      ("\nfloat", .float), ("Absorption (Cell OVP) + Balancing │ Linear Mode", PackPhase(base: .absorption, balancing: true))])
    func chargeModesOfSerialbattery(_ mode: String, _ phase: PackPhase) {
        #expect(PackPhase(chargeMode: mode) == phase)
    }
}
