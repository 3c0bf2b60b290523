import Testing
import PluginKit
import OwnChargeLogic

@Suite("OwnCharge configuration")
struct OwnChargeConfigTests {
    @Test func absentKeysTakeTheDocumentedDefaults() throws {
        let host = OwnChargeTestHost()
        let config = try OwnChargeConfiguration.read(from: host)
        #expect(host.configErrors.isEmpty)
        #expect(config.cellsPerBattery == 16)
        #expect(config.balancingCellVoltage == 3.40)
        #expect(config.balancingRepetitionDays == 10)
        #expect(config.chargeCellVoltageByMonth == [3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55])
        #expect(config.maxCellVoltage == 3.45)
        #expect(config.minCellVoltage == 2.90)
        #expect(config.minCellHysteresis == 0.1)
        #expect(config.cellDiffMax == 0.025)
        #expect(config.maxChargeCurrent == 200)
        #expect(config.maxDischargeCurrent == 200)
        #expect(config.zeroSoc == false)
        #expect(config.chargeCurrentTable.currentFactors == [0.2, 1, 1, 0.1, 0])
        #expect(config.dischargeCurrentTable.currentFactors == [0, 0.05, 1])
        let chargeVoltages = [2.90, 2.95, 3.30, 3.40, 3.45]
        for (actual, expected) in zip(config.chargeCurrentTable.cellVoltages, chargeVoltages) {
            #expect(ownChargeClose(actual, expected))
        }
        let dischargeVoltages = [2.90, 3.00, 3.10]
        for (actual, expected) in zip(config.dischargeCurrentTable.cellVoltages, dischargeVoltages) {
            #expect(ownChargeClose(actual, expected))
        }
    }

    @Test func defaultTablesFollowTheUsersMinBalancingMax() throws {
        let host = OwnChargeTestHost(config: ["NR_OF_CELLS_PER_BATTERY": "24", "BALANCING_VOLTAGE": "2.5",
                                              "MAX_CELL_VOLTAGE": "2.6", "MIN_CELL_VOLTAGE": "1.9"])
        let config = try OwnChargeConfiguration.read(from: host)
        for (actual, expected) in zip(config.chargeCurrentTable.cellVoltages, [1.9, 1.95, 2.4, 2.5, 2.6]) {
            #expect(ownChargeClose(actual, expected))
        }
        for (actual, expected) in zip(config.dischargeCurrentTable.cellVoltages, [1.9, 2.0, 2.1]) {
            #expect(ownChargeClose(actual, expected))
        }
    }

    @Test(arguments: [
        "\n3.55,\n3.50,\n3.50,\n3.45,\n3.40,\n3.40,\n3.40,\n3.40,\n3.45,\n3.50,\n3.50,\n3.55",
        "3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55,",
        "  3.55,3.50 ,\t3.50,\r\n 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55 ,\n",
        "[3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55]",
    ])
    func chargeVoltageListToleratesLayout(text: String) throws {
        let host = OwnChargeTestHost(config: ["NR_OF_CELLS_PER_BATTERY": "16", "CHARGE_VOLTAGE_LIST": text])
        let config = try OwnChargeConfiguration.read(from: host)
        #expect(config.chargeCellVoltageByMonth == [3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55])
    }

    @Test(arguments: [
        (["CHARGE_VOLTAGE_LIST": "3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50"], ["CHARGE_VOLTAGE_LIST"]),
        (["CHARGE_VOLTAGE_LIST": "3.55, 3.50, x, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55"], ["CHARGE_VOLTAGE_LIST"]),
        (["CELL_CHARGE_LIMITED_CURRENT": "1, 1"], ["CELL_CHARGE_LIMITED_CURRENT"]),
        (["CELL_DISCHARGE_LIMITING_VOLTAGE": "2.9, 3.0, 3.1, 3.2"], ["CELL_DISCHARGE_LIMITED_CURRENT"]),
        (["CELL_DISCHARGE_LIMITING_VOLTAGE": "3.0, 2.9, 3.1"], ["CELL_DISCHARGE_LIMITING_VOLTAGE"]),
        (["BALANCING_VOLTAGE": "2.9", "MIN_CELL_VOLTAGE": "2.9"], ["CELL_CHARGE_LIMITING_VOLTAGE"]),
        (["MAX_CELL_VOLTAGE": "abc"], ["MAX_CELL_VOLTAGE"]),
        (["MAX_CELL_VOLTAGE": "34.5"], ["MAX_CELL_VOLTAGE"]),
        (["BALANCING_REPETITION": "ten"], ["BALANCING_REPETITION"]),
        (["ZERO_SOC": "maybe"], ["ZERO_SOC"]),
        (["MIN_CELL_VOLTAGE": "3.5"], ["MIN_CELL_VOLTAGE"]),
        (["MAX_CHARGE_CURRENT": "-5"], ["MAX_CHARGE_CURRENT"]),
        (["NR_OF_CELLS_PER_BATTERY": "-1"], ["NR_OF_CELLS_PER_BATTERY"]),
    ])
    func badValuesAreReportedWithTheirKey(overrides: [String: String], keys: [String]) {
        var config = ["NR_OF_CELLS_PER_BATTERY": "16"]
        for (key, value) in overrides { config[key] = value }
        let host = OwnChargeTestHost(config: config)
        #expect(throws: StrategyError.self) { try OwnChargeConfiguration.read(from: host) }
        #expect(host.configErrorKeys == keys)
        #expect(host.configErrors.allSatisfy { !$0.problem.isEmpty })
    }

    @Test func everyBadValueIsReportedBeforeThrowing() {
        let host = OwnChargeTestHost(config: [
            "NR_OF_CELLS_PER_BATTERY": "16",
            "CHARGE_VOLTAGE_LIST": "3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5",
            "CELL_CHARGE_LIMITED_CURRENT": "1, 0.5",
            "MIN_CELL_HYSTERESIS": "lots",
            "ZERO_SOC": "yes please",
        ])
        do {
            _ = try OwnChargeStrategy(host: host)
            Issue.record("creation should fail")
        } catch {
            #expect(error.kind == .config)
            for key in ["CHARGE_VOLTAGE_LIST", "CELL_CHARGE_LIMITED_CURRENT", "MIN_CELL_HYSTERESIS", "ZERO_SOC"] {
                #expect(host.configErrorKeys.contains(key), "\(key) not reported")
                #expect(error.message.contains(key), "\(key) not in the thrown message")
            }
            #expect(host.configErrors.count == 4)
            let monthProblem = host.configErrors.first { $0.key == "CHARGE_VOLTAGE_LIST" }?.problem ?? ""
            #expect(monthProblem.contains("12") && monthProblem.contains("11"))
        }
    }

    @Test func declaresItsKeysWithDefaultsAndDescriptions() {
        let names = OwnChargeConfigKeys.declared.map(\.name)
        #expect(Set(names) == [
            "BALANCING_VOLTAGE", "BALANCING_REPETITION", "CHARGE_VOLTAGE_LIST", "MAX_CELL_VOLTAGE", "MIN_CELL_VOLTAGE",
            "MIN_CELL_HYSTERESIS", "CELL_DIFF_MAX", "MAX_CHARGE_CURRENT", "MAX_DISCHARGE_CURRENT",
            "CELL_CHARGE_LIMITING_VOLTAGE", "CELL_CHARGE_LIMITED_CURRENT", "CELL_DISCHARGE_LIMITING_VOLTAGE",
            "CELL_DISCHARGE_LIMITED_CURRENT", "ZERO_SOC",
        ])
        #expect(names.count == 14)
        #expect(!names.contains("NR_OF_CELLS_PER_BATTERY"))
        #expect(OwnChargeConfigKeys.declared.allSatisfy { !$0.description.isEmpty })
        #expect(OwnChargeConfigKeys.defaultText("CELL_CHARGE_LIMITING_VOLTAGE") == "")
        #expect(OwnChargeConfigKeys.defaultText("MAX_CELL_VOLTAGE") == "3.45")
    }

    @Test func declaredDefaultsThemselvesAreValid() throws {
        // The user's file sets every declared key to its declared default text.
        var config = ["NR_OF_CELLS_PER_BATTERY": "16"]
        for key in OwnChargeConfigKeys.declared { config[key.name] = key.defaultValue }
        let explicit = try OwnChargeConfiguration.read(from: OwnChargeTestHost(config: config))
        let implicit = try OwnChargeConfiguration.read(from: OwnChargeTestHost())
        #expect(explicit == implicit)
    }
}
