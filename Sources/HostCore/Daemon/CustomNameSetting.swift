import VeDbus

/// Keeps the aggregate's `/CustomName` in com.victronenergy.settings, as Venus devices do: the
/// setting is created with AddSetting when absent, read back at start, and written on every
/// change made through our service (for example from the GX's device list).
public final class CustomNameSetting {
    public static let settingPath = "/Settings/Devices/aggregatebatteries/CustomName"
    private let monitor: VeMonitor
    private let logger: DaemonLogger
    /// Applies a name read from the settings to our service.
    private let apply: (String) -> Void

    public init(monitor: VeMonitor, logger: DaemonLogger, apply: @escaping (String) -> Void) {
        self.monitor = monitor
        self.logger = logger
        self.apply = apply
    }

    /// Called when the settings service is (again) on the bus: create the setting, then restore.
    public func settingsAppeared() {
        let arguments: [DBusValue] = [.string("Devices/aggregatebatteries"), .string("CustomName"),
                                      .variant(.string("")), .string("s"), .variant(.int32(0)), .variant(.int32(0))]
        monitor.connection.call(destination: FeedInController.settingsService, path: "/Settings",
                                interface: "com.victronenergy.Settings", member: "AddSetting",
                                arguments: arguments, timeout: monitor.callTimeout) { result in
            if case .failure(let error) = result {
                // Our own connection ended (a reconnect or the exit): nothing to create or restore.
                if error.name == DBusError.disconnected { return }
                self.logger.warning("cannot create \(Self.settingPath): \(error)")
            }
            self.restore()
        }
    }

    private func restore() {
        monitor.getValue(FeedInController.settingsService, Self.settingPath) { result in
            switch result {
            case .success(let value):
                if let name = Self.restoredName(value) {
                    self.logger.info("custom name restored: \(name)")
                    self.apply(name)
                }
            case .failure(let error) where error.name != DBusError.disconnected:
                self.logger.warning("cannot read \(Self.settingPath): \(error)")
            case .failure:
                break
            }
        }
    }

    /// The name a stored setting gives the service; nil (keep the default, "AggregateBatteries")
    /// for an empty, invalid or non-text setting, as the Python program does.
    public static func restoredName(_ stored: DBusValue) -> String? {
        guard let name = stored.string, !name.isEmpty else { return nil }
        return name
    }

    /// Called after /CustomName was written on our service.
    public func nameChanged(to name: String) {
        monitor.setValue(FeedInController.settingsService, Self.settingPath, .string(name)) { result in
            switch result {
            case .success(0): self.logger.info("custom name saved: \(name)")
            case .success(let code): self.logger.warning("settings refused the custom name (code \(code))")
            case .failure(let error): self.logger.warning("cannot save the custom name: \(error)")
            }
        }
    }
}
