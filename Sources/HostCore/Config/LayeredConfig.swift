/// The shipped `config.default.ini` with the user's `config.ini` laid over it: the effective raw
/// text of every key and where it came from.
///
/// The defaults file defines the keys the host knows; strategies may declare more (a plugin's
/// keys are known only once the plugin is loaded, which needs PLUGIN_DIR from this very
/// config). So building the layers never rejects a key; `unknownKeyProblems(strategyKeys:)`
/// does that as a second step.
public struct LayeredConfig: Sendable {
    /// One effective key: its canonical spelling, raw value and the line that set it.
    public struct Setting: Equatable, Sendable {
        public var key: String
        public var value: String
        public var location: ConfigLocation
        /// True when the user's file set the key, false when the default file did.
        public var isOverride: Bool
    }

    public let defaults: IniDocument
    public let user: IniDocument?
    /// Effective settings: the default file's keys in its order, then keys only the user set.
    public private(set) var settings: [Setting] = []
    private var indexByFoldedKey: [String: Int] = [:]

    public init(defaults: IniDocument, user: IniDocument?) {
        self.defaults = defaults
        self.user = user
        for entry in defaults.entries {
            indexByFoldedKey[ConfigText.lowercasedASCII(entry.key)] = settings.count
            settings.append(Setting(key: entry.key, value: entry.value, location: entry.location, isOverride: false))
        }
        for entry in user?.entries ?? [] {
            let folded = ConfigText.lowercasedASCII(entry.key)
            if let index = indexByFoldedKey[folded] {
                // Keep the default file's spelling: it is the canonical name (e.g. CAN_batteries).
                settings[index].value = entry.value
                settings[index].location = entry.location
                settings[index].isOverride = true
            } else {
                indexByFoldedKey[folded] = settings.count
                settings.append(Setting(key: entry.key, value: entry.value, location: entry.location, isOverride: true))
            }
        }
    }

    /// Effective raw text of `key` (case-insensitive), comments removed, continuation lines
    /// joined with "\n", trimmed; nil when no file sets it.
    public func value(forKey key: String) -> String? {
        setting(forKey: key)?.value
    }

    /// The file and line that set the effective value of `key`; nil when no file sets it.
    public func location(ofKey key: String) -> ConfigLocation? {
        setting(forKey: key)?.location
    }

    public func setting(forKey key: String) -> Setting? {
        indexByFoldedKey[ConfigText.lowercasedASCII(key)].map { settings[$0] }
    }

    /// Problems of the files themselves (syntax, duplicates, sections), defaults first.
    public var fileProblems: [ConfigProblem] {
        defaults.problems + (user?.problems ?? [])
    }

    /// Keys in the user's file that neither the default file nor `strategyKeys` knows
    /// (compared case-insensitively). The original program rejects these too: a typo must
    /// not silently fall back to a default.
    public func unknownKeyProblems(strategyKeys: [String]) -> [ConfigProblem] {
        guard let user else { return [] }
        var known = Set<String>()
        for entry in defaults.entries { known.insert(ConfigText.lowercasedASCII(entry.key)) }
        for key in strategyKeys { known.insert(ConfigText.lowercasedASCII(key)) }
        var problems: [ConfigProblem] = []
        for entry in user.entries where !known.contains(ConfigText.lowercasedASCII(entry.key)) {
            problems.append(ConfigProblem(kind: .unknownKey, location: entry.location, key: entry.key,
                                          value: entry.value, message: "unknown key"))
        }
        return problems
    }

    /// A strategy's complaint about `key` (the ABI's `config_error`), located at the line that set
    /// the effective value, so it reads like every other config problem.
    public func problem(forKey key: String, message: String) -> ConfigProblem {
        guard let setting = setting(forKey: key) else {
            return ConfigProblem(kind: .missingKey, location: nil, key: key,
                                 message: message + " (no file sets this key)")
        }
        return ConfigProblem(kind: .invalidValue, location: setting.location, key: setting.key,
                             value: setting.value, message: message)
    }
}
