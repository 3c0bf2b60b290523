/// Where a config value was written, so every message can point the user at the exact line.
public struct ConfigLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file as the caller named it (a path or a bare name such as "config.ini").
    public var file: String
    /// 1-based line of the key; 0 stands for the file as a whole.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// "config.ini:4", or just "config.ini" for a whole-file location.
    public var description: String {
        line > 0 ? "\(file):\(line)" : file
    }
}
