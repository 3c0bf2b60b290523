import BusTestSupport
import Foundation
import Testing
@testable import VeDbus

/// What other services send us is decoded by our own wire reader: random value trees, hostile
/// trees and byte-level mutations of marshalled messages must give values or errors, never a
/// crash, and wherever libdbus (the reference implementation) accepts the bytes, the same values.
/// Seeded and bounded by count; the committed corpus (Tests/Fuzz/corpus/dbus, hex) is replayed.
@Suite struct FuzzMessageDecodingTests {
    /// A D-Bus type to generate values of.
    indirect enum ValueType {
        case basic(Character)
        case array(ValueType)
        case dictionary(Character, ValueType)
        case variant
        case structure([ValueType])

        var signature: String {
            switch self {
            case .basic(let c): return String(c)
            case .array(let element): return "a" + element.signature
            case .dictionary(let key, let value): return "a{\(key)\(value.signature)}"
            case .variant: return "v"
            case .structure(let fields): return "(" + fields.map(\.signature).joined() + ")"
            }
        }
    }

    static let basicCodes: [Character] = ["y", "b", "n", "q", "i", "u", "x", "t", "d", "s", "o", "g"]

    static func randomType(_ r: inout FuzzRandom, depth: Int) -> ValueType {
        guard depth > 0, !r.oneIn(2) else { return .basic(basicCodes[r.below(basicCodes.count)]) }
        switch r.below(4) {
        case 0: return .array(randomType(&r, depth: depth - 1))
        case 1: return .dictionary(basicCodes[r.below(basicCodes.count)], randomType(&r, depth: depth - 1))
        case 2: return .variant
        default: return .structure((0..<(1 + r.below(3))).map { _ in randomType(&r, depth: depth - 1) })
        }
    }

    static func randomString(_ r: inout FuzzRandom) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", "/", " ", "é", "€", "🔋", "\u{7F}", "\u{FFFD}", "_"]
        return String(String.UnicodeScalarView((0..<r.below(12)).map { _ in pool[r.below(pool.count)] }))
    }

    static func randomValue(of type: ValueType, _ r: inout FuzzRandom, depth: Int) -> DBusValue {
        switch type {
        case .basic(let code):
            switch code {
            case "y": return .byte(UInt8.random(in: 0...255, using: &r))
            case "b": return .bool(r.oneIn(2))
            case "n": return .int16(Int16.random(in: .min ... .max, using: &r))
            case "q": return .uint16(UInt16.random(in: 0 ... .max, using: &r))
            case "i": return .int32(Int32.random(in: .min ... .max, using: &r))
            case "u": return .uint32(UInt32.random(in: 0 ... .max, using: &r))
            case "x": return .int64(Int64.random(in: .min ... .max, using: &r))
            case "t": return .uint64(UInt64.random(in: 0 ... .max, using: &r))
            case "d": return .double([0, -0.0, 1e308, -1e-308, .infinity, 53.21][r.below(6)])
            case "s": return .string(randomString(&r))
            case "o": return .objectPath(["/", "/Dc/0/Voltage", "/a_b/C9"][r.below(3)])
            default: return .signature(["", "a{sv}", "(iv)", "aai"][r.below(4)])
            }
        case .array(let element):
            return .array(elementSignature: element.signature,
                          (0..<r.below(4)).map { _ in randomValue(of: element, &r, depth: depth - 1) })
        case .dictionary(let key, let value):
            return .dictionary(keySignature: String(key), valueSignature: value.signature, (0..<r.below(4)).map { _ in
                .init(randomValue(of: .basic(key), &r, depth: depth - 1), randomValue(of: value, &r, depth: depth - 1))
            })
        case .variant:
            return .variant(randomValue(of: randomType(&r, depth: max(0, depth - 1)), &r, depth: depth - 1))
        case .structure(let fields):
            return .structure(fields.map { randomValue(of: $0, &r, depth: depth - 1) })
        }
    }

    /// A tree that breaks some rule: a wrong element type, an empty struct, a bad path or
    /// signature, a NUL in a string, or nesting far deeper than D-Bus allows.
    static func hostileValue(_ r: inout FuzzRandom) -> DBusValue {
        switch r.below(7) {
        case 0: return .array(elementSignature: "i", [.int32(1), .string("two")])
        case 1: return .structure([])
        case 2: return .objectPath(["", "x", "//", "/a/", "/a-b", "/é"][r.below(6)])
        case 3: return .signature(["a", "a{", "{sv}", "(", "a{vs}", String(repeating: "a", count: 300) + "i"][r.below(6)])
        case 4: return .string("nul\u{0}inside")
        case 5: return .dictionary(keySignature: ["v", "ai", "", "ss"][r.below(4)], valueSignature: "i", [])
        default:
            var value = DBusValue.int32(1)
            let depth = 30 + r.below(80)
            for level in 0..<depth {
                switch r.below(3) {
                case 0: value = .variant(value)
                case 1: value = .structure([value])
                default: value = .array(elementSignature: value.signature, [value])
                }
                if level > 200 { break }
            }
            return value
        }
    }

    static func methodCall(_ arguments: [DBusValue]) throws -> Message {
        try Message.methodCall(destination: "com.victronenergy.fuzz", path: "/Fuzz",
                               interface: "com.victronenergy.BusItem", member: "SetValue", arguments: arguments)
    }

    /// The wire form of `message`, numbered as a connection would.
    static func marshal(_ message: Message) -> [UInt8] {
        message.setSerial(7)
        return message.frame
    }

    /// Reads `bytes` as a connection reads a message from the bus (the first message its header
    /// delimits, as libdbus's demarshal does), then decodes every argument. Returns the values,
    /// or nil when we refused the bytes; never crashes.
    @discardableResult
    static func decode(_ bytes: [UInt8]) -> [DBusValue]? {
        guard let message = try? Message(frame: firstFrame(bytes)) else { return nil }
        _ = (message.kind, message.path, message.member, message.interface, message.sender, message.signature)
        return try? message.arguments()
    }

    /// Equal values, doubles compared by their bits (a NaN read from the wire equals itself).
    static func identical(_ a: DBusValue, _ b: DBusValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.variant(let x), .variant(let y)): return identical(x, y)
        case (.array(let s, let x), .array(let t, let y)): return s == t && x.count == y.count && zip(x, y).allSatisfy(identical)
        case (.structure(let x), .structure(let y)): return x.count == y.count && zip(x, y).allSatisfy(identical)
        case (.dictionary(let k, let v, let x), .dictionary(let l, let w, let y)):
            return k == l && v == w && x.count == y.count
                && zip(x, y).allSatisfy { identical($0.key, $1.key) && identical($0.value, $1.value) }
        default: return a == b
        }
    }

    /// The bytes of the first message, as `MessageHeader.frameLength` delimits it (empty if cut short).
    static func firstFrame(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= MessageHeader.fixedLength,
              let length = bytes.withUnsafeBytes({ try? MessageHeader.frameLength(UnsafeRawBufferPointer(rebasing: $0[0..<MessageHeader.fixedLength])) }),
              length <= bytes.count else { return [] }
        return Array(bytes.prefix(length))
    }

    static func whyRefused(_ bytes: [UInt8]) -> String {
        do {
            let message = try Message(frame: firstFrame(bytes))
            _ = try message.arguments()
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    /// Decodes `bytes` with our reader and with libdbus: where libdbus accepts them, we must
    /// read the same values. Returns whether libdbus accepted them.
    @discardableResult
    static func decodeAndCompare(_ bytes: [UInt8], _ what: String) -> Bool {
        let ours = decode(bytes)
        guard let reference = LibdbusReference.read(bytes) else { return false }
        let same = ours.map { $0.count == reference.arguments.count && zip($0, reference.arguments).allSatisfy(identical) } ?? false
        #expect(same, "\(what): libdbus read \(reference.arguments) (\(reference.signature)); ours: \(Self.whyRefused(bytes))")
        return true
    }

    @Test func randomValueTreesSurviveARoundTripThroughTheWire() throws {
        var r = FuzzRandom(seed: FuzzBudget.seed)
        for _ in 0..<FuzzBudget.iterations(default: 1500) {
            let values = (0..<(1 + r.below(3))).map { _ in Self.randomValue(of: Self.randomType(&r, depth: 4), &r, depth: 4) }
            let message = try Self.methodCall(values)
            #expect(try message.arguments() == values)
            let bytes = Self.marshal(message)
            #expect(Self.decode(bytes) == values)
            // libdbus reads what we wrote, and we read what libdbus wrote.
            #expect(LibdbusReference.read(bytes)?.arguments == values, "\(message.signature)")
            #expect(LibdbusReference.marshalledCall(values).flatMap(Self.decode) == values, "\(message.signature)")
        }
    }

    @Test func hostileValueTreesAreErrorsNotAborts() {
        var r = FuzzRandom(seed: FuzzBudget.seed ^ 1)
        for _ in 0..<FuzzBudget.iterations(default: 500) {
            let value = Self.hostileValue(&r)
            // Either refused, or written and read back the same.
            if let message = try? Self.methodCall([value]) {
                #expect((try? message.arguments()) == [value], "\(value.signature)")
            }
        }
    }

    @Test func corpusMessagesDecodeOrAreRefused() {
        let corpus = FuzzBudget.corpus("dbus")
        #expect(corpus.count >= 4, "the committed corpus is missing")
        for (name, text) in corpus {
            let bytes = Self.bytes(fromHex: String(decoding: text, as: UTF8.self))
            #expect(!bytes.isEmpty, "\(name) is not hex")
            #expect(Self.decodeAndCompare(bytes, name), "libdbus refused the corpus file \(name)")
        }
    }

    @Test func mutatedMarshalledMessagesDecodeOrAreRefused() throws {
        var r = FuzzRandom(seed: FuzzBudget.seed ^ 2)
        var seeds = FuzzBudget.corpus("dbus").map { Self.bytes(fromHex: String(decoding: $0.bytes, as: UTF8.self)) }
        for _ in 0..<8 {
            seeds.append(Self.marshal(try Self.methodCall([Self.randomValue(of: Self.randomType(&r, depth: 3), &r, depth: 3)])))
        }
        var accepted = 0
        for _ in 0..<FuzzBudget.iterations(default: 6000) {
            var bytes = seeds[r.below(seeds.count)]
            for _ in 0..<(1 + r.below(4)) { bytes = r.mutate(bytes) }
            if Self.decodeAndCompare(bytes, "mutant") { accepted += 1 }
        }
        // Some mutants must get past libdbus, or only its validator was compared, not our decoder.
        #expect(accepted > 0)
    }

    /// The monitor's fast ItemsChanged reader on mutated ItemsChanged signals: never a crash,
    /// and wherever the generic decoder reads the message, the same paths and values as it.
    @Test func mutatedItemsChangedReadLikeTheGenericDecoder() throws {
        var r = FuzzRandom(seed: FuzzBudget.seed ^ 3)
        let item = { (value: DBusValue, text: String) in DBusValue.stringVariantDictionary([("Value", value), ("Text", .string(text))]) }
        let values: [DBusValue] = [.double(53.21), .int32(-4), .uint32(7), .int64(9), .uint64(3), .bool(true), .byte(2),
                                   .int16(-5), .string("C7"), .invalid, .array(elementSignature: "s", [.string("x")])]
        var seeds: [[UInt8]] = []
        for _ in 0..<12 {
            let entries = (0..<(1 + r.below(6))).map { index in
                DBusValue.DictEntry(.string("/Voltages/Cell\(index + 1)"), item(values[r.below(values.count)], "t"))
            }
            seeds.append(Self.marshal(try Message.signal(path: "/", interface: "com.victronenergy.BusItem", member: "ItemsChanged",
                                                         arguments: [.dictionary(keySignature: "s", valueSignature: "a{sv}", entries)])))
        }
        var compared = 0
        for _ in 0..<FuzzBudget.iterations(default: 6000) {
            var bytes = seeds[r.below(seeds.count)]
            for _ in 0..<r.below(4) { bytes = r.mutate(bytes) }
            guard let message = try? Message(frame: Self.firstFrame(bytes)), message.hasSignature(ItemsDecoding.signature) else { continue }
            var fast: [(String, DBusValue)] = []
            let fastWorked = (try? ItemsDecoding.forEachItem(in: message) { path, value in fast.append((String(decoding: path, as: UTF8.self), value)) }) != nil
            guard case .dictionary(_, _, let entries)? = (try? message.arguments())?.first else { continue }
            let generic = entries.compactMap { entry -> (String, DBusValue)? in
                guard case .string(let path) = entry.key, let fields = entry.value.stringKeyedEntries,
                      let value = fields.first(where: { $0.0 == "Value" })?.1 else { return nil }
                return (path, value)
            }
            compared += 1
            #expect(fastWorked && fast.count == generic.count
                    && zip(fast, generic).allSatisfy { $0.0 == $1.0 && Self.identical($0.1, $1.1) },
                    "fast \(fast) generic \(generic)")
        }
        #expect(compared > 0)
    }

    /// The monitor's in-place PropertiesChanged reader on mutated signals (and field orders it
    /// has no shortcut for): never a crash, and wherever the generic decoder reads the body,
    /// the same "Value" as it, or none when it has none.
    @Test func mutatedPropertiesChangedReadLikeTheGenericDecoder() throws {
        var r = FuzzRandom(seed: FuzzBudget.seed ^ 5)
        let values: [DBusValue] = [.double(3.312), .int32(-4), .uint32(7), .int64(9), .bool(false), .byte(2), .string("C7"),
                                   .invalid, .array(elementSignature: "s", [.string("x")])]
        var seeds: [[UInt8]] = []
        for _ in 0..<12 {
            var fields: [(String, DBusValue)] = [("Value", values[r.below(values.count)]), ("Text", .string("3.312V"))]
            if r.below(3) == 0 { fields.reverse() }
            if r.below(4) == 0 { fields.removeFirst() }
            seeds.append(Self.marshal(try Message.signal(path: "/Voltages/Cell\(1 + r.below(16))", interface: "com.victronenergy.BusItem",
                                                         member: "PropertiesChanged", arguments: [.stringVariantDictionary(fields)])))
        }
        // The layout nearly every driver sends, which the monitor's raw reader takes.
        seeds.append(Self.marshal(try Message.signal(path: "/Dc/0/Voltage", interface: "com.victronenergy.BusItem",
                                                     member: "PropertiesChanged",
                                                     arguments: [.stringVariantDictionary([("Value", .double(52.71)),
                                                                                           ("Text", .string("52.71V"))])])))
        var compared = 0
        var takenRaw = 0
        for _ in 0..<FuzzBudget.iterations(default: 6000) {
            var bytes = seeds[r.below(seeds.count)]
            for _ in 0..<r.below(4) { bytes = r.mutate(bytes) }
            let frame = Self.firstFrame(bytes)
            // The monitor's raw reader (header and number read in the read buffer) accepts only
            // what the Message path accepts, and reads the same number.
            let raw = frame.withUnsafeBytes { raw -> (MessageHeader?, Double?) in
                guard let header = try? MessageHeader(raw: raw, frame: nil) else { return (nil, nil) }
                return (header, header.hasSignature(in: raw, "a{sv}")
                    ? ItemsDecoding.plainPropertyNumber(in: raw, bigEndian: header.bigEndian, bodyStart: header.bodyStart) : nil)
            }
            let full = try? Message(frame: frame)
            if let rawHeader = raw.0 {
                #expect(full != nil, "the raw header read what the full reader refuses")
                #expect(full.map { $0.header.sender == rawHeader.sender && $0.header.path == rawHeader.path
                    && $0.header.signature == rawHeader.signature && $0.header.bodyStart == rawHeader.bodyStart } == true)
            }
            if let number = raw.1 {
                takenRaw += 1
                guard let full, case .number(let read)? = try? ItemsDecoding.propertyValue(in: full) else {
                    Issue.record("the raw reader took a number the Message path does not read as one")
                    continue
                }
                #expect(read.bitPattern == number.bitPattern)
            }
            guard let message = full, message.hasSignature(ItemsDecoding.propertiesSignature) else { continue }
            let fast = try? ItemsDecoding.propertyValue(in: message)
            guard let fields = (try? message.arguments())?.first?.stringKeyedEntries else { continue }
            let generic = fields.first(where: { $0.0 == "Value" })?.1
            compared += 1
            switch fast {
            case .number(let number)?: #expect(generic.map { Self.identical($0, .double(number)) } == true, "fast \(number) generic \(String(describing: generic))")
            case .other(let value)?: #expect(generic.map { Self.identical($0, value) } == true, "fast \(value) generic \(String(describing: generic))")
            case .none?: #expect(generic == nil, "fast none, generic \(String(describing: generic))")
            case nil: Issue.record("the fast reader refused what the generic one read: \(fields)")
            }
        }
        #expect(compared > 0)
        #expect(takenRaw > 0)
    }

    /// Venus-shaped messages the corpus starts from: GetItems replies, ItemsChanged with an
    /// invalid value, a deep tree. `FUZZ_WRITE_CORPUS=1 swift test --filter FuzzMessage` rewrites them.
    static func corpusSeeds() throws -> [(String, Message)] {
        let item = { (value: DBusValue, text: String) in DBusValue.stringVariantDictionary([("Value", value), ("Text", .string(text))]) }
        let items = DBusValue.dictionary(keySignature: "s", valueSignature: "a{sv}", [
            .init(.string("/Dc/0/Voltage"), item(.double(53.2), "53.20V")),
            .init(.string("/Soc"), item(.invalid, "---")),
            .init(.string("/ProductName"), item(.string("SerialBattery"), "SerialBattery")),
        ])
        var deep = DBusValue.int32(1)
        for _ in 0..<20 { deep = .variant(.structure([deep, .string("x")])) }
        return [
            ("get-items-reply.hex", try methodCall([items])),
            ("items-changed-signal.hex", try Message.signal(path: "/", interface: "com.victronenergy.BusItem",
                                                            member: "ItemsChanged", arguments: [items])),
            ("properties-changed-invalid.hex", try Message.signal(path: "/Soc", interface: "com.victronenergy.BusItem",
                                                                  member: "PropertiesChanged",
                                                                  arguments: [.stringVariantDictionary([("Value", .invalid)])])),
            ("deep-variants.hex", try methodCall([deep])),
            ("every-basic-type.hex", try methodCall([.byte(1), .bool(true), .int16(-2), .uint16(3), .int32(-4), .uint32(5),
                                                     .int64(-6), .uint64(7), .double(8.5), .string("s"),
                                                     .objectPath("/o"), .signature("a{sv}")])),
        ]
    }

    @Test func writeCorpusWhenAsked() throws {
        guard ProcessInfo.processInfo.environment["FUZZ_WRITE_CORPUS"] == "1" else { return }
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/dbus").path
        for (name, message) in try Self.corpusSeeds() {
            let hex = Self.marshal(message).map { String(format: "%02x", $0) }
            let lines = stride(from: 0, to: hex.count, by: 32).map { hex[$0..<min(hex.count, $0 + 32)].joined() }
            try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    static func bytes(fromHex text: String) -> [UInt8] {
        let digits = text.unicodeScalars.filter { CharacterSet(charactersIn: "0123456789abcdefABCDEF").contains($0) }.map(Character.init)
        var result: [UInt8] = []
        var index = 0
        while index + 1 < digits.count {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return [] }
            result.append(byte)
            index += 2
        }
        return result
    }
}
