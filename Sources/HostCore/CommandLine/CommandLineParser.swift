/// Parses `dbus-aggregate-batteries [COMMAND] [OPTIONS] [PATH]`: the first argument may name a
/// command (`run` when it does not); options are `--name VALUE`, `--name=VALUE` or `--name`.
public enum CommandLineParser {
    public enum Outcome: Equatable {
        case run(command: String, arguments: ParsedArguments)
        /// `--help`/`-h`: the help of `command`, or the overview when nil.
        case help(command: String?)
        case version
    }

    public static func parse(_ arguments: [String], commands: [CommandSpec], defaultCommand: String)
        throws(UsageError) -> Outcome {
        var rest = arguments[...]
        if let first = rest.first {
            if first == "--version" { return .version }
            if first == "--help" || first == "-h" || first == "help" {
                return .help(command: rest.dropFirst().first.flatMap { name in commands.first { $0.name == name }?.name })
            }
        }
        var commandName = defaultCommand
        if let first = rest.first, !first.hasPrefix("-"), commands.contains(where: { $0.name == first }) {
            commandName = first
            rest = rest.dropFirst()
        }
        guard let command = commands.first(where: { $0.name == commandName }) else {
            throw UsageError("unknown command \(commandName)")
        }
        if rest.contains("--help") || rest.contains("-h") { return .help(command: command.name) }
        return .run(command: command.name, arguments: try parseOptions(rest, for: command))
    }

    private static func parseOptions(_ arguments: ArraySlice<String>, for command: CommandSpec)
        throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                guard command.positional != nil else {
                    throw UsageError("\(command.name) takes no argument '\(argument)'")
                }
                guard parsed.positional == nil else { throw UsageError("unexpected extra argument '\(argument)'") }
                parsed.positional = argument
                continue
            }
            let body = argument.dropFirst(2)
            let name: String
            var inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            guard let option = command.options.first(where: { $0.name == name }) else {
                throw UsageError("\(command.name) has no option --\(name)")
            }
            if option.valueName == nil {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                parsed.flags.insert(name)
                continue
            }
            if let inlineValue {
                parsed.values[name] = inlineValue
            } else {
                guard index < arguments.endIndex else { throw UsageError("--\(name) needs a value") }
                parsed.values[name] = arguments[index]
                index += 1
            }
        }
        return parsed
    }
}
