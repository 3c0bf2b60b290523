import CSystem
import HostCore
import VeDbus

/// The daemon's command line: running the daemon is the default command.
@main
enum DbusAggregateBatteries {
    static let program = "dbus-aggregate-batteries"
    static let version = "0.1.0"
    static let abstract = "Combine several BMS batteries on Victron Venus OS into one virtual battery."
    static let commands = [RunCommand.spec, CheckConfigCommand.spec, PluginsCommand.spec, StatusCommand.spec, RecordCommand.spec, ReplayCommand.spec, PluginCheckCommand.spec, DemoCommand.spec]

    static func main() {
        exit(main(ProcessArguments.read()))
    }

    static func main(_ arguments: [String]) -> Int32 {
        if arguments.first == DemoCommand.spec.name { return DemoCommand.run(Array(arguments.dropFirst())) }
        let outcome: CommandLineParser.Outcome
        do throws(UsageError) {
            outcome = try CommandLineParser.parse(arguments, commands: commands, defaultCommand: RunCommand.spec.name)
        } catch {
            printError("error: \(error)")
            printError("See '\(program) --help'.")
            return ExitStatus.usage
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
            return run(name, arguments)
        }
        return 0
    }

    private static func run(_ name: String, _ arguments: ParsedArguments) -> Int32 {
        do throws(CommandError) {
            switch name {
            case CheckConfigCommand.spec.name: return try CheckConfigCommand.run(arguments)
            case PluginsCommand.spec.name: return try PluginsCommand.run(arguments)
            case StatusCommand.spec.name: return try StatusCommand.run(arguments)
            case RecordCommand.spec.name: return try RecordCommand.run(arguments)
            case ReplayCommand.spec.name: return try ReplayCommand.run(arguments)
            case PluginCheckCommand.spec.name: return try PluginCheckCommand.run(arguments)
            default: return try RunCommand.run(arguments)
            }
        } catch {
            printError("error: \(error)")
            if case .usage = error { printError("See '\(program) \(name) --help'.") }
            return error.exitStatus
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

/// Why a command could not run: the command line, or the bus.
enum CommandError: Error, CustomStringConvertible {
    case usage(UsageError)
    case bus(DBusError)

    var description: String {
        switch self {
        case .usage(let error): return error.description
        case .bus(let error): return error.description
        }
    }

    var exitStatus: Int32 {
        switch self {
        case .usage: return ExitStatus.usage
        case .bus: return ExitStatus.failure
        }
    }
}

/// A line on standard error, written at once.
func printError(_ line: String) {
    DaemonLogger.writeLine(line + "\n", to: 2)
}
