import Testing
@testable import HostCore

/// Layering, key checks and the typed host settings, with every error located.
@Suite("Host settings")
struct ConfigSettingsTests {
    typealias Support = ConfigTestSupport

    @Test func userValuesOverrideDefaultsAndRememberWhereTheyCameFrom() throws {
        let configuration = try Support.load(userText: Support.validUser("UPDATE_INTERVAL_DATA = 2\n"))
        #expect(configuration.settings.dataUpdateIntervalSeconds == 2)
        #expect(configuration.layers.location(ofKey: "UPDATE_INTERVAL_DATA") == ConfigLocation(file: "config.ini", line: 4))
        #expect(configuration.layers.location(ofKey: "READ_TRIALS")?.file == "config.default.ini")
        #expect(configuration.layers.value(forKey: "read_trials") == "10")
        #expect(configuration.layers.value(forKey: "NO_SUCH_KEY") == nil)
    }

    @Test func keysMapToTheirCanonicalNames() throws {
        let configuration = try Support.load(userText: Support.validUser("can_batteries = yes\n"))
        #expect(configuration.settings.canBatteries)
        #expect(configuration.layers.setting(forKey: "CAN_BATTERIES")?.key == "CAN_batteries")
    }

    @Test func unknownKeyIsAnErrorNamingFileLineKeyAndValue() throws {
        let error = try #require(try Support.problems(userText: Support.validUser("CHARGE_VOLTAGE = 3.5\n")))
        #expect(error.problems.map(\.kind) == [.unknownKey])
        #expect(error.description == "config.ini:4: CHARGE_VOLTAGE = 3.5: unknown key")
    }

    @Test func strategyDeclaredKeysAreAccepted() throws {
        let user = Support.validUser("MY_PLUGIN_LEVEL = 7\n")
        #expect(try Support.problems(userText: user) != nil)
        let configuration = try Support.load(userText: user, strategyKeys: ["MY_PLUGIN_LEVEL"])
        #expect(configuration.layers.value(forKey: "MY_PLUGIN_LEVEL") == "7")
        #expect(configuration.layers.location(ofKey: "my_plugin_level")?.line == 4)
    }

    @Test func badBooleanIntegerAndSmartShuntValuesAreAllReportedAtOnce() throws {
        let user = """
        [DEFAULT]
        NR_OF_BATTERIES = two
        NR_OF_CELLS_PER_BATTERY = 16
        OWN_SOC = maybe
        USE_SMARTSHUNTS = [FrontShunt]
        LOGGING = verbose
        UPDATE_INTERVAL_DATA = 0
        MAX_CHARGE_CURRENT = -5
        BATTERY_INSTANCE_NAME_PATH = CustomName
        CHARGE_STRATEGY = own charge
        """
        let error = try #require(try Support.problems(userText: user))
        let keys = error.problems.map { $0.key ?? "" }
        #expect(keys == ["NR_OF_BATTERIES", "OWN_SOC", "USE_SMARTSHUNTS", "LOGGING", "UPDATE_INTERVAL_DATA",
                         "MAX_CHARGE_CURRENT", "BATTERY_INSTANCE_NAME_PATH", "CHARGE_STRATEGY"])
        #expect(error.problems.allSatisfy { $0.kind == .invalidValue && $0.location?.file == "config.ini" })
        #expect(error.problems.map { $0.location?.line ?? 0 } == [2, 4, 5, 6, 7, 8, 9, 10])
        #expect(error.problems[0].description == "config.ini:2: NR_OF_BATTERIES = two: expected a whole number")
        #expect(error.problems[1].description.hasPrefix("config.ini:4: OWN_SOC = maybe: expected True or False"))
    }

    @Test func fileProblemsUnknownKeysAndValueProblemsComeTogether() throws {
        let user = "[DEFAULT]\nNR_OF_BATTERIES = 1\nNR_OF_BATTERIES = 2\nTYPO = 1\nGARBAGE LINE\n"
        let error = try #require(try Support.problems(userText: user))
        #expect(error.problems.map(\.kind) == [.invalidValue, .duplicateKey, .unknownKey, .syntax, .invalidValue])
        // The last one is NR_OF_CELLS_PER_BATTERY, still -1 in the default file.
        #expect(error.problems[4].location?.file == "config.default.ini")
        #expect(error.problems[4].message.contains("set it in config.ini"))
    }

    /// The Python program would not start without NR_OF_MPPTS; here -1 means every charger found.
    @Test func mpptCountMayStayUnsetWithCurrentFromVictron() throws {
        let unset = try Support.load(userText: Support.validUser("CURRENT_FROM_VICTRON = True\n"))
        #expect(unset.settings.numberOfMppts == -1)
        let ok = try Support.load(userText: Support.validUser("CURRENT_FROM_VICTRON = True\nNR_OF_MPPTS = 0\n"))
        #expect(ok.settings.numberOfMppts == 0)
        let error = try #require(try Support.problems(userText: Support.validUser("NR_OF_MPPTS = -2\n")))
        #expect(error.problems.map { $0.key ?? "" } == ["NR_OF_MPPTS"])
    }

    @Test func newKeysAreTyped() throws {
        let user = Support.validUser("""
        CHARGE_STRATEGY = OwnCharge
        SOC_STRATEGY =
        PLUGIN_DIR = /data/plugins
        STALE_TIMEOUT = 5
        OFFLINE_BLOCK_AFTER = 120
        STARTUP_WAIT = 0
        CURRENT_LIMIT_POLICY = Capacity_Share
        LOGGING = debug
        USE_SMARTSHUNTS = [278, "FrontShunt"]
        """)
        let settings = try Support.load(userText: user).settings
        #expect(settings.chargeStrategy == "OwnCharge")
        #expect(settings.socStrategy == nil)
        #expect(settings.pluginDirectory == "/data/plugins")
        #expect(settings.staleTimeoutSeconds == 5)
        #expect(settings.offlineBlockAfterSeconds == 120)
        #expect(settings.startupWaitSeconds == 0)
        #expect(settings.logLevel == .debug)
        #expect(settings.useSmartShunts == .listed([.vrmInstance(278), .name("FrontShunt")]))
    }

    @Test func aHostKeyMissingFromTheDefaultFileIsReported() throws {
        let defaults = IniParser.parse("[DEFAULT]\nNR_OF_BATTERIES = 2\n", file: "config.default.ini")
        do {
            _ = try HostConfiguration.load(defaults: defaults, user: nil)
            Issue.record("expected missing keys")
        } catch {
            #expect(error.problems.allSatisfy { $0.kind == .missingKey || $0.key == "NR_OF_MPPTS" })
            #expect(error.problems(forKey: "LOGGING").count == 1)
            #expect(error.problems(forKey: "NR_OF_BATTERIES").isEmpty)
        }
    }

    @Test func checkConfigReportShowsValuesAndOriginsAndIsValidIni() throws {
        let configuration = try Support.load(userText: Support.validUser("USE_SMARTSHUNTS = [277]\n"))
        let report = EffectiveSettingsReport.text(for: configuration.layers)
        let lines = report.split(separator: "\n").map(String.init)
        let batteries = try #require(lines.first { $0.hasPrefix("NR_OF_BATTERIES ") })
        #expect(batteries.contains("NR_OF_BATTERIES = 2") && batteries.hasSuffix("; set in config.ini:2"))
        let interval = try #require(lines.first { $0.hasPrefix("UPDATE_INTERVAL_DATA ") })
        #expect(interval.contains("; default (config.default.ini:"))
        let list = try #require(lines.first { $0.hasPrefix("CHARGE_VOLTAGE_LIST ") })
        #expect(list.contains("3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55"))

        let reread = IniParser.parse(report, file: "report")
        #expect(reread.problems.isEmpty)
        #expect(reread.entries.count == configuration.layers.settings.count)
        for setting in configuration.layers.settings {
            let echoed = try #require(reread.entry(forKey: setting.key)).value
            if setting.value.contains("\n") {
                #expect(try ConfigValueParsing.numberList(echoed) == ConfigValueParsing.numberList(setting.value))
            } else {
                #expect(echoed == setting.value, "\(setting.key)")
            }
        }
    }

    @Test func strategyComplaintsAreLocatedLikeHostProblems() throws {
        let user = Support.validUser("MAX_CELL_VOLTAGE = 9\n")
        let layers = try Support.load(userText: user).layers
        let problem = layers.problem(forKey: "max_cell_voltage", message: "must be between 1.5 and 4.5 V")
        #expect(problem.description == "config.ini:4: MAX_CELL_VOLTAGE = 9: must be between 1.5 and 4.5 V")
        let fromDefaults = layers.problem(forKey: "CELL_DIFF_MAX", message: "too small")
        #expect(fromDefaults.location?.file == "config.default.ini")
        #expect(layers.problem(forKey: "UNSET_PLUGIN_KEY", message: "required").location == nil)
    }
}

@Suite("USE_SMARTSHUNTS in the log")
struct SmartShuntSelectionTextTests {
    @Test(arguments: [("False", "none"), ("True", "all"), ("[278, \"FrontShunt\"]", "[278, \"FrontShunt\"]"), ("[]", "none")])
    func describedAsWritten(raw: String, text: String) throws {
        #expect(try SmartShuntSelection.parse(raw).description == text)
    }
}
