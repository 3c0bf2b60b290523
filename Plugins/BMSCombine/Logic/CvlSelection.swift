import PluginKit

/// CVL_MODE: which BMS's charge voltage limit the bank follows while its packs are in
/// different phases of their charge.
public enum CvlMode: String, Equatable, Sendable, CaseIterable {
    /// The lowest BMS CVL (the Python program's default): no pack is charged above its own limit.
    case min = "min"
    /// The highest BMS CVL while any pack floats (the Python program's KEEP_MAX_CVL): a pack that
    /// went to float first does not pull the others down to its float voltage.
    case keepMax = "keep_max"
    /// The highest BMS CVL while any pack absorbs or balances, so that no pack's balancing is cut
    /// short; the lowest when none does.
    case maxWhileBalancing = "max_while_balancing"
    /// Absorption (the highest CVL of the packs not yet finished) until every pack has reported
    /// float since the charge began, then the lowest (float) for the bank.
    case allFinished = "all_finished"
}

/// One pack's CVL as the selection sees it.
public struct PackVoltageLimit: Equatable, Sendable {
    public var name: String
    public var chargeVoltage: Double   // V, the BMS's /Info/MaxChargeVoltage
    public var phase: PackPhase
    public var maxCellVoltage: Double? // V

    public init(name: String, chargeVoltage: Double, phase: PackPhase, maxCellVoltage: Double?) {
        self.name = name
        self.chargeVoltage = chargeVoltage
        self.phase = phase
        self.maxCellVoltage = maxCellVoltage
    }
}

/// The bank's CVL and the words that say which pack set it and why.
public struct CvlChoice: Equatable, Sendable {
    public var volts: Double
    public var reason: String
}

/// Chooses the bank's CVL by CVL_MODE (the reason is short: the strategy's whole reason, CVL, CCL
/// and DCL, must fit the C ABI's 128 bytes); `finishedPacks` (all_finished) are the packs that
/// reported float since their charge began. A pack's protection wins over another's balancing:
/// while any pack's highest cell is above MAX_CELL_VOLTAGE the CVL is at most the lowest BMS CVL
/// plus CVL_MAX_SPREAD.
public struct CvlSelection: Equatable, Sendable {
    public var mode: CvlMode
    /// CVL_MAX_SPREAD, V.
    public var maximumSpread: Double
    /// MAX_CELL_VOLTAGE, V per cell.
    public var maxCellVoltage: Double

    public init(mode: CvlMode, maximumSpread: Double, maxCellVoltage: Double) {
        self.mode = mode
        self.maximumSpread = maximumSpread
        self.maxCellVoltage = maxCellVoltage
    }

    public func choose(_ packs: [PackVoltageLimit], finishedPacks: Set<String> = []) -> CvlChoice {
        precondition(!packs.isEmpty, "a CVL is chosen among the packs online")
        var lowest = packs[0]
        var highest = packs[0]
        for pack in packs.dropFirst() {
            if pack.chargeVoltage < lowest.chargeVoltage { lowest = pack }
            if pack.chargeVoltage > highest.chargeVoltage { highest = pack }
        }
        var choice: CvlChoice
        switch mode {
        case .min:
            choice = Self.from(lowest, "lowest BMS CVL")
        case .keepMax:
            if let floating = packs.first(where: { $0.phase.base == .float }) {
                choice = Self.from(highest, "highest: \(floating.name) floats")
            } else {
                choice = Self.from(lowest, "lowest BMS CVL")
            }
        case .maxWhileBalancing:
            if let finishing = packs.first(where: { $0.phase.isFinishingCharge }) {
                choice = Self.from(highest, "highest: \(finishing.name) \(finishing.phase.name)")
            } else {
                choice = Self.from(lowest, "lowest: none absorbing")
            }
        case .allFinished:
            // A pack whose phase is unknown can never report float: it holds nothing.
            let unfinished = packs.filter { !finishedPacks.contains($0.name) && $0.phase.base != .unknown }
            if unfinished.isEmpty {
                choice = Self.from(lowest, "lowest: all packs finished")
            } else {
                var holding = unfinished[0]
                for pack in unfinished.dropFirst() where pack.chargeVoltage > holding.chargeVoltage { holding = pack }
                let waiting = unfinished.count == 1 ? unfinished[0].name : "\(unfinished.count) packs"
                choice = Self.from(holding, "held: \(waiting) not finished")
            }
        }
        // A pack's protection wins over another's balancing. A pack that publishes no highest
        // cell could be peaking: it binds the cap too (fail safe).
        let cap = lowest.chargeVoltage + maximumSpread
        if choice.volts > cap,
           let peaking = packs.first(where: { ($0.maxCellVoltage ?? .infinity) > maxCellVoltage }) {
            let why = peaking.maxCellVoltage.map { "cell \(FixedDecimal.format($0, decimals: 3)) V > MAX_CELL_VOLTAGE" }
                ?? "no cell reading"
            choice = CvlChoice(
                volts: cap,
                reason: "CVL \(FixedDecimal.format(cap, decimals: 2)) V: lowest (\(lowest.name)) + spread, \(peaking.name) \(why)")
        }
        return choice
    }

    private static func from(_ pack: PackVoltageLimit, _ why: String) -> CvlChoice {
        CvlChoice(volts: pack.chargeVoltage,
                  reason: "CVL \(FixedDecimal.format(pack.chargeVoltage, decimals: 2)) V from \(pack.name) (\(why))")
    }

    /// all_finished's memory: a pack that reports float has finished; one that starts a new
    /// charge (bulk, balancing or not) has not. Packs no longer online are forgotten.
    public static func updateFinished(_ finished: Set<String>, with packs: [PackVoltageLimit]) -> Set<String> {
        var next: Set<String> = []
        for pack in packs {
            switch pack.phase.base {
            case .float: next.insert(pack.name)
            case .bulk: break
            case .absorption, .unknown:
                if finished.contains(pack.name) { next.insert(pack.name) }
            }
        }
        return next
    }
}
