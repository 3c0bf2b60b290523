import CSystem

/// Where the daemon finds its files. Defaults suit Venus OS (the Python program's folder) and a
/// development checkout (the current directory).
public struct DaemonPaths: Equatable, Sendable {
    /// The folder the Python program lives in on Venus OS; users' config.ini and state are there.
    public static let venusFolder = "/data/apps/dbus-aggregate-batteries"

    /// config.default.ini, shipped with the program.
    public var defaultConfig: String
    /// The user's config.ini (may hold overrides only, or be missing).
    public var userConfig: String
    /// Where storedvalue_* files live.
    public var stateDirectory: String
    /// Explicit plugin folder; nil = PLUGIN_DIR or the default search path.
    public var pluginDirectory: String?

    public init(defaultConfig: String, userConfig: String, stateDirectory: String, pluginDirectory: String? = nil) {
        self.defaultConfig = defaultConfig
        self.userConfig = userConfig
        self.stateDirectory = stateDirectory
        self.pluginDirectory = pluginDirectory
    }

    /// Fills what the command line left out: the folder of config.default.ini decides, first
    /// the Venus folder, then beside the executable, then the current directory.
    public static func resolve(defaultConfig: String?, userConfig: String?, stateDirectory: String?,
                               pluginDirectory: String?) -> DaemonPaths {
        let folder: String
        if let defaultConfig {
            folder = directory(of: defaultConfig)
        } else {
            let candidates = [venusFolder, executableDirectory() ?? ".", checkoutFolder() ?? ".", "."]
            folder = candidates.first { access($0 + "/config.default.ini", R_OK) == 0 } ?? "."
        }
        let configFolder = userConfig.map(directory(of:)) ?? folder
        return DaemonPaths(defaultConfig: defaultConfig ?? folder + "/config.default.ini",
                           userConfig: userConfig ?? folder + "/config.ini",
                           stateDirectory: stateDirectory ?? configFolder,
                           pluginDirectory: pluginDirectory)
    }

    /// The checkout a development build runs from (its executable lies under `<checkout>/.build*`),
    /// whose config.default.ini serves from any directory; nil for an installed daemon.
    static func checkoutFolder() -> String? {
        guard let folder = executableDirectory() else { return nil }
        let parts = folder.split(separator: "/", omittingEmptySubsequences: false)
        guard let build = parts.firstIndex(where: { $0.hasPrefix(".build") }), build > 0 else { return nil }
        return parts[..<build].joined(separator: "/")
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
