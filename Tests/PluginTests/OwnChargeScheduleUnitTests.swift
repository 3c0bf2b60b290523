import Testing
import PluginKit
import OwnChargeLogic

@Suite("OwnCharge balancing schedule and dynamic CVL units")
struct OwnChargeScheduleUnitTests {
    @Test func monthWithoutHeadroomPausesARunningBalancing() {
        var schedule = BalancingSchedule(repetitionDays: 10, lastBalancing: nil)
        let today = ownChargeDate(2026, 5, 31)
        let started = schedule.advance(bankVoltage: 53.0, cellSpread: 0.01, cellDiffMax: 0.025,
                                       normalChargeVoltageLimit: 53.6, balancingChargeVoltageLimit: 55.2, today: today)
        #expect(schedule.phase == .balancing)
        #expect(started.changes == [.started(daysSinceLast: nil, balancingChargeVoltageLimit: 55.2)])
        // Next month's normal CVL reaches the balancing CVL.
        let paused = schedule.advance(bankVoltage: 53.0, cellSpread: 0.01, cellDiffMax: 0.025,
                                      normalChargeVoltageLimit: 55.2, balancingChargeVoltageLimit: 55.2,
                                      today: ownChargeDate(2026, 6, 1))
        #expect(schedule.phase == .idle)
        #expect(paused.changes == [.suspended(normalChargeVoltageLimit: 55.2)])
        #expect(paused.targetChargeVoltageLimit == 55.2)
        #expect(paused.storeLastBalancing == nil)
    }

    @Test func idleToGoalToIdleCanHappenInOneTickOnlyUpToTheGoal() {
        var schedule = BalancingSchedule(repetitionDays: 0, lastBalancing: ownChargeDate(2026, 5, 1))
        let step = schedule.advance(bankVoltage: 55.3, cellSpread: 0.01, cellDiffMax: 0.025,
                                    normalChargeVoltageLimit: 53.6, balancingChargeVoltageLimit: 55.2,
                                    today: ownChargeDate(2026, 5, 1))
        #expect(schedule.phase == .goalReached)
        #expect(step.changes.count == 2)
        #expect(step.targetChargeVoltageLimit == 55.2)
    }

    @Test func storedDateInTheFutureCountsAsToday() {
        let schedule = BalancingSchedule(repetitionDays: 10, lastBalancing: ownChargeDate(2027, 1, 1))
        #expect(schedule.daysSinceLastBalancing(today: ownChargeDate(2026, 12, 1)) == 0)
        #expect(BalancingSchedule(repetitionDays: 10, lastBalancing: nil)
            .daysSinceLastBalancing(today: ownChargeDate(2026, 12, 1)) == nil)
    }

    @Test func batteryWithoutCellListUsesItsHighestCell() {
        let can = BatterySnapshot(name: "CAN1", voltagesSum: 52.0, maxCellVoltage: 3.50)
        let serial = BatterySnapshot(name: "S1", voltagesSum: 52.1, cellVoltages: [3.47, 3.30])
        let reduction = DynamicChargeVoltage.reduction(batteries: [can, serial], maxCellVoltageLimit: 3.45)
        #expect(reduction?.batteryName == "CAN1")
        #expect(ownChargeClose(reduction?.chargeVoltageLimit, 51.95, tolerance: 1e-9))
        #expect(ownChargeClose(reduction?.excessVoltage, 0.05, tolerance: 1e-9))
    }

    @Test func batteriesWithoutVoltageSumFallBackToTheBank() throws {
        let strategy = try OwnChargeStrategy(host: OwnChargeTestHost(lastBalancing: "2026-11-20"))
        let noSum = BatterySnapshot(name: "B1", voltage: 53.0, maxCellVoltage: 3.48)
        let result = try strategy.tick(ownChargeContext(voltage: 53.0, maxCell: 3.48, minCell: 3.30, batteries: [noSum]))
        // Only the highest cell's excess (0.03 V) is known: 53.00 - 0.03.
        #expect(ownChargeClose(result.chargeVoltageLimit, 52.97, tolerance: 1e-9))
        #expect(result.limitReason.contains("dynamic CVL 52.97 V"))
    }
}
