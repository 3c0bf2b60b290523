/// Byte- and text-level helpers shared by the INI reader and the value parsers.
/// ASCII-only on purpose: configparser's whitespace and key folding matter only for ASCII here,
/// and staying off Foundation keeps the parser Embedded-ready.
enum ConfigText {
    /// Space, tab, CR, LF, vertical tab and form feed, as Python's `str.strip()` sees them in ASCII.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    static func isWhitespace(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return isWhitespace(ascii)
    }

    /// Removes leading and trailing ASCII whitespace (including newlines).
    static func trimmed(_ text: Substring) -> Substring {
        var start = text.startIndex
        var end = text.endIndex
        while start < end, isWhitespace(text[start]) { start = text.index(after: start) }
        while end > start {
            let before = text.index(before: end)
            guard isWhitespace(text[before]) else { break }
            end = before
        }
        return text[start..<end]
    }

    static func trimmed(_ text: String) -> String {
        String(trimmed(text[...]))
    }

    /// configparser folds keys with `str.lower()`; the canonical table needs only ASCII folding.
    static func lowercasedASCII(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func uppercasedASCII(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            bytes.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
