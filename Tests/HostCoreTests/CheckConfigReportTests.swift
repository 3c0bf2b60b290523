import PluginKit
import Testing
@testable import HostCore

@Suite("check-config: what every key set in config.ini does")
struct CheckConfigReportTests {
    typealias Support = ConfigTestSupport

    static let ownCharge = ReportedStrategy(name: "OwnCharge", kind: .charge, isSelected: true, keys: [
        ConfigKeySpec("MAX_CELL_VOLTAGE", default: "3.45", "highest cell voltage before the CVL is reduced, V"),
        ConfigKeySpec("MAX_CHARGE_CURRENT", default: "200", "charge current limit of the whole bank, A"),
        ConfigKeySpec("ZERO_SOC", default: "False", "empty bank at MIN_CELL_VOLTAGE"),
    ])
    static let ownSoc = ReportedStrategy(name: "OwnSoC", kind: .soc, isSelected: false, keys: [
        ConfigKeySpec("ZERO_SOC", default: "False", "counter to 0 at MIN_CELL_VOLTAGE_SOC_EMPTY"),
    ])

    /// The comment lines right below the row of `key`.
    private func roles(_ report: String, _ key: String) throws -> [String] {
        let lines = report.split(separator: "\n").map(String.init)
        let row = try #require(lines.firstIndex { $0.hasPrefix(key + " ") })
        return Array(lines[(row + 1)...].prefix { $0.hasPrefix(";   -> ") }.map { String($0.dropFirst(7)) })
    }

    @Test(arguments: [
        ("SEARCH_TRIALS", "STARTUP_WAIT"),
        ("READ_TRIALS", "STALE_TIMEOUT and OFFLINE_BLOCK_AFTER"),
        ("UPDATE_INTERVAL_FIND_DEVICES", "D-Bus signals and STARTUP_WAIT"),
        ("TIME_BEFORE_RESTART", "STARTUP_WAIT, STALE_TIMEOUT and OFFLINE_BLOCK_AFTER"),
    ])
    func replacedKeysSayWhatReplacedThem(key: String, replacement: String) throws {
        let configuration = try Support.load(userText: Support.validUser("\(key) = 3\n"))
        let report = EffectiveSettingsReport.text(for: configuration.layers)
        let said = try roles(report, key)
        #expect(said.count == 1)
        #expect(said.first?.hasPrefix("accepted, replaced by \(replacement): no effect here; ") == true,
                Comment(rawValue: said.first ?? "nothing"))
    }

    @Test func everyKeySetInConfigIniIsExplainedAndDefaultsAreNot() throws {
        let user = Support.validUser("""
        NR_OF_MPPTS = 1
        CURRENT_FROM_VICTRON = True
        MAX_CELL_VOLTAGE = 3.50
        MAX_CHARGE_CURRENT = 150
        ZERO_SOC = True
        BALANCING_VOLTAGE = 3.45
        """)
        let configuration = try Support.load(userText: user)
        let report = EffectiveSettingsReport.text(for: configuration.layers, strategies: [Self.ownCharge, Self.ownSoc])
        for setting in configuration.layers.settings {
            let said = try roles(report, setting.key)
            #expect(setting.isOverride ? !said.isEmpty : said.isEmpty, "\(setting.key)")
        }
        #expect(try roles(report, "NR_OF_MPPTS").first?.contains("first N solar chargers by name") == true)
        #expect(try roles(report, "MAX_CELL_VOLTAGE")
                == ["OwnCharge (charge strategy, selected): highest cell voltage before the CVL is reduced, V"])
        // The host's cap and the own charge algorithm's maximum: both said.
        let maxCharge = try roles(report, "MAX_CHARGE_CURRENT")
        #expect(maxCharge.count == 2)
        #expect(maxCharge.first?.hasPrefix("set in config.ini: caps the published charge current limit") == true)
        #expect(try roles(report, "ZERO_SOC") == [
            "OwnCharge (charge strategy, selected): empty bank at MIN_CELL_VOLTAGE",
            "OwnSoC (SoC strategy, not selected: no effect now): counter to 0 at MIN_CELL_VOLTAGE_SOC_EMPTY",
        ])
        // No loaded strategy declares it.
        #expect(try roles(report, "BALANCING_VOLTAGE")
                == ["no effect: read neither by the program nor by a loaded strategy"])
        // Still valid INI with one entry per key.
        let reread = IniParser.parse(report, file: "report")
        #expect(reread.problems.isEmpty)
        #expect(reread.entries.count == configuration.layers.settings.count)
    }

    /// Every key the host reads has a role, so no key the user sets goes unexplained.
    @Test func everyHostKeyHasARole() throws {
        let empty = IniParser.parse("[DEFAULT]\n", file: "config.default.ini")
        do {
            _ = try HostConfiguration.load(defaults: empty, user: nil)
            Issue.record("expected every host key to be missing")
        } catch {
            let hostKeys = error.problems.filter { $0.kind == .missingKey }.compactMap(\.key)
            #expect(hostKeys.count >= 30)
            for key in hostKeys {
                #expect(ConfigKeyRoles.hostRole(forKey: key) != nil, "\(key) has no role")
            }
        }
        #expect(ConfigKeyRoles.hostRole(forKey: "search_trials")?.hasPrefix("accepted, replaced by") == true)
        #expect(ConfigKeyRoles.hostRole(forKey: "BALANCING_VOLTAGE") == nil)
    }
}
