import CSystem
import PluginKit

/// Where the host looks for plugin libraries, in order: the executable's own directory (an
/// installed daemon keeps its plugins beside it), then, for development, the SwiftPM build
/// folders of the current directory.
public func defaultPluginSearchPath(currentDirectory: String? = nil) -> [String] {
    var candidates: [String] = []
    if let executableDirectory = executableDirectory() { candidates.append(executableDirectory) }
    if let base = currentDirectory ?? workingDirectory() {
        for folder in [".build/debug", ".build/release"] {
            candidates.append(base == "/" ? "/" + folder : base + "/" + folder)
        }
    }
    var unique: [String] = []
    for candidate in candidates where !unique.contains(candidate) { unique.append(candidate) }
    return unique
}

/// dirname of /proc/self/exe, nil when unreadable.
public func executableDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = path.lastIndex(of: "/") else { return nil }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

private func workingDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return buffer.withUnsafeBytes { CText.string(from: $0) }
}
