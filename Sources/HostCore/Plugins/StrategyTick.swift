import PluginAPI
import PluginKit

/// The strategies' part of a tick: the charge strategy, the SoC strategy with the charge result,
/// the SoC sanity check and the guard. The daemon and the replay both run this one function, so a
/// replay applies exactly the rules the daemon does.
public enum StrategyTick {
    public struct Outcome {
        /// What the guard gets: the charge strategy's result, or why there is none.
        public var charge: Result<ChargeResult, StrategyError>
        /// The charge strategy's own failure (nil when it worked or did not run), for the log.
        public var chargeFailure: StrategyFailure?
        /// The SoC strategy's result with impossible values removed; nil when it failed or did not run.
        public var soc: SocResult?
        public var socFailure: StrategyFailure?
        /// The SoC fields that were impossible and removed.
        public var socRejected: [String]
        /// False when no battery was online: the strategies were not asked.
        public var strategiesRan: Bool
        public var limits: GuardedLimits
        /// The guard's inputs beside the strategies' (a trace records them for a replay).
        public var onlineCapacityShare: Double
        public var vetoes: PackVetoes
        public var dvcc: DvccUserLimits
    }

    /// One tick of both strategies on `context` (the buffers are filled here), then the guard.
    public static func run(charge: StrategyInstance, soc: StrategyInstance, buffers: TickInputBuffers,
                           context: TickContext, status: DegradedPolicy.Status, onlineCapacityShare: Double,
                           vetoes: PackVetoes, dvcc: DvccUserLimits = DvccUserLimits(),
                           limitGuard: inout LimitGuard) -> Outcome {
        let anyOnline = context.batteriesOnline > 0
        var outcome = Outcome(charge: .failure(StrategyError(.input, "no battery online")), chargeFailure: nil,
                              soc: nil, socFailure: nil, socRejected: [], strategiesRan: anyOnline,
                              limits: GuardedLimits(chargeVoltageLimit: nil, chargeCurrentLimit: 0, dischargeCurrentLimit: 0,
                                                    bmsCableAlarm: 0, internalFailureAlarm: 0, reason: "", replacements: []),
                              onlineCapacityShare: onlineCapacityShare, vetoes: vetoes, dvcc: dvcc)
        let input = buffers.fill(context)
        if anyOnline {
            switch charge.tickCharge(input) {
            case .success(let result): outcome.charge = .success(result)
            case .failure(let failure):
                outcome.chargeFailure = failure
                outcome.charge = .failure(StrategyError(failure.kind, failure.message))
            }
            buffers.setCharge(try? outcome.charge.get())
            switch soc.tickSoc(input) {
            case .success(let result):
                let (sane, rejected) = SocSanity.sanitized(result)
                outcome.soc = sane
                outcome.socRejected = rejected
            case .failure(let failure):
                outcome.socFailure = failure
            }
        }
        outcome.limits = limitGuard.limits(for: outcome.charge, status: status, onlineCapacityShare: onlineCapacityShare,
                                           vetoes: vetoes, dvcc: dvcc)
        return outcome
    }
}
