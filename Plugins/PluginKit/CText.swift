import PluginAPI
import PluginLibc

// Text across the C boundary: fixed char arrays, error buffers and permanent C strings.

/// Copies between Swift strings and C char storage without ever writing past a buffer.
public enum CText {
    /// Writes `text` into `buffer` as NUL-terminated UTF-8, cut at a character-code boundary
    /// when it does not fit. Returns the bytes written, without the NUL. An empty buffer is left alone.
    @discardableResult
    public static func copy(_ text: String, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard buffer.count > 0 else { return 0 }
        let utf8 = Array(text.utf8)
        var length = min(utf8.count, buffer.count - 1)
        // Never split a multi-byte sequence: back off over continuation bytes (10xxxxxx).
        if length < utf8.count {
            while length > 0, utf8[length] & 0xC0 == 0x80 { length -= 1 }
        }
        utf8.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: length)
        }
        buffer[length] = 0
        return length
    }

    /// The text up to the first NUL (or the whole buffer); invalid UTF-8 is repaired.
    public static func string(from buffer: UnsafeRawBufferPointer) -> String {
        var end = 0
        while end < buffer.count, buffer[end] != 0 { end += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<end]), as: UTF8.self)
    }

    /// Writes `text` into a `char[N]` field (imported as a tuple of CChar).
    public static func copy<Field>(_ text: String, intoField field: inout Field) {
        _ = withUnsafeMutableBytes(of: &field) { copy(text, into: $0) }
    }

    /// Reads a `char[N]` field (imported as a tuple of CChar).
    public static func string<Field>(fromField field: Field) -> String {
        withUnsafeBytes(of: field) { string(from: $0) }
    }

    /// Writes `message` into a plugin call's error buffer; nothing when it has no room.
    public static func write(_ message: String, to error: dab_error_buffer) {
        guard let text = error.text, error.capacity > 0 else { return }
        copy(message, into: UnsafeMutableRawBufferPointer(start: text, count: Int(error.capacity)))
    }

    /// A NUL-terminated copy that is never freed: for descriptors the host may read until exit.
    public static func permanent(_ text: String) -> UnsafePointer<CChar> {
        let utf8 = Array(text.utf8)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        for (index, byte) in utf8.enumerated() { storage[index] = CChar(bitPattern: byte) }
        storage[utf8.count] = 0
        return UnsafePointer(storage)
    }

    /// A C string as Swift text; nil for NULL.
    public static func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// Sets `text` to the C string at `pointer` (nil for NULL), making a new String only when the
    /// bytes differ from what `text` holds: a tick that sees the same names allocates nothing.
    public static func update(_ text: inout String?, from pointer: UnsafePointer<CChar>?) {
        guard let pointer else {
            text = nil
            return
        }
        if var current = text, equals(&current, pointer) { return }
        text = String(cString: pointer)
    }

    /// As above for a text that is never nil: NULL gives `whenNull`.
    public static func update(_ text: inout String, from pointer: UnsafePointer<CChar>?, whenNull: String) {
        guard let pointer else {
            text = whenNull
            return
        }
        if !equals(&text, pointer) { text = String(cString: pointer) }
    }

    /// Whether `text`'s UTF-8 is exactly the NUL-terminated bytes at `pointer`.
    private static func equals(_ text: inout String, _ pointer: UnsafePointer<CChar>) -> Bool {
        text.withUTF8 { bytes in dab_text_equals(pointer, bytes.baseAddress, bytes.count) != 0 }
    }
}
