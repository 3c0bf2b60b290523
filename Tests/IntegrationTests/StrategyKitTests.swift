import BusTestSupport
import BusTools
import Foundation
import HostCore
import PluginKit
import Simulator
import Testing
import VeDbus

/// The strategy developer kit on the shipped executable: a trace the daemon writes replays to
/// what it published; replay compares two choices into replay.csv and replay.svg; record reads a
/// running system; plugin-check passes our plugins and the C examples and reports a broken
/// library without crashing.
@Suite(.serialized) struct StrategyKitTests {
    static var executable: String { get throws { try DaemonHarness.pluginFolder() + "/dbus-aggregate-batteries" } }
    static let defaultConfig = DaemonHarness.repositoryRoot + "/config.default.ini"

    /// The shipped executable with `arguments`, to its end.
    static func shipped(_ arguments: [String], in folder: String? = nil) throws -> ShippedCommand.Result {
        try ShippedCommand.run(arguments, in: folder)
    }

    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dab-kit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// replay.csv as rows of named fields (no field of ours holds a quoted comma but the reason, last but four).
    static func csvRows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let names = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if fields.count > names.count, let quote = fields.firstIndex(where: { $0.hasPrefix("\"") }) {
                // Join the quoted reason back together.
                let extra = fields.count - names.count
                fields[quote] = fields[quote...(quote + extra)].joined(separator: ",")
                fields.removeSubrange((quote + 1)...(quote + extra))
            }
            var row: [String: String] = [:]
            for (name, field) in zip(names, fields) { row[name] = field }
            return row
        }
    }

    static func close(_ a: String?, _ b: String?, tolerance: Double) -> Bool {
        switch (a.flatMap(Double.init), b.flatMap(Double.init)) {
        case (nil, nil): return (a ?? "") == (b ?? "")
        case (let x?, let y?): return abs(x - y) <= tolerance
        default: return false
        }
    }

    /// The daemon writes its trace (TRACE_FILE) while a peaking cell is charged to full; the
    /// shipped replay, with the same strategies, publishes what the daemon published, tick by tick.
    @Test func theDaemonsTraceReplaysToWhatItPublished() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = folder + "/trace.jsonl"
        var simulation = SimulationConfig()
        simulation.measurementNoise = true
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "True", "OWN_SOC": "True", "TRACE_FILE": trace],
                                        simulation: simulation, scenario: .chargeToFullWithPeakingCell)
        harness.run(seconds: 90)
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 80)
        let header = try TraceCoding.header(from: String(lines[0])).get()
        #expect(header.source == "daemon" && header.chargeStrategy == "OwnCharge" && header.socStrategy == "OwnSoC")
        #expect(header.config.contains { $0.key == "OWN_SOC" && $0.value == "True" })

        let out = folder + "/replay"
        let replay = try Self.shipped(["replay", "--trace", trace, "--out", out, "--plugin-dir", try DaemonHarness.pluginFolder(),
                                       "--default-config", Self.defaultConfig])
        #expect(replay.status == 0, "\(replay.output)\n\(replay.errors)")
        #expect(replay.output.contains("\(lines.count - 1) ticks"), "\(replay.output)")
        let rows = try Self.csvRows(out + "/replay.csv")
        #expect(rows.count == lines.count - 1)
        var compared = 0
        for row in rows where row["recorded_cvl_v"] != "" {
            compared += 1
            #expect(Self.close(row["cvl_v"], row["recorded_cvl_v"], tolerance: 1e-6), "\(row)")
            #expect(Self.close(row["ccl_a"], row["recorded_ccl_a"], tolerance: 1e-6), "\(row)")
            #expect(Self.close(row["dcl_a"], row["recorded_dcl_a"], tolerance: 1e-6), "\(row)")
            // The counter integrates currents the trace holds to a microamp.
            #expect(Self.close(row["soc_percent"], row["recorded_soc_percent"], tolerance: 1e-3), "\(row)")
        }
        #expect(compared >= 80)
        let svg = try String(contentsOfFile: out + "/replay.svg", encoding: .utf8)
        #expect(svg.contains("OwnCharge + OwnSoC") && svg.contains("as recorded"))
    }

    /// Two strategy choices over one trace: a CSV each, both on the plot; the choice that combines
    /// the BMS limits gives what the BMSes allow, the own algorithm its own CVL.
    @Test func replayComparesTwoStrategyChoices() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = DaemonHarness.repositoryRoot + "/Examples/traces/charge-to-full-peaking-cell.jsonl"
        let out = folder + "/compare"
        let replay = try Self.shipped(["replay", "--trace", trace, "--out", out, "--plugin-dir", try DaemonHarness.pluginFolder(),
                                       "--default-config", Self.defaultConfig, "--charge-strategy", "OwnCharge",
                                       "--soc-strategy", "OwnSoC", "--compare", "BMSCombine/BMSAverage"])
        #expect(replay.status == 0, "\(replay.output)\n\(replay.errors)")
        let own = try Self.csvRows(out + "/replay.csv")
        let combined = try Self.csvRows(out + "/replay-compare.csv")
        #expect(own.count == combined.count && own.count > 100)
        // BMSCombine's CVL is the BMSes' (55.2 V for 16 cells); OwnCharge's follows its month table.
        #expect(combined.allSatisfy { $0["cvl_v"] == "55.2" }, "\(combined.prefix(2))")
        #expect(own.contains { $0["cvl_v"] != "55.2" })
        #expect(combined.allSatisfy { ($0["limit_reason"] ?? "").contains("lowest BMS CVL") })
        let svg = try String(contentsOfFile: out + "/replay.svg", encoding: .utf8)
        #expect(svg.contains("OwnCharge + OwnSoC") && svg.contains("BMSCombine + BMSAverage"))
        #expect(FileManager.default.fileExists(atPath: out + "/state-1"))
    }

    /// Every example trace replays with our strategies; those the daemon wrote replay to what it published.
    @Test func theExampleTracesReplay() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let examples = DaemonHarness.repositoryRoot + "/Examples/traces"
        let names = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".jsonl") }.sorted()
        #expect(names.count >= 4, "\(names)")
        for name in names {
            let out = folder + "/" + name
            let replay = try Self.shipped(["replay", "--trace", examples + "/" + name, "--out", out,
                                           "--plugin-dir", try DaemonHarness.pluginFolder(), "--default-config", Self.defaultConfig])
            #expect(replay.status == 0, "\(name): \(replay.output)\n\(replay.errors)")
            let rows = try Self.csvRows(out + "/replay.csv")
            #expect(rows.count > 100, "\(name)")
            let mismatched = rows.filter { row in
                !Self.close(row["cvl_v"], row["recorded_cvl_v"], tolerance: 1e-6)
                    || !Self.close(row["ccl_a"], row["recorded_ccl_a"], tolerance: 1e-6)
                    || !Self.close(row["dcl_a"], row["recorded_dcl_a"], tolerance: 1e-6)
            }
            #expect(mismatched.isEmpty, "\(name): \(mismatched.count) ticks differ, first \(mismatched.first ?? [:])")
        }
    }

    @Test func aBadTraceIsRefusedNamingItsLine() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try String(contentsOfFile: DaemonHarness.repositoryRoot + "/Examples/traces/pack-outage.jsonl", encoding: .utf8)
        var lines = source.split(separator: "\n").map(String.init)
        lines[2] = String(lines[2].dropLast(5))
        try lines.joined(separator: "\n").write(toFile: folder + "/cut.jsonl", atomically: true, encoding: .utf8)
        let replay = try Self.shipped(["replay", "--trace", folder + "/cut.jsonl", "--out", folder + "/out",
                                       "--plugin-dir", try DaemonHarness.pluginFolder(), "--default-config", Self.defaultConfig])
        #expect(replay.status == 1)
        #expect(replay.errors.contains("line 3"), "\(replay.errors)")
        try "not json\n".write(toFile: folder + "/junk.jsonl", atomically: true, encoding: .utf8)
        let junk = try Self.shipped(["replay", "--trace", folder + "/junk.jsonl", "--out", folder + "/out2"])
        #expect(junk.status == 1 && junk.errors.contains("line 1"), "\(junk.errors)")
    }

    /// `record` beside the running daemon: each tick what the strategies would get and what the
    /// aggregate published, read over the bus; it writes no state.
    @Test func recordWritesWhatTheRunningAggregatePublished() throws {
        let daemon = try ShippedDaemon(configLines: ["[DEFAULT]", "NR_OF_BATTERIES = 2", "NR_OF_CELLS_PER_BATTERY = 16",
                                                     "OWN_CHARGE_PARAMETERS = True", "OWN_SOC = True", "LOG_PERIOD = 0"])
        let reader = try daemon.aggregateReader()
        #expect(daemon.serve(until: { reader.value(AggregateService.serviceName, "/Info/MaxChargeVoltage")?.number != nil },
                             timeout: 20))
        let trace = daemon.folder + "/recorded.jsonl"
        let recordLog = daemon.folder + "/record.log"
        FileManager.default.createFile(atPath: recordLog, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: recordLog))
        let statesBefore = try FileManager.default.contentsOfDirectory(atPath: daemon.folder).filter { $0.hasPrefix("storedvalue_") }
        let recorder = try ChildProcess(path: try Self.executable, arguments: [
            "record", "--bus", daemon.fixture.bus.address, "--seconds", "4", "--out", trace,
            "--config", daemon.folder + "/config.ini", "--default-config", Self.defaultConfig,
            "--state-dir", daemon.folder + "/record-state", "--plugin-dir", try DaemonHarness.pluginFolder()],
            stderrFD: logHandle.fileDescriptor)
        _ = daemon.serve(until: { !recorder.isRunning }, timeout: 15)
        #expect(recorder.waitForExit() == 0, "\((try? String(contentsOfFile: recordLog, encoding: .utf8)) ?? "")")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = try TraceCoding.header(from: lines[0]).get()
        #expect(header.source == "record" && header.chargeStrategy == "OwnCharge")
        #expect(lines.count >= 4, "\(lines.count) lines")
        let published = reader.value(AggregateService.serviceName, "/Info/MaxChargeVoltage")?.number
        for (index, line) in lines.dropFirst().enumerated() {
            let tick = try TraceCoding.tick(from: line, line: index + 2).get()
            #expect(tick.context.batteries.count == 2 && tick.context.batteriesOnline == 2)
            #expect(tick.context.batteries.allSatisfy { $0.cellVoltages.count == 16 })
            #expect(tick.published?.chargeVoltageLimit == published, "\(String(describing: tick.published))")
            #expect(tick.charge == nil && tick.soc == nil)
        }
        // Nothing written to the daemon's state folder, nor a folder of its own.
        let statesAfter = try FileManager.default.contentsOfDirectory(atPath: daemon.folder).filter { $0.hasPrefix("storedvalue_") }
        #expect(Set(statesAfter) == Set(statesBefore))
        #expect(!FileManager.default.fileExists(atPath: daemon.folder + "/record-state"))
    }

    /// README's first two commands: the demo records a trace beside its daemon, and the trace
    /// replays with two strategy choices into a plot.
    @Test func theDemoRecordsATraceThatReplaysWithTwoChoices() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = folder + "/demo-trace.jsonl"
        let demo = try Self.shipped(["demo", "--seconds", "8", "--speed", "10", "--plain", "--record", trace], in: folder)
        #expect(demo.status == 0, "\(demo.output)\n\(demo.errors)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count >= 5, "\(lines.count) lines")
        let header = try TraceCoding.header(from: lines[0]).get()
        #expect(header.source == "record" && header.chargeStrategy == "OwnCharge" && header.socStrategy == "OwnSoC")
        // Battery time: ten seconds a tick at --speed 10, in `t` as in `dt`.
        let ticks = try lines.dropFirst().enumerated().map { try TraceCoding.tick(from: $1, line: $0 + 2).get() }
        let lastTwo = ticks.suffix(2).map(\.timeSeconds)
        #expect(lastTwo.count == 2 && abs(lastTwo[1] - lastTwo[0] - 10) < 3, "\(lastTwo)")
        #expect(ticks.contains { $0.published?.chargeVoltageLimit != nil })
        let out = folder + "/replay"
        let replay = try Self.shipped(["replay", "--trace", trace, "--out", out, "--compare", "BMSCombine/BMSAverage"],
                                      in: folder)
        #expect(replay.status == 0, "\(replay.output)\n\(replay.errors)")
        let svg = try String(contentsOfFile: out + "/replay.svg", encoding: .utf8)
        #expect(svg.contains("OwnCharge + OwnSoC") && svg.contains("BMSCombine + BMSAverage"))
        #expect(try Self.csvRows(out + "/replay-compare.csv").count == ticks.count)
    }

    // MARK: plugin-check

    @Test func pluginCheckPassesOurPlugins() throws {
        let build = try DaemonHarness.pluginFolder()
        for library in ["libOwnCharge.so", "libBMSCombine.so", "libOwnSoC.so"] {
            let check = try Self.shipped(["plugin-check", build + "/" + library, "--default-config", Self.defaultConfig])
            #expect(check.status == 0, "\(library):\n\(check.output)\n\(check.errors)")
            #expect(check.output.contains("passed: no problems, 0 warning(s)"), "\(check.output)")
            #expect(check.output.contains("time per tick: median"), "\(check.output)")
        }
    }

    /// The C examples build with their Makefiles and pass `make check` (plugin-check).
    @Test func theCExamplesPassPluginCheck() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for example in ["FixedLimits", "CoulombSoC"] {
            // A copy, so the checkout stays clean.
            let copy = folder + "/" + example
            try FileManager.default.copyItem(atPath: DaemonHarness.repositoryRoot + "/Examples/" + example, toPath: copy)
            let make = Process()
            make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            make.arguments = ["make", "-C", copy, "check", "DAB=\(try Self.executable)",
                              "DAB_INCLUDE=\(DaemonHarness.repositoryRoot)/Sources/PluginAPI/include"]
            let output = Pipe()
            make.standardOutput = output
            make.standardError = output
            make.currentDirectoryURL = URL(fileURLWithPath: DaemonHarness.repositoryRoot)
            try make.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            make.waitUntilExit()
            #expect(make.terminationStatus == 0, "\(example):\n\(text)")
            #expect(text.contains("passed: no problems"), "\(example):\n\(text)")
        }
    }

    /// A library that crashes, hangs and returns garbage: plugin-check reports each, survives, exits 1.
    @Test func pluginCheckReportsABrokenLibraryWithoutCrashing() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let library = try compile(DaemonHarness.repositoryRoot + "/Tests/Fixtures/plugins/broken_strategy.c", named: "Broken",
                                  into: folder)
        let check = try Self.shipped(["plugin-check", library, "--default-config", Self.defaultConfig, "--timeout", "3"])
        #expect(check.status == 1, "\(check.output)\n\(check.errors)")
        for expected in ["no battery online: crashed with signal 11", "time step 0 s: no answer within 3 s",
                         "NaN inputs (every value unknown): CVL NaN", "64 batteries: CCL negative",
                         "CCL implausible", "SoC impossible: tick 1 gave 150.00 %", "state \"broken_soc\" written on",
                         "FAILED:"] {
            #expect(check.output.contains(expected), "missing \(expected):\n\(check.output)")
        }
        // Every case of both strategies is reported: the crash and the hang stopped nothing.
        #expect(check.output.components(separatedBy: "1000 ticks of a slow charge").count - 1 >= 2, "\(check.output)")
    }

    /// A file that is no plugin, and a library whose initialiser crashes: exit 2, reported.
    @Test func pluginCheckRefusesWhatItCannotLoad() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "not a library".write(toFile: folder + "/libNothing.so", atomically: true, encoding: .utf8)
        let nothing = try Self.shipped(["plugin-check", folder + "/libNothing.so", "--default-config", Self.defaultConfig])
        #expect(nothing.status == 2 && nothing.output.contains("cannot be loaded"), "\(nothing.output)")
        let source = """
            #include <dab_plugin.h>
            #include <stdlib.h>
            __attribute__((constructor)) static void crash_on_load(void) { abort(); }
            __attribute__((visibility("default"))) const dab_library *dab_plugin_entry(uint32_t major, const char **why) {
                (void)major; (void)why; return NULL;
            }
            """
        try source.write(toFile: folder + "/crash.c", atomically: true, encoding: .utf8)
        let crashing = try compile(folder + "/crash.c", named: "Crash", into: folder)
        let check = try Self.shipped(["plugin-check", crashing, "--default-config", Self.defaultConfig])
        #expect(check.status == 2, "\(check.output)\n\(check.errors)")
        #expect(check.output.contains("crashed with signal 6"), "\(check.output)")
    }

    private func compile(_ source: String, named name: String, into folder: String) throws -> String {
        let output = folder + "/lib\(name).so"
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-shared", "-fPIC", "-O2", "-I", DaemonHarness.repositoryRoot + "/Sources/PluginAPI/include",
                              "-o", output, source]
        try compiler.run()
        compiler.waitUntilExit()
        #expect(compiler.terminationStatus == 0)
        return output
    }
}
