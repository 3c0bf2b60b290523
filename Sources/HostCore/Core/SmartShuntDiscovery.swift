/// A SmartShunt on the bus, in battery-monitor mode or as a DC meter.
public struct SmartShunt: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        /// A battery monitor (`com.victronenergy.battery.*`): its current flows into the bank.
        case batteryMonitor
        /// A DC meter (`com.victronenergy.dcload.*`): its current is drawn from the bank.
        case dcMeter
    }

    public var service: String
    public var mode: Mode
    /// `/DeviceInstance`, the VRM instance a USE_SMARTSHUNTS list may name.
    public var vrmInstance: Int?
    /// The value at SMARTSHUNT_INSTANCE_NAME_PATH.
    public var customName: String?

    public init(service: String, mode: Mode, vrmInstance: Int? = nil, customName: String? = nil) {
        self.service = service
        self.mode = mode
        self.vrmInstance = vrmInstance
        self.customName = customName
    }
}

/// Applies USE_SMARTSHUNTS to the shunts found.
public enum SmartShuntDiscovery {
    public struct Selection: Equatable, Sendable {
        /// Battery-mode shunts used, in bus-name order.
        public var batteryMonitors: [SmartShunt] = []
        /// DC-meter shunts used, in bus-name order.
        public var dcMeters: [SmartShunt] = []
        /// List entries that matched no shunt: a configured shunt is missing.
        public var unmatched: [SmartShuntSelector] = []

        public init(batteryMonitors: [SmartShunt] = [], dcMeters: [SmartShunt] = [],
                    unmatched: [SmartShuntSelector] = []) {
            self.batteryMonitors = batteryMonitors
            self.dcMeters = dcMeters
            self.unmatched = unmatched
        }
    }

    /// Chooses among `found` (sorted by bus name). With a list, each entry matches at most one
    /// shunt, the first in bus-name order that is not already taken; a shunt is used once even
    /// when two entries name it.
    public static func select(_ found: [SmartShunt], by selection: SmartShuntSelection) -> Selection {
        var chosen: [SmartShunt] = []
        var unmatched: [SmartShuntSelector] = []
        switch selection {
        case .none:
            break
        case .all:
            chosen = found
        case .listed(let selectors):
            var taken = [Bool](repeating: false, count: found.count)
            for selector in selectors {
                var matchIndex: Int?
                for index in found.indices where !taken[index] && matches(found[index], selector) {
                    matchIndex = index
                    break
                }
                if let matchIndex { taken[matchIndex] = true } else { unmatched.append(selector) }
            }
            for index in found.indices where taken[index] { chosen.append(found[index]) }
        }
        var result = Selection(unmatched: unmatched)
        for shunt in chosen {
            switch shunt.mode {
            case .batteryMonitor: result.batteryMonitors.append(shunt)
            case .dcMeter: result.dcMeters.append(shunt)
            }
        }
        return result
    }

    static func matches(_ shunt: SmartShunt, _ selector: SmartShuntSelector) -> Bool {
        switch selector {
        case .vrmInstance(let instance): return shunt.vrmInstance == instance
        case .name(let name): return shunt.customName == name
        }
    }
}
