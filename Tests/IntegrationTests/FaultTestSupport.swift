import BusTestSupport
import Foundation
import HostCore
import PluginKit
import Testing
import VeDbus

/// Keeps every log line the daemon writes, so tests can check that a fault was reported, and
/// reported once rather than every second.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(level: LogLevel, text: String)] = []

    var lines: [(level: LogLevel, text: String)] { lock.withLock { stored } }

    func append(_ level: LogLevel, _ text: String) { lock.withLock { stored.append((level, text)) } }

    /// Lines at `level` or more severe that contain `fragment` (LogLevel counts from .error = 0).
    func count(containing fragment: String, atLeast level: LogLevel = .info) -> Int {
        lines.filter { $0.level.rawValue <= level.rawValue && $0.text.contains(fragment) }.count
    }

    var text: String { lines.map { "[\(DaemonLogger.name(of: $0.level))] \($0.text)" }.joined(separator: "\n") }

    /// A logger that writes here at `level` and more severe.
    func logger(level: LogLevel = .debug) -> DaemonLogger {
        DaemonLogger(level: level) { lineLevel, text in self.append(lineLevel, text) }
    }
}

/// An observer we did not write: `dbus-monitor` records every NameOwnerChanged of the aggregate
/// service's name, so a test can prove the service never left the bus while faults came and went.
final class AggregateNameWatcher {
    private let monitor: BackgroundMonitor
    private let fixture: BusFixture

    /// One NameOwnerChanged of the watched name.
    struct OwnerChange: Equatable {
        var oldOwner: String
        var newOwner: String
    }

    /// Starts watching and waits until dbus-monitor is listening (it reports its own name first).
    init(fixture: BusFixture, name: String = AggregateService.serviceName) throws {
        self.fixture = fixture
        monitor = try ExternalTool.startMonitor(
            address: fixture.bus.address,
            rule: "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(name)'",
            loop: fixture.loop)
        let monitor = self.monitor
        let listening = fixture.spin(until: { monitor.output.contains("NameLost") || monitor.output.contains("NameAcquired") },
                                     realSeconds: 10)
        guard listening else { throw DaemonHarness.HarnessError("dbus-monitor did not start: \(monitor.output)") }
        // The NameAcquired/NameLost pair arrives together; give the second one a moment.
        fixture.loop.runOnce(maxWait: 0.05)
    }

    deinit { monitor.stop() }

    /// The changes seen so far, in order.
    var changes: [OwnerChange] {
        let lines = monitor.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [OwnerChange] = []
        var index = 0
        while index < lines.count {
            if lines[index].hasPrefix("signal"), lines[index].contains("member=NameOwnerChanged"), index + 3 < lines.count {
                let strings = lines[(index + 1)...(index + 3)].map(Self.quoted)
                if strings[0] == AggregateService.serviceName {
                    result.append(OwnerChange(oldOwner: strings[1], newOwner: strings[2]))
                }
                index += 4
            } else {
                index += 1
            }
        }
        return result
    }

    /// Lets the monitor's output catch up, then checks: registered exactly once, never released.
    func expectRegisteredOnceAndNeverDropped(sourceLocation: SourceLocation = #_sourceLocation) {
        fixture.spin(until: { !self.changes.isEmpty }, realSeconds: 5)
        for _ in 0..<5 { fixture.loop.runOnce(maxWait: 0.02) }
        let seen = changes
        #expect(seen.filter { $0.newOwner.isEmpty }.isEmpty, "the aggregate service left the bus: \(seen)",
                sourceLocation: sourceLocation)
        #expect(seen.filter { $0.oldOwner.isEmpty && !$0.newOwner.isEmpty }.count == 1,
                "expected exactly one registration: \(seen)", sourceLocation: sourceLocation)
    }

    /// `   string "text"` -> `text`.
    private static func quoted(_ line: String) -> String {
        guard let first = line.firstIndex(of: "\""), let last = line.lastIndex(of: "\""), first < last else { return "" }
        return String(line[line.index(after: first)..<last])
    }
}

/// A plugin folder for one test: the built strategy libraries plus a C library of faulty
/// charge strategies compiled here from the plugin header alone, as a third party would.
enum FaultyPlugins {
    /// Ticks 1...faultFrom behave, ticks faultFrom+1...faultUntil misbehave, later ticks behave again.
    static let faultFrom = 4
    static let faultUntil = 9
    /// What the well-behaved ticks publish.
    static let chargeVoltageLimit = 55.2
    static let chargeCurrentLimit = 50.0
    static let dischargeCurrentLimit = 60.0

    /// Strategy names and how each misbehaves.
    enum Fault: String, CaseIterable {
        case FaultTickError, FaultNaN, FaultCvlOutOfRange, FaultNegativeDcl, FaultCreate
    }

    static let source = """
    #include <dab_plugin.h>
    #include <stdio.h>
    #include <stdlib.h>

    typedef struct { int ticks; int mode; } fault_instance;

    static int32_t make(int mode, void **instance) {
        fault_instance *made = calloc(1, sizeof *made);
        if (!made) return DAB_ERR_INTERNAL;
        made->mode = mode;
        *instance = made;
        return DAB_OK;
    }
    static int32_t create_error(const dab_host_services *h, void **i, dab_error_buffer e) { (void)h; (void)e; return make(0, i); }
    static int32_t create_nan(const dab_host_services *h, void **i, dab_error_buffer e) { (void)h; (void)e; return make(1, i); }
    static int32_t create_range(const dab_host_services *h, void **i, dab_error_buffer e) { (void)h; (void)e; return make(2, i); }
    static int32_t create_negative(const dab_host_services *h, void **i, dab_error_buffer e) { (void)h; (void)e; return make(3, i); }
    static int32_t create_refuses(const dab_host_services *h, void **i, dab_error_buffer e) {
        (void)h; (void)i; snprintf(e.text, e.capacity, "simulated create failure"); return DAB_ERR_INTERNAL; }

    static int32_t tick(void *i, const dab_tick_input *in, dab_charge_output *o, dab_error_buffer e) {
        (void)in;
        fault_instance *f = i;
        f->ticks++;
        o->charge_voltage_limit_v = \(chargeVoltageLimit);
        o->charge_current_limit_a = \(chargeCurrentLimit);
        o->discharge_current_limit_a = \(dischargeCurrentLimit);
        snprintf(o->limit_reason, sizeof o->limit_reason, "fault fixture");
        if (f->ticks > \(faultFrom) && f->ticks <= \(faultUntil)) {
            switch (f->mode) {
            case 0: snprintf(e.text, e.capacity, "simulated tick failure"); return DAB_ERR_INTERNAL;
            case 1: o->charge_current_limit_a = DAB_UNKNOWN; break;
            case 2: o->charge_voltage_limit_v = 1000; break;
            default: o->discharge_current_limit_a = -20; break;
            }
        }
        return DAB_OK;
    }
    static void destroy(void *i) { free(i); }

    #define STRATEGY(var, nm, cr) static const dab_strategy var = { .struct_size = sizeof(dab_strategy), \\
        .kind = DAB_KIND_CHARGE, .name = nm, .version = "0.1", .description = "faulty on purpose", \\
        .create = cr, .tick_charge = tick, .destroy = destroy };
    STRATEGY(s0, "FaultTickError", create_error)
    STRATEGY(s1, "FaultNaN", create_nan)
    STRATEGY(s2, "FaultCvlOutOfRange", create_range)
    STRATEGY(s3, "FaultNegativeDcl", create_negative)
    STRATEGY(s4, "FaultCreate", create_refuses)
    static const dab_strategy *const list[] = { &s0, &s1, &s2, &s3, &s4 };
    static const dab_library library = { sizeof(dab_library), DAB_ABI_MAJOR, 0, "FaultFixture", 5, list };
    const dab_library *dab_plugin_entry(uint32_t major, const char **refusal) {
        (void)major; (void)refusal; return &library; }
    """

    /// A new folder with the built libraries linked in and libFaultFixture.so compiled.
    static func makeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dab-plugins-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let built = try DaemonHarness.pluginFolder()
        for library in ["libBMSCombine.so", "libOwnSoC.so", "libOwnCharge.so"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + library, withDestinationPath: built + "/" + library)
        }
        let input = folder + "/fault_fixture.c"
        try source.write(toFile: input, atomically: true, encoding: .utf8)
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-shared", "-fPIC", "-std=c11", "-Wall", "-Werror",
                              "-I", DaemonHarness.repositoryRoot + "/Sources/PluginAPI/include",
                              "-o", folder + "/libFaultFixture.so", input]
        let errors = Pipe()
        compiler.standardError = errors
        try compiler.run()
        compiler.waitUntilExit()
        guard compiler.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw DaemonHarness.HarnessError("cc failed: \(text)")
        }
        try? FileManager.default.removeItem(atPath: input)
        // One library, five strategies: each further strategy name is a link to it, as
        // config.default.ini tells third-party authors (the daemon opens only lib<Strategy>.so).
        for fault in Fault.allCases {
            try FileManager.default.createSymbolicLink(atPath: folder + "/lib\(fault.rawValue).so", withDestinationPath: "libFaultFixture.so")
        }
        return folder
    }
}
