import PluginKit

/// The `check-config` report: every effective key with its value and the file line that set
/// it, and below each key the user's config.ini sets, what it does in this daemon (the Python
/// program's keys that have no effect here say "accepted, replaced by ..."). The output is
/// itself valid INI (origins and roles are `;` comments), so it can be kept as a record.
public enum EffectiveSettingsReport {
    /// - Parameter strategies: the loaded strategies, whose declared keys they describe.
    public static func text(for config: LayeredConfig, strategies: [ReportedStrategy] = []) -> String {
        var rows: [(assignment: String, origin: String, roles: [String])] = []
        for setting in config.settings {
            let value = oneLine(setting.value)
            let assignment = value.isEmpty ? "\(setting.key) =" : "\(setting.key) = \(value)"
            let origin = setting.isOverride ? "set in \(setting.location)" : "default (\(setting.location))"
            rows.append((assignment, origin, setting.isOverride ? roles(of: setting.key, strategies) : []))
        }
        let column = min(48, rows.reduce(0) { max($0, $1.assignment.count) })
        var lines = ["[DEFAULT]"]
        lines.append("; effective settings: \(config.defaults.file)"
                     + (config.user.map { " overridden by \($0.file)" } ?? " (no user file)"))
        for row in rows {
            let padding = String(repeating: " ", count: max(1, column - row.assignment.count + 1))
            lines.append(row.assignment + padding + " ; " + row.origin)
            for role in row.roles { lines.append(";   -> " + role) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `key` does here: the host's role, then each strategy that declares it. A key that
    /// neither the host nor a loaded strategy reads says so.
    public static func roles(of key: String, _ strategies: [ReportedStrategy]) -> [String] {
        var roles: [String] = []
        if let host = ConfigKeyRoles.hostRole(forKey: key) { roles.append(host) }
        let folded = ConfigText.lowercasedASCII(key)
        for strategy in strategies {
            for spec in strategy.keys where ConfigText.lowercasedASCII(spec.name) == folded {
                let kind = strategy.kind == .charge ? "charge" : "SoC"
                let state = strategy.isSelected ? "selected" : "not selected: no effect now"
                roles.append("\(strategy.name) (\(kind) strategy, \(state)): \(spec.description)")
            }
        }
        if roles.isEmpty { roles.append("no effect: read neither by the program nor by a loaded strategy") }
        return roles
    }

    /// A multi-line list prints as one line: "3.55, 3.50, ...".
    private static func oneLine(_ value: String) -> String {
        var result = ""
        for piece in value.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = ConfigText.trimmed(piece)
            if trimmed.isEmpty { continue }
            if !result.isEmpty { result += " " }
            result += trimmed
        }
        return result
    }
}
