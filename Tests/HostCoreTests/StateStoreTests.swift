import Foundation
import PluginKit
import Testing
@testable import HostCore

@Suite("State store")
struct StateStoreTests {
    static let fixedTime = StateTimestamp(year: 2025, month: 3, day: 7, hour: 4, minute: 5, second: 6)

    /// A fresh directory per test, removed afterwards.
    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func file(_ name: String) -> URL { url.appendingPathComponent(name) }
        func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }
    }

    private func store(_ directory: URL) -> StateStore {
        StateStore(directory: directory.path, clock: { Self.fixedTime })
    }

    @Test func writeIsReadBackAndLeavesOnlyTheTargetFile() throws {
        let scratch = try Scratch()
        let store = store(scratch.url)
        try store.write("charge", "254.011")
        #expect(try store.read("charge") == .text("254.011"))
        #expect(try scratch.names() == ["storedvalue_charge"])
        #expect(try Data(contentsOf: scratch.file("storedvalue_charge")) == Data("254.011".utf8))
        #expect(store.pendingKeys.isEmpty)
    }

    @Test func rewriteReplacesTheWholeFile() throws {
        let scratch = try Scratch()
        let store = store(scratch.url)
        try store.write("charge", "1234.567")
        try store.write("charge", "5.0")
        #expect(try Data(contentsOf: scratch.file("storedvalue_charge")) == Data("5.0".utf8))
        #expect(try scratch.names() == ["storedvalue_charge"])
    }

    @Test func filesOfThePythonProgramAreRead() throws {
        let scratch = try Scratch()
        try Data("254.011".utf8).write(to: scratch.file("storedvalue_charge"))
        try Data("123\n".utf8).write(to: scratch.file("storedvalue_last_balancing"))
        let store = store(scratch.url)
        #expect(try store.read("charge") == .text("254.011"))
        #expect(try store.read("last_balancing") == .text("123\n"))
        #expect(try store.read("never_written") == .absent)
    }

    @Test func invalidBytesOrADirectoryReadAsUnreadable() throws {
        let scratch = try Scratch()
        try Data([0x32, 0xFF, 0xFE]).write(to: scratch.file("storedvalue_charge"))
        try FileManager.default.createDirectory(at: scratch.file("storedvalue_last_balancing"),
                                                withIntermediateDirectories: false)
        let store = store(scratch.url)
        #expect(try store.read("charge") == .unreadable)
        #expect(try store.read("last_balancing") == .unreadable)
    }

    @Test func quarantineMovesTheFileAsideWithTheInjectedTime() throws {
        let scratch = try Scratch()
        try Data("garbage".utf8).write(to: scratch.file("storedvalue_charge"))
        let store = store(scratch.url)
        let first = try store.quarantine("charge", reason: "not a number")
        #expect(first.movedTo == scratch.file("storedvalue_charge.corrupt-20250307-040506").path)
        #expect(first.description.contains("not a number"))
        #expect(try store.read("charge") == .absent)
        #expect(try Data(contentsOf: scratch.file("storedvalue_charge.corrupt-20250307-040506")) == Data("garbage".utf8))

        // A second corrupt file in the same second does not overwrite the first.
        try Data("more garbage".utf8).write(to: scratch.file("storedvalue_charge"))
        let second = try store.quarantine("charge", reason: "again")
        #expect(second.movedTo == scratch.file("storedvalue_charge.corrupt-20250307-040506-2").path)
        #expect(try scratch.names() == ["storedvalue_charge.corrupt-20250307-040506",
                                        "storedvalue_charge.corrupt-20250307-040506-2"])

        let nothing = try store.quarantine("last_balancing", reason: "absent")
        #expect(nothing.movedTo == nil)
    }

    @Test func failedWriteStaysPendingAndIsRetriedOnceTheDirectoryWorks() throws {
        let scratch = try Scratch()
        // Running as root, permissions do not stop writes: make the parent a regular file instead.
        let blocker = scratch.file("blocker")
        try Data("not a directory".utf8).write(to: blocker)
        let stateDirectory = blocker.appendingPathComponent("state")
        let store = store(stateDirectory)

        #expect(throws: StateStoreError.self) { try store.write("charge", "42.000") }
        #expect(store.pendingKeys == ["charge"])
        #expect(try store.read("charge") == .text("42.000"))   // the latest value, though not yet saved
        try store.enqueue("last_balancing", "66")
        try store.enqueue("charge", "43.000")                   // replaces the pending value
        let stillFailing = store.flush()
        #expect(stillFailing.count == 2)
        if case .writeFailed(let key, _, _, let code)? = stillFailing.first {
            #expect(key == "charge")
            #expect(code == ENOTDIR)
        } else {
            Issue.record("expected writeFailed, got \(stillFailing)")
        }
        #expect(store.pendingKeys == ["charge", "last_balancing"])

        // Fix it: the blocker becomes a directory; the store creates its own leaf directory.
        try FileManager.default.removeItem(at: blocker)
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        #expect(store.flush().isEmpty)
        #expect(store.pendingKeys.isEmpty)
        #expect(try Data(contentsOf: stateDirectory.appendingPathComponent("storedvalue_charge")) == Data("43.000".utf8))
        #expect(try Data(contentsOf: stateDirectory.appendingPathComponent("storedvalue_last_balancing")) == Data("66".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: stateDirectory.path).sorted()
                == ["storedvalue_charge", "storedvalue_last_balancing"])
    }

    @Test func quarantineDropsAPendingValue() throws {
        let scratch = try Scratch()
        let store = store(scratch.file("missing-parent/state"))
        try store.enqueue("charge", "bad")
        _ = try store.quarantine("charge", reason: "strategy says so")
        #expect(store.pendingKeys.isEmpty)
        #expect(try store.read("charge") == .absent)
    }

    @Test(arguments: ["", "Charge", "../charge", "a-b", "a b", "charge/x", "ä"])
    func invalidKeysAreRejected(_ key: String) throws {
        let scratch = try Scratch()
        let store = store(scratch.url)
        #expect(throws: StateStoreError.invalidKey(key)) { try store.write(key, "1") }
        #expect(throws: StateStoreError.invalidKey(key)) { try store.read(key) }
        #expect(throws: StateStoreError.invalidKey(key)) { try store.enqueue(key, "1") }
        #expect(throws: StateStoreError.invalidKey(key)) { try store.quarantine(key, reason: "x") }
        #expect(try scratch.names().isEmpty)
    }

    @Test func timestampFormatsForFileNames() {
        #expect(StateTimestamp(year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 58).fileNameStamp
                == "20261231-235958")
        #expect(Self.fixedTime.fileNameStamp == "20250307-040506")
    }
}
