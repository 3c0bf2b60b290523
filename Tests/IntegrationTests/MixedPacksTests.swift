import BusTestSupport
import Foundation
import HostCore
import PluginKit
import Simulator
import Testing
import VeDbus

/// Packs that are not alike, over the bus: BMSCombine's CVL follows CVL_MODE as the packs move
/// through their phases; a blocked pack and a small pack among large ones get their share of the
/// current; the user's DVCC caps and EXCLUDED_BATTERIES act whatever the strategy.
@Suite(.serialized) struct MixedPacksTests {
    static let combine = ["OWN_CHARGE_PARAMETERS": "False", "OWN_SOC": "False"]

    static func harness(_ config: [String: String], batteries: Int = 2, capacities: [Double] = [],
                        current: BankCurrentProfile? = nil) throws -> DaemonHarness {
        var simulation = SimulationConfig()
        simulation.batteryCount = batteries
        simulation.capacitiesAh = capacities
        let harness = try DaemonHarness(config: combine.merging(config) { $1 }, simulation: simulation)
        if let current { harness.venus.profile = current }
        return harness
    }

    /// A pack whose driver reports `mode` with the BMS CVL `volts`.
    static func set(_ battery: SimulatedBattery, mode: String, cvl volts: Double) {
        battery.overriddenValues["/Info/ChargeMode"] = .string(mode)
        battery.overriddenValues["/Info/MaxChargeVoltage"] = .double(volts)
    }

    @Test func maxWhileBalancingHoldsTheHighestCvlUntilTheBalancingPackFloats() throws {
        let harness = try Self.harness(["CVL_MODE": "max_while_balancing"])
        let packs = harness.venus.batteries
        Self.set(packs[0], mode: "Float │ Linear Mode", cvl: 53.6)
        Self.set(packs[1], mode: "Absorption + Balancing │ Linear Mode", cvl: 55.2)
        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeVoltage) == 55.2)
        let reason = harness.published(.limitReason).string ?? ""
        #expect(reason.contains("from SIM-BAT-2 (highest: SIM-BAT-2 balancing)"), "\(reason)")
        Self.set(packs[1], mode: "Float │ Linear Mode", cvl: 53.6)
        harness.run(seconds: 2)
        #expect(harness.number(.maxChargeVoltage) == 53.6)
        #expect((harness.published(.limitReason).string ?? "").contains("(lowest: none absorbing)"))
    }

    @Test func allFinishedFloatsOnlyOnceEveryPackFloated() throws {
        let harness = try Self.harness(["CVL_MODE": "all_finished"])
        let packs = harness.venus.batteries
        Self.set(packs[0], mode: "Absorption", cvl: 55.2)
        Self.set(packs[1], mode: "Absorption", cvl: 55.4)
        harness.run(seconds: 2)
        #expect(harness.number(.maxChargeVoltage) == 55.4)
        Self.set(packs[0], mode: "Float", cvl: 53.6)
        harness.run(seconds: 2)
        #expect(harness.number(.maxChargeVoltage) == 55.4, "absorption held for SIM-BAT-2")
        Self.set(packs[1], mode: "Float", cvl: 53.6)
        harness.run(seconds: 2)
        #expect(harness.number(.maxChargeVoltage) == 53.6)
    }

    /// The mixed-packs scenario driven by the simulator's physics: the nearly full pack floats and
    /// its BMS lowers its CVL, the others absorb and balance, and the bank's CVL stays at the
    /// highest while they do; the 100 Ah pack among the 280 Ah ones shares the current by capacity.
    /// (MAX_CELL_VOLTAGE 3.60 V: the simulated floating pack's cells sit at 3.56 V, which would
    /// otherwise cap the CVL, as `BMSCombineMixedPacksTests` checks.)
    @Test func theSimulatedMixedBankOverTime() throws {
        var simulation = SimulationConfig()
        simulation.batteryCount = 3
        let harness = try DaemonHarness(
            config: Self.combine.merging(["NR_OF_BATTERIES": "3", "CVL_MODE": "max_while_balancing",
                                          "CURRENT_LIMIT_POLICY": "capacity_share", "MAX_CELL_VOLTAGE": "3.60"]) { $1 },
            simulation: simulation, scenario: .mixedPacks)
        var sawFloatWhileOthersCharge = false
        var sawFinishingPack = false
        for _ in 0..<30 {
            harness.run(seconds: 15)
            let modes = harness.venus.batteries.map { $0.model.chargeMode }
            let reason = harness.published(.limitReason).string ?? ""
            if modes[0] == "Float", modes[1] != "Float" {
                // The floating pack's BMS asks for 53.6 V; the bank stays at the others' 55.2 V.
                if harness.venus.batteries[1].model.chargeMode.contains("Absorption") {
                    #expect(harness.number(.maxChargeVoltage) == 55.2, "\(reason)")
                    sawFloatWhileOthersCharge = true
                }
            }
            // The CVL named for a pack that absorbs or balances while another floats.
            if modes[0] == "Float", reason.contains("(highest: SIM-BAT-2 absorbing)") || reason.contains("(highest: SIM-BAT-2 balancing)") {
                sawFinishingPack = true
            }
            #expect(reason.contains("CCL") && reason.contains("capacity share"), "\(reason)")
        }
        #expect(sawFloatWhileOthersCharge && sawFinishingPack)
    }

    /// A pack whose BMS forbids charging carries none of it; the other keeps charging within its
    /// own limit. With BLOCKING_PACK_STOPS_BANK, as the Python program, the bank stops charging.
    @Test(arguments: [false, true])
    func aBlockedPackLeavesTheChargeToTheOthers(stopsBank: Bool) throws {
        let harness = try Self.harness(["BLOCKING_PACK_STOPS_BANK": stopsBank ? "True" : "False"], batteries: 3)
        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeCurrent) == 300)
        harness.venus.batteries[0].blocksChargeByCommand = true
        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeCurrent) == (stopsBank ? 0 : 200), "\(harness.published(.limitReason))")
        #expect(harness.number(.maxDischargeCurrent) == 450)
        harness.venus.batteries[0].blocksChargeByCommand = false
        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeCurrent) == 300)
    }

    /// A 100 Ah pack beside two 280 Ah ones: by capacity share the large packs reach their
    /// limits first; min x count would let the small one be pushed past its own.
    @Test func aSmallPackAmongLargeOnesByCapacityShare() throws {
        let harness = try Self.harness(["CURRENT_LIMIT_POLICY": "capacity_share"], batteries: 3, capacities: [100, 280, 280])
        harness.run(seconds: 3)
        // Every simulated BMS allows 100 A charge, 150 A discharge: the large packs (280/660 of the
        // current) reach 100 A at 235.7 A.
        let ccl = try #require(harness.number(.maxChargeCurrent))
        #expect(abs(ccl - 100 * 660 / 280) < 0.2, "\(harness.published(.limitReason))")
        #expect((harness.published(.limitReason).string ?? "").contains("capacity share"))
    }

    /// The user's DVCC limits cap what is published, whatever the strategy, and the reason says so.
    @Test(arguments: ["False", "True"])
    func dvccUserLimitsCapThePublishedLimits(ownCharge: String) throws {
        let harness = try Self.harness(["OWN_CHARGE_PARAMETERS": ownCharge])
        harness.run(seconds: 3)
        let before = try #require(harness.number(.maxChargeCurrent))
        #expect(before > 50)
        harness.venus.settings.setValue(DvccUserLimits.currentPath, .int32(50))
        harness.venus.settings.setValue(DvccUserLimits.voltagePath, .double(53.0))
        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeCurrent) == 50)
        #expect(harness.number(.maxChargeVoltage) == 53.0)
        let reason = harness.published(.limitReason).string ?? ""
        #expect(reason.contains("CCL at DVCC's charge current limit 50.0 A") && reason.contains("CVL at DVCC's charge voltage limit 53.00 V"),
                "\(reason)")
        harness.venus.settings.setValue(DvccUserLimits.currentPath, .int32(-1))
        harness.venus.settings.setValue(DvccUserLimits.voltagePath, .double(0))
        harness.run(seconds: 3)
        #expect(harness.number(.maxChargeCurrent) == before)
    }

    /// A pack named in EXCLUDED_BATTERIES (here by its serial) is on the bus but not in the bank.
    @Test func anExcludedPackIsNotAggregated() throws {
        let harness = try Self.harness(["EXCLUDED_BATTERIES": "SIM-BAT-3", "NR_OF_BATTERIES": "2"], batteries: 3)
        harness.run(seconds: 3)
        #expect(harness.number(.batteriesOnline) == 2)
        #expect(harness.daemon.lastOutcome?.status == .allOnline)
        #expect(harness.logs.count(containing: "EXCLUDED_BATTERIES names it", atLeast: .warning) == 1,
                "\(harness.logs.lines.map(\.text))")
    }
}
