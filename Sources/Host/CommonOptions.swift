import HostCore
import VeDbus

/// Options every command that reads the configuration shares.
enum PathOptions {
    static let specs: [OptionSpec] = [
        .value("config", "PATH", help: "The user's config.ini (may hold overrides only). Default: beside config.default.ini."),
        .value("default-config", "PATH", help: "config.default.ini. Default: \(DaemonPaths.venusFolder), beside the executable, or the current directory."),
        .value("state-dir", "PATH", help: "Folder of the storedvalue_* state files. Default: the folder of config.ini."),
        .value("plugin-dir", "PATH", help: "Folder of the strategy plugins. Default: PLUGIN_DIR, else plugins/ beside the executable (and the build folders for a development build)."),
    ]

    static func resolved(_ arguments: ParsedArguments) -> DaemonPaths {
        DaemonPaths.resolve(defaultConfig: arguments.string("default-config"), userConfig: arguments.string("config"),
                            stateDirectory: arguments.string("state-dir"), pluginDirectory: arguments.string("plugin-dir"))
    }
}

/// Which bus to use.
enum BusOptions {
    static let spec = OptionSpec.value(
        "bus", "BUS", help: "system, session, or a D-Bus address. Default: session when DBUS_SESSION_BUS_ADDRESS is set, else system.")

    static func address(_ arguments: ParsedArguments) -> BusAddress {
        arguments.string("bus").map(BusAddress.init(argument:)) ?? .fromEnvironment()
    }
}
