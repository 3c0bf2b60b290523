import Foundation
import Testing

/// The strategy plugins are Embedded Swift: they must load into a daemon that carries its own
/// Swift runtime (linked statically) without bringing a second one, so they may need nothing but
/// libc and libm. Checked with binutils on the built libraries.
@Suite struct PluginLibraryDependencyTests {
    static let plugins = ["OwnCharge", "BMSCombine", "OwnSoC"]

    @Test(arguments: plugins)
    func pluginNeedsOnlyLibcAndLibm(name: String) throws {
        let path = try pluginPath(name)
        let needed = try run("/usr/bin/readelf", ["-d", path]).split(separator: "\n")
            .filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
        #expect(!needed.isEmpty)
        #expect(Set(needed).isSubset(of: ["libc.so.6", "libm.so.6"]), "\(name) needs \(needed)")

        let undefined = try run("/usr/bin/nm", ["-D", "--undefined-only", path]).split(separator: "\n")
            .compactMap { $0.split(separator: " ").last.map(String.init) }
        let swiftSymbols = undefined.filter { $0.hasPrefix("swift_") || $0.hasPrefix("_swift") || $0.hasPrefix("$s") }
        #expect(swiftSymbols.isEmpty, "\(name) expects the Swift runtime: \(swiftSymbols)")
    }

    private func pluginPath(_ name: String) throws -> String {
        try LoaderFixtures.pluginBuildFolder() + "/lib\(name).so"
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments) failed")
        return String(decoding: data, as: UTF8.self)
    }
}
