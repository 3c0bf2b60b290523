import CSystem
import PluginKit

/// The config.ini a replayed strategy choice runs with: the user's file (or the keys the trace's
/// header recorded) with the chosen strategies set, and without what belongs to the running
/// system only (a daemon trace of its own, the plugin folder when one is given).
enum ReplayConfig {
    /// Keys never carried into a replay's config.
    static let dropped: Set<String> = ["TRACE_FILE", "TRACE_MAX_BYTES"]

    static func write(choice: ReplayChoice, header: TraceHeader, userConfig: String?, to path: String) -> Result<Void, OutputFileError> {
        var entries: [(key: String, value: String)] = []
        if let userConfig {
            switch ConfigFileReader.readFile(path: userConfig) {
            case .bytes(let bytes):
                let document = IniParser.parse(bytes, file: userConfig)
                if let problem = document.problems.first {
                    return .failure(OutputFileError(message: problem.description))
                }
                entries = document.entries.map { (key: $0.key, value: $0.value) }
            default:
                return .failure(OutputFileError(message: "\(userConfig): cannot be read"))
            }
        } else {
            entries = header.config
        }
        var replaced: Set<String> = dropped
        if choice.charge != nil { replaced.insert("CHARGE_STRATEGY") }
        if choice.soc != nil { replaced.insert("SOC_STRATEGY") }
        var text = "[DEFAULT]\n"
        for entry in entries where !replaced.contains(ConfigText.uppercasedASCII(entry.key)) {
            // A value continued over several lines keeps its lines, indented as continuations.
            text += entry.key + " = " + entry.value.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: "\n    ") + "\n"
        }
        if let charge = choice.charge { text += "CHARGE_STRATEGY = \(charge)\n" }
        if let soc = choice.soc { text += "SOC_STRATEGY = \(soc)\n" }
        switch OutputFile.create(path) {
        case .failure(let error): return .failure(error)
        case .success(let file):
            file.write(text)
            if let failure = file.close() { return .failure(OutputFileError(message: failure)) }
            return .success(())
        }
    }

    /// Creates the state folder, or empties one a former replay left: a replay starts from no state.
    static func prepareStateDirectory(_ directory: String) -> String? {
        if mkdir(directory, 0o755) != 0, csystem_errno() != EEXIST {
            return "\(directory): cannot be created (\(String(cString: strerror(csystem_errno()))))"
        }
        guard let stream = opendir(directory) else { return "\(directory): cannot be read" }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { CText.string(from: $0) }
            if name.hasPrefix("storedvalue_") { names.append(name) }
        }
        for name in names { unlink(directory + "/" + name) }
        return nil
    }
}
