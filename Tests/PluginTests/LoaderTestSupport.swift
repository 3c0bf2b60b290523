// Finding the plugin libraries SwiftPM built, and compiling small C libraries for loader tests.

import Foundation
import Testing

enum LoaderFixtures {
    /// The repository root, from this file's path (Tests/PluginTests/<file>).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The folder with libBMSCombine.so and libOwnSoC.so: the test binary's directory or a parent.
    /// `swift test` builds every product, dynamic libraries included, next to the test binary
    /// (checked with Swift 6.3: `swift build --build-tests` links libOwnSoC.so).
    static func pluginBuildFolder() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("libBMSCombine.so").path),
               FileManager.default.fileExists(atPath: folder.appendingPathComponent("libOwnSoC.so").path) {
                return folder.path
            }
            folder = folder.deletingLastPathComponent()
        }
        throw FixtureError("libBMSCombine.so / libOwnSoC.so not found next to \(executable) or above it; "
            + "run `swift build` (or `swift test`, which builds all products) in \(repositoryRoot) first")
    }

    /// A fresh, empty temporary directory for one test.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dab-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Removes a test's temporary directory (loaded libraries stay mapped; that is fine on Linux).
    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Compiles `source` (or the file at `sourcePath`) with the system `cc` into `<directory>/lib<name>.so`
    /// against the plugin header alone.
    static func compileLibrary(named name: String, source: String? = nil, sourcePath: String? = nil,
                               into directory: String) throws -> String {
        var input = sourcePath ?? ""
        if let source {
            input = "\(directory)/\(name).c"
            try source.write(toFile: input, atomically: true, encoding: .utf8)
        }
        let output = "\(directory)/lib\(name).so"
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-shared", "-fPIC", "-std=c11", "-Wall", "-Werror",
                              "-I", "\(repositoryRoot)/Sources/PluginAPI/include", "-o", output, input]
        let errors = Pipe()
        compiler.standardError = errors
        try compiler.run()
        compiler.waitUntilExit()
        guard compiler.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw FixtureError("cc failed for \(input): \(text)")
        }
        return output
    }

    /// A C library with one charge strategy built from `strategyFields` and a library descriptor
    /// with `abiMajor`; the functions `ok_create`, `ok_tick`, `ok_destroy`, `failing_tick` exist.
    static func cLibrary(abiMajor: String = "DAB_ABI_MAJOR", strategies: [String]) -> String {
        var text = """
        #include <dab_plugin.h>
        #include <string.h>
        __attribute__((unused)) static int32_t ok_create(const dab_host_services *h, void **i, dab_error_buffer e) {
            (void)h; (void)e; *i = (void *)1; return DAB_OK; }
        __attribute__((unused)) static int32_t ok_tick(void *i, const dab_tick_input *in, dab_charge_output *o, dab_error_buffer e) {
            (void)i; (void)in; (void)e; o->charge_voltage_limit_v = 50; return DAB_OK; }
        __attribute__((unused)) static int32_t failing_tick(void *i, const dab_tick_input *in, dab_charge_output *o, dab_error_buffer e) {
            (void)i; (void)in; (void)o; memset(e.text, 'x', e.capacity); return 42; }
        __attribute__((unused)) static void ok_destroy(void *i) { (void)i; }

        """
        var names: [String] = []
        for (index, fields) in strategies.enumerated() {
            text += "static const dab_strategy strategy\(index) = { \(fields) };\n"
            names.append("&strategy\(index)")
        }
        text += """
        static const dab_strategy *const list[] = { \(names.joined(separator: ", ")) };
        static const dab_library library = { sizeof(dab_library), \(abiMajor), 0, "Fixture",
                                             \(strategies.count), list };
        const dab_library *dab_plugin_entry(uint32_t major, const char **refusal) {
            (void)major; (void)refusal; return &library; }
        """
        return text
    }

    /// Fields of a well-formed charge strategy named `name`.
    static func goodStrategy(_ name: String, tick: String = "ok_tick") -> String {
        ".struct_size = sizeof(dab_strategy), .kind = DAB_KIND_CHARGE, .name = \"\(name)\", .version = \"0.1\", "
            + ".description = \"test\", .create = ok_create, .tick_charge = \(tick), .destroy = ok_destroy"
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
