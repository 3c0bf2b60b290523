import PluginKit

/// Text for `dbus-aggregate-batteries plugins`: every library, its strategies and their keys,
/// then the libraries that could not be loaded and why.
public func renderStrategyListing(_ libraries: [LoadedPluginLibrary], errors: [PluginLoadError] = []) -> String {
    var lines: [String] = []
    for library in libraries {
        lines.append("\(library.name) (ABI \(library.abiMajor).\(library.abiMinor)) \(library.path)")
        for strategy in library.strategies {
            lines.append("  \(kindName(strategy.kind)) strategy \(strategy.name) \(strategy.version): \(strategy.summary)")
            for key in strategy.configKeys {
                let shownDefault = key.defaultValue.isEmpty ? "(empty)" : key.defaultValue
                lines.append("    \(key.name) = \(shownDefault)  ; \(key.description)")
            }
        }
    }
    if !errors.isEmpty {
        lines.append("Not loaded:")
        for error in errors { lines.append("  \(error)") }
    }
    return lines.joined(separator: "\n") + "\n"
}
