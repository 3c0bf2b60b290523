import Testing
@testable import VeDbus

/// The monitor's value store keeps finite doubles as numbers only; what it gives back and what
/// it reports as changed must be exactly what a store of `DBusValue`s would.
@Suite struct ValueColumnsTests {
    /// Stores and says whether it was a change (`#expect` cannot hold a mutating call).
    private func store(_ columns: inout VeMonitor.ValueColumns, _ value: DBusValue, at index: Int) -> Bool {
        columns.store(value, at: index)
    }

    @Test func doublesAndOtherValuesReadBackAsStored() {
        var columns = VeMonitor.ValueColumns()
        #expect(columns[3] == nil && columns.number(at: 3) == nil)
        #expect(store(&columns, .double(53.2), at: 3))
        #expect(store(&columns, .string("C7"), at: 1))
        #expect(store(&columns, .invalid, at: 0))
        #expect(columns[3] == .double(53.2) && columns.number(at: 3) == 53.2)
        #expect(columns[1] == .string("C7") && columns.number(at: 1) == nil)
        #expect(columns[0]?.isInvalid == true && columns.number(at: 0) == nil)
        #expect(columns[2] == nil)
    }

    @Test func onlyADifferentValueIsAChange() {
        var columns = VeMonitor.ValueColumns()
        #expect(store(&columns, .double(3.301), at: 0))
        #expect(!store(&columns, .double(3.301), at: 0))
        #expect(store(&columns, .double(3.302), at: 0))
        // The same number as another type is a different value, and back again.
        #expect(store(&columns, .int32(3), at: 1))
        #expect(!store(&columns, .int32(3), at: 1))
        #expect(store(&columns, .double(3), at: 1))
        #expect(columns[1] == .double(3))
        #expect(store(&columns, .int32(3), at: 1))
        #expect(columns[1] == .int32(3) && columns.number(at: 1) == 3)
        // Invalid after a number, and a number after invalid.
        #expect(store(&columns, .invalid, at: 0))
        #expect(columns.number(at: 0) == nil)
        #expect(store(&columns, .double(3.302), at: 0))
        #expect(columns[0] == .double(3.302))
    }

    @Test func aNonFiniteDoubleIsKeptAsAValueNotANumber() {
        var columns = VeMonitor.ValueColumns()
        #expect(store(&columns, .double(.infinity), at: 0))
        #expect(!store(&columns, .double(.infinity), at: 0))
        #expect(columns[0] == .double(.infinity) && columns.number(at: 0) == nil)
    }
}
