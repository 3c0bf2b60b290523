import Testing
@testable import HostCore

@Suite("Config value forms")
struct ConfigValueParsingTests {
    @Test(arguments: ["True", "true", "TRUE", "yes", "On", "1", " True "])
    func trueWords(_ text: String) throws {
        #expect(try ConfigValueParsing.bool(text) == true)
    }

    @Test(arguments: ["False", "false", "no", "OFF", "0"])
    func falseWords(_ text: String) throws {
        #expect(try ConfigValueParsing.bool(text) == false)
    }

    @Test(arguments: ["", "Ture", "2", "[277]", "y"])
    func notBooleans(_ text: String) {
        #expect(throws: ConfigValueError.self) { try ConfigValueParsing.bool(text) }
    }

    @Test func integers() throws {
        #expect(try ConfigValueParsing.int("16") == 16)
        #expect(try ConfigValueParsing.int(" -1 ") == -1)
        #expect(try ConfigValueParsing.int("+2") == 2)
        for bad in ["", "1.0", "two", "1e3", "0x10", "99999999999999999999"] {
            #expect(throws: ConfigValueError.self) { try ConfigValueParsing.int(bad) }
        }
    }

    @Test func numbers() throws {
        #expect(try ConfigValueParsing.number("3.45") == 3.45)
        #expect(try ConfigValueParsing.number("200") == 200)
        #expect(try ConfigValueParsing.number("-.5") == -0.5)
        #expect(try ConfigValueParsing.number("2.5e-3") == 0.0025)
        for bad in ["", "nan", "inf", "0x1p3", "3,45", "1e", "."] {
            #expect(throws: ConfigValueError.self) { try ConfigValueParsing.number(bad) }
        }
    }

    @Test func numberListsAsTheOriginalReadsThem() throws {
        #expect(try ConfigValueParsing.numberList("") == [])
        #expect(try ConfigValueParsing.numberList("0.2, 1, 1, 0.1, 0") == [0.2, 1, 1, 0.1, 0])
        #expect(try ConfigValueParsing.numberList("3.55,\n3.50,\n\n3.45,") == [3.55, 3.50, 3.45])
        #expect(throws: ConfigValueError.self) { try ConfigValueParsing.numberList("3.55, x") }
    }

    @Test func smartShuntSelections() throws {
        #expect(try SmartShuntSelection.parse("False") == .none)
        #expect(try SmartShuntSelection.parse("true") == .all)
        #expect(try SmartShuntSelection.parse("[]") == .none)
        #expect(try SmartShuntSelection.parse("[277]") == .listed([.vrmInstance(277)]))
        #expect(try SmartShuntSelection.parse("[278, \"FrontShunt\"]") == .listed([.vrmInstance(278), .name("FrontShunt")]))
        #expect(try SmartShuntSelection.parse("['Front', 279]") == .listed([.name("Front"), .vrmInstance(279)]))
        #expect(try SmartShuntSelection.parse("[ 'A, B' , 3, ]") == .listed([.name("A, B"), .vrmInstance(3)]))
    }

    @Test(arguments: ["[277", "[FrontShunt]", "[-1]", "[1,,2]", "['open]", "[\"\"]", "maybe", "[2.5]"])
    func badSmartShuntSelections(_ text: String) {
        #expect(throws: ConfigValueError.self) { try SmartShuntSelection.parse(text) }
    }
}
