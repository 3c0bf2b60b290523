import PluginKit
import VeDbus

/// One connection to the bus and everything that lives on it: the monitor's cache, our service,
/// the publisher, the battery tracker (its path keys belong to this monitor) and the custom-name
/// setting. A lost connection ends the session; the daemon builds a new one.
public final class BusSession {
    public let connection: BusConnection
    public let monitor: VeMonitor
    public let service: AggregateService
    private(set) var publisher: AggregatePublisher
    private(set) var tracker: BatteryTracker
    let customName: CustomNameSetting
    /// Monotonic time the session began: STARTUP_WAIT counts from here.
    let startedAt: Double

    init(address: BusAddress, loop: EventLoop, settings: HostSettings, selection: StrategySelection,
         logger: DaemonLogger) throws(DBusError) {
        connection = try BusConnection(address)
        loop.attach(connection)
        var prefixes = [settings.batteryServiceName, settings.dcloadServiceName, settings.mpptKeyword,
                        FeedInController.settingsService, Inventory.systemServiceName]
        if !settings.multiKeyword.isEmpty { prefixes.append(settings.multiKeyword) }
        monitor = VeMonitor(connection: connection, prefixes: prefixes, excluding: [AggregateService.serviceName],
                            clock: loop.clock)
        service = AggregateService(connection: connection)
        publisher = AggregatePublisher(service: service, settings: settings, selection: selection)
        tracker = BatteryTracker(settings: settings)
        let service = self.service
        customName = CustomNameSetting(monitor: monitor, logger: logger) { service.setCustomName($0) }
        startedAt = loop.now
    }

    /// New settings after a reload: the publisher and the tracker follow them; the connection,
    /// the monitor and our registered name stay.
    func reconfigure(settings: HostSettings, selection: StrategySelection) {
        publisher = AggregatePublisher(service: service, settings: settings, selection: selection)
        tracker = BatteryTracker(settings: settings)
    }

    /// Leaves the bus: releases our name (when the connection still works) and closes. Also
    /// drops every callback (they hold the daemon and this session).
    func close(loop: EventLoop) {
        if connection.isConnected && service.isRegistered { connection.releaseName(AggregateService.serviceName) }
        monitor.stop()
        service.onCustomNameWritten = nil
        connection.close()
        loop.detach(connection)
    }
}
