import HostCore
import Testing

@Suite struct LoaderSelectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var config: [String: String]
        var charge: String
        var soc: String
        var testDescription: String { "\(config.sorted { $0.key < $1.key })" }
    }

    @Test(arguments: [
        Case(config: [:], charge: "BMSCombine", soc: "BMSAverage"),
        Case(config: ["OWN_CHARGE_PARAMETERS": "True", "OWN_SOC": "True"], charge: "OwnCharge", soc: "OwnSoC"),
        Case(config: ["OWN_CHARGE_PARAMETERS": "false", "OWN_SOC": "FALSE"], charge: "BMSCombine", soc: "BMSAverage"),
        Case(config: ["OWN_CHARGE_PARAMETERS": "True", "CHARGE_STRATEGY": "FixedLimits"], charge: "FixedLimits", soc: "BMSAverage"),
        Case(config: ["OWN_SOC": "True", "SOC_STRATEGY": " MySoc "], charge: "BMSCombine", soc: "MySoc"),
        Case(config: ["OWN_SOC": "on", "SOC_STRATEGY": ""], charge: "BMSCombine", soc: "OwnSoC"),  // empty: legacy decides
    ])
    func selection(_ testCase: Case) {
        #expect(selectStrategies { testCase.config[$0] } == .success(StrategySelection(charge: testCase.charge, soc: testCase.soc)))
    }

    @Test func badLegacySwitchesAreAllErrors() {
        let config = ["OWN_CHARGE_PARAMETERS": "maybe", "OWN_SOC": "2"]
        guard case .failure(let error) = selectStrategies({ config[$0] }) else {
            Issue.record("must fail")
            return
        }
        #expect(error.problems.map(\.key) == ["OWN_CHARGE_PARAMETERS", "OWN_SOC"])
        #expect(error.description.hasPrefix("OWN_CHARGE_PARAMETERS must be True or False"))
    }

    @Test func anInstalledDaemonSearchesItsPluginsFolderOnly() {
        let installed = PluginSearchPolicy(executableDirectory: "/data/apps/dbus-aggregate-batteries", currentDirectory: "/srv/dab")
        #expect(!installed.isDevelopmentBuild)
        #expect(installed.requiresProtectedFolder)
        #expect(installed.defaultFolders == ["/data/apps/dbus-aggregate-batteries/plugins"])
    }

    @Test func aDevelopmentBuildAlsoSearchesBesideItselfAndTheBuildFolders() {
        for folder in ["/w/dab/.build/release", "/w/dab/.build/x86_64-unknown-linux-gnu/debug", "/w/dab/.build-cross/armv7"] {
            let development = PluginSearchPolicy(executableDirectory: folder, currentDirectory: "/srv/dab")
            #expect(development.isDevelopmentBuild, "\(folder)")
            #expect(!development.requiresProtectedFolder)
            #expect(development.defaultFolders == [folder + "/plugins", folder, "/srv/dab/.build/debug", "/srv/dab/.build/release"])
        }
        // A folder merely named like a build folder further up is still a build folder; "build" is not.
        #expect(!PluginSearchPolicy(executableDirectory: "/opt/build/bin", currentDirectory: "/").isDevelopmentBuild)
    }

    @Test func theRunningTestsAreADevelopmentBuild() throws {
        let executable = try #require(try? FileManagerShim.executableDirectory())
        let policy = PluginSearchPolicy.current()
        #expect(policy.executableDirectory == executable)
        #expect(policy.isDevelopmentBuild)
        #expect(policy.defaultFolders.prefix(2) == [executable + "/plugins", executable])
    }

    @Test func eachStrategyComesFromTheLibraryOfItsName() {
        #expect(PluginLoader.libraryName(forStrategy: "OwnCharge") == "OwnCharge")
        #expect(PluginLoader.libraryName(forStrategy: "BMSCombine") == "BMSCombine")
        #expect(PluginLoader.libraryName(forStrategy: "BMSAverage") == "BMSCombine")
        #expect(PluginLoader.libraryName(forStrategy: "FixedLimits") == "FixedLimits")
    }
}

import Foundation

enum FileManagerShim {
    static func executableDirectory() throws -> String {
        URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().path
    }
}
