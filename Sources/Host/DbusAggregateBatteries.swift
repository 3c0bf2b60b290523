import ArgumentParser

/// The daemon's command line: running the daemon is the default command.
@main
struct DbusAggregateBatteries: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbus-aggregate-batteries",
        abstract: "Combine several BMS batteries on Victron Venus OS into one virtual battery.",
        version: "0.1.0",
        subcommands: [RunCommand.self, CheckConfigCommand.self, PluginsCommand.self, StatusCommand.self, DemoCommand.self],
        defaultSubcommand: RunCommand.self)
}
