import CSystem
import HostCore

/// `demo`: the simulated system with this daemon and a live view. The simulator is ordinary
/// Swift and stays out of the daemon's binary, so this hands over to `dab-demo` beside it.
enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo", abstract: "Run the daemon against a simulated Venus OS system (dab-demo; see its --help).",
        options: [])

    /// Replaces this process with `dab-demo ARGUMENTS`; returns only when that fails.
    static func run(_ arguments: [String]) -> Int32 {
        let path = (executableDirectory() ?? ".") + "/dab-demo"
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        printError("error: cannot start \(path) (errno \(csystem_errno())); build it with swift build")
        return ExitStatus.failure
    }
}
