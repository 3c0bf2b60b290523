import Foundation
import Testing
@testable import HostCore

/// The sixteen real users' config.ini files over the shipped defaults: the nine valid ones give
/// the values the Python program reads, the seven invalid ones are rejected naming every error.
@Suite("Real users' config files")
struct ConfigUserFilesTests {
    typealias Support = ConfigTestSupport

    static let valid = ["02-orig-config_LFP.ini", "03-orig-config_LTO.ini", "04-orig-config_LTO-v4.0-first.ini",
                        "11-zwartewater-initial.ini", "12-zwartewater-ocp-false.ini", "13-zwartewater-ownsoc-false.ini",
                        "14-zwartewater-keepmaxcvl.ini", "15-zwartewater-shunt-current.ini",
                        "16-issue169-lex2k0-partial.ini"]

    private func load(_ name: String) throws -> HostConfiguration {
        try HostConfiguration.load(defaults: try Support.shippedDefaults(), user: try Support.userFixture(name))
    }

    private func rejection(_ name: String) throws -> ConfigError {
        do {
            _ = try load(name)
        } catch let error as ConfigError {
            return error
        }
        Issue.record("\(name) should be rejected")
        return ConfigError([])
    }

    private func list(_ configuration: HostConfiguration, _ key: String) throws -> [Double] {
        try ConfigValueParsing.numberList(try #require(configuration.layers.value(forKey: key)))
    }

    @Test func allSixteenFixturesArePresentAndMatchTheSharedOriginals() throws {
        let names = try Support.fixtureNames()
        #expect(names.count == 16)
        let shared = Support.sharedUserConfigsDirectory
        guard FileManager.default.fileExists(atPath: shared.path) else { return }   // CI: no shared/ beside the repo
        for name in names {
            let copy = try Support.bytes(Support.userConfigsDirectory.appendingPathComponent(name))
            let original = try Support.bytes(shared.appendingPathComponent(name))
            #expect(copy == original, "\(name) differs from shared/testdata")
        }
    }

    @Test(arguments: valid)
    func validFilesLoadWithoutProblems(_ name: String) throws {
        let document = try Support.userFixture(name)
        #expect(document.problems.isEmpty)
        let configuration = try load(name)
        #expect(configuration.settings.numberOfBatteries >= 2)
    }

    @Test func lfpTemplate02() throws {
        let configuration = try load("02-orig-config_LFP.ini")
        let settings = configuration.settings
        #expect(settings.numberOfBatteries == 2)
        #expect(settings.cellsPerBattery == 16)
        #expect(settings.numberOfMppts == 1)
        #expect(settings.currentFromVictron)
        #expect(settings.ownSoc)
        #expect(settings.ownChargeParameters)
        #expect(settings.logPeriodSeconds == 0)
        #expect(settings.useSmartShunts == .none)
        #expect(settings.logLevel == .info)
        let months = try list(configuration, "CHARGE_VOLTAGE_LIST")
        #expect(months == [3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55])
        #expect(configuration.layers.location(ofKey: "CHARGE_VOLTAGE_LIST") == ConfigLocation(file: "config.ini", line: 181))
        #expect(configuration.layers.value(forKey: "CELL_CHARGE_LIMITING_VOLTAGE") == "")
        #expect(try list(configuration, "CELL_CHARGE_LIMITED_CURRENT") == [0.2, 1, 1, 0.1, 0])
        #expect(configuration.layers.location(ofKey: "LOG_PERIOD") == ConfigLocation(file: "config.ini", line: 269))
    }

    @Test func ltoTemplates03And04() throws {
        for name in ["03-orig-config_LTO.ini", "04-orig-config_LTO-v4.0-first.ini"] {
            let configuration = try load(name)
            #expect(configuration.settings.cellsPerBattery == 24)
            #expect(configuration.settings.logPeriodSeconds == 300)
            #expect(try list(configuration, "CHARGE_VOLTAGE_LIST")
                    == [2.50, 2.45, 2.45, 2.40, 2.35, 2.35, 2.35, 2.35, 2.40, 2.45, 2.45, 2.50])
            #expect(configuration.layers.value(forKey: "BALANCING_VOLTAGE") == "2.5")
            #expect(configuration.layers.value(forKey: "MIN_CELL_HYSTERESIS") == "0.3")
            #expect(configuration.layers.value(forKey: "MAX_CELL_VOLTAGE_SOC_FULL") == "2.5")
        }
        // 04 predates UPDATE_INTERVAL_DATA and CAN_batteries: they come from the defaults.
        let old = try load("04-orig-config_LTO-v4.0-first.ini")
        #expect(old.settings.dataUpdateIntervalSeconds == 1)
        #expect(old.layers.location(ofKey: "CAN_batteries")?.file == "config.default.ini")
    }

    @Test func zwartewater11() throws {
        let configuration = try load("11-zwartewater-initial.ini")
        let settings = configuration.settings
        #expect(settings.cellsPerBattery == 8)
        #expect(settings.useSmartShunts == .listed([.vrmInstance(277)]))
        #expect(settings.ignoreSmartShuntAbsence)
        #expect(settings.sendCellVoltages)
        #expect(settings.maxChargeCurrent == 120)
        #expect(settings.maxDischargeCurrent == 150)
        #expect(try list(configuration, "CELL_CHARGE_LIMITING_VOLTAGE") == [2.80, 2.90, 3.30, 3.50, 3.60, 3.65])
        #expect(try list(configuration, "CELL_CHARGE_LIMITED_CURRENT") == [0.2, 1.0, 1.0, 0.8, 0.1, 0])
        #expect(try list(configuration, "CELL_DISCHARGE_LIMITING_VOLTAGE") == [2.80, 2.90, 3.00])
        #expect(try list(configuration, "CHARGE_VOLTAGE_LIST") == Array(repeating: 3.55, count: 12))
        #expect(configuration.layers.value(forKey: "BALANCING_REPETITION") == "14")
    }

    @Test func zwartewaterVariants12To15() throws {
        let ocpOff = try load("12-zwartewater-ocp-false.ini").settings
        #expect(!ocpOff.ownChargeParameters && ocpOff.ownSoc)
        let socOff = try load("13-zwartewater-ownsoc-false.ini").settings
        #expect(!socOff.ownChargeParameters && !socOff.ownSoc)
        let keepMax = try load("14-zwartewater-keepmaxcvl.ini")
        #expect(keepMax.layers.value(forKey: "KEEP_MAX_CVL") == "True")
        #expect(keepMax.layers.location(ofKey: "KEEP_MAX_CVL") == ConfigLocation(file: "config.ini", line: 97))
        let shunt = try load("15-zwartewater-shunt-current.ini").settings
        #expect(shunt.smartShuntAsBatteryCurrent)
        #expect(shunt.useSmartShunts == .listed([.vrmInstance(277)]))
        #expect(!shunt.invertSmartShunts)
    }

    @Test func partialIssue16() throws {
        let configuration = try load("16-issue169-lex2k0-partial.ini")
        let settings = configuration.settings
        #expect(settings.numberOfBatteries == 3)
        #expect(settings.cellsPerBattery == 8)
        #expect(settings.numberOfMppts == 2)
        #expect(settings.batteryInstanceNamePath == "/CustomName")
        // ";UPDATE_INTERVAL_DATA = 2" is a comment: the default applies.
        #expect(settings.dataUpdateIntervalSeconds == 1)
        #expect(configuration.layers.location(ofKey: "UPDATE_INTERVAL_DATA")?.file == "config.default.ini")
        #expect(!settings.currentFromVictron && !settings.ownSoc && !settings.ownChargeParameters)
    }

    @Test func templates01And05And06LeaveTheCountsUnset() throws {
        let installer = try rejection("01-installer-template.ini")
        #expect(installer.problems.map { $0.key ?? "" } == ["NR_OF_BATTERIES", "NR_OF_CELLS_PER_BATTERY"])
        #expect(installer.problems.allSatisfy { $0.location?.file == "config.default.ini" && $0.value == "-1" })

        for name in ["05-orig-config.default-v4.0-first.ini", "06-orig-config.default-current.ini"] {
            let error = try rejection(name)
            #expect(error.problems.count == 2, "\(name): \(error)")
            #expect(error.problems[0].description == "config.ini:11: NR_OF_BATTERIES = -1: must be at least 2; set it in config.ini")
            #expect(error.problems[1].description.hasPrefix("config.ini:13: NR_OF_CELLS_PER_BATTERY = -1: must be at least 2"))
        }
    }

    @Test func gurkc006Files07To10HaveOneBattery() throws {
        let lines = ["07-gurkc006-initial-crlf.ini": 9, "09-gurkc006-logperiod-noeol-crlf.ini": 9,
                     "10-gurkc006-interval-crlf.ini": 12]
        for (name, line) in lines {
            let error = try rejection(name)
            #expect(error.problems.count == 1, "\(name): \(error)")
            #expect(error.problems.first?.description == "config.ini:\(line): NR_OF_BATTERIES = 1: must be at least 2; set it in config.ini")
        }
        // The CRLF file without final newline still reads its last line.
        let document = try Support.userFixture("09-gurkc006-logperiod-noeol-crlf.ini")
        #expect(document.entry(forKey: "LOG_PERIOD")?.value == "0")
        #expect(document.entry(forKey: "LOG_PERIOD")?.location.line == 45)
    }

    @Test func gurkc006File08NamesBothErrorsWithTheirLines() throws {
        let error = try rejection("08-gurkc006-grid-key-crlf.ini")
        #expect(error.problems.count == 2)
        #expect(error.description == """
        config.ini:4: GRID_SERVICE_NAME = 'com.victronenergy.grid': unknown key
        config.ini:11: NR_OF_BATTERIES = 1: must be at least 2; set it in config.ini
        """)
    }
}
