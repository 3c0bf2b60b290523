import Foundation
import PluginKit
import Testing
@testable import HostCore

/// The trace file stays bounded: it rotates to FILE.1 with the header again, keeps the last run's
/// file, and reports a write it cannot make instead of stopping.
@Suite struct TraceWriterTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dab-trace-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let header = TraceHeader(source: "daemon", program: "test", chargeStrategy: "OwnCharge", socStrategy: "OwnSoC")

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func theFileRotatesAtItsMaximumWithTheHeaderAgain() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/trace.jsonl"
        let writer = TraceWriter(path: path, maximumBytes: TraceWriter.minimumBytes, header: Self.header)
        let line = TraceCoding.line(TraceCodingTests.sampleTick())
        let perFile = TraceWriter.minimumBytes / (line.utf8.count + 1)
        for _ in 0..<(perFile * 2 + 5) { #expect(writer.append(line) == nil) }
        writer.close()
        #expect(writer.rotations == 2)
        let current = try Self.lines(path)
        let older = try Self.lines(path + ".1")
        for file in [current, older] {
            #expect(try TraceCoding.header(from: file[0]).get() == Self.header)
            #expect(try TraceCoding.tick(from: file[1], line: 2).get() == TraceCodingTests.sampleTick())
        }
        for name in [path, path + ".1"] {
            let size = try #require(FileManager.default.attributesOfItem(atPath: name)[.size] as? Int)
            #expect(size <= TraceWriter.minimumBytes)
        }
        #expect(writer.linesWritten == perFile * 2 + 5)
    }

    @Test func theLastRunsTraceIsKeptAsDotOne() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/trace.jsonl"
        try "last run\n".write(toFile: path, atomically: true, encoding: .utf8)
        let writer = TraceWriter(path: path, maximumBytes: 1_000_000, header: Self.header)
        #expect(writer.append("{}") == nil)
        writer.close()
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == "last run\n")
        #expect(try Self.lines(path).count == 2)
    }

    @Test func aFileThatCannotBeWrittenIsReportedEveryTry() throws {
        let writer = TraceWriter(path: "/nonexistent-folder-\(UUID().uuidString)/trace.jsonl", maximumBytes: 1_000_000,
                                 header: Self.header)
        let first = try #require(writer.append("{}"))
        #expect(first.contains("open failed"))
        #expect(writer.append("{}") != nil)
        #expect(writer.linesWritten == 0)
    }

    /// The reader gives back every line, across its 256 KiB chunks, with the line numbers.
    @Test func theReaderReadsLinesAcrossChunks() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/lines"
        let lines = (0..<5000).map { "line \($0) " + String(repeating: "x", count: $0 % 300) }
        try (lines.joined(separator: "\n") + "\n\n").write(toFile: path, atomically: true, encoding: .utf8)
        let reader = try TraceFileReader.open(path).get()
        var read: [String] = []
        while let next = reader.nextLine() { read.append(try next.get()) }
        #expect(read == lines)
        // The blank line at the end is counted (line numbers stay true to the file), not returned.
        #expect(reader.lineNumber == 5001)
    }
}
