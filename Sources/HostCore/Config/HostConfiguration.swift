/// The whole start-up configuration: both files layered, every key checked, host keys typed.
public struct HostConfiguration: Sendable {
    /// Raw effective values and their locations, for strategies and `check-config`.
    public let layers: LayeredConfig
    public let settings: HostSettings

    /// Layers `user` over `defaults`, rejects unknown keys (those of `strategyKeys` are known)
    /// and reads the host settings. Throws every problem of every step at once: the user's file first, in line order.
    public static func load(defaults: IniDocument, user: IniDocument?,
                            strategyKeys: [String] = []) throws(ConfigError) -> HostConfiguration {
        let layers = LayeredConfig(defaults: defaults, user: user)
        var problems = layers.fileProblems + layers.unknownKeyProblems(strategyKeys: strategyKeys)
        var settings: HostSettings?
        do {
            settings = try HostSettings(config: layers)
        } catch {
            problems += error.problems
        }
        guard let settings, problems.isEmpty else {
            throw ConfigError(sortedInFileOrder(problems, defaults: defaults.file, user: user?.file))
        }
        return HostConfiguration(layers: layers, settings: settings)
    }

    /// Reads `config.default.ini` (required) and the user's `config.ini` (optional: without it
    /// every default applies, and NR_OF_BATTERIES then asks to be set) from disk.
    public static func load(defaultsPath: String, userPath: String,
                            strategyKeys: [String] = []) throws(ConfigError) -> HostConfiguration {
        var problems: [ConfigProblem] = []
        var defaults = IniDocument(file: defaultsPath)
        switch ConfigFileReader.readFile(path: defaultsPath) {
        case .bytes(let bytes): defaults = IniParser.parse(bytes, file: defaultsPath)
        case .notFound:
            problems.append(ConfigProblem(kind: .unreadableFile, location: ConfigLocation(file: defaultsPath, line: 0),
                                          message: "file not found; it ships with the program and documents every key"))
        case .failed(let problem): problems.append(problem)
        }
        var user: IniDocument?
        switch ConfigFileReader.readFile(path: userPath) {
        case .bytes(let bytes): user = IniParser.parse(bytes, file: userPath)
        case .notFound: user = nil
        case .failed(let problem): problems.append(problem)
        }
        if !problems.isEmpty { throw ConfigError(problems) }
        return try load(defaults: defaults, user: user, strategyKeys: strategyKeys)
    }

    private static func sortedInFileOrder(_ problems: [ConfigProblem], defaults: String,
                                          user: String?) -> [ConfigProblem] {
        func rank(_ problem: ConfigProblem) -> (Int, Int) {
            guard let location = problem.location else { return (3, 0) }
            if location.file == user { return (0, location.line) }
            if location.file == defaults { return (1, location.line) }
            return (2, location.line)
        }
        return problems.enumerated()
            .sorted { lhs, rhs in
                let (left, right) = (rank(lhs.element), rank(rhs.element))
                return left != right ? left < right : lhs.offset < rhs.offset
            }
            .map { $0.element }
    }
}
