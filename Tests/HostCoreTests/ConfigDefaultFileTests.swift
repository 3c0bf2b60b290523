import Foundation
import Testing
@testable import HostCore

/// The shipped config.default.ini: complete, documented, and with the reference defaults.
@Suite("Shipped config.default.ini")
struct ConfigDefaultFileTests {
    typealias Support = ConfigTestSupport

    /// Section 6 of the reference behaviour, with its defaults as INI text.
    static let referenceDefaults: [(String, String)] = [
        ("NR_OF_BATTERIES", "-1"), ("NR_OF_CELLS_PER_BATTERY", "-1"), ("NR_OF_MPPTS", "-1"),
        ("BATTERY_SERVICE_NAME", "com.victronenergy.battery"), ("DCLOAD_SERVICE_NAME", "com.victronenergy.dcload"),
        ("BATTERY_PRODUCT_NAME_PATH", "/ProductName"), ("BATTERY_PRODUCT_NAME", "SerialBattery"),
        ("BATTERY_INSTANCE_NAME_PATH", "/Serial"), ("MULTI_KEYWORD", "com.victronenergy.vebus"),
        ("MPPT_KEYWORD", "com.victronenergy.solarcharger"), ("SMARTSHUNT_NAME_KEYWORD", "SmartShunt"),
        ("SMARTSHUNT_INSTANCE_NAME_PATH", "/CustomName"), ("SEARCH_TRIALS", "10"), ("READ_TRIALS", "10"),
        ("UPDATE_INTERVAL_FIND_DEVICES", "1"), ("UPDATE_INTERVAL_DATA", "1"), ("TIME_BEFORE_RESTART", "15"),
        ("CURRENT_FROM_VICTRON", "False"), ("CAN_batteries", "False"), ("USE_SMARTSHUNTS", "False"),
        ("INVERT_SMARTSHUNTS", "False"), ("SMARTSHUNT_AS_BATTERY_CURRENT", "False"),
        ("IGNORE_SMARTSHUNT_ABSENCE", "False"), ("OWN_SOC", "False"), ("ZERO_SOC", "False"),
        ("MAX_CELL_VOLTAGE_SOC_FULL", "3.45"), ("MIN_CELL_VOLTAGE_SOC_EMPTY", "2.90"),
        ("CHARGE_SAVE_PRECISION", "0.0025"), ("OWN_CHARGE_PARAMETERS", "False"), ("BALANCING_VOLTAGE", "3.40"),
        ("BALANCING_REPETITION", "10"), ("MAX_CELL_VOLTAGE", "3.45"), ("MIN_CELL_VOLTAGE", "2.90"),
        ("MIN_CELL_HYSTERESIS", "0.1"), ("CELL_DIFF_MAX", "0.025"), ("BATTERY_EFFICIENCY", "0.98"),
        ("MAX_CHARGE_CURRENT", "200"), ("MAX_DISCHARGE_CURRENT", "200"), ("CELL_CHARGE_LIMITING_VOLTAGE", ""),
        ("CELL_CHARGE_LIMITED_CURRENT", "0.2, 1, 1, 0.1, 0"), ("CELL_DISCHARGE_LIMITING_VOLTAGE", ""),
        ("CELL_DISCHARGE_LIMITED_CURRENT", "0, 0.05, 1"), ("KEEP_MAX_CVL", "False"), ("SEND_CELL_VOLTAGES", "0"),
        ("LOGGING", "INFO"), ("LOG_PERIOD", "300"),
        // Keys new in this program.
        ("CHARGE_STRATEGY", ""), ("SOC_STRATEGY", ""), ("PLUGIN_DIR", ""), ("STALE_TIMEOUT", "10"),
        ("OFFLINE_BLOCK_AFTER", "60"), ("MAX_VALUE_BYTES", "4096"), ("STARTUP_WAIT", "30"), ("CURRENT_LIMIT_POLICY", ""),
        ("TRACE_FILE", ""), ("TRACE_MAX_BYTES", "20000000"), ("EXCLUDED_BATTERIES", ""), ("CVL_MODE", ""),
        ("CVL_MAX_SPREAD", "0.05"), ("BLOCKING_PACK_STOPS_BANK", "True"),
    ]

    @Test func parsesCleanlyAndHoldsExactlyTheReferenceKeysAndDefaults() throws {
        let defaults = try Support.shippedDefaults()
        #expect(defaults.problems.isEmpty)
        var expected = Self.referenceDefaults.map(\.0)
        expected.append("CHARGE_VOLTAGE_LIST")
        #expect(Set(defaults.entries.map(\.key)) == Set(expected))
        #expect(defaults.entries.count == expected.count)
        for (key, value) in Self.referenceDefaults {
            #expect(defaults.entry(forKey: key)?.value == value, "\(key)")
        }
        let months = try ConfigValueParsing.numberList(try #require(defaults.entry(forKey: "CHARGE_VOLTAGE_LIST")).value)
        #expect(months == [3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55])
    }

    @Test func everyKeyIsDocumentedByACommentAboveIt() throws {
        let text = String(decoding: try Support.bytes(Support.shippedDefaultsURL), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for entry in try Support.shippedDefaults().entries {
            var index = entry.location.line - 2
            // Paired list keys share one comment block.
            while index >= 0, !lines[index].hasPrefix(";"), lines[index].contains("=") { index -= 1 }
            #expect(index >= 0 && lines[index].hasPrefix("; "), "\(entry.key) has no comment above it")
        }
        // Each month of the charge voltage list is named on its line.
        #expect(text.contains("3.55,  ; January") && text.contains("3.55   ; December"))
    }

    @Test func defaultsGiveTheReferenceHostSettings() throws {
        let settings = try Support.load(userText: Support.validUser()).settings
        #expect(settings.numberOfMppts == -1)
        #expect(settings.searchTrials == 10 && settings.readTrials == 10)
        #expect(settings.findDevicesIntervalSeconds == 1 && settings.dataUpdateIntervalSeconds == 1)
        #expect(settings.timeBeforeRestartSeconds == 15)
        #expect(!settings.currentFromVictron && !settings.canBatteries && settings.useSmartShunts == .none)
        #expect(!settings.ownSoc && !settings.ownChargeParameters)
        #expect(settings.chargeStrategy == nil && settings.socStrategy == nil && settings.pluginDirectory == nil)
        #expect(settings.maxChargeCurrent == 200 && settings.maxDischargeCurrent == 200)
        #expect(settings.staleTimeoutSeconds == 10 && settings.offlineBlockAfterSeconds == 60)
        #expect(settings.startupWaitSeconds == 30)
        #expect(!settings.sendCellVoltages && settings.logLevel == .info && settings.logPeriodSeconds == 300)
        #expect(settings.multiKeyword == "com.victronenergy.vebus")
    }

    @Test func loadsFromDiskWithAndWithoutAUserFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let userPath = directory.appendingPathComponent("config.ini").path
        do {
            _ = try HostConfiguration.load(defaultsPath: Support.shippedDefaultsURL.path, userPath: userPath)
            Issue.record("the defaults alone must ask for NR_OF_BATTERIES")
        } catch {
            #expect(error.problems(forKey: "NR_OF_BATTERIES").count == 1)
        }
        try Data(Support.validUser().utf8).write(to: URL(fileURLWithPath: userPath))
        let configuration = try HostConfiguration.load(defaultsPath: Support.shippedDefaultsURL.path, userPath: userPath)
        #expect(configuration.layers.location(ofKey: "NR_OF_BATTERIES") == ConfigLocation(file: userPath, line: 2))

        do {
            _ = try HostConfiguration.load(defaultsPath: directory.appendingPathComponent("missing.ini").path,
                                           userPath: userPath)
            Issue.record("a missing default file must be reported")
        } catch {
            #expect(error.problems.map(\.kind) == [.unreadableFile])
        }
    }
}
