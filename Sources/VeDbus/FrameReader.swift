import CSystem

/// What the frame reader made of the next message in the byte stream.
enum ReceivedFrame {
    /// A whole message whose header reads.
    case message(Message)
    /// A whole message refused because its header breaks a rule of the specification (a field
    /// twice, a bad name, a missing field): why, and whom to answer when it was a method call.
    case rejected(reason: String, replyTarget: (sender: String, serial: UInt32)?)
    /// A message longer than the reader keeps: its declared length, and its header when that
    /// reads (a message whose body was never stored: only the header fields can be asked for).
    /// The body is discarded as it arrives.
    case oversized(length: Int, header: Message?)
    /// A whole message a raw reader took where it lay (`next(rawReader:)`): no Message was made.
    case taken
}

/// Splits the bytes a connection receives into messages ("Message Format" in the
/// specification), without a socket: the transport reads into `receiveSpace()`, tests append
/// bytes, split anywhere.
///
/// Memory is bounded by `maximumMessageBytes`: a message longer than that is never stored,
/// whatever length it declares (the bus allows 128 MiB, a GX device has about 1 GiB); its header
/// is read, so that a call can be refused and a signal reported, and its body is skipped as it
/// arrives. A buffer grown for one large message is given back once it has gone through.
final class FrameReader {
    /// The longest message kept whole. Venus services send signals of a few hundred bytes and
    /// GetItems replies of at most a few hundred KiB (com.victronenergy.settings).
    let maximumMessageBytes: Int
    /// The longest header read of an oversized message (a header is a few hundred bytes).
    static let maximumOversizedHeaderBytes = 65536
    /// The buffer's usual size: a few dozen signals.
    static let usualCapacity = 65536
    /// The least free space `receiveSpace` offers: one read brings at least this much.
    static let minimumReceive = 4096

    private var buffer: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Received bytes not yet made into messages are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    /// Bytes of an oversized message's body still to be discarded as they arrive.
    private var skipping = 0
    /// The length of the message being completed (0: none): the buffer keeps room for it.
    private var awaitedLength = 0
    /// Set when a large buffer was given back; the connection reads and clears it (to return
    /// the freed memory to the system).
    var releasedLargeBuffer = false

    init(maximumMessageBytes: Int = 4 << 20) {
        self.maximumMessageBytes = max(maximumMessageBytes, 1024)
        capacity = Self.usualCapacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Bytes received and not yet made into messages (a partial message).
    var bufferedBytes: Int { end - start }

    /// Free space at the end of the buffer for the next read: at least `minimumReceive` bytes,
    /// more while a long message is being completed.
    func receiveSpace() -> UnsafeMutableRawBufferPointer {
        if capacity - end < Self.minimumReceive { makeRoom(Self.minimumReceive) }
        return UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end)
    }

    /// `count` bytes were written into the space `receiveSpace` gave.
    func didReceive(_ count: Int) {
        precondition(count >= 0 && end + count <= capacity, "more bytes than the receive space")
        end += count
    }

    /// Appends bytes as if received (for tests and for bytes read elsewhere).
    func append(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let space = receiveSpace()
            let count = min(space.count, bytes.count - offset)
            bytes.withUnsafeBytes { space.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
            didReceive(count)
            offset += count
        }
    }

    /// The next message, or nil when more bytes are needed. Throws when the stream cannot be
    /// D-Bus (a wrong byte order mark or a declared length beyond 128 MiB): nothing after that
    /// can be trusted to start a message, so the connection is lost.
    ///
    /// `rawReader` sees each whole message (not an oversized one) in the buffer first, valid
    /// only during the call; when it returns true the message is taken (`.taken`): it is
    /// neither copied nor made into a `Message`. It must not read from this reader's
    /// connection (a blocking call would move the buffer it is given).
    func next(rawReader: ((UnsafeRawBufferPointer) -> Bool)? = nil) throws(DBusCodingError) -> ReceivedFrame? {
        defer { compact() }
        if skipping > 0 {
            let discarded = min(skipping, end - start)
            skipping -= discarded
            start += discarded
            guard skipping == 0 else { return nil }
        }
        guard end - start >= MessageHeader.fixedLength else { return nil }
        let fixed = UnsafeRawBufferPointer(start: buffer + start, count: MessageHeader.fixedLength)
        let length = try MessageHeader.frameLength(fixed)
        if length > maximumMessageBytes { return oversized(length: length) }
        if let rawReader, end - start >= length, serialIsSet(at: start),
           rawReader(UnsafeRawBufferPointer(start: buffer + start, count: length)) {
            start += length
            awaitedLength = 0
            return .taken
        }
        guard let frame = take(length) else { return nil }
        // The bus numbers nothing 0: a serial 0 cannot be answered or matched.
        guard frame[8] != 0 || frame[9] != 0 || frame[10] != 0 || frame[11] != 0 else {
            return .rejected(reason: "message with serial 0", replyTarget: nil)
        }
        do {
            return .message(try Message(frame: frame))
        } catch {
            return .rejected(reason: error.description, replyTarget: MessageHeader.replyTarget(ofRejected: frame))
        }
    }

    /// Whether the message at `offset` has a serial (bytes 8 to 11 not all 0).
    private func serialIsSet(at offset: Int) -> Bool {
        UnsafeRawPointer(buffer + offset + 8).loadUnaligned(as: UInt32.self) != 0
    }

    /// A message longer than `maximumMessageBytes` starts here: read its header when it is
    /// short enough, and skip the rest.
    private func oversized(length: Int) -> ReceivedFrame? {
        let bigEndian = buffer.load(fromByteOffset: start, as: UInt8.self) == UInt8(ascii: "B")
        let declared = UnsafeRawPointer(buffer + start + 12).loadUnaligned(as: UInt32.self)
        let fieldsLength = Int(bigEndian ? UInt32(bigEndian: declared) : UInt32(littleEndian: declared))
        let headerLength = (MessageHeader.fixedLength + fieldsLength + 7) / 8 * 8
        guard headerLength <= Self.maximumOversizedHeaderBytes, headerLength <= length else {
            skipping = length
            return .oversized(length: length, header: nil)
        }
        guard let header = take(headerLength) else { return nil }
        skipping = length - headerLength
        return .oversized(length: length, header: try? Message(headerOnly: header))
    }

    /// The next `count` buffered bytes as a message's own array (one copy); nil while they have
    /// not all arrived (the buffer then keeps room for them).
    private func take(_ count: Int) -> [UInt8]? {
        guard end - start >= count else {
            awaitedLength = count
            if count > capacity - start { makeRoom(count) }
            return nil
        }
        awaitedLength = 0
        let source = buffer + start
        start += count
        return [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            UnsafeMutableRawPointer(bytes.baseAddress!).copyMemory(from: source, byteCount: count)
            initialized = count
        }
    }

    /// Makes `needed` bytes of room from `start` on: moves the unread bytes to the front, and
    /// grows the buffer when that is not enough.
    private func makeRoom(_ needed: Int) {
        let unread = end - start
        let wanted = max(needed, unread + Self.minimumReceive)
        if wanted <= capacity {
            if start > 0 { moveUnread(to: buffer) }
            return
        }
        resize(to: wanted + Self.minimumReceive)
    }

    /// After a message: an empty buffer starts again at its front, and a buffer grown for a
    /// large message shrinks back to the usual size as soon as what is left fits.
    private func compact() {
        if start == end {
            start = 0
            end = 0
        }
        if capacity > Self.usualCapacity, end - start <= Self.usualCapacity / 2, awaitedLength <= Self.usualCapacity / 2 {
            resize(to: Self.usualCapacity)
            releasedLargeBuffer = true
        }
    }

    private func resize(to newCapacity: Int) {
        let resized = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        moveUnread(to: resized)
        buffer.deallocate()
        buffer = resized
        capacity = newCapacity
    }

    /// Moves `buffer[start..<end]` to the front of `destination` (which may be `buffer`).
    private func moveUnread(to destination: UnsafeMutableRawPointer) {
        let unread = end - start
        if unread > 0 { memmove(destination, buffer + start, unread) }
        start = 0
        end = unread
    }
}
