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

    @Test func searchPathStartsBesideTheExecutable() throws {
        let path = defaultPluginSearchPath(currentDirectory: "/srv/dab")
        let executable = try #require(try? FileManagerShim.executableDirectory())
        #expect(path == [executable, "/srv/dab/.build/debug", "/srv/dab/.build/release"])
    }
}

import Foundation

enum FileManagerShim {
    static func executableDirectory() throws -> String {
        URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().path
    }
}
