import PluginKit
import Testing
@testable import HostCore

@Suite("Limit guard: strategy output is never trusted")
struct GuardTests {
    /// 16 cells: plausible CVL 24...72 V; maxima 200 A charge, 150 A discharge.
    private func makeGuard(lastValid: Double? = nil) -> LimitGuard {
        LimitGuard(maxChargeCurrent: 200, maxDischargeCurrent: 150, cellsPerBattery: 16,
                   lastValidChargeVoltage: lastValid)
    }

    private func charge(_ cvl: Double?, _ ccl: Double?, _ dcl: Double?) -> Result<ChargeResult, StrategyError> {
        .success(ChargeResult(chargeVoltageLimit: cvl, chargeCurrentLimit: ccl, dischargeCurrentLimit: dcl,
                              limitReason: "strategy"))
    }

    @Test func validLimitsPassUnchanged() {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(55.2, 120, 150), status: .allOnline)
        #expect(limits.chargeVoltageLimit == 55.2)
        #expect(limits.chargeCurrentLimit == 120)
        #expect(limits.dischargeCurrentLimit == 150)
        #expect(limits.replacements.isEmpty)
        #expect(limits.bmsCableAlarm == 0)
        #expect(limits.internalFailureAlarm == 0)
        #expect(limits.reason == "strategy")
        #expect(guardian.lastValidChargeVoltage == 55.2)
    }

    @Test(arguments: [
        // (given CCL, given DCL, published CCL, published DCL): above MAX_* is only capped.
        (500.0, 10.0, 200.0, 10.0), (50.0, 151.0, 50.0, 150.0),
    ])
    func currentLimitsAboveTheMaximaAreCappedWithoutAnAlarm(ccl: Double, dcl: Double, expectedCcl: Double, expectedDcl: Double) {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(55.2, ccl, dcl), status: .allOnline)
        #expect(limits.chargeCurrentLimit == expectedCcl)
        #expect(limits.dischargeCurrentLimit == expectedDcl)
        // The user's maximum is a setting: said in the reason, not an InternalFailure alarm.
        #expect(limits.replacements.isEmpty)
        #expect(limits.internalFailureAlarm == 0)
        #expect(limits.reason.contains(ccl > expectedCcl ? "CCL capped at MAX_CHARGE_CURRENT 200.0 A"
                                                         : "DCL capped at MAX_DISCHARGE_CURRENT 150.0 A"), "\(limits.reason)")
        #expect(limits.chargeVoltageLimit == 55.2)
    }

    @Test(arguments: [
        // (given CCL, given DCL): NaN, infinite or negative in either means the strategy is broken.
        (Double.nan, 10.0), (-5.0, 10.0), (Double.infinity, 10.0), (50.0, -1.0), (50.0, Double.nan),
    ])
    func anUnusableCurrentLimitStopsChargeAndDischargeWithTheLastValidCvl(ccl: Double, dcl: Double) {
        var guardian = makeGuard()
        _ = guardian.limits(for: charge(54.0, 100, 100), status: .allOnline)
        let limits = guardian.limits(for: charge(55.2, ccl, dcl), status: .allOnline)
        #expect(limits.chargeCurrentLimit == 0)
        #expect(limits.dischargeCurrentLimit == 0)
        #expect(limits.chargeVoltageLimit == 54.0)
        #expect(limits.replacements.count == 1)
        #expect(limits.internalFailureAlarm == 2)
        // The CVL of a broken output is not remembered as valid.
        #expect(guardian.lastValidChargeVoltage == 54.0)
    }

    @Test func missingCurrentLimitsBecomeZero() {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(55.2, nil, nil), status: .allOnline)
        #expect(limits.chargeCurrentLimit == 0)
        #expect(limits.dischargeCurrentLimit == 0)
        #expect(limits.replacements.map(\.limit) == [.chargeCurrent, .dischargeCurrent])
        #expect(limits.internalFailureAlarm == 2)
    }

    @Test(arguments: [Double.nan, -1, 0, 10, 80, Double.infinity])
    func anAbsurdCvlFallsBackToTheLastValidOneAndStopsChargeAndDischarge(cvl: Double) {
        var guardian = makeGuard()
        _ = guardian.limits(for: charge(54.0, 100, 100), status: .allOnline)
        let limits = guardian.limits(for: charge(cvl, 100, 100), status: .allOnline)
        #expect(limits.chargeVoltageLimit == 54.0)
        #expect(limits.chargeCurrentLimit == 0)
        #expect(limits.dischargeCurrentLimit == 0)
        #expect(limits.replacements.first?.limit == .chargeVoltage)
        #expect(limits.internalFailureAlarm == 2)
        #expect(guardian.lastValidChargeVoltage == 54.0)
    }

    @Test func withoutAnyValidCvlTheCvlIsInvalid() {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(nil, 100, 100), status: .allOnline)
        #expect(limits.chargeVoltageLimit == nil)
        #expect(limits.chargeCurrentLimit == 0)
    }

    @Test func aStrategyFailureStopsChargeAndDischargeKeepsTheLastCvlAndAlarms() {
        var guardian = makeGuard(lastValid: 55.0)
        let limits = guardian.limits(for: .failure(StrategyError(.internal, "boom")), status: .allOnline)
        #expect(limits.chargeVoltageLimit == 55.0)
        #expect(limits.chargeCurrentLimit == 0)
        #expect(limits.dischargeCurrentLimit == 0)
        #expect(limits.internalFailureAlarm == 2)
        #expect(limits.reason.contains("boom"))
        // Recovery: the next good result is published again.
        let next = guardian.limits(for: charge(55.2, 100, 100), status: .allOnline)
        #expect(next.chargeCurrentLimit == 100)
        #expect(next.internalFailureAlarm == 0)
    }

    @Test func degradedWarnsButKeepsLimitsBlockedZeroesThem() {
        var guardian = makeGuard()
        let degraded = guardian.limits(for: charge(55.2, 100, 100), status: .degraded(notOnlineForSeconds: 30))
        #expect(degraded.chargeCurrentLimit == 100)
        #expect(degraded.dischargeCurrentLimit == 100)
        #expect(degraded.bmsCableAlarm == 1)
        let blocked = guardian.limits(for: charge(55.2, 100, 100), status: .blocked(notOnlineForSeconds: 60))
        #expect(blocked.chargeCurrentLimit == 0)
        #expect(blocked.dischargeCurrentLimit == 0)
        #expect(blocked.chargeVoltageLimit == 55.2)
        #expect(blocked.bmsCableAlarm == 2)
    }

    @Test func noBatteryOnlineZeroesCurrentsAndKeepsTheLastValidCvl() {
        var guardian = makeGuard(lastValid: 54.4)
        let limits = guardian.limits(for: .failure(StrategyError(.input, "no batteries")), status: .noBatteryOnline)
        #expect(limits.chargeCurrentLimit == 0)
        #expect(limits.dischargeCurrentLimit == 0)
        #expect(limits.chargeVoltageLimit == 54.4)
        #expect(limits.bmsCableAlarm == 2)
    }

    @Test func onlyTheUsersMaximaCapTheDaemonsLimits() throws {
        let defaults = try CoreTestSupport.configuration("")
        let uncapped = LimitGuard(configuration: defaults)
        #expect(uncapped.maxChargeCurrent == .infinity && uncapped.maxDischargeCurrent == .infinity)
        var bigBank = uncapped
        let limits = bigBank.limits(for: .success(ChargeResult(chargeVoltageLimit: 55.2, chargeCurrentLimit: 400,
                                                                dischargeCurrentLimit: 600)), status: .allOnline)
        #expect(limits.chargeCurrentLimit == 400 && limits.dischargeCurrentLimit == 600)
        let capped = LimitGuard(configuration: try CoreTestSupport.configuration("MAX_DISCHARGE_CURRENT = 150\n"))
        #expect(capped.maxDischargeCurrent == 150 && capped.maxChargeCurrent == .infinity)
    }

    /// While packs are missing the strategy's whole-bank limits are scaled to the packs online,
    /// whatever the strategy; with every pack online the share changes nothing.
    @Test(arguments: [(2.0 / 3, 80.0, 100.0), (0.5, 60.0, 75.0), (1.5, 120.0, 150.0), (-1.0, 0.0, 0.0), (Double.nan, 0.0, 0.0)])
    func degradedLimitsAreScaledToTheCapacityOnline(share: Double, ccl: Double, dcl: Double) {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(55.2, 120, 150), status: .degraded(notOnlineForSeconds: 5),
                                     onlineCapacityShare: share)
        #expect(abs(limits.chargeCurrentLimit - ccl) < 1e-9)
        #expect(abs(limits.dischargeCurrentLimit - dcl) < 1e-9)
        #expect(limits.reason.contains("scaled to the packs online"), "\(limits.reason)")
        let whole = guardian.limits(for: charge(55.2, 120, 150), status: .allOnline, onlineCapacityShare: 0.5)
        #expect(whole.chargeCurrentLimit == 120 && whole.dischargeCurrentLimit == 150)
    }

    /// A small pack missing: the capacity share alone would ask the large pack online for more
    /// than its own BMS allows; the online BMSes' sum bounds it.
    @Test func whileDegradedTheOnlineBmsLimitsBoundTheBank() {
        var guardian = makeGuard()
        let vetoes = PackVetoes(onlineChargeCurrent: 140, onlineDischargeCurrent: 100)
        let limits = guardian.limits(for: charge(55.2, 280, 300), status: .degraded(notOnlineForSeconds: 5),
                                     onlineCapacityShare: 280.0 / 380, vetoes: vetoes)
        #expect(limits.chargeCurrentLimit == 140)
        #expect(limits.dischargeCurrentLimit == 100)
        #expect(limits.reason.contains("online BMSes' sum"), "\(limits.reason)")
    }

    /// A pack on the bus but not online that reports a block still blocks that direction.
    @Test func aBlockFromAPackNotOnlineStillHolds() {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(55.2, 120, 150), status: .degraded(notOnlineForSeconds: 5),
                                     vetoes: PackVetoes(chargeBlockedBy: "B2"))
        #expect(limits.chargeCurrentLimit == 0)
        #expect(limits.dischargeCurrentLimit == 150)
        #expect(limits.reason.contains("battery B2 (not online) blocks charging"), "\(limits.reason)")
    }

    /// The reason names the limit in words a person reads (and the Embedded build can print).
    @Test func aReplacementNamesTheLimit() {
        var guardian = makeGuard()
        let limits = guardian.limits(for: charge(55.2, -1, nil), status: .allOnline)
        #expect(limits.replacements.map(\.why) == ["CCL negative", "DCL missing"])
    }

    @Test func settingsGiveMaximaAndCvlRange() throws {
        let guardian = LimitGuard(settings: try CoreTestSupport.settings("MAX_CHARGE_CURRENT = 90\n"))
        #expect(guardian.maxChargeCurrent == 90)
        #expect(guardian.chargeVoltageRange == 24.0...72.0)
    }
}

@Suite("SoC sanity")
struct GuardSocSanityTests {
    @Test(arguments: [(Double?.none, Double?.none), (-0.1, nil), (0, 0), (100, 100), (100.01, nil), (.nan, nil)])
    func socMustBeAPercentage(given: Double?, expected: Double?) {
        #expect(SocSanity.socPercent(given) == expected)
    }

    @Test func sanitizedReportsEachRejectedField() {
        let (clean, rejected) = SocSanity.sanitized(SocResult(socPercent: 120, capacityAh: -1, consumedAh: 5,
                                                              timeToGoSeconds: 60))
        #expect(clean.socPercent == nil)
        #expect(clean.capacityAh == nil)
        #expect(clean.consumedAh == nil)
        #expect(clean.timeToGoSeconds == 60)
        #expect(rejected == ["socPercent", "capacityAh", "consumedAh"])
        #expect(SocSanity.sanitized(SocResult(socPercent: 50, consumedAh: 0)).rejected.isEmpty)
    }
}
