import PluginKit

/// One pack's part in one direction (charge or discharge) of the bank's current limit.
public struct PackCurrentLimit: Equatable, Sendable {
    public var name: String
    /// The BMS's own limit in this direction, A.
    public var amps: Double
    /// /InstalledCapacity, Ah; nil when not published.
    public var capacityAh: Double?
    /// The pack's measured current in this direction (A, >= 0; nil when unknown).
    public var measuredAmps: Double?
    /// Its BMS forbids this direction (/Io/AllowTo* = 0, a blocking module, or a limit of 0).
    public var blocks: Bool

    public init(name: String, amps: Double, capacityAh: Double?, measuredAmps: Double?, blocks: Bool) {
        self.name = name
        self.amps = amps
        self.capacityAh = capacityAh
        self.measuredAmps = measuredAmps
        self.blocks = blocks
    }
}

/// How the bank's limit in one direction follows from its packs' own limits (CURRENT_LIMIT_POLICY),
/// for packs that may differ in size, age and resistance. Every policy gives the limit of the whole
/// bank the strategy expects (`bankSize` packs); a pack whose BMS forbids the direction carries
/// none of it and the others' limit is computed without it, unless `blockingStopsBank` (the Python
/// program: one blocking pack stops the bank in that direction).
public struct CurrentShares: Equatable, Sendable {
    public var policy: CurrentLimitPolicy
    public var blockingStopsBank: Bool
    /// Below this bank current (A) in a direction a measured split says nothing (noise, balancing).
    public static let minimumMeasuredAmps = 5.0

    public init(policy: CurrentLimitPolicy, blockingStopsBank: Bool) {
        self.policy = policy
        self.blockingStopsBank = blockingStopsBank
    }

    /// The limit in A with a short reason for people (the pack named is the first at its own
    /// limit; the strategy's whole reason must fit the C ABI's 128 bytes); `learnedShares` (measured_share) maps a pack to its
    /// share of the current over the last minutes. An input error when a policy lacks what it needs.
    public func limit(_ packs: [PackCurrentLimit], bankSize: Int, label: String,
                      learnedShares: [String: Double] = [:]) throws(StrategyError) -> (amps: Double, reason: String) {
        precondition(!packs.isEmpty, "a limit is combined over the packs online")
        let blocking = packs.filter { $0.blocks }
        if let first = blocking.first, blockingStopsBank {
            return (0, "\(label) 0 A: \(first.name) blocks")
        }
        let carrying = packs.filter { !$0.blocks }
        guard !carrying.isEmpty else {
            return (0, "\(label) 0 A: all block")
        }
        // The whole bank's limit, as the host expects it: it scales CCL and DCL down to the packs
        // online (the blocking ones included) while packs are missing. So the carriers' limit is
        // extrapolated by expected over online packs, never over the carriers alone: after the
        // host's scaling the carriers get what they carry now.
        let wholeBank = Double(max(bankSize, packs.count)) / Double(packs.count)
        let blocked = blocking.isEmpty ? "" : ", " + (blocking.count == 1 ? blocking[0].name : "\(blocking.count) packs") + " blocks"
        switch policy {
        case .minTimesCount:
            var lowest = carrying[0]
            for pack in carrying.dropFirst() where pack.amps < lowest.amps { lowest = pack }
            let count = Double(carrying.count) * wholeBank
            let countText = count == count.rounded() ? "\(Int(count))" : FixedDecimal.format(count, decimals: 2)
            return (lowest.amps * count,
                    "\(label) \(countText) x \(FixedDecimal.format(lowest.amps, decimals: 1)) A (\(lowest.name))\(blocked)")
        case .sum:
            var amps = 0.0
            for pack in carrying { amps += pack.amps }
            amps *= wholeBank
            return (amps, "\(label) sum \(FixedDecimal.format(amps, decimals: 1)) A\(blocked)")
        case .capacityShare:
            let shares = try Self.capacityShares(carrying)
            let (amps, name) = Self.firstAtItsLimit(carrying, shares: shares)
            return (amps * wholeBank,
                    "\(label) \(FixedDecimal.format(amps * wholeBank, decimals: 1)) A capacity share (\(name))\(blocked)")
        case .mostRestrictive:
            let byCapacity = try Self.capacityShares(carrying)
            let capacityLimit = Self.firstAtItsLimit(carrying, shares: byCapacity)
            guard let measured = Self.measuredShares(carrying) else {
                return (capacityLimit.amps * wholeBank, "\(label) \(FixedDecimal.format(capacityLimit.amps * wholeBank, decimals: 1)) A "
                            + "capacity share, no split (\(capacityLimit.name))\(blocked)")
            }
            // The lower of the two: the measured split now, each share at least half its capacity
            // share (a pack taking little now may take its part at full current), and the capacity split.
            let split = Self.firstAtItsLimit(carrying, shares: Self.floored(measured, by: byCapacity))
            let (amps, name, how) = split.amps < capacityLimit.amps
                ? (split.amps, split.name, "measured split") : (capacityLimit.amps, capacityLimit.name, "capacity share")
            return (amps * wholeBank, "\(label) \(FixedDecimal.format(amps * wholeBank, decimals: 1)) A \(how) (\(name))\(blocked)")
        case .measuredShare:
            var shares: [Double] = []
            var complete = true
            for pack in carrying {
                guard let share = learnedShares[pack.name], share > 0 else {
                    complete = false
                    break
                }
                shares.append(share)
            }
            if complete {
                let total = shares.reduce(0, +)
                let normalized = shares.map { $0 / total }
                let (amps, name) = Self.firstAtItsLimit(carrying, shares: Self.floored(normalized, by: try Self.capacityShares(carrying)))
                return (amps * wholeBank,
                        "\(label) \(FixedDecimal.format(amps * wholeBank, decimals: 1)) A learned split (\(name))\(blocked)")
            }
            let fallback = try Self.capacityShares(carrying)
            let (amps, name) = Self.firstAtItsLimit(carrying, shares: fallback)
            return (amps * wholeBank,
                    "\(label) \(FixedDecimal.format(amps * wholeBank, decimals: 1)) A capacity share, not learned yet (\(name))\(blocked)")
        }
    }

    /// Each pack's share of the installed capacity of `packs`.
    static func capacityShares(_ packs: [PackCurrentLimit]) throws(StrategyError) -> [Double] {
        var total = 0.0
        for pack in packs {
            guard let capacity = pack.capacityAh, capacity > 0, capacity.isFinite else {
                throw StrategyError(.input, "battery \(pack.name) publishes no usable /InstalledCapacity (needed by CURRENT_LIMIT_POLICY)")
            }
            total += capacity
        }
        return packs.map { ($0.capacityAh ?? 0) / total }
    }

    /// Each pack's share of the bank current now, when every pack's current in this direction is
    /// known and the bank's is large enough to say how it splits; nil otherwise.
    static func measuredShares(_ packs: [PackCurrentLimit]) -> [Double]? {
        var total = 0.0
        for pack in packs {
            guard let amps = pack.measuredAmps, amps.isFinite, amps >= 0 else { return nil }
            total += amps
        }
        guard total >= minimumMeasuredAmps else { return nil }
        return packs.map { ($0.measuredAmps ?? 0) / total }
    }

    /// Each share at least half the pack's capacity share: a pack that takes little of the current
    /// now (a higher voltage, a moment's balance) is not let out of the limit altogether.
    static func floored(_ shares: [Double], by capacityShares: [Double]) -> [Double] {
        zip(shares, capacityShares).map { max($0, $1 / 2) }
    }

    /// The bank current at which the first pack reaches its own limit when the current splits by
    /// `shares`, and that pack's name. A pack with no share never limits.
    static func firstAtItsLimit(_ packs: [PackCurrentLimit], shares: [Double]) -> (amps: Double, name: String) {
        var best: (amps: Double, name: String)?
        for (pack, share) in zip(packs, shares) where share > 0 {
            let amps = pack.amps / share
            if best == nil || amps < best!.amps { best = (amps, pack.name) }
        }
        return best ?? (0, packs[0].name)
    }
}

/// measured_share's memory: each pack's share of the bank current in one direction, averaged
/// over the last minutes (an exponential average with `timeConstantSeconds`), learned only while
/// the bank current in that direction is large enough to show how it splits.
public struct LearnedShares: Equatable, Sendable {
    public var shares: [String: Double] = [:]
    public var timeConstantSeconds: Double

    public init(timeConstantSeconds: Double = 300) {
        self.timeConstantSeconds = timeConstantSeconds
    }

    public mutating func learn(_ packs: [PackCurrentLimit], timeStepSeconds: Double) {
        // A blocking pack carries nothing now; what it takes once it carries again is learned afresh.
        for pack in packs where pack.blocks { shares[pack.name] = nil }
        let carrying = packs.filter { !$0.blocks }
        guard let measured = CurrentShares.measuredShares(carrying) else { return }
        let weight = timeStepSeconds > 0 ? min(1, timeStepSeconds / timeConstantSeconds) : 0
        var next: [String: Double] = [:]
        for (pack, share) in zip(carrying, measured) {
            if let old = shares[pack.name] {
                next[pack.name] = old + (share - old) * weight
            } else {
                next[pack.name] = share
            }
        }
        shares = next
    }
}
