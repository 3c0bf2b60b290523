/// Help texts of the command line, built from the command specs.
public enum CommandHelp {
    public static func overview(program: String, abstract: String, commands: [CommandSpec], defaultCommand: String) -> String {
        var text = "\(abstract)\n\nUSAGE: \(program) [COMMAND] [OPTIONS]\n\nCOMMANDS:\n"
        let width = (commands.map { $0.name.count }.max() ?? 0) + 2
        for command in commands {
            let marker = command.name == defaultCommand ? " (default)" : ""
            text += "  " + padded(command.name, to: width) + command.abstract + marker + "\n"
        }
        text += "\n  See '\(program) COMMAND --help' for a command's options; '--version' prints the version.\n"
        return text
    }

    public static func command(program: String, _ command: CommandSpec) -> String {
        var usage = "USAGE: \(program) \(command.name)"
        if !command.options.isEmpty { usage += " [OPTIONS]" }
        if let positional = command.positional { usage += " [\(positional.name)]" }
        var text = "\(command.abstract)\n\n\(usage)\n"
        var rows: [(String, String)] = []
        if let positional = command.positional { rows.append((positional.name, positional.help)) }
        for option in command.options {
            rows.append(("--\(option.name)" + (option.valueName.map { " \($0)" } ?? ""), option.help))
        }
        rows.append(("-h, --help", "Show this help."))
        let width = (rows.map { $0.0.count }.max() ?? 0) + 2
        text += "\nOPTIONS:\n"
        for (left, right) in rows { text += "  " + padded(left, to: width) + right + "\n" }
        return text
    }

    private static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }
}
