import PluginKit
import VeDbus

/// The daemon's two connections to the bus and everything that lives on them: the monitor's
/// cache, our service, the publisher, the battery tracker (its path keys belong to this monitor)
/// and the custom-name setting. Either connection lost ends the session; the daemon builds a new one.
///
/// Two connections, each with its own wake-up policy: the monitor's reads the batteries' signals
/// in one batch before each tick (one wake-up a second, however many signals), while the
/// service's is read at once, so that a GetValue or GetItems from the GUI, systemcalc or a tool
/// is answered within milliseconds at any moment of the tick.
public final class BusSession {
    /// The monitor's connection (signals, discovery, calls to other services).
    public let connection: BusConnection
    /// The connection that owns com.victronenergy.battery.aggregate and serves its calls.
    public let serviceConnection: BusConnection
    public let monitor: VeMonitor
    public let service: AggregateService
    private(set) var publisher: AggregatePublisher
    private(set) var tracker: BatteryTracker
    let customName: CustomNameSetting
    /// Monotonic time the session began: STARTUP_WAIT counts from here.
    let startedAt: Double

    /// `tracker`: the last session's, after the bus connection was lost: which packs make the
    /// bank (and which are missing) is not forgotten with the connection.
    init(address: BusAddress, loop: EventLoop, settings: HostSettings, selection: StrategySelection,
         logger: DaemonLogger, tracker: BatteryTracker? = nil) throws(DBusError) {
        connection = try BusConnection(address)
        serviceConnection = try BusConnection(address)
        loop.attach(connection)
        loop.attach(serviceConnection)
        var prefixes = [settings.batteryServiceName, settings.dcloadServiceName, settings.mpptKeyword,
                        FeedInController.settingsService, Inventory.systemServiceName]
        if !settings.multiKeyword.isEmpty { prefixes.append(settings.multiKeyword) }
        monitor = VeMonitor(connection: connection, prefixes: prefixes, excluding: [AggregateService.serviceName],
                            clock: loop.clock)
        service = AggregateService(connection: serviceConnection)
        publisher = AggregatePublisher(service: service, settings: settings, selection: selection)
        if let tracker {
            tracker.monitorReplaced()
            self.tracker = tracker
        } else {
            self.tracker = BatteryTracker(settings: settings)
        }
        let service = self.service
        customName = CustomNameSetting(monitor: monitor, logger: logger) { service.setCustomName($0) }
        startedAt = loop.now
    }

    /// New settings after a reload: the publisher and the tracker follow them (the tracker keeps
    /// what it knows of the packs); the connections, the monitor and our registered name stay.
    func reconfigure(settings: HostSettings, selection: StrategySelection) {
        publisher = AggregatePublisher(service: service, settings: settings, selection: selection)
        tracker.reconfigure(settings: settings)
    }

    /// Leaves the bus: releases our name (when the connection still works) and closes. Also
    /// drops every callback (they hold the daemon and this session).
    func close(loop: EventLoop) {
        if serviceConnection.isConnected && service.isRegistered {
            serviceConnection.releaseName(AggregateService.serviceName)
        }
        monitor.stop()
        service.onCustomNameWritten = nil
        for each in [connection, serviceConnection] {
            each.close()
            loop.detach(each)
        }
    }

    /// Both connections work.
    var isConnected: Bool { connection.isConnected && serviceConnection.isConnected }
}
