import PluginKit

/// SoC strategy "OwnSoC" (reference 3.5): a coulomb counter over the bank current, reset to full
/// or empty by the charge strategy's hints or, without hints, by cell voltage thresholds, and
/// persisted through the host's state store.
public final class OwnSoc: SocStrategyLogic {
    public let config: OwnSocConfig
    private let host: StrategyHost
    /// Ah in the bank; nil until known (stored value, or the BMSes' SoC at the first tick that has it).
    public private(set) var chargeAh: Double?
    /// The value last handed to the host's store, Ah.
    private var savedAh: Double?
    /// The whole bank's installed capacity, Ah, from the last tick with every pack online: what
    /// the counter counts against while a pack is missing, so /Soc does not jump when one leaves.
    private var wholeBankCapacityAh: Double?
    /// True while the last tick saw a partial bank: nothing is saved then, not even at shutdown.
    private var bankIsPartial = false

    public init(config: OwnSocConfig, host: StrategyHost) {
        self.config = config
        self.host = host
        switch host.readState(StoredCharge.stateKey) {
        case .absent:
            host.log(.info, "no stored charge: starting from the BMSes' SoC")
        case .unreadable:
            host.log(.warning, "stored charge unreadable: starting from the BMSes' SoC")
        case .text(let text):
            switch StoredCharge.parse(text) {
            case .ampHours(let ampHours):
                chargeAh = ampHours
                savedAh = ampHours
            case .initialiseFromBms:
                host.log(.info, "stored charge asks for initialisation from the BMSes' SoC")
            case .corrupt(let reason):
                host.reportCorruptState(StoredCharge.stateKey, reason: reason)
            }
        }
    }

    public convenience init(host: StrategyHost) throws(StrategyError) {
        let reader = ConfigReader(host: host)
        let config = OwnSocConfig(reading: reader)
        try reader.finish(strategy: "OwnSoC")
        self.init(config: config, host: host)
    }

    /// Counting coulombs needs the bank's current and cell extremes only.
    public var readsBatteries: Bool { false }

    public func tick(_ context: TickContext) throws(StrategyError) -> SocResult {
        let bank = context.bank
        guard let installedOnline = bank.installedCapacityAh, installedOnline > 0 else {
            throw StrategyError(.input, "installed capacity unknown: cannot count charge")
        }
        // While packs are missing the bank's values describe only part of it: the counter keeps
        // counting against the whole bank, is neither reset nor clamped to the part online, and
        // nothing is saved until the bank is whole again.
        let partial = context.isPartialBank
        if partial, !bankIsPartial {
            host.log(.warning, "bank partial (\(context.batteriesOnline) of \(context.batteriesExpected) online): "
                + "counting against the whole bank, no resets, nothing saved")
        } else if !partial, bankIsPartial {
            host.log(.info, "bank whole again: counter resets and saving resume")
        }
        bankIsPartial = partial
        let installed: Double
        if partial {
            installed = wholeBankCapacityAh
                ?? installedOnline * Double(context.batteriesExpected) / Double(max(context.batteriesOnline, 1))
        } else {
            installed = installedOnline
            wholeBankCapacityAh = installedOnline
        }
        var charge: Double
        if let known = chargeAh {
            charge = known
            charge += countedAmpHours(current: bank.current, seconds: context.timeStepSeconds)
        } else {
            guard let bmsSoc = bank.bmsSocPercent else {
                throw StrategyError(.input, "waiting for the BMSes' SoC to initialise the counter")
            }
            charge = bmsSoc * installed / 100
            host.log(.info, "counter initialised from BMS SoC \(FixedDecimal.format(bmsSoc, decimals: 1)) %")
        }
        if !partial {
            if isFull(context) { charge = installed }
            if isEmpty(context) { charge = 0 }
        }
        // Never clamped to a capacity that is only estimated (a partial bank since start): the
        // stored count of the whole bank would be cut down to the part online.
        let ceiling = partial && wholeBankCapacityAh == nil ? Double.infinity : installed
        charge = min(max(charge, 0), ceiling)
        chargeAh = charge
        if !partial { saveIfMoved(installed: installed) }

        var timeToGo: Double?
        if let current = bank.current, current < 0, bank.systemLowSoc != true {
            timeToGo = 3600 * charge / -current
        }
        return SocResult(
            socPercent: min(100, 100 * charge / installed),
            capacityAh: charge,
            consumedAh: charge - installed,
            timeToGoSeconds: timeToGo,
            strategyState: "counter \(StoredCharge.text(ampHours: charge)) Ah" + (partial ? ", bank partial" : ""))
    }

    public func shutdown() {
        guard let charge = chargeAh else { return }
        guard !bankIsPartial else {
            host.log(.warning, "bank partial at shutdown: the counter is not saved (the last saved value stays)")
            return
        }
        if host.writeState(StoredCharge.stateKey, StoredCharge.text(ampHours: charge)) { savedAh = charge }
    }

    /// Ah gained (+) or drawn (-) over `seconds`; charging counts only its efficient share.
    func countedAmpHours(current: Double?, seconds: Double) -> Double {
        guard let current, seconds.isFinite, seconds > 0 else { return 0 }
        let effective = current > 0 ? current * config.batteryEfficiency : current
        return effective * seconds / 3600
    }

    /// The charge strategy's hint wins; without one, the highest cell at the full threshold.
    private func isFull(_ context: TickContext) -> Bool {
        switch context.charge?.bankFull ?? .notGiven {
        case .yes: return true
        case .no: return false
        case .notGiven:
            guard let highest = context.bank.maxCellVoltage else { return false }
            return highest >= config.maxCellVoltageSocFull
        }
    }

    /// The charge strategy's hint wins; without one, with ZERO_SOC, the lowest cell at the empty threshold.
    private func isEmpty(_ context: TickContext) -> Bool {
        switch context.charge?.bankEmpty ?? .notGiven {
        case .yes: return true
        case .no: return false
        case .notGiven:
            guard config.zeroSoc, let lowest = context.bank.minCellVoltage else { return false }
            return lowest <= config.minCellVoltageSocEmpty
        }
    }

    /// Stores the counter when it moved by CHARGE_SAVE_PRECISION x installed capacity since the
    /// last store, or when nothing was stored yet (first start, corrupt or negative value).
    private func saveIfMoved(installed: Double) {
        guard let charge = chargeAh else { return }
        if let saved = savedAh {
            let moved = (charge - saved).magnitude
            guard moved > 0, moved >= config.chargeSavePrecision * installed else { return }
        }
        if host.writeState(StoredCharge.stateKey, StoredCharge.text(ampHours: charge)) { savedAh = charge }
    }
}
