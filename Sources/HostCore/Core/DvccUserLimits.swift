import VeDbus

/// The charge limits the user set for DVCC on the GX device (Settings → DVCC: "Limit charge
/// current", "Limit managed battery charge voltage"). The aggregate never publishes above them,
/// whatever the strategy, and says so in /Info/LimitReason.
public struct DvccUserLimits: Equatable, Sendable {
    /// A; nil when not set (the setting is -1 then).
    public var maxChargeCurrent: Double?
    /// V; nil when not set (0 then).
    public var maxChargeVoltage: Double?

    public static let settingsService = "com.victronenergy.settings"
    public static let currentPath = "/Settings/SystemSetup/MaxChargeCurrent"
    public static let voltagePath = "/Settings/SystemSetup/MaxChargeVoltage"

    public init(maxChargeCurrent: Double? = nil, maxChargeVoltage: Double? = nil) {
        self.maxChargeCurrent = maxChargeCurrent
        self.maxChargeVoltage = maxChargeVoltage
    }

    /// The settings as the monitor holds them; a negative current or a voltage of 0 or less is "not set".
    public static func read<View: MonitorView>(from view: View) -> DvccUserLimits {
        let amps = view.value(settingsService, currentPath)?.number
        let volts = view.value(settingsService, voltagePath)?.number
        return DvccUserLimits(maxChargeCurrent: amps.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil },
                              maxChargeVoltage: volts.flatMap { $0.isFinite && $0 > 0 ? $0 : nil })
    }
}
