import BusTestSupport
import Testing
@testable import VeDbus

/// The framing layer without a socket: bytes in, messages (or refusals) out, whatever the
/// split of the stream; the outgoing queue's bounds; the handshake's answers.
@Suite struct FrameReaderTests {
    /// Header field codes of the specification.
    enum Field: UInt8 {
        case path = 1, interface, member, errorName, replySerial, destination, sender, signature
    }

    /// A message written by hand in either byte order, so that the reader is tested on bytes no
    /// encoder of ours produced: `fields` in the given order (repeats allowed), `body` as is.
    static func handMade(bigEndian: Bool = false, kind: UInt8 = 1, flags: UInt8 = 0, serial: UInt32 = 5,
                         fields: [(code: UInt8, type: Character, value: String)], signature: String = "",
                         body: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = []
        func pad(_ alignment: Int) { while bytes.count % alignment != 0 { bytes.append(0) } }
        func uint32(_ value: UInt32) {
            pad(4)
            for index in 0..<4 {
                let shift = bigEndian ? 8 * (3 - index) : 8 * index
                bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
            }
        }
        bytes += [bigEndian ? UInt8(ascii: "B") : UInt8(ascii: "l"), kind, flags, 1]
        uint32(UInt32(body.count))
        uint32(serial)
        let lengthAt = bytes.count
        uint32(0)
        let fieldsStart = bytes.count
        var allFields = fields
        if !signature.isEmpty { allFields.append((Field.signature.rawValue, "g", signature)) }
        for field in allFields {
            pad(8)
            bytes.append(field.code)
            bytes += [1, UInt8(ascii: String(field.type).unicodeScalars.first!), 0]
            switch field.type {
            case "g":
                bytes.append(UInt8(field.value.utf8.count))
                bytes += Array(field.value.utf8) + [0]
            case "u":
                uint32(UInt32(field.value)!)
            default:
                uint32(UInt32(field.value.utf8.count))
                bytes += Array(field.value.utf8) + [0]
            }
        }
        let fieldsLength = UInt32(bytes.count - fieldsStart)
        for index in 0..<4 {
            let shift = bigEndian ? 8 * (3 - index) : 8 * index
            bytes[lengthAt + index] = UInt8(truncatingIfNeeded: fieldsLength >> UInt32(shift))
        }
        pad(8)
        return bytes + body
    }

    /// A call of GetValue on /Soc from `:1.7`.
    static func call(serial: UInt32 = 5, bigEndian: Bool = false) -> [UInt8] {
        handMade(bigEndian: bigEndian, serial: serial, fields: [
            (Field.path.rawValue, "o", "/Soc"), (Field.interface.rawValue, "s", "com.victronenergy.BusItem"),
            (Field.member.rawValue, "s", "GetValue"), (Field.destination.rawValue, "s", "com.victronenergy.battery.aggregate"),
            (Field.sender.rawValue, "s", ":1.7"),
        ])
    }

    /// A signal with one string argument, `text`.
    static func signal(serial: UInt32, text: String, bigEndian: Bool = false) -> [UInt8] {
        var body: [UInt8] = []
        let length = UInt32(text.utf8.count)
        body += bigEndian ? [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            : [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
        body += Array(text.utf8) + [0]
        return handMade(bigEndian: bigEndian, kind: 4, serial: serial, fields: [
            (Field.path.rawValue, "o", "/Serial"), (Field.interface.rawValue, "s", "com.victronenergy.BusItem"),
            (Field.member.rawValue, "s", "Note"), (Field.sender.rawValue, "s", ":1.9"),
        ], signature: "s", body: body)
    }

    /// Everything `reader` can give now.
    static func drain(_ reader: FrameReader) throws -> [ReceivedFrame] {
        var frames: [ReceivedFrame] = []
        while let frame = try reader.next() { frames.append(frame) }
        return frames
    }

    /// A short account of a frame, for comparing outcomes.
    static func summary(_ frame: ReceivedFrame) -> String {
        switch frame {
        case .message(let message):
            let argument = (try? message.arguments())?.first?.string ?? ""
            return "message \(message.serial) \(message.member ?? "-") \(message.sender ?? "-") \(argument)"
        case .rejected(let reason, let target):
            return "rejected (\(reason)) answer \(target.map { "\($0.sender)#\($0.serial)" } ?? "nobody")"
        case .oversized(let length, let header):
            return "oversized \(length) \(header?.member ?? "-") \(header?.serial ?? 0)"
        case .taken:
            return "taken"
        }
    }

    @Test func aStreamSplitAtEveryByteGivesTheSameMessages() throws {
        let stream = Self.call(serial: 3) + Self.signal(serial: 4, text: "ab", bigEndian: true)
            + Self.signal(serial: 5, text: "little") + Self.call(serial: 6, bigEndian: true)
        let whole = FrameReader()
        whole.append(stream)
        let expected = try Self.drain(whole).map(Self.summary)
        #expect(expected == [
            "message 3 GetValue :1.7 ", "message 4 Note :1.9 ab", "message 5 Note :1.9 little", "message 6 GetValue :1.7 ",
        ])
        for split in 0...stream.count {
            let reader = FrameReader()
            reader.append(Array(stream[..<split]))
            var frames = try Self.drain(reader)
            reader.append(Array(stream[split...]))
            frames += try Self.drain(reader)
            #expect(frames.map(Self.summary) == expected, "split at byte \(split)")
            #expect(reader.bufferedBytes == 0)
        }
    }

    /// A raw reader sees each whole message where it lies and takes what it wants: those come
    /// out as `.taken`, the rest as usual, in order, however the stream is split.
    @Test func aRawReaderTakesWholeMessagesInPlaceWhereverTheStreamIsSplit() throws {
        let stream = Self.call(serial: 3) + Self.signal(serial: 4, text: "ab") + Self.signal(serial: 0, text: "zero")
            + Self.signal(serial: 6, text: "cd", bigEndian: true)
        for split in 1..<stream.count {
            let reader = FrameReader()
            var seen: [Int] = []
            let takeSignals: (UnsafeRawBufferPointer) -> Bool = { raw in
                seen.append(raw.count)
                return raw[1] == 4  // signals
            }
            var frames: [ReceivedFrame] = []
            for part in [Array(stream[..<split]), Array(stream[split...])] {
                reader.append(part)
                while let frame = try reader.next(rawReader: takeSignals) { frames.append(frame) }
            }
            #expect(frames.map(Self.summary) == [
                "message 3 GetValue :1.7 ", "taken", "rejected (message with serial 0) answer nobody", "taken",
            ], "split at \(split)")
            // Only whole messages with a serial were shown, each once.
            #expect(seen == [Self.call(serial: 3).count, Self.signal(serial: 4, text: "ab").count,
                             Self.signal(serial: 6, text: "cd", bigEndian: true).count], "split at \(split)")
        }
    }

    @Test func aStreamFedOneByteAtATimeGivesTheSameMessages() throws {
        let stream = Self.signal(serial: 8, text: "one") + Self.call(serial: 9)
        let reader = FrameReader()
        var frames: [ReceivedFrame] = []
        for byte in stream {
            reader.append([byte])
            frames += try Self.drain(reader)
        }
        #expect(frames.map(Self.summary) == ["message 8 Note :1.9 one", "message 9 GetValue :1.7 "])
    }

    @Test func anUnknownHeaderFieldIsSkipped() throws {
        let reader = FrameReader()
        reader.append(Self.handMade(serial: 11, fields: [
            (Field.path.rawValue, "o", "/Soc"), (42, "s", "from a later version"), (Field.member.rawValue, "s", "GetValue"),
            (Field.sender.rawValue, "s", ":1.7"),
        ]))
        #expect(try Self.drain(reader).map(Self.summary) == ["message 11 GetValue :1.7 "])
    }

    @Test func aDuplicateHeaderFieldIsRefusedAndTheCallerAnswered() throws {
        let reader = FrameReader()
        reader.append(Self.handMade(serial: 12, fields: [
            (Field.path.rawValue, "o", "/Soc"), (Field.member.rawValue, "s", "GetValue"),
            (Field.member.rawValue, "s", "SetValue"), (Field.sender.rawValue, "s", ":1.7"),
        ]) + Self.call(serial: 13))
        let frames = try Self.drain(reader).map(Self.summary)
        #expect(frames == ["rejected (header field 3 appears twice) answer :1.7#12", "message 13 GetValue :1.7 "])
    }

    @Test func invalidNamesAreRefused() throws {
        let cases: [(UInt8, String, String)] = [
            (Field.member.rawValue, "Get.Value", "invalid member 'Get.Value'"),
            (Field.interface.rawValue, "nodots", "invalid interface 'nodots'"),
            (Field.destination.rawValue, "com..victron", "invalid destination 'com..victron'"),
        ]
        for (code, value, reason) in cases {
            var fields: [(code: UInt8, type: Character, value: String)] = [
                (Field.path.rawValue, "o", "/Soc"), (Field.sender.rawValue, "s", ":1.7"),
            ]
            if code != Field.member.rawValue { fields.append((Field.member.rawValue, "s", "GetValue")) }
            fields.append((code, "s", value))
            let reader = FrameReader()
            reader.append(Self.handMade(serial: 14, fields: fields))
            #expect(try Self.drain(reader).map(Self.summary) == ["rejected (\(reason)) answer :1.7#14"])
        }
        // A refused call with an invalid sender is not answered (there is nobody valid to answer).
        let reader = FrameReader()
        reader.append(Self.handMade(serial: 15, fields: [
            (Field.path.rawValue, "o", "/Soc"), (Field.sender.rawValue, "s", "not a name"), (Field.member.rawValue, "s", "GetValue"),
        ]))
        #expect(try Self.drain(reader).map(Self.summary) == ["rejected (invalid sender 'not a name') answer nobody"])
    }

    @Test func aRefusedCallThatWantsNoReplyIsNotAnswered() throws {
        let reader = FrameReader()
        reader.append(Self.handMade(flags: 1, serial: 16, fields: [
            (Field.path.rawValue, "o", "/Soc"), (Field.sender.rawValue, "s", ":1.7"),
        ]))
        #expect(try Self.drain(reader).map(Self.summary) == ["rejected (method call without path or member) answer nobody"])
    }

    @Test func serialZeroIsRefused() throws {
        let reader = FrameReader()
        reader.append(Self.call(serial: 0) + Self.call(serial: 1))
        #expect(try Self.drain(reader).map(Self.summary) == ["rejected (message with serial 0) answer nobody",
                                                           "message 1 GetValue :1.7 "])
    }

    @Test func aMessageBeyondTheBoundIsSkippedAsItArrivesWithoutGrowingTheBuffer() throws {
        let reader = FrameReader(maximumMessageBytes: 64 << 10)
        let big = Self.signal(serial: 20, text: String(repeating: "x", count: 3 << 20))
        let stream = big + Self.signal(serial: 21, text: "after")
        var frames: [ReceivedFrame] = []
        var largestBuffer = 0
        var offset = 0
        while offset < stream.count {
            let chunk = min(16 << 10, stream.count - offset)
            reader.append(Array(stream[offset..<(offset + chunk)]))
            offset += chunk
            frames += try Self.drain(reader)
            largestBuffer = max(largestBuffer, reader.capacity)
        }
        #expect(frames.map(Self.summary) == ["oversized \(big.count) Note 20", "message 21 Note :1.9 after"])
        #expect(largestBuffer <= FrameReader.usualCapacity, "the buffer grew to \(largestBuffer) bytes")
        if case .oversized(_, let header?) = frames.first {
            #expect(header.bodyWasSkipped)
            #expect(header.path == "/Serial")
            #expect(throws: DBusError.self) { try header.arguments() }
        }
    }

    @Test func aLargeMessageWithinTheBoundIsReadAndTheBufferShrinksAfterIt() throws {
        let reader = FrameReader(maximumMessageBytes: 4 << 20)
        reader.append(Self.signal(serial: 30, text: String(repeating: "y", count: 1 << 20)))
        let frames = try Self.drain(reader)
        #expect(frames.count == 1)
        #expect(reader.capacity == FrameReader.usualCapacity)
        #expect(reader.releasedLargeBuffer)
    }

    @Test func lengthsNoDBusMessageCanHaveLoseTheStream() {
        var huge = Self.call(serial: 40)
        // A body length of 200 MiB: more than the specification allows.
        huge[4] = 0; huge[5] = 0; huge[6] = 0x80; huge[7] = 0x0C
        let reader = FrameReader()
        reader.append(huge)
        #expect(throws: DBusCodingError.self) { try reader.next() }

        let notDBus = FrameReader()
        notDBus.append(Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
        #expect(throws: DBusCodingError.self) { try notDBus.next() }
    }

    @Test func aBigEndianMessageReadsItsArguments() throws {
        let reader = FrameReader()
        reader.append(Self.signal(serial: 0x0102_0304, text: "big", bigEndian: true))
        let frames = try Self.drain(reader)
        guard case .message(let message)? = frames.first else {
            Issue.record("no message: \(frames.map(Self.summary))")
            return
        }
        #expect(message.serial == 0x0102_0304)
        #expect(try message.arguments() == [.string("big")])
    }
}

/// The framing layer fuzzed: what a connection reads, cut anywhere.
@Suite struct FuzzFramingTests {
    /// Random streams of valid, mutated and oversized messages split at random points: never a
    /// crash, and every message libdbus accepts comes out as a message with the same arguments.
    @Test func mutatedStreamsSplitAnywhereReadLikeLibdbus() throws {
        var r = FuzzRandom(seed: FuzzBudget.seed ^ 0x5EED)
        let seeds = [FrameReaderTests.call(serial: 3), FrameReaderTests.signal(serial: 4, text: "ab", bigEndian: true),
                     FrameReaderTests.signal(serial: 5, text: "little"), FrameReaderTests.call(serial: 6, bigEndian: true)]
        var accepted = 0
        for _ in 0..<FuzzBudget.iterations(default: 1500) {
            // One mutant between two intact messages: the intact ones must come through unless
            // the mutant broke the framing itself (then the stream is lost, as with libdbus).
            var mutant = seeds[r.below(seeds.count)]
            for _ in 0..<(1 + r.below(3)) { mutant = r.mutate(mutant) }
            let stream = FrameReaderTests.call(serial: 100) + mutant + FrameReaderTests.call(serial: 101)
            let reader = FrameReader(maximumMessageBytes: 2048)
            var frames: [ReceivedFrame] = []
            var offset = 0
            var lost = false
            while offset < stream.count && !lost {
                let chunk = 1 + r.below(64)
                reader.append(Array(stream[offset..<min(stream.count, offset + chunk)]))
                offset += chunk
                do {
                    frames += try FrameReaderTests.drain(reader)
                } catch {
                    lost = true
                }
            }
            guard !lost, frames.count == 3 else { continue }
            #expect(FrameReaderTests.summary(frames[0]) == "message 100 GetValue :1.7 ")
            #expect(FrameReaderTests.summary(frames[2]) == "message 101 GetValue :1.7 ")
            guard let reference = LibdbusReference.read(mutant) else { continue }
            accepted += 1
            guard case .message(let message) = frames[1], let ours = try? message.arguments() else {
                Issue.record("libdbus read a mutant we refused: \(FrameReaderTests.summary(frames[1]))")
                continue
            }
            #expect(ours.count == reference.arguments.count
                    && zip(ours, reference.arguments).allSatisfy(FuzzMessageDecodingTests.identical),
                    "libdbus read \(reference.arguments), we read \(ours)")
        }
        #expect(accepted > 0)
    }
}

/// The outgoing queue's bounds and partial writes.
@Suite struct OutgoingQueueTests {
    @Test func aPeerThatDoesNotReadIsBoundedAndOthersAreNot() {
        var queue = OutgoingQueue(maximumBytesPerPeer: 1000, maximumBytes: 10_000)
        let reply = [UInt8](repeating: 1, count: 300)
        var acceptedForSlow = 0
        for _ in 0..<10 where queue.enqueue(reply, destination: ":1.5") { acceptedForSlow += 1 }
        #expect(acceptedForSlow == 3)
        #expect(queue.queuedBytes(for: ":1.5") == 900)
        #expect(true == queue.enqueue(reply, destination: ":1.6"))
        #expect(true == queue.enqueue(reply, destination: nil))
        #expect(queue.droppedCount == 7)
        // Once written, the slow peer may have more queued again.
        #expect(true == queue.write { $0.count })
        #expect(queue.isEmpty)
        #expect(queue.queuedBytes == 0)
        #expect(true == queue.enqueue(reply, destination: ":1.5"))
    }

    @Test func theWholeQueueIsBounded() {
        var queue = OutgoingQueue(maximumBytesPerPeer: 1 << 20, maximumBytes: 1000)
        var accepted = 0
        for _ in 0..<10 where queue.enqueue([UInt8](repeating: 2, count: 300), destination: nil) { accepted += 1 }
        #expect(accepted == 3)
    }

    @Test func partialWritesKeepTheBytesInOrder() {
        var queue = OutgoingQueue()
        let first = (0..<50).map { UInt8($0) }
        let second = (50..<120).map { UInt8($0) }
        #expect(true == queue.enqueue(first, destination: ":1.1"))
        #expect(true == queue.enqueue(second, destination: nil))
        var written: [UInt8] = []
        var rounds = 0
        while !queue.isEmpty {
            rounds += 1
            // A socket that takes 7 bytes, then would block, each round.
            var taken = 0
            #expect(true == queue.write { bytes in
                guard taken == 0 else { return 0 }
                taken = min(7, bytes.count)
                written += bytes.prefix(taken)
                return taken
            })
        }
        #expect(written == first + second)
        #expect(rounds >= 120 / 7)
        #expect(queue.queuedBytes(for: ":1.1") == 0)
    }

    @Test func aBrokenSocketIsReported() {
        var queue = OutgoingQueue()
        #expect(true == queue.enqueue([1, 2, 3], destination: nil))
        #expect(false == queue.write { _ in -1 })
    }
}

/// The handshake's answers, without a bus.
@Suite struct AuthHandshakeTests {
    @Test func theGreetingSaysOurUserIdAsHexOfItsDigits() {
        #expect(AuthHandshake.greeting(userID: 1000) == [0] + Array("AUTH EXTERNAL 31303030\r\n".utf8))
        #expect(AuthHandshake.greeting(userID: 0) == [0] + Array("AUTH EXTERNAL 30\r\n".utf8))
    }

    @Test func okIsAcceptedWithBegin() {
        let guid = "0123456789abcdef0123456789abcdef"
        #expect(AuthHandshake.outcome(of: "OK \(guid)") == .accepted(guid: guid, reply: Array("BEGIN\r\n".utf8)))
        #expect(AuthHandshake.outcome(of: "OK short") == .refused("the bus answered OK with a malformed id 'short'"))
    }

    @Test func rejectedAndErrorAreClearRefusals() {
        #expect(AuthHandshake.outcome(of: "REJECTED DBUS_COOKIE_SHA1 ANONYMOUS")
                == .refused("the bus refused EXTERNAL authentication for our user id (it offers: DBUS_COOKIE_SHA1, ANONYMOUS)"))
        #expect(AuthHandshake.outcome(of: "REJECTED") == .refused("the bus refused EXTERNAL authentication for our user id"))
        #expect(AuthHandshake.outcome(of: "ERROR \"unknown command\"")
                == .refused("the bus did not understand our authentication: ERROR \"unknown command\""))
        #expect(AuthHandshake.outcome(of: "DATA") == .refused("unexpected answer to our authentication: 'DATA'"))
    }
}
