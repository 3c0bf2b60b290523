import Glibc
import HostCore

/// `dab-demo [OPTIONS]`; `dbus-aggregate-batteries demo` runs this too.
@main
enum DemoMain {
    static func main() {
        let program = "dab-demo"
        do {
            switch try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), commands: [DemoCommand.spec],
                                               defaultCommand: DemoCommand.spec.name) {
            case .version:
                print(AggregateService.version)
            case .help:
                print(CommandHelp.command(program: program, DemoCommand.spec), terminator: "")
            case .run(_, let arguments):
                exit(try DemoCommand.run(arguments))
            }
        } catch let error as UsageError {
            printError("error: \(error)\nSee '\(program) --help'.")
            exit(64)
        } catch {
            printError("error: \(error)")
            exit(1)
        }
    }
}

func printError(_ line: String) {
    DaemonLogger.writeLine(line + "\n", to: 2)
}
