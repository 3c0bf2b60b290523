/// com.victronenergy.system /SystemState/LowSoc, which the own SoC uses to decide TimeToGo.
public enum SystemLowSoc {
    public static let path = "/SystemState/LowSoc"

    /// true/false for 1/0; nil when the system service or the value is missing.
    public static func read<View: MonitorView>(from view: View) -> Bool? {
        guard let value = view.integer(Inventory.systemServiceName, path) else { return nil }
        return value != 0
    }
}
