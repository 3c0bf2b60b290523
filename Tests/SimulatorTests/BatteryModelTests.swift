import Testing
import Simulator

/// Battery physics without a bus: the curve, coulomb counting, BMS protection and limits.
@Suite struct BatteryModelTests {
    @Test func lfpCurveHasAPlateauAndSteepKnees() {
        let ocv = LFPCellCurve.openCircuitVoltage
        #expect(ocv(20) >= 3.25 && ocv(90) <= 3.35)
        #expect(ocv(99) - ocv(95) > 0.1)  // upper knee
        #expect(ocv(10) - ocv(2) > 0.2)   // lower knee
        var previous = ocv(-5)
        for soc in stride(from: -4.0, through: 105, by: 1) {
            #expect(ocv(soc) >= previous)
            previous = ocv(soc)
        }
    }

    @Test func coulombCountingMovesTheSoc() {
        var model = BatteryModel(parameters: BatteryParameters(cellCount: 16, capacityAh: 280), socPercent: 50)
        for _ in 0..<3600 { model.step(requestedA: 28, seconds: 1) }
        #expect(abs(model.socPercent - 60) < 1e-6)
        #expect(model.remainingAh > 167.9 && model.remainingAh < 168.1)
    }

    @Test func chargingRaisesCellVoltagesByTheInternalResistance() {
        var model = BatteryModel(parameters: BatteryParameters(cellCount: 4, capacityAh: 280), socPercent: 50)
        model.step(requestedA: 0, seconds: 0)
        let resting = model.cellVoltages
        model.step(requestedA: 100, seconds: 0)
        let charging = model.cellVoltages
        for (rest, charge) in zip(resting, charging) { #expect(abs(charge - rest - 0.05) < 1e-9) }
    }

    @Test func overvoltageProtectionBlocksChargeAndZeroesTheLimit() {
        var offsets = [Double](repeating: 0, count: 16)
        offsets[2] = 6
        var model = BatteryModel(parameters: BatteryParameters(cellCount: 16, capacityAh: 100, cellSocOffsetsPercent: offsets),
                                 socPercent: 90)
        #expect(model.chargeCurrentLimitA == 100)
        var seconds = 0
        while !model.blocksCharge && seconds < 36_000 {
            model.step(requestedA: 20, seconds: 1)
            seconds += 1
        }
        #expect(model.blocksCharge)
        #expect(model.chargeCurrentLimitA == 0)
        #expect(model.socPercent < 100)  // the unbalanced cell stopped the charge early
        #expect(model.step(requestedA: 20, seconds: 1) == 0)
        #expect(model.step(requestedA: -20, seconds: 1) == -20)  // discharge still allowed
    }

    @Test func commandedBlockRefusesOnlyThatDirection() {
        var model = BatteryModel(parameters: BatteryParameters(), socPercent: 50)
        model.dischargeBlockedByCommand = true
        #expect(model.step(requestedA: -30, seconds: 1) == 0)
        #expect(model.dischargeCurrentLimitA == 0)
        #expect(model.step(requestedA: 30, seconds: 1) == 30)
    }
}
