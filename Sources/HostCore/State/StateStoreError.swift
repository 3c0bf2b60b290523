import CSystem

/// What went wrong with a stored value. Never fatal: the caller logs it and carries on.
public enum StateStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Keys become file names, so only [a-z0-9_]+ is allowed.
    case invalidKey(String)
    /// A write did not reach the disk; the value stays pending and `flush()` retries it.
    /// `step` names the system call that failed, `code` is its errno.
    case writeFailed(key: String, path: String, step: String, code: Int32)
    /// A corrupt file could not be moved aside.
    case quarantineFailed(key: String, path: String, code: Int32)

    public var description: String {
        switch self {
        case .invalidKey(let key):
            return "state key '\(key)' is invalid: only a-z, 0-9 and _ are allowed"
        case let .writeFailed(key, path, step, code):
            return "state '\(key)' not saved (\(step) \(path): \(Self.describe(code))); will retry"
        case let .quarantineFailed(key, path, code):
            return "state '\(key)': cannot move corrupt \(path) aside: \(Self.describe(code))"
        }
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
