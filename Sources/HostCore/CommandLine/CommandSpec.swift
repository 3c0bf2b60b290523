/// What a subcommand of `dbus-aggregate-batteries` accepts, for parsing and for its help text.
/// The daemon parses its own small command line instead of linking swift-argument-parser, which
/// brings Foundation into the process: that alone would cost more memory than the daemon's budget.
public struct CommandSpec: Sendable {
    public let name: String
    public let abstract: String
    public let options: [OptionSpec]
    /// An optional positional argument, e.g. check-config's PATH.
    public let positional: PositionalSpec?

    public init(name: String, abstract: String, options: [OptionSpec], positional: PositionalSpec? = nil) {
        self.name = name
        self.abstract = abstract
        self.options = options
        self.positional = positional
    }
}

/// `--name VALUE`, or a flag `--name` when `valueName` is nil.
public struct OptionSpec: Sendable {
    public let name: String
    public let valueName: String?
    public let help: String

    public static func value(_ name: String, _ valueName: String, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help)
    }

    public static func flag(_ name: String, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }
}

public struct PositionalSpec: Sendable {
    public let name: String
    public let help: String

    public init(name: String, help: String) {
        self.name = name
        self.help = help
    }
}

/// A command line that cannot be run; the message names the argument.
public struct UsageError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
