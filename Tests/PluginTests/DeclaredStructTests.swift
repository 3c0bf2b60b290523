import Foundation
import PluginAPI
import Testing
@testable import HostCore

/// The loader reads a plugin's descriptor no further than the size the plugin declared: a
/// descriptor that ends just before an unmapped page is read without a fault, and the fields it
/// does not have read as zero (not given).
@Suite struct DeclaredStructTests {
    /// Two pages, the second inaccessible; returns the first page's end and a way to free both.
    static func guardedPage() throws -> (end: UnsafeMutableRawPointer, free: () -> Void) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let base = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else { throw CocoaError(.featureUnsupported) }
        #expect(mprotect(base + page, page, PROT_NONE) == 0)
        return (base + page, { munmap(base, 2 * page) })
    }

    @Test func aShortDescriptorBeforeAnUnmappedPageIsReadWithoutAFault() throws {
        let (end, free) = try Self.guardedPage()
        defer { free() }
        // A library built when dab_library ended after `library_name`: 24 bytes on LP64.
        let declared = MemoryLayout<dab_library>.offset(of: \dab_library.strategy_count)!
        let start = end - declared
        start.initializeMemory(as: UInt8.self, repeating: 0xAB, count: declared)
        start.storeBytes(of: UInt32(declared), as: UInt32.self)
        start.storeBytes(of: UInt32(DAB_ABI_MAJOR), toByteOffset: MemoryLayout<dab_library>.offset(of: \dab_library.abi_major)!,
                         as: UInt32.self)
        let (value, size) = DeclaredStruct.read(UnsafeRawPointer(start), empty: dab_library())
        #expect(size == declared)
        #expect(value.abi_major == DAB_ABI_MAJOR)
        // Beyond the declared bytes: zero, never the page after.
        #expect(value.strategy_count == 0)
        #expect(value.strategies == nil)
    }

    @Test func aDescriptorLargerThanTheHostsIsReadUpToTheHostsSize() throws {
        let (end, free) = try Self.guardedPage()
        defer { free() }
        let size = MemoryLayout<dab_strategy>.size
        let start = end - size
        start.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        // A newer minor version declares more: the host reads what it knows, and nothing past the page.
        start.storeBytes(of: UInt32(size + 64), as: UInt32.self)
        start.storeBytes(of: Int32(2), toByteOffset: MemoryLayout<dab_strategy>.offset(of: \dab_strategy.kind)!, as: Int32.self)
        let (value, declared) = DeclaredStruct.read(UnsafeRawPointer(start), empty: dab_strategy())
        #expect(declared == size + 64)
        #expect(value.kind == 2)
    }
}
