import Testing
import VeDbus
@testable import HostCore

@Suite("Readings no pack can produce")
struct PackPlausibilityTests {
    static let cells: [Double?] = Array(repeating: 3.3, count: 16)

    @Test(arguments: [
        // (pack voltage, cell 3, current, refused?)
        (52.8, 3.3, DBusValue.double(-5), false),
        (52.0, 3.3, DBusValue.int32(-5), false),        // 0.8 V off the cells' sum: within tolerance
        (-13, 3.3, DBusValue.double(0), true),          // negative: the -13 V int64 of the defect
        (0, 3.3, DBusValue.double(0), true),
        (40.0, 3.3, DBusValue.double(0), true),         // far from the cells' sum
        (52.8, 7.2, DBusValue.double(0), true),         // a cell outside 0...5 V
        (52.8, -0.1, DBusValue.double(0), true),
        (52.8, 3.3, DBusValue.byte(200), true),         // a current as an unsigned byte: a sender's bug
        (52.8, 3.3, DBusValue.variant(.uint32(4)), true),
    ])
    func ownReadings(voltage: Double, cell: Double, current: DBusValue, refused: Bool) {
        var cells = Self.cells
        cells[2] = cell
        let sum = cells.compactMap { $0 }.reduce(0, +)
        let problem = PackPlausibility.problem(voltage: voltage, voltagesSum: sum, cells: cells, minCell: nil,
                                               maxCell: nil, current: current)
        #expect((problem != nil) == refused, "\(problem ?? "accepted")")
    }

    @Test func outliersAmongThreeOrMorePacksAreFoundByAClearMajority() {
        #expect(PackPlausibility.outliers([52.8, 52.9]).isEmpty, "two packs: nobody to tell which is wrong")
        #expect(PackPlausibility.outliers([52.8, 52.9, 53.0]).isEmpty)
        let one = PackPlausibility.outliers([52.8, 0.1, 53.0, 52.9])
        #expect(one.map(\.index) == [1])
        #expect(one.first.map { abs($0.median - 52.85) < 1e-9 } == true)
        // Every outlier, not only the first.
        #expect(PackPlausibility.outliers([52.8, 0.1, 53.0, 52.9, 70]).map(\.index) == [1, 4])
        // Half far off: no majority to trust, nothing is marked.
        #expect(PackPlausibility.outliers([52.8, 0.1, 53.0, 0.2]).isEmpty)
    }

    @Test func aHugeUnsignedCurrentIsRefusedWithoutATrap() {
        let problem = PackPlausibility.problem(voltage: 52.8, voltagesSum: nil, cells: [], minCell: nil, maxCell: nil,
                                               current: .uint64(UInt64.max))
        #expect(problem?.contains("unsigned t") == true)
    }
}
