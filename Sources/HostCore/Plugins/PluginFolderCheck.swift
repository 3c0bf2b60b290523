import CSystem

/// Refuses a plugin folder, or a library in it, that someone other than root (or the daemon's
/// own user) could change: the daemon runs as root and runs whatever code such a file holds.
public enum PluginFolderCheck {
    /// Why `path` (a folder or a library) must not be used, or nil when it is safe: it exists,
    /// belongs to root or to the daemon's user, and neither its group nor others may write it.
    public static func problem(with path: String, expectDirectory: Bool) -> String? {
        var owner: uid_t = 0
        var mode: mode_t = 0
        var isDirectory: Int32 = 0
        guard csystem_file_owner_mode(path, &owner, &mode, &isDirectory) == 0 else {
            return "\(path): cannot be read (\(String(cString: strerror(csystem_errno()))))"
        }
        if expectDirectory && isDirectory == 0 { return "\(path): not a folder" }
        let ownUser = geteuid()
        if owner != 0 && owner != ownUser {
            return "\(path) belongs to user \(owner), not to root: refused, a plugin runs with the daemon's rights "
                + "(fix: chown root:root \(path))"
        }
        if mode & 0o022 != 0 {
            return "\(path) can be written by its group or by others (mode \(octal(mode))): refused, a plugin "
                + "runs with the daemon's rights (fix: chmod go-w \(path))"
        }
        return nil
    }

    private static func octal(_ mode: mode_t) -> String {
        var digits = ""
        var rest = UInt32(mode)
        repeat {
            digits = String(rest % 8) + digits
            rest /= 8
        } while rest > 0
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
