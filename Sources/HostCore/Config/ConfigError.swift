/// One thing wrong with the configuration, with enough context to fix it without guessing.
public struct ConfigProblem: Equatable, Sendable, CustomStringConvertible {
    /// What kind of mistake it is; tests and callers branch on this, users read `message`.
    public enum Kind: Equatable, Sendable {
        /// The file could not be read at all.
        case unreadableFile
        /// A line is neither a comment, a section header, a `KEY = VALUE` line nor a continuation.
        case syntax
        /// A key appears before the `[DEFAULT]` header.
        case keyOutsideSection
        /// A section other than `[DEFAULT]`; the program reads only `[DEFAULT]`.
        case unknownSection
        /// The same key twice in one file (configparser's strict mode rejects it too).
        case duplicateKey
        /// A key that neither config.default.ini nor a loaded strategy knows.
        case unknownKey
        /// A known key with a value that cannot be used.
        case invalidValue
        /// A key the host needs has no value in any file.
        case missingKey
    }

    public var kind: Kind
    public var location: ConfigLocation?
    /// The key as the user wrote it (or its canonical name when the problem is about a value).
    public var key: String?
    /// The raw value, or the offending line's text for syntax problems.
    public var value: String?
    /// Why it is wrong and, where it helps, what would be right.
    public var message: String

    public init(kind: Kind, location: ConfigLocation?, key: String? = nil, value: String? = nil,
                message: String) {
        self.kind = kind
        self.location = location
        self.key = key
        self.value = value
        self.message = message
    }

    /// "config.ini:4: GRID_SERVICE_NAME = 'com.victronenergy.grid': unknown key"
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        let shownValue = value.map(Self.singleLine)
        switch (key, shownValue) {
        case let (key?, value?):
            text += value.isEmpty ? "\(key) = (empty): " : "\(key) = \(value): "
        case let (key?, nil):
            text += "\(key): "
        case let (nil, value?):
            text += "'\(value)': "
        case (nil, nil):
            break
        }
        return text + message
    }

    /// Multi-line list values are shown on one line so each problem stays one line.
    private static func singleLine(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\n" {
                if !result.hasSuffix(" ") { result.append(" ") }
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Every problem found in a configuration, reported together so the user fixes them in one go.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One problem per line, in file order.
    public var description: String {
        var lines: [String] = []
        lines.reserveCapacity(problems.count)
        for problem in problems { lines.append(problem.description) }
        return lines.joined(separator: "\n")
    }

    /// The problems that concern `key` (compared case-insensitively, as configparser does).
    public func problems(forKey key: String) -> [ConfigProblem] {
        let wanted = ConfigText.lowercasedASCII(key)
        return problems.filter { problem in
            problem.key.map(ConfigText.lowercasedASCII) == wanted
        }
    }
}
