import CSystem
import PluginKit

/// Where the host looks for plugin libraries. An installed daemon (from `scripts/package`) keeps
/// its plugins in `plugins/` beside the executable and looks nowhere else: a library found there
/// runs as root, so no other folder may slip one in. A development build (an executable inside a
/// SwiftPM or cross build folder, `.build*`) also looks beside the executable and in the build
/// folders of the current directory, where `swift build` puts the plugins.
public struct PluginSearchPolicy: Equatable, Sendable {
    /// The folder of the running executable; nil when /proc/self/exe is unreadable.
    public var executableDirectory: String?
    /// The current directory (for the development folders).
    public var currentDirectory: String?

    public init(executableDirectory: String?, currentDirectory: String?) {
        self.executableDirectory = executableDirectory
        self.currentDirectory = currentDirectory
    }

    /// The running process's policy.
    public static func current() -> PluginSearchPolicy {
        PluginSearchPolicy(executableDirectory: runningExecutableDirectory(), currentDirectory: workingDirectory())
    }

    /// True when the executable lies inside a build folder (a path component starting `.build`).
    public var isDevelopmentBuild: Bool {
        guard let executableDirectory else { return false }
        return executableDirectory.split(separator: "/").contains { $0.hasPrefix(".build") }
    }

    /// The folders searched when neither --plugin-dir nor PLUGIN_DIR names one.
    public var defaultFolders: [String] {
        var candidates: [String] = []
        if let executableDirectory { candidates.append(joined(executableDirectory, "plugins")) }
        if isDevelopmentBuild {
            if let executableDirectory { candidates.append(executableDirectory) }
            if let base = currentDirectory {
                for folder in [".build/debug", ".build/release"] { candidates.append(joined(base, folder)) }
            }
        }
        var unique: [String] = []
        for candidate in candidates where !unique.contains(candidate) { unique.append(candidate) }
        return unique
    }

    /// Whether the folder and the libraries loaded from it must pass `PluginFolderCheck`: always
    /// for an installed daemon; a development build loads what its developer built.
    public var requiresProtectedFolder: Bool { !isDevelopmentBuild }

    private func joined(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }
}

/// dirname of /proc/self/exe, nil when unreadable.
public func executableDirectory() -> String? {
    runningExecutableDirectory()
}

/// The same under another name: inside `PluginSearchPolicy` its property hides the function.
private func runningExecutableDirectory() -> String? {
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
