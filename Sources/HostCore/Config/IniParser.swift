/// Reads the INI dialect of the original program (Python's `configparser` with its defaults,
/// plus `;` inline comments), from raw bytes so odd encodings in comments cannot break it.
///
/// Rules, as configparser applies them:
/// - Lines end in LF, CRLF or CR; a missing final newline is fine. A leading UTF-8 byte order
///   mark (Windows editors write one) is skipped.
/// - A line whose first non-blank character is `;` or `#` is a comment. A `;` at the start of a
///   line or after whitespace starts an inline comment (also on continuation lines).
/// - `KEY = VALUE` or `KEY : VALUE`; the first `=` or `:` separates. Keys compare
///   case-insensitively. An empty value is allowed.
/// - A line indented deeper than its key continues the value; pieces are joined with "\n".
///   Blank lines between continuation lines are kept as empty pieces, comment lines are dropped.
/// - Only `[DEFAULT]` is read. A key before any header, or any other section, is a problem
///   (the original rejects both as well).
/// - The same key twice in one file is a problem (configparser's strict mode).
public enum IniParser {
    public static func parse(_ bytes: [UInt8], file: String) -> IniDocument {
        var state = ParserState(file: file)
        var lineNumber = 0
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        var lineStart = start
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lineNumber += 1
                state.consume(bytes[lineStart..<index], lineNumber: lineNumber)
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count {
            lineNumber += 1
            state.consume(bytes[lineStart..<bytes.count], lineNumber: lineNumber)
        }
        return state.finish()
    }

    /// Convenience for tests and for text already in memory.
    public static func parse(_ text: String, file: String) -> IniDocument {
        parse(Array(text.utf8), file: file)
    }
}

/// The line-by-line state machine behind `IniParser`.
private struct ParserState {
    enum Section {
        /// No header seen yet.
        case none
        case defaults
        /// Some other section; its lines are skipped (the header was reported).
        case other
    }

    /// The entry whose value continuation lines extend.
    struct OpenValue {
        /// Index into `entries`, or nil when the key was rejected (its continuation lines are
        /// still swallowed so they are not misread as keys).
        var entryIndex: Int?
        var keyIndent: Int
        var pieces: [String]
        var pendingBlankLines: Int
    }

    let file: String
    var entries: [IniEntry] = []
    var problems: [ConfigProblem] = []
    var section: Section = .none
    var openValue: OpenValue?
    var firstLineOfKey: [String: Int] = [:]
    var reportedMissingHeader = false

    init(file: String) {
        self.file = file
    }

    mutating func consume(_ line: ArraySlice<UInt8>, lineNumber: Int) {
        let contentEnd = Self.commentStart(in: line) ?? line.endIndex
        guard let (contentStart, contentStop) = Self.trimmedBounds(line, upTo: contentEnd) else {
            // Blank or comment-only. A truly blank line may sit inside a multi-line value.
            if contentEnd == line.endIndex, openValue != nil { openValue?.pendingBlankLines += 1 }
            return
        }
        let content = line[contentStart..<contentStop]
        let indent = contentStart - line.startIndex

        if var open = openValue, indent > open.keyIndent {
            for _ in 0..<open.pendingBlankLines { open.pieces.append("") }
            open.pendingBlankLines = 0
            open.pieces.append(Self.text(content))
            openValue = open
            return
        }
        closeOpenValue()

        if content.first == UInt8(ascii: "[") {
            readSectionHeader(content, lineNumber: lineNumber)
        } else {
            readKeyLine(content, indent: indent, lineNumber: lineNumber)
        }
    }

    mutating func finish() -> IniDocument {
        closeOpenValue()
        return IniDocument(file: file, entries: entries, problems: problems)
    }

    private mutating func readSectionHeader(_ content: ArraySlice<UInt8>, lineNumber: Int) {
        let location = ConfigLocation(file: file, line: lineNumber)
        guard let close = content.lastIndex(of: UInt8(ascii: "]")) else {
            problems.append(ConfigProblem(kind: .syntax, location: location, value: Self.text(content),
                                          message: "section header without closing ']'"))
            section = .other
            return
        }
        let name = Self.text(content[(content.startIndex + 1)..<close])
        if name == "DEFAULT" {
            section = .defaults
            return
        }
        section = .other
        var message = "unknown section [\(name)]: every key belongs in [DEFAULT]"
        if ConfigText.uppercasedASCII(name) == "DEFAULT" {
            message += " (the header is case-sensitive)"
        }
        problems.append(ConfigProblem(kind: .unknownSection, location: location,
                                      value: Self.text(content), message: message))
    }

    private mutating func readKeyLine(_ content: ArraySlice<UInt8>, indent: Int, lineNumber: Int) {
        let location = ConfigLocation(file: file, line: lineNumber)
        guard let delimiter = content.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") })
        else {
            problems.append(ConfigProblem(kind: .syntax, location: location, value: Self.text(content),
                                          message: "expected KEY = VALUE (no '=' or ':' on this line)"))
            return
        }
        let key = Self.text(Self.trimmedSlice(content[content.startIndex..<delimiter]))
        let firstPiece = Self.text(Self.trimmedSlice(content[(delimiter + 1)...]))
        var accepted = true
        if key.isEmpty {
            problems.append(ConfigProblem(kind: .syntax, location: location, value: Self.text(content),
                                          message: "a value without a key"))
            accepted = false
        }
        switch section {
        case .none:
            accepted = false
            if !reportedMissingHeader {
                reportedMissingHeader = true
                problems.append(ConfigProblem(kind: .keyOutsideSection, location: location, key: key,
                                              value: firstPiece,
                                              message: "key before the [DEFAULT] header; the file must start with [DEFAULT]"))
            }
        case .other:
            accepted = false
        case .defaults:
            break
        }
        if accepted {
            let folded = ConfigText.lowercasedASCII(key)
            if let firstLine = firstLineOfKey[folded] {
                problems.append(ConfigProblem(kind: .duplicateKey, location: location, key: key, value: firstPiece,
                                              message: "duplicate key (already set on line \(firstLine))"))
                accepted = false
            } else {
                firstLineOfKey[folded] = lineNumber
            }
        }
        var entryIndex: Int?
        if accepted {
            entries.append(IniEntry(key: key, value: "", location: location))
            entryIndex = entries.count - 1
        }
        openValue = OpenValue(entryIndex: entryIndex, keyIndent: indent, pieces: [firstPiece],
                              pendingBlankLines: 0)
    }

    private mutating func closeOpenValue() {
        guard let open = openValue else { return }
        openValue = nil
        guard let index = open.entryIndex else { return }
        entries[index].value = ConfigText.trimmed(open.pieces.joined(separator: "\n"))
    }

    /// Where the comment on this line starts: 0 for a full-line `;`/`#` comment, otherwise the
    /// first `;` that opens the line or follows whitespace (configparser's inline rule).
    private static func commentStart(in line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex, ConfigText.isWhitespace(line[index]) { index += 1 }
        if index < line.endIndex, line[index] == UInt8(ascii: ";") || line[index] == UInt8(ascii: "#") {
            return line.startIndex
        }
        while index < line.endIndex {
            if line[index] == UInt8(ascii: ";"), index == line.startIndex || ConfigText.isWhitespace(line[index - 1]) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Bounds of the non-blank part of `line[..<end]`, or nil when it is blank.
    private static func trimmedBounds(_ line: ArraySlice<UInt8>, upTo end: Int) -> (Int, Int)? {
        var start = line.startIndex
        var stop = end
        while start < stop, ConfigText.isWhitespace(line[start]) { start += 1 }
        while stop > start, ConfigText.isWhitespace(line[stop - 1]) { stop -= 1 }
        return start < stop ? (start, stop) : nil
    }

    private static func trimmedSlice(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let (start, stop) = trimmedBounds(bytes, upTo: bytes.endIndex) else { return bytes[bytes.endIndex...] }
        return bytes[start..<stop]
    }

    /// Invalid UTF-8 becomes U+FFFD instead of failing: a stray Latin-1 byte must not stop the daemon.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
