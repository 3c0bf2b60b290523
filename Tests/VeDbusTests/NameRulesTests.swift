import Testing
@testable import VeDbus

/// The naming rules of the D-Bus specification, checked on every received header: names and
/// paths built from every byte value against the rule written out plainly.
@Suite struct NameRulesTests {
    /// [A-Za-z0-9_], as the specification lists it.
    static func plainlyAllowed(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }

    static func path(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { MessageCoding.isValidObjectPath($0) }
    }

    static func busName(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { NameRules.isValidBusName(bytes: $0) }
    }

    @Test func everyByteIsJudgedAsTheSpecificationSays() {
        for value in 0...255 {
            let byte = UInt8(value)
            let allowed = Self.plainlyAllowed(byte)
            #expect(NameRules.isElementByte(byte) == allowed, "byte \(value)")
            #expect(Self.path(Array("/Dc/0".utf8) + [byte]) == allowed, "path with byte \(value)")
            #expect(Self.busName(Array("com.victronenergy.b".utf8) + [byte]) == (allowed || byte == UInt8(ascii: "-")),
                    "bus name with byte \(value)")
            #expect(Self.busName(Array(":1.4".utf8) + [byte]) == (allowed || byte == UInt8(ascii: "-")),
                    "unique name with byte \(value)")
        }
    }

    @Test func pathsAndNamesKeepTheirStructureRules() {
        #expect(Self.path(Array("/".utf8)))
        #expect(Self.path(Array("/Voltages/Cell12".utf8)))
        #expect(!Self.path(Array("".utf8)))
        #expect(!Self.path(Array("Dc/0".utf8)))
        #expect(!Self.path(Array("/Dc//0".utf8)))
        #expect(!Self.path(Array("/Dc/0/".utf8)))
        #expect(Self.busName(Array(":1.42".utf8)))
        #expect(Self.busName(Array("com.victronenergy.battery.ttyUSB0".utf8)))
        #expect(!Self.busName(Array("com".utf8)), "one element")
        #expect(!Self.busName(Array("com..victronenergy".utf8)))
        #expect(!Self.busName(Array("com.1victron".utf8)), "an element of a well-known name starting with a digit")
        #expect(!Self.busName(Array(":".utf8)))
        #expect(NameRules.isValidMember("PropertiesChanged"))
        #expect(!NameRules.isValidMember("9Lives"))
        #expect(!NameRules.isValidInterface("com.victron-energy.BusItem"))
    }
}
