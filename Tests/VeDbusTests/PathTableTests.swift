import Testing
@testable import VeDbus

/// The monitor's path table finds a signal's path from its bytes; it must give exactly the
/// index that interning the path as a String gives, for every length its word-wise hash and
/// compare treat differently, and after the table grows.
@Suite struct PathTableTests {
    private func index(_ table: VeMonitor.PathTable, bytesOf path: String) -> Int {
        var path = path
        return path.withUTF8 { table.intern(bytes: UnsafeRawBufferPointer($0), lookup: &table.lookup) }
    }

    /// Paths of every length from 0 to 40, some differing only in their last or first byte,
    /// some only in a middle word: 300 of them, so the table grows twice.
    private func paths() -> [String] {
        var paths: [String] = ["", "/", "/A", "/Soc", "/Dc/0/V", "/Dc/0/Vo", "/Dc/0/Vol", "/System/MinVoltageCellId",
                               "/System/MaxVoltageCellId", "/Alarms/HighVoltage", "/Alarms/LowVoltage"]
        for cell in 1...260 { paths.append("/Voltages/Cell\(cell)") }
        for length in 1...40 { paths.append("/" + String(repeating: "x", count: length - 1)) }
        return paths
    }

    @Test func bytesFindTheIndexTheStringGot() {
        let table = VeMonitor.PathTable()
        let all = paths()
        let byString = all.map { table.intern($0) }
        #expect(Set(byString).count == Set(all).count)
        for (path, expected) in zip(all, byString) {
            #expect(index(table, bytesOf: path) == expected, "path \(path)")
        }
        #expect(table.names.count == Set(all).count)
        // Looking a path up by its String adds nothing.
        #expect(all.allSatisfy { table.index(of: $0) == byString[all.firstIndex(of: $0)!] })
        #expect(table.index(of: "/Never/Interned") == nil && table.names.count == Set(all).count)
    }

    @Test func bytesSeenFirstAreInternedOnceAndNamed() {
        let table = VeMonitor.PathTable()
        let all = paths()
        let byBytes = all.map { index(table, bytesOf: $0) }
        for (path, expected) in zip(all, byBytes) {
            #expect(table.intern(path) == expected && table.names[expected] == path, "path \(path)")
            #expect(index(table, bytesOf: path) == expected)
        }
        // A prefix or an extension of a known path is another path.
        #expect(index(table, bytesOf: "/Voltages/Cell2") != index(table, bytesOf: "/Voltages/Cell26"))
    }
}
