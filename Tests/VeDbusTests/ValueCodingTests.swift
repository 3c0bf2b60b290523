import Testing
@testable import VeDbus

/// Encoding and decoding through real libdbus messages, without a bus.
@Suite struct ValueCodingTests {
    /// Writes `values` into a message and reads them back.
    private func roundTrip(_ values: [DBusValue]) throws -> [DBusValue] {
        let message = try Message.methodCall(destination: "com.victronenergy.test", path: "/Test",
                                             interface: "com.victronenergy.BusItem", member: "SetValue",
                                             arguments: values)
        return try message.arguments()
    }

    static let everyVenusType: [DBusValue] = [
        .double(53.21), .int32(-7), .uint32(4_000_000_000), .int64(-9_000_000_000), .uint64(18_000_000_000_000_000_000),
        .byte(200), .bool(true), .bool(false), .int16(-300), .uint16(60000), .string("SerialBattery"),
        .objectPath("/Dc/0/Voltage"), .signature("a{sv}"),
        .variant(.double(3.3)),
        .array(elementSignature: "v", [.variant(.int32(1)), .variant(.string("x"))]),
        .stringVariantDictionary([("Value", .double(12.5)), ("Text", .string("12.50V"))]),
        .dictionary(keySignature: "s", valueSignature: "a{sv}", [
            .init(.string("/Soc"), .stringVariantDictionary([("Value", .double(50)), ("Text", .string("50%"))])),
            .init(.string("/ConsumedAmphours"), .stringVariantDictionary([("Value", .invalid), ("Text", .string("---"))])),
        ]),
        .structure([.int32(1), .string("two")]),
    ]

    @Test(arguments: everyVenusType)
    func valueSurvivesARoundTrip(_ value: DBusValue) throws {
        #expect(try roundTrip([value]) == [value])
    }

    @Test func signaturesAreTheWireSignatures() {
        #expect(DBusValue.double(1).signature == "d")
        #expect(DBusValue.invalid.signature == "ai")
        #expect(DBusValue.stringVariantDictionary([]).signature == "a{sv}")
        #expect(DBusValue.dictionary(keySignature: "s", valueSignature: "a{sv}", []).signature == "a{sa{sv}}")
        #expect(DBusValue.array(elementSignature: "v", []).signature == "av")
    }

    @Test func invalidIsAVariantHoldingAnEmptyArray() throws {
        let decoded = try roundTrip([DBusValue.invalid.asVariant])
        #expect(decoded == [.variant(.array(elementSignature: "i", []))])
        #expect(decoded[0].isInvalid)
        // Any empty array counts as invalid, whatever its element type.
        #expect(DBusValue.array(elementSignature: "s", []).isInvalid)
        #expect(DBusValue.variant(.dictionary(keySignature: "s", valueSignature: "v", [])).isInvalid)
        #expect(!DBusValue.array(elementSignature: "i", [.int32(0)]).isInvalid)
        #expect(!DBusValue.double(0).isInvalid)
    }

    @Test func numbersAreReadFromEveryNumericType() {
        #expect(DBusValue.int32(5).number == 5)
        #expect(DBusValue.variant(.uint16(7)).number == 7)
        #expect(DBusValue.byte(1).number == 1)
        #expect(DBusValue.double(2.5).number == 2.5)
        #expect(DBusValue.double(.nan).number == nil)
        #expect(DBusValue.string("5").number == nil)
        #expect(DBusValue.invalid.number == nil)
        #expect(DBusValue.double(3.0).integer == 3)
        #expect(DBusValue.double(3.5).integer == nil)
    }

    @Test func aStringWithANulByteIsAnErrorNotAnAbort() {
        #expect(throws: DBusError.self) { try roundTrip([.string("bad\u{0}string")]) }
        #expect(throws: DBusError.self) { try roundTrip([.variant(.string("\u{0}"))]) }
    }

    @Test func invalidObjectPathsAndSignaturesAreErrors() {
        #expect(throws: DBusError.self) { try roundTrip([.objectPath("no/leading/slash")]) }
        #expect(throws: DBusError.self) { try roundTrip([.objectPath("/trailing/")]) }
        #expect(throws: DBusError.self) { try roundTrip([.objectPath("/bad-char")]) }
        #expect(throws: DBusError.self) { try roundTrip([.signature("a{")]) }
        #expect(throws: DBusError.self) {
            try Message.methodCall(destination: "com.victronenergy.x", path: "//", interface: nil, member: "GetValue")
        }
        #expect(throws: DBusError.self) {
            try Message.methodCall(destination: "not a bus name", path: "/", interface: nil, member: "GetValue")
        }
    }

    @Test func anArrayMustHoldItsDeclaredType() {
        #expect(throws: DBusError.self) {
            try roundTrip([.array(elementSignature: "i", [.int32(1), .string("two")])])
        }
        #expect(throws: DBusError.self) {
            try roundTrip([.dictionary(keySignature: "s", valueSignature: "v", [.init(.int32(1), .variant(.int32(1)))])])
        }
    }

    @Test func textFormsAreFixedPoint() {
        #expect(TextFormat.fixedPoint(53.2, decimals: 2) == "53.20")
        #expect(TextFormat.fixedPoint(3.4567, decimals: 3) == "3.457")
        #expect(TextFormat.fixedPoint(-1.25, decimals: 1) == "-1.2")
        #expect(TextFormat.fixedPoint(-0.004, decimals: 2) == "0.00")
        #expect(TextFormat.fixedPoint(1234.5, decimals: 0) == "1234")
        #expect(TextFormat.fixedPoint(0.05, decimals: 1) == "0.1")
        #expect(TextFormat.fixed(2, "V")(.double(53.2)) == "53.20V")
        #expect(TextFormat.fixed(0, "W")(.int32(-1500)) == "-1500W")
    }

    @Test func descriptionIsPythonLike() {
        #expect(DBusValue.invalid.description == "---")
        #expect(DBusValue.int32(99).description == "99")
        #expect(DBusValue.string("Virtual").description == "Virtual")
    }
}
