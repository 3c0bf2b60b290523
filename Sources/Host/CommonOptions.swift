import ArgumentParser
import HostCore
import VeDbus

/// Options every command that reads the configuration shares.
struct PathOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The user's config.ini (may hold overrides only). Default: beside config.default.ini.")
    var userConfig: String?

    @Option(name: .customLong("default-config"), help: "config.default.ini. Default: \(DaemonPaths.venusFolder), beside the executable, or the current directory.")
    var defaultConfig: String?

    @Option(name: .customLong("state-dir"), help: "Folder of the storedvalue_* state files. Default: the folder of config.ini.")
    var stateDirectory: String?

    @Option(name: .customLong("plugin-dir"), help: "Folder of the strategy plugins. Default: PLUGIN_DIR, else beside the executable, else .build/debug.")
    var pluginDirectory: String?

    var resolved: DaemonPaths {
        DaemonPaths.resolve(defaultConfig: defaultConfig, userConfig: userConfig,
                            stateDirectory: stateDirectory, pluginDirectory: pluginDirectory)
    }
}

/// Which bus to use.
struct BusOptions: ParsableArguments {
    @Option(name: .customLong("bus"), help: "system, session, or a D-Bus address. Default: session when DBUS_SESSION_BUS_ADDRESS is set, else system.")
    var bus: String?

    var address: BusAddress { bus.map(BusAddress.init(argument:)) ?? .fromEnvironment() }
}
