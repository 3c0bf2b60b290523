import Foundation
import HostCore
import Testing

/// Only the chosen strategies' libraries are opened, and an installed daemon refuses a plugin
/// folder or library that anyone but root could change.
@Suite struct PluginFolderTests {
    private func setMode(_ mode: Int, _ path: String) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func runLoadsTheChosenStrategiesLibrariesAndNothingElse() throws {
        let build = try LoaderFixtures.pluginBuildFolder()
        let folder = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(folder) }
        for name in ["BMSCombine", "OwnSoC", "OwnCharge"] {
            try FileManager.default.copyItem(atPath: "\(build)/lib\(name).so", toPath: "\(folder)/lib\(name).so")
        }
        // A half-copied library beside them: `run` must not even open it.
        try "half a library".write(toFile: folder + "/libBroken.so", atomically: true, encoding: .utf8)

        let (libraries, errors) = PluginLoader.loadSelected(strategyNames: ["BMSCombine", "BMSAverage"],
                                                            searchPath: [folder], protectedFolder: false)
        #expect(errors.isEmpty, "\(errors)")
        #expect(libraries.map(\.path) == [folder + "/libBMSCombine.so"])

        let mixed = PluginLoader.loadSelected(strategyNames: ["OwnCharge", "OwnSoC"], searchPath: [folder], protectedFolder: false)
        #expect(mixed.libraries.map(\.name) == ["OwnCharge", "OwnSoC"])

        let missing = PluginLoader.loadSelected(strategyNames: ["Nope", "OwnSoC"], searchPath: [folder], protectedFolder: false)
        #expect(missing.libraries.map(\.name) == ["OwnSoC"])
        #expect(missing.errors == [PluginLoadError(path: "Nope", "no libNope.so in \(folder)")])
        // The folder listing (the `plugins` command) still shows the broken one.
        #expect(PluginLoader.loadAll(searchPath: [folder]).errors.map(\.path) == [folder + "/libBroken.so"])
    }

    @Test func aFolderOthersCanWriteIsRefusedWithTheFix() throws {
        let build = try LoaderFixtures.pluginBuildFolder()
        let folder = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(folder) }
        let library = folder + "/libOwnSoC.so"
        try FileManager.default.copyItem(atPath: build + "/libOwnSoC.so", toPath: library)
        try setMode(0o755, folder)
        try setMode(0o644, library)
        #expect(PluginFolderCheck.problem(with: folder, expectDirectory: true) == nil)
        #expect(PluginFolderCheck.problem(with: library, expectDirectory: false) == nil)
        #expect(PluginLoader.loadSelected(strategyNames: ["OwnSoC"], searchPath: [folder], protectedFolder: true).errors.isEmpty)

        try setMode(0o777, folder)
        let refused = PluginLoader.loadSelected(strategyNames: ["OwnSoC"], searchPath: [folder], protectedFolder: true)
        #expect(refused.libraries.isEmpty)
        let reason = refused.errors.first?.reasons.first ?? ""
        #expect(reason.contains("\(folder) can be written by its group or by others (mode 0777)"), "\(reason)")
        #expect(reason.contains("chmod go-w \(folder)"), "\(reason)")
        // A development build loads from the same folder.
        #expect(PluginLoader.loadSelected(strategyNames: ["OwnSoC"], searchPath: [folder], protectedFolder: false).errors.isEmpty)

        try setMode(0o755, folder)
        try setMode(0o664, library)
        let libraryRefused = PluginLoader.loadSelected(strategyNames: ["OwnSoC"], searchPath: [folder], protectedFolder: true)
        #expect(libraryRefused.errors.first?.reasons == [
            "\(library) can be written by its group or by others (mode 0664): refused, a plugin runs with the daemon's rights "
                + "(fix: chmod go-w \(library))"])
        #expect(PluginLoader.loadAll(searchPath: [folder], protectedFolder: true).errors.map(\.path) == [library])
        #expect(PluginFolderCheck.problem(with: library, expectDirectory: true) == "\(library): not a folder")
        #expect(PluginFolderCheck.problem(with: folder + "/none", expectDirectory: true)?.contains("cannot be read") == true)
    }

    @Test(.enabled(if: geteuid() == 0, "changing a file's owner needs root"))
    func aFolderOfAnotherUserIsRefused() throws {
        let folder = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(folder) }
        try setMode(0o755, folder)
        #expect(chown(folder, 4242, 4242) == 0)
        #expect(PluginFolderCheck.problem(with: folder, expectDirectory: true)
                == "\(folder) belongs to user 4242, not to root: refused, a plugin runs with the daemon's rights (fix: chown root:root \(folder))")
    }
}
