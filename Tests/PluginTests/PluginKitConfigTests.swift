import PluginKit
import Testing

@Suite struct PluginKitIniValueTests {
    @Test(arguments: [
        ("True", true), ("true", true), ("TRUE", true), (" yes ", true), ("on", true), ("1", true),
        ("False", false), ("false", false), ("No", false), ("off", false), ("0", false),
    ])
    func booleansAsConfigparser(text: String, expected: Bool) throws {
        #expect(try IniValue.bool(text) == expected)
    }

    @Test(arguments: ["", "maybe", "2", "Truee", "y"])
    func otherWordsAreNotBooleans(text: String) {
        #expect(throws: IniValueProblem.self) { try IniValue.bool(text) }
    }

    @Test func integersAndDoubles() throws {
        #expect(try IniValue.int(" 16 ") == 16)
        #expect(try IniValue.int("-1") == -1)
        #expect(throws: IniValueProblem.self) { try IniValue.int("16.0") }
        #expect(try IniValue.double("3.45") == 3.45)
        #expect(try IniValue.double("\t-2 ") == -2)
        #expect(throws: IniValueProblem.self) { try IniValue.double("nan") }
        #expect(throws: IniValueProblem.self) { try IniValue.double("inf") }
        #expect(throws: IniValueProblem.self) { try IniValue.double("3,45") }
    }

    @Test(arguments: [
        ("", [Double]()),
        ("   ", []),
        ("0.2, 1, 1, 0.1, 0", [0.2, 1, 1, 0.1, 0]),
        ("3.55,\n3.50,\n    3.45,", [3.55, 3.50, 3.45]),   // continuation lines, trailing comma
        ("1,,2", [1, 2]),
        ("[3.55, 3.50]", [3.55, 3.50]),                      // copied from Python code
        (" [\n1,\n2,\n] ", [1, 2]),
    ])
    func doubleLists(text: String, expected: [Double]) throws {
        #expect(try IniValue.doubleList(text) == expected)
    }

    @Test func badListItemIsNamed() {
        #expect(throws: IniValueProblem("item 2 (\"x\") is not a number")) { try IniValue.doubleList("1, x, 3") }
    }

    @Test func trimming() {
        #expect(IniValue.trimmed("  a b\r\n") == "a b")
        #expect(IniValue.trimmed("\n\t ") == "")
    }
}

@Suite struct PluginKitConfigReaderTests {
    let flag = ConfigKeySpec("SOME_FLAG", default: "False", "a flag")
    let voltage = ConfigKeySpec("SOME_VOLTAGE", default: "3.45", "V")
    let count = ConfigKeySpec("SOME_COUNT", default: "10", "days")
    let list = ConfigKeySpec("SOME_LIST", default: "0, 0.05, 1", "factors")
    let mode = ConfigKeySpec("SOME_MODE", default: "", "mode")

    @Test func userValuesWin() throws {
        let host = FakeStrategyHost(config: ["SOME_FLAG": "yes", "SOME_VOLTAGE": "3.5", "SOME_COUNT": "7",
                                             "SOME_LIST": "1,2", "SOME_MODE": "Sum"])
        let reader = ConfigReader(host: host)
        #expect(reader.bool(flag) == true)
        #expect(reader.double(voltage) == 3.5)
        #expect(reader.int(count) == 7)
        #expect(reader.doubleList(list) == [1, 2])
        #expect(reader.text(mode, allowed: ["", "sum"]) == "sum")
        try reader.finish(strategy: "Test")
        #expect(host.configErrors.isEmpty)
    }

    @Test func missingKeysGiveDeclaredDefaults() throws {
        let reader = ConfigReader(host: FakeStrategyHost())
        #expect(reader.bool(flag) == false)
        #expect(reader.double(voltage) == 3.45)
        #expect(reader.int(count) == 10)
        #expect(reader.doubleList(list) == [0, 0.05, 1])
        #expect(reader.text(mode) == "")
        try reader.finish(strategy: "Test")
    }

    @Test func everyBadValueIsReportedThenCreateFails() {
        let host = FakeStrategyHost(config: ["SOME_FLAG": "maybe", "SOME_VOLTAGE": "9", "SOME_COUNT": "x",
                                             "SOME_LIST": "1,a", "SOME_MODE": "other"])
        let reader = ConfigReader(host: host)
        #expect(reader.bool(flag) == false)  // falls back to the default
        _ = reader.double(voltage, in: 1...5)
        #expect(reader.int(count) == 10)
        #expect(reader.doubleList(list) == [0, 0.05, 1])
        _ = reader.text(mode, allowed: ["", "sum"])
        #expect(host.configErrors.map(\.key) == ["SOME_FLAG", "SOME_VOLTAGE", "SOME_COUNT", "SOME_LIST", "SOME_MODE"])
        #expect(host.configErrors[1].text == "must be between 1 and 5")
        #expect(host.configErrors[4].text == "must be one of: (empty), sum")
        do {
            try reader.finish(strategy: "Test")
            Issue.record("finish must throw")
        } catch {
            #expect(error.kind == .config)
            #expect(error.message.hasPrefix("Test: 5 config errors: SOME_FLAG must be True or False"))
            #expect(error.message.contains("SOME_LIST item 2"))
        }
    }

    @Test func rangeProblemCanBeWorded() {
        let host = FakeStrategyHost(config: ["SOME_COUNT": "1"])
        _ = ConfigReader(host: host).int(count, in: 2...9, problem: "must be set to the number of cells (2 or more)")
        #expect(host.configErrors.map(\.text) == ["must be set to the number of cells (2 or more)"])
    }

    @Test func badTextIsReportedOnceEvenWhenTheDefaultIsOutOfRange() {
        let unset = ConfigKeySpec("CELLS", default: "-1", "set by the host")
        let host = FakeStrategyHost(config: ["CELLS": "x"])
        _ = ConfigReader(host: host).int(unset, in: 2...9)
        #expect(host.configErrors.map(\.text) == ["must be a whole number"])
    }
}
