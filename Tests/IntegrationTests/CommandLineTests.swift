import Foundation
import Testing

/// The real executable's command line: help, version, usage errors (exit 64), config errors.
@Suite struct CommandLineTests {
    /// Runs the built executable, or the copy at `executable`, to its end.
    private func daemon(_ arguments: [String], in folder: String? = nil,
                        executable: String? = nil) throws -> ShippedCommand.Result {
        try ShippedCommand.run(arguments, in: folder, executable: executable)
    }

    @Test func helpListsTheCommandsAndEachCommandItsOptions() throws {
        let overview = try daemon(["--help"])
        #expect(overview.status == 0)
        for command in ["run", "check-config", "plugins", "status", "demo"] {
            #expect(overview.output.contains("  \(command) "), "\(command) missing:\n\(overview.output)")
        }
        let run = try daemon(["run", "--help"])
        #expect(run.status == 0)
        for option in ["--config PATH", "--default-config PATH", "--state-dir PATH", "--plugin-dir PATH", "--bus BUS"] {
            #expect(run.output.contains(option), "\(option) missing:\n\(run.output)")
        }
        let version = try daemon(["--version"])
        #expect(version.status == 0)
        #expect(version.output.split(separator: ".").count == 3)
    }

    /// The demo from another directory than the checkout, at 30 times real time: it finds its
    /// config.default.ini and plugins, and the aggregate appears.
    @Test func theDemoRunsFromAnyDirectory() throws {
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("dab-cwd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let demo = try daemon(["demo", "--seconds", "8", "--plain", "--speed", "30"], in: elsewhere)
        #expect(demo.status == 0, "\(demo.output)\n\(demo.errors)")
        #expect(demo.output.contains("Batteries online 2 of 2: ok"), "\(demo.output)\n\(demo.errors)")
        let refused = try daemon(["demo", "--speed", "0"], in: elsewhere)
        #expect(refused.status != 0 && refused.errors.contains("--speed"), "\(refused.errors)")
    }

    @Test func aWrongCommandLineExits64NamingTheArgument() throws {
        let unknown = try daemon(["run", "--bogus"])
        #expect(unknown.status == 64)
        #expect(unknown.errors.contains("run has no option --bogus"))
        let badNumber = try daemon(["status", "--timeout", "soon"])
        #expect(badNumber.status == 64)
        #expect(badNumber.errors.contains("--timeout soon: expected a number"))
    }

    @Test func checkConfigNamesKeyValueAndLineOrPrintsTheSettings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dab-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let defaults = ["--default-config", DaemonHarness.repositoryRoot + "/config.default.ini",
                        "--plugin-dir", try DaemonHarness.pluginFolder()]

        try "[DEFAULT]\nNR_OF_BATTERIES = 2\nNR_OF_CELLS_PER_BATTERY = sixteen\n".write(
            toFile: folder + "/bad.ini", atomically: true, encoding: .utf8)
        let bad = try daemon(["check-config", folder + "/bad.ini"] + defaults)
        #expect(bad.status == 1)
        #expect(bad.errors.contains("bad.ini:3"), "\(bad.errors)")
        #expect(bad.errors.contains("NR_OF_CELLS_PER_BATTERY = sixteen"), "\(bad.errors)")

        try "[DEFAULT]\nNR_OF_BATTERIES = 2\nNR_OF_CELLS_PER_BATTERY = 16\n".write(
            toFile: folder + "/good.ini", atomically: true, encoding: .utf8)
        let good = try daemon(["check-config", folder + "/good.ini"] + defaults)
        #expect(good.status == 0, "\(good.errors)")
        #expect(good.output.contains("NR_OF_CELLS_PER_BATTERY = 16"), "\(good.output)")
        #expect(good.output.contains("; charge strategy: "), "\(good.output)")
    }

    /// The shipped executable copied into an install folder (as `scripts/package` lays it out):
    /// it loads the chosen strategies from `plugins/` only, and refuses that folder while others
    /// can write it.
    @Test func anInstalledDaemonUsesItsProtectedPluginsFolder() throws {
        let build = try DaemonHarness.pluginFolder()
        let install = FileManager.default.temporaryDirectory.appendingPathComponent("dab-installed-\(UUID().uuidString)").path
        let plugins = install + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: install) }
        try FileManager.default.copyItem(atPath: build + "/dbus-aggregate-batteries", toPath: install + "/dbus-aggregate-batteries")
        try FileManager.default.copyItem(atPath: DaemonHarness.repositoryRoot + "/config.default.ini", toPath: install + "/config.default.ini")
        for name in ["BMSCombine", "OwnSoC"] {
            try FileManager.default.copyItem(atPath: "\(build)/lib\(name).so", toPath: "\(plugins)/lib\(name).so")
        }
        try "[DEFAULT]\nNR_OF_BATTERIES = 2\nNR_OF_CELLS_PER_BATTERY = 16\nOWN_SOC = True\n".write(toFile: install + "/config.ini", atomically: true, encoding: .utf8)
        for folder in [install, plugins] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        }

        // From a directory that has .build/ with every plugin: an installed daemon must not look there.
        func installed(_ arguments: [String]) throws -> ShippedCommand.Result {
            try daemon(arguments, in: DaemonHarness.repositoryRoot, executable: install + "/dbus-aggregate-batteries")
        }

        let good = try installed(["check-config"])
        #expect(good.status == 0, "\(good.errors)")
        #expect(good.output.contains("; charge strategy: BMSCombine"), "\(good.output)")
        #expect(good.output.contains("from \(plugins)/libBMSCombine.so"), "\(good.output)")
        #expect(good.output.contains("; SoC strategy: OwnSoC"), "\(good.output)")
        let listing = try installed(["plugins"])
        #expect(listing.output.contains("Searched: \(plugins)\n"), "\(listing.output)")

        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: plugins)
        let refused = try installed(["check-config"])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("\(plugins) can be written by its group or by others (mode 0777)"), "\(refused.errors)")
        #expect(refused.errors.contains("chmod go-w \(plugins)"), "\(refused.errors)")
    }
}
