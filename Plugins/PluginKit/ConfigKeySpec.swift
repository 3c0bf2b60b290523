/// One config key a strategy reads: its INI name, default as INI text and a one-line meaning
/// with the unit. The host lists these (`plugins` command) and validates config files with them.
public struct ConfigKeySpec: Equatable, Sendable {
    public var name: String
    /// The default as INI text, e.g. "3.45"; "" for an empty list.
    public var defaultValue: String
    public var description: String

    public init(_ name: String, default defaultValue: String, _ description: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
    }
}
