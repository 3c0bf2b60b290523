/// One `KEY = VALUE` of the `[DEFAULT]` section, as read from one file.
public struct IniEntry: Equatable, Sendable {
    /// The key as written, without surrounding whitespace (case preserved for messages).
    public var key: String
    /// The value with inline comments removed, continuation lines joined with "\n", and
    /// surrounding whitespace trimmed. Empty when the user wrote nothing after the `=`.
    public var value: String
    /// The file and the line of the key.
    public var location: ConfigLocation

    public init(key: String, value: String, location: ConfigLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}

/// The `[DEFAULT]` entries of one INI file, in file order, plus what was wrong with the file.
public struct IniDocument: Equatable, Sendable {
    /// The name used in every location of this document.
    public var file: String
    public var entries: [IniEntry]
    /// Syntax-level problems (duplicate keys, lines without `=`, other sections, ...).
    /// The entries that could be read are kept so later checks can still report their problems.
    public var problems: [ConfigProblem]

    public init(file: String, entries: [IniEntry] = [], problems: [ConfigProblem] = []) {
        self.file = file
        self.entries = entries
        self.problems = problems
    }

    /// The entry for `key`, compared case-insensitively as configparser does.
    public func entry(forKey key: String) -> IniEntry? {
        let wanted = ConfigText.lowercasedASCII(key)
        return entries.first { ConfigText.lowercasedASCII($0.key) == wanted }
    }
}
