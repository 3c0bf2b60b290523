import Glibc
import HostCore

/// The daemon's command line: running the daemon is the default command.
@main
enum DbusAggregateBatteries {
    static let program = "dbus-aggregate-batteries"
    static let version = "0.1.0"
    static let abstract = "Combine several BMS batteries on Victron Venus OS into one virtual battery."
    static let commands = [RunCommand.spec, CheckConfigCommand.spec, PluginsCommand.spec, StatusCommand.spec, DemoCommand.spec]

    static func main() {
        let outcome: CommandLineParser.Outcome
        do {
            outcome = try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), commands: commands,
                                                  defaultCommand: RunCommand.spec.name)
        } catch {
            printError("error: \(error)")
            printError("See '\(program) --help'.")
            exit(ExitStatus.usage)
        }
        switch outcome {
        case .version:
            print(version)
        case .help(let name):
            if let command = commands.first(where: { $0.name == name }) {
                print(CommandHelp.command(program: program, command), terminator: "")
            } else {
                print(CommandHelp.overview(program: program, abstract: abstract, commands: commands,
                                           defaultCommand: RunCommand.spec.name), terminator: "")
            }
        case .run(let name, let arguments):
            exit(run(name, arguments))
        }
    }

    private static func run(_ name: String, _ arguments: ParsedArguments) -> Int32 {
        do {
            switch name {
            case CheckConfigCommand.spec.name: return try CheckConfigCommand.run(arguments)
            case PluginsCommand.spec.name: return try PluginsCommand.run(arguments)
            case StatusCommand.spec.name: return try StatusCommand.run(arguments)
            case DemoCommand.spec.name: return try DemoCommand.run(arguments)
            default: return try RunCommand.run(arguments)
            }
        } catch let error as UsageError {
            printError("error: \(error)")
            printError("See '\(program) \(name) --help'.")
            return ExitStatus.usage
        } catch {
            printError("error: \(error)")
            return ExitStatus.failure
        }
    }
}

/// Exit statuses of the commands.
enum ExitStatus {
    static let failure: Int32 = 1
    /// The configuration cannot be run.
    static let configuration: Int32 = 2
    /// The command line is wrong (EX_USAGE).
    static let usage: Int32 = 64
}

func printError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = Glibc.write(2, &bytes, bytes.count)
    }
}
