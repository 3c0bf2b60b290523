import Testing
import BusTestSupport
@testable import VeDbus

/// Encoding and decoding of values in our wire format, without a bus.
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
        // A formatter writes the unit with the digits; the same rules as fixedPoint's.
        #expect(TextFormat.fixed(2, "A")(.double(-0.004)) == "0.00A")
        #expect(TextFormat.fixed(3, "V")(.double(0.0004)) == "0.000V")
        #expect(TextFormat.fixed(1, "%")(.double(-12.25)) == "-12.2%")
        // Beyond the exact range (1e17 has no 2-decimal integer form below 2^53): printf, then the unit.
        #expect(TextFormat.fixed(2, "V")(.double(1e17)) == "100000000000000000.00V")
        #expect(TextFormat.fixed(8, "")(.double(0.5)) == "0.50000000")
    }

    @Test func descriptionIsPythonLike() {
        #expect(DBusValue.invalid.description == "---")
        #expect(DBusValue.int32(99).description == "99")
        #expect(DBusValue.string("Virtual").description == "Virtual")
    }
}

/// The exact fixed-point formatter against libc's printf, which it replaces for measurements:
/// the same text for values at and around every halfway case, and for random ones.
@Suite struct FixedPointTests {
    @Test(arguments: 0...6)
    func sameTextAsPrintf(places: Int) {
        var r = FuzzRandom(seed: 99 &+ UInt64(places))
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 3.4565, 53.205, 1e-300, 5e-324,
                                123456.5, 8.9e15 / 1e6, -1e-7]
        for _ in 0..<3000 {
            // Decimal-looking values (most are not exact in binary) and halfway cases.
            let units = Double(Int(r.below(2_000_000)) - 1_000_000)
            values.append(units / 1000)
            values.append((units + 0.5) / Double([1, 10, 100, 1000][r.below(4)]))
            values.append(Double(bitPattern: UInt64.random(in: 0 ... .max, using: &r)))
        }
        for value in values where value.isFinite {
            guard let exact = TextFormat.exactFixedPoint(value, places: places) else { continue }
            #expect(exact == TextFormat.printfFixedPoint(value, places: places), "\(value) with \(places) places")
        }
    }
}
