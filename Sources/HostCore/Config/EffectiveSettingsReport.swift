/// The `check-config` report: every effective key with its value and the file line that set
/// it. The output is itself valid INI (origins are `;` comments), so it can be kept as a record.
public enum EffectiveSettingsReport {
    public static func text(for config: LayeredConfig) -> String {
        var rows: [(assignment: String, origin: String)] = []
        for setting in config.settings {
            let value = oneLine(setting.value)
            let assignment = value.isEmpty ? "\(setting.key) =" : "\(setting.key) = \(value)"
            let origin = setting.isOverride ? "set in \(setting.location)" : "default (\(setting.location))"
            rows.append((assignment, origin))
        }
        let column = min(48, rows.reduce(0) { max($0, $1.assignment.count) })
        var lines = ["[DEFAULT]"]
        lines.append("; effective settings: \(config.defaults.file)"
                     + (config.user.map { " overridden by \($0.file)" } ?? " (no user file)"))
        for row in rows {
            let padding = String(repeating: " ", count: max(1, column - row.assignment.count + 1))
            lines.append(row.assignment + padding + " ; " + row.origin)
        }
        return lines.joined(separator: "\n") + "\n"
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
