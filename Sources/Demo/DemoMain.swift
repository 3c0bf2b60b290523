import Glibc
import HostCore

/// `dab-demo [OPTIONS]`; `dbus-aggregate-batteries demo` runs this too.
@main
enum DemoMain {
    static func main() {
        let program = "dab-demo"
        do {
            let commands = [DemoCommand.spec, ScenarioTraceCommand.spec]
            switch try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), commands: commands,
                                               defaultCommand: DemoCommand.spec.name) {
            case .version:
                print(AggregateService.version)
            case .help(let name):
                if name == ScenarioTraceCommand.spec.name {
                    print(CommandHelp.command(program: program, ScenarioTraceCommand.spec), terminator: "")
                } else {
                    print(CommandHelp.overview(program: program, abstract: DemoCommand.spec.abstract, commands: commands,
                                               defaultCommand: DemoCommand.spec.name), terminator: "")
                }
            case .run(let name, let arguments):
                exit(name == ScenarioTraceCommand.spec.name ? try ScenarioTraceCommand.run(arguments) : try DemoCommand.run(arguments))
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
