import VeDbus

/// What is on the bus, classified as §2 of the reference behaviour does it: batteries,
/// SmartShunts, the Multi, MPPTs, settings and system. Pure: a function of the monitor's cache.
public struct Inventory: Equatable, Sendable {
    /// Our own service; never counted as a battery, whatever its product name says.
    public static let aggregateServiceName = "com.victronenergy.battery.aggregate"
    public static let settingsServiceName = "com.victronenergy.settings"
    public static let systemServiceName = "com.victronenergy.system"
    /// Only services under this prefix are considered (the original filters on it).
    public static let victronPrefix = "com.victronenergy"

    /// Batteries in bus-name order, with unique display names.
    public var batteries: [BatteryIdentity] = []
    /// The SmartShunts USE_SMARTSHUNTS selects, and the list entries that matched none.
    public var smartShunts = SmartShuntDiscovery.Selection()
    /// The first Multi/Quattro by bus name; nil without one or with MULTI_KEYWORD empty.
    public var multi: String?
    /// Solar chargers in bus-name order.
    public var mppts: [String] = []
    public var settingsPresent = false
    public var systemPresent = false
    /// Battery services EXCLUDED_BATTERIES names (by name, custom name or serial): on the bus,
    /// never aggregated, with the word that excluded each.
    public var excluded: [(service: String, matched: String)] = []

    public static func == (lhs: Inventory, rhs: Inventory) -> Bool {
        lhs.batteries == rhs.batteries && lhs.smartShunts == rhs.smartShunts && lhs.multi == rhs.multi
            && lhs.mppts == rhs.mppts && lhs.settingsPresent == rhs.settingsPresent && lhs.systemPresent == rhs.systemPresent
            && lhs.excluded.map { $0.service + "\u{0}" + $0.matched } == rhs.excluded.map { $0.service + "\u{0}" + $0.matched }
    }

    public init(batteries: [BatteryIdentity] = [], smartShunts: SmartShuntDiscovery.Selection = .init(),
                multi: String? = nil, mppts: [String] = [], settingsPresent: Bool = false,
                systemPresent: Bool = false) {
        self.batteries = batteries
        self.smartShunts = smartShunts
        self.multi = multi
        self.mppts = mppts
        self.settingsPresent = settingsPresent
        self.systemPresent = systemPresent
    }

    /// Batteries without a problem (those the bank may count on).
    public var usableBatteries: [BatteryIdentity] {
        batteries.filter { $0.problem == nil }
    }

    /// Classifies every ready service of `view` with the host's discovery settings.
    public static func classify<View: MonitorView>(_ view: View, settings: HostSettings) -> Inventory {
        var inventory = Inventory()
        var foundShunts: [SmartShunt] = []
        var takenNames: [String] = []
        for service in view.readyServiceNames where service.includes(victronPrefix) {
            if service == settingsServiceName { inventory.settingsPresent = true }
            if service == systemServiceName { inventory.systemPresent = true }
            if !settings.multiKeyword.isEmpty, inventory.multi == nil, service.includes(settings.multiKeyword) {
                inventory.multi = service
            }
            if service.includes(settings.mpptKeyword) { inventory.mppts.append(service) }

            let productName = view.text(service, settings.batteryProductNamePath)
            let isBatteryClass = service.includes(settings.batteryServiceName)
            if isBatteryClass, service != aggregateServiceName,
               let productName, productName.includes(settings.batteryProductName) {
                if let matched = excludedBy(settings.excludedBatteries, view, service, settings) {
                    inventory.excluded.append((service: service, matched: matched))
                    continue
                }
                let position = inventory.batteries.count + 1
                let name = BatteryNaming.displayName(published: publishedName(view, service, settings),
                                                     position: position, taken: takenNames)
                takenNames.append(name)
                let problem = CellCountCheck.problem(in: view, service: service,
                                                     cellsPerBattery: settings.cellsPerBattery,
                                                     canBatteries: settings.canBatteries)
                let customName = view.text(service, "/CustomName")
                let packKey = BatteryIdentity.packKey(serial: text(view, service, "/Serial"), customName: customName,
                                                      deviceInstance: view.integer(service, "/DeviceInstance"),
                                                      service: service)
                inventory.batteries.append(BatteryIdentity(
                    service: service, name: name,
                    pathSafeName: BatteryNaming.pathSafe(name, position: position), problem: problem,
                    packKey: packKey, customName: customName))
                continue
            }
            let isDcLoadClass = service.includes(settings.dcloadServiceName)
            if (isBatteryClass || isDcLoadClass), service != aggregateServiceName,
               let productName, productName.includes(settings.smartShuntNameKeyword) {
                foundShunts.append(SmartShunt(
                    service: service, mode: isBatteryClass ? .batteryMonitor : .dcMeter,
                    vrmInstance: view.integer(service, "/DeviceInstance"),
                    customName: view.text(service, settings.smartShuntInstanceNamePath)))
            }
        }
        inventory.smartShunts = SmartShuntDiscovery.select(foundShunts, by: settings.useSmartShunts)
        return inventory
    }

    /// The entry of EXCLUDED_BATTERIES that names this battery: its published name
    /// (BATTERY_INSTANCE_NAME_PATH), its /CustomName or its /Serial, exactly; nil when none does.
    private static func excludedBy<View: MonitorView>(_ list: [String], _ view: View, _ service: String,
                                                      _ settings: HostSettings) -> String? {
        guard !list.isEmpty else { return nil }
        let names = [publishedName(view, service, settings), text(view, service, "/CustomName"),
                     text(view, service, "/Serial")].compactMap { $0 }
        return list.first { names.contains($0) }
    }

    /// The battery's published name; a number (a numeric serial) is accepted as its digits.
    private static func publishedName<View: MonitorView>(_ view: View, _ service: String,
                                                         _ settings: HostSettings) -> String? {
        text(view, service, settings.batteryInstanceNamePath)
    }

    /// A text path's value; a number is accepted as its digits.
    private static func text<View: MonitorView>(_ view: View, _ service: String, _ path: String) -> String? {
        guard let value = view.value(service, path), !value.isInvalid else { return nil }
        if let text = value.string { return text }
        if let whole = value.integer { return "\(whole)" }
        return nil
    }
}
