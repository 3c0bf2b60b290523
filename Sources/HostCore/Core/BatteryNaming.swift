/// Display names for the batteries, as the original gives them: the value at
/// BATTERY_INSTANCE_NAME_PATH, `Battery<k>` when unreadable, the running count appended to a
/// duplicate. Every list, log line and cell id uses these names, so they must be unique.
public enum BatteryNaming {
    /// The display name of the `position`-th battery found (1-based), given the names already taken.
    /// A duplicate gets `position` appended ("B1", "B12"), as the original does; should even that
    /// be taken, `_<position>` is appended until it is unique (the original would silently
    /// overwrite a battery there).
    public static func displayName(published: String?, position: Int, taken: [String]) -> String {
        let base: String
        if let published, !published.isEmpty { base = published } else { base = "Battery\(position)" }
        guard taken.contains(base) else { return base }
        var candidate = base + "\(position)"
        while taken.contains(candidate) { candidate += "_\(position)" }
        return candidate
    }

    /// The name stripped to `[A-Za-z0-9_]`, for D-Bus paths such as `/Voltages/<Name>_Cell<k>`;
    /// `Battery<position>` when nothing is left.
    public static func pathSafe(_ name: String, position: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for byte in name.utf8 where isPathSafe(byte) { bytes.append(byte) }
        if bytes.isEmpty { return "Battery\(position)" }
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    private static func isPathSafe(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
            || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
}
