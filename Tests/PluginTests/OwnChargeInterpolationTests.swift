import Testing
import OwnChargeLogic

@Suite("OwnCharge interpolation table")
struct OwnChargeInterpolationTests {
    /// The default charge table for MIN 2.90, BAL 3.40, MAX 3.45.
    static let chargeTable = try! InterpolationTable(cellVoltages: [2.90, 2.95, 3.30, 3.40, 3.45],
                                                     currentFactors: [0.2, 1, 1, 0.1, 0])

    @Test(arguments: [
        (2.50, 0.2), (2.90, 0.2),            // below and at the first point: clamped
        (2.925, 0.6), (2.95, 1.0),           // between, at
        (3.10, 1.0), (3.35, 0.55), (3.40, 0.1), (3.425, 0.05),
        (3.45, 0.0), (3.80, 0.0),            // at and above the last point: clamped
    ])
    func factorAtAndBetweenAndOutsidePoints(cellVoltage: Double, factor: Double) {
        #expect(ownChargeClose(Self.chargeTable.factor(at: cellVoltage), factor))
    }

    @Test func equalNeighboursMakeAStep() throws {
        let table = try InterpolationTable(cellVoltages: [3.0, 3.4, 3.4, 3.5], currentFactors: [1, 0.5, 0.2, 0])
        #expect(ownChargeClose(table.factor(at: 3.2), 0.75))
        #expect(ownChargeClose(table.factor(at: 3.4), 0.2))
        #expect(ownChargeClose(table.factor(at: 3.45), 0.1))
    }

    @Test func rejectsMismatchedLengths() {
        #expect(throws: InterpolationTableProblem.lengthMismatch(cellVoltageCount: 2, currentFactorCount: 3)) {
            try InterpolationTable(cellVoltages: [3.0, 3.1], currentFactors: [0, 0.5, 1])
        }
    }

    @Test func rejectsDescendingVoltages() {
        #expect(throws: InterpolationTableProblem.notAscending(index: 2)) {
            try InterpolationTable(cellVoltages: [3.0, 3.2, 3.1], currentFactors: [0, 0.5, 1])
        }
    }

    @Test func rejectsEmptyTable() {
        #expect(throws: InterpolationTableProblem.empty) {
            try InterpolationTable(cellVoltages: [], currentFactors: [])
        }
    }

    @Test func defaultVoltagesDeriveFromMinBalancingMax() {
        let charge = InterpolationTable.derivedChargeCellVoltages(minCellVoltage: 1.9, balancingCellVoltage: 2.5,
                                                                  maxCellVoltage: 2.6)
        let expectedCharge = [1.9, 1.95, 2.4, 2.5, 2.6]
        #expect(charge.count == 5)
        for (actual, expected) in zip(charge, expectedCharge) { #expect(ownChargeClose(actual, expected)) }
        let discharge = InterpolationTable.derivedDischargeCellVoltages(minCellVoltage: 1.9)
        let expectedDischarge = [1.9, 2.0, 2.1]
        #expect(discharge.count == 3)
        for (actual, expected) in zip(discharge, expectedDischarge) { #expect(ownChargeClose(actual, expected)) }
    }
}
