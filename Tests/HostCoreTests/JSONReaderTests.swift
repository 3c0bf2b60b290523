import BusTestSupport
import Foundation
import Testing
@testable import HostCore

/// The trace's JSON reader against Foundation's, on valid documents generated at random and on
/// the mistakes a hand-edited or cut-off trace has.
@Suite struct JSONReaderTests {
    @Test func escapesAndUnicodeAreRead() throws {
        let value = try JSONReader.parse(#"{"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\udd0b","b":[true,false,null,-0.5e-3,12]}"#).get()
        #expect(value["a"]?.string == "\"\\/\u{8}\u{c}\n\r\té🔋")
        #expect(value["b"] == .array([.bool(true), .bool(false), .null, .number(-0.0005), .number(12)]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "+1", ".5", "1.", "nan", "\"\u{01}\"",
                      "\"\\x\"", "\"\\u12\"", "[1] 2", "{\"a\":tru}", "\"\\ud800\\u0041\""])
    func malformedTextIsRefused(text: String) {
        if case .success(let value) = JSONReader.parse(text) { Issue.record("accepted \(text) as \(value)") }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        guard case .failure(let error) = JSONReader.parse(deep) else {
            Issue.record("accepted 100 levels")
            return
        }
        #expect(error.problem.contains("nested"))
        #expect((try? JSONReader.parse(String(repeating: "[", count: 20) + String(repeating: "]", count: 20)).get()) != nil)
    }

    /// Random documents written by Foundation read as Foundation reads them.
    @Test func randomDocumentsReadAsFoundationReadsThem() throws {
        var random = FuzzRandom(seed: 20261206)
        for _ in 0..<500 {
            let document = Self.randomValue(&random, depth: 0)
            let data = try JSONSerialization.data(withJSONObject: ["v": document], options: [.fragmentsAllowed])
            let text = String(decoding: data, as: UTF8.self)
            let ours = try JSONReader.parse(text).get()
            #expect(Self.same(ours["v"], document), "\(text)")
        }
    }

    static func randomValue(_ random: inout FuzzRandom, depth: Int) -> Any {
        switch random.below(depth > 3 ? 4 : 6) {
        case 0: return NSNull()
        case 1: return random.below(2) == 0
        case 2: return Double(Int(random.below(2_000_000)) - 1_000_000) / 1000
        case 3:
            let alphabet = Array("ab\"\\/\n\té🔋 ,:{}[]")
            return String((0..<random.below(8)).map { _ in alphabet[random.below(alphabet.count)] })
        case 4: return (0..<random.below(4)).map { _ in randomValue(&random, depth: depth + 1) }
        default:
            var object: [String: Any] = [:]
            for index in 0..<random.below(4) { object["k\(index)"] = randomValue(&random, depth: depth + 1) }
            return object
        }
    }

    static func same(_ ours: JSONValue?, _ theirs: Any) -> Bool {
        switch (ours, theirs) {
        case (.null?, is NSNull): return true
        case (.bool(let a)?, let b as Bool): return a == b
        case (.number(let a)?, let b as NSNumber): return a == b.doubleValue
        case (.string(let a)?, let b as String): return a == b
        case (.array(let a)?, let b as [Any]): return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.object(let members)?, let b as [String: Any]):
            return members.count == b.count && members.allSatisfy { member in b[member.key].map { same(member.value, $0) } ?? false }
        default: return false
        }
    }
}
