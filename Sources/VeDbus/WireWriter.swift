/// Appends values in the D-Bus wire format, little-endian ('l'): each value aligned to its own
/// size (8 for structs and dict entries), strings with a 32-bit length and a NUL, signatures
/// with an 8-bit length, arrays with their 32-bit byte length filled in when they close.
///
/// It writes what it is given: `MessageCoding.validate` checks values first, and the few
/// callers that write by hand (headers, ItemsChanged) write only what they built themselves.
///
/// The aggregate writes one ItemsChanged a second through this, so each value is one store into
/// memory that is already there: the buffer is zero-filled ahead of `count` (padding is then
/// only a step over zeros) and grows by doubling. Array appends of a byte or a few bytes cost
/// about a hundred instructions each, most of the publish.
struct WireWriter {
    /// Bytes `0..<count` are written; every byte after them is zero.
    private var storage: [UInt8]
    private(set) var count = 0

    init(capacity: Int = 256) {
        storage = [UInt8](repeating: 0, count: max(capacity, 16))
    }

    /// The bytes written. The writer is empty afterwards.
    mutating func takeBytes() -> [UInt8] {
        storage.removeLast(storage.count - count)
        defer {
            storage = []
            count = 0
        }
        return storage
    }

    /// Pads with zero bytes to a multiple of `alignment` (1, 2, 4 or 8).
    @inline(__always)
    mutating func align(to alignment: Int) {
        let padding = (alignment &- count & (alignment &- 1)) & (alignment &- 1)
        if padding > 0 { _ = extend(by: padding) }
    }

    mutating func appendByte(_ value: UInt8) {
        let offset = extend(by: 1)
        storage[offset] = value
    }

    mutating func appendUInt16(_ value: UInt16) {
        align(to: 2)
        appendLittleEndian(UInt64(value), byteCount: 2)
    }

    mutating func appendUInt32(_ value: UInt32) {
        align(to: 4)
        appendLittleEndian(UInt64(value), byteCount: 4)
    }

    mutating func appendUInt64(_ value: UInt64) {
        align(to: 8)
        appendLittleEndian(value, byteCount: 8)
    }

    mutating func appendDouble(_ value: Double) {
        appendUInt64(value.bitPattern)
    }

    /// A string or an object path: length, UTF-8, NUL.
    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            appendUInt32(UInt32(utf8.count))
            appendTerminated(UnsafeRawBufferPointer(utf8))
        }
    }

    /// A signature: one length byte, the ASCII codes, NUL.
    mutating func appendSignature(_ signature: String) {
        var signature = signature
        signature.withUTF8 { utf8 in
            appendByte(UInt8(truncatingIfNeeded: utf8.count))
            appendTerminated(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Opens an array whose elements align to `elementAlignment`; returns the mark `endArray` needs.
    mutating func beginArray(elementAlignment: Int) -> ArrayMark {
        appendUInt32(0)  // the length, filled in by endArray
        let lengthOffset = count - 4
        align(to: elementAlignment)
        return ArrayMark(lengthOffset: lengthOffset, contentStart: count)
    }

    /// Closes an array: its length is the bytes after the padding that follows the length.
    mutating func endArray(_ mark: ArrayMark) {
        let length = UInt32(count - mark.contentStart)
        set(length, at: mark.lengthOffset)
    }

    /// Overwrites four bytes at `offset` (a length or a serial written before it was known).
    mutating func set(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= count, "WireWriter.set outside what was written")
        store(UInt64(value), byteCount: 4, at: offset)
    }

    /// Appends bytes already in wire form, e.g. a message body after its header.
    mutating func appendRaw(_ raw: [UInt8]) {
        raw.withUnsafeBytes { appendRaw($0) }
    }

    /// As above, from memory the caller holds.
    mutating func appendRaw(_ raw: UnsafeRawBufferPointer) {
        copy(raw, to: extend(by: raw.count))
    }

    /// The low `byteCount` bytes (2, 4 or 8) of `value`, least significant first.
    @inline(__always)
    private mutating func appendLittleEndian(_ value: UInt64, byteCount: Int) {
        store(value, byteCount: byteCount, at: extend(by: byteCount))
    }

    /// `bytes` and a NUL (the zero already there).
    @inline(__always)
    private mutating func appendTerminated(_ bytes: UnsafeRawBufferPointer) {
        let offset = extend(by: bytes.count + 1)
        copy(bytes, to: offset)
    }

    /// Counts `byteCount` more bytes as written, growing the buffer when needed; returns where
    /// they start. They are zero until stored to.
    @inline(__always)
    private mutating func extend(by byteCount: Int) -> Int {
        let offset = count
        if storage.count - offset < byteCount { grow(toHold: offset + byteCount) }
        count = offset + byteCount
        return offset
    }

    @inline(never)
    private mutating func grow(toHold needed: Int) {
        let added = max(needed, storage.count * 2) - storage.count
        storage.append(contentsOf: repeatElement(0, count: added))
    }

    /// A 2-, 4- or 8-byte little-endian store of `value`'s low bytes.
    @inline(__always)
    private mutating func store(_ value: UInt64, byteCount: Int, at offset: Int) {
        storage.withUnsafeMutableBytes { buffer in
            switch byteCount {
            case 8:
                buffer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
            case 4:
                buffer.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: offset, as: UInt32.self)
            default:
                buffer.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: offset, as: UInt16.self)
            }
        }
    }

    /// Copies `bytes` to `offset`, which `extend` made room for.
    @inline(__always)
    private mutating func copy(_ bytes: UnsafeRawBufferPointer, to offset: Int) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        storage.withUnsafeMutableBytes { buffer in
            (buffer.baseAddress! + offset).copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// Where an open array's length goes and where its elements start.
    struct ArrayMark {
        let lengthOffset: Int
        let contentStart: Int
    }
}
