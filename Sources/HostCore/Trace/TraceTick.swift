import PluginKit
import VeDbus

/// What the aggregate on the bus published at one tick: read back by `record`, or the daemon's
/// own outcome in a trace it writes itself. A replay compares its strategies with this.
public struct PublishedLimits: Equatable, Sendable {
    public var chargeVoltageLimit: Double?     // V
    public var chargeCurrentLimit: Double?     // A
    public var dischargeCurrentLimit: Double?  // A
    public var socPercent: Double?             // %
    public var limitReason: String?
    /// /Alarms/BmsCable: 0, 1 (a pack missing), 2 (blocked or none online).
    public var bmsCableAlarm: Int?

    public init(chargeVoltageLimit: Double? = nil, chargeCurrentLimit: Double? = nil,
                dischargeCurrentLimit: Double? = nil, socPercent: Double? = nil, limitReason: String? = nil,
                bmsCableAlarm: Int? = nil) {
        self.chargeVoltageLimit = chargeVoltageLimit
        self.chargeCurrentLimit = chargeCurrentLimit
        self.dischargeCurrentLimit = dischargeCurrentLimit
        self.socPercent = socPercent
        self.limitReason = limitReason
        self.bmsCableAlarm = bmsCableAlarm
    }
}

/// One tick of a trace: what the strategies got (the bank, the packs online, the time step, the
/// date, the counts), the host's own facts the guard needs (capacity share online, vetoes of packs
/// not online), and what came out (the strategies' results, when the daemon wrote the trace, and
/// what was published).
public struct TraceTick: Equatable, Sendable {
    /// The recorder's clock in battery seconds, s (monotonic; only differences mean something):
    /// the wall clock times the daemon's time scale, so that a demo run faster than real time is
    /// traced in the time its batteries lived, as its `dt`s are.
    public var timeSeconds: Double
    /// The strategies' input; `charge` is nil (a SoC strategy gets the charge result of its tick).
    public var context: TickContext
    /// Installed capacity of the packs online over that of the packs expected (0...1).
    public var onlineCapacityShare: Double
    public var vetoes: PackVetoes
    /// The user's DVCC limits the guard applied.
    public var dvcc: DvccUserLimits
    public var published: PublishedLimits?
    /// The daemon's charge strategy's result, or why it failed; both nil when not recorded.
    public var charge: ChargeResult?
    public var chargeError: String?
    public var soc: SocResult?
    public var socError: String?

    public init(timeSeconds: Double, context: TickContext, onlineCapacityShare: Double = 1,
                vetoes: PackVetoes = PackVetoes(), dvcc: DvccUserLimits = DvccUserLimits(),
                published: PublishedLimits? = nil, charge: ChargeResult? = nil,
                chargeError: String? = nil, soc: SocResult? = nil, socError: String? = nil) {
        self.timeSeconds = timeSeconds
        self.context = context
        self.onlineCapacityShare = onlineCapacityShare
        self.vetoes = vetoes
        self.dvcc = dvcc
        self.published = published
        self.charge = charge
        self.chargeError = chargeError
        self.soc = soc
        self.socError = socError
    }
}

/// The first line of a trace: the format and its version, who wrote it, and the configuration
/// the recording ran with (a replay uses it unless told otherwise).
public struct TraceHeader: Equatable, Sendable {
    public static let format = "dab-trace"
    /// Bumped when a reader of the previous version would misread a line; new members do not.
    public static let version = 1

    public var version: Int
    /// "record", "daemon" or "simulator".
    public var source: String
    /// The program and its version, e.g. "dbus-aggregate-batteries 0.1.0".
    public var program: String
    public var chargeStrategy: String?
    public var socStrategy: String?
    /// The keys the user's config.ini set, as INI text, in file order.
    public var config: [(key: String, value: String)]
    /// A line for people: the scenario, the system.
    public var note: String?

    public init(source: String, program: String, chargeStrategy: String? = nil, socStrategy: String? = nil,
                config: [(key: String, value: String)] = [], note: String? = nil, version: Int = TraceHeader.version) {
        self.version = version
        self.source = source
        self.program = program
        self.chargeStrategy = chargeStrategy
        self.socStrategy = socStrategy
        self.config = config
        self.note = note
    }

    public static func == (lhs: TraceHeader, rhs: TraceHeader) -> Bool {
        lhs.version == rhs.version && lhs.source == rhs.source && lhs.program == rhs.program
            && lhs.chargeStrategy == rhs.chargeStrategy && lhs.socStrategy == rhs.socStrategy && lhs.note == rhs.note
            && lhs.config.count == rhs.config.count
            && zip(lhs.config, rhs.config).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension TraceHeader {
    /// The keys the user's config.ini sets, for a header: all but those about the trace itself.
    public static func recordedKeys(of layers: LayeredConfig) -> [(key: String, value: String)] {
        layers.settings.filter { $0.isOverride && !ReplayConfig.dropped.contains(ConfigText.uppercasedASCII($0.key)) }
            .map { (key: $0.key, value: $0.value) }
    }
}

extension PublishedLimits {
    /// The aggregate's paths a recording reads back.
    static let paths = ["/Info/MaxChargeVoltage", "/Info/MaxChargeCurrent", "/Info/MaxDischargeCurrent", "/Soc",
                        "/Info/LimitReason", "/Alarms/BmsCable"]

    /// What com.victronenergy.battery.aggregate publishes now; nil when it is not on the bus.
    static func read<View: MonitorView>(from view: View) -> PublishedLimits? {
        let service = AggregateService.serviceName
        guard view.lastUpdate(service) != nil else { return nil }
        return PublishedLimits(chargeVoltageLimit: view.value(service, paths[0])?.number,
                               chargeCurrentLimit: view.value(service, paths[1])?.number,
                               dischargeCurrentLimit: view.value(service, paths[2])?.number,
                               socPercent: view.value(service, paths[3])?.number,
                               limitReason: view.value(service, paths[4])?.string,
                               bmsCableAlarm: view.value(service, paths[5])?.integer)
    }
}
